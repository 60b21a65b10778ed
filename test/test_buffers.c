/*
** test_buffers.c: the four buffer kinds (and none), through the public API.
** Mirrors core.async's buffers_test.clj and async_test's test-promise-chan.
** MIT licence, see COPYING.
*/
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

/* ------------------------------------------------------------ the kinds */

/* core.async buffers_test fixed-buffer-tests */
static void buffers_fixed(void)
{
    ca_chan ch;
    int buf[2], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CHECK_COUNT(&ch, 0);
    OFFER(&ch, 1);
    CHECK_COUNT(&ch, 1);
    OFFER(&ch, 2);
    CHECK_COUNT(&ch, 2);
    /* full: the put would have to wait */
    v = 3;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
    CHECK_COUNT(&ch, 2);
    POLL_EQ(&ch, 1);
    CHECK_COUNT(&ch, 1);
    /* no longer full after a removal */
    OFFER(&ch, 3);
    CHECK_COUNT(&ch, 2);
    POLL_EQ(&ch, 2);
    POLL_EQ(&ch, 3);
    CHECK_COUNT(&ch, 0);
    /* removing from an empty buffer: nothing there */
    v = -1;
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_EQ(v, -1);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async buffers_test dropping-buffer-tests */
static void buffers_dropping(void)
{
    ca_chan ch;
    int buf[2], v;

    CA_ASSERT_RC(
        ca_chan_init(&ch, CA_DROPPING, 2, sizeof(int), buf, sizeof buf), CA_OK);
    OFFER(&ch, 1);
    OFFER(&ch, 2);
    CHECK_COUNT(&ch, 2);
    OFFER(&ch, 3); /* accepted, and ignored */
    CHECK_COUNT(&ch, 2);
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 2);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CHECK_COUNT(&ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async buffers_test sliding-buffer-tests */
static void buffers_sliding(void)
{
    ca_chan ch;
    int buf[2], v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    OFFER(&ch, 1);
    OFFER(&ch, 2);
    OFFER(&ch, 3); /* evicts 1 */
    CHECK_COUNT(&ch, 2);
    POLL_EQ(&ch, 2);
    POLL_EQ(&ch, 3);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CHECK_COUNT(&ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async buffers_test promise-buffer-tests */
static void buffers_promise(void)
{
    ca_chan ch;
    int buf[1], v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    v = -1;
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_EQ(v, -1);
    OFFER(&ch, 1);
    CHECK_COUNT(&ch, 1);
    OFFER(&ch, 2); /* the first add sticks */
    CHECK_COUNT(&ch, 1);
    POLL_EQ(&ch, 1);
    CHECK_COUNT(&ch, 1); /* reading does not consume */
    POLL_EQ(&ch, 1);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CHECK_COUNT(&ch, 1); /* close leaves the value intact */
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 1);
    v = 3;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
    POLL_EQ(&ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* The kind, capacity and element size that ca_chan_inspect reports. */
static void buffers_inspect_shape(void)
{
    static const struct {
        ca_buf_kind kind;
        size_t cap, elem;
    } shapes[] = {
        {CA_UNBUFFERED, 0, 4}, {CA_FIXED, 7, 2},    {CA_DROPPING, 3, 1},
        {CA_SLIDING, 5, 8},    {CA_PROMISE, 1, 16}, {CA_FIXED, 9, 0},
    };
    unsigned char buf[128];
    ca_chan_info info;
    ca_chan ch;
    size_t i;

    for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        CA_ASSERT_RC(ca_chan_init(&ch, shapes[i].kind, shapes[i].cap,
                                  shapes[i].elem, buf, sizeof buf),
                     CA_OK);
        CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
        CA_ASSERT_EQ(info.kind, shapes[i].kind);
        CA_ASSERT_EQ(info.capacity, shapes[i].cap);
        CA_ASSERT_EQ(info.elem_size, shapes[i].elem);
        CA_ASSERT_EQ(info.count, 0);
        CA_ASSERT_EQ(info.pending_puts, 0);
        CA_ASSERT_EQ(info.pending_takes, 0);
        CA_ASSERT_EQ(info.refs, 1);
        CA_ASSERT_EQ(info.closed, 0);
        CU_ASSERT(info.name == NULL);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

/* core.async async_test buffers-tests: dropping, sliding and promise
** buffers are "unblocking" (an offer is never refused), fixed ones (and no
** buffer at all) are not. */
static void buffers_unblocking(void)
{
    static const size_t caps[] = {1, 3, 64};
    ca_chan ch;
    int buf[64], v, i;
    size_t c;

    for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        size_t cap = caps[c];

        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_DROPPING, cap, sizeof(int), buf, sizeof buf),
            CA_OK);
        for (i = 0; i < 1000; i++)
            OFFER(&ch, i);
        CHECK_COUNT(&ch, cap);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_SLIDING, cap, sizeof(int), buf, sizeof buf),
            CA_OK);
        for (i = 0; i < 1000; i++)
            OFFER(&ch, i);
        CHECK_COUNT(&ch, cap);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_FIXED, cap, sizeof(int), buf, sizeof buf),
            CA_OK);
        for (i = 0; i < (int)cap; i++)
            OFFER(&ch, i);
        v = 1000;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
        CHECK_COUNT(&ch, cap);
        for (i = 0; i < (int)cap; i++)
            POLL_EQ(&ch, i);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 0; i < 1000; i++)
        OFFER(&ch, i);
    CHECK_COUNT(&ch, 1);
    POLL_EQ(&ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    v = 1;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
    CHECK_COUNT(&ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ capacities */

/* Capacity 1: the smallest ring, where head always wraps to 0. */
static void buffers_capacity_one(void)
{
    ca_chan ch;
    int buf[1], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 0; i < 10; i++) {
        OFFER(&ch, i);
        v = -1;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
        POLL_EQ(&ch, i);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(
        ca_chan_init(&ch, CA_DROPPING, 1, sizeof(int), buf, sizeof buf), CA_OK);
    for (i = 0; i < 10; i++) {
        OFFER(&ch, 2 * i);
        OFFER(&ch, 2 * i + 1); /* dropped */
        CHECK_COUNT(&ch, 1);
        POLL_EQ(&ch, 2 * i);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 0; i < 10; i++) {
        OFFER(&ch, 2 * i);
        OFFER(&ch, 2 * i + 1); /* evicts 2 * i */
        CHECK_COUNT(&ch, 1);
        POLL_EQ(&ch, 2 * i + 1);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* 100000, or the largest capacity where that is less (CA_CONFIG_COMPACT). */
#define BIG                                                                  \
    (CA_TEST_SMALL ? 1000 : CA_MAX_CAPACITY < 100000 ? (int)CA_MAX_CAPACITY  \
                                                     : 100000)

/* A large ring: every kind fills to its capacity and keeps order. */
static void buffers_large_capacity(void)
{
    int *buf = (int *)malloc(BIG * sizeof(int));
    ca_chan ch;
    int v, i, bad;

    CU_ASSERT_FATAL(buf != NULL);
    CA_ASSERT_RC(
        ca_chan_init(&ch, CA_FIXED, BIG, sizeof(int), buf, BIG * sizeof(int)),
        CA_OK);
    for (i = 0, bad = 0; i < BIG; i++)
        bad += ca_offer(&ch, &i) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_COUNT(&ch, BIG);
    v = BIG;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
    for (i = 0, bad = 0; i < BIG; i++)
        bad += ca_poll(&ch, &v) != CA_OK || v != i;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* dropping keeps the first BIG of BIG + BIG / 2 */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_DROPPING, BIG, sizeof(int), buf,
                              BIG * sizeof(int)),
                 CA_OK);
    for (i = 0, bad = 0; i < BIG + BIG / 2; i++)
        bad += ca_offer(&ch, &i) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_COUNT(&ch, BIG);
    for (i = 0, bad = 0; i < BIG; i++)
        bad += ca_poll(&ch, &v) != CA_OK || v != i;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* sliding keeps the last BIG of BIG + BIG / 2 */
    CA_ASSERT_RC(
        ca_chan_init(&ch, CA_SLIDING, BIG, sizeof(int), buf, BIG * sizeof(int)),
        CA_OK);
    for (i = 0, bad = 0; i < BIG + BIG / 2; i++)
        bad += ca_offer(&ch, &i) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_COUNT(&ch, BIG);
    for (i = BIG / 2, bad = 0; i < BIG + BIG / 2; i++)
        bad += ca_poll(&ch, &v) != CA_OK || v != i;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    free(buf);
}

/* ------------------------------------------------------------ the ring */

#define GUARD 0xA5

/* A ring of cap ints inside guard bytes: the channel gets exactly
** cap * sizeof(int) bytes, and must never write outside them. */
typedef struct guarded {
    unsigned char mem[16 + 5 * sizeof(int) + 16];
} guarded;

static int guards_intact(const guarded *g, size_t bytes)
{
    size_t i;

    for (i = 0; i < 16; i++)
        if (g->mem[i] != GUARD || g->mem[16 + bytes + i] != GUARD)
            return 0;
    return 1;
}

/* Head wraps around the end of the ring many times, at every fill level,
** and FIFO order holds across the seam. */
static void buffers_ring_wraparound(void)
{
    enum { CAP = 5 };
    guarded g;
    ca_chan ch;
    int next_in = 0, next_out = 0, round, k, v, bad = 0;

    memset(g.mem, GUARD, sizeof g.mem);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, CAP, sizeof(int), g.mem + 16,
                              CAP * sizeof(int)),
                 CA_OK);
    /* put 1..CAP, take all but a varying remainder, many times over */
    for (round = 0; round < 200; round++) {
        int room = CAP - (next_in - next_out);
        int nput = 1 + round % room;
        int ntake;

        for (k = 0; k < nput; k++) {
            v = next_in++;
            bad += ca_offer(&ch, &v) != CA_OK;
        }
        ntake = 1 + (round * 7) % (next_in - next_out);
        for (k = 0; k < ntake; k++)
            bad += ca_poll(&ch, &v) != CA_OK || v != next_out++;
    }
    CA_ASSERT_EQ(bad, 0);
    while (next_out < next_in) {
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_OK);
        CA_ASSERT_EQ(v, next_out);
        next_out++;
    }
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CU_ASSERT(guards_intact(&g, CAP * sizeof(int)));
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* a sliding ring evicting across the seam: after n puts it holds the
    ** last CAP of them, whatever the head's position */
    memset(g.mem, GUARD, sizeof g.mem);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, CAP, sizeof(int), g.mem + 16,
                              CAP * sizeof(int)),
                 CA_OK);
    next_in = 0;
    for (round = 1; round <= 3 * CAP + 1; round++) {
        int n = round < CAP ? round : CAP;

        for (k = 0; k < round; k++) {
            v = next_in++;
            bad += ca_offer(&ch, &v) != CA_OK;
        }
        CHECK_COUNT(&ch, n);
        for (k = next_in - n; k < next_in; k++)
            bad += ca_poll(&ch, &v) != CA_OK || v != k;
        bad += ca_poll(&ch, &v) != CA_AGAIN;
    }
    CA_ASSERT_EQ(bad, 0);
    CU_ASSERT(guards_intact(&g, CAP * sizeof(int)));
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* a dropping ring with its head at every offset: fill it across the
    ** seam, drop one more, and get exactly the first CAP back */
    memset(g.mem, GUARD, sizeof g.mem);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_DROPPING, CAP, sizeof(int), g.mem + 16,
                              CAP * sizeof(int)),
                 CA_OK);
    for (round = 0; round < 2 * CAP; round++) {
        for (k = 0; k < round % CAP; k++) { /* move the head on */
            v = -2;
            bad += ca_offer(&ch, &v) != CA_OK;
            bad += ca_poll(&ch, &v) != CA_OK || v != -2;
        }
        for (k = 0; k <= CAP; k++) {
            v = 100 * round + k;
            bad += ca_offer(&ch, &v) != CA_OK;
        }
        CHECK_COUNT(&ch, CAP);
        for (k = 0; k < CAP; k++)
            bad += ca_poll(&ch, &v) != CA_OK || v != 100 * round + k;
        bad += ca_poll(&ch, &v) != CA_AGAIN;
    }
    CA_ASSERT_EQ(bad, 0);
    CU_ASSERT(guards_intact(&g, CAP * sizeof(int)));
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* --------------------------------------------------------- element sizes */

