/*
** test_conservation.c: 100,000 distinct values through every buffer kind
** and several capacities, with producer and consumer interleaved in
** varying patterns (offers until refused then a random number of polls;
** async puts and takes that queue), all from a fixed-seed PRNG.
**
** Each call is checked against a model written here, independently of the
** library: a plain array window for the buffer and FIFO lists of waiting
** puts and takes. The model predicts each call's result, which callbacks
** run during it, with what status and value, and which values a dropping
** or sliding buffer must lose. At the end every value must have arrived
** exactly once (fixed, unbuffered), or exactly the ones the model did not
** drop (dropping, sliding), or only the first (promise).
** MIT licence, see COPYING.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

enum {
    NVALS = 100000,       /* distinct values put per channel            */
    POOL = 64,            /* async ops in flight at most                */
    MAXCAP = 1000,        /* the largest capacity tried                 */
    MAXEV = 2 * POOL + 8, /* callbacks one call can complete            */
    QUEUED = 100          /* model: the op waits (not a ca_status)      */
};

/* ------------------------------------------------------------ PRNG */

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
    /* a 64-bit LCG (Knuth's MMIX constants), high bits */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng >> 33) % n);
}

/* ------------------------------------------------------------ events */

/* One completed async op: what a callback saw, or what the model says it
** must see. */
typedef struct ev {
    int take, slot, status, val;
} ev;

static ev got[MAXEV], want[MAXEV];
static int ngot, nwant, ev_overflow;

static void push_ev(ev *list, int *n, int take, int slot, int status, int val)
{
    if (*n >= MAXEV) {
        ev_overflow++;
        return;
    }
    list[*n].take = take;
    list[*n].slot = slot;
    list[*n].status = status;
    list[*n].val = val;
    (*n)++;
}

static int ev_cmp(const void *a, const void *b)
{
    const ev *x = (const ev *)a, *y = (const ev *)b;

    if (x->take != y->take)
        return x->take - y->take;
    if (x->slot != y->slot)
        return x->slot - y->slot;
    if (x->status != y->status)
        return x->status - y->status;
    return (x->val > y->val) - (x->val < y->val);
}

/* The callbacks of one call as a set: the order in which a call wakes
** several waiters is not part of the contract. */
static int events_match(void)
{
    int i;

    if (ngot != nwant)
        return 0;
    qsort(got, (size_t)ngot, sizeof got[0], ev_cmp);
    qsort(want, (size_t)nwant, sizeof want[0], ev_cmp);
    for (i = 0; i < ngot; i++)
        if (ev_cmp(&got[i], &want[i]) != 0)
            return 0;
    return 1;
}

/* ------------------------------------------------------------ real ops */

static ca_op ops[POOL];
static int slot_busy[POOL], slot_val[POOL];
static int cb_misuse; /* callbacks on an op that was not waiting */

static void put_cb(ca_op *op, int status)
{
    int s = (int)(op - ops);

    cb_misuse += !slot_busy[s];
    slot_busy[s] = 0;
    push_ev(got, &ngot, 0, s, status, slot_val[s]);
}

static void take_cb(ca_op *op, int status)
{
    int s = (int)(op - ops);

    cb_misuse += !slot_busy[s];
    slot_busy[s] = 0;
    push_ev(got, &ngot, 1, s, status, slot_val[s]);
}

/* ------------------------------------------------------------ the model */

/* A FIFO of ints as a window [head, tail) over an array long enough for
** every push of a run: no ring, no wrap-around, nothing shared with the
** library's way of doing it. */
typedef struct fifo {
    int *a;
    size_t head, tail, size;
} fifo;

static int fifo_init(fifo *f, size_t size)
{
    f->a = (int *)malloc(size * sizeof(int));
    f->head = f->tail = 0;
    f->size = size;
    return f->a != NULL;
}

static size_t fifo_len(const fifo *f)
{
    return f->tail - f->head;
}

static void fifo_push(fifo *f, int v)
{
    if (f->tail < f->size)
        f->a[f->tail++] = v;
}

static int fifo_pop(fifo *f)
{
    return f->a[f->head++];
}

typedef struct model {
    ca_buf_kind kind;
    size_t cap;
    fifo buf;         /* values in the buffer                         */
    fifo puts, takes; /* waiting ops, by slot                         */
    int closed;
    int has, first;         /* promise: has a value, and which              */
    unsigned char *dropped; /* per value: lost by the buffer policy     */
    unsigned char *recv;    /* per value: times delivered               */
    long ndropped;
} model;

/* Delivery of v to a consumer. */
static void m_deliver(model *m, int v)
{
    if (m->recv[v] < 255)
        m->recv[v]++;
}

static void m_drop(model *m, int v)
{
    m->dropped[v] = 1;
    m->ndropped++;
}

