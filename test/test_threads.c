/*
** test_threads.c: channels shared by several threads (threads build
** only): offer/poll retry loops and async puts and takes racing on every
** kind of channel, close racing with both, reference counting from several
** threads, and which thread runs a callback. Bounded loops only; clean
** under ThreadSanitizer. MIT licence, see COPYING.
*/
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coreasync.h>

#include "ca_test.h"

/* Shared counters are touched with the compiler's atomics, as the library
** itself does (a threaded build needs GCC or Clang). */
#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ADD(x, v)   __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

enum {
    NPROD = 2,  /* producer threads                          */
    PER = 4000, /* values per producer                       */
    TOTAL = NPROD * PER,
    SPINS = 5000000 /* retries in a row without progress       */
};

/* Every retry loop yields between attempts and gives up after SPINS of
** them in a row without progress, saying so in W.spun_out: a guard
** against hangs, never reached when the library works. */

/* One run: a channel and what its threads saw. */
typedef struct world {
    ca_chan ch;
    int storage[64];
    int producers_left;
    int seen[TOTAL]; /* times each value was received            */
    long long sum;   /* of the values received                   */
    int received;
    int polled;    /* of which by ca_poll                      */
    int order_bad; /* a producer's values out of order         */
    int errors;    /* unexpected return codes                  */
    int spun_out;  /* a retry loop hit SPINS                   */
    /* async ops, one per value / per take, each used once */
    ca_op put_ops[TOTAL], take_ops[TOTAL];
    int put_vals[TOTAL], take_dst[TOTAL];
    int put_calls[TOTAL], put_status[TOTAL];
    int take_calls[TOTAL], take_status[TOTAL];
    int takes_started;
    /* concurrent close: how each value fared at its producer: 0 never
    ** tried, 1 offer accepted, 2 offer refused (closed), 3 async put
    ** (its callback's status says) */
    int sent[TOTAL];
} world;

static world W; /* big: static, reset by world_init */

static int world_init(ca_buf_kind kind, size_t cap)
{
    memset(&W, 0, sizeof W);
    W.producers_left = NPROD;
    return ca_chan_init(&W.ch, kind, cap, sizeof(int), cap ? W.storage : NULL,
                        sizeof W.storage);
}

/* A consumer got v: count it; `last` (per producer, or NULL) checks that
** each producer's values arrive in the order they were put. */
static void record(int v, int *last)
{
    if (v < 0 || v >= TOTAL) {
        ADD(W.errors, 1);
        return;
    }
    ADD(W.seen[v], 1);
    ADD(W.sum, (long long)v);
    ADD(W.received, 1);
    if (last != NULL) {
        if (v <= last[v / PER])
            ADD(W.order_bad, 1);
        last[v / PER] = v;
    }
}

static int spin(long *n)
{
    if (++*n > SPINS) {
        ADD(W.spun_out, 1);
        return 0;
    }
    sched_yield();
    return 1;
}

/* The last producer to finish closes the channel. */
static void producer_done(void)
{
    if (ADD(W.producers_left, -1) == 0 && ca_close(&W.ch) != CA_OK)
        ADD(W.errors, 1);
}

static void *offer_producer(void *arg)
{
    int p = (int)(size_t)arg, i, v, rc;
    long n = 0;

    for (i = 0; i < PER; i++) {
        v = p * PER + i;
        while ((rc = ca_offer(&W.ch, &v)) == CA_AGAIN)
            if (!spin(&n))
                goto out;
        if (rc != CA_OK)
            ADD(W.errors, 1);
        n = 0;
    }
out:
    producer_done();
    return NULL;
}

static void *poll_consumer(void *arg)
{
    int last[NPROD], i, v, rc;
    long n = 0;

    (void)arg;
    for (i = 0; i < NPROD; i++)
        last[i] = -1;
    for (;;) {
        rc = ca_poll(&W.ch, &v);
        if (rc == CA_OK) {
            record(v, last);
            ADD(W.polled, 1);
            n = 0;
        } else if (rc == CA_CLOSED) {
            break;
        } else if (rc != CA_AGAIN) {
            ADD(W.errors, 1);
            break;
        } else if (!spin(&n)) {
            break;
        }
    }
    return NULL;
}

static void start(pthread_t *t, void *(*fn)(void *), size_t arg)
{
    CU_ASSERT_FATAL(pthread_create(t, NULL, fn, (void *)arg) == 0);
}

