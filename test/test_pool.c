/*
** test_pool.c: go blocks on a pool of worker threads (ca_sched_start),
** plain threads that talk through blocking calls with no reference held,
** every kind of party meeting on the same channels, shutdown with blocks
** parked, the pool's deadlock report, and ca_thread. Threads build only;
** every wait here hangs (and the watchdog fails the test) if a wake-up
** is lost: nothing polls. MIT licence, see COPYING.
*/
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_MALLOC /* a pool needs it (ca_pool(3)); see the end */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_ACQ_REL)

/* Threads of this process, or -1 where /proc does not tell. */
static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* The thread count once it is `want`, or what it still is after 2 s.
** pthread_join returns when the kernel clears the thread's id, a moment
** before it takes the thread out of /proc/self/task: under load that
** moment was seen ("2 != 1" after ca_sched_stop). A count that never
** comes right still fails, 2 s late. */
static int threads_settle(int want)
{
    struct timespec ms = {0, 1000000L};
    int n, i;

    for (i = 0; (n = count_threads()) != want && i < 2000; i++)
        nanosleep(&ms, NULL);
    return n;
}

/* ------------------------------------------------------------ errors */

static int eperm_block(ca_go *g);

typedef struct probe {
    ca_go go;
    int take_rc, start_rc, stop_rc;
} probe;

static int eperm_block(ca_go *g)
{
    probe *p = (probe *)g;
    int v;

    GO_BEGIN(g);
    p->take_rc = ca_take_blocking(NULL, &v);
    p->start_rc = ca_sched_start(ca_go_sched(g), 1);
    p->stop_rc = ca_sched_stop(ca_go_sched(g));
    GO_END(g);
}

static void start_stop_errors(void)
{
    ca_sched s;
    probe p;
    ca_chan *r;
    uint32_t next;
    int one = 1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_EINVAL); /* no pool */
    CA_ASSERT_RC(ca_sched_start(&s, CA_POOL_MAX + 1), CA_ERANGE);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EBUSY);

    /* Inside a block on a worker: blocking calls and pool control are
    ** refused, never stall the pool. */
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_go_result(&p.go, sizeof one, &r), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, eperm_block), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(r, &one), CA_CLOSED);
    CA_ASSERT_EQ(p.take_rc, CA_EPERM);
    CA_ASSERT_EQ(p.start_rc, CA_EPERM);
    CA_ASSERT_EQ(p.stop_rc, CA_EPERM);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);

    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* no pool: drivable again */
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_EINVAL);
}

