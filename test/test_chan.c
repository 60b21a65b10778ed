/*
** test_chan.c: offer, poll, close, hand-off and the order of waiters.
** Mirrors core.async's async_test (offer-poll, puts-fulfill-when-buffer-
** available) and the CLJS dispatch-bugs test. MIT licence, see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#define CHECK_INFO(ch, cnt, puts, takes)                                       \
    do {                                                                       \
        ca_chan_info i_;                                                       \
        CA_ASSERT_RC(ca_chan_inspect((ch), &i_), CA_OK);                       \
        CA_ASSERT_EQ(i_.count, (cnt));                                         \
        CA_ASSERT_EQ(i_.pending_puts, (puts));                                 \
        CA_ASSERT_EQ(i_.pending_takes, (takes));                               \
    } while (0)

/* Every callback of this file appends to one log, so tests can check both
** how often each op completed and in what order. */
typedef struct orec {
    int id;     /* which op                                         */
    int calls;  /* how many times its callback ran                  */
    int status; /* the status of the last call                      */
} orec;

static int order[64], norder;

static void orec_cb(ca_op *op, int status)
{
    orec *r = (orec *)op->data;

    r->calls++;
    r->status = status;
    if (norder < (int)(sizeof order / sizeof order[0]))
        order[norder++] = r->id;
}

static void orecs_init(orec *r, ca_op *ops, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        r[i].id = i;
        r[i].calls = 0;
        r[i].status = -100;
        ops[i].data = &r[i];
    }
    norder = 0;
}

/* ------------------------------------------------------------ offer, poll */

/* core.async async_test offer-poll: (chan 2) takes two offers and refuses
** the third; polls give 1, 2, then nothing. */
static void chan_offer_poll(void)
{
    ca_chan ch;
    int buf[2], v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    v = 1;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    v = 2;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    v = 3;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
    POLL_EQ(&ch, 1);
    POLL_EQ(&ch, 2);
    v = -1;
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_EQ(v, -1);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async async_test offer-poll: an unbuffered channel with no
** counterpart refuses both, and neither queues. */
static void chan_offer_poll_unbuffered(void)
{
    ca_chan ch;
    int v = 5;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_EQ(v, 5);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ hand-off */

/* A put that finds a waiting take hands its value straight to the taker's
** destination (and, on a buffered channel, does not go through the
** buffer). */
static void chan_handoff_to_queued_take(void)
{
    ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_DROPPING, CA_SLIDING};
    size_t caps[] = {0, 2, 2, 2};
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int buf[2], dst, v;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        CA_ASSERT_RC(ca_chan_init(&ch, kinds[k], caps[k], sizeof(int),
                                  caps[k] ? buf : NULL, sizeof buf),
                     CA_OK);
        orecs_init(r, op, 1);
        dst = -1;
        CA_ASSERT_RC(ca_take_async(&ch, &op[0], &dst, orec_cb), CA_OK);
        CA_ASSERT_EQ(r[0].calls, 0);
        CHECK_INFO(&ch, 0, 0, 1);
        v = 77;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        CA_ASSERT_EQ(r[0].calls, 1);
        CA_ASSERT_RC(r[0].status, CA_OK);
        CA_ASSERT_EQ(dst, 77);
        CHECK_INFO(&ch, 0, 0, 0); /* nothing left in a buffer */
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

/* A poll that finds a waiting put (unbuffered) takes its value at once. */
static void chan_poll_from_queued_put(void)
{
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int v = 31, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, orec_cb), CA_OK);
    CA_ASSERT_EQ(r[0].calls, 0);
    CHECK_INFO(&ch, 0, 1, 0);
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_OK);
    CA_ASSERT_EQ(dst, 31);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_OK);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A waiting put reads its value when the take arrives (chan.h: "reading
** *val when a take arrives"), not when it was queued. */
static void chan_queued_put_reads_value_late(void)
{
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int v = 1, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, orec_cb), CA_OK);
    v = 2;
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_OK);
    CA_ASSERT_EQ(dst, 2);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ close */