static void join(pthread_t t)
{
    CU_ASSERT(pthread_join(t, NULL) == 0);
}

/* Every value arrived exactly once. */
static void check_all_once(void)
{
    int v, bad = 0;

    for (v = 0; v < TOTAL; v++)
        bad += LOAD(W.seen[v]) != 1;
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(LOAD(W.received), TOTAL);
    CA_ASSERT_EQ(LOAD(W.sum), (long long)TOTAL * (TOTAL - 1) / 2);
}

/* ------------------------------------------------- offer/poll retry loops */

/* Two producers offer, two consumers poll, on one channel; the last
** producer closes it and the consumers run until it is drained. */
static void offer_poll_run(ca_buf_kind kind, size_t cap)
{
    pthread_t prod[NPROD], cons[2];
    int i, bad = 0, any = 0;

    CA_ASSERT_RC(world_init(kind, cap), CA_OK);
    for (i = 0; i < 2; i++)
        start(&cons[i], poll_consumer, 0);
    for (i = 0; i < NPROD; i++)
        start(&prod[i], offer_producer, (size_t)i);
    for (i = 0; i < NPROD; i++)
        join(prod[i]);
    for (i = 0; i < 2; i++)
        join(cons[i]);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_EQ(W.spun_out, 0);
    CA_ASSERT_EQ(W.order_bad, 0);
    CA_ASSERT_EQ(ca_closed(&W.ch), 1);
    if (kind == CA_FIXED) {
        check_all_once();
    } else {
        for (i = 0; i < TOTAL; i++)
            bad += W.seen[i] > 1;
        CA_ASSERT_EQ(bad, 0);
        CU_ASSERT(W.received >= 1 && W.received <= TOTAL);
        /* a dropping buffer keeps the first value put, a sliding one the
        ** last: whichever producer came first or last, its value is in */
        for (i = 0; i < NPROD; i++)
            any += W.seen[kind == CA_DROPPING ? i * PER : i * PER + PER - 1];
        CU_ASSERT(any >= 1);
    }
    CA_ASSERT_RC(ca_chan_destroy(&W.ch), CA_OK);
}

static void threads_offer_poll_fixed(void)
{
    offer_poll_run(CA_FIXED, 1);
    offer_poll_run(CA_FIXED, 4);
    offer_poll_run(CA_FIXED, 64);
}

static void threads_offer_poll_dropping(void)
{
    offer_poll_run(CA_DROPPING, 1);
    offer_poll_run(CA_DROPPING, 16);
}

static void threads_offer_poll_sliding(void)
{
    offer_poll_run(CA_SLIDING, 1);
    offer_poll_run(CA_SLIDING, 16);
}

/* A promise shared by several threads: every consumer gets the same value,
** and it is the first one some producer put. */
static int promise_got[4];

static void *promise_consumer(void *arg)
{
    int id = (int)(size_t)arg, v = -1, w, rc, k;
    long n = 0;

    while ((rc = ca_poll(&W.ch, &v)) == CA_AGAIN)
        if (!spin(&n))
            return NULL;
    if (rc != CA_OK) {
        ADD(W.errors, 1);
        return NULL;
    }
    STORE(promise_got[id], v);
    for (k = 0; k < 100; k++) { /* and it stays */
        w = -1;
        if (ca_poll(&W.ch, &w) != CA_OK || w != v)
            ADD(W.errors, 1);
    }
    return NULL;
}

static void promise_take_cb(ca_op *op, int status)
{
    int i = (int)(op - W.take_ops);

    ADD(W.take_calls[i], 1);
    STORE(W.take_status[i], status);
}