static void pool_size_from_env(void)
{
    ca_sched s;
    int before = count_threads();

    if (before < 0 || UNDER_TSAN)
        return; /* no /proc here; a thread of TSan's may come and go */
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(setenv("COREASYNC_POOL_SIZE", "3", 1), 0);
    CA_ASSERT_RC(ca_sched_start(&s, 0), CA_OK);
    CA_ASSERT_EQ(threads_settle(before + 3), before + 3);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_EQ(threads_settle(before), before);

    {
        /* junk, empty, none, too many: the default */
        static const char *const junk[] = {"lots", "", "0", "3x", "99999"};
        size_t i;

        for (i = 0; i < sizeof junk / sizeof *junk; i++) {
            CA_ASSERT_RC(setenv("COREASYNC_POOL_SIZE", junk[i], 1), 0);
            CA_ASSERT_RC(ca_sched_start(&s, 0), CA_OK);
            CA_ASSERT_EQ(threads_settle(before + 8), before + 8);
            CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
        }
    }
    CA_ASSERT_RC(unsetenv("COREASYNC_POOL_SIZE"), 0);

    CA_ASSERT_RC(ca_sched_start(&s, 5), CA_OK); /* n wins over the default */
    CA_ASSERT_EQ(threads_settle(before + 5), before + 5);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------- ping-pong */

enum { ROUNDS = 20000 };

typedef struct player {
    ca_go go;
    ca_chan *in, *out;
    int v, n;
} player;

/* Takes a ball, passes it on one higher, ROUNDS times; the server
** serves first. Returns how many it passed. */
static int play(ca_go *g)
{
    player *p = (player *)g;

    GO_BEGIN(g);
    for (p->n = 0; p->n < ROUNDS; p->n++) {
        TAKE(g, p->in, &p->v);
        if (GO_CLOSED(g))
            break;
        p->v++;
        PUT(g, p->out, &p->v);
    }
    GO_RETURN(g, &p->v);
    GO_END(g);
}

static void ping_pong_on_pool(void)
{
    ca_sched s;
    ichan a, b;
    player x, y;
    ca_chan *rx, *ry;
    int v = 0, last_x = -1, last_y = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 4), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    x.in = &a.ch, x.out = &b.ch;
    y.in = &b.ch, y.out = &a.ch;
    CA_ASSERT_RC(ca_go_result(&x.go, sizeof(int), &rx), CA_OK);
    CA_ASSERT_RC(ca_go_result(&y.go, sizeof(int), &ry), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, play), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &y.go, play), CA_OK);
    /* The serve, from this thread: a blocking put, no reference held. */
    CA_ASSERT_RC(ca_put_blocking(&a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(rx, &last_x), CA_OK);
    /* y's last put found x gone: take it here to let y finish. */
    CA_ASSERT_RC(ca_take_blocking(&a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(ry, &last_y), CA_OK);
    CA_ASSERT_EQ(last_x, 2 * ROUNDS - 1);
    CA_ASSERT_EQ(last_y, 2 * ROUNDS);
    CA_ASSERT_EQ(v, 2 * ROUNDS);
    CA_ASSERT_RC(ca_chan_free(rx), CA_OK);
    CA_ASSERT_RC(ca_chan_free(ry), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ---------------------------------------------- runnext is bounded */

/* On a pool of one worker, x and y hand a value back and forth, each
** waking the other into the worker's runnext slot; z waits in the queue
** behind them from the start, and only z ends their game. Unbounded,
** runnext would run x and y for ever (the watchdog fails the test). */
typedef struct rally {
    ca_go go;
    ichan *a, *b;
    int *z_ran;
    int v;
} rally;

static int rally_serve(ca_go *g)
{
    rally *r = (rally *)g;

    GO_BEGIN(g);
    while (!LOAD(*r->z_ran)) {
        PUT(g, &r->a->ch, &r->v);
        TAKE(g, &r->b->ch, &r->v);
        r->v++;
    }
    CA_ASSERT_RC(ca_close(&r->a->ch), CA_OK);
    GO_END(g);
}

static int rally_return(ca_go *g)
{
    rally *r = (rally *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &r->a->ch, &r->v);
        if (GO_CLOSED(g))
            break;
        PUT(g, &r->b->ch, &r->v);
    }
    GO_END(g);
}

static int rally_end(ca_go *g)
{
    rally *r = (rally *)g;

    GO_BEGIN(g);
    __atomic_store_n(r->z_ran, 1, __ATOMIC_RELEASE);
    GO_END(g);
}

static void runnext_is_bounded(void)
{
    ca_sched s;
    ichan a, b;
    rally x, y, z;
    ca_chan *r[3];
    int z_ran = 0, i, v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    memset(&x, 0, sizeof x);
    x.a = &a, x.b = &b, x.z_ran = &z_ran;
    y = z = x;
    CA_ASSERT_RC(ca_go_result(&x.go, 0, &r[0]), CA_OK);
    CA_ASSERT_RC(ca_go_result(&y.go, 0, &r[1]), CA_OK);
    CA_ASSERT_RC(ca_go_result(&z.go, 0, &r[2]), CA_OK);
    /* Started before the worker: all three reach its queue in order. */
    CA_ASSERT_RC(ca_go_start(&s, &x.go, rally_serve), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &y.go, rally_return), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &z.go, rally_end), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 1), CA_OK);
    for (i = 0; i < 3; i++) {
        CA_ASSERT_RC(ca_take_blocking(r[i], &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(r[i]), CA_OK);
    }
    CA_ASSERT_EQ(LOAD(z_ran), 1);
    CU_ASSERT(x.v > 0); /* they did play before z ran */
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ----------------------------------- stop with blocks in runnext */

/* Pairs of blocks that wake each other keep one of each pair in a
** worker's runnext slot most of the time: ca_sched_stop in the middle of
** their game must leave those blocks to the next driver (the inbox), as
** it leaves the queued ones. Once every pair passed half time the pool
** stops; then ca_sched_run, or a new pool, must finish every game. A
** block dropped from a slot leaves its partner parked for ever, and the
** test hangs (the watchdog fails it: checked with the slot dropped). */
enum { NPAIR = 3, HALFTIME = 2000 };

typedef struct pair {
    rally r; /* the returner is rally_return */
    ca_chan *mid;
    int i;
} pair;

static int pair_serve(ca_go *g)
{
    pair *t = (pair *)g;

    GO_BEGIN(g);
    for (t->i = 0; t->i < 2 * HALFTIME; t->i++) {
        if (t->i == HALFTIME)
            PUT(g, t->mid, &t->i); /* room for every pair: never parks */
        PUT(g, &t->r.a->ch, &t->r.v);
        TAKE(g, &t->r.b->ch, &t->r.v);
        t->r.v++;
    }
    CA_ASSERT_RC(ca_close(&t->r.a->ch), CA_OK);
    GO_END(g);
}

static void stop_with_runnext(void)
{
    static const unsigned sizes[] = {1, 2, 8};
    ca_sched s;
    ichan a[NPAIR], b[NPAIR], mid;
    pair x[NPAIR], y[NPAIR];
    ca_chan *r[2 * NPAIR];
    unsigned k, round;
    int i, v;

    for (round = 0; round < 12; round++) {
        k = sizes[round % 3];
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        ichan_init(&mid, CA_FIXED, NPAIR);
        CA_ASSERT_RC(ca_sched_start(&s, k), CA_OK);
        for (i = 0; i < NPAIR; i++) {
            ichan_init(&a[i], CA_UNBUFFERED, 0);
            ichan_init(&b[i], CA_UNBUFFERED, 0);
            memset(&x[i], 0, sizeof x[i]);
            x[i].r.a = &a[i], x[i].r.b = &b[i], x[i].mid = &mid.ch;
            y[i] = x[i];
            CA_ASSERT_RC(ca_go_result(&x[i].r.go, 0, &r[2 * i]), CA_OK);
            CA_ASSERT_RC(ca_go_result(&y[i].r.go, 0, &r[2 * i + 1]), CA_OK);
            CA_ASSERT_RC(ca_go_start(&s, &y[i].r.go, rally_return), CA_OK);
            CA_ASSERT_RC(ca_go_start(&s, &x[i].r.go, pair_serve), CA_OK);
        }
        for (i = 0; i < NPAIR; i++)
            CA_ASSERT_RC(ca_take_blocking(&mid.ch, &v), CA_OK);
        CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
        if (round % 2 == 0)
            CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* this thread ends them */
        else
            CA_ASSERT_RC(ca_sched_start(&s, k), CA_OK); /* a new pool */
        for (i = 0; i < 2 * NPAIR; i++) {
            CA_ASSERT_RC(ca_take_blocking(r[i], &v), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_free(r[i]), CA_OK);
        }
        for (i = 0; i < NPAIR; i++) {
            CA_ASSERT_EQ(x[i].i, 2 * HALFTIME);
            CA_ASSERT_EQ(x[i].r.v, 2 * HALFTIME);
        }
        if (round % 2 != 0)
            CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
        for (i = 0; i < NPAIR; i++) {
            CA_ASSERT_RC(ca_chan_destroy(&a[i].ch), CA_OK);
            CA_ASSERT_RC(ca_chan_destroy(&b[i].ch), CA_OK);
        }
        CA_ASSERT_RC(ca_chan_destroy(&mid.ch), CA_OK);
    }
}

/* --------------------------------- runnext behind a step that waits */

/* The waker's step waits, outside the library, for the block it just
** woke (here by yielding the CPU until it ran): that block sits in the
** waker's runnext slot, and only the other worker can run it. Each
** round, b parks on c before a puts (a waits for b's previous round to
** end), so nearly every round strands b in a's worker's slot until the
** idle worker takes it; a slot out of every thief's reach hangs on the
** first such round (the watchdog fails the test: checked without the
** steal). */
enum { WAITING_ROUNDS = 200 };

typedef struct waiting {
    ca_go go;
    ichan *c;
    int *b_ran;
    int i, v;
} waiting;

static int waiting_b(ca_go *g)
{
    waiting *t = (waiting *)g;

    GO_BEGIN(g);
    for (t->i = 0; t->i < WAITING_ROUNDS; t->i++) {
        TAKE(g, &t->c->ch, &t->v);
        __atomic_store_n(t->b_ran, t->i + 1, __ATOMIC_RELEASE);
    }
    GO_END(g);
}

/* The spin is a function of its own: written out in the computed-goto body
 * below, it made clang 14 (-O2 -g) crash in its debug-value pass in about
 * half the compiles (LLVM's "Live DEBUG_VALUE analysis" on waiting_a). */
static void spin_until(int *p, int want)
{
    while (LOAD(*p) != want)
        sched_yield();
}

static int waiting_a(ca_go *g)
{
    waiting *t = (waiting *)g;

    GO_BEGIN(g);
    for (t->i = 0; t->i < WAITING_ROUNDS; t->i++) {
        t->v = t->i;
        PUT(g, &t->c->ch, &t->v);
        spin_until(t->b_ran, t->i + 1);
    }
    GO_END(g);
}

static void runnext_not_stranded(void)
{
    ca_sched s;
    ichan c;
    waiting a, b;
    ca_chan *r[2];
    int b_ran = 0, i, v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&a, 0, sizeof a);
    a.c = &c, a.b_ran = &b_ran;
    b = a;
    CA_ASSERT_RC(ca_go_result(&a.go, 0, &r[0]), CA_OK);
    CA_ASSERT_RC(ca_go_result(&b.go, 0, &r[1]), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, waiting_b), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, waiting_a), CA_OK);
    for (i = 0; i < 2; i++) {
        CA_ASSERT_RC(ca_take_blocking(r[i], &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(r[i]), CA_OK);
    }
    CA_ASSERT_EQ(b_ran, WAITING_ROUNDS);
    CA_ASSERT_EQ(b.v, WAITING_ROUNDS - 1);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------- every kind of party, exactly once */

enum {
    PER = 3000,       /* values per producer                            */
    NTHREAD_P = 2,    /* plain threads putting                          */
    NPOOL_P = 3,      /* go blocks on the pool putting                  */
    NSOLO_P = 2,      /* go blocks on a single-threaded scheduler       */
    NPROD = NTHREAD_P + NPOOL_P + NSOLO_P,
    TOTAL = NPROD * PER,
    NTHREAD_C = 2,    /* plain threads taking (one of them by ALTS)     */
    NPOOL_C = 3,      /* go blocks on the pool taking through ALTS      */
    NSOLO_C = 1,      /* a go block on the single-threaded scheduler    */
    NCB_C = 2         /* callback chains taking                         */
};

typedef struct party {
    ca_chan ch;                 /* the channel everyone meets on        */
    int storage[16];
    ca_chan quit;               /* never fed: an ALTS case that loses   */
    ca_sched pool, solo;
    int producers_left;
    int seen[TOTAL];
    int last[NPROD];            /* each producer's last value seen + 1  */
    int order_bad, errors;
    ca_chan done;               /* one signal per consumer that ended   */
    int done_storage[16];
} party;

static party P;

static void party_got(int v)
{
    int prod = v / PER;

    if (v < 0 || v >= TOTAL) {
        ADD(P.errors, 1);
        return;
    }
    ADD(P.seen[v], 1);
    (void)prod;
}

static void producer_done(void)
{
    if (ADD(P.producers_left, -1) == 0)
        (void)ca_close(&P.ch);
}

static void consumer_done(void)
{
    int one = 1;

    if (ca_offer(&P.done, &one) != CA_OK)
        ADD(P.errors, 1);
}

static void *thread_producer(void *arg)
{
    int base = (int)(intptr_t)arg * PER, i;

    for (i = 0; i < PER; i++) {
        int v = base + i;
        if (ca_put_blocking(&P.ch, &v) != CA_OK)
            ADD(P.errors, 1);
    }
    producer_done();
    return NULL;
}

/* One consumer thread takes with ca_take_blocking, the other with an
** ALTS over the channel and `quit`. */
static void *thread_consumer(void *arg)
{
    int v, rc, by_alts = (int)(intptr_t)arg;
    ca_alt cases[2];
    size_t idx;

    for (;;) {
        if (by_alts) {
            (void)ca_alt_take(&cases[0], &P.quit, &v);
            (void)ca_alt_take(&cases[1], &P.ch, &v);
            rc = ca_alts_blocking(cases, 2, 0, &idx);
            if (rc == CA_OK && idx != 1)
                ADD(P.errors, 1);
        } else {
            rc = ca_take_blocking(&P.ch, &v);
        }
        if (rc == CA_CLOSED)
            break;
        if (rc != CA_OK) {
            ADD(P.errors, 1);
            break;
        }
        party_got(v);
    }
    consumer_done();
    return NULL;
}

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
        PUT(g, &P.ch, &p->v);
        if (GO_CLOSED(g))
            ADD(P.errors, 1);
    }
    producer_done();
    GO_END(g);
}

