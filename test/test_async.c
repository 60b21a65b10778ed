/*
** test_async.c: ca_put_async and ca_take_async (core.async's put! and
** take!): when callbacks run, how often, with what status; the pending
** limit (async_test limit-async-take!-put!, CLJS queue-limits); ops reused
** or freed by their own callbacks. MIT licence, see COPYING.
*/
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

static void rec_init(rec *r, ca_op *op)
{
    r->calls = 0;
    r->status = -100;
    op->data = r;
}

/* ------------------------------------------------------ immediate, queued */

/* A put that can complete at once (room in the buffer, or a waiting take)
** runs its callback before ca_put_async returns, exactly once. */
static void async_put_immediate(void)
{
    ca_chan ch;
    ca_op op, top;
    rec r, tr;
    int buf[1], v = 5, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    POLL_EQ(&ch, 5);
    CA_ASSERT_EQ(r.calls, 1);

    /* to a waiting take: both callbacks run before the put returns */
    rec_init(&tr, &top);
    CA_ASSERT_RC(ca_take_async(&ch, &top, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(tr.calls, 0);
    rec_init(&r, &op);
    v = 6;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(tr.calls, 1);
    CA_ASSERT_RC(tr.status, CA_OK);
    CA_ASSERT_EQ(dst, 6);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A take that can complete at once (a buffered value, or a waiting put)
** runs its callback before ca_take_async returns, exactly once. */
static void async_take_immediate(void)
{
    ca_chan ch;
    ca_op op, pop;
    rec r, pr;
    int buf[1], v = 8, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(dst, 8);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* from a waiting put on an unbuffered channel */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    rec_init(&pr, &pop);
    v = 9;
    CA_ASSERT_RC(ca_put_async(&ch, &pop, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(pr.calls, 0);
    rec_init(&r, &op);
    dst = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(dst, 9);
    CA_ASSERT_EQ(pr.calls, 1);
    CA_ASSERT_RC(pr.status, CA_OK);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A put that has to wait runs its callback later, once, when a take
** arrives; never before, never again. */
static void async_put_queued(void)
{
    ca_chan ch;
    ca_op op;
    rec r;
    int v = 3, dst;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 0);
    CHECK_PENDING(&ch, 1, 0);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN); /* puts don't meet puts */
    CA_ASSERT_EQ(r.calls, 0);
    POLL_EQ(&ch, 3);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_AGAIN);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_CLOSED);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A take that has to wait runs its callback once a put arrives, with the
** value in place; or once the channel closes, with CA_CLOSED. */
static void async_take_queued(void)
{
    ca_chan ch;
    ca_op op, op2;
    rec r, r2;
    int v = 4, dst = -1, dst2 = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_EQ(dst, -1);
    CHECK_PENDING(&ch, 0, 1);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(dst, 4);

    rec_init(&r2, &op2);
    CA_ASSERT_RC(ca_take_async(&ch, &op2, &dst2, rec_cb), CA_OK);
    CA_ASSERT_EQ(r2.calls, 0);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(r2.calls, 1);
    CA_ASSERT_RC(r2.status, CA_CLOSED);
    CA_ASSERT_EQ(dst2, -1);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* core.async async_test test-<!!-and-put! and test->!!-and-take!, with
** callbacks on both sides: a queued put meets a later take_async, and a
** queued take a later put_async. */
static void async_put_take_meet(void)
{
    ca_chan ch;
    ca_op pop, top;
    rec pr, tr;
    int v = 12, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    rec_init(&pr, &pop);
    rec_init(&tr, &top);
    CA_ASSERT_RC(ca_put_async(&ch, &pop, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(pr.calls, 0);
    CA_ASSERT_RC(ca_take_async(&ch, &top, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(pr.calls, 1);
    CA_ASSERT_EQ(tr.calls, 1);
    CA_ASSERT_EQ(dst, 12);

    rec_init(&pr, &pop);
    rec_init(&tr, &top);
    dst = -1;
    v = 13;
    CA_ASSERT_RC(ca_take_async(&ch, &top, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(tr.calls, 0);
    CA_ASSERT_RC(ca_put_async(&ch, &pop, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(pr.calls, 1);
    CA_ASSERT_RC(pr.status, CA_OK);
    CA_ASSERT_EQ(tr.calls, 1);
    CA_ASSERT_RC(tr.status, CA_OK);
    CA_ASSERT_EQ(dst, 13);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A NULL callback: the op completes silently, immediate or queued. */
static void async_null_callback(void)
{
    ca_chan ch;
    ca_op op, op2;
    int buf[1], v = 21, w = 22, dst = -1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, NULL), CA_OK); /* queued */
    CHECK_PENDING(&ch, 1, 0);
    POLL_EQ(&ch, 21);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, NULL), CA_OK); /* queued */
    CHECK_PENDING(&ch, 0, 1);
    CA_ASSERT_RC(ca_put_async(&ch, &op2, &w, NULL), CA_OK); /* immediate */
    CA_ASSERT_EQ(dst, 22);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, NULL), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK); /* completes the take, silently */
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, NULL), CA_CLOSED);
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, NULL), CA_OK); /* immediate */
    dst = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op2, &dst, NULL), CA_OK);
    CA_ASSERT_EQ(dst, 21);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A put on a closed channel returns CA_CLOSED after its callback ran with
** CA_CLOSED. */
static void async_put_closed(void)
{
    ca_chan ch;
    ca_op op;
    rec r;
    int buf[1], v = 1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_CLOSED);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A take on a closed, drained channel returns CA_OK (the take was done)
** and its callback reports CA_CLOSED; one on a closed channel that still
** holds values gets them first. */
static void async_take_closed(void)
{
    ca_chan ch;
    ca_op op;
    rec r;
    int buf[2], v, dst;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    v = 50;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    rec_init(&r, &op);
    dst = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(dst, 50);
    rec_init(&r, &op);
    dst = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &dst, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CA_ASSERT_EQ(dst, -1);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* op->data is the caller's: the library never changes it. */
static void async_op_data_untouched(void)
{
    ca_chan ch;
    ca_op op;
    rec r;
    int v = 1, dst;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    rec_init(&r, &op);
    CA_ASSERT_RC(ca_put_async(&ch, &op, &v, rec_cb), CA_OK);
    CU_ASSERT(op.data == &r);
    CA_ASSERT_RC(ca_poll(&ch, &dst), CA_OK);
    CU_ASSERT(op.data == &r);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Signals (elem_size 0): NULL values and destinations are fine. */
static void async_signals(void)
{
    ca_chan ch;
    ca_op op, op2;
    rec r, r2;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    rec_init(&r, &op);
    rec_init(&r2, &op2);
    CA_ASSERT_RC(ca_put_async(&ch, &op, NULL, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 0);
    CA_ASSERT_RC(ca_take_async(&ch, &op2, NULL, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_EQ(r2.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_RC(r2.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* ------------------------------------------------------------ limits */

enum { MAXP = CA_CONFIG_MAX_PENDING };

static ca_op lim_ops[MAXP + 2];
static rec lim_recs[MAXP + 2];
static int lim_vals[MAXP + 2];

static void lim_init(void)
{
    int i;

    for (i = 0; i < MAXP + 2; i++) {
        rec_init(&lim_recs[i], &lim_ops[i]);
        lim_vals[i] = i;
    }
}

/* core.async async_test limit-async-take!-put! and CLJS queue-limits, for
** puts: CA_CONFIG_MAX_PENDING waiting puts are accepted, the next is
** refused with CA_EFULL (its callback never runs, nothing changes), and
** the channel still works: the first value taken is 0. */
static void async_limit_puts(void)
{
    ca_chan ch;
    int i, bad = 0, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    lim_init();
    for (i = 0; i < MAXP; i++)
        bad += ca_put_async(&ch, &lim_ops[i], &lim_vals[i], rec_cb) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_PENDING(&ch, MAXP, 0);
    CA_ASSERT_RC(ca_put_async(&ch, &lim_ops[MAXP], &lim_vals[MAXP], rec_cb),
                 CA_EFULL);
    CA_ASSERT_RC(ca_put_async(&ch, &lim_ops[MAXP], &lim_vals[MAXP], NULL),
                 CA_EFULL);
    CA_ASSERT_EQ(lim_recs[MAXP].calls, 0);
    CHECK_PENDING(&ch, MAXP, 0);
    /* offer never queues, so it is not limited; it just finds no taker */
    v = -1;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_AGAIN);

    POLL_EQ(&ch, 0);
    CA_ASSERT_EQ(lim_recs[0].calls, 1);
    CA_ASSERT_RC(lim_recs[0].status, CA_OK);
    CHECK_PENDING(&ch, MAXP - 1, 0);
    /* room for one more again */
    CA_ASSERT_RC(ca_put_async(&ch, &lim_ops[MAXP], &lim_vals[MAXP], rec_cb),
                 CA_OK);
    CA_ASSERT_EQ(lim_recs[MAXP].calls, 0);
    CA_ASSERT_RC(
        ca_put_async(&ch, &lim_ops[MAXP + 1], &lim_vals[MAXP + 1], rec_cb),
        CA_EFULL);
    for (i = 1; i <= MAXP; i++)
        bad += ca_poll(&ch, &v) != CA_OK || v != i;
    CA_ASSERT_EQ(bad, 0);
    for (i = 0; i <= MAXP; i++)
        bad += lim_recs[i].calls != 1 || lim_recs[i].status != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(lim_recs[MAXP + 1].calls, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* The same for takes: after the refused one, an offer still succeeds (it
** goes to the first waiting take); close ends the others. */
static void async_limit_takes(void)
{
    static int dst[MAXP + 2];
    ca_chan ch;
    int i, bad = 0, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    lim_init();
    for (i = 0; i < MAXP + 2; i++)
        dst[i] = -1;
    for (i = 0; i < MAXP; i++)
        bad += ca_take_async(&ch, &lim_ops[i], &dst[i], rec_cb) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CHECK_PENDING(&ch, 0, MAXP);
    CA_ASSERT_RC(ca_take_async(&ch, &lim_ops[MAXP], &dst[MAXP], rec_cb),
                 CA_EFULL);
    CA_ASSERT_EQ(lim_recs[MAXP].calls, 0);
    CHECK_PENDING(&ch, 0, MAXP);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN); /* poll is never limited */

    v = 1234;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(lim_recs[0].calls, 1);
    CA_ASSERT_RC(lim_recs[0].status, CA_OK);
    CA_ASSERT_EQ(dst[0], 1234);
    CHECK_PENDING(&ch, 0, MAXP - 1);
    CA_ASSERT_RC(ca_take_async(&ch, &lim_ops[MAXP], &dst[MAXP], rec_cb), CA_OK);
    CA_ASSERT_RC(ca_take_async(&ch, &lim_ops[MAXP + 1], &dst[MAXP + 1], rec_cb),
                 CA_EFULL);

    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    for (i = 1; i <= MAXP; i++)
        bad += lim_recs[i].calls != 1 || lim_recs[i].status != CA_CLOSED ||
               dst[i] != -1;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(lim_recs[MAXP + 1].calls, 0);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* The limit counts waiting ops, not buffered values: a full (chan 2) still
** queues CA_CONFIG_MAX_PENDING puts, and refuses the next. */
static void async_limit_buffered(void)
{
    ca_chan ch;
    int buf[2], i, bad = 0, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(int), buf, sizeof buf),
                 CA_OK);
    lim_init();
    v = -2;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    v = -1;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    for (i = 0; i < MAXP; i++)
        bad += ca_put_async(&ch, &lim_ops[i], &lim_vals[i], rec_cb) != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_put_async(&ch, &lim_ops[MAXP], &lim_vals[MAXP], rec_cb),
                 CA_EFULL);
    /* close: the queued puts survive, and drain in order */
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    for (i = -2; i < MAXP; i++)
        bad += ca_poll(&ch, &v) != CA_OK || v != i;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    for (i = 0; i < MAXP; i++)
        bad += lim_recs[i].calls != 1 || lim_recs[i].status != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(lim_recs[MAXP].calls, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* --------------------------------------------------- ops reused, ops freed */

/* A chain: each callback starts the next operation with the same op. */
typedef struct chain {
    ca_chan *ch;
    int val;    /* the value being put, or the destination of a take */
    int next;   /* the next value to put                               */
    int limit;  /* how many operations in all                          */
    int calls;  /* callbacks run                                       */
    int bad;    /* callbacks with a wrong status or value              */
    int rc_bad; /* restarts that did not return CA_OK                  */
    int depth, max_depth;
    int log[64];
} chain;

static void put_chain_cb(ca_op *op, int status)
{
    chain *c = (chain *)op->data;

    c->calls++;
    c->bad += status != CA_OK;
    if (c->next < c->limit) {
        c->val = c->next++;
        c->depth++;
        if (c->depth > c->max_depth)
            c->max_depth = c->depth;
        c->rc_bad += ca_put_async(c->ch, op, &c->val, put_chain_cb) != CA_OK;
        c->depth--;
    }
}

static void take_chain_cb(ca_op *op, int status)
{
    chain *c = (chain *)op->data;

    c->bad += status != CA_OK;
    if (c->calls < (int)(sizeof c->log / sizeof c->log[0]))
        c->log[c->calls] = c->val;
    c->calls++;
    if (c->calls < c->limit)
        c->rc_bad += ca_take_async(c->ch, op, &c->val, take_chain_cb) != CA_OK;
}

/* Queued ops reused by their callbacks: a producer whose put callback
** queues the next put, and a consumer whose take callback queues the next
** take, on unbuffered channels. */
static void async_op_reused_in_callback(void)
{
    enum { N = 20 };
    ca_chan ch;
    ca_op op;
    chain c;
    int i, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    memset(&c, 0, sizeof c);
    c.ch = &ch;
    c.limit = N;
    c.val = 0;
    c.next = 1;
    op.data = &c;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &c.val, put_chain_cb), CA_OK);
    for (i = 0; i < N; i++) {
        CA_ASSERT_EQ(c.calls, i);
        POLL_EQ(&ch, i);
        CHECK_PENDING(&ch, i < N - 1 ? 1 : 0, 0);
    }
    CA_ASSERT_EQ(c.calls, N);
    CA_ASSERT_EQ(c.bad, 0);
    CA_ASSERT_EQ(c.rc_bad, 0);
    CA_ASSERT_EQ(c.max_depth, 1);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);

    memset(&c, 0, sizeof c);
    c.ch = &ch;
    c.limit = N;
    c.val = -1;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &c.val, take_chain_cb), CA_OK);
    for (i = 0; i < N; i++) {
        CHECK_PENDING(&ch, 0, 1);
        v = 100 + i;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
        CA_ASSERT_EQ(c.calls, i + 1);
    }
    CHECK_PENDING(&ch, 0, 0);
    for (i = 0; i < N; i++)
        CA_ASSERT_EQ(c.log[i], 100 + i);
    CA_ASSERT_EQ(c.bad, 0);
    CA_ASSERT_EQ(c.rc_bad, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* Immediate ops reused by their callbacks: each put completes at once into
** a roomy buffer, so the callbacks nest inside ca_put_async. */
static void async_op_reused_immediately(void)
{
    enum { N = 40 };
    int buf[N];
    ca_chan ch;
    ca_op op;
    chain c;
    int i, v;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, N, sizeof(int), buf, sizeof buf),
                 CA_OK);
    memset(&c, 0, sizeof c);
    c.ch = &ch;
    c.limit = N;
    c.val = 0;
    c.next = 1;
    op.data = &c;
    CA_ASSERT_RC(ca_put_async(&ch, &op, &c.val, put_chain_cb), CA_OK);
    CA_ASSERT_EQ(c.calls, N);
    CA_ASSERT_EQ(c.bad, 0);
    CA_ASSERT_EQ(c.rc_bad, 0);
    CA_ASSERT_EQ(c.max_depth, N - 1);
    for (i = 0; i < N; i++)
        POLL_EQ(&ch, i);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);

    /* and a take chain over a full buffer: each take completes at once */
    for (i = 0; i < N; i++) {
        v = 200 + i;
        CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    }
    memset(&c, 0, sizeof c);
    c.ch = &ch;
    c.limit = N;
    CA_ASSERT_RC(ca_take_async(&ch, &op, &c.val, take_chain_cb), CA_OK);
    CA_ASSERT_EQ(c.calls, N);
    for (i = 0; i < N; i++)
        CA_ASSERT_EQ(c.log[i], 200 + i);
    CA_ASSERT_EQ(c.bad, 0);
    CA_ASSERT_EQ(c.rc_bad, 0);
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* An op in malloc'ed storage, with its value, freed by its own callback.
** The library must not touch it afterwards: ASan and valgrind watch. */
typedef struct heap_op {
    ca_op op;
    int val;
} heap_op;

static int freed_calls, freed_status;

static void free_cb(ca_op *op, int status)
{
    freed_calls++;
    freed_status = status;
    free(op->data);
}

static heap_op *heap_op_new(int val)
{
    heap_op *h = (heap_op *)malloc(sizeof *h);

    if (h != NULL) {
        memset(h, 0, sizeof *h);
        h->op.data = h;
        h->val = val;
    }
    return h;
}

static void async_op_freed_in_callback(void)
{
    ca_chan ch;
    heap_op *h;
    int buf[1], v, i;

    /* queued put, completed by a poll */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    freed_calls = 0;
    CU_ASSERT_FATAL((h = heap_op_new(61)) != NULL);
    CA_ASSERT_RC(ca_put_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    CA_ASSERT_EQ(freed_calls, 0);
    POLL_EQ(&ch, 61);
    CA_ASSERT_EQ(freed_calls, 1);
    CA_ASSERT_RC(freed_status, CA_OK);

    /* queued take, completed by an offer */
    CU_ASSERT_FATAL((h = heap_op_new(-1)) != NULL);
    CA_ASSERT_RC(ca_take_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    v = 62;
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(freed_calls, 2);
    CA_ASSERT_RC(freed_status, CA_OK);

    /* several queued takes, completed together by close */
    for (i = 0; i < 3; i++) {
        CU_ASSERT_FATAL((h = heap_op_new(-1)) != NULL);
        CA_ASSERT_RC(ca_take_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    }
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_EQ(freed_calls, 5);
    CA_ASSERT_RC(freed_status, CA_CLOSED);

    /* immediate completions on the closed channel */
    CU_ASSERT_FATAL((h = heap_op_new(63)) != NULL);
    CA_ASSERT_RC(ca_put_async(&ch, &h->op, &h->val, free_cb), CA_CLOSED);
    CA_ASSERT_EQ(freed_calls, 6);
    CU_ASSERT_FATAL((h = heap_op_new(-1)) != NULL);
    CA_ASSERT_RC(ca_take_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    CA_ASSERT_EQ(freed_calls, 7);
    CA_ASSERT_RC(freed_status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);

    /* immediate completions on a buffered channel, and a queued put moved
    ** into the buffer by a take */
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CU_ASSERT_FATAL((h = heap_op_new(64)) != NULL);
    CA_ASSERT_RC(ca_put_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    CA_ASSERT_EQ(freed_calls, 8);
    CU_ASSERT_FATAL((h = heap_op_new(65)) != NULL);
    CA_ASSERT_RC(ca_put_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    CA_ASSERT_EQ(freed_calls, 8);
    CU_ASSERT_FATAL((h = heap_op_new(-1)) != NULL);
    CA_ASSERT_RC(ca_take_async(&ch, &h->op, &h->val, free_cb), CA_OK);
    CA_ASSERT_EQ(freed_calls, 10);
    POLL_EQ(&ch, 65);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A callback that frees its op and then reuses the channel: a take freed
** by its callback, which puts a fresh heap op that waits. */
static ca_chan *relay_ch;

static void free_and_put_cb(ca_op *op, int status)
{
    heap_op *next;

    freed_calls++;
    freed_status = status;
    free(op->data);
    next = heap_op_new(500);
    if (next != NULL &&
        ca_put_async(relay_ch, &next->op, &next->val, free_cb) != CA_OK)
        free(next);
}

static void async_op_freed_then_channel_reused(void)
{
    ca_chan ch;
    heap_op *h;
    int v = 499;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    relay_ch = &ch;
    freed_calls = 0;
    CU_ASSERT_FATAL((h = heap_op_new(-1)) != NULL);
    CA_ASSERT_RC(ca_take_async(&ch, &h->op, &h->val, free_and_put_cb), CA_OK);
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_OK);
    CA_ASSERT_EQ(freed_calls, 1);
    CHECK_PENDING(&ch, 1, 0);
    POLL_EQ(&ch, 500);
    CA_ASSERT_EQ(freed_calls, 2);
    CA_ASSERT_RC(freed_status, CA_OK);
    CHECK_PENDING(&ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

static const ca_test tests[] = {
    {"async_put_immediate", async_put_immediate},
    {"async_take_immediate", async_take_immediate},
    {"async_put_queued", async_put_queued},
    {"async_take_queued", async_take_queued},
    {"async_put_take_meet", async_put_take_meet},
    {"async_null_callback", async_null_callback},
    {"async_put_closed", async_put_closed},
    {"async_take_closed", async_take_closed},
    {"async_op_data_untouched", async_op_data_untouched},
    {"async_signals", async_signals},
    {"async_limit_puts", async_limit_puts},
    {"async_limit_takes", async_limit_takes},
    {"async_limit_buffered", async_limit_buffered},
    {"async_op_reused_in_callback", async_op_reused_in_callback},
    {"async_op_reused_immediately", async_op_reused_immediately},
    {"async_op_freed_in_callback", async_op_freed_in_callback},
    {"async_op_freed_then_channel_reused", async_op_freed_then_channel_reused},
    {NULL, NULL}};

CA_TEST_MAIN("async", tests)