static void threads_promise(void)
{
    pthread_t prod[NPROD], cons[4];
    int i, v;

    CA_ASSERT_RC(world_init(CA_PROMISE, 1), CA_OK);
    /* takes waiting before anyone puts */
    for (i = 0; i < 8; i++) {
        W.take_dst[i] = -1;
        CA_ASSERT_RC(ca_take_async(&W.ch, &W.take_ops[i], &W.take_dst[i],
                                   promise_take_cb),
                     CA_OK);
    }
    for (i = 0; i < 4; i++) {
        promise_got[i] = -1;
        start(&cons[i], promise_consumer, (size_t)i);
    }
    for (i = 0; i < NPROD; i++)
        start(&prod[i], offer_producer, (size_t)i);
    for (i = 0; i < NPROD; i++)
        join(prod[i]);
    for (i = 0; i < 4; i++)
        join(cons[i]);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_EQ(W.spun_out, 0);
    v = promise_got[0];
    CU_ASSERT(v == 0 || v == PER); /* some producer's first value */
    for (i = 1; i < 4; i++)
        CA_ASSERT_EQ(promise_got[i], v);
    for (i = 0; i < 8; i++) {
        CA_ASSERT_EQ(W.take_calls[i], 1);
        CA_ASSERT_RC(W.take_status[i], CA_OK);
        CA_ASSERT_EQ(W.take_dst[i], v);
    }
    CA_ASSERT_RC(ca_poll(&W.ch, &i), CA_OK); /* closed, and still there */
    CA_ASSERT_EQ(i, v);
    CA_ASSERT_RC(ca_chan_destroy(&W.ch), CA_OK);
}

/* ------------------------------------------------------- async put, take */

static void put_cb(ca_op *op, int status)
{
    int i = (int)(op - W.put_ops);

    ADD(W.put_calls[i], 1);
    STORE(W.put_status[i], status);
}

static void take_cb(ca_op *op, int status)
{
    int i = (int)(op - W.take_ops);

    /* the value first: the main thread trusts take_calls */
    if (status == CA_OK)
        record(W.take_dst[i], NULL);
    STORE(W.take_status[i], status);
    ADD(W.take_calls[i], 1);
}

static void *put_async_producer(void *arg)
{
    int p = (int)(size_t)arg, i, v, rc;
    long n = 0;

    for (i = 0; i < PER; i++) {
        v = p * PER + i;
        W.put_vals[v] = v;
        while ((rc = ca_put_async(&W.ch, &W.put_ops[v], &W.put_vals[v],
                                  put_cb)) == CA_EFULL)
            if (!spin(&n))
                goto out;
        if (rc != CA_OK)
            ADD(W.errors, 1);
        n = 0;
    }
out:
    producer_done();
    return NULL;
}

/* Starts TOTAL / 2 takes and leaves them; retries only when too many
** already wait. */
static void *take_async_consumer(void *arg)
{
    int i, rc;
    long n = 0;

    (void)arg;
    for (i = 0; i < TOTAL / 2; i++) {
        W.take_dst[i] = -1;
        while ((rc = ca_take_async(&W.ch, &W.take_ops[i], &W.take_dst[i],
                                   take_cb)) == CA_EFULL)
            if (!spin(&n))
                return NULL;
        if (rc != CA_OK)
            ADD(W.errors, 1);
        ADD(W.takes_started, 1);
        n = 0;
    }
    return NULL;
}

/* Two producers with ca_put_async, one consumer with ca_take_async, one
** with ca_poll. Every callback runs exactly once; every value arrives
** once. */
static void async_run(ca_buf_kind kind, size_t cap)
{
    pthread_t prod[NPROD], cons[2];
    int i, bad = 0, ok_takes = 0, started;

    CA_ASSERT_RC(world_init(kind, cap), CA_OK);
    start(&cons[0], take_async_consumer, 0);
    start(&cons[1], poll_consumer, 0);
    for (i = 0; i < NPROD; i++)
        start(&prod[i], put_async_producer, (size_t)i);
    for (i = 0; i < NPROD; i++)
        join(prod[i]);
    for (i = 0; i < 2; i++)
        join(cons[i]);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_EQ(W.spun_out, 0);
    for (i = 0; i < TOTAL; i++)
        bad += W.put_calls[i] != 1 || W.put_status[i] != CA_OK;
    CA_ASSERT_EQ(bad, 0);
    started = W.takes_started;
    CA_ASSERT_EQ(started, TOTAL / 2);
    for (i = 0; i < started; i++) {
        bad += W.take_calls[i] != 1;
        ok_takes += W.take_status[i] == CA_OK;
    }
    CA_ASSERT_EQ(bad, 0);
    check_all_once();
    CA_ASSERT_EQ(ok_takes + W.polled, TOTAL);
    CA_ASSERT_RC(ca_chan_destroy(&W.ch), CA_OK);
}

static void threads_async_fixed(void)
{
    async_run(CA_FIXED, 1);
    async_run(CA_FIXED, 8);
}

