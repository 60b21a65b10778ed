/*
** soak.c: `make soak` (issue 12): everything at once, for as long as you
** like, checking that no value is lost or doubled and that memory stays
** flat. MIT licence, see COPYING.
**
** Each round makes fresh channels (allocated, so a leak grows the heap)
** and sets on them, together: plain threads putting and taking with the
** blocking calls (one of them through an ALTS with a deadline), go blocks
** on a pool and on a single-threaded scheduler driven by its own thread
** (ALTS with deadline cases, SLEEP), callbacks that take again from
** inside themselves, and a closer that closes the channel at a random
** moment. Conservation: every value a producer was told was accepted
** (CA_OK) is received exactly once; every other value was refused with
** CA_CLOSED. Memory: every round gives back every allocation the library
** made (a counting allocator: at most a round's worth in flight, none at
** the end), and the resident set after the first
** quarter of the run and at its end differ by at most a small slack (not
** checked under sanitizers, whose own bookkeeping grows with threads).
**
** usage: soak [seconds]   (default 10; SOAK_SECONDS in the environment)
** Exits 0 when every round checked out, 1 with a message otherwise.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <coreasync.h>

#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

enum {
    PER = 400,          /* values per producer per round                  */
    NTP = 2,            /* producer threads                               */
    NGP = 3,            /* producer go blocks on the pool                 */
    NSP = 2,            /* producer go blocks on the solo scheduler       */
    NPROD = NTP + NGP + NSP,
    TOTAL = NPROD * PER,
    NTC = 2,            /* consumer threads (one through ALTS)            */
    NGC = 3,            /* consumer go blocks on the pool (ALTS)          */
    NCB = 2             /* callback chains                                */
};

typedef struct round {
    ca_chan *ch;                /* where everyone meets                   */
    ca_chan *done;              /* one signal per consumer at its end     */
    ca_chan *pdone;             /* one signal per producer at its end     */
    ca_sched *pool, *solo;
    int producers_left;
    unsigned char accepted[TOTAL]; /* 1: its put said CA_OK              */
    unsigned char refused[TOTAL];  /* 1: its put said CA_CLOSED          */
    unsigned char seen[TOTAL];     /* times received                     */
    int errors;
    unsigned seed;
} round;

static round R;

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "soak: FAIL: %s (%ld, %ld)\n", what, a, b);
    exit(1);
}

static void got(int v)
{
    if (v < 0 || v >= TOTAL) {
        ADD(R.errors, 1);
        return;
    }
    if (ADD(R.seen[v], 1) > 1)
        ADD(R.errors, 1);
}

static void put_result(int v, int rc)
{
    if (rc == CA_OK)
        R.accepted[v] = 1;
    else if (rc == CA_CLOSED)
        R.refused[v] = 1;
    else
        ADD(R.errors, 1);
}

static void producer_done(void)
{
    int one = 1;

    if (ADD(R.producers_left, -1) == 0)
        (void)ca_close(R.ch);
    if (ca_offer(R.pdone, &one) != CA_OK)
        ADD(R.errors, 1);
}

static void consumer_done(void)
{
    int one = 1;

    if (ca_offer(R.done, &one) != CA_OK)
        ADD(R.errors, 1);
}

/* ------------------------------------------------------------ threads */

static void *thread_producer(void *arg)
{
    int base = (int)(intptr_t)arg * PER, i, v;

    for (i = 0; i < PER; i++) {
        v = base + i;
        put_result(v, ca_put_blocking(R.ch, &v));
    }
    producer_done();
    return NULL;
}

static void *thread_consumer(void *arg)
{
    int v, rc, by_alts = (int)(intptr_t)arg;
    ca_alt cases[2];
    size_t idx;

    for (;;) {
        if (by_alts) {
            (void)ca_alt_take(&cases[0], R.ch, &v);
            (void)ca_alt_deadline(&cases[1], 2);
            rc = ca_alts_blocking(cases, 2, 0, &idx);
            if (rc == CA_OK && idx == 1)
                continue; /* a deadline: look again */
        } else {
            rc = ca_take_blocking(R.ch, &v);
        }
        if (rc == CA_CLOSED)
            break;
        if (rc != CA_OK) {
            ADD(R.errors, 1);
            break;
        }
        got(v);
    }
    consumer_done();
    return NULL;
}

/* The closer: sleeps a random while, then closes (or lets the producers
** close when they finish first). */
static void *closer(void *arg)
{
    struct timespec ts;

    ts.tv_sec = 0;
    ts.tv_nsec = (long)((uintptr_t)arg % 3000u) * 1000L;
    (void)nanosleep(&ts, NULL);
    (void)ca_close(R.ch);
    return NULL;
}