/* A put of v by op slot (or an offer, slot -1). Returns the status the
** library must return, or QUEUED; adds the callbacks it must run. */
static int m_put(model *m, int v, int slot)
{
    int t;

    if (m->closed) {
        if (slot >= 0)
            push_ev(want, &nwant, 0, slot, CA_CLOSED, v);
        return CA_CLOSED;
    }
    if (m->kind == CA_PROMISE) {
        if (!m->has) {
            m->has = 1;
            m->first = v;
            while (fifo_len(&m->takes) != 0) {
                push_ev(want, &nwant, 1, fifo_pop(&m->takes), CA_OK, v);
                m_deliver(m, v);
            }
        } else {
            m_drop(m, v);
        }
    } else if (fifo_len(&m->takes) != 0) {
        t = fifo_pop(&m->takes);
        push_ev(want, &nwant, 1, t, CA_OK, v);
        m_deliver(m, v);
    } else if (fifo_len(&m->buf) < m->cap) {
        fifo_push(&m->buf, v);
    } else if (m->kind == CA_DROPPING) {
        m_drop(m, v);
    } else if (m->kind == CA_SLIDING) {
        m_drop(m, fifo_pop(&m->buf));
        fifo_push(&m->buf, v);
    } else { /* fixed and full, or unbuffered: wait */
        if (slot < 0)
            return CA_AGAIN;
        fifo_push(&m->puts, slot);
        return QUEUED;
    }
    if (slot >= 0)
        push_ev(want, &nwant, 0, slot, CA_OK, v);
    return CA_OK;
}

/* A take by op slot (or a poll, slot -1). Returns the status, or QUEUED;
** *val is the value taken. */
static int m_take(model *m, int slot, int *val)
{
    int p;

    *val = -1;
    if (m->kind == CA_PROMISE && m->has) {
        *val = m->first;
    } else if (fifo_len(&m->buf) != 0) {
        *val = fifo_pop(&m->buf);
        /* the slot just freed goes to the oldest waiting put */
        if (fifo_len(&m->puts) != 0) {
            p = fifo_pop(&m->puts);
            fifo_push(&m->buf, slot_val[p]);
            push_ev(want, &nwant, 0, p, CA_OK, slot_val[p]);
        }
    } else if (fifo_len(&m->puts) != 0) { /* unbuffered rendezvous */
        p = fifo_pop(&m->puts);
        *val = slot_val[p];
        push_ev(want, &nwant, 0, p, CA_OK, slot_val[p]);
    } else if (m->closed) {
        if (slot >= 0)
            push_ev(want, &nwant, 1, slot, CA_CLOSED, -1);
        return CA_CLOSED;
    } else {
        if (slot < 0)
            return CA_AGAIN;
        fifo_push(&m->takes, slot);
        return QUEUED;
    }
    m_deliver(m, *val);
    if (slot >= 0)
        push_ev(want, &nwant, 1, slot, CA_OK, *val);
    return CA_OK;
}

static void m_close(model *m)
{
    if (m->closed)
        return;
    m->closed = 1;
    while (fifo_len(&m->takes) != 0)
        push_ev(want, &nwant, 1, fifo_pop(&m->takes), CA_CLOSED, -1);
}

/* ------------------------------------------------------------ the run */

/* The state of one run: the channel, the model, and what was seen. */
typedef struct run {
    ca_chan ch;
    model m;
    int next;            /* the next value to put                     */
    long step, bad_step; /* calls made; the first that went wrong     */
    const char *bad_what;
    unsigned char *seen; /* per value: times a consumer got it        */
    int last_recv;       /* the last value received                   */
    long out_of_order;   /* values received after a larger one        */
    long queued_puts, queued_takes, polls_ok;
} run;

static void fail(run *r, const char *what)
{
    if (r->bad_step < 0) {
        r->bad_step = r->step;
        r->bad_what = what;
    }
}

static void received(run *r, int v)
{
    if (v < 0 || v >= NVALS) {
        fail(r, "value out of range");
        return;
    }
    if (r->seen[v] < 255)
        r->seen[v]++;
    if (r->m.kind != CA_PROMISE) {
        if (v <= r->last_recv)
            r->out_of_order++;
        r->last_recv = v;
    }
}

static void begin(run *r)
{
    ngot = nwant = 0;
    r->step++;
}

/* After a call: its callbacks must be those the model predicted; the
** values they took count as received. */
static void end(run *r)
{
    int i;

    if (!events_match())
        fail(r, "callbacks differ from the model");
    for (i = 0; i < ngot; i++)
        if (got[i].take && got[i].status == CA_OK)
            received(r, got[i].val);
}