static void threads_async_unbuffered(void)
{
    async_run(CA_UNBUFFERED, 0);
}

/* ------------------------------------------------------ close in the race */

static void close_put_cb(ca_op *op, int status)
{
    int i = (int)(op - W.put_ops);

    STORE(W.put_status[i], status);
    ADD(W.put_calls[i], 1);
}

/* Puts values until the channel turns out closed, by offer and by async
** put in turn. Producer 0 closes the channel itself after a quarter of
** its values, while the others go on: so it is sure to see a refusal. */
static void *closing_producer(void *arg)
{
    int p = (int)(size_t)arg, i, v, rc;
    long n = 0;

    for (i = 0; i < PER; i++) {
        if (p == 0 && i == PER / 4 && ca_close(&W.ch) != CA_OK)
            ADD(W.errors, 1);
        v = p * PER + i;
        W.put_vals[v] = v;
        if (i % 2 == 0) {
            while ((rc = ca_offer(&W.ch, &W.put_vals[v])) == CA_AGAIN)
                if (!spin(&n))
                    return NULL;
            STORE(W.sent[v], rc == CA_OK ? 1 : 2);
        } else {
            while ((rc = ca_put_async(&W.ch, &W.put_ops[v], &W.put_vals[v],
                                      close_put_cb)) == CA_EFULL)
                if (!spin(&n))
                    return NULL;
            /* the outcome is the callback's: it may not have run yet */
            STORE(W.sent[v], 3);
        }
        if (rc == CA_CLOSED)
            break;
        if (rc != CA_OK)
            ADD(W.errors, 1);
        n = 0;
    }
    return NULL;
}

/* Takes one value at a time with ca_take_async, waiting for each, until
** one reports closed. */
static void *one_by_one_taker(void *arg)
{
    int i, rc;
    long n = 0;

    (void)arg;
    for (i = 0; i < TOTAL; i++) {
        W.take_dst[i] = -1;
        while ((rc = ca_take_async(&W.ch, &W.take_ops[i], &W.take_dst[i],
                                   take_cb)) == CA_EFULL)
            if (!spin(&n))
                return NULL;
        if (rc != CA_OK) {
            ADD(W.errors, 1);
            return NULL;
        }
        ADD(W.takes_started, 1);
        while (LOAD(W.take_calls[i]) == 0)
            if (!spin(&n))
                return NULL;
        if (LOAD(W.take_status[i]) == CA_CLOSED)
            break;
        n = 0;
    }
    return NULL;
}

/* The channel is closed while producers put and consumers take, by a
** producer and by the main thread at once. No crash; every callback runs
** once; no value is lost: each one accepted is received once, each one
** refused never. */
static void close_run(ca_buf_kind kind, size_t cap)
{
    pthread_t prod[NPROD], cons[2];
    int i, v, bad = 0, lost = 0, ghost = 0, closed_puts = 0;
    long n = 0;

    CA_ASSERT_RC(world_init(kind, cap), CA_OK);
    start(&cons[0], one_by_one_taker, 0);
    start(&cons[1], poll_consumer, 0);
    for (i = 0; i < NPROD; i++)
        start(&prod[i], closing_producer, (size_t)i);
    /* close when producer 0 is about to: two closes race */
    while (LOAD(W.sent[PER / 4 - 1]) == 0 && spin(&n))
        ;
    CA_ASSERT_RC(ca_close(&W.ch), CA_OK);
    for (i = 0; i < NPROD; i++)
        join(prod[i]);
    for (i = 0; i < 2; i++)
        join(cons[i]);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_EQ(W.spun_out, 0);
    /* the consumers stopped at closed-and-drained: nothing is left */
    CA_ASSERT_RC(ca_poll(&W.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&W.ch), CA_OK);

    for (i = 0; i < W.takes_started; i++)
        bad += W.take_calls[i] != 1;
    for (v = 0; v < TOTAL; v++) {
        int ok;

        if (W.sent[v] == 3) { /* async put: its callback says */
            bad += W.put_calls[v] != 1;
            ok = W.put_status[v] == CA_OK;
            closed_puts += W.put_status[v] == CA_CLOSED;
        } else {
            ok = W.sent[v] == 1;
            closed_puts += W.sent[v] == 2;
        }
        bad += W.seen[v] > 1;
        lost += ok && W.seen[v] != 1;
        ghost += !ok && W.seen[v] != 0;
    }
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(lost, 0);
    CA_ASSERT_EQ(ghost, 0);
    /* producer 0's first quarter was put before either close, and all of
    ** it was delivered, waiting puts included; its next put was refused */
    for (v = 0; v < PER / 4; v++)
        bad += W.seen[v] != 1;
    CA_ASSERT_EQ(bad, 0);
    CU_ASSERT(W.sent[PER / 4] == 2);
    CU_ASSERT(closed_puts >= 1);
}