/* elem_size 0: a channel of pure signals. No buffer, NULL values, and the
** count still counts. */
static void buffers_signals(void)
{
    ca_chan ch;
    int i;
    rec r = {0, -1};
    ca_op op;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 3, 0, NULL, 0), CA_OK);
    for (i = 0; i < 3; i++) {
        CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
        CHECK_COUNT(&ch, (size_t)i + 1);
    }
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_AGAIN);
    for (i = 3; i > 0; i--) {
        CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
        CHECK_COUNT(&ch, (size_t)i - 1);
    }
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_DROPPING, 2, 0, NULL, 0), CA_OK);
    for (i = 0; i < 5; i++)
        CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CHECK_COUNT(&ch, 2);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, 2, 0, NULL, 0), CA_OK);
    for (i = 0; i < 5; i++)
        CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CHECK_COUNT(&ch, 2);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_AGAIN);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CHECK_COUNT(&ch, 1);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CHECK_COUNT(&ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* an unbuffered signal: a waiting take is released by an offer */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_AGAIN);
    op.data = &r;
    CA_ASSERT_RC(ca_take_async(&ch, &op, NULL, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* a large signal ring needs no storage at all */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, CA_MAX_CAPACITY, 0, NULL, 0),
                 CA_OK);
    for (i = 0; i < 1000; i++)
        CA_ASSERT_RC(ca_offer(&ch, NULL), CA_OK);
    CHECK_COUNT(&ch, 1000);
    for (i = 0; i < 1000; i++)
        CA_ASSERT_RC(ca_poll(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, NULL), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* 3-byte values in a ring of exactly 3 * cap bytes between guards: each is
** copied in and out whole, nothing outside the ring or the destination is
** touched, across the wrap-around. */
static void buffers_odd_elem_size(void)
{
    enum { CAP = 5, ES = 3 };
    unsigned char mem[16 + CAP * ES + 16];
    unsigned char dst[4 + ES + 4];
    unsigned char val[ES];
    ca_chan ch;
    int in = 0, out = 0, step, k, bad = 0;
    size_t i;

    memset(mem, GUARD, sizeof mem);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, CAP, ES, mem + 16, CAP * ES),
                 CA_OK);
    for (step = 0; step < 60; step++) {
        int nput = 1 + step % 3, ntake = 1 + (step * 5) % 3;

        for (k = 0; k < nput; k++) {
            val[0] = (unsigned char)in;
            val[1] = (unsigned char)(in * 7 + 1);
            val[2] = (unsigned char)(in * 13 + 2);
            if (ca_offer(&ch, val) == CA_OK)
                in++;
        }
        for (k = 0; k < ntake; k++) {
            memset(dst, 0x5A, sizeof dst);
            if (ca_poll(&ch, dst + 4) != CA_OK)
                break;
            bad += dst[4] != (unsigned char)out;
            bad += dst[5] != (unsigned char)(out * 7 + 1);
            bad += dst[6] != (unsigned char)(out * 13 + 2);
            for (i = 0; i < 4; i++)
                bad += dst[i] != 0x5A || dst[4 + ES + i] != 0x5A;
            out++;
        }
    }
    CA_ASSERT_EQ(bad, 0);
    CU_ASSERT(in > 2 * CAP); /* the ring wrapped */
    CU_ASSERT(in - out <= CAP);
    for (i = 0; i < 16; i++) {
        CA_ASSERT_EQ(mem[i], GUARD);
        CA_ASSERT_EQ(mem[16 + CAP * ES + i], GUARD);
    }
    while (ca_poll(&ch, dst + 4) == CA_OK)
        ;
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* 100-byte structs in a buffer at an odd address ("any alignment"), in a
** sliding ring that wraps. */
typedef struct big {
    int id;
    char text[92];
    int check;
} big;