static int do_offer(run *r)
{
    int v = r->next, rc, want_rc;

    if (v >= NVALS)
        return CA_AGAIN;
    begin(r);
    want_rc = m_put(&r->m, v, -1);
    rc = ca_offer(&r->ch, &v);
    if (rc != want_rc)
        fail(r, "ca_offer");
    if (rc == CA_OK)
        r->next++;
    end(r);
    return rc;
}

static int do_poll(run *r)
{
    int v = -1, mv, rc, want_rc;

    begin(r);
    want_rc = m_take(&r->m, -1, &mv);
    rc = ca_poll(&r->ch, &v);
    if (rc != want_rc || (rc == CA_OK && v != mv))
        fail(r, "ca_poll");
    if (rc == CA_OK) {
        received(r, v);
        r->polls_ok++;
    }
    end(r);
    return rc;
}

static int free_slot(void)
{
    int s = (int)rnd(POOL), i;

    for (i = 0; i < POOL; i++, s = (s + 1) % POOL)
        if (!slot_busy[s])
            return s;
    return -1;
}

static void do_put_async(run *r)
{
    int s = free_slot(), rc, want_rc;

    if (s < 0 || r->next >= NVALS)
        return;
    begin(r);
    slot_busy[s] = 1;
    slot_val[s] = r->next++;
    want_rc = m_put(&r->m, slot_val[s], s);
    rc = ca_put_async(&r->ch, &ops[s], &slot_val[s], put_cb);
    if (want_rc == QUEUED) {
        r->queued_puts++;
        want_rc = CA_OK;
    }
    if (rc != want_rc)
        fail(r, "ca_put_async");
    end(r);
}

static void do_take_async(run *r)
{
    int s = free_slot(), rc, want_rc, mv;

    if (s < 0)
        return;
    begin(r);
    slot_busy[s] = 1;
    slot_val[s] = -1;
    want_rc = m_take(&r->m, s, &mv);
    rc = ca_take_async(&r->ch, &ops[s], &slot_val[s], take_cb);
    if (want_rc == QUEUED)
        r->queued_takes++;
    if (rc != CA_OK) /* a take reports CA_CLOSED through its callback */
        fail(r, "ca_take_async");
    end(r);
}

/* Weights of offer, poll, put_async, take_async in the random phases. */
static const unsigned weights[][4] = {
    {15, 35, 40, 10}, /* producer-heavy, queueing puts              */
    {35, 15, 10, 40}, /* consumer-heavy, queueing takes             */
    {25, 25, 25, 25},
    {45, 45, 5, 5}, /* mostly offer and poll                      */
};

static void random_op(run *r, const unsigned *w)
{
    unsigned x = rnd(w[0] + w[1] + w[2] + w[3]);

    if (x < w[0])
        (void)do_offer(r);
    else if ((x -= w[0]) < w[1])
        (void)do_poll(r);
    else if ((x -= w[1]) < w[2])
        do_put_async(r);
    else
        do_take_async(r);
}