static void threads_close_race_fixed(void)
{
    close_run(CA_FIXED, 1);
    close_run(CA_FIXED, 16);
}

static void threads_close_race_unbuffered(void)
{
    close_run(CA_UNBUFFERED, 0);
}

/* ------------------------------------------------------------ references */

enum { REF_THREADS = 4, REF_LOOPS = 5000 };

static ca_chan ref_chan;
static ca_chan *ref_ch;

static void *ref_worker(void *arg)
{
    int i, v = 1, last = (int)(size_t)arg;

    for (i = 0; i < REF_LOOPS; i++) {
        if (ca_chan_retain(ref_ch) != CA_OK)
            ADD(W.errors, 1);
        (void)ca_offer(ref_ch, &v);
        (void)ca_poll(ref_ch, &v);
        if (ca_chan_free(ref_ch) != CA_OK)
            ADD(W.errors, 1);
    }
    /* drop the reference this thread was given */
    if (last && ca_chan_free(ref_ch) != CA_OK)
        ADD(W.errors, 1);
    return NULL;
}

/* Retain and free from several threads keep an exact count. */
static void threads_refcount(void)
{
    pthread_t t[REF_THREADS];
    ca_chan_info info;
    int buf[4], i;

    memset(&W, 0, sizeof W);
    CA_ASSERT_RC(
        ca_chan_init(&ref_chan, CA_SLIDING, 4, sizeof(int), buf, sizeof buf),
        CA_OK);
    ref_ch = &ref_chan;
    for (i = 0; i < REF_THREADS; i++)
        CA_ASSERT_RC(ca_chan_retain(ref_ch), CA_OK);
    for (i = 0; i < REF_THREADS; i++)
        start(&t[i], ref_worker, 1);
    for (i = 0; i < REF_THREADS; i++)
        join(t[i]);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_RC(ca_chan_inspect(ref_ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_RC(ca_chan_destroy(ref_ch), CA_OK);
}

#if CA_HAVE_MALLOC
static int al_allocs, al_frees;

static void *count_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        ADD(al_frees, 1);
        free(ptr);
        return NULL;
    }
    ADD(al_allocs, 1);
    return malloc(size);
}

/* A ca_chan_new channel shared by threads that each hold a reference:
** whichever lets go last frees it, exactly once. */
static void threads_refcount_last_free(void)
{
    pthread_t t[REF_THREADS];
    int i;

    memset(&W, 0, sizeof W);
    al_allocs = al_frees = 0;
    ca_set_allocator(count_alloc, NULL);
    CA_ASSERT_RC(ca_chan_new(&ref_ch, CA_FIXED, 4, sizeof(int)), CA_OK);
    for (i = 0; i < REF_THREADS; i++)
        CA_ASSERT_RC(ca_chan_retain(ref_ch), CA_OK);
    for (i = 0; i < REF_THREADS; i++)
        start(&t[i], ref_worker, 1);
    CA_ASSERT_RC(ca_chan_free(ref_ch), CA_OK); /* main's own reference */
    for (i = 0; i < REF_THREADS; i++)
        join(t[i]);
    ca_set_allocator(NULL, NULL);
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_EQ(al_allocs, 1);
    CA_ASSERT_EQ(al_frees, 1);
}
#endif

/* -------------------------------------------------- which thread calls back */

static pthread_t cb_thread;
static int cb_ran;

static void thread_cb(ca_op *op, int status)
{
    (void)op;
    (void)status;
    cb_thread = pthread_self();
    ADD(cb_ran, 1);
}

static void *poll_once(void *arg)
{
    int v;

    (void)arg;
    if (ca_poll(&W.ch, &v) != CA_OK)
        ADD(W.errors, 1);
    return NULL;
}