static void make_big(big *b, int id)
{
    int i;

    b->id = id;
    for (i = 0; i < (int)sizeof b->text; i++)
        b->text[i] = (char)('a' + (id + i) % 26);
    b->check = ~id;
}

static int is_big(const big *b, int id)
{
    big want;

    make_big(&want, id);
    return memcmp(b, &want, sizeof want) == 0;
}

static void buffers_struct_elem(void)
{
    enum { CAP = 4 };
    unsigned char *mem = (unsigned char *)malloc(1 + CAP * sizeof(big) + 1);
    ca_chan ch;
    big b;
    int i;

    CU_ASSERT_FATAL(mem != NULL);
    CA_ASSERT_EQ(sizeof(big), 100);
    mem[CAP * sizeof(big) + 1] = GUARD;
    CA_ASSERT_RC(ca_chan_init(&ch, CA_SLIDING, CAP, sizeof(big), mem + 1,
                              CAP * sizeof(big)),
                 CA_OK);
    for (i = 0; i < 11; i++) {
        make_big(&b, i);
        CA_ASSERT_RC(ca_offer(&ch, &b), CA_OK);
    }
    CHECK_COUNT(&ch, CAP);
    for (i = 11 - CAP; i < 11; i++) {
        memset(&b, 0, sizeof b);
        CA_ASSERT_RC(ca_poll(&ch, &b), CA_OK);
        CU_ASSERT(is_big(&b, i));
    }
    CA_ASSERT_RC(ca_poll(&ch, &b), CA_AGAIN);
    CA_ASSERT_EQ(mem[CAP * sizeof(big) + 1], GUARD);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    free(mem);
}