static void *solo_driver(void *arg)
{
    int rc = ca_sched_run((ca_sched *)arg);

    if (rc != CA_OK)
        fail("solo scheduler run", rc, 0);
    return NULL;
}

/* ------------------------------------------------------------ blocks */

typedef struct gprod {
    ca_go go;
    int base, i, v;
} gprod;

static int go_producer(ca_go *g)
{
    gprod *p = (gprod *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < PER; p->i++) {
        p->v = p->base + p->i;
        PUT(g, R.ch, &p->v);
        put_result(p->v, GO_STATUS(g));
        if (p->i % 64 == 63)
            SLEEP(g, 0); /* a timer now and then */
    }
    producer_done();
    GO_END(g);
}

typedef struct gcons {
    ca_go go;
    ca_alt cases[2];
    int v;
} gcons;

static int go_consumer(ca_go *g)
{
    gcons *c = (gcons *)g;

    GO_BEGIN(g);
    for (;;) {
        (void)ca_alt_take(&c->cases[0], R.ch, &c->v);
        (void)ca_alt_deadline(&c->cases[1], 1);
        ALTS(g, c->cases, 2, 0);
        if (GO_ALT(g) == 1)
            continue;
        if (GO_CLOSED(g))
            break;
        got(c->v);
    }
    consumer_done();
    GO_END(g);
}

typedef struct cbcons {
    ca_op op;
    int v;
} cbcons;

static void cb_take(ca_op *op, int status)
{
    cbcons *c = (cbcons *)op->data;

    if (status == CA_CLOSED) {
        consumer_done();
        return;
    }
    got(c->v);
    if (ca_take_async(R.ch, &c->op, &c->v, cb_take) != CA_OK) {
        ADD(R.errors, 1);
        consumer_done();
    }
}

/* ------------------------------------------------------------ a round */

static void one_round(ca_sched *pool, unsigned seed)
{
    pthread_t tp[NTP], tc[NTC], solo, cl;
    gprod gp[NGP + NSP];
    gcons gc[NGC];
    cbcons cb[NCB];
    ca_sched s;
    ca_chan *rp[NGP + NSP], *rc[NGC];
    int i, one, delivered = 0, refused = 0;
    ca_buf_kind kind = seed % 2 ? CA_FIXED : CA_UNBUFFERED;

    memset(&R, 0, sizeof R);
    R.seed = seed;
    R.pool = pool;
    R.solo = &s;
    R.producers_left = NPROD;
    if (ca_chan_new(&R.ch, kind, kind == CA_FIXED ? 1 + seed % 32 : 0,
                    sizeof(int)) != CA_OK ||
        ca_chan_new(&R.done, CA_FIXED, 16, sizeof(int)) != CA_OK ||
        ca_chan_new(&R.pdone, CA_FIXED, 16, sizeof(int)) != CA_OK ||
        ca_sched_init(&s) != CA_OK)
        fail("set-up", 0, 0);
    memset(gp, 0, sizeof gp);
    memset(gc, 0, sizeof gc);
    for (i = 0; i < NGP + NSP; i++) {
        gp[i].base = (NTP + i) * PER;
        /* A block's struct may be reused only once its result channel
        ** is closed: the block has finished and the scheduler let go. */
        if (ca_go_result(&gp[i].go, 0, &rp[i]) != CA_OK ||
            ca_go_start(i < NGP ? pool : &s, &gp[i].go, go_producer) != CA_OK)
            fail("go_start producer", i, 0);
    }
    for (i = 0; i < NGC; i++)
        if (ca_go_result(&gc[i].go, 0, &rc[i]) != CA_OK ||
            ca_go_start(pool, &gc[i].go, go_consumer) != CA_OK)
            fail("go_start consumer", i, 0);
    for (i = 0; i < NCB; i++) {
        cb[i].op.data = &cb[i];
        if (ca_take_async(R.ch, &cb[i].op, &cb[i].v, cb_take) != CA_OK)
            fail("take_async", i, 0);
    }
    if (pthread_create(&solo, NULL, solo_driver, &s) != 0)
        fail("pthread_create", 0, 0);
    for (i = 0; i < NTC; i++)
        if (pthread_create(&tc[i], NULL, thread_consumer,
                           (void *)(intptr_t)i) != 0)
            fail("pthread_create", i, 0);
    for (i = 0; i < NTP; i++)
        if (pthread_create(&tp[i], NULL, thread_producer,
                           (void *)(intptr_t)i) != 0)
            fail("pthread_create", i, 0);
    /* Half the rounds close early, at a random moment. */
    if (seed % 4 < 2 &&
        pthread_create(&cl, NULL, closer, (void *)(uintptr_t)(seed * 7919u)))
        fail("pthread_create", 0, 0);

    for (i = 0; i < NTC + NGC + NCB; i++)
        if (ca_take_blocking(R.done, &one) != CA_OK)
            fail("waiting for the consumers", i, 0);
    for (i = 0; i < NTP; i++)
        pthread_join(tp[i], NULL);
    for (i = 0; i < NTC; i++)
        pthread_join(tc[i], NULL);
    if (seed % 4 < 2)
        pthread_join(cl, NULL);
    pthread_join(solo, NULL);
    /* Producers may still be finishing after the consumers saw a close
    ** of the closer's: each says when it is done. */
    for (i = 0; i < NPROD; i++)
        if (ca_take_blocking(R.pdone, &one) != CA_OK)
            fail("waiting for the producers", i, 0);
    for (i = 0; i < NGP + NSP; i++)
        if (ca_take_blocking(rp[i], NULL) != CA_CLOSED ||
            ca_chan_free(rp[i]) != CA_OK)
            fail("a producer block's end", i, 0);
    for (i = 0; i < NGC; i++)
        if (ca_take_blocking(rc[i], NULL) != CA_CLOSED ||
            ca_chan_free(rc[i]) != CA_OK)
            fail("a consumer block's end", i, 0);

    if (R.errors != 0)
        fail("unexpected results", R.errors, seed);
    for (i = 0; i < TOTAL; i++) {
        if (R.accepted[i] + R.refused[i] != 1)
            fail("a put was neither accepted nor refused", i, seed);
        if (R.seen[i] != R.accepted[i])
            fail("accepted value not received exactly once", i, R.seen[i]);
        delivered += R.seen[i];
        refused += R.refused[i];
    }
    if (delivered + refused != TOTAL)
        fail("conservation", delivered, refused);
    if (ca_sched_destroy(&s) != CA_OK)
        fail("destroy solo scheduler", 0, 0);
    (void)ca_chan_free(R.ch);
    (void)ca_chan_free(R.done);
    (void)ca_chan_free(R.pdone);
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The library's heap, counted: every round must give back all it took. */
static long live_allocs;

static void *counting_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        if (ptr != NULL) {
            ADD(live_allocs, -1);
            free(ptr);
        }
        return NULL;
    }
    if (ptr == NULL && (ptr = malloc(size)) != NULL)
        ADD(live_allocs, 1);
    else if (ptr != NULL)
        ptr = realloc(ptr, size);
    return ptr;
}

