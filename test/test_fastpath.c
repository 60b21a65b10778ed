/*
** test_fastpath.c: the cases a go block's TAKE and PUT must hand to the
** general path (chan.c's fast_op, issue 11), each seen from a go block:
** a take that frees a slot a waiting put refills, a promise that serves
** every taker, dropping and sliding buffers, closed channels and the puts
** that wait across a close, ALTS cases at the head of a queue (live and
** stale; claimed by the fast path itself, which drops the stale ones
** before it), the pending limit (with stale cases that do not count),
** transforms, channels declared for interrupts, the _BYTES and _SIGNAL
** forms, sizes that do not match, dead channels; and, with threads, a
** process that makes its first thread while blocks are parked (the
** channel locks are skipped until then, lock.h). MIT licence, see
** COPYING.
*/
#include <stdio.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

#define NOT_DONE (-100)

/* ------------------------------------------------------------ helpers */

/* One TAKE or PUT of an int, its status, and how many times the block's
** function ran: 1 if the op completed at once, 2 once it parked and was
** woken. */
typedef struct opgo {
    ca_go go;
    ca_chan *ch;
    int take, v, status, runs;
} opgo;

static int opgo_fn(ca_go *g)
{
    opgo *o = (opgo *)g;

    o->runs++;
    GO_BEGIN(g);
    if (o->take)
        TAKE(g, o->ch, &o->v);
    else
        PUT(g, o->ch, &o->v);
    o->status = GO_STATUS(g);
    GO_END(g);
}

static void opgo_start(ca_sched *s, opgo *o, ca_chan *ch, int take, int v)
{
    memset(o, 0, sizeof *o);
    o->ch = ch;
    o->take = take;
    o->v = v;
    o->status = NOT_DONE;
    CA_ASSERT_RC(ca_go_start(s, &o->go, opgo_fn), CA_OK);
}

/* One ALTS over up to 4 cases the test fills in. */
typedef struct altgo {
    ca_go go;
    ca_alt cases[4];
    size_t n;
    int vals[4];
    int alt, status, runs;
} altgo;

static int altgo_fn(ca_go *g)
{
    altgo *a = (altgo *)g;

    a->runs++;
    GO_BEGIN(g);
    ALTS(g, a->cases, a->n, CA_ALTS_PRIORITY);
    a->alt = GO_ALT(g);
    a->status = GO_STATUS(g);
    GO_END(g);
}

static void altgo_init(altgo *a, size_t n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->alt = -1;
    a->status = NOT_DONE;
}


#define CHECK_DONE(o, st, val, nruns)                                        \
    do {                                                                     \
        CA_ASSERT_RC((o)->status, (st));                                     \
        CA_ASSERT_EQ((o)->v, (val));                                         \
        CA_ASSERT_EQ((o)->runs, (nruns));                                    \
    } while (0)

/* ---------------------------------------------------- buffers and kinds */

/* A take from a full ring frees a slot: the oldest waiting put fills it
** and is woken, in order, as take_locked does. */
static void fast_take_refills_from_waiting_puts(void)
{
    ca_sched s;
    ichan c;
    opgo p1, p2, t1, t2, t3;

    held_begin(&s);
    ichan_init(&c, CA_FIXED, 1);
    OFFER(&c.ch, 1);
    opgo_start(&s, &p1, &c.ch, 0, 2);
    opgo_start(&s, &p2, &c.ch, 0, 3);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 2, 0);
    opgo_start(&s, &t1, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t1, CA_OK, 1, 1);
    CHECK_DONE(&p1, CA_OK, 2, 2); /* in the ring now */
    CHECK_COUNT(&c.ch, 1);
    CHECK_PENDING(&c.ch, 1, 0);
    opgo_start(&s, &t2, &c.ch, 1, -1);
    opgo_start(&s, &t3, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t2, CA_OK, 2, 1);
    CHECK_DONE(&t3, CA_OK, 3, 1);
    CHECK_DONE(&p1, CA_OK, 2, 2);
    CHECK_DONE(&p2, CA_OK, 3, 2);
    CHECK_PENDING(&c.ch, 0, 0);
    CHECK_COUNT(&c.ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* A put finds a taker waiting on every kind that has takers wait (the
** buffer is empty then): the value goes to it, never into the ring; a
** take finds a put waiting on an unbuffered channel. The waiting side is
** a go block, a callback, in turn. */
static void fast_handoff_every_kind(void)
{
    static const ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_DROPPING,
                                        CA_SLIDING};
    ca_sched s;
    ichan c;
    opgo t, p;
    ca_op op;
    rec r;
    size_t k;
    int dst;

    held_begin(&s);
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        ichan_init(&c, kinds[k], kinds[k] == CA_UNBUFFERED ? 0 : 2);
        opgo_start(&s, &t, &c.ch, 1, -1);
        held_settle(&s);
        CHECK_PENDING(&c.ch, 0, 1);
        opgo_start(&s, &p, &c.ch, 0, 10 + (int)k);
        held_settle(&s);
        CHECK_DONE(&t, CA_OK, 10 + (int)k, 2);
        CHECK_DONE(&p, CA_OK, 10 + (int)k, 1);
        CHECK_PENDING(&c.ch, 0, 0);
        CHECK_COUNT(&c.ch, 0);

        memset(&r, 0, sizeof r);
        op.data = &r;
        dst = -1;
        CA_ASSERT_RC(ca_take_async(&c.ch, &op, &dst, rec_cb), CA_OK);
        CA_ASSERT_EQ(r.calls, 0);
        opgo_start(&s, &p, &c.ch, 0, 20 + (int)k);
        held_settle(&s);
        CA_ASSERT_EQ(r.calls, 1);
        CA_ASSERT_RC(r.status, CA_OK);
        CA_ASSERT_EQ(dst, 20 + (int)k);
        CHECK_DONE(&p, CA_OK, 20 + (int)k, 1);
        CHECK_COUNT(&c.ch, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    }

    ichan_init(&c, CA_UNBUFFERED, 0);
    opgo_start(&s, &p, &c.ch, 0, 30);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 1, 0);
    opgo_start(&s, &t, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 30, 1);
    CHECK_DONE(&p, CA_OK, 30, 2);
    memset(&r, 0, sizeof r);
    op.data = &r;
    dst = 31;
    CA_ASSERT_RC(ca_put_async(&c.ch, &op, &dst, rec_cb), CA_OK);
    opgo_start(&s, &t, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 31, 1);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.status, CA_OK);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

#if CA_HAVE_MALLOC
/* The fast path tells the two usual kinds by the whole flags byte, with
** OWNED set: a channel of ca_chan_new's (OWNED) goes the ways one of
** ca_chan_init's goes: the hand-offs both ways, a ring that wraps round,
** and a put that waits on a full ring until a take refills it. */
static void fast_owned_channels(void)
{
    static const ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED};
    ca_sched s;
    ca_chan *ch;
    opgo t, p, q;
    size_t k;
    int i, fixed;

    held_begin(&s);
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        fixed = kinds[k] == CA_FIXED;
        CA_ASSERT_RC(ca_chan_new(&ch, kinds[k], fixed ? 2 : 0, sizeof(int)),
                     CA_OK);
        opgo_start(&s, &t, ch, 1, -1);
        held_settle(&s);
        CHECK_PENDING(ch, 0, 1);
        opgo_start(&s, &p, ch, 0, 5);
        held_settle(&s);
        CHECK_DONE(&t, CA_OK, 5, 2);
        CHECK_DONE(&p, CA_OK, 5, 1);
        for (i = 0; fixed && i < 5; i++) { /* the head goes round twice */
            opgo_start(&s, &p, ch, 0, i);
            held_settle(&s);
            CHECK_DONE(&p, CA_OK, i, 1);
            CHECK_COUNT(ch, 1);
            opgo_start(&s, &t, ch, 1, -1);
            held_settle(&s);
            CHECK_DONE(&t, CA_OK, i, 1);
        }
        for (i = 6; fixed && i < 8; i++) { /* fills it */
            opgo_start(&s, &p, ch, 0, i);
            held_settle(&s);
            CHECK_DONE(&p, CA_OK, i, 1);
        }
        opgo_start(&s, &q, ch, 0, 8);
        held_settle(&s);
        CHECK_PENDING(ch, 1, 0);
        opgo_start(&s, &t, ch, 1, -1);
        held_settle(&s);
        CHECK_DONE(&t, CA_OK, fixed ? 6 : 8, 1);
        CHECK_DONE(&q, CA_OK, 8, 2);
        CHECK_PENDING(ch, 0, 0);
        for (i = 7; fixed && i < 9; i++) { /* 8 came in from the wait */
            opgo_start(&s, &t, ch, 1, -1);
            held_settle(&s);
            CHECK_DONE(&t, CA_OK, i, 1);
        }
        CHECK_COUNT(ch, 0);
        CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    }
    held_end(&s);
}
#endif