#if !CA_TEST_SMALL
/* The largest element size, CA_MAX_ELEM_SIZE bytes. */
static void buffers_max_elem_size(void)
{
    size_t es = CA_MAX_ELEM_SIZE, i;
    unsigned char *buf = (unsigned char *)malloc(2 * es);
    unsigned char *val = (unsigned char *)malloc(es);
    unsigned char *dst = (unsigned char *)malloc(es);
    ca_chan ch;
    int bad = 0;

    CU_ASSERT_FATAL(buf != NULL && val != NULL && dst != NULL);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, es, buf, 2 * es), CA_OK);
    for (i = 0; i < es; i++)
        val[i] = (unsigned char)(i * 31);
    CA_ASSERT_RC(ca_offer(&ch, val), CA_OK);
    memset(val, 0xEE, es);
    CA_ASSERT_RC(ca_offer(&ch, val), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, val), CA_AGAIN);
    CA_ASSERT_RC(ca_poll(&ch, dst), CA_OK);
    for (i = 0; i < es; i++)
        bad += dst[i] != (unsigned char)(i * 31);
    CA_ASSERT_RC(ca_poll(&ch, dst), CA_OK);
    for (i = 0; i < es; i++)
        bad += dst[i] != 0xEE;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    free(buf);
    free(val);
    free(dst);
}
#endif