static void *offer_once(void *arg)
{
    int v = 3;

    (void)arg;
    if (ca_offer(&W.ch, &v) != CA_OK)
        ADD(W.errors, 1);
    return NULL;
}

/* core.async async_test put!-on-caller? and take!-on-caller?: a callback
** that completes at once runs on the caller; one that waited runs on the
** thread that completed it. */
static void threads_callback_thread(void)
{
    pthread_t t;
    ca_op op;
    int v = 1, dst = -1;

    CA_ASSERT_RC(world_init(CA_UNBUFFERED, 0), CA_OK);
    cb_ran = 0;
    CA_ASSERT_RC(ca_put_async(&W.ch, &op, &v, thread_cb), CA_OK);
    CA_ASSERT_EQ(LOAD(cb_ran), 0);
    start(&t, poll_once, 0);
    join(t);
    CA_ASSERT_EQ(cb_ran, 1);
    CU_ASSERT(pthread_equal(cb_thread, t));

    CA_ASSERT_RC(ca_take_async(&W.ch, &op, &dst, thread_cb), CA_OK);
    start(&t, offer_once, 0);
    join(t);
    CA_ASSERT_EQ(cb_ran, 2);
    CU_ASSERT(pthread_equal(cb_thread, t));
    CA_ASSERT_EQ(dst, 3);

    CA_ASSERT_RC(ca_close(&W.ch), CA_OK);
    CA_ASSERT_RC(ca_put_async(&W.ch, &op, &v, thread_cb), CA_CLOSED);
    CA_ASSERT_EQ(cb_ran, 3);
    CU_ASSERT(pthread_equal(cb_thread, pthread_self()));
    CA_ASSERT_EQ(W.errors, 0);
    CA_ASSERT_RC(ca_chan_destroy(&W.ch), CA_OK);
}

/* ---------------------------------------------- go blocks and threads */

/* Go blocks on the default scheduler serve plain threads: two producer
** threads put with ca_put_blocking into a fixed channel, four go-block
** workers take with an ALTS that also has a deadline case, double each
** value and PUT it into an unbuffered channel, and a consumer thread takes
** with ca_take_blocking. The threads declare themselves with
** ca_sched_ref, so that no one sees a deadlock while the others may still
** come; the test thread drives the scheduler with ca_sched_run, or waits
** while a blocking call drives it. Every value arrives doubled, once. */

#define GW_N 5000
#define GW_WORKERS 4

typedef struct gw_worker {
    ca_go go;
    ca_chan *in, *out;
    ca_alt alt[2];
    long v;
} gw_worker;

static int gw_worker_fn(ca_go *g)
{
    gw_worker *w = (gw_worker *)g;

    GO_BEGIN(g);
    for (;;) {
        ca_alt_take(&w->alt[0], w->in, &w->v);
        ca_alt_deadline(&w->alt[1], 5);
        ALTS(g, w->alt, 2, 0);
        if (GO_ALT(g) == 1)
            continue; /* nothing for 5 ms: look again */
        if (GO_CLOSED(g))
            break;
        w->v *= 2;
        PUT(g, w->out, &w->v);
    }
    GO_END(g);
}

typedef struct gw_shared {
    ca_chan in, out;
    long inbuf[8];
    long base[2];
    long total, count;
    int put_errors;
} gw_shared;

static gw_shared gw;

static void *gw_producer(void *arg)
{
    long base = *(long *)arg, i, v;

    for (i = 0; i < GW_N; i++) {
        v = base + i;
        if (ca_put_blocking(&gw.in, &v) != CA_OK)
            gw.put_errors++;
    }
    return NULL;
}

static void *gw_consumer(void *arg)
{
    long v;

    (void)arg;
    while (gw.count < 2L * GW_N && ca_take_blocking(&gw.out, &v) == CA_OK) {
        gw.total += v;
        gw.count++;
    }
    return NULL;
}