static void chan_close_idempotent(void)
{
    ca_chan ch;
    ca_chan_info info;
    int buf[1];

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_EQ(ca_closed(&ch), 0);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CA_ASSERT_EQ(info.closed, 0);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(ca_closed(&ch), 1);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(ca_closed(&ch), 1);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CA_ASSERT_EQ(info.closed, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A second close must not complete anything a second time, nor touch the
** puts still queued. */
static void chan_close_twice_with_waiters(void)
{
    ca_chan ch;
    ca_op op[2];
    orec r[2];
    int v = 9, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, 2);
    CA_ASSERT_RC(ca_take_async(&ch, &op[0], &dst, orec_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_CLOSED);
    CA_ASSERT_EQ(dst, -1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_put_async(&ch, &op[1], &v, orec_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(r[1].calls, 0);
    CHECK_INFO(&ch, 0, 1, 0);
    POLL_EQ(&ch, 9);
    CA_ASSERT_EQ(r[1].calls, 1);
    CA_ASSERT_RC(r[1].status, CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Puts after close report CA_CLOSED and their value goes nowhere: the
** buffer holds what it held, and drains to exactly that. */
static void chan_put_after_close(void)
{
    ca_buf_kind kinds[] = {CA_FIXED, CA_DROPPING, CA_SLIDING};
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int buf[3], v;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        CA_ASSERT_RC(
            ca_chan_init(&ch, kinds[k], 3, sizeof(int), buf, sizeof buf),
            CA_OK);
        OFFER(&ch, 1);
        CA_ASSERT_RC(ca_close(&ch), CA_OK);
        v = 2;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
        orecs_init(r, op, 1);
        v = 3;
        CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, orec_cb), CA_CLOSED);
        CA_ASSERT_EQ(r[0].calls, 1);
        CA_ASSERT_RC(r[0].status, CA_CLOSED);
        CHECK_INFO(&ch, 1, 0, 0);
        POLL_EQ(&ch, 1);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }

    /* unbuffered: nothing queues after close */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    orecs_init(r, op, 1);
    v = 3;
    CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, orec_cb), CA_CLOSED);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_CLOSED);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Puts waiting when the channel closes survive it: later takes get them in
** FIFO order, and each reports CA_OK when it is delivered. */
static void chan_close_keeps_queued_puts(void)
{
    enum { N = 4 };
    ca_chan ch;
    ca_op op[N];
    orec r[N];
    int vals[N], buf[1], v, i, j;

    /* a full (chan 1): values 0 in the buffer, 1..N queued */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    orecs_init(r, op, N);
    OFFER(&ch, 0);
    for (i = 0; i < N; i++) {
        vals[i] = i + 1;
        CA_ASSERT_RC(ca_put_async(&ch, &op[i], &vals[i], orec_cb), CA_OK);
    }
    CHECK_INFO(&ch, 1, N, 0);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CHECK_INFO(&ch, 1, N, 0);
    for (i = 0; i < N; i++)
        CA_ASSERT_EQ(r[i].calls, 0);
    for (i = 0; i <= N; i++) {
        POLL_EQ(&ch, i);
        /* the take moved put i (value i + 1) into the buffer */
        for (j = 0; j < N; j++)
            CA_ASSERT_EQ(r[j].calls, j < i + 1 ? 1 : 0);
    }
    for (i = 0; i < N; i++) {
        CA_ASSERT_RC(r[i].status, CA_OK);
        CA_ASSERT_EQ(order[i], i);
    }
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_EQ(norder, N);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* unbuffered */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, N);
    for (i = 0; i < N; i++)
        CA_ASSERT_RC(ca_put_async(&ch, &op[i], &vals[i], orec_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(ca_closed(&ch), 1);
    for (i = 0; i < N; i++) {
        POLL_EQ(&ch, i + 1);
        CA_ASSERT_EQ(r[i].calls, 1);
        CA_ASSERT_RC(r[i].status, CA_OK);
    }
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Takes waiting when the channel closes complete with CA_CLOSED, once each,
** during the close, without touching their destinations. */
static void chan_close_completes_queued_takes(void)
{
    enum { N = 4 };
    ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_SLIDING};
    ca_chan ch;
    ca_op op[N];
    orec r[N];
    int dst[N], buf[2], i;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t cap = kinds[k] == CA_UNBUFFERED ? 0 : 2;

        CA_ASSERT_RC(
            ca_chan_init(&ch, kinds[k], cap, sizeof(int), buf, sizeof buf),
            CA_OK);
        orecs_init(r, op, N);
        for (i = 0; i < N; i++) {
            dst[i] = -1;
            CA_ASSERT_RC(ca_take_async(&ch, &op[i], &dst[i], orec_cb), CA_OK);
        }
        CHECK_INFO(&ch, 0, 0, N);
        CA_ASSERT_EQ(norder, 0);
        CA_ASSERT_RC(ca_close(&ch), CA_OK);
        CHECK_INFO(&ch, 0, 0, 0);
        CA_ASSERT_EQ(norder, N);
        for (i = 0; i < N; i++) {
            CA_ASSERT_EQ(r[i].calls, 1);
            CA_ASSERT_RC(r[i].status, CA_CLOSED);
            CA_ASSERT_EQ(dst[i], -1);
        }
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

/* Takes drain the buffer after close, then report CA_CLOSED for ever. */
static void chan_close_drains_buffer(void)
{
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int buf[3], v, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 3, sizeof(int), buf, sizeof buf),
                 CA_OK);
    OFFER(&ch, 1);
    OFFER(&ch, 2);
    OFFER(&ch, 3);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CHECK_INFO(&ch, 3, 0, 0);
    POLL_EQ(&ch, 1);
    orecs_init(r, op, 1);
    v = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op[0], &v, orec_cb), CA_OK);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_OK);
    CA_ASSERT_EQ(v, 2);
    POLL_EQ(&ch, 3);
    for (i = 0; i < 5; i++) {
        v = -1;
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
        CA_ASSERT_EQ(v, -1);
    }
    r[0].calls = 0;
    CA_ASSERT_RC(ca_take_async(&ch, &op[0], &v, orec_cb), CA_OK);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_CLOSED);
    CA_ASSERT_EQ(v, -1);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_EQ(ca_closed(&ch), 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* An empty open channel answers "not yet"; closed, it answers "closed". */
static void chan_closed_vs_again(void)
{
    ca_chan ch;
    int buf[1], v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ FIFO */

/* Several waiting takes are served in the order they queued. */
static void chan_take_fifo(void)
{
    enum { N = 6 };
    ca_chan ch;
    ca_op op[N];
    orec r[N];
    int dst[N], buf[4], i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, N);
    for (i = 0; i < N; i++) {
        dst[i] = -1;
        CA_ASSERT_RC(ca_take_async(&ch, &op[i], &dst[i], orec_cb), CA_OK);
    }
    for (i = 0; i < N; i++) {
        OFFER(&ch, 10 * (i + 1));
        CA_ASSERT_EQ(norder, i + 1);
        CA_ASSERT_EQ(order[i], i);
    }
    for (i = 0; i < N; i++) {
        CA_ASSERT_EQ(dst[i], 10 * (i + 1));
        CA_ASSERT_EQ(r[i].calls, 1);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* on an empty buffered channel, one put at a time goes to the oldest */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 4, sizeof(int), buf, sizeof buf),
                 CA_OK);
    orecs_init(r, op, N);
    for (i = 0; i < N; i++) {
        dst[i] = -1;
        CA_ASSERT_RC(ca_take_async(&ch, &op[i], &dst[i], orec_cb), CA_OK);
    }
    for (i = 0; i < N; i++)
        OFFER(&ch, i);
    for (i = 0; i < N; i++) {
        CA_ASSERT_EQ(dst[i], i);
        CA_ASSERT_EQ(order[i], i);
    }
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Several waiting puts are delivered in the order they queued, whether the
** takes meet them directly or through the buffer. */
static void chan_put_fifo(void)
{
    enum { N = 6 };
    ca_chan ch;
    ca_op op[N];
    orec r[N];
    int vals[N], buf[2], i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    orecs_init(r, op, N);
    for (i = 0; i < N; i++) {
        vals[i] = 100 + i;
        CA_ASSERT_RC(ca_put_async(&ch, &op[i], &vals[i], orec_cb), CA_OK);
    }
    for (i = 0; i < N; i++) {
        POLL_EQ(&ch, 100 + i);
        CA_ASSERT_EQ(order[i], i);
    }
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    orecs_init(r, op, N);
    OFFER(&ch, 98);
    OFFER(&ch, 99);
    for (i = 0; i < N; i++)
        CA_ASSERT_RC(ca_put_async(&ch, &op[i], &vals[i], orec_cb), CA_OK);
    CHECK_INFO(&ch, 2, N, 0);
    POLL_EQ(&ch, 98);
    POLL_EQ(&ch, 99);
    for (i = 0; i < N; i++)
        POLL_EQ(&ch, 100 + i);
    for (i = 0; i < N; i++)
        CA_ASSERT_EQ(order[i], i);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* --------------------------------------------- queued puts into the buffer */

/* core.async async_test puts-fulfill-when-buffer-available: a put waiting
** on a full (chan 1) completes once a take makes room, exactly once, with
** CA_OK, and its value moved into the buffer. */
static void chan_puts_fulfill_when_buffer_available(void)
{
    ca_chan ch;
    ca_op op[1];
    orec r[1];
    int buf[1], v = 2, i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    orecs_init(r, op, 1);
    OFFER(&ch, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op[0], &v, orec_cb), CA_OK);
    CA_ASSERT_EQ(r[0].calls, 0);
    CHECK_INFO(&ch, 1, 1, 0);
    POLL_EQ(&ch, 1);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(r[0].status, CA_OK);
    CHECK_INFO(&ch, 1, 0, 0); /* the put's value is in the buffer now */
    v = 3;                    /* the value was copied when it moved in */
    POLL_EQ(&ch, 2);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* CLJS dispatch-bugs: with callbacks everywhere, a put into (chan 1), a
** second that queues, and a take: the queued put moves into the buffer and
** its callback fires. Every callback runs exactly once. */
static void chan_dispatch_bugs(void)
{
    ca_chan ch;
    ca_op op[3];
    orec r[3];
    int buf[1], a = 42, b = 43, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    orecs_init(r, op, 3);
    CA_ASSERT_RC(ca_put_async(&ch, &op[0], &a, orec_cb), CA_OK); /* buffer */
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op[1], &b, orec_cb), CA_OK); /* queue */
    CA_ASSERT_EQ(r[1].calls, 0);
    CA_ASSERT_RC(ca_take_async(&ch, &op[2], &dst, orec_cb), CA_OK);
    CA_ASSERT_EQ(r[2].calls, 1);
    CA_ASSERT_RC(r[2].status, CA_OK);
    CA_ASSERT_EQ(dst, 42);
    CA_ASSERT_EQ(r[1].calls, 1);
    CA_ASSERT_RC(r[1].status, CA_OK);
    CA_ASSERT_EQ(r[0].calls, 1);
    CA_ASSERT_EQ(norder, 3);
    CHECK_INFO(&ch, 1, 0, 0);
    POLL_EQ(&ch, 43);
    CA_ASSERT_EQ(norder, 3);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ invariants */

/* A small PRNG with a fixed seed (xorshift32). */
static unsigned rng_state = 2463534242u;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state % n;
}