/* A value is copied in when it is put: changing the source afterwards
** changes nothing in the channel, and each take gets its own copy. */
static void buffers_copy_in(void)
{
    ca_buf_kind kinds[] = {CA_FIXED, CA_DROPPING, CA_SLIDING, CA_PROMISE};
    ca_chan ch;
    int buf[1], v;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        CA_ASSERT_RC(
            ca_chan_init(&ch, kinds[k], 1, sizeof(int), buf, sizeof buf),
            CA_OK);
        v = 11;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        v = 22;
        POLL_EQ(&ch, 11);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

/* ------------------------------------------------------------ promise-chan */

/* core.async async_test test-promise-chan: one put serves every pending
** taker; later puts are dropped but succeed; takes keep returning the value
** before and after close. */
static void buffers_promise_chan(void)
{
    enum { N = 5 };
    ca_chan ch;
    ca_op ops[N], op;
    rec recs[N], r = {0, -1};
    int dst[N], buf[1], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 0; i < N; i++) {
        recs[i].calls = 0;
        recs[i].status = -1;
        dst[i] = -1;
        ops[i].data = &recs[i];
        CA_ASSERT_RC(ca_take_async(&ch, &ops[i], &dst[i], rec_cb), CA_OK);
    }
    CHECK_PENDING(&ch, 0, N);
    for (i = 0; i < N; i++)
        CA_ASSERT_EQ(recs[i].calls, 0);

    v = 42;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK); /* the one put */
    for (i = 0; i < N; i++) {
        CA_ASSERT_EQ(recs[i].calls, 1);
        CA_ASSERT_RC(recs[i].status, CA_OK);
        CA_ASSERT_EQ(dst[i], 42);
    }
    CHECK_PENDING(&ch, 0, 0);
    CHECK_COUNT(&ch, 1);

    /* later puts: accepted, dropped */
    v = 43;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);

    /* takes before close */
    POLL_EQ(&ch, 42);
    r.calls = 0;
    v = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(v, 42);

    /* and after */
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    for (i = 0; i < 3; i++)
        POLL_EQ(&ch, 42);
    r.calls = 0;
    v = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(v, 42);
    v = 44;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
    POLL_EQ(&ch, 42);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async async_test test-promise-chan: close before any put makes every