typedef struct gcons {
    ca_go go;
    ca_alt cases[2];
    int v;
} gcons;

static int go_consumer_alts(ca_go *g)
{
    gcons *c = (gcons *)g;

    GO_BEGIN(g);
    for (;;) {
        (void)ca_alt_take(&c->cases[0], &P.quit, &c->v);
        (void)ca_alt_take(&c->cases[1], &P.ch, &c->v);
        ALTS(g, c->cases, 2, 0);
        if (GO_CLOSED(g))
            break;
        if (GO_ALT(g) != 1)
            ADD(P.errors, 1);
        party_got(c->v);
    }
    consumer_done();
    GO_END(g);
}

static int go_consumer_take(ca_go *g)
{
    gcons *c = (gcons *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &P.ch, &c->v);
        if (GO_CLOSED(g))
            break;
        party_got(c->v);
    }
    consumer_done();
    GO_END(g);
}

typedef struct cbcons {
    ca_op op;
    int v;
} cbcons;

/* A callback that takes again from inside itself, until the close. */
static void cb_take(ca_op *op, int status)
{
    cbcons *c = (cbcons *)op->data;

    if (status == CA_CLOSED) {
        consumer_done();
        return;
    }
    party_got(c->v);
    if (ca_take_async(&P.ch, &c->op, &c->v, cb_take) != CA_OK) {
        ADD(P.errors, 1);
        consumer_done();
    }
}