/* A promise delivered by a go block serves every waiting taker, keeps
** its value for later takes, and ignores later puts. */
static void fast_promise_serves_all(void)
{
    ca_sched s;
    ichan c;
    opgo t[3], p, late;
    int i;

    held_begin(&s);
    ichan_init(&c, CA_PROMISE, 1);
    for (i = 0; i < 3; i++)
        opgo_start(&s, &t[i], &c.ch, 1, -1);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 0, 3);
    opgo_start(&s, &p, &c.ch, 0, 9);
    held_settle(&s);
    for (i = 0; i < 3; i++)
        CHECK_DONE(&t[i], CA_OK, 9, 2);
    CHECK_DONE(&p, CA_OK, 9, 1);
    CHECK_COUNT(&c.ch, 1);
    opgo_start(&s, &p, &c.ch, 0, 10);
    held_settle(&s);
    CHECK_DONE(&p, CA_OK, 10, 1); /* accepted, and dropped */
    opgo_start(&s, &late, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&late, CA_OK, 9, 1);
    CHECK_COUNT(&c.ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* Puts from a go block into full dropping and sliding buffers never park;
** the policy decides what stays. */
static void fast_dropping_sliding_never_park(void)
{
    ca_sched s;
    ichan d, sl;
    opgo p;
    int i;

    held_begin(&s);
    ichan_init(&d, CA_DROPPING, 2);
    ichan_init(&sl, CA_SLIDING, 2);
    for (i = 1; i <= 4; i++) {
        opgo_start(&s, &p, &d.ch, 0, i);
        held_settle(&s);
        CHECK_DONE(&p, CA_OK, i, 1);
        opgo_start(&s, &p, &sl.ch, 0, i);
        held_settle(&s);
        CHECK_DONE(&p, CA_OK, i, 1);
    }
    CHECK_PENDING(&d.ch, 0, 0);
    CHECK_PENDING(&sl.ch, 0, 0);
    POLL_EQ(&d.ch, 1);
    POLL_EQ(&d.ch, 2);
    POLL_EQ(&sl.ch, 3);
    POLL_EQ(&sl.ch, 4);
    CA_ASSERT_RC(ca_chan_destroy(&d.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sl.ch), CA_OK);
    held_end(&s);
}

/* ------------------------------------------------------------- closing */

/* A closed channel still gives what it holds, then the puts that waited
** across the close, and only then CA_CLOSED; a put on it is refused. */
static void fast_closed(void)
{
    ca_sched s;
    ichan c, u;
    opgo p, t;
    int want[] = {1, 2};
    int i;

    held_begin(&s);
    ichan_init(&c, CA_FIXED, 1);
    OFFER(&c.ch, 1);
    opgo_start(&s, &p, &c.ch, 0, 2);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 1, 0);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    for (i = 0; i < 2; i++) {
        opgo_start(&s, &t, &c.ch, 1, -1);
        held_settle(&s);
        CHECK_DONE(&t, CA_OK, want[i], 1);
    }
    CHECK_DONE(&p, CA_OK, 2, 2);
    opgo_start(&s, &t, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_CLOSED, -1, 1);
    opgo_start(&s, &p, &c.ch, 0, 3);
    held_settle(&s);
    CHECK_DONE(&p, CA_CLOSED, 3, 1);
    CHECK_COUNT(&c.ch, 0);

    /* Unbuffered: the waiting put is the only way a value gets through. */
    ichan_init(&u, CA_UNBUFFERED, 0);
    opgo_start(&s, &p, &u.ch, 0, 5);
    held_settle(&s);
    CA_ASSERT_RC(ca_close(&u.ch), CA_OK);
    opgo_start(&s, &t, &u.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 5, 1);
    CHECK_DONE(&p, CA_OK, 5, 2);
    opgo_start(&s, &t, &u.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_CLOSED, -1, 1);
    /* A take parked before the close ends CA_CLOSED. */
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    ichan_init(&u, CA_UNBUFFERED, 0);
    opgo_start(&s, &t, &u.ch, 1, -1);
    held_settle(&s);
    CA_ASSERT_RC(ca_close(&u.ch), CA_OK);
    held_settle(&s);
    CHECK_DONE(&t, CA_CLOSED, -1, 2);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* The waiter a go block's op completes is woken after the channel's
** lock is released: its callback may use the channel at once. (With the
** lock taken, that is after this file's first test made a thread, a wake
** under the lock would spin for ever: the watchdog reports it.) */
typedef struct reenter {
    ca_chan *ch;
    int calls, status, offer_rc, poll_rc, got;
} reenter;

static void reenter_cb(ca_op *op, int status)
{
    reenter *re = (reenter *)op->data;
    int v = 100;

    re->calls++;
    re->status = status;
    re->offer_rc = ca_offer(re->ch, &v);
    re->poll_rc = ca_poll(re->ch, &re->got);
}

static void fast_wake_after_unlock(void)
{
    ca_sched s;
    ichan c;
    ca_op op;
    reenter re;
    opgo p, t;
    int dst = -1, src = 7;

    held_begin(&s);
    ichan_init(&c, CA_FIXED, 2);
    memset(&re, 0, sizeof re);
    re.ch = &c.ch;
    re.got = -1;
    op.data = &re;
    CA_ASSERT_RC(ca_take_async(&c.ch, &op, &dst, reenter_cb), CA_OK);
    opgo_start(&s, &p, &c.ch, 0, 5);
    held_settle(&s);
    CHECK_DONE(&p, CA_OK, 5, 1);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.status, CA_OK);
    CA_ASSERT_EQ(dst, 5);
    CA_ASSERT_RC(re.offer_rc, CA_OK);
    CA_ASSERT_RC(re.poll_rc, CA_OK);
    CA_ASSERT_EQ(re.got, 100);

    /* The other way: a go block's take completes a waiting put. */
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&re, 0, sizeof re);
    re.ch = &c.ch;
    re.got = -1;
    CA_ASSERT_RC(ca_put_async(&c.ch, &op, &src, reenter_cb), CA_OK);
    opgo_start(&s, &t, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 7, 1);
    CA_ASSERT_EQ(re.calls, 1);
    CA_ASSERT_RC(re.offer_rc, CA_AGAIN); /* unbuffered, nobody waits */
    CA_ASSERT_RC(re.poll_rc, CA_AGAIN);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* ---------------------------------------------------------------- alts */