** pending and every later take report closed. */
static void buffers_promise_close_first(void)
{
    enum { N = 3 };
    ca_chan ch;
    ca_op ops[N], op;
    rec recs[N], r = {0, -1};
    int dst[N], buf[1], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 0; i < N; i++) {
        recs[i].calls = 0;
        recs[i].status = -1;
        dst[i] = -1;
        ops[i].data = &recs[i];
        CA_ASSERT_RC(ca_take_async(&ch, &ops[i], &dst[i], rec_cb), CA_OK);
    }
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    for (i = 0; i < N; i++) {
        CA_ASSERT_EQ(recs[i].calls, 1);
        CA_ASSERT_RC(recs[i].status, CA_CLOSED);
        CA_ASSERT_EQ(dst[i], -1);
    }
    CHECK_PENDING(&ch, 0, 0);
    v = 7;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_CLOSED);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CHECK_COUNT(&ch, 0);
    for (i = 0; i < 3; i++) {
        v = -1;
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
        CA_ASSERT_EQ(v, -1);
        r.calls = 0;
        CA_ASSERT_RC(ca_take_async(&ch, &op, &v, rec_cb), CA_OK);
        CA_ASSERT_EQ(r.calls, 1);
        CA_ASSERT_RC(r.status, CA_CLOSED);
        CA_ASSERT_EQ(v, -1);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A put into a promise never waits, before or after its value arrives. */
static void buffers_promise_put_async_never_queues(void)
{
    ca_chan ch;
    ca_op op;
    rec r = {0, -1};
    int buf[1], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_PROMISE, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    op.data = &r;
    for (i = 0; i < 2000; i++) { /* past CA_CONFIG_MAX_PENDING */
        v = i + 100;
        if (ca_put_async(&ch, &op, &v, rec_cb) != CA_OK)
            break;
    }
    CA_ASSERT_EQ(i, 2000);
    CA_ASSERT_EQ(r.calls, 2000);
    CA_ASSERT_RC(r.status, CA_OK);
    CHECK_PENDING(&ch, 0, 0);
    POLL_EQ(&ch, 100);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

static const ca_test tests[] = {
    {"buffers_fixed", buffers_fixed},
    {"buffers_dropping", buffers_dropping},
    {"buffers_sliding", buffers_sliding},
    {"buffers_promise", buffers_promise},
    {"buffers_inspect_shape", buffers_inspect_shape},
    {"buffers_unblocking", buffers_unblocking},
    {"buffers_capacity_one", buffers_capacity_one},
    {"buffers_large_capacity", buffers_large_capacity},
    {"buffers_ring_wraparound", buffers_ring_wraparound},
    {"buffers_signals", buffers_signals},
    {"buffers_odd_elem_size", buffers_odd_elem_size},
    {"buffers_struct_elem", buffers_struct_elem},
#if !CA_TEST_SMALL
    {"buffers_max_elem_size", buffers_max_elem_size},
#endif
    {"buffers_copy_in", buffers_copy_in},
    {"buffers_promise_chan", buffers_promise_chan},
    {"buffers_promise_close_first", buffers_promise_close_first},
    {"buffers_promise_put_async_never_queues",
     buffers_promise_put_async_never_queues},
    {NULL, NULL}};

CA_TEST_MAIN("buffers", tests)