/* A slot pool of async ops for the random walk below. */
enum { POOL = 48 };
static ca_op pool_ops[POOL];
static int pool_busy[POOL], pool_val[POOL], pool_done, pool_closing;

static void pool_cb(ca_op *op, int status)
{
    int i = (int)(op - pool_ops);

    /* only the final close completes anything with CA_CLOSED */
    CU_ASSERT(status == (pool_closing ? CA_CLOSED : CA_OK));
    CU_ASSERT(pool_busy[i] == 1);
    pool_busy[i] = 0;
    pool_done++;
}

/* chan.h's invariants, checked through ca_chan_inspect after every step of
** a random walk of offers, polls, async puts and async takes: takers and
** putters never both wait; takers wait only on an empty buffer; putters
** only on a full one. */
static void chan_invariant_waiters(void)
{
    ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_FIXED, CA_DROPPING,
                           CA_SLIDING};
    size_t caps[] = {0, 1, 3, 2, 2};
    ca_chan_info info;
    ca_chan ch;
    int buf[3], v, i, bad, started;
    size_t k;

    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        CA_ASSERT_RC(ca_chan_init(&ch, kinds[k], caps[k], sizeof(int),
                                  caps[k] ? buf : NULL, sizeof buf),
                     CA_OK);
        memset(pool_busy, 0, sizeof pool_busy);
        pool_done = pool_closing = started = bad = 0;
        for (i = 0; i < 3000; i++) {
            int slot = (int)rnd(POOL), rc;

            switch (rnd(4)) {
            case 0:
                v = i;
                rc = ca_offer(&ch, &v);
                bad += rc != CA_OK && rc != CA_AGAIN;
                break;
            case 1:
                rc = ca_poll(&ch, &v);
                bad += rc != CA_OK && rc != CA_AGAIN;
                break;
            case 2:
            case 3:
                if (pool_busy[slot])
                    break;
                pool_busy[slot] = 1;
                pool_val[slot] = i;
                started++;
                rc = (rnd(2) == 0) ? ca_put_async(&ch, &pool_ops[slot],
                                                  &pool_val[slot], pool_cb)
                                   : ca_take_async(&ch, &pool_ops[slot],
                                                   &pool_val[slot], pool_cb);
                bad += rc != CA_OK;
                break;
            }
            CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
            bad += info.pending_puts != 0 && info.pending_takes != 0;
            bad += info.pending_takes != 0 && info.count != 0;
            bad += info.pending_puts != 0 && info.count != info.capacity;
            bad += info.pending_puts != 0 && kinds[k] != CA_UNBUFFERED &&
                   kinds[k] != CA_FIXED;
            bad += info.count > info.capacity;
        }
        CA_ASSERT_EQ(bad, 0);
        /* drain what still waits: puts by polling, takes by closing */
        while (ca_poll(&ch, &v) == CA_OK)
            ;
        pool_closing = 1;
        CA_ASSERT_RC(ca_close(&ch), CA_OK);
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
        CA_ASSERT_EQ(pool_done, started);
        CU_ASSERT(started > 500);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