/* ALTS cases queue in order with plain ops: a case at the head of a
** queue is served first, a stale one is dropped and the plain op behind
** it served. take != 0: the ALTS and the plain op take from c and a go
** block puts; else they put and a go block takes. */
static void alts_at_head(int take, int stale)
{
    ca_sched s;
    ichan c, x;
    altgo a;
    opgo plain, other;
    int other_val;

    held_begin(&s);
    ichan_init(&c, CA_UNBUFFERED, 0);
    ichan_init(&x, CA_UNBUFFERED, 0);
    altgo_init(&a, 2);
    if (take) {
        CA_ASSERT_RC(ca_alt_take(&a.cases[0], &c.ch, &a.vals[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&a.cases[1], &x.ch, &a.vals[1]), CA_OK);
    } else {
        a.vals[0] = 100;
        a.vals[1] = 101;
        CA_ASSERT_RC(ca_alt_put(&a.cases[0], &c.ch, &a.vals[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_put(&a.cases[1], &x.ch, &a.vals[1]), CA_OK);
    }
    CA_ASSERT_RC(ca_go_start(&s, &a.go, altgo_fn), CA_OK);
    held_settle(&s);
    opgo_start(&s, &plain, &c.ch, take, 200);
    held_settle(&s);
    CHECK_PENDING(&c.ch, take ? 0 : 2, take ? 2 : 0);
    /* The other side's block is made ready before the ALTS can be, so it
    ** runs while the ALTS's case on c is still queued. */
    opgo_start(&s, &other, &c.ch, !take, 300);
    if (stale) {
        /* Claimed through x: its case on c is stale from here on. */
        other_val = 7;
        if (take)
            CA_ASSERT_RC(ca_offer(&x.ch, &other_val), CA_OK);
        else
            CA_ASSERT_RC(ca_poll(&x.ch, &other_val), CA_OK);
    }
    held_settle(&s);
    if (stale) {
        CA_ASSERT_EQ(a.alt, 1);
        CA_ASSERT_RC(a.status, CA_OK);
        if (take)
            CA_ASSERT_EQ(a.vals[1], 7);
        else
            CA_ASSERT_EQ(other_val, 101);
        /* The plain op behind the stale case got the value. */
        CA_ASSERT_RC(plain.status, CA_OK);
        CA_ASSERT_EQ(take ? plain.v : other.v, take ? 300 : 200);
    } else {
        CA_ASSERT_EQ(a.alt, 0);
        CA_ASSERT_RC(a.status, CA_OK);
        if (take)
            CA_ASSERT_EQ(a.vals[0], 300);
        else
            CA_ASSERT_EQ(other.v, 100);
        CA_ASSERT_EQ(plain.status, NOT_DONE);
        CHECK_PENDING(&c.ch, take ? 0 : 1, take ? 1 : 0);
        CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
        if (take) {
            held_settle(&s);
            CA_ASSERT_RC(plain.status, CA_CLOSED);
        } else {
            POLL_EQ(&c.ch, 200); /* a put that waited across the close */
            held_settle(&s);
            CA_ASSERT_RC(plain.status, CA_OK);
        }
    }
    CA_ASSERT_RC(other.status, CA_OK);
    CA_ASSERT_EQ(a.runs, 2);
    CHECK_PENDING(&c.ch, 0, 0);
    CHECK_PENDING(&x.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&x.ch), CA_OK);
    held_end(&s);
}

static void fast_alts_taker_at_head(void)
{
    alts_at_head(1, 0);
}

static void fast_alts_stale_taker_at_head(void)
{
    alts_at_head(1, 1);
}

static void fast_alts_putter_at_head(void)
{
    alts_at_head(0, 0);
}

static void fast_alts_stale_putter_at_head(void)
{
    alts_at_head(0, 1);
}

/* A go block's op that meets an ALTS case at the head of the queue
** claims it itself (W3's fan-in): the ALTS resumes with that case, and its
** other cases leave their queues. take != 0: the ALTS takes, the op puts. */
static void alts_claimed_by_op(int take)
{
    ca_sched s;
    ichan c[3];
    altgo a;
    opgo o;
    int k;

    held_begin(&s);
    altgo_init(&a, 3);
    for (k = 0; k < 3; k++) {
        ichan_init(&c[k], CA_UNBUFFERED, 0);
        a.vals[k] = 100 + k;
        if (take)
            CA_ASSERT_RC(ca_alt_take(&a.cases[k], &c[k].ch, &a.vals[k]),
                         CA_OK);
        else
            CA_ASSERT_RC(ca_alt_put(&a.cases[k], &c[k].ch, &a.vals[k]),
                         CA_OK);
    }
    CA_ASSERT_RC(ca_go_start(&s, &a.go, altgo_fn), CA_OK);
    held_settle(&s);
    for (k = 0; k < 3; k++)
        CHECK_PENDING(&c[k].ch, take ? 0 : 1, take ? 1 : 0);
    opgo_start(&s, &o, &c[1].ch, !take, 7);
    held_settle(&s);
    CHECK_DONE(&o, CA_OK, take ? 7 : 101, 1); /* never parked */
    CA_ASSERT_EQ(a.alt, 1);
    CA_ASSERT_RC(a.status, CA_OK);
    CA_ASSERT_EQ(a.vals[1], take ? 7 : 101);
    CA_ASSERT_EQ(a.vals[0], 100);
    CA_ASSERT_EQ(a.vals[2], 102);
    CA_ASSERT_EQ(a.runs, 2);
    for (k = 0; k < 3; k++) {
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
    held_end(&s);
}

static void fast_alts_taker_claimed(void)
{
    alts_claimed_by_op(1);
}

static void fast_alts_putter_claimed(void)
{
    alts_claimed_by_op(0);
}

/* W3's other producers: ops on the channels of an ALTS that another op
** has just claimed, before the ALTS resumes, find nothing but its stale
** case. It is dropped, and the op carries on as on an empty queue: it
** parks on an unbuffered channel, fills a fixed ring that has room. */
static void alts_stale_only(int take)
{
    ca_sched s;
    ichan c0, c1, f;
    altgo a;
    opgo o0, o1, o2, late;

    held_begin(&s);
    ichan_init(&c0, CA_UNBUFFERED, 0);
    ichan_init(&c1, CA_UNBUFFERED, 0);
    ichan_init(&f, CA_FIXED, 2);
    altgo_init(&a, take ? 3 : 2);
    if (take) {
        CA_ASSERT_RC(ca_alt_take(&a.cases[0], &c0.ch, &a.vals[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&a.cases[1], &c1.ch, &a.vals[1]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&a.cases[2], &f.ch, &a.vals[2]), CA_OK);
    } else {
        a.vals[0] = 100;
        a.vals[1] = 101;
        CA_ASSERT_RC(ca_alt_put(&a.cases[0], &c0.ch, &a.vals[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_put(&a.cases[1], &c1.ch, &a.vals[1]), CA_OK);
    }
    CA_ASSERT_RC(ca_go_start(&s, &a.go, altgo_fn), CA_OK);
    held_settle(&s);
    /* All made ready before the ALTS can be: o0 claims it, o1 (and o2)
    ** run while its other cases are still queued. */
    opgo_start(&s, &o0, &c0.ch, !take, 10);
    opgo_start(&s, &o1, &c1.ch, !take, 11);
    if (take)
        opgo_start(&s, &o2, &f.ch, 0, 12);
    held_settle(&s);
    CA_ASSERT_EQ(a.alt, 0);
    CA_ASSERT_RC(a.status, CA_OK);
    CHECK_DONE(&o0, CA_OK, take ? 10 : 100, 1);
    CA_ASSERT_EQ(a.vals[0], take ? 10 : 100);
    /* o1 parked behind nothing: the stale case is gone, o1 waits alone. */
    CA_ASSERT_RC(o1.status, NOT_DONE);
    CA_ASSERT_EQ(o1.runs, 1);
    CHECK_PENDING(&c1.ch, take ? 1 : 0, take ? 0 : 1);
    CHECK_PENDING(&c0.ch, 0, 0);
    if (take) {
        CHECK_DONE(&o2, CA_OK, 12, 1); /* into the ring */
        CHECK_PENDING(&f.ch, 0, 0);
        CHECK_COUNT(&f.ch, 1);
        POLL_EQ(&f.ch, 12);
    }
    opgo_start(&s, &late, &c1.ch, take, 20);
    held_settle(&s);
    CHECK_DONE(&late, CA_OK, take ? 11 : 20, 1);
    CHECK_DONE(&o1, CA_OK, take ? 11 : 20, 2);
    CA_ASSERT_EQ(a.vals[1], 101 * !take); /* the ALTS never touched it */
    CHECK_PENDING(&c1.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c0.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&f.ch), CA_OK);
    held_end(&s);
}

static void fast_alts_stale_only_take(void)
{
    alts_stale_only(1);
}

static void fast_alts_stale_only_put(void)
{
    alts_stale_only(0);
}

/* rev-ring12: a fixed ring's put reads no takers once it holds values.
** Two ALTS wait to take on f and on their own unbuffered channel; offers
** on those claim both, leaving two stale cases queued (pinned) on f. Before
** the ALTS resume, three PUTs: the first drops both stale cases and goes
** into the ring, the second finds it holding a value (no takers read), the
** third waits on the full ring. Then the ALTS clean up, and takes get the
** values in order, the waiting put refilling the freed slot. */
static void fast_fixed_put_past_stale_takers(void)
{
    ca_sched s;
    ichan f, x[2];
    altgo a[2];
    opgo p[3], t[3];
    int k, other[2] = {40, 41};

    held_begin(&s);
    ichan_init(&f, CA_FIXED, 2);
    for (k = 0; k < 2; k++) {
        ichan_init(&x[k], CA_UNBUFFERED, 0);
        altgo_init(&a[k], 2);
        CA_ASSERT_RC(ca_alt_take(&a[k].cases[0], &f.ch, &a[k].vals[0]),
                     CA_OK);
        CA_ASSERT_RC(ca_alt_take(&a[k].cases[1], &x[k].ch, &a[k].vals[1]),
                     CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &a[k].go, altgo_fn), CA_OK);
    }
    held_settle(&s);
    CHECK_PENDING(&f.ch, 0, 2);
    for (k = 0; k < 2; k++) /* claims each ALTS; neither has resumed */
        CA_ASSERT_RC(ca_offer(&x[k].ch, &other[k]), CA_OK);
    for (k = 0; k < 3; k++)
        opgo_start(&s, &p[k], &f.ch, 0, 70 + k);
    held_settle(&s);
    CHECK_DONE(&p[0], CA_OK, 70, 1);
    CHECK_DONE(&p[1], CA_OK, 71, 1);
    CA_ASSERT_RC(p[2].status, NOT_DONE);
    CHECK_COUNT(&f.ch, 2);
    CHECK_PENDING(&f.ch, 1, 0);
    for (k = 0; k < 2; k++) {
        CA_ASSERT_EQ(a[k].alt, 1);
        CA_ASSERT_EQ(a[k].vals[1], other[k]);
    }
    for (k = 0; k < 3; k++) {
        opgo_start(&s, &t[k], &f.ch, 1, -1);
        held_settle(&s);
        CHECK_DONE(&t[k], CA_OK, 70 + k, 1);
    }
    CHECK_DONE(&p[2], CA_OK, 72, 2);
    CHECK_COUNT(&f.ch, 0);
    CHECK_PENDING(&f.ch, 0, 0);
    for (k = 0; k < 2; k++)
        CA_ASSERT_RC(ca_chan_destroy(&x[k].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&f.ch), CA_OK);
    held_end(&s);
}

/* Two stale cases, then a live one: the op drops both and claims the
** third ALTS. */
static void fast_alts_stale_then_live(void)
{
    ca_sched s;
    ichan c, x[2];
    altgo a[3];
    opgo o;
    int k, other[2] = {40, 41};

    held_begin(&s);
    ichan_init(&c, CA_UNBUFFERED, 0);
    for (k = 0; k < 3; k++) {
        altgo_init(&a[k], k < 2 ? 2 : 1);
        CA_ASSERT_RC(ca_alt_take(&a[k].cases[0], &c.ch, &a[k].vals[0]),
                     CA_OK);
        if (k < 2) {
            ichan_init(&x[k], CA_UNBUFFERED, 0);
            CA_ASSERT_RC(ca_alt_take(&a[k].cases[1], &x[k].ch,
                                     &a[k].vals[1]),
                         CA_OK);
        }
        CA_ASSERT_RC(ca_go_start(&s, &a[k].go, altgo_fn), CA_OK);
    }
    held_settle(&s);
    CHECK_PENDING(&c.ch, 0, 3);
    opgo_start(&s, &o, &c.ch, 0, 9); /* runs before the two claimed */
    for (k = 0; k < 2; k++)
        CA_ASSERT_RC(ca_offer(&x[k].ch, &other[k]), CA_OK);
    held_settle(&s);
    CHECK_DONE(&o, CA_OK, 9, 1);
    for (k = 0; k < 2; k++) {
        CA_ASSERT_EQ(a[k].alt, 1);
        CA_ASSERT_EQ(a[k].vals[1], other[k]);
        CHECK_PENDING(&x[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&x[k].ch), CA_OK);
    }
    CA_ASSERT_EQ(a[2].alt, 0);
    CA_ASSERT_RC(a[2].status, CA_OK);
    CA_ASSERT_EQ(a[2].vals[0], 9);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* -------------------------------------------------------- pending limit */

#define MAXP CA_CONFIG_MAX_PENDING
static opgo many[MAXP + 1];

/* CA_CONFIG_MAX_PENDING waiting ops of one kind, and the next one is
** refused with CA_EFULL without parking; then every waiter completes. */
static void pending_limit(int take)
{
    ca_sched s;
    ichan c;
    opgo o;
    size_t i;
    int v;

    held_begin(&s);
    ichan_init(&c, CA_UNBUFFERED, 0);
    for (i = 0; i < MAXP; i++)
        opgo_start(&s, &many[i], &c.ch, take, (int)i);
    held_settle(&s);
    CHECK_PENDING(&c.ch, take ? 0 : MAXP, take ? MAXP : 0);
    opgo_start(&s, &o, &c.ch, take, -2);
    held_settle(&s);
    CHECK_DONE(&o, CA_EFULL, -2, 1);
    CHECK_PENDING(&c.ch, take ? 0 : MAXP, take ? MAXP : 0);
    for (i = 0; i < MAXP; i++) {
        v = (int)i;
        if (take)
            CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK);
        else
            POLL_EQ(&c.ch, v);
    }
    held_settle(&s);
    for (i = 0; i < MAXP; i++)
        CHECK_DONE(&many[i], CA_OK, (int)i, 2);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

static void fast_pending_limit_take(void)
{
    pending_limit(1);
}

static void fast_pending_limit_put(void)
{
    pending_limit(0);
}

/* A stale ALTS case does not count towards the limit: with the queue
** full only because of it, the next op parks. */
static void fast_pending_limit_stale_not_counted(void)
{
    ca_sched s;
    ichan c, x;
    altgo a;
    opgo o;
    size_t i;
    int v = 5;

    held_begin(&s);
    ichan_init(&c, CA_UNBUFFERED, 0);
    ichan_init(&x, CA_UNBUFFERED, 0);
    altgo_init(&a, 2);
    CA_ASSERT_RC(ca_alt_take(&a.cases[0], &c.ch, &a.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&a.cases[1], &x.ch, &a.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, altgo_fn), CA_OK);
    held_settle(&s);
    for (i = 0; i + 1 < MAXP; i++)
        opgo_start(&s, &many[i], &c.ch, 1, -1);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 0, MAXP);
    opgo_start(&s, &o, &c.ch, 1, -1); /* runs before the ALTS cleans up */
    CA_ASSERT_RC(ca_offer(&x.ch, &v), CA_OK);
    held_settle(&s);
    CA_ASSERT_EQ(a.alt, 1);
    CA_ASSERT_EQ(a.vals[1], 5);
    CA_ASSERT_EQ(o.status, NOT_DONE); /* parked, not refused */
    CA_ASSERT_EQ(o.runs, 1);
    CHECK_PENDING(&c.ch, 0, MAXP);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    held_settle(&s);
    CHECK_DONE(&o, CA_CLOSED, -1, 2);
    for (i = 0; i + 1 < MAXP; i++)
        CHECK_DONE(&many[i], CA_CLOSED, -1, 2);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&x.ch), CA_OK);
    held_end(&s);
}

/* ------------------------------------------------- transforms, interrupts */

static int times_ten(void *ud, const void *in, void *out)
{
    (void)ud;
    *(int *)out = *(const int *)in * 10;
    return CA_OK;
}

/* Puts on a transformed channel of ints to ints (the input has the
** element size, so the fast path is tried) go through the step, also to
** a taker that waits. */
static void fast_xf_goes_through_step(void)
{
    static unsigned char storage[CA_XF_STORAGE(2, 1, sizeof(int))];
    ca_xf_map_t m;
    ca_chan c;
    ca_sched s;
    opgo t, p;

    held_begin(&s);
    CA_ASSERT_RC(ca_xf_map(&m, times_ten, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&c, CA_FIXED, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL),
                 CA_OK);
    opgo_start(&s, &t, &c, 1, -1);
    held_settle(&s);
    opgo_start(&s, &p, &c, 0, 3);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 30, 2);
    CHECK_DONE(&p, CA_OK, 3, 1);
    opgo_start(&s, &p, &c, 0, 4);
    held_settle(&s);
    CHECK_DONE(&p, CA_OK, 4, 1);
    opgo_start(&s, &t, &c, 1, -1);
    held_settle(&s);
    CHECK_DONE(&t, CA_OK, 40, 1);
    CA_ASSERT_RC(ca_chan_destroy(&c), CA_OK);
    held_end(&s);
}

/* A channel declared for interrupts: go blocks hand values to each other
** and to ca_offer_isr/ca_poll_isr, and nothing stays counted as waiting
** (a count left behind would keep ca_sched_run from ever returning). */
static void fast_isr_channel(void)
{
    ca_sched s;
    ichan c;
    opgo t, p;
    int v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_chan_set_isr(&c.ch), CA_OK);
    opgo_start(&s, &t, &c.ch, 1, -1);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CHECK_PENDING(&c.ch, 0, 1);
    opgo_start(&s, &p, &c.ch, 0, 8);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CHECK_DONE(&t, CA_OK, 8, 2);
    CHECK_DONE(&p, CA_OK, 8, 1);

    opgo_start(&s, &t, &c.ch, 1, -1);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    v = 9;
    CA_ASSERT_RC(ca_offer_isr(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CHECK_DONE(&t, CA_OK, 9, 2);

    opgo_start(&s, &p, &c.ch, 0, 10);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    v = -1;
    CA_ASSERT_RC(ca_poll_isr(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 10);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CHECK_DONE(&p, CA_OK, 10, 2);
    CHECK_PENDING(&c.ch, 0, 0);
    /* Nothing stays counted: a block that waits for good on another
    ** channel is a deadlock (provable only without other threads). */
    if (!UNDER_TSAN) {
        ichan z;
        ichan_init(&z, CA_UNBUFFERED, 0);
        opgo_start(&s, &t, &z.ch, 1, -1);
        CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
        CA_ASSERT_RC(ca_close(&z.ch), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CHECK_DONE(&t, CA_CLOSED, -1, 2);
        CA_ASSERT_RC(ca_chan_destroy(&z.ch), CA_OK);
    }
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------- sizes, signals */

typedef struct three {
    unsigned char b[3];
} three;

typedef struct bytesgo {
    ca_go go;
    ca_chan *ch;
    int take;
    three v;
    int status, runs;
} bytesgo;

static int bytesgo_fn(ca_go *g)
{
    bytesgo *o = (bytesgo *)g;
    void *p = &o->v;

    o->runs++;
    GO_BEGIN(g);
    if (o->ch->elem_size == 0) {
        if (o->take)
            TAKE_SIGNAL(g, o->ch);
        else
            PUT_SIGNAL(g, o->ch);
    } else if (o->take) {
        TAKE_BYTES(g, o->ch, p);
    } else {
        PUT_BYTES(g, o->ch, p);
    }
    o->status = GO_STATUS(g);
    GO_END(g);
}

static void bytesgo_start(ca_sched *s, bytesgo *o, ca_chan *ch, int take,
                          unsigned char fill)
{
    memset(o, 0, sizeof *o);
    memset(o->v.b, fill, sizeof o->v.b);
    o->ch = ch;
    o->take = take;
    o->status = NOT_DONE;
    CA_ASSERT_RC(ca_go_start(s, &o->go, bytesgo_fn), CA_OK);
}

/* The _BYTES forms (any size) and the _SIGNAL forms (no value) hand over
** both ways, parked on either side. */
static void fast_bytes_and_signal(void)
{
    ca_sched s;
    ca_chan c, sig;
    bytesgo t, p;
    int order;

    held_begin(&s);
    CA_ASSERT_RC(ca_chan_init(&c, CA_UNBUFFERED, 0, sizeof(three), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&sig, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    for (order = 0; order < 2; order++) {
        ca_chan *chs[2];
        int k;

        chs[0] = &c;
        chs[1] = &sig;
        for (k = 0; k < 2; k++) {
            bytesgo *first = order ? &p : &t, *second = order ? &t : &p;
            bytesgo_start(&s, first, chs[k], !order, order ? 0x5a : 0);
            held_settle(&s);
            bytesgo_start(&s, second, chs[k], order, order ? 0 : 0x5a);
            held_settle(&s);
            CA_ASSERT_RC(t.status, CA_OK);
            CA_ASSERT_RC(p.status, CA_OK);
            CA_ASSERT_EQ(first->runs, 2);
            CA_ASSERT_EQ(second->runs, 1);
            if (k == 0)
                CA_ASSERT_EQ(t.v.b[0] == 0x5a && t.v.b[2] == 0x5a, 1);
            CHECK_PENDING(chs[k], 0, 0);
        }
    }
    CA_ASSERT_RC(ca_chan_destroy(&c), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sig), CA_OK);
    held_end(&s);
}

typedef struct wronggo {
    ca_go go;
    ca_chan *ch;
    short sv;
    long long lv;
    int take_status, put_status;
} wronggo;

static int wronggo_fn(ca_go *g)
{
    wronggo *w = (wronggo *)g;

    GO_BEGIN(g);
    TAKE(g, w->ch, &w->sv);
    w->take_status = GO_STATUS(g);
    PUT(g, w->ch, &w->lv);
    w->put_status = GO_STATUS(g);
    GO_END(g);
}

/* A value of the wrong size is refused without parking, and nothing is
** queued or moved; so is any op on a destroyed or a zeroed channel. */
static void fast_wrong_size_and_dead(void)
{
    ca_sched s;
    ichan c;
    ca_chan zero;
    wronggo w;
    opgo o;

    held_begin(&s);
    ichan_init(&c, CA_FIXED, 1);
    OFFER(&c.ch, 4);
    memset(&w, 0, sizeof w);
    w.ch = &c.ch;
    w.sv = 11;
    w.lv = 12;
    w.take_status = w.put_status = NOT_DONE;
    CA_ASSERT_RC(ca_go_start(&s, &w.go, wronggo_fn), CA_OK);
    held_settle(&s);
    CA_ASSERT_RC(w.take_status, CA_EINVAL);
    CA_ASSERT_RC(w.put_status, CA_EINVAL);
    CA_ASSERT_EQ(w.sv, 11);
    CHECK_COUNT(&c.ch, 1);
    CHECK_PENDING(&c.ch, 0, 0);
    POLL_EQ(&c.ch, 4);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    opgo_start(&s, &o, &c.ch, 1, -1);
    held_settle(&s);
    CHECK_DONE(&o, CA_EBADCHAN, -1, 1);
    opgo_start(&s, &o, &c.ch, 0, 1);
    held_settle(&s);
    CHECK_DONE(&o, CA_EBADCHAN, 1, 1);
    memset(&zero, 0, sizeof zero);
    opgo_start(&s, &o, &zero, 1, -1);
    held_settle(&s);
    CHECK_DONE(&o, CA_EBADCHAN, -1, 1);
    held_end(&s);
}

/* ---------------------------------------------------- the hand-off slot */

/* A hand-off from a go block leaves the block it wakes in the driver's
** hand-off slot, run straight after the waker only when nothing in the
** run queue was woken before it (src/internal.h). Each run of a block's
** function below writes its id to `order`: the order must be the run
** queue's, whatever else the waker does in the same run. The values are
** longs (the word-sized entry points, ca__go_take_word). */
static char order[16];
static size_t norder;

enum { H_TAKE, H_PUT, H_PUT2, H_PUT_CLOSE, H_PUT_YIELD, H_NOP, H_TAKE_PAIR,
       H_PUT_PAIR };

/* A value of two words: not a pointer's size, so the general entry
** points (and on LP64 the fast path that copies with memcpy). */
typedef struct pair {
    long a, b;
} pair;

typedef struct hgo {
    ca_go go;
    ca_chan *a, *b;
    long v;
    pair p;
    int mode, status;
    char id;
} hgo;

static int hgo_fn(ca_go *g)
{
    hgo *h = (hgo *)g;

    if (norder < sizeof order - 1)
        order[norder++] = h->id;
    GO_BEGIN(g);
    if (h->mode == H_TAKE) {
        TAKE(g, h->a, &h->v);
    } else if (h->mode == H_TAKE_PAIR) {
        TAKE(g, h->a, &h->p);
    } else if (h->mode == H_PUT_PAIR) {
        PUT(g, h->a, &h->p);
    } else if (h->mode != H_NOP) {
        PUT(g, h->a, &h->v);
        if (h->mode == H_PUT2)
            PUT(g, h->b, &h->v);
        else if (h->mode == H_PUT_CLOSE)
            CA_ASSERT_RC(ca_close(h->b), CA_OK);
        else if (h->mode == H_PUT_YIELD)
            YIELD(g);
    }
    h->status = GO_STATUS(g);
    GO_END(g);
}

static void hgo_start(ca_sched *s, hgo *h, char id, int mode, ca_chan *a,
                      ca_chan *b, long v)
{
    memset(h, 0, sizeof *h);
    h->id = id;
    h->mode = mode;
    h->a = a;
    h->b = b;
    h->v = v;
    h->status = NOT_DONE;
    CA_ASSERT_RC(ca_go_start(s, &h->go, hgo_fn), CA_OK);
}

static void lchan_init(ca_chan *ch)
{
    CA_ASSERT_RC(ca_chan_init(ch, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
                 CA_OK);
}

/* Every slot test's start: the order log empty, a scheduler, a channel of
** longs, and block B parked taking from it. */
static void slot_begin(ca_sched *s, ca_chan *c1, hgo *b)
{
    norder = 0;
    held_begin(s);
    lchan_init(c1);
    hgo_start(s, b, 'B', H_TAKE, c1, NULL, 0);
    held_settle(s);
}

static void slot_end(ca_sched *s, ca_chan *c1)
{
    CA_ASSERT_RC(ca_chan_destroy(c1), CA_OK);
    held_end(s);
}

#define CHECK_ORDER(want)                                                    \
    do {                                                                     \
        order[norder] = '\0';                                                \
        CA_ASSERT_EQ(strcmp(order, (want)), 0);                              \
        if (strcmp(order, (want)) != 0)                                      \
            fprintf(stderr, "order %s, want %s\n", order, (want));           \
    } while (0)

/* The block a hand-off wakes runs after the ones already ready (C, started
** after A), and straight after its waker when none is (B's second turn,
** once D woke it). */
static void slot_keeps_queue_order(void)
{
    ca_sched s;
    ca_chan c1;
    hgo a, b, c, d;

    slot_begin(&s, &c1, &b);
    hgo_start(&s, &a, 'A', H_PUT, &c1, NULL, 7);
    hgo_start(&s, &c, 'C', H_NOP, NULL, NULL, 0);
    held_settle(&s);
    CHECK_ORDER("BACB");
    CA_ASSERT_RC(b.status, CA_OK);
    CA_ASSERT_EQ(b.v, 7);
    CA_ASSERT_RC(a.status, CA_OK);
    hgo_start(&s, &b, 'B', H_TAKE, &c1, NULL, 0);
    held_settle(&s);
    hgo_start(&s, &d, 'D', H_PUT, &c1, NULL, 8);
    held_settle(&s);
    CHECK_ORDER("BACBBDB");
    CA_ASSERT_EQ(b.v, 8);
    slot_end(&s, &c1);
}

/* A second hand-off in the same run, and a wake by another way (a close),
** each come after the block in the slot, which was woken first. */
static void slot_second_wake_after_first(void)
{
    ca_sched s;
    ca_chan c1, c2;
    hgo a, b1, b2;
    int close;

    held_begin(&s);
    lchan_init(&c1);
    lchan_init(&c2);
    for (close = 0; close < 2; close++) {
        norder = 0;
        hgo_start(&s, &b1, '1', H_TAKE, &c1, NULL, 0);
        hgo_start(&s, &b2, '2', H_TAKE, &c2, NULL, 0);
        held_settle(&s);
        hgo_start(&s, &a, 'A', close ? H_PUT_CLOSE : H_PUT2, &c1, &c2, 5);
        held_settle(&s);
        CHECK_ORDER("12A12");
        CA_ASSERT_RC(b1.status, CA_OK);
        CA_ASSERT_EQ(b1.v, 5);
        CA_ASSERT_RC(b2.status, close ? CA_CLOSED : CA_OK);
        CA_ASSERT_EQ(b2.v, close ? 0 : 5);
    }
    CA_ASSERT_RC(ca_chan_destroy(&c1), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c2), CA_OK);
    held_end(&s);
}

/* A block that yields after a hand-off runs after the block it woke. */
static void slot_before_yield(void)
{
    ca_sched s;
    ca_chan c1;
    hgo a, b;

    slot_begin(&s, &c1, &b);
    hgo_start(&s, &a, 'A', H_PUT_YIELD, &c1, NULL, 3);
    held_settle(&s);
    CHECK_ORDER("BABA");
    CA_ASSERT_EQ(b.v, 3);
    CA_ASSERT_RC(a.status, CA_OK);
    slot_end(&s, &c1);
}

/* ca_sched_step runs each block ready when it starts at most once: the
** block a hand-off woke waits for the next step, even with nothing else
** ready (the step's budget is spent), and the step says it is ready. */
static void slot_step_budget(void)
{
    ca_sched s;
    ca_chan c1;
    hgo a, b;
    uint32_t next = 99;

    slot_begin(&s, &c1, &b);
    hgo_start(&s, &a, 'A', H_PUT, &c1, NULL, 4);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CHECK_ORDER("BA");
    CA_ASSERT_EQ(next, 0);
    CA_ASSERT_RC(b.status, NOT_DONE);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CHECK_ORDER("BAB");
    CA_ASSERT_RC(b.status, CA_OK);
    CA_ASSERT_EQ(b.v, 4);
    slot_end(&s, &c1);
}

/* A step whose last run hands off while blocks wait in the queue: the
** queue's head, taken to run next (sched.c's rotate), is put back at the
** head when the budget ends there, before the block the hand-off woke.
** A and E wake 1 and 2 in turn: 1 must run before 2 in the next step. */
static void slot_step_ends_on_rotate(void)
{
    ca_sched s;
    ca_chan c1, c2;
    hgo a, e, b1, b2;
    uint32_t next = 99;

    norder = 0;
    held_begin(&s);
    lchan_init(&c1);
    lchan_init(&c2);
    hgo_start(&s, &b1, '1', H_TAKE, &c1, NULL, 0);
    hgo_start(&s, &b2, '2', H_TAKE, &c2, NULL, 0);
    held_settle(&s);
    hgo_start(&s, &a, 'A', H_PUT, &c1, NULL, 6);
    hgo_start(&s, &e, 'E', H_PUT, &c2, NULL, 9);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CHECK_ORDER("12AE");
    CA_ASSERT_EQ(next, 0);
    CA_ASSERT_RC(b1.status, NOT_DONE);
    CA_ASSERT_RC(b2.status, NOT_DONE);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CHECK_ORDER("12AE12");
    CA_ASSERT_RC(b1.status, CA_OK);
    CA_ASSERT_EQ(b1.v, 6);
    CA_ASSERT_RC(b2.status, CA_OK);
    CA_ASSERT_EQ(b2.v, 9);
    held_settle(&s);
    CA_ASSERT_RC(ca_chan_destroy(&c1), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c2), CA_OK);
    held_end(&s);
}

/* Values of other sizes than a pointer's: two longs (the general fast
** path, which copies with memcpy) and an int, handed off and through a
** ring, each way. */
static void slot_other_sizes(void)
{
    static pair ring[2];
    ca_sched s;
    ca_chan c;
    hgo t, p;
    ichan ic;
    opgo it, ip;
    int k;

    held_begin(&s);
    for (k = 0; k < 2; k++) {
        if (k == 0)
            CA_ASSERT_RC(ca_chan_init(&c, CA_UNBUFFERED, 0, sizeof(pair),
                                      NULL, 0),
                         CA_OK);
        else
            CA_ASSERT_RC(ca_chan_init(&c, CA_FIXED, 2, sizeof(pair), ring,
                                      sizeof ring),
                         CA_OK);
        hgo_start(&s, &t, 'T', H_TAKE_PAIR, &c, NULL, 0);
        held_settle(&s);
        CHECK_PENDING(&c, 0, 1);
        hgo_start(&s, &p, 'P', H_PUT_PAIR, &c, NULL, 0);
        p.p.a = 10 + k;
        p.p.b = -20 - k;
        held_settle(&s);
        CA_ASSERT_RC(t.status, CA_OK);
        CA_ASSERT_RC(p.status, CA_OK);
        CA_ASSERT_EQ(t.p.a, 10 + k);
        CA_ASSERT_EQ(t.p.b, -20 - k);
        /* The other way round: the put waits (unbuffered) or fills the
        ** ring, the take finds it. */
        hgo_start(&s, &p, 'P', H_PUT_PAIR, &c, NULL, 0);
        p.p.a = 30 + k;
        p.p.b = -40 - k;
        held_settle(&s);
        CHECK_PENDING(&c, k == 0 ? 1 : 0, 0);
        hgo_start(&s, &t, 'T', H_TAKE_PAIR, &c, NULL, 0);
        held_settle(&s);
        CA_ASSERT_RC(t.status, CA_OK);
        CA_ASSERT_RC(p.status, CA_OK);
        CA_ASSERT_EQ(t.p.a, 30 + k);
        CA_ASSERT_EQ(t.p.b, -40 - k);
        CHECK_PENDING(&c, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c), CA_OK);
    }
    ichan_init(&ic, CA_UNBUFFERED, 0);
    opgo_start(&s, &it, &ic.ch, 1, -1);
    held_settle(&s);
    opgo_start(&s, &ip, &ic.ch, 0, 41);
    held_settle(&s);
    CHECK_DONE(&it, CA_OK, 41, 2);
    CHECK_DONE(&ip, CA_OK, 41, 1);
    CA_ASSERT_RC(ca_chan_destroy(&ic.ch), CA_OK);
    held_end(&s);
}

/* ------------------------------------- the first thread in a section */

#if CA_HAVE_THREADS
/* Alone, the library marks a channel's lock byte only where code of the
** user's may run while the lock is held (lock.h): that code may create
** the process's first thread, whose op on the channel must then wait for
** the section to end. Each way below runs such code under the lock of
** ft_A (or of ft_B, a transform's channel), makes the thread there, and
** gives its op there (ft_on) 50 ms to get in, which it must not:
** `ft_during` stays 0. Each way runs
** in a child forked while this process still has one thread (this test
** runs first), and reports by its exit status. From the cold review of
** the change (rev15), which found the ways past a transform's own step. */
static ca_chan ft_A, ft_B;
static ca_sched ft_S;
static unsigned char ft_bstore[CA_XF_STORAGE(4, 1, sizeof(int))];
static ca_xf_map_t ft_bmap;
static pthread_t ft_th;
static ca_chan *ft_on = &ft_A; /* the thread's op's channel */
static int ft_made, ft_started, ft_during, ft_done, ft_orc, ft_armed;
static int ft_thread_polls;
static int ft_abuf[1];

static void *first_op(void *arg)
{
    int v = 7;

    (void)arg;
    __atomic_store_n(&ft_started, 1, __ATOMIC_RELEASE);
    ft_orc = ft_thread_polls ? ca_poll(ft_on, &v) : ca_offer(ft_on, &v);
    __atomic_store_n(&ft_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* The user's code, with a section held: makes the first thread, waits
** for it to run (setup: not the wait under test), then gives its op the
** 50 ms. Once per way. */
static void spawn_inside(void)
{
    struct timespec ts = {0, 50 * 1000000L};

    if (!__atomic_exchange_n(&ft_armed, 0, __ATOMIC_RELAXED))
        return;
    ft_made = pthread_create(&ft_th, NULL, first_op, NULL) == 0;
    while (ft_made && !__atomic_load_n(&ft_started, __ATOMIC_ACQUIRE))
        sched_yield();
    nanosleep(&ts, NULL);
    ft_during = __atomic_load_n(&ft_done, __ATOMIC_ACQUIRE);
}

static int joined(void)
{
    if (!ft_made || pthread_join(ft_th, NULL) != 0)
        return 3;
    return ft_during ? 4 : 0; /* 4: the thread's op ran in the section */
}

static int spawning_step(void *ud, const void *in, void *out)
{
    (void)ud;
    spawn_inside();
    memcpy(out, in, sizeof(int));
    return CA_OK;
}

static int init_ab(ca_buf_kind a_kind)
{
    if (a_kind == CA_FIXED ? ca_chan_init(&ft_A, CA_FIXED, 1, sizeof(int),
                                          ft_abuf, sizeof ft_abuf)
                           : ca_chan_init(&ft_A, CA_UNBUFFERED, 0, sizeof(int),
                                          NULL, 0))
        return 1;
    if (ca_xf_map(&ft_bmap, spawning_step, NULL, sizeof(int), sizeof(int)) ||
        ca_chan_init_xf(&ft_B, CA_FIXED, 4, ft_bstore, sizeof ft_bstore,
                        &ft_bmap.xf, NULL, NULL))
        return 1;
    ft_armed = 1;
    return 0;
}

/* ft_B's step, under the general path's lock (an offer); the thread
** offers to ft_B. */
static int way_step_offer(void)
{
    int v = 1, got[2] = {0, 0}, rc;

    if (init_ab(CA_FIXED))
        return 1;
    ft_on = &ft_B;
    if (ca_offer(&ft_B, &v) != CA_OK)
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    if (ft_orc != CA_OK || ca_poll(&ft_B, &got[0]) || ca_poll(&ft_B, &got[1]) ||
        got[0] + got[1] != 8)
        return 5;
    return 0;
}

/* ft_B's step from a go block's PUT, under the fast path's lock
** (fast_xf_put); the thread offers to ft_B. */
static int way_step_put(void)
{
    static opgo p;
    int got = 0, rc;

    if (init_ab(CA_FIXED) || ca_sched_init(&ft_S))
        return 1;
    ft_on = &ft_B;
    opgo_start(&ft_S, &p, &ft_B, 0, 1);
    if (ca_sched_run(&ft_S) || p.status != CA_OK)
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    if (ft_orc != CA_OK || ca_poll(&ft_B, &got) || got != 1)
        return 5;
    return 0;
}

/* A put to ft_B (ready) and a take from ft_A in one ALTS: ft_B's
** transform sends it the locked way, which locks ft_A too, and ft_B's
** step runs under ft_A's lock. */
static int way_alts(void)
{
    ca_alt cases[2];
    size_t idx = 9;
    int v = 1, got = 0, rc;

    if (init_ab(CA_FIXED))
        return 1;
    ca_alt_put(&cases[0], &ft_B, &v);
    ca_alt_take(&cases[1], &ft_A, &got);
    if (ca_alts_blocking(cases, 2, CA_ALTS_PRIORITY, &idx) != CA_OK ||
        idx != 0)
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    return ft_orc == CA_OK ? 0 : 5;
}

/* A go function's TAKE or PUT that parked returns with ft_A locked, until
** the scheduler lets go (sched.c): a wrapper of the user's that works on
** after it (go.h) runs with the lock held. */
static int opgo_wrap(ca_go *g)
{
    int rc = opgo_fn(g);

    if (rc == CA_GO_PARKED)
        spawn_inside();
    return rc;
}

static int way_wrap(int take)
{
    static opgo o;
    uint32_t next;
    int rc;

    if (init_ab(CA_UNBUFFERED))
        return 1;
    ft_thread_polls = !take; /* the thread takes what the PUT offers */
    o.ch = &ft_A, o.take = take, o.v = take ? 0 : 7;
    /* A reference holds the run until the thread's op came. */
    if (ca_sched_init(&ft_S) || ca_sched_ref(&ft_S) ||
        ca_go_start(&ft_S, &o.go, opgo_wrap) || ca_sched_step(&ft_S, &next))
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    if (ft_orc != CA_OK || ca_sched_unref(&ft_S) || ca_sched_run(&ft_S) ||
        o.status != CA_OK || o.v != 7)
        return 5;
    return 0;
}

static int way_wrap_take(void)
{
    return way_wrap(1);
}

static int way_wrap_put(void)
{
    return way_wrap(0);
}

/* An ALTS with a deadline parks: it reads the user's clock with ft_A's lock
** held. */
static uint32_t user_clock(void *ud)
{
    struct timespec ts;

    (void)ud;
    spawn_inside();
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)(ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000));
}

static void user_idle(void *ud, uint32_t ms)
{
    struct timespec ts = {0, 1000000L};

    (void)ud;
    (void)ms;
    nanosleep(&ts, NULL);
}

GO_STATE(altgo1, ca_alt cases[2]; int v;);

static int altgo1_fn(ca_go *g)
{
    GO_BEGIN_SELF(g, struct altgo1, p);
    ca_alt_take(&p->cases[0], &ft_A, &p->v);
    ca_alt_deadline(&p->cases[1], 3000);
    ft_armed = 1; /* the next read of the clock is the park's */
    ALTS(g, p->cases, 2, CA_ALTS_PRIORITY);
    GO_END(g);
}

static int way_clock(void)
{
    static struct altgo1 a;
    int rc;

    if (init_ab(CA_UNBUFFERED))
        return 1;
    ft_armed = 0;
    if (ca_sched_init(&ft_S) || ca_sched_set_clock(&ft_S, user_clock, user_idle,
                                                NULL) ||
        ca_go_start(&ft_S, &a.go, altgo1_fn) || ca_sched_run(&ft_S))
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    return ft_orc == CA_OK && a.v == 7 ? 0 : 5;
}

#if CA_HAVE_MALLOC /* (the names, and the allocator's hook) */
/* A channel's name grows its table through the user's allocator, under
** the channel's lock. */
static void *user_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    spawn_inside();
    return realloc(ptr, size);
}

static int way_alloc(void)
{
    int rc;

    if (init_ab(CA_FIXED))
        return 1;
    ca_set_allocator(user_alloc, NULL);
    if (ca_chan_set_name(&ft_A, "a") != CA_OK)
        return 2;
    if ((rc = joined()) != 0)
        return rc;
    return ft_orc == CA_OK ? 0 : 5;
}
#endif

static void fast_first_thread_in_section(void)
{
    static const struct {
        const char *name;
        int (*fn)(void);
    } ways[] = {{"step_offer", way_step_offer}, {"step_put", way_step_put},
                {"alts", way_alts},             {"wrap_take", way_wrap_take},
                {"wrap_put", way_wrap_put},     {"clock", way_clock},
#if CA_HAVE_MALLOC
                {"alloc", way_alloc},
#endif
    };
    size_t i;
    int status;
    pid_t pid;

    for (i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        fflush(NULL); /* the child must not write CUnit's buffers again */
        pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            /* A way that hangs (a lock left held) ends by the alarm, not
            ** spinning on after the watchdog killed this process. 6: not
            ** alone, the way would test nothing (rev15b). */
            alarm(10);
            _exit(CA__HAVE_ALONE && !CA__ALONE() ? 6 : ways[i].fn());
        }
        CA_ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            fprintf(stderr, "first thread in a section, way %s: hung\n",
                    ways[i].name);
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fprintf(stderr, "first thread in a section, way %s: %s %d\n",
                    ways[i].name, WIFEXITED(status) ? "check" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status)
                                      : WTERMSIG(status));
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}
#endif

/* --------------------------------------------------- the first thread */

#if CA_HAVE_THREADS
/* The channel locks are skipped while the process has one thread. Blocks
** parked, values buffered and ALTS cases queued in that time are found
** as they were left by a thread made afterwards, which completes each
** from outside the scheduler (and ThreadSanitizer checks that it sees
** them through pthread_create). Meaningful as the first test of a
** process; run later, it is one more cross-thread test. */
typedef struct world {
    ca_sched s;
    ichan a, b, d, e, f;
    opgo ta, pb;
    altgo alt;
    ca_op op;
    rec r;
    int dst, got_b[2], got_f[2];
    int rc[8];
} world;

static void *outsider(void *arg)
{
    world *w = (world *)arg;
    int v = 1;

    w->rc[0] = ca_put_blocking(&w->a.ch, &v);            /* wakes ta */
    w->rc[1] = ca_take_blocking(&w->b.ch, &w->got_b[0]); /* refilled by pb */
    w->rc[2] = ca_take_blocking(&w->b.ch, &w->got_b[1]);
    v = 4;
    w->rc[3] = ca_offer(&w->d.ch, &v); /* the ALTS wins */
    v = 5;
    w->rc[4] = ca_offer(&w->e.ch, &v); /* the callback runs */
    w->rc[5] = ca_poll(&w->f.ch, &w->got_f[0]);
    w->rc[6] = ca_poll(&w->f.ch, &w->got_f[1]);
    w->rc[7] = ca_sched_unref(&w->s);
    return NULL;
}

static world w1;

static void fast_first_thread(void)
{
    world *w = &w1;
    pthread_t th;
    int i;

    memset(w, 0, sizeof *w);
    CA_ASSERT_RC(ca_sched_init(&w->s), CA_OK);
    ichan_init(&w->a, CA_UNBUFFERED, 0);
    ichan_init(&w->b, CA_FIXED, 1);
    ichan_init(&w->d, CA_UNBUFFERED, 0);
    ichan_init(&w->e, CA_UNBUFFERED, 0);
    ichan_init(&w->f, CA_FIXED, 2);
    OFFER(&w->b.ch, 2);
    OFFER(&w->f.ch, 6);
    OFFER(&w->f.ch, 7);
    opgo_start(&w->s, &w->ta, &w->a.ch, 1, -1);
    opgo_start(&w->s, &w->pb, &w->b.ch, 0, 3);
    altgo_init(&w->alt, 2);
    CA_ASSERT_RC(ca_alt_take(&w->alt.cases[0], &w->a.ch, &w->alt.vals[0]),
                 CA_OK);
    CA_ASSERT_RC(ca_alt_take(&w->alt.cases[1], &w->d.ch, &w->alt.vals[1]),
                 CA_OK);
    CA_ASSERT_RC(ca_go_start(&w->s, &w->alt.go, altgo_fn), CA_OK);
    w->op.data = &w->r;
    CA_ASSERT_RC(ca_take_async(&w->e.ch, &w->op, &w->dst, rec_cb), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(&w->s), CA_OK);
    held_settle(&w->s);
    CHECK_PENDING(&w->a.ch, 0, 2);
    CHECK_PENDING(&w->b.ch, 1, 0);
    CA_ASSERT_EQ(pthread_create(&th, NULL, outsider, w), 0);
    CA_ASSERT_RC(ca_sched_run(&w->s), CA_OK); /* until the thread unrefs */
    CA_ASSERT_EQ(pthread_join(th, NULL), 0);
    for (i = 0; i < 8; i++)
        CA_ASSERT_RC(w->rc[i], CA_OK);
    CHECK_DONE(&w->ta, CA_OK, 1, 2);
    CHECK_DONE(&w->pb, CA_OK, 3, 2);
    CA_ASSERT_EQ(w->got_b[0], 2);
    CA_ASSERT_EQ(w->got_b[1], 3);
    CA_ASSERT_EQ(w->alt.alt, 1);
    CA_ASSERT_EQ(w->alt.vals[1], 4);
    CA_ASSERT_EQ(w->r.calls, 1);
    CA_ASSERT_EQ(w->dst, 5);
    CA_ASSERT_EQ(w->got_f[0], 6);
    CA_ASSERT_EQ(w->got_f[1], 7);
    CHECK_PENDING(&w->a.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&w->a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&w->b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&w->d.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&w->e.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&w->f.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&w->s), CA_OK);
}
#endif

static const ca_test tests[] = {
#if CA_HAVE_THREADS
    /* First, both: each needs a process that has had one thread only. */
    {"fast_first_thread_in_section", fast_first_thread_in_section},
    {"fast_first_thread", fast_first_thread},
#endif
    {"fast_take_refills_from_waiting_puts",
     fast_take_refills_from_waiting_puts},
    {"fast_handoff_every_kind", fast_handoff_every_kind},
#if CA_HAVE_MALLOC
    {"fast_owned_channels", fast_owned_channels},
#endif
    {"fast_promise_serves_all", fast_promise_serves_all},
    {"fast_dropping_sliding_never_park", fast_dropping_sliding_never_park},
    {"fast_closed", fast_closed},
    {"fast_wake_after_unlock", fast_wake_after_unlock},
    {"fast_alts_taker_at_head", fast_alts_taker_at_head},
    {"fast_alts_stale_taker_at_head", fast_alts_stale_taker_at_head},
    {"fast_alts_putter_at_head", fast_alts_putter_at_head},
    {"fast_alts_stale_putter_at_head", fast_alts_stale_putter_at_head},
    {"fast_alts_taker_claimed", fast_alts_taker_claimed},
    {"fast_alts_putter_claimed", fast_alts_putter_claimed},
    {"fast_alts_stale_only_take", fast_alts_stale_only_take},
    {"fast_alts_stale_only_put", fast_alts_stale_only_put},
    {"fast_fixed_put_past_stale_takers", fast_fixed_put_past_stale_takers},
    {"fast_alts_stale_then_live", fast_alts_stale_then_live},
    {"fast_pending_limit_take", fast_pending_limit_take},
    {"fast_pending_limit_put", fast_pending_limit_put},
    {"fast_pending_limit_stale_not_counted",
     fast_pending_limit_stale_not_counted},
    {"fast_xf_goes_through_step", fast_xf_goes_through_step},
    {"fast_isr_channel", fast_isr_channel},
    {"fast_bytes_and_signal", fast_bytes_and_signal},
    {"fast_wrong_size_and_dead", fast_wrong_size_and_dead},
    {"slot_keeps_queue_order", slot_keeps_queue_order},
    {"slot_second_wake_after_first", slot_second_wake_after_first},
    {"slot_before_yield", slot_before_yield},
    {"slot_step_budget", slot_step_budget},
    {"slot_step_ends_on_rotate", slot_step_ends_on_rotate},
    {"slot_other_sizes", slot_other_sizes},
    {NULL, NULL}};

CA_TEST_MAIN("fastpath", tests)
