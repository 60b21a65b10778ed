/*
** test_errors.c: every error the headers document, each of which must
** change nothing; the life of a channel (init, destroy, new, retain,
** free); the code table; running out of memory. MIT licence, see COPYING.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#define CHECK_REFS(ch, n)                                                      \
    do {                                                                       \
        ca_chan_info i_;                                                       \
        CA_ASSERT_RC(ca_chan_inspect((ch), &i_), CA_OK);                       \
        CA_ASSERT_EQ(i_.refs, (n));                                            \
    } while (0)

/* ------------------------------------------------------------ NULL */

/* A NULL channel, value, destination, op or info pointer is CA_EINVAL,
** and changes nothing on the channel. */
static void errors_null_args(void)
{
    ca_chan ch;
    ca_chan_info info;
    ca_op op;
    rec r = {0, -100};
    int buf[1], v = 1;

    CA_ASSERT_RC(ca_chan_init(NULL, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_free(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_retain(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_set_name(NULL, "x"), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_inspect(NULL, &info), CA_EINVAL);
    CA_ASSERT_RC(ca_offer(NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_poll(NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_close(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_closed(NULL), CA_EINVAL);
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(NULL, &op, &v, rec_cb), CA_EINVAL);
    CA_ASSERT_RC(ca_take_async(NULL, &op, &v, rec_cb), CA_EINVAL);
    CA_ASSERT_EQ(r.calls, 0);
#if CA_HAVE_MALLOC
    CA_ASSERT_RC(ca_chan_new(NULL, CA_FIXED, 1, sizeof(int)), CA_EINVAL);
#endif

    /* with a live channel that has one value in its buffer */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    v = 7;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_EINVAL); /* would lose the 7 */
    CA_ASSERT_RC(ca_take_async(&ch, &op, NULL, rec_cb), CA_EINVAL);
    CA_ASSERT_RC(ca_take_async(&ch, NULL, &v, rec_cb), CA_EINVAL);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CA_ASSERT_EQ(info.count, 1);
    v = 0;
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 7);
    /* now empty: a NULL value must not go in */
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_put_async(&ch, &op, NULL, rec_cb), CA_EINVAL);
    CA_ASSERT_RC(ca_put_async(&ch, NULL, &v, rec_cb), CA_EINVAL);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CA_ASSERT_EQ(info.count, 0);
    CA_ASSERT_EQ(info.pending_puts, 0);
    CA_ASSERT_EQ(info.pending_takes, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A refused call leaves a waiting op alone: the take queued before a NULL
** offer still gets the next real value. */
static void errors_einval_keeps_waiters(void)
{
    ca_chan ch;
    ca_op op, op2;
    rec r = {0, -100}, r2 = {0, -100};
    int dst = -1, v = 3;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    op.data = &r;
    op2.data = &r2;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_put_async(&ch, &op2, NULL, rec_cb), CA_EINVAL);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_EQ(r2.calls, 0);
    CHECK_PENDING(&ch, 0, 1);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_EQ(dst, 3);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ init */

/* ca_chan_init refuses an argument without writing to the storage: here,
** storage that held a channel (destroyed, so not live, but not blank),
** which stays as it was and still holds no channel. */
static int init_refused(ca_buf_kind kind, size_t cap, size_t es, void *buf,
                        size_t size, int want)
{
    ca_chan ch, copy;
    unsigned char old[8];
    int rc;

    if (ca_chan_init(&ch, CA_FIXED, 2, 4, old, sizeof old) != CA_OK ||
        ca_chan_set_name(&ch, "old") != CA_OK || ca_chan_destroy(&ch) != CA_OK)
        return 0;
    memcpy(&copy, &ch, sizeof ch);
    rc = ca_chan_init(&ch, kind, cap, es, buf, size);
    return rc == want && memcmp(&ch, &copy, sizeof ch) == 0 &&
           ca_closed(&ch) == CA_EBADCHAN;
}

/* The capacity must suit the kind: 0 unbuffered, 1 promise, at least 1
** for the others; an unknown kind is refused. */
static void errors_init_kind_capacity(void)
{
    unsigned char buf[64];
    ca_chan ch;

    CU_ASSERT(init_refused(CA_UNBUFFERED, 1, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_PROMISE, 0, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_PROMISE, 2, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_FIXED, 0, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_DROPPING, 0, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_SLIDING, 0, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused((ca_buf_kind)0, 1, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused((ca_buf_kind)(CA_PROMISE + 1), 1, 4, buf, sizeof buf,
                           CA_EINVAL));
    CU_ASSERT(init_refused((ca_buf_kind)-1, 1, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused((ca_buf_kind)255, 1, 4, buf, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused((ca_buf_kind)257, 1, 4, buf, sizeof buf, CA_EINVAL));

    /* and the right ones are accepted */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 4, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, 4, buf, 4), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 16, 4, buf, 64), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_DROPPING, 1, 4, buf, 4), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, 1, 4, buf, 4), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Sizes: an element over CA_MAX_ELEM_SIZE, a capacity over
** CA_MAX_CAPACITY, a capacity times element size that overflows. */
static void errors_init_range(void)
{
    unsigned char buf[8];
    ca_chan ch;

    CU_ASSERT(init_refused(CA_FIXED, 1, (size_t)CA_MAX_ELEM_SIZE + 1, buf,
                           SIZE_MAX, CA_ERANGE));
    CU_ASSERT(init_refused(CA_UNBUFFERED, 0, (size_t)CA_MAX_ELEM_SIZE + 1, NULL,
                           0, CA_ERANGE));
    CU_ASSERT(init_refused(CA_FIXED, 1, SIZE_MAX, buf, SIZE_MAX, CA_ERANGE));
    /* the product overflows size_t */
    CU_ASSERT(
        init_refused(CA_FIXED, SIZE_MAX / 2 + 1, 2, buf, SIZE_MAX, CA_ERANGE));
    CU_ASSERT(init_refused(CA_SLIDING, SIZE_MAX, CA_MAX_ELEM_SIZE, buf,
                           SIZE_MAX, CA_ERANGE));
#if SIZE_MAX > 0xffffffffu
    /* a capacity past CA_MAX_CAPACITY, even with nothing to store */
    CU_ASSERT(init_refused(CA_FIXED, (size_t)CA_MAX_CAPACITY + 1, 0, NULL, 0,
                           CA_ERANGE));
    CU_ASSERT(init_refused(CA_DROPPING, (size_t)CA_MAX_CAPACITY + 1, 1, buf,
                           SIZE_MAX, CA_ERANGE));
#endif
    /* the limits themselves are fine */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, CA_MAX_CAPACITY, 0, NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, CA_MAX_ELEM_SIZE, NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
#if !CA_TEST_SMALL
    unsigned char *big = (unsigned char *)malloc(CA_MAX_ELEM_SIZE);

    CU_ASSERT_FATAL(big != NULL);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, CA_MAX_ELEM_SIZE, big,
                              CA_MAX_ELEM_SIZE),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    /* one byte short */
    CU_ASSERT(init_refused(CA_PROMISE, 1, CA_MAX_ELEM_SIZE, big,
                           CA_MAX_ELEM_SIZE - 1, CA_ERANGE));
    free(big);
#endif
}

/* The buffer: NULL when bytes are needed is CA_EINVAL, too small is
** CA_ERANGE; NULL is fine when nothing needs storing. */
static void errors_init_buf(void)
{
    int buf[4];
    ca_chan ch;

    CU_ASSERT(
        init_refused(CA_FIXED, 4, sizeof(int), NULL, sizeof buf, CA_EINVAL));
    CU_ASSERT(init_refused(CA_FIXED, 4, sizeof(int), NULL, 0, CA_EINVAL));
    CU_ASSERT(init_refused(CA_PROMISE, 1, sizeof(int), NULL, 4, CA_EINVAL));
    CU_ASSERT(
        init_refused(CA_FIXED, 4, sizeof(int), buf, sizeof buf - 1, CA_ERANGE));
    CU_ASSERT(init_refused(CA_SLIDING, 4, sizeof(int), buf, 0, CA_ERANGE));
    CU_ASSERT(init_refused(CA_DROPPING, 1, sizeof(int), buf, 3, CA_ERANGE));

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 4, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    /* a buffer nobody needs is allowed, and ignored */
    CA_ASSERT_RC(
        ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), buf, sizeof buf),
        CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ not live */

/* Every function refuses storage that holds no live channel. */
static void check_not_live(ca_chan *ch)
{
    ca_chan_info info;
    ca_op op;
    rec r = {0, -100};
    int v = 1;

    op.data = &r;
    CA_ASSERT_RC(ca_chan_destroy(ch), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_free(ch), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_retain(ch), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_set_name(ch, "x"), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_inspect(ch, &info), CA_EBADCHAN);
    CA_ASSERT_RC(ca_offer(ch, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_poll(ch, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_close(ch), CA_EBADCHAN);
    CA_ASSERT_RC(ca_closed(ch), CA_EBADCHAN);
    CA_ASSERT_RC(ca_put_async(ch, &op, &v, rec_cb), CA_EBADCHAN);
    CA_ASSERT_RC(ca_take_async(ch, &op, &v, rec_cb), CA_EBADCHAN);
    CA_ASSERT_RC(ca_put_async(ch, &op, &v, NULL), CA_EBADCHAN);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_EQ(v, 1);
    /* and a second time: nothing above brought it to life */
    CA_ASSERT_RC(ca_offer(ch, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_destroy(ch), CA_EBADCHAN);
}

static void errors_zeroed_chan(void)
{
    ca_chan ch;

    memset(&ch, 0, sizeof ch);
    check_not_live(&ch);
}

static void errors_destroyed_chan(void)
{
    ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_DROPPING, CA_SLIDING,
                           CA_PROMISE};
    int buf[1], v = 4;
    ca_chan ch;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t cap = kinds[k] == CA_UNBUFFERED ? 0 : 1;

        CA_ASSERT_RC(
            ca_chan_init(&ch, kinds[k], cap, sizeof(int), buf, sizeof buf),
            CA_OK);
        if (cap != 0)
            CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
        check_not_live(&ch);
    }

    /* ended by the last ca_chan_free */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    check_not_live(&ch);
}

/* ------------------------------------------------------------ ending */

/* Destroy and the last free refuse a channel with waiting takes or puts,
** change nothing, and succeed once it is drained. */
static void errors_end_busy(void)
{
    int (*enders[])(ca_chan *) = {ca_chan_destroy, ca_chan_free};
    ca_chan ch;
    ca_op op[2];
    rec r[2];
    int buf[1], v, dst, e;

    for (e = 0; e < 2; e++) {
        /* a waiting take */
        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
            CA_OK);
        r[0].calls = 0;
        op[0].data = &r[0];
        dst = -1;
        CA_ASSERT_RC(ca_take_async(&ch, &op[0], &dst, rec_cb), CA_OK);
        CA_ASSERT_RC(enders[e](&ch), CA_EBUSY);
        CA_ASSERT_RC(enders[e](&ch), CA_EBUSY);
        CHECK_PENDING(&ch, 0, 1);
        CHECK_REFS(&ch, 1);
        CA_ASSERT_EQ(ca_closed(&ch), 0);
        v = 5;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK); /* still works */
        CA_ASSERT_EQ(r[0].calls, 1);
        CA_ASSERT_EQ(dst, 5);
        CA_ASSERT_RC(enders[e](&ch), CA_OK);
        CA_ASSERT_RC(ca_closed(&ch), CA_EBADCHAN);

        /* waiting puts, which survive close: drained by polls */
        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
            CA_OK);
        v = 10;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        r[0].calls = r[1].calls = 0;
        op[0].data = &r[0];
        op[1].data = &r[1];
        v = 11;
        CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, rec_cb), CA_OK);
        CA_ASSERT_RC(ca_put_async(&ch, &op[1], &v, rec_cb), CA_OK);
        CA_ASSERT_RC(ca_close(&ch), CA_OK);
        CA_ASSERT_RC(enders[e](&ch), CA_EBUSY);
        CHECK_PENDING(&ch, 2, 0);
        CA_ASSERT_RC(ca_poll(&ch, &dst), CA_OK);
        CA_ASSERT_EQ(dst, 10);
        CA_ASSERT_RC(enders[e](&ch), CA_EBUSY); /* one still waits */
        CA_ASSERT_RC(ca_poll(&ch, &dst), CA_OK);
        CA_ASSERT_EQ(r[1].calls, 1);
        CA_ASSERT_RC(enders[e](&ch), CA_OK); /* one value left: fine */
        CA_ASSERT_EQ(r[0].calls, 1);
        CA_ASSERT_EQ(r[1].calls, 1);
    }
}