/* ----------------------------------------------- callbacks use the channel */

/* The channel a callback uses is in its op's data. */
typedef struct reenter {
    ca_chan *ch;
    int calls, status, rc1, rc2, got;
    ca_op op2;
    int val2;
    orec r2;
} reenter;

/* A take callback that offers two values and polls one on the same
** channel: it must run with the channel's lock released (with threads a
** callback under the lock would deadlock on its own spin lock). */
static void take_then_offer_cb(ca_op *op, int status)
{
    reenter *re = (reenter *)op->data;
    int v;

    re->calls++;
    re->status = status;
    v = 100;
    re->rc1 = ca_offer(re->ch, &v);
    v = 101;
    re->rc2 = ca_offer(re->ch, &v);
    re->got = -1;
    (void)ca_poll(re->ch, &re->got);
}

static void chan_callback_reenters_offer_poll(void)
{
    ca_chan ch;
    ca_op op;
    reenter re;
    int buf[2], dst = -1, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    memset(&re, 0, sizeof re);
    re.ch = &ch;
    op.data = &re;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, take_then_offer_cb), CA_OK);
    v = 7;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.status, CA_OK);
    CA_ASSERT_EQ(dst, 7);
    CA_ASSERT_RC(re.rc1, CA_OK);
    CA_ASSERT_RC(re.rc2, CA_OK);
    CA_ASSERT_EQ(re.got, 100);
    CHECK_INFO(&ch, 1, 0, 0);
    POLL_EQ(&ch, 101);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A put callback that queues another put on the same channel with a second