static void *gw_closer(void *arg)
{
    pthread_t *t = (pthread_t *)arg;
    int i;

    for (i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    (void)ca_close(&gw.in); /* the workers end on GO_CLOSED */
    (void)ca_sched_unref(NULL);
    return NULL;
}

static void threads_go_workers(void)
{
    gw_worker ws[GW_WORKERS];
    pthread_t t[3], closer;
    long expect = 0, i;
    int k;

    memset(&gw, 0, sizeof gw);
    memset(ws, 0, sizeof ws);
    CA_ASSERT_RC(ca_chan_init(&gw.in, CA_FIXED, 8, sizeof(long), gw.inbuf,
                              sizeof gw.inbuf),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&gw.out, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
                 CA_OK);
    for (k = 0; k < GW_WORKERS; k++) {
        ws[k].in = &gw.in;
        ws[k].out = &gw.out;
        CA_ASSERT_RC(ca_go_start(NULL, &ws[k].go, gw_worker_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_ref(NULL), CA_OK);
    gw.base[0] = 0;
    gw.base[1] = 1000000;
    CU_ASSERT(pthread_create(&t[0], NULL, gw_producer, &gw.base[0]) == 0);
    CU_ASSERT(pthread_create(&t[1], NULL, gw_producer, &gw.base[1]) == 0);
    CU_ASSERT(pthread_create(&t[2], NULL, gw_consumer, NULL) == 0);
    CU_ASSERT(pthread_create(&closer, NULL, gw_closer, t) == 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    pthread_join(closer, NULL);
    for (i = 0; i < GW_N; i++)
        expect += 2 * (i + (i + 1000000));
    CA_ASSERT_EQ(gw.put_errors, 0);
    CA_ASSERT_EQ(gw.count, 2L * GW_N);
    CA_ASSERT_EQ(gw.total, expect);
    CHECK_PENDING(&gw.in, 0, 0);
    CHECK_PENDING(&gw.out, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&gw.in), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&gw.out), CA_OK);
}

/* A thread blocked while another drives the default scheduler takes over
** when that one lets go. The driver's hand-over kick is its only wake-up:
** the go block it needs sleeps on a timer that nobody fires until someone
** drives. The main thread takes first (and drives); thread B blocks 5 ms
** later, long before the main thread's value comes (30 ms). */
typedef struct ho_block {
    ca_go go;
    ca_chan *a, *b;
    int one, two;
} ho_block;

static int ho_fn(ca_go *g)
{
    ho_block *h = (ho_block *)g;

    GO_BEGIN(g);
    SLEEP(g, 30);
    PUT(g, h->a, &h->one);
    SLEEP(g, 30);
    PUT(g, h->b, &h->two);
    GO_END(g);
}

static ca_chan ho_a, ho_b;
static int ho_got_b, ho_rc_b;

static void *ho_taker_b(void *arg)
{
    struct timespec ts = {0, 5000000};

    (void)arg;
    nanosleep(&ts, NULL);
    ho_rc_b = ca_take_blocking(&ho_b, &ho_got_b);
    return NULL;
}

static void threads_driver_hands_over(void)
{
    ho_block h;
    pthread_t tb;
    int got_a = 0;

    memset(&h, 0, sizeof h);
    CA_ASSERT_RC(ca_chan_init(&ho_a, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&ho_b, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    h.a = &ho_a;
    h.b = &ho_b;
    h.one = 1;
    h.two = 2;
    CA_ASSERT_RC(ca_go_start(NULL, &h.go, ho_fn), CA_OK);
    CU_ASSERT(pthread_create(&tb, NULL, ho_taker_b, NULL) == 0);
    CA_ASSERT_RC(ca_take_blocking(&ho_a, &got_a), CA_OK);
    CA_ASSERT_EQ(got_a, 1);
    pthread_join(tb, NULL);
    CA_ASSERT_RC(ho_rc_b, CA_OK);
    CA_ASSERT_EQ(ho_got_b, 2);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ho_a), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ho_b), CA_OK);
}

/* A timeout started on another thread while the driver sleeps with
** nothing to wait for (a reference held, no timer) must wake it: the
** timer is added from outside, and the driver must fire it on time. The
** other thread watches the channel close, for 2 s at most. */
static ca_sched to_sched;
static ca_timeout_chan to_tc;
static int to_closed_ms = -1;

static void *to_starter(void *arg)
{
    struct timespec ts = {0, 5000000};
    uint32_t t0;
    int rc;

    (void)arg;
    nanosleep(&ts, NULL); /* the driver is asleep by now */
    t0 = tick_ms();
    rc = ca_timeout_init(&to_sched, &to_tc, 20);
    while (rc == CA_OK && ca_closed(&to_tc.ch) != 1 &&
           (uint32_t)(tick_ms() - t0) < 2000) {
        ts.tv_nsec = 1000000;
        nanosleep(&ts, NULL);
    }
    if (rc == CA_OK && ca_closed(&to_tc.ch) == 1)
        to_closed_ms = (int)(uint32_t)(tick_ms() - t0);
    (void)ca_sched_unref(&to_sched);
    return NULL;
}

static void threads_timeout_from_outside(void)
{
    pthread_t t;

    CA_ASSERT_RC(ca_sched_init(&to_sched), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(&to_sched), CA_OK);
    CU_ASSERT(pthread_create(&t, NULL, to_starter, NULL) == 0);
    CA_ASSERT_RC(ca_sched_run(&to_sched), CA_OK);
    pthread_join(t, NULL);
    CU_ASSERT(to_closed_ms >= 20 && to_closed_ms < 2000);
    CA_ASSERT_RC(ca_chan_destroy(&to_tc.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&to_sched), CA_OK);
}

/* A block that loops on YIELD keeps the run queue busy for ever: a block
** woken from another thread (it lands in the inbox) must still get its
** turn, and it is the one that stops the loop. */
typedef struct yl_spin {
    ca_go go;
    int *stop;
    long spins;
} yl_spin;

static int yl_spin_fn(ca_go *g)
{
    yl_spin *y = (yl_spin *)g;

    GO_BEGIN(g);
    while (!*y->stop) {
        y->spins++;
        YIELD(g);
    }
    GO_END(g);
}

typedef struct yl_wait {
    ca_go go;
    ca_chan *ch;
    int *stop, v;
} yl_wait;

static int yl_wait_fn(ca_go *g)
{
    yl_wait *w = (yl_wait *)g;

    GO_BEGIN(g);
    TAKE(g, w->ch, &w->v);
    *w->stop = 1;
    GO_END(g);
}

static ca_chan yl_ch;
static int yl_rc = -1;

static void *yl_sender(void *arg)
{
    struct timespec ts = {0, 5000000};
    int v = 7, tries = 0;

    (void)arg;
    nanosleep(&ts, NULL);
    /* The waiting block parks at once; retry only while it has not. */
    while ((yl_rc = ca_offer(&yl_ch, &v)) == CA_AGAIN && ++tries < 1000)
        nanosleep(&ts, NULL);
    (void)ca_sched_unref(NULL);
    return NULL;
}

static void threads_yield_loop_inbox(void)
{
    yl_spin sp;
    yl_wait wt;
    pthread_t t;
    int stop = 0;

    memset(&sp, 0, sizeof sp);
    memset(&wt, 0, sizeof wt);
    CA_ASSERT_RC(ca_chan_init(&yl_ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    sp.stop = wt.stop = &stop;
    wt.ch = &yl_ch;
    CA_ASSERT_RC(ca_go_start(NULL, &wt.go, yl_wait_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &sp.go, yl_spin_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(NULL), CA_OK);
    CU_ASSERT(pthread_create(&t, NULL, yl_sender, NULL) == 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    pthread_join(t, NULL);
    CA_ASSERT_RC(yl_rc, CA_OK);
    CA_ASSERT_EQ(wt.v, 7);
    CU_ASSERT(sp.spins > 0);
    CA_ASSERT_RC(ca_chan_destroy(&yl_ch), CA_OK);
}

static const ca_test tests[] = {
    {"threads_offer_poll_fixed", threads_offer_poll_fixed},
    {"threads_offer_poll_dropping", threads_offer_poll_dropping},
    {"threads_offer_poll_sliding", threads_offer_poll_sliding},
    {"threads_promise", threads_promise},
    {"threads_async_fixed", threads_async_fixed},
    {"threads_async_unbuffered", threads_async_unbuffered},
    {"threads_close_race_fixed", threads_close_race_fixed},
    {"threads_close_race_unbuffered", threads_close_race_unbuffered},
    {"threads_refcount", threads_refcount},
#if CA_HAVE_MALLOC
    {"threads_refcount_last_free", threads_refcount_last_free},
#endif
    {"threads_callback_thread", threads_callback_thread},
    {"threads_go_workers", threads_go_workers},
    {"threads_driver_hands_over", threads_driver_hands_over},
    {"threads_timeout_from_outside", threads_timeout_from_outside},
    {"threads_yield_loop_inbox", threads_yield_loop_inbox},
    {NULL, NULL}};

CA_TEST_MAIN("threads", tests)
