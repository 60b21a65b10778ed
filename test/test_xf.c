/*
** test_xf.c: transforms on channels (issue 9, items 1 and 4): each
** standard transform, composition, the buffer kinds, early stop, the
** completion running once, errors and their handler, go blocks and
** threads on a transformed channel. MIT licence, see COPYING.
*/
#include <string.h>
#if CA_HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#endif

#include <coreasync.h>

#include "ca_test.h"

/* Room for every test's channel: a capacity of 64 and 8 outputs a step. */
#define ST CA_XF_STORAGE(64, 8, 64)
static unsigned char storage[ST];

static int twice(void *ud, const void *in, void *out)
{
    int v = *(const int *)in * 2;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

static int even(void *ud, const void *v)
{
    (void)ud;
    return *(const int *)v % 2 == 0;
}

static int small(void *ud, const void *v)
{
    return *(const int *)v < *(const int *)ud;
}

/* Puts each of in[] (offer: the channel has room), closes, and polls
** every output into out[]; returns how many. */
static size_t through(ca_xf *xf, const int *in, size_t n, void *out,
                      size_t max)
{
    ca_chan ch;
    size_t i, got = 0;
    unsigned char *o = (unsigned char *)out;

    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 64, storage, sizeof storage,
                                 xf, NULL, NULL), CA_OK);
    /* Accepted until a step stops the channel, refused from then on. */
    for (i = 0; i < n; i++) {
        int want = ca_closed(&ch) ? CA_CLOSED : CA_OK;
        CA_ASSERT_RC(ca_offer(&ch, &in[i]), want);
    }
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    while (got < max && ca_poll(&ch, o + got * xf->out_size) == CA_OK)
        got++;
    CA_ASSERT_RC(ca_poll(&ch, o), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    return got;
}

static const int one_to_ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void test_map(void)
{
    ca_xf_map_t m;
    int out[10];
    size_t i;

    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_EQ(through(&m.xf, one_to_ten, 10, out, 10), 10);
    for (i = 0; i < 10; i++)
        CA_ASSERT_EQ(out[i], 2 * one_to_ten[i]);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), 257), CA_ERANGE);
    CA_ASSERT_RC(ca_xf_map(&m, NULL, NULL, sizeof(int), 4), CA_EINVAL);
}

static void test_filter_remove(void)
{
    ca_xf_filter_t f;
    int out[10];

    CA_ASSERT_RC(ca_xf_filter(&f, even, NULL, sizeof(int)), CA_OK);
    CA_ASSERT_EQ(through(&f.xf, one_to_ten, 10, out, 10), 5);
    CA_ASSERT_EQ(out[0], 2);
    CA_ASSERT_EQ(out[4], 10);
    CA_ASSERT_RC(ca_xf_remove(&f, even, NULL, sizeof(int)), CA_OK);
    CA_ASSERT_EQ(through(&f.xf, one_to_ten, 10, out, 10), 5);
    CA_ASSERT_EQ(out[0], 1);
    CA_ASSERT_EQ(out[4], 9);
}

/* keep: an output for odd inputs only (nil for the others), negated. */
static int odd_neg(void *ud, const void *in, void *out)
{
    int v = *(const int *)in;

    (void)ud;
    if (v % 2 == 0)
        return 0;
    v = -v;
    memcpy(out, &v, sizeof v);
    return 1;
}