** op; and the channel's close wakes a take whose callback polls it. */
static void put_then_put_cb(ca_op *op, int status)
{
    reenter *re = (reenter *)op->data;

    re->calls++;
    re->status = status;
    re->val2 = 200;
    re->r2.calls = 0;
    re->op2.data = &re->r2;
    re->rc1 = ca_put_async(re->ch, &re->op2, &re->val2, NULL);
}

static void closed_take_cb(ca_op *op, int status)
{
    reenter *re = (reenter *)op->data;
    int v = 5;

    re->calls++;
    re->status = status;
    re->rc1 = ca_closed(re->ch);
    re->rc2 = ca_offer(re->ch, &v);
    re->got = ca_poll(re->ch, &v);
}

static void chan_callback_reenters_put_async(void)
{
    ca_chan ch;
    ca_op op;
    reenter re;
    int v = 1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    memset(&re, 0, sizeof re);
    re.ch = &ch;
    op.data = &re;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, put_then_put_cb), CA_OK);
    CA_ASSERT_EQ(re.calls, 0);
    POLL_EQ(&ch, 1);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.rc1, CA_OK);
    CHECK_INFO(&ch, 0, 1, 0); /* the callback's put waits */
    POLL_EQ(&ch, 200);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_EQ(re.calls, 1);

    memset(&re, 0, sizeof re);
    re.ch = &ch;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &v, closed_take_cb), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.status, CA_CLOSED);
    CA_ASSERT_EQ(re.rc1, 1);
    CA_ASSERT_RC(re.rc2, CA_CLOSED);
    CA_ASSERT_RC(re.got, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A callback run by ca_poll's move of a queued put into the buffer polls
** the same channel again. */
static void put_then_poll_cb(ca_op *op, int status)
{
    reenter *re = (reenter *)op->data;

    re->calls++;
    re->status = status;
    re->got = -1;
    re->rc1 = ca_poll(re->ch, &re->got);
}

static void chan_callback_reenters_from_buffer_move(void)
{
    ca_chan ch;
    ca_op op;
    reenter re;
    int buf[1], v = 2;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    memset(&re, 0, sizeof re);
    re.ch = &ch;
    op.data = &re;
    OFFER(&ch, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, put_then_poll_cb), CA_OK);
    POLL_EQ(&ch, 1);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.status, CA_OK);
    CA_ASSERT_RC(re.rc1, CA_OK);
    CA_ASSERT_EQ(re.got, 2);
    CHECK_INFO(&ch, 0, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ names */

static void chan_name(void)
{
    static const char first[] = "requests", second[] = "replies";
    ca_chan_info info;
    ca_chan ch;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 1, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == NULL);
    CA_ASSERT_RC(ca_chan_set_name(&ch, first), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == first); /* not copied */
    CA_ASSERT_RC(ca_chan_set_name(&ch, second), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == second);
    CA_ASSERT_RC(ca_close(&ch), CA_OK); /* a name outlives close */
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == second);
    CA_ASSERT_RC(ca_chan_set_name(&ch, NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == NULL);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* a channel re-made in the same storage starts unnamed */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 1, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_set_name(&ch, first), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 1, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&ch, &info), CA_OK);
    CU_ASSERT(info.name == NULL);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A destroyed channel's storage can hold a new channel. */