static void *solo_driver(void *arg)
{
    if (ca_sched_run((ca_sched *)arg) != CA_OK)
        ADD(P.errors, 1);
    return NULL;
}

static void run_party(ca_buf_kind kind, size_t cap)
{
    pthread_t tp[NTHREAD_P], tc[NTHREAD_C], solo;
    gprod gp[NPOOL_P + NSOLO_P];
    gcons gc[NPOOL_C + NSOLO_C];
    cbcons cb[NCB_C];
    int i, one, expect_consumers = NTHREAD_C + NPOOL_C + NSOLO_C + NCB_C;

    memset(&P, 0, sizeof P);
    CA_ASSERT_RC(ca_chan_init(&P.ch, kind, cap, sizeof(int), P.storage,
                              sizeof P.storage),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&P.quit, CA_UNBUFFERED, 0, sizeof(int), NULL,
                              0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&P.done, CA_FIXED, 16, sizeof(int),
                              P.done_storage, sizeof P.done_storage),
                 CA_OK);
    P.producers_left = NPROD;
    CA_ASSERT_RC(ca_sched_init(&P.pool), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&P.solo), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&P.pool, 8), CA_OK); /* 8 on 2 cores */

    memset(gp, 0, sizeof gp);
    memset(gc, 0, sizeof gc);
    for (i = 0; i < NPOOL_P + NSOLO_P; i++) {
        gp[i].base = (NTHREAD_P + i) * PER;
        CA_ASSERT_RC(ca_go_start(i < NPOOL_P ? &P.pool : &P.solo, &gp[i].go,
                                 go_producer),
                     CA_OK);
    }
    for (i = 0; i < NPOOL_C; i++)
        CA_ASSERT_RC(ca_go_start(&P.pool, &gc[i].go, go_consumer_alts),
                     CA_OK);
    CA_ASSERT_RC(ca_go_start(&P.solo, &gc[NPOOL_C].go, go_consumer_take),
                 CA_OK);
    for (i = 0; i < NCB_C; i++) {
        cb[i].op.data = &cb[i];
        CA_ASSERT_RC(ca_take_async(&P.ch, &cb[i].op, &cb[i].v, cb_take),
                     CA_OK);
    }
    CA_ASSERT_EQ(pthread_create(&solo, NULL, solo_driver, &P.solo), 0);
    for (i = 0; i < NTHREAD_C; i++)
        CA_ASSERT_EQ(pthread_create(&tc[i], NULL, thread_consumer,
                                    (void *)(intptr_t)i),
                     0);
    for (i = 0; i < NTHREAD_P; i++)
        CA_ASSERT_EQ(pthread_create(&tp[i], NULL, thread_producer,
                                    (void *)(intptr_t)i),
                     0);

    /* Every consumer says when it saw the close. */
    for (i = 0; i < expect_consumers; i++)
        CA_ASSERT_RC(ca_take_blocking(&P.done, &one), CA_OK);
    for (i = 0; i < NTHREAD_P; i++)
        pthread_join(tp[i], NULL);
    for (i = 0; i < NTHREAD_C; i++)
        pthread_join(tc[i], NULL);
    pthread_join(solo, NULL);
    CA_ASSERT_RC(ca_sched_stop(&P.pool), CA_OK);

    CA_ASSERT_EQ(P.errors, 0);
    if (kind == CA_FIXED || kind == CA_UNBUFFERED) {
        for (i = 0; i < TOTAL; i++)
            if (P.seen[i] != 1)
                break;
        CA_ASSERT_EQ(i, TOTAL); /* each value exactly once */
    } else {
        /* Dropping and sliding buffers drop by design: never twice. */
        for (i = 0; i < TOTAL; i++)
            if (P.seen[i] > 1)
                break;
        CA_ASSERT_EQ(i, TOTAL);
    }
    CA_ASSERT_RC(ca_sched_destroy(&P.pool), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&P.solo), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&P.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&P.quit), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&P.done), CA_OK);
}