/* Destroy is refused while someone else holds a reference. */
static void errors_destroy_with_ref(void)
{
    ca_chan ch;
    int v = 1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_EBUSY);
    CHECK_REFS(&ch, 2);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN); /* still live */
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    CHECK_REFS(&ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_EBADCHAN);
}

/* Retain and free count references; a free that is not the last leaves
** the channel alive and working, even with waiters. */
static void errors_refcount(void)
{
    ca_chan ch;
    ca_op op;
    rec r = {0, -100};
    int buf[2], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CHECK_REFS(&ch, 1);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_chan_retain(&ch), CA_OK);
    CHECK_REFS(&ch, 4);
    for (i = 3; i > 0; i--) {
        CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
        CHECK_REFS(&ch, (size_t)i);
        v = i;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_OK);
        CA_ASSERT_EQ(v, i);
    }

    /* with a waiting take: only the last free is refused */
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_OK);
    op.data = &r;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    CHECK_REFS(&ch, 1);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_EBUSY);
    CHECK_REFS(&ch, 1);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_EBADCHAN);
}

/* CA_MAX_REFS references, and not one more. */
static void errors_refs_max(void)
{
    ca_chan ch;
    unsigned i;
    int bad = 0;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    for (i = 1; i < CA_MAX_REFS; i++)
        bad += ca_chan_retain(&ch) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_REFS(&ch, CA_MAX_REFS);
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_ERANGE);
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_ERANGE);
    CHECK_REFS(&ch, CA_MAX_REFS);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_retain(&ch), CA_OK);
    for (i = 1; i < CA_MAX_REFS; i++)
        bad += ca_chan_free(&ch) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_REFS(&ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ codes */

static const int all_codes[] = {
#define CODE(name, value, msg) CA_##name,
    CA_ERROR_MAP(CODE)
#undef CODE
};
#define NCODES (sizeof all_codes / sizeof all_codes[0])

static int is_code(long long c)
{
    size_t i;

    for (i = 0; i < NCODES; i++)
        if (all_codes[i] == c)
            return 1;
    return 0;
}

/* ca_strerror and ca_err_name for every code of CA_ERROR_MAP, and for
** codes that are not in it (just past either end of the table, and far
** away). */
static void errors_strerror(void)
{
    long long lo = 0, hi = 0, unknown[6];
    size_t i;

#define CHECK_CODE(name, value, msg)                                           \
    CA_ASSERT_EQ(CA_##name, value);                                            \
    CU_ASSERT_STRING_EQUAL(ca_strerror(value), msg);                           \
    CU_ASSERT_STRING_EQUAL(ca_err_name(value), "CA_" #name);
    CA_ERROR_MAP(CHECK_CODE)
#undef CHECK_CODE

    for (i = 0; i < NCODES; i++) {
        lo = all_codes[i] < lo ? all_codes[i] : lo;
        hi = all_codes[i] > hi ? all_codes[i] : hi;
    }
    unknown[0] = hi + 1;
    unknown[1] = lo - 1;
    unknown[2] = hi + 1000;
    unknown[3] = lo - 1000;
    unknown[4] = INT32_MAX;
    unknown[5] = INT32_MIN;
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CU_ASSERT_FATAL(!is_code(unknown[i]));
        CU_ASSERT_STRING_EQUAL(ca_strerror((int)unknown[i]), "unknown error");
        CU_ASSERT_STRING_EQUAL(ca_err_name((int)unknown[i]), "CA_UNKNOWN");
    }
}

/* The table's shape, as error.h describes it: CA_OK is 0, statuses are
** small and positive, errors negative and named CA_E..., all distinct. */
static void errors_code_table(void)
{
    size_t i, j;
    int dup = 0;

    CA_ASSERT_EQ(CA_OK, 0);
    CU_ASSERT(CA_CLOSED > 0 && CA_AGAIN > 0);
    for (i = 0; i < NCODES; i++) {
        const char *name = ca_err_name(all_codes[i]);

        for (j = i + 1; j < NCODES; j++)
            dup += all_codes[i] == all_codes[j];
        if (all_codes[i] < 0)
            CU_ASSERT(strncmp(name, "CA_E", 4) == 0);
        CU_ASSERT(ca_strerror(all_codes[i])[0] != '\0');
    }
    CA_ASSERT_EQ(dup, 0);
}

/* ------------------------------------------------------------ memory */

#if CA_HAVE_MALLOC

/* A malloc-backed allocator that fails the fail_at-th allocation (counting
** from 1; 0 never fails) and counts what is live. */
static struct {
    int calls;   /* allocations asked for               */
    int fail_at; /* which one fails                     */
    int live;    /* allocated and not yet freed         */
    int frees;
    size_t last_size;
} al;

static void *test_alloc(void *ud, void *ptr, size_t size)
{
    CU_ASSERT(ud == &al);
    if (size == 0) {
        CU_ASSERT(ptr != NULL);
        al.frees++;
        al.live--;
        free(ptr);
        return NULL;
    }
    CU_ASSERT(ptr == NULL);
    al.calls++;
    al.last_size = size;
    if (al.calls == al.fail_at)
        return NULL;
    al.live++;
    return malloc(size);
}

static void al_reset(int fail_at)
{
    memset(&al, 0, sizeof al);
    al.fail_at = fail_at;
    ca_set_allocator(test_alloc, &al);
}

/* ca_chan_new allocates once, through the allocator, and ca_chan_free
** frees through it. */
static void errors_chan_new_allocator(void)
{
    ca_chan *ch = NULL;
    int v = 3;

    al_reset(0);
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 10, sizeof(int)), CA_OK);
    CU_ASSERT_FATAL(ch != NULL);
    CA_ASSERT_EQ(al.calls, 1);
    CU_ASSERT(al.last_size >= 10 * sizeof(int));
    CA_ASSERT_RC(ca_offer(ch, &v), CA_OK);
    v = 0;
    CA_ASSERT_RC(ca_poll(ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 3);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    CA_ASSERT_EQ(al.frees, 1);
    CA_ASSERT_EQ(al.live, 0);
    ca_set_allocator(NULL, NULL);
}

/* CA_ENOMEM: the failing allocation makes ca_chan_new return CA_ENOMEM
** with *out NULL, leaking nothing; the next call works again. For every
** N, with all kinds. */
static void errors_enomem(void)
{
    ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_DROPPING, CA_SLIDING,
                           CA_PROMISE};
    ca_chan *made[8];
    ca_chan *ch;
    size_t k;
    int n, i;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t cap = kinds[k] == CA_UNBUFFERED ? 0
                     : kinds[k] == CA_PROMISE  ? 1
                                               : 4;

        for (n = 1; n <= 4; n++) {
            al_reset(n);
            for (i = 0; i < n; i++) {
                made[i] = NULL;
                ch = (ca_chan *)&made; /* not NULL, to see it cleared */
                if (i < n - 1) {
                    CA_ASSERT_RC(ca_chan_new(&ch, kinds[k], cap, 8), CA_OK);
                    CU_ASSERT(ch != NULL);
                    made[i] = ch;
                } else {
                    CA_ASSERT_RC(ca_chan_new(&ch, kinds[k], cap, 8), CA_ENOMEM);
                    CU_ASSERT(ch == NULL);
                }
            }
            CA_ASSERT_EQ(al.live, n - 1);
            /* after the failure, allocation works again */
            CA_ASSERT_RC(ca_chan_new(&ch, kinds[k], cap, 8), CA_OK);
            CU_ASSERT(ch != NULL);
            made[n - 1] = ch;
            for (i = 0; i < n; i++)
                if (made[i] != NULL)
                    CA_ASSERT_RC(ca_chan_free(made[i]), CA_OK);
            CA_ASSERT_EQ(al.live, 0);
        }
    }
    ca_set_allocator(NULL, NULL);

    /* restored: malloc again, our allocator is not called */
    al.calls = 0;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 2, 8), CA_OK);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    CA_ASSERT_EQ(al.calls, 0);
}