static void chan_reinit_storage(void)
{
    ca_chan ch;
    int buf[2], i;

    for (i = 0; i < 3; i++) {
        CA_ASSERT_RC(
            ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
            CA_OK);
        OFFER(&ch, i);
        CA_ASSERT_RC(ca_close(&ch), CA_OK);
        POLL_EQ(&ch, i);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

static const ca_test tests[] = {
    {"chan_offer_poll", chan_offer_poll},
    {"chan_offer_poll_unbuffered", chan_offer_poll_unbuffered},
    {"chan_handoff_to_queued_take", chan_handoff_to_queued_take},
    {"chan_poll_from_queued_put", chan_poll_from_queued_put},
    {"chan_queued_put_reads_value_late", chan_queued_put_reads_value_late},
    {"chan_close_idempotent", chan_close_idempotent},
    {"chan_close_twice_with_waiters", chan_close_twice_with_waiters},
    {"chan_put_after_close", chan_put_after_close},
    {"chan_close_keeps_queued_puts", chan_close_keeps_queued_puts},
    {"chan_close_completes_queued_takes", chan_close_completes_queued_takes},
    {"chan_close_drains_buffer", chan_close_drains_buffer},
    {"chan_closed_vs_again", chan_closed_vs_again},
    {"chan_take_fifo", chan_take_fifo},
    {"chan_put_fifo", chan_put_fifo},
    {"chan_puts_fulfill_when_buffer_available",
     chan_puts_fulfill_when_buffer_available},
    {"chan_dispatch_bugs", chan_dispatch_bugs},
    {"chan_invariant_waiters", chan_invariant_waiters},
    {"chan_callback_reenters_offer_poll", chan_callback_reenters_offer_poll},
    {"chan_callback_reenters_put_async", chan_callback_reenters_put_async},
    {"chan_callback_reenters_from_buffer_move",
     chan_callback_reenters_from_buffer_move},
    {"chan_name", chan_name},
    {"chan_reinit_storage", chan_reinit_storage},
    {NULL, NULL}};

CA_TEST_MAIN("chan", tests)