static void party_unbuffered(void)
{
    run_party(CA_UNBUFFERED, 0);
}

static void party_fixed(void)
{
    run_party(CA_FIXED, 16);
}

static void party_dropping(void)
{
    run_party(CA_DROPPING, 16);
}

static void party_sliding(void)
{
    run_party(CA_SLIDING, 16);
}

/* ------------------------------------------ two threads, no reference */

typedef struct duo {
    ichan a, b;
    int errors;
} duo;

static void *duo_echo(void *arg)
{
    duo *d = (duo *)arg;
    int v, i;

    for (i = 0; i < 2000; i++) {
        if (ca_take_blocking(&d->a.ch, &v) != CA_OK ||
            ca_put_blocking(&d->b.ch, &v) != CA_OK)
            ADD(d->errors, 1);
    }
    return NULL;
}

/* The shape that used to need a ca_sched_ref on each side, and failed
** with a false CA_EDEADLOCK without one. */
static void two_threads_no_ref(void)
{
    duo d;
    pthread_t t;
    int run, i, v;

    for (run = 0; run < 20; run++) {
        memset(&d, 0, sizeof d);
        ichan_init(&d.a, CA_UNBUFFERED, 0);
        ichan_init(&d.b, CA_UNBUFFERED, 0);
        CA_ASSERT_EQ(pthread_create(&t, NULL, duo_echo, &d), 0);
        for (i = 0; i < 2000; i++) {
            CA_ASSERT_RC(ca_put_blocking(&d.a.ch, &i), CA_OK);
            CA_ASSERT_RC(ca_take_blocking(&d.b.ch, &v), CA_OK);
            CA_ASSERT_EQ(v, i);
        }
        pthread_join(t, NULL);
        CA_ASSERT_EQ(d.errors, 0);
        CA_ASSERT_RC(ca_chan_destroy(&d.a.ch), CA_OK);
        CA_ASSERT_RC(ca_chan_destroy(&d.b.ch), CA_OK);
    }
}