/* One channel, NVALS values, then close and drain. */
static void conserve(ca_buf_kind kind, size_t cap, unsigned long long seed)
{
    static int storage[MAXCAP];
    char msg[160];
    run r;
    long i, n, limit = 40L * NVALS, missing = 0, extra = 0;
    int rc, v;

    memset(&r, 0, sizeof r);
    rng = seed;
    r.bad_step = -1;
    r.last_recv = -1;
    r.m.kind = kind;
    r.m.cap = cap;
    memset(slot_busy, 0, sizeof slot_busy);
    cb_misuse = ev_overflow = 0;
    r.seen = (unsigned char *)calloc(NVALS, 1);
    r.m.dropped = (unsigned char *)calloc(NVALS, 1);
    r.m.recv = (unsigned char *)calloc(NVALS, 1);
    CU_ASSERT_FATAL(r.seen != NULL && r.m.dropped != NULL && r.m.recv != NULL);
    CU_ASSERT_FATAL(fifo_init(&r.m.buf, NVALS + 2) &&
                    fifo_init(&r.m.puts, NVALS + 2) &&
                    fifo_init(&r.m.takes, 40 * NVALS + 2));
    CA_ASSERT_RC(ca_chan_init(&r.ch, kind, cap, sizeof(int),
                              cap ? storage : NULL, sizeof storage),
                 CA_OK);

    /* start with takes waiting (for a promise, the only time they can) */
    for (i = 0; i < 3; i++)
        do_take_async(&r);
    (void)do_poll(&r);
    while (r.next < NVALS && r.step < limit && r.bad_step < 0) {
        unsigned phase = rnd(6);

        for (i = 0; i < 64 && r.next < NVALS; i++) {
            if (phase == 4) {
                /* offer until refused (or twice the capacity, for the
                ** kinds that never refuse), a few async puts (which wait
                ** if the buffer is full), then poll a random number */
                for (n = 0; n < 2 * (long)cap + 2; n++)
                    if (do_offer(&r) != CA_OK)
                        break;
                for (n = (long)rnd(4); n > 0; n--)
                    do_put_async(&r);
                for (n = (long)rnd(2 * (unsigned)cap + 3); n > 0; n--)
                    (void)do_poll(&r);
            } else if (phase == 5) {
                /* the other way round: poll until empty, a few async
                ** takes (which wait), then offer a random number */
                for (n = 0; n < 2 * (long)cap + 2; n++)
                    if (do_poll(&r) != CA_OK)
                        break;
                for (n = (long)rnd(4); n > 0; n--)
                    do_take_async(&r);
                for (n = (long)rnd(2 * (unsigned)cap + 3); n > 0; n--)
                    (void)do_offer(&r);
            } else {
                random_op(&r, weights[phase]);
            }
        }
    }
    CU_ASSERT(r.next == NVALS);

    /* close: the waiting takes end; the waiting puts drain */
    begin(&r);
    m_close(&r.m);
    CA_ASSERT_RC(ca_close(&r.ch), CA_OK);
    end(&r);
    if (kind == CA_PROMISE) { /* a promise is never drained */
        for (i = 0; i < 3; i++)
            CA_ASSERT_RC(do_poll(&r), CA_OK);
    } else {
        do {
            rc = do_poll(&r);
        } while (rc == CA_OK && r.step < limit + 4L * NVALS);
        CA_ASSERT_RC(rc, CA_CLOSED);
    }
    for (i = 0; i < POOL; i++)
        CA_ASSERT_EQ(slot_busy[i], 0);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);

    if (r.bad_step >= 0) {
        snprintf(msg, sizeof msg, "kind %d cap %zu: step %ld: %s", (int)kind,
                 cap, r.bad_step, r.bad_what);
        CU_FAIL(msg);
    }
    CA_ASSERT_EQ(cb_misuse, 0);
    CA_ASSERT_EQ(ev_overflow, 0);
    /* what the run exercised, for the log */
    printf("\n    kind %d cap %4zu: %7ld calls, %6ld waiting puts, %6ld "
           "waiting takes, %6ld dropped ",
           (int)kind, cap, r.step, r.queued_puts, r.queued_takes, r.m.ndropped);

    /* conservation */
    if (kind == CA_PROMISE) {
        for (v = 1; v < NVALS; v++)
            extra += r.seen[v] != 0;
        CA_ASSERT_EQ(extra, 0);
        CU_ASSERT(r.seen[0] > 0);
        CA_ASSERT_EQ(r.m.first, 0);
        CA_ASSERT_EQ(r.m.ndropped, NVALS - 1);
    } else {
        for (v = 0; v < NVALS; v++) {
            int must = !r.m.dropped[v];

            missing += r.seen[v] < must;
            extra += r.seen[v] > must;
        }
        CA_ASSERT_EQ(missing, 0);
        CA_ASSERT_EQ(extra, 0);
        CA_ASSERT_EQ(r.out_of_order, 0);
        if (kind == CA_FIXED || kind == CA_UNBUFFERED) {
            CA_ASSERT_EQ(r.m.ndropped, 0);
            CA_ASSERT_EQ(r.last_recv, NVALS - 1);
            CU_ASSERT(r.queued_puts > 0);
        } else {
            CU_ASSERT(r.m.ndropped > 0); /* the policy was exercised */
        }
        CU_ASSERT(r.queued_takes > 0);
        CU_ASSERT(r.polls_ok > 0);
    }
    free(r.seen);
    free(r.m.dropped);
    free(r.m.recv);
    free(r.m.buf.a);
    free(r.m.puts.a);
    free(r.m.takes.a);
}

static void conservation_unbuffered(void)
{
    conserve(CA_UNBUFFERED, 0, 1);
}

static void conservation_fixed(void)
{
    static const size_t caps[] = {1, 2, 7, 64, MAXCAP};
    size_t i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
        conserve(CA_FIXED, caps[i], 100 + i);
}

static void conservation_dropping(void)
{
    static const size_t caps[] = {1, 3, 64};
    size_t i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
        conserve(CA_DROPPING, caps[i], 200 + i);
}

static void conservation_sliding(void)
{
    static const size_t caps[] = {1, 3, 64};
    size_t i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
        conserve(CA_SLIDING, caps[i], 300 + i);
}

static void conservation_promise(void)
{
    conserve(CA_PROMISE, 1, 400);
}

static const ca_test tests[] = {
    {"conservation_unbuffered", conservation_unbuffered},
    {"conservation_fixed", conservation_fixed},
    {"conservation_dropping", conservation_dropping},
    {"conservation_sliding", conservation_sliding},
    {"conservation_promise", conservation_promise},
    {NULL, NULL}};

CA_TEST_MAIN("conservation", tests)