/* Sanitizers keep per-thread history of their own: the resident set
** grows with the threads a round makes, whatever the library does. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *env = getenv("SOAK_SECONDS");
    double secs = argc > 1 ? atof(argv[1]) : env ? atof(env) : 10.0;
    double t0 = now_s(), t;
    long rss_early = -1, rss_end;
    unsigned rounds = 0;
    ca_sched pool;

    long base;

    ca_set_allocator(counting_alloc, NULL);
    if (ca_sched_init(&pool) != CA_OK || ca_sched_start(&pool, 4) != CA_OK)
        fail("pool", 0, 0);
    base = live_allocs;
    do {
        one_round(&pool, rounds * 2654435761u + 17u);
        /* A finished block's worker may still be letting go of its
        ** result channel (the last free is whoever's is last): a few may
        ** be in flight, never more than a round's result channels. */
        if (__atomic_load_n(&live_allocs, __ATOMIC_ACQUIRE) >
            base + NGP + NSP + NGC)
            fail("library allocations pile up", live_allocs, base);
        rounds++;
        t = now_s() - t0;
        if (rss_early < 0 && t >= secs / 4)
            rss_early = rss_kb();
    } while (t < secs);
    if (ca_sched_stop(&pool) != CA_OK || ca_sched_destroy(&pool) != CA_OK)
        fail("pool shutdown", 0, 0);
    rss_end = rss_kb();
    printf("soak: %u rounds, %d values each, in %.1f s; rss %ld kB after "
           "a quarter, %ld kB at the end\n",
           rounds, TOTAL, t, rss_early, rss_end);
    /* Flat: the heap may settle a little after the first quarter, never
    ** grow with the number of rounds. */
    if (RSS_MEANINGFUL && rss_early > 0 &&
        rss_end > rss_early + rss_early / 10 + 1024)
        fail("memory grew", rss_early, rss_end);
    if (__atomic_load_n(&live_allocs, __ATOMIC_ACQUIRE) != 0)
        fail("library allocations left at the end", live_allocs, 0);
    printf("soak: ok\n");
    return 0;
}