/* ------------------------------------------------------ shutdown */

typedef struct waiter_block {
    ca_go go;
    ca_chan *ready, *in;
    int v, got;
} waiter_block;

static int wait_for_value(ca_go *g)
{
    waiter_block *w = (waiter_block *)g;

    GO_BEGIN(g);
    PUT(g, w->ready, &w->v);
    TAKE(g, w->in, &w->got);
    GO_END(g);
}

static void stop_with_parked_blocks(void)
{
    ca_sched s;
    ichan ready, in;
    waiter_block w[4];
    ca_op ops[4];
    int vals[4], i, v, sum = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    ichan_init(&ready, CA_FIXED, 4);
    ichan_init(&in, CA_UNBUFFERED, 0);
    memset(w, 0, sizeof w);
    for (i = 0; i < 4; i++) {
        w[i].ready = &ready.ch;
        w[i].in = &in.ch;
        CA_ASSERT_RC(ca_go_start(&s, &w[i].go, wait_for_value), CA_OK);
    }
    for (i = 0; i < 4; i++)
        CA_ASSERT_RC(ca_take_blocking(&ready.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    /* The blocks outlive the pool: their wakes wait for a driver. */
    for (i = 0; i < 4; i++) {
        vals[i] = 10 + i;
        CA_ASSERT_RC(ca_put_async(&in.ch, &ops[i], &vals[i], NULL), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < 4; i++)
        sum += w[i].got;
    CA_ASSERT_EQ(sum, 10 + 11 + 12 + 13);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ready.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
}

/* ------------------------------------------------------ timers */

typedef struct sleeper {
    ca_go go;
    int i;
} sleeper;

static int sleep_thrice(ca_go *g)
{
    sleeper *z = (sleeper *)g;

    GO_BEGIN(g);
    for (z->i = 0; z->i < 3; z->i++)
        SLEEP(g, 2);
    GO_RETURN(g, &z->i);
    GO_END(g);
}

static void timers_on_pool(void)
{
    ca_sched s;
    sleeper z[8];
    ca_chan *r[8];
    int i, v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 3), CA_OK);
    memset(z, 0, sizeof z);
    for (i = 0; i < 8; i++) {
        CA_ASSERT_RC(ca_go_result(&z[i].go, sizeof(int), &r[i]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &z[i].go, sleep_thrice), CA_OK);
    }
    for (i = 0; i < 8; i++) {
        v = 0;
        CA_ASSERT_RC(ca_take_blocking(r[i], &v), CA_OK);
        CA_ASSERT_EQ(v, 3);
        CA_ASSERT_RC(ca_chan_free(r[i]), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------- deadlock report */

static int stuck_block(ca_go *g)
{
    waiter_block *w = (waiter_block *)g;

    GO_BEGIN(g);
    TAKE(g, w->in, &w->got);
    GO_END(g);
}

/* The child's side: a pool whose one block waits for a value nobody will
** send, and this thread waiting for that block. Every thread of the
** process waits: the pool says so on stderr (a pipe to the parent), and
** the parent ends the child. */
static void deadlock_child(int out)
{
    ca_sched s;
    ichan in;
    waiter_block w;
    ca_chan *r;

    (void)dup2(out, 2);
    if (ca_sched_init(&s) != CA_OK)
        _exit(2);
    ichan_init(&in, CA_UNBUFFERED, 0);
    (void)ca_chan_set_name(&in.ch, "nobody-feeds-me");
    memset(&w, 0, sizeof w);
    w.in = &in.ch;
    if (ca_go_result(&w.go, 0, &r) != CA_OK ||
        ca_sched_start(&s, 2) != CA_OK ||
        ca_go_start(&s, &w.go, stuck_block) != CA_OK)
        _exit(3);
    (void)ca_take_blocking(r, NULL);
    _exit(4); /* never: nothing can end the wait */
}

/* Reads from fd until `needle` was seen or the writer is gone. */
static int read_until(int fd, const char *needle, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;

    while (len + 1 < size) {
        n = read(fd, buf + len, size - 1 - len);
        if (n <= 0)
            return 0;
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, needle) != NULL)
            return 1;
    }
    return 0;
}

static void pool_deadlock_report(void)
{
    char buf[4096];
    int fds[2], status;
    pid_t pid;

    if (UNDER_TSAN)
        return;
    /* A process of its own, forked while this one has one thread. */
    CA_ASSERT_EQ(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) == 0) {
        close(fds[0]);
        deadlock_child(fds[1]);
    }
    CU_ASSERT_FATAL(pid > 0);
    close(fds[1]);
    CU_ASSERT(read_until(fds[0], "nobody-feeds-me", buf, sizeof buf));
    close(fds[0]);
    (void)kill(pid, SIGKILL);
    CA_ASSERT_EQ(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status)); /* it was still waiting */
    CU_ASSERT(strstr(buf, "deadlock") != NULL);
    CU_ASSERT(strstr(buf, "stuck_block") != NULL);
}