/* Bad arguments to ca_chan_new: the same errors as ca_chan_init, *out
** NULL, and no allocation attempted. */
static void errors_chan_new_args(void)
{
    ca_chan *ch;

    al_reset(0);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_UNBUFFERED, 1, 4), CA_EINVAL);
    CU_ASSERT(ch == NULL);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_PROMISE, 2, 4), CA_EINVAL);
    CU_ASSERT(ch == NULL);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 0, 4), CA_EINVAL);
    CU_ASSERT(ch == NULL);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, (ca_buf_kind)42, 1, 4), CA_EINVAL);
    CU_ASSERT(ch == NULL);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 1, (size_t)CA_MAX_ELEM_SIZE + 1),
                 CA_ERANGE);
    CU_ASSERT(ch == NULL);
    ch = (ca_chan *)&al;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, SIZE_MAX / 2 + 1, 2), CA_ERANGE);
    CU_ASSERT(ch == NULL);
    CA_ASSERT_EQ(al.calls, 0);
    ca_set_allocator(NULL, NULL);
}

/* A channel from ca_chan_new is ended by ca_chan_free, not destroy; a
** retained one survives its first free and stays usable. */
static void errors_chan_new_lifecycle(void)
{
    ca_chan *ch = NULL;
    int v = 8;

    al_reset(0);
    CA_ASSERT_RC(ca_chan_new(&ch, CA_SLIDING, 2, sizeof(int)), CA_OK);
    CU_ASSERT_FATAL(ch != NULL);
    CA_ASSERT_RC(ca_chan_destroy(ch), CA_EINVAL);
    CA_ASSERT_RC(ca_offer(ch, &v), CA_OK); /* unharmed */
    CA_ASSERT_RC(ca_chan_retain(ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(ch), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    CA_ASSERT_EQ(al.frees, 0);
    CHECK_REFS(ch, 1);
    v = 0;
    CA_ASSERT_RC(ca_poll(ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 8);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    CA_ASSERT_EQ(al.frees, 1);
    CA_ASSERT_EQ(al.live, 0);

    /* the last free with a waiting op: refused, nothing freed */
    {
        ca_op op;
        rec r = {0, -100};

        CA_ASSERT_RC(ca_chan_new(&ch, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
        op.data = &r;
        CA_ASSERT_RC(ca_take_async(ch, &op, &v, rec_cb), CA_OK);
        CA_ASSERT_RC(ca_chan_free(ch), CA_EBUSY);
        CA_ASSERT_EQ(al.frees, 1);
        CA_ASSERT_RC(ca_close(ch), CA_OK);
        CA_ASSERT_EQ(r.calls, 1);
        CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
        CA_ASSERT_EQ(al.frees, 2);
        CA_ASSERT_EQ(al.live, 0);
    }
    ca_set_allocator(NULL, NULL);
}

#endif /* CA_HAVE_MALLOC */

static const ca_test tests[] = {
    {"errors_null_args", errors_null_args},
    {"errors_einval_keeps_waiters", errors_einval_keeps_waiters},
    {"errors_init_kind_capacity", errors_init_kind_capacity},
    {"errors_init_range", errors_init_range},
    {"errors_init_buf", errors_init_buf},
    {"errors_zeroed_chan", errors_zeroed_chan},
    {"errors_destroyed_chan", errors_destroyed_chan},
    {"errors_end_busy", errors_end_busy},
    {"errors_destroy_with_ref", errors_destroy_with_ref},
    {"errors_refcount", errors_refcount},
    {"errors_refs_max", errors_refs_max},
    {"errors_strerror", errors_strerror},
    {"errors_code_table", errors_code_table},
#if CA_HAVE_MALLOC
    {"errors_chan_new_allocator", errors_chan_new_allocator},
    {"errors_enomem", errors_enomem},
    {"errors_chan_new_args", errors_chan_new_args},
    {"errors_chan_new_lifecycle", errors_chan_new_lifecycle},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("errors", tests)