static void test_keep(void)
{
    ca_xf_keep_t k;
    int out[10];

    CA_ASSERT_RC(ca_xf_keep(&k, odd_neg, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_EQ(through(&k.xf, one_to_ten, 10, out, 10), 5);
    CA_ASSERT_EQ(out[0], -1);
    CA_ASSERT_EQ(out[4], -9);
}

static void test_drop_take_while(void)
{
    ca_xf_drop_t d;
    ca_xf_filter_t f;
    int out[10], lim = 4;

    CA_ASSERT_RC(ca_xf_drop(&d, 7, sizeof(int)), CA_OK);
    CA_ASSERT_EQ(through(&d.xf, one_to_ten, 10, out, 10), 3);
    CA_ASSERT_EQ(out[0], 8);
    CA_ASSERT_RC(ca_xf_take_while(&f, small, &lim, sizeof(int)), CA_OK);
    CA_ASSERT_EQ(through(&f.xf, one_to_ten, 3, out, 10), 3);
    /* The fourth input fails the test: it stops the channel, so the
    ** fifth put is refused. */
    {
        ca_chan ch;
        int v;

        CA_ASSERT_RC(ca_xf_take_while(&f, small, &lim, sizeof(int)), CA_OK);
        CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 8, storage, sizeof storage,
                                     &f.xf, NULL, NULL), CA_OK);
        for (v = 1; v <= 4; v++)
            CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        CA_ASSERT_RC(ca_closed(&ch), 1);
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
        POLL_EQ(&ch, 1);
        POLL_EQ(&ch, 2);
        POLL_EQ(&ch, 3);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

static void test_dedupe(void)
{
    ca_xf_dedupe_t d;
    int last, out[10];
    static const int in[] = {1, 1, 2, 2, 2, 1, 3, 3};

    CA_ASSERT_RC(ca_xf_dedupe(&d, sizeof(int), &last), CA_OK);
    CA_ASSERT_EQ(through(&d.xf, in, 8, out, 10), 4);
    CA_ASSERT_EQ(out[0], 1);
    CA_ASSERT_EQ(out[1], 2);
    CA_ASSERT_EQ(out[2], 1);
    CA_ASSERT_EQ(out[3], 3);
}

/* Issue 9 item 4: a `take 2` transform closes the channel on the second
** put, and a third put is refused (SPEC 2.7's example). */
static void test_take2_closes(void)
{
    ca_xf_take_t t;
    ca_chan ch;
    int v = 1;

    CA_ASSERT_RC(ca_xf_take(&t, 2, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, storage, sizeof storage,
                                 &t.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_RC(ca_closed(&ch), 0);
    v = 2;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_RC(ca_closed(&ch), 1);
    v = 3;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 2);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* With (chan 1 (take 2)) the second put waits until a take makes room;
** that take runs it through the step, which stops: the put is accepted
** and a third put that waited behind it is refused, not dropped. */
static void test_take2_queued(void)
{
    ca_xf_take_t t;
    ca_chan ch;
    ca_op op2, op3;
    rec r2 = {0, 99}, r3 = {0, 99};
    int v1 = 1, v2 = 2, v3 = 3, v;

    CA_ASSERT_RC(ca_xf_take(&t, 2, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &t.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v1), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v2), CA_AGAIN);
    op2.data = &r2;
    op3.data = &r3;
    CA_ASSERT_RC(ca_put_async(&ch, &op2, &v2, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_put_async(&ch, &op3, &v3, rec_cb), CA_OK);
    CHECK_PENDING(&ch, 2, 0);
    CA_ASSERT_EQ(r2.calls, 0);
    POLL_EQ(&ch, 1);
    CA_ASSERT_EQ(r2.calls, 1);
    CA_ASSERT_RC(r2.status, CA_OK);
    CA_ASSERT_EQ(r3.calls, 1);
    CA_ASSERT_RC(r3.status, CA_CLOSED);
    CHECK_PENDING(&ch, 0, 0);
    POLL_EQ(&ch, 2);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Three outputs per input (max_out 3): v, v + 100, v + 200. */
static int triple(void *ud, const void *in, ca_xf_out *out)
{
    int v = *(const int *)in, i, rc;

    (void)ud;
    for (i = 0; i < 3; i++, v += 100)
        if ((rc = ca_xf_emit(out, &v)) != CA_OK)
            return rc;
    return CA_OK;
}

/* An expanding transform on a fixed buffer: the put is accepted while the
** count is below cap, and its outputs all fit (the count may pass cap);
** the next put waits until the count is below cap again. */
static void test_expanding_fixed(void)
{
    ca_xf_mapcat_t m;
    ca_chan ch;
    ca_op op;
    rec r = {0, 99};
    unsigned char st[CA_XF_STORAGE(2, 3, sizeof(int))];
    int v = 1, w = 2;

    CA_ASSERT_RC(ca_xf_mapcat(&m, triple, NULL, sizeof(int), sizeof(int), 3),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, st, sizeof st - 1, &m.xf,
                                 NULL, NULL), CA_ERANGE);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, st, sizeof st, &m.xf, NULL,
                                 NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CHECK_COUNT(&ch, 3);
    CA_ASSERT_RC(ca_offer(&ch, &w), CA_AGAIN);
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &w, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 0);
    POLL_EQ(&ch, 1);
    CA_ASSERT_EQ(r.calls, 0); /* 2 left: still not below cap */
    POLL_EQ(&ch, 101);
    CA_ASSERT_EQ(r.calls, 1); /* 1 left: the waiting put went through */
    CHECK_COUNT(&ch, 4);
    {
        ca_chan_info i;
        CA_ASSERT_RC(ca_chan_inspect(&ch, &i), CA_OK);
        CA_ASSERT_EQ(i.capacity, 2);
    }
    POLL_EQ(&ch, 201);
    POLL_EQ(&ch, 2);
    POLL_EQ(&ch, 102);
    POLL_EQ(&ch, 202);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Dropping and sliding buffers apply their policy to each output. */
static void test_expanding_dropping_sliding(void)
{
    ca_xf_mapcat_t m;
    ca_chan ch;
    int v = 1;

    CA_ASSERT_RC(ca_xf_mapcat(&m, triple, NULL, sizeof(int), sizeof(int), 3),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_DROPPING, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 101);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_SLIDING, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    v = 1;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    POLL_EQ(&ch, 101);
    POLL_EQ(&ch, 201);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A stateful transform written as a user writes one: a running sum that
** emits every value's sum so far, and the total once more on completion;
** it counts its completions. */
typedef struct summer {
    ca_xf xf;
    int sum, completions;
} summer;

static int sum_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    summer *s = (summer *)xf;

    s->sum += *(const int *)in;
    return ca_xf_emit(out, &s->sum);
}

static int sum_complete(ca_xf *xf, ca_xf_out *out)
{
    summer *s = (summer *)xf;
    int total = -s->sum; /* negated, to tell it from a step's output */

    s->completions++;
    return ca_xf_emit(out, &total);
}

static void summer_init(summer *s)
{
    memset(s, 0, sizeof *s);
    s->xf.step = sum_step;
    s->xf.complete = sum_complete;
    s->xf.in_size = s->xf.out_size = sizeof(int);
    s->xf.max_out = 1;
}

/* Issue 9 item 4: the completion runs once, however many takes meet the
** closed, drained channel (core.async runs it on each, cgrand/xforms#37). */
static void test_completion_once(void)
{
    summer s;
    ca_chan ch;
    int v, i;

    summer_init(&s);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 4, storage, sizeof storage,
                                 &s.xf, NULL, NULL), CA_OK);
    for (v = 1; v <= 3; v++)
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(s.completions, 0);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(s.completions, 1);
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 3);
    POLL_EQ(&ch, 6);
    POLL_EQ(&ch, -6);
    for (i = 0; i < 5; i++)
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(s.completions, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A close while puts wait: the completion waits for them (its outputs come
** after theirs), and a taker parked on the empty channel gets the flush. */
static void test_completion_after_pending(void)
{
    summer s;
    ca_chan ch;
    ca_op op;
    rec r = {0, 99};
    int v = 5, w = 7, x;

    summer_init(&s);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &s.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &w, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(s.completions, 0);
    POLL_EQ(&ch, 5);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(s.completions, 1);
    POLL_EQ(&ch, 12);
    POLL_EQ(&ch, -12);
    CA_ASSERT_RC(ca_poll(&ch, &x), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* A take waiting on the empty channel receives the completion's
    ** value when the channel closes. */
    summer_init(&s);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &s.xf, NULL, NULL), CA_OK);
    r.calls = 0;
    x = 0;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &x, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(x, 0); /* -0: the sum of nothing */
    CA_ASSERT_RC(ca_poll(&ch, &x), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

static void test_partition_all(void)
{
    ca_xf_partition_t p;
    unsigned char buf[sizeof(uint32_t) + 3 * sizeof(int)];
    struct {
        uint32_t n;
        int v[3];
    } out[4];
    size_t got;

    CA_ASSERT_EQ(sizeof out[0], sizeof buf);
    CA_ASSERT_RC(ca_xf_partition_all(&p, 3, sizeof(int), buf, sizeof buf - 1),
                 CA_ERANGE);
    CA_ASSERT_RC(ca_xf_partition_all(&p, 3, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_EQ(p.xf.out_size, sizeof buf);
    got = through(&p.xf, one_to_ten, 10, out, 4);
    CA_ASSERT_EQ(got, 4);
    CA_ASSERT_EQ(out[0].n, 3);
    CA_ASSERT_EQ(out[0].v[2], 3);
    CA_ASSERT_EQ(out[2].v[0], 7);
    CA_ASSERT_EQ(out[3].n, 1); /* the completion's short group */
    CA_ASSERT_EQ(out[3].v[0], 10);
    CA_ASSERT_EQ(out[3].v[1], 0);
}

static int tens(void *ud, const void *in, void *key)
{
    int k = *(const int *)in / 10;

    (void)ud;
    memcpy(key, &k, sizeof k);
    return CA_OK;
}

static void test_partition_by(void)
{
    ca_xf_partition_t p;
    unsigned char buf[sizeof(uint32_t) + 2 * sizeof(int) + 2 * sizeof(int)];
    static const int in[] = {1, 2, 3, 11, 21, 22};
    struct {
        uint32_t n;
        int v[2];
    } out[5];

    CA_ASSERT_RC(ca_xf_partition_by(&p, tens, NULL, sizeof(int), 2,
                                    sizeof(int), buf, sizeof buf), CA_OK);
    /* [1 2] (cut at 2) [3] [11] [21 22] */
    CA_ASSERT_EQ(through(&p.xf, in, 6, out, 5), 4);
    CA_ASSERT_EQ(out[0].n, 2);
    CA_ASSERT_EQ(out[1].n, 1);
    CA_ASSERT_EQ(out[1].v[0], 3);
    CA_ASSERT_EQ(out[2].v[0], 11);
    CA_ASSERT_EQ(out[3].n, 2);
    CA_ASSERT_EQ(out[3].v[1], 22);
}

/* Errors: a step that fails reports through the put, and the handler may
** put a substitute in the failed value's position. */
static int picky(void *ud, const void *in, void *out)
{
    (void)ud;
    if (*(const int *)in == 3)
        return CA_ERANGE;
    memcpy(out, in, sizeof(int));
    return CA_OK;
}

static int handler(void *ud, int code, const void *in, ca_xf_out *out)
{
    int sub = -*(const int *)in;

    *(int *)ud = code;
    return ca_xf_emit(out, &sub);
}

static void test_errors(void)
{
    ca_xf_map_t m;
    ca_chan ch;
    int v, seen = 0;

    CA_ASSERT_RC(ca_xf_map(&m, picky, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 4, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    for (v = 2; v <= 4; v++)
        CA_ASSERT_RC(ca_offer(&ch, &v), v == 3 ? CA_ERANGE : CA_OK);
    POLL_EQ(&ch, 2);
    POLL_EQ(&ch, 4);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 4, storage, sizeof storage,
                                 &m.xf, handler, &seen), CA_OK);
    for (v = 2; v <= 4; v++)
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_RC(seen, CA_ERANGE);
    POLL_EQ(&ch, 2);
    POLL_EQ(&ch, -3);
    POLL_EQ(&ch, 4);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A step that emits more than its max_out is refused past it: the ring
** never overflows, and the put reports the error. */
static int liar(void *ud, const void *in, ca_xf_out *out)
{
    int i, rc;

    (void)ud;
    for (i = 0; i < 5; i++)
        if ((rc = ca_xf_emit(out, in)) != CA_OK)
            return rc;
    return CA_OK;
}

static void test_over_emit(void)
{
    ca_xf_mapcat_t m;
    ca_chan ch;
    unsigned char st[CA_XF_STORAGE(1, 2, sizeof(int))];
    int v = 9;

    CA_ASSERT_RC(ca_xf_mapcat(&m, liar, NULL, sizeof(int), sizeof(int), 2),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, st, sizeof st, &m.xf, NULL,
                                 NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_ERANGE);
    CHECK_COUNT(&ch, 2);
    CA_ASSERT_RC(ca_xf_emit(NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* comp: map, filter, take as one transform, in the order data flows. */
static void test_comp(void)
{
    ca_xf_map_t m;
    ca_xf_filter_t f;
    ca_xf_take_t t;
    ca_xf_mapcat_t c;
    ca_xf_partition_t p;
    unsigned char pbuf[sizeof(uint32_t) + 2 * sizeof(int)];
    ca_xf *xs[3];
    ca_xf_comp_t comp;
    int out[10], lim = 7;

    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_filter(&f, small, &lim, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_take(&t, 2, sizeof(int)), CA_OK);
    xs[0] = &m.xf;
    xs[1] = &f.xf;
    xs[2] = &t.xf;
    CA_ASSERT_RC(ca_xf_comp(xs, 3, &comp), CA_OK);
    CA_ASSERT_EQ(comp.xf.max_out, 1);
    CA_ASSERT_EQ(through(&comp.xf, one_to_ten, 10, out, 10), 2);
    CA_ASSERT_EQ(t.seen, 2); /* the take stopped the channel at 2 */
    CA_ASSERT_EQ(out[0], 2);
    CA_ASSERT_EQ(out[1], 4);

    /* Expansion multiplies; a completion adds its own outputs. */
    CA_ASSERT_RC(ca_xf_mapcat(&c, triple, NULL, sizeof(int), sizeof(int), 3),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_partition_all(&p, 2, sizeof(int), pbuf, sizeof pbuf),
                 CA_OK);
    xs[0] = &c.xf;
    xs[1] = &p.xf;
    CA_ASSERT_RC(ca_xf_comp(xs, 2, &comp), CA_OK);
    CA_ASSERT_EQ(comp.xf.max_out, 3);
    {
        struct {
            uint32_t n;
            int v[2];
        } g[4];
        /* 1 -> 1 101 201, 2 -> 2 102 202: [1 101] [201 2] [102 202] */
        CA_ASSERT_EQ(through(&comp.xf, one_to_ten, 2, g, 4), 3);
        CA_ASSERT_EQ(g[1].v[0], 201);
        CA_ASSERT_EQ(g[1].v[1], 2);
    }
    /* Sizes must chain. */
    xs[0] = &p.xf;
    xs[1] = &m.xf;
    CA_ASSERT_RC(ca_xf_comp(xs, 2, &comp), CA_EINVAL);
    CA_ASSERT_RC(ca_xf_comp(xs, 0, &comp), CA_EINVAL);
    CA_ASSERT_RC(ca_xf_comp(NULL, 1, &comp), CA_EINVAL);
    /* max_out overflows: 65536 * 65536. */
    c.xf.max_out = 65536;
    xs[0] = &c.xf;
    xs[1] = &c.xf;
    CA_ASSERT_RC(ca_xf_comp(xs, 2, &comp), CA_ERANGE);
}

static void test_bad_input(void)
{
    ca_xf_map_t m;
    ca_chan ch, *nc;
    int v = 1;

    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_UNBUFFERED, 0, storage,
                                 sizeof storage, &m.xf, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 0, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_PROMISE, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(NULL, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, NULL, sizeof storage,
                                 &m.xf, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 NULL, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, 8, &m.xf, NULL,
                                 NULL), CA_ERANGE);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, (size_t)CA_MAX_CAPACITY,
                                 storage, sizeof storage, &m.xf, NULL, NULL),
                 CA_ERANGE);
    m.xf.max_out = 0;
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_EINVAL);
    m.xf.max_out = 1;
    m.xf.out_size = CA_MAX_ELEM_SIZE + 1u;
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_ERANGE);
    m.xf.out_size = sizeof(int);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    /* A destroyed transformed channel is refused like any other. */
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_EBADCHAN);
#if CA_HAVE_MALLOC
    CA_ASSERT_RC(ca_chan_new_xf(NULL, CA_FIXED, 1, &m.xf, NULL, NULL),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_chan_new_xf(&nc, CA_UNBUFFERED, 0, &m.xf, NULL, NULL),
                 CA_EINVAL);
    CU_ASSERT(nc == NULL);
    CA_ASSERT_RC(ca_chan_new_xf(&nc, CA_FIXED, 2, &m.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(nc, &v), CA_OK);
    POLL_EQ(nc, 2);
    CA_ASSERT_RC(ca_chan_free(nc), CA_OK);
#else
    (void)nc;
#endif
}

/* A promise with a transform keeps the first output for ever. */
static void test_promise(void)
{
    ca_xf_map_t m;
    ca_chan ch;
    int v = 4;

    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_PROMISE, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    v = 5;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    POLL_EQ(&ch, 8);
    POLL_EQ(&ch, 8);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Go blocks: PUT carries the input type and TAKE the output type, here
** an int channel feeding a struct channel; a taker parked first is
** served through the buffer. */
struct reading {
    int id;
    double value;
};

static int to_reading(void *ud, const void *in, void *out)
{
    struct reading r;

    (void)ud;
    r.id = *(const int *)in;
    r.value = r.id * 0.5;
    memcpy(out, &r, sizeof r);
    return CA_OK;
}

typedef struct rd_taker {
    ca_go go;
    ca_chan *ch;
    struct reading r[4];
    int n, wrong;
} rd_taker;

static int rd_take(ca_go *g)
{
    rd_taker *t = (rd_taker *)g;

    GO_BEGIN(g);
    TAKE(g, t->ch, &t->wrong); /* an int is not the output type */
    if (GO_STATUS(g) != CA_EINVAL)
        t->wrong = -1000;
    for (t->n = 0; t->n < 4; t->n++) {
        TAKE(g, t->ch, &t->r[t->n]);
        if (GO_CLOSED(g))
            break;
    }
    GO_END(g);
}

typedef struct int_putter {
    ca_go go;
    ca_chan *ch;
    int v;
    double wrong;
    int status;
} int_putter;

static int int_put(ca_go *g)
{
    int_putter *p = (int_putter *)g;

    GO_BEGIN(g);
    PUT(g, p->ch, &p->wrong); /* a double is not the input type */
    p->status = GO_STATUS(g);
    for (p->v = 1; p->v <= 3; p->v++)
        PUT(g, p->ch, &p->v);
    ca_close(p->ch);
    GO_END(g);
}

static void test_go_sizes(void)
{
    ca_xf_map_t m;
    ca_chan ch;
    ca_sched s;
    rd_taker t;
    int_putter p;

    CA_ASSERT_RC(ca_xf_map(&m, to_reading, NULL, sizeof(int),
                           sizeof(struct reading)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&t, 0, sizeof t);
    memset(&p, 0, sizeof p);
    t.ch = p.ch = &ch;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, rd_take), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, int_put), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(p.status, CA_EINVAL);
    CA_ASSERT_EQ(t.wrong, 0);
    CA_ASSERT_EQ(t.n, 3);
    CA_ASSERT_EQ(t.r[2].id, 3);
    CU_ASSERT(t.r[2].value == 1.5);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ALTS: a put case on a transformed channel is ready while the count is
** below cap, and its value goes through the step. */
static void test_alts_put(void)
{
    ca_xf_map_t m;
    ca_chan ch;
    ca_alt a[2];
    size_t idx = 9;
    int v = 21;

    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 1, storage, sizeof storage,
                                 &m.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&a[0], &ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_default(&a[1]), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(a, 2, CA_ALTS_PRIORITY, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_RC(ca_alts_blocking(a, 2, CA_ALTS_PRIORITY, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1); /* full now: the default wins */
    POLL_EQ(&ch, 42);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

#if CA_HAVE_THREADS
/* Threads: producers put through a map on a small channel while a
** consumer takes; every value arrives once, transformed. Under TSan this
** checks that the step runs under the channel's lock. */
#define XPROD 3
#define XN 20000

static ca_chan tch;
static summer tsum; /* stateful: races would show in its sum */

static void *xprod(void *arg)
{
    int i, base = (int)(size_t)arg * XN;

    for (i = 1; i <= XN; i++) {
        int v = base + i;
        if (ca_put_blocking(&tch, &v) != CA_OK)
            break;
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[XPROD];
    size_t i;
    long long n = 0, last = 0, expect = 0;
    int v;

    summer_init(&tsum);
    CA_ASSERT_RC(ca_chan_init_xf(&tch, CA_FIXED, 4, storage, sizeof storage,
                                 &tsum.xf, NULL, NULL), CA_OK);
    for (i = 0; i < XPROD; i++)
        CU_ASSERT_FATAL(pthread_create(&t[i], NULL, xprod, (void *)i) == 0);
    for (; n < (long long)XPROD * XN; n++) {
        CA_ASSERT_RC(ca_take_blocking(&tch, &v), CA_OK);
        last = v;
    }
    for (i = 0; i < XPROD; i++)
        pthread_join(t[i], NULL);
    for (i = 0; i < XPROD * XN; i++)
        expect += (long long)i + 1;
    /* The running sum's last output is the sum of every input: each put
    ** went through the step once. It fits an int: 1.8e9. */
    CA_ASSERT_EQ(last, expect);
    CA_ASSERT_RC(ca_close(&tch), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&tch, &v), CA_OK);
    CA_ASSERT_EQ(v, -expect);
    CA_ASSERT_EQ(tsum.completions, 1);
    CA_ASSERT_RC(ca_chan_destroy(&tch), CA_OK);
}
#endif

/* The report of issue 9's last note: "a take already waiting when a
** transform's completion flushes is not woken". The channel holds one
** value inside a partition-all of 2 (no output yet), a take waits on it,
** and the close's completion flushes the short group: the take must get
** it, whether a go block on a pool of 2, a thread in ca_take_blocking or
** an async callback waits. A lost wake-up hangs here (the watchdog
** fails the test). Each case runs FLUSH_ROUNDS times, half with the take
** surely parked before the close, half racing it. */
#if CA_HAVE_THREADS
#define FLUSH_ROUNDS 200

typedef struct group2 {
    uint32_t n;
    int v[2];
} group2;

typedef struct flush_ch {
    ca_chan ch;
    ca_xf_partition_t part;
    unsigned char pbuf[sizeof(group2)];
    unsigned char st[CA_XF_STORAGE(2, 1, sizeof(group2))];
} flush_ch;

static void flush_init(flush_ch *f, int v)
{
    CA_ASSERT_EQ(sizeof(group2), sizeof(uint32_t) + 2 * sizeof(int));
    CA_ASSERT_RC(ca_xf_partition_all(&f->part, 2, sizeof(int), f->pbuf,
                                     sizeof f->pbuf), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&f->ch, CA_FIXED, 2, f->st, sizeof f->st,
                                 &f->part.xf, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&f->ch, &v), CA_OK); /* held: no output */
}

/* Spins until ch has a take waiting: setup only, the wake-up under test
** is what comes after. */
static void until_parked(ca_chan *ch)
{
    ca_chan_info i;

    for (;;) {
        CA_ASSERT_RC(ca_chan_inspect(ch, &i), CA_OK);
        if (i.pending_takes != 0)
            break;
        sched_yield();
    }
}

static void check_group(const group2 *g, int v)
{
    CA_ASSERT_EQ(g->n, 1);
    CA_ASSERT_EQ(g->v[0], v);
}

static flush_ch fch;

static void *flush_taker(void *arg)
{
    group2 *g = (group2 *)arg;

    if (ca_take_blocking(&fch.ch, g) != CA_OK)
        g->n = 99;
    return NULL;
}

static void test_flush_wakes_thread(void)
{
    pthread_t t;
    int r;

    for (r = 0; r < FLUSH_ROUNDS; r++) {
        group2 g;

        memset(&g, 0, sizeof g);
        flush_init(&fch, r);
        CU_ASSERT_FATAL(pthread_create(&t, NULL, flush_taker, &g) == 0);
        if (r % 2 == 0)
            until_parked(&fch.ch);
        CA_ASSERT_RC(ca_close(&fch.ch), CA_OK);
        pthread_join(t, NULL);
        check_group(&g, r);
        CA_ASSERT_RC(ca_chan_destroy(&fch.ch), CA_OK);
    }
}

/* The callback signals a channel the test waits on, so a callback never
** called hangs; the close comes from another thread. */
static ca_chan fdone;
static int fdone_buf[1];

static void flush_cb(ca_op *op, int status)
{
    (void)op;
    (void)ca_offer(&fdone, &status);
}

static void *flush_closer(void *arg)
{
    (void)arg;
    (void)ca_close(&fch.ch);
    return NULL;
}

static void test_flush_wakes_callback(void)
{
    pthread_t t;
    ca_op op;
    group2 g;
    int r, status;

    CA_ASSERT_RC(ca_chan_init(&fdone, CA_FIXED, 1, sizeof(int), fdone_buf,
                              sizeof fdone_buf), CA_OK);
    for (r = 0; r < FLUSH_ROUNDS; r++) {
        memset(&g, 0, sizeof g);
        flush_init(&fch, r);
        if (r % 2 != 0)
            CU_ASSERT_FATAL(pthread_create(&t, NULL, flush_closer, NULL) ==
                            0);
        CA_ASSERT_RC(ca_take_async(&fch.ch, &op, &g, flush_cb), CA_OK);
        if (r % 2 == 0)
            CU_ASSERT_FATAL(pthread_create(&t, NULL, flush_closer, NULL) ==
                            0);
        CA_ASSERT_RC(ca_take_blocking(&fdone, &status), CA_OK);
        pthread_join(t, NULL);
        CA_ASSERT_RC(status, CA_OK);
        check_group(&g, r);
        CA_ASSERT_RC(ca_chan_destroy(&fch.ch), CA_OK);
    }
    CA_ASSERT_RC(ca_chan_destroy(&fdone), CA_OK);
}

#if CA_HAVE_MALLOC
/* A go block on a pool of 2 takes; the close comes from this thread, or
** from a second block on the pool. */
typedef struct flush_go {
    ca_go go;
    ca_chan *ch;
    group2 g;
    int status;
} flush_go;

static int flush_take_fn(ca_go *gp)
{
    flush_go *t = (flush_go *)gp;

    GO_BEGIN(gp);
    TAKE(gp, t->ch, &t->g);
    t->status = GO_STATUS(gp);
    GO_END(gp);
}

/* A block lets go of its result channel and of itself just after the
** close that ends the wait, on its worker: each round has its own, all
** destroyed once the pool has stopped. */
static flush_go fgo[FLUSH_ROUNDS];
static ca_go fcloser[FLUSH_ROUNDS];
static ca_chan fgo_done[FLUSH_ROUNDS];
static flush_ch fgo_ch[FLUSH_ROUNDS];

static int flush_close_fn(ca_go *gp)
{
    GO_BEGIN(gp);
    (void)ca_close(&fgo_ch[gp - fcloser].ch);
    GO_END(gp);
}

static void test_flush_wakes_go(void)
{
    static ca_sched s;
    int r;

    memset(fgo, 0, sizeof fgo);
    memset(fcloser, 0, sizeof fcloser);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    for (r = 0; r < FLUSH_ROUNDS; r++) {
        flush_go *t = &fgo[r];

        t->status = -1;
        t->ch = &fgo_ch[r].ch;
        flush_init(&fgo_ch[r], r);
        CA_ASSERT_RC(ca_chan_init(&fgo_done[r], CA_FIXED, 1, 0, NULL, 0),
                     CA_OK);
        CA_ASSERT_RC(ca_go_set_result(&t->go, &fgo_done[r]), CA_OK);
        CA_ASSERT_RC(ca_sched_ref(&s), CA_OK); /* no deadlock report */
        CA_ASSERT_RC(ca_go_start(&s, &t->go, flush_take_fn), CA_OK);
        if (r % 4 < 2)
            until_parked(t->ch);
        if (r % 2 == 0)
            CA_ASSERT_RC(ca_close(t->ch), CA_OK);
        else
            CA_ASSERT_RC(ca_go_start(&s, &fcloser[r], flush_close_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(&fgo_done[r], NULL), CA_CLOSED);
        CA_ASSERT_RC(t->status, CA_OK);
        check_group(&t->g, r);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    for (r = 0; r < FLUSH_ROUNDS; r++) {
        CA_ASSERT_RC(ca_chan_destroy(&fgo_ch[r].ch), CA_OK);
        CA_ASSERT_RC(ca_chan_destroy(&fgo_done[r]), CA_OK);
    }
}
#endif
#endif

/* Steps that break the rules get codes, never a crash: an output of NULL
** where values have bytes, an answer no step may give (a positive code
** other than CA_XF_STOP), an error code past what a status byte holds;
** and a NULL input where inputs have bytes (the channel's own element
** size is that of its outputs, 0 here). */
static int bad_answer;

static int bad_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    (void)xf;
    (void)in;
    if (bad_answer == 0)
        return ca_xf_emit(out, NULL);
    return bad_answer;
}

static void test_bad_steps(void)
{
    static const int answers[] = {0, 5, -200};
    static const int codes[] = {CA_EINVAL, CA_EINVAL, CA_ERANGE};
    unsigned char st[CA_XF_STORAGE(2, 1, sizeof(int))];
    unsigned char st0[CA_XF_STORAGE(2, 1, 0)];
    ca_xf xf;
    ca_chan ch;
    size_t i;
    int v = 1;

    memset(&xf, 0, sizeof xf);
    xf.step = bad_step;
    xf.in_size = sizeof(int);
    xf.out_size = sizeof(int);
    xf.max_out = 1;
    for (i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        bad_answer = answers[i];
        CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, st, sizeof st, &xf,
                                     NULL, NULL),
                     CA_OK);
        CA_ASSERT_RC(ca_offer(&ch, &v), codes[i]);
        CHECK_COUNT(&ch, 0);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
    xf.out_size = 0;
    bad_answer = 5;
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, st0, sizeof st0, &xf, NULL,
                                 NULL),
                 CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

static const ca_test tests[] = {
    {"map", test_map},
    {"bad_steps", test_bad_steps},
    {"filter_remove", test_filter_remove},
    {"keep", test_keep},
    {"drop_take_while", test_drop_take_while},
    {"dedupe", test_dedupe},
    {"take2_closes", test_take2_closes},
    {"take2_queued", test_take2_queued},
    {"expanding_fixed", test_expanding_fixed},
    {"expanding_dropping_sliding", test_expanding_dropping_sliding},
    {"completion_once", test_completion_once},
    {"completion_after_pending", test_completion_after_pending},
    {"partition_all", test_partition_all},
    {"partition_by", test_partition_by},
    {"errors", test_errors},
    {"over_emit", test_over_emit},
    {"comp", test_comp},
    {"bad_input", test_bad_input},
    {"promise", test_promise},
    {"go_sizes", test_go_sizes},
    {"alts_put", test_alts_put},
#if CA_HAVE_THREADS
    {"threads", test_threads},
    {"flush_wakes_thread", test_flush_wakes_thread},
    {"flush_wakes_callback", test_flush_wakes_callback},
#if CA_HAVE_MALLOC
    {"flush_wakes_go_on_pool", test_flush_wakes_go},
#endif
#endif
    {NULL, NULL}};

CA_TEST_MAIN("xf", tests)