/* A pool that waits for a thread that is still working reports nothing:
** the thread could end the wait (and does). */
static void pool_no_false_report(void)
{
    ca_sched s;
    ichan in;
    waiter_block w;
    ca_chan *r;
    int v = 5;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    memset(&w, 0, sizeof w);
    w.in = &in.ch;
    CA_ASSERT_RC(ca_go_result(&w.go, 0, &r), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, stuck_block), CA_OK);
    /* This thread is busy, not blocked: the pool must wait for it. */
    CA_ASSERT_RC(ca_put_blocking(&in.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(r, NULL), CA_CLOSED);
    CA_ASSERT_EQ(w.got, 5);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
}

/* Once the other threads are gone, a wait that nothing can end is a
** provable deadlock again: in ca_sched_run, and in a blocking call that
** drives go blocks. */
static void alone_again_deadlock(void)
{
    ca_sched s;
    ichan c1, c2;
    waiter_block w;
    int v = 9;

    if (UNDER_TSAN)
        return;
    ichan_init(&c1, CA_UNBUFFERED, 0);
    ichan_init(&c2, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&w, 0, sizeof w);
    w.in = &c1.ch;
    CA_ASSERT_RC(ca_go_start(&s, &w.go, stuck_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_offer(&c1.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);

    /* The default scheduler has a block waiting on c1; this thread waits
    ** on c2, driving it. */
    memset(&w, 0, sizeof w);
    w.in = &c1.ch;
    CA_ASSERT_RC(ca_go_start(NULL, &w.go, stuck_block), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&c2.ch, &v), CA_EDEADLOCK);
    CHECK_PENDING(&c2.ch, 0, 0);
    CA_ASSERT_RC(ca_offer(&c1.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(w.got, 9);
    CA_ASSERT_RC(ca_chan_destroy(&c1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c2.ch), CA_OK);
}


/* The deadline form of a blocking call: an ALTS with a deadline case,
** from a plain thread while another thread runs (so nothing is provable
** and the call must not report a deadlock), and from one that a pool's
** block answers in time. */
static void *idle_thread(void *arg)
{
    ichan *c = (ichan *)arg;
    int v;

    (void)ca_take_blocking(&c->ch, &v); /* until the test ends it */
    return NULL;
}

static int answer_later(ca_go *g)
{
    waiter_block *w = (waiter_block *)g;

    GO_BEGIN(g);
    SLEEP(g, 1);
    PUT(g, w->in, &w->v);
    GO_END(g);
}

static void blocking_with_deadline(void)
{
    ichan c, other;
    ca_sched s;
    waiter_block w;
    ca_alt cases[2];
    pthread_t t;
    size_t idx = 99;
    int v = 0, end = 1;

    ichan_init(&c, CA_UNBUFFERED, 0);
    ichan_init(&other, CA_UNBUFFERED, 0);
    CA_ASSERT_EQ(pthread_create(&t, NULL, idle_thread, &other), 0);
    (void)ca_alt_take(&cases[0], &c.ch, &v);
    (void)ca_alt_deadline(&cases[1], 5);
    CA_ASSERT_RC(ca_alts_blocking(cases, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1); /* nobody sent: the deadline won */
    CHECK_PENDING(&c.ch, 0, 0);

    /* A block on a pool sends in time. */
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    memset(&w, 0, sizeof w);
    w.in = &c.ch;
    w.v = 77;
    CA_ASSERT_RC(ca_go_start(&s, &w.go, answer_later), CA_OK);
    (void)ca_alt_take(&cases[0], &c.ch, &v);
    (void)ca_alt_deadline(&cases[1], 10000);
    CA_ASSERT_RC(ca_alts_blocking(cases, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_EQ(v, 77);

    CA_ASSERT_RC(ca_put_blocking(&other.ch, &end), CA_OK);
    pthread_join(t, NULL);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* the block had finished */
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&other.ch), CA_OK);
}

/* ------------------------------------------------------ ca_thread */

static int answer(void *arg, void *result)
{
    *(int *)result = *(int *)arg * 2;
    return CA_OK;
}

static int refuse(void *arg, void *result)
{
    (void)arg;
    (void)result;
    return CA_EINVAL;
}

static void thread_result(void)
{
    ca_chan *r;
    int in = 21, v = 0;

    CA_ASSERT_RC(ca_thread(answer, &in, sizeof(int), &r), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(r, &v), CA_OK);
    CA_ASSERT_EQ(v, 42);
    CA_ASSERT_RC(ca_take_blocking(r, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);

    /* A function that delivers nothing: the channel is closed empty. */
    CA_ASSERT_RC(ca_thread(refuse, NULL, sizeof(int), &r), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(r, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);

    CA_ASSERT_RC(ca_thread(NULL, NULL, sizeof(int), &r), CA_EINVAL);
    CA_ASSERT_RC(ca_thread(answer, &in, sizeof(int), NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_thread(answer, &in, CA_MAX_ELEM_SIZE + 1, &r), CA_ERANGE);
}

/* The caller may let the channel go before the thread ends. */
static void thread_result_dropped(void)
{
    /* Static: the first thread may read it after this test returned (its
    ** channel was let go at once, so nothing waits for it). */
    static int in = 1;
    ca_chan *r;
    int v;

    CA_ASSERT_RC(ca_thread(answer, &in, sizeof(int), &r), CA_OK);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);
    /* And a thread's channel from a go block on a pool: taken with TAKE. */
    CA_ASSERT_RC(ca_thread(answer, &in, sizeof(int), &r), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(r, &v), CA_OK);
    CA_ASSERT_EQ(v, 2);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);
}

/* A block's result channel, closed by its end on a pool worker, while a
** plain thread waits on it: the block's reference went in the close's
** critical section, so the thread that saw the close owns the channel
** alone at once (before, ca_chan_destroy could answer CA_EBUSY for as
** long as the worker took to reach its release). */
typedef struct {
    ca_go go;
    int v;
} giver;

static int give(ca_go *g)
{
    giver *t = (giver *)g;

    GO_BEGIN(g);
    GO_RETURN(g, &t->v);
    GO_END(g);
}

static void result_ref_gone_at_close(void)
{
    ca_sched s;
    ichan r;
    giver b;
    int i, v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    for (i = 0; i < 300; i++) {
        ichan_init(&r, CA_FIXED, 1);
        memset(&b, 0, sizeof b);
        b.v = i;
        CA_ASSERT_RC(ca_go_set_result(&b.go, &r.ch), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &b.go, give), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(&r.ch, &v), CA_OK);
        CA_ASSERT_EQ(v, i);
        CA_ASSERT_RC(ca_take_blocking(&r.ch, &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static const ca_test tests[] = {
    {"start_stop_errors", start_stop_errors},
    {"pool_size_from_env", pool_size_from_env},
    {"ping_pong_on_pool", ping_pong_on_pool},
    {"runnext_is_bounded", runnext_is_bounded},
    {"stop_with_runnext", stop_with_runnext},
    {"runnext_not_stranded", runnext_not_stranded},
    {"party_unbuffered", party_unbuffered},
    {"party_fixed", party_fixed},
    {"party_dropping", party_dropping},
    {"party_sliding", party_sliding},
    {"two_threads_no_ref", two_threads_no_ref},
    {"stop_with_parked_blocks", stop_with_parked_blocks},
    {"timers_on_pool", timers_on_pool},
    {"pool_deadlock_report", pool_deadlock_report},
    {"pool_no_false_report", pool_no_false_report},
    {"blocking_with_deadline", blocking_with_deadline},
    {"alone_again_deadlock", alone_again_deadlock},
    {"thread_result", thread_result},
    {"thread_result_dropped", thread_result_dropped},
    {"result_ref_gone_at_close", result_ref_gone_at_close},
    {NULL, NULL}};

#else /* threads without malloc: no pool */

static void pool_needs_malloc(void)
{
    ca_sched s;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_ENOTSUP);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_ENOTSUP);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static const ca_test tests[] = {{"pool_needs_malloc", pool_needs_malloc},
                                {NULL, NULL}};
#endif

CA_TEST_MAIN("pool", tests)
