/*
** test_timers.c: timeout channels, SLEEP and the timer heap: never early,
** fired in deadline order, one channel per call, reference counting,
** timeouts in caller storage, limits, a 32-bit tick that wraps, clocks
** given with ca_sched_set_clock. Mirrors core.async's timers_test
** (timeout-interval, timeout-ordering; delays scaled down tenfold: 80, 60,
** 70 and 50 ms instead of 800, 600, 700 and 500).
** MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <coreasync.h>

#include "ca_test.h"

/* ------------------------------------------------------------ helpers */

/* The monotonic clock in nanoseconds. */
static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Busy-waits without running any scheduler (a go block computing). */
static void busy_ms(uint32_t ms)
{
    uint64_t end = now_ns() + (uint64_t)ms * 1000000u;

    while (now_ns() < end)
        ;
}

/* Who woke, in what order, at what time. */
/* On a board the log lives on a stack of a few KiB. */
#define LOG_MAX (CA_TEST_SMALL ? 64 : 1024)
typedef struct wake_log {
    int order[LOG_MAX];
    int n;
    fake_clock *fc; /* when set, times are read from it */
} wake_log;

static uint32_t log_time(const wake_log *l)
{
    return l->fc != NULL ? l->fc->now : tick_ms();
}

/* Takes from a channel (a timeout) and notes when it woke. */
typedef struct waiter {
    ca_go go;
    ca_chan *ch;
    int id;
    int status;
    uint32_t woke;
    wake_log *log;
} waiter;

static int waiter_fn(ca_go *g)
{
    waiter *w = (waiter *)g;

    GO_BEGIN(g);
    TAKE_SIGNAL(g, w->ch);
    w->status = GO_STATUS(g);
    w->woke = log_time(w->log);
    if (w->log->n < LOG_MAX)
        w->log->order[w->log->n++] = w->id;
    GO_END(g);
}

static void waiter_start(ca_sched *s, waiter *w, ca_chan *ch, int id,
                         wake_log *log)
{
    memset(w, 0, sizeof *w);
    w->ch = ch;
    w->id = id;
    w->status = -100;
    w->log = log;
    CA_ASSERT_RC(ca_go_start(s, &w->go, waiter_fn), CA_OK);
}

/* Sleeps, and notes when it woke. */
typedef struct sleeper {
    ca_go go;
    uint32_t ms;
    int id;
    int status;
    uint32_t before, woke;
    wake_log *log;
} sleeper;

static int sleeper_fn(ca_go *g)
{
    sleeper *z = (sleeper *)g;

    GO_BEGIN(g);
    z->before = log_time(z->log);
    SLEEP(g, z->ms);
    z->status = GO_STATUS(g);
    z->woke = log_time(z->log);
    if (z->log->n < LOG_MAX)
        z->log->order[z->log->n++] = z->id;
    GO_END(g);
}

static void sleeper_start(ca_sched *s, sleeper *z, uint32_t ms, int id,
                          wake_log *log)
{
    memset(z, 0, sizeof *z);
    z->ms = ms;
    z->id = id;
    z->status = -100;
    z->log = log;
    CA_ASSERT_RC(ca_go_start(s, &z->go, sleeper_fn), CA_OK);
}

/* ALTS over a take that never comes and a deadline; notes when it woke. */
typedef struct dlgo {
    ca_go go;
    ca_alt cases[2];
    int id, alt;
    uint32_t woke;
    wake_log *log;
} dlgo;

static int dlgo_fn(ca_go *g)
{
    dlgo *d = (dlgo *)g;

    GO_BEGIN(g);
    ALTS(g, d->cases, 2, 0);
    d->alt = GO_ALT(g);
    d->woke = log_time(d->log);
    if (d->log->n < LOG_MAX)
        d->log->order[d->log->n++] = d->id;
    GO_END(g);
}

/* ------------------------------------------------------- timeout-interval */

/* core.async timeout-interval-test: a timeout never closes before its
** delay has passed (measured on the real clock, in whole ticks). */
static void timeout_interval(void)
{
    ca_sched s;
    ca_timeout_chan tc;
    wake_log log;
    waiter w;
    uint32_t t0;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    t0 = tick_ms();
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 50), CA_OK);
    CA_ASSERT_EQ(ca_closed(&tc.ch), 0);
    waiter_start(&s, &w, &tc.ch, 0, &log);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(w.status, CA_CLOSED);
    CA_ASSERT_EQ(ca_closed(&tc.ch), 1);
    CU_ASSERT((uint32_t)(w.woke - t0) >= 50u);
    CU_ASSERT((uint32_t)(w.woke - t0) < 5000u); /* generous */
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_MALLOC
static void timeout_interval_alloc(void)
{
    ca_sched s;
    ca_chan *t;
    wake_log log;
    waiter w;
    uint32_t t0;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    t0 = tick_ms();
    CA_ASSERT_RC(ca_timeout(&s, 30, &t), CA_OK);
    waiter_start(&s, &w, t, 0, &log);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(w.status, CA_CLOSED);
    CU_ASSERT((uint32_t)(w.woke - t0) >= 30u);
    CA_ASSERT_RC(ca_chan_free(t), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* Keeps the scheduler busy (so it looks at its timers often) until the
** waiter it watches has woken; notes that moment in nanoseconds. */
typedef struct spinner {
    ca_go go;
    const waiter *w;
    uint64_t woke_ns;
} spinner;

static int spinner_fn(ca_go *g)
{
    spinner *sp = (spinner *)g;

    GO_BEGIN(g);
    while (sp->w->status == -100)
        YIELD(g);
    sp->woke_ns = now_ns();
    GO_END(g);
}

/* timer.h: the channel closes "once the delay has passed, never earlier".
** Measured in nanoseconds, with a busy scheduler: a timeout set late in a
** millisecond tick must still not close before its delay has passed in
** real time. */
static void timeout_never_early_subtick(void)
{
    static const uint32_t delays[] = {1, 2, 5};
    ca_sched s;
    ca_timeout_chan tc;
    wake_log log;
    waiter w;
    spinner sp;
    uint64_t t0;
    size_t i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        memset(&log, 0, sizeof log);
        memset(&sp, 0, sizeof sp);
        waiter_start(&s, &w, NULL, 0, &log);
        w.ch = &tc.ch;
        sp.w = &w;
        CA_ASSERT_RC(ca_go_start(&s, &sp.go, spinner_fn), CA_OK);
        /* Start in the last tenth of a millisecond tick. */
        while (now_ns() % 1000000u < 900000u)
            ;
        t0 = now_ns();
        CA_ASSERT_RC(ca_timeout_init(&s, &tc, delays[i]), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_RC(w.status, CA_CLOSED);
        CA_ASSERT_EQ(sp.woke_ns - t0 >= (uint64_t)delays[i] * 1000000u, 1);
        CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------- timeout-ordering */

/* Runs one timeout through s first, so that no code runs for the first
** time (slowly, under valgrind) between the timeouts a test compares. */
static void warm_up(ca_sched *s)
{
    ca_timeout_chan tc;
    wake_log log;
    waiter w;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_timeout_init(s, &tc, 1), CA_OK);
    waiter_start(s, &w, &tc.ch, 0, &log);
    CA_ASSERT_RC(ca_sched_run(s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
}

/* core.async timeout-ordering-test, scaled: timeouts made as 80, 60, 70
** and 50 ms close in deadline order. */
static void timeout_ordering(void)
{
    static const uint32_t ms[4] = {80, 60, 70, 50};
    ca_sched s;
    ca_timeout_chan tc[4];
    wake_log log;
    waiter w[4];
    uint32_t t0;
    int i;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    warm_up(&s);
    t0 = tick_ms();
    for (i = 0; i < 4; i++)
        CA_ASSERT_RC(ca_timeout_init(&s, &tc[i], ms[i]), CA_OK);
    for (i = 0; i < 4; i++)
        waiter_start(&s, &w[i], &tc[i].ch, i, &log);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(log.n, 4);
    CA_ASSERT_EQ(log.order[0], 3);
    CA_ASSERT_EQ(log.order[1], 1);
    CA_ASSERT_EQ(log.order[2], 2);
    CA_ASSERT_EQ(log.order[3], 0);
    for (i = 0; i < 4; i++) {
        CU_ASSERT((uint32_t)(w[i].woke - t0) >= ms[i]);
        CA_ASSERT_RC(ca_chan_destroy(&tc[i].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The same, when the scheduler could not look at its timers until all
** four were due (a go block was busy, or the clock jumped): they still
** close in deadline order. Timeout channels on a fake clock that jumps,
** and on the real clock with a busy wait. */
static void timeout_ordering_all_due_at_once(void)
{
    static const uint32_t ms[4] = {80, 60, 70, 50};
    ca_sched s;
    fake_clock fc = {0u, 0u};
    ca_timeout_chan tc[4];
    wake_log log;
    waiter w[4];
    int i, round;

    for (round = 0; round < 2; round++) {
        memset(&log, 0, sizeof log);
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        if (round == 0) {
            CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc),
                         CA_OK);
            log.fc = &fc;
        } else {
            warm_up(&s);
        }
        for (i = 0; i < 4; i++)
            CA_ASSERT_RC(ca_timeout_init(&s, &tc[i], ms[i]), CA_OK);
        for (i = 0; i < 4; i++)
            waiter_start(&s, &w[i], &tc[i].ch, i, &log);
        CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK); /* all four park */
        if (round == 0)
            fc.now += 100;
        else
            busy_ms(100);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_EQ(log.n, 4);
        CA_ASSERT_EQ(log.order[0], 3);
        CA_ASSERT_EQ(log.order[1], 1);
        CA_ASSERT_EQ(log.order[2], 2);
        CA_ASSERT_EQ(log.order[3], 0);
        for (i = 0; i < 4; i++)
            CA_ASSERT_RC(ca_chan_destroy(&tc[i].ch), CA_OK);
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    }
}

/* SLEEP and ALTS deadlines, all due at once too, wake in deadline order. */
static void sleep_ordering_all_due_at_once(void)
{
    static const uint32_t ms[4] = {80, 60, 70, 50};
    ca_sched s;
    fake_clock fc = {0u, 0u};
    wake_log log;
    sleeper z[4];
    dlgo d[4];
    ca_chan never;
    int i;

    memset(&log, 0, sizeof log);
    log.fc = &fc;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&never, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    for (i = 0; i < 4; i++)
        sleeper_start(&s, &z[i], ms[i], i, &log);
    for (i = 0; i < 4; i++) {
        memset(&d[i], 0, sizeof d[i]);
        d[i].id = 10 + i;
        d[i].log = &log;
        CA_ASSERT_RC(ca_alt_take(&d[i].cases[0], &never, NULL), CA_OK);
        CA_ASSERT_RC(ca_alt_deadline(&d[i].cases[1], ms[i] + 1), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &d[i].go, dlgo_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    fc.now += 100;
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(log.n, 8);
    {
        const int want[8] = {3, 13, 1, 11, 2, 12, 0, 10};
        for (i = 0; i < 8; i++)
            CA_ASSERT_EQ(log.order[i], want[i]);
    }
    for (i = 0; i < 4; i++)
        CA_ASSERT_EQ(d[i].alt, 1);
    CHECK_PENDING(&never, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&never), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Many timeouts with random deadlines (fixed seed) close in non-decreasing
** deadline order, none before its deadline. Fake clock: exact times. */
#define NRAND (CA_TEST_SMALL ? 20 : 600)
static ca_timeout_chan rand_tc[NRAND];
static waiter rand_w[NRAND];
static uint32_t rand_ms[NRAND];

static void timeout_random_order(void)
{
    ca_sched s;
    fake_clock fc = {12345u, 0u};
    wake_log log;
    uint32_t seed = 20240601u, start;
    int i, bad_order = 0, early = 0;

    memset(&log, 0, sizeof log);
    log.fc = &fc;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    start = fc.now;
    for (i = 0; i < NRAND; i++) {
        seed = seed * 1103515245u + 12345u;
        rand_ms[i] = (seed >> 16) % 1000u;
        CA_ASSERT_RC(ca_timeout_init(&s, &rand_tc[i], rand_ms[i]), CA_OK);
        waiter_start(&s, &rand_w[i], &rand_tc[i].ch, i, &log);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(log.n, NRAND);
    for (i = 0; i < NRAND; i++) {
        if (i > 0 && rand_ms[log.order[i]] < rand_ms[log.order[i - 1]])
            bad_order++;
        if ((uint32_t)(rand_w[i].woke - start) < rand_ms[i])
            early++;
        CA_ASSERT_RC(ca_chan_destroy(&rand_tc[i].ch), CA_OK);
    }
    CA_ASSERT_EQ(bad_order, 0);
    CA_ASSERT_EQ(early, 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ----------------------------------------------------- channels and refs */

/* Each call gets its own channel, even for the same delay: closing one
** leaves the other open (a deliberate difference from core.async). */
static void timeout_own_channel(void)
{
    ca_sched s;
    ca_timeout_chan a, b;
    wake_log log;
    waiter wa, wb;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &a, 20), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &b, 20), CA_OK);
    waiter_start(&s, &wb, &b.ch, 1, &log);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_RC(ca_close(&a.ch), CA_OK);
    CA_ASSERT_EQ(ca_closed(&b.ch), 0);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_EQ(log.n, 0); /* the waiter on b did not wake */
    waiter_start(&s, &wa, &a.ch, 0, &log);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(log.n, 2);
    CA_ASSERT_EQ(log.order[0], 0); /* a at once, b at its time */
    CA_ASSERT_EQ(log.order[1], 1);
    CA_ASSERT_EQ(ca_closed(&b.ch), 1);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_MALLOC
static void timeout_own_channel_alloc(void)
{
    ca_sched s;
    ca_chan *a, *b;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_timeout(&s, 10, &a), CA_OK);
    CA_ASSERT_RC(ca_timeout(&s, 10, &b), CA_OK);
    CU_ASSERT(a != b);
    CA_ASSERT_RC(ca_close(a), CA_OK);
    CA_ASSERT_EQ(ca_closed(b), 0);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(ca_closed(b), 1);
    CA_ASSERT_RC(ca_chan_free(a), CA_OK);
    CA_ASSERT_RC(ca_chan_free(b), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The caller's reference may go before or after the timeout fires; a
** block waiting on a timeout whose caller let go is still woken. Run
** under valgrind or ASan: no leak, no use after free. */
static void timeout_refcount(void)
{
    ca_sched s;
    ca_chan *early, *late, *waited;
    ca_chan_info info;
    wake_log log;
    waiter w;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_timeout(&s, 10, &early), CA_OK);
    CA_ASSERT_RC(ca_timeout(&s, 10, &late), CA_OK);
    CA_ASSERT_RC(ca_timeout(&s, 10, &waited), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(early, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 2); /* ours and the timer's */
    waiter_start(&s, &w, waited, 0, &log);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK); /* w parks */
    CA_ASSERT_RC(ca_chan_free(early), CA_OK);
    CA_ASSERT_RC(ca_chan_free(waited), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(w.status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_inspect(late, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_EQ(info.closed, 1);
    CA_ASSERT_RC(ca_chan_free(late), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* A timeout in caller storage cannot be destroyed, nor its scheduler,
** until it has fired. */
static void timeout_init_destroy(void)
{
    ca_sched s;
    ca_timeout_chan tc, zero;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 10), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &zero, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_EBUSY);
    CA_ASSERT_RC(ca_chan_destroy(&zero.ch), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* sleeps until both fired */
    CA_ASSERT_EQ(ca_closed(&tc.ch), 1);
    CA_ASSERT_EQ(ca_closed(&zero.ch), 1);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&zero.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Delays over CA_MAX_DELAY are refused everywhere; NULL arguments too. */
typedef struct badsleep {
    ca_go go;
    int status, calls;
} badsleep;

static int badsleep_fn(ca_go *g)
{
    badsleep *b = (badsleep *)g;

    b->calls++;
    GO_BEGIN(g);
    SLEEP(g, CA_MAX_DELAY + 1u);
    b->status = GO_STATUS(g);
    GO_END(g);
}

static void timer_limits(void)
{
    ca_sched s;
    fake_clock fc = {0u, 0u};
    ca_timeout_chan tc;
    ca_alt a;
    badsleep b;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, CA_MAX_DELAY + 1u), CA_ERANGE);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 0xffffffffu), CA_ERANGE);
    CA_ASSERT_RC(ca_timeout_init(&s, NULL, 10), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_deadline(&a, CA_MAX_DELAY + 1u), CA_ERANGE);
#if CA_HAVE_MALLOC
    {
        ca_chan *t = (ca_chan *)&tc;
        CA_ASSERT_RC(ca_timeout(&s, CA_MAX_DELAY + 1u, &t), CA_ERANGE);
        CU_ASSERT(t == NULL);
        CA_ASSERT_RC(ca_timeout(&s, 10, NULL), CA_EINVAL);
    }
#endif
    memset(&b, 0, sizeof b);
    b.status = -100;
    CA_ASSERT_RC(ca_go_start(&s, &b.go, badsleep_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(b.status, CA_ERANGE);
    CA_ASSERT_EQ(b.calls, 1);
    /* CA_MAX_DELAY itself is fine: on a fake clock we can wait for it. */
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, CA_MAX_DELAY), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(ca_closed(&tc.ch), 1);
    CU_ASSERT(fc.now >= CA_MAX_DELAY); /* started at 0 */
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A timeout in an ALTS, core.async's idiom: it wins with CA_CLOSED. */
typedef struct tmalt {
    ca_go go;
    ca_chan *a, *t;
    ca_alt cases[2];
    int v, alt, status;
} tmalt;

static int tmalt_fn(ca_go *g)
{
    tmalt *m = (tmalt *)g;

    GO_BEGIN(g);
    (void)ca_alt_take(&m->cases[0], m->a, &m->v);
    (void)ca_alt_take(&m->cases[1], m->t, NULL);
    ALTS(g, m->cases, 2, 0);
    m->alt = GO_ALT(g);
    m->status = GO_STATUS(g);
    GO_END(g);
}

static void timeout_in_alts(void)
{
    ca_sched s;
    fake_clock fc = {500u, 0u};
    ca_timeout_chan tc;
    ca_chan a;
    tmalt m;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&a, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 40), CA_OK);
    memset(&m, 0, sizeof m);
    m.a = &a;
    m.t = &tc.ch;
    m.alt = -1;
    CA_ASSERT_RC(ca_go_start(&s, &m.go, tmalt_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    fc.now = 540u;
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_EQ(m.alt, -1);
    while (ca_sched_step(&s, NULL) == CA_OK && m.alt == -1 && fc.now < 600u)
        fc.now++;
    CA_ASSERT_EQ(m.alt, 1);
    CA_ASSERT_RC(m.status, CA_CLOSED);
    CA_ASSERT_EQ(fc.now, 500u + DUE(40));
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CHECK_PENDING(&a, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------------ clock */

/* ca_sched_set_clock: refused while timers are pending (timeouts, SLEEP,
** ALTS deadlines), fine once they have fired; NULL now refused. */
static void set_clock_busy(void)
{
    ca_sched s;
    fake_clock fc = {0u, 0u};
    ca_timeout_chan tc;
    wake_log log;
    sleeper z;
    dlgo d;
    ca_chan never;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, NULL, fake_idle, &fc), CA_EINVAL);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 5), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);

    sleeper_start(&s, &z, 5, 0, &log);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK); /* z sleeps */
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&never, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    memset(&d, 0, sizeof d);
    d.log = &log;
    CA_ASSERT_RC(ca_alt_take(&d.cases[0], &never, NULL), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&d.cases[1], 5), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &d.go, dlgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(d.alt, 1);

    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&never), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* SLEEP on a clock we move by hand: not awake a tick before it is due,
** awake when due; next_ms counts down to it. */
static void sleep_fake_clock(void)
{
    ca_sched s;
    fake_clock fc = {1000u, 0u};
    wake_log log;
    sleeper z;
    uint32_t next = 0;

    memset(&log, 0, sizeof log);
    log.fc = &fc;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    sleeper_start(&s, &z, 100, 0, &log);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(100));
    CA_ASSERT_EQ(log.n, 0);
    fc.now = 1060u;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(100) - 60u);
    fc.now = 1000u + DUE(100) - 1u;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, 1);
    CA_ASSERT_EQ(log.n, 0);
    fc.now = 1000u + DUE(100);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(log.n, 1);
    CA_ASSERT_EQ(z.woke, 1000u + DUE(100));
    CA_ASSERT_RC(z.status, CA_OK);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The 32-bit tick wraps: timers set shortly before the wrap, with
** deadlines on both sides of it, fire in order and never early. The clock
** moves one tick per step. */
static void wrap_safety(void)
{
    static const uint32_t sleep_ms[4] = {0x180, 0x40, 0x100, 0xff};
    static const uint32_t tmo_ms[2] = {0x101, 0x20};
    static const uint32_t dl_ms[2] = {0x1c0, 0xfe};
    ca_sched s;
    fake_clock fc = {0xffffff00u, 0u};
    ca_timeout_chan tc[2];
    ca_chan never;
    wake_log log;
    sleeper z[4];
    waiter w[2];
    dlgo d[2];
    uint32_t start = fc.now, el;
    int i, early = 0, late = 0;

    memset(&log, 0, sizeof log);
    log.fc = &fc;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&never, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    for (i = 0; i < 4; i++)
        sleeper_start(&s, &z[i], sleep_ms[i], i, &log);
    for (i = 0; i < 2; i++) {
        CA_ASSERT_RC(ca_timeout_init(&s, &tc[i], tmo_ms[i]), CA_OK);
        waiter_start(&s, &w[i], &tc[i].ch, 10 + i, &log);
        memset(&d[i], 0, sizeof d[i]);
        d[i].id = 20 + i;
        d[i].log = &log;
        CA_ASSERT_RC(ca_alt_take(&d[i].cases[0], &never, NULL), CA_OK);
        CA_ASSERT_RC(ca_alt_deadline(&d[i].cases[1], dl_ms[i]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &d[i].go, dlgo_fn), CA_OK);
    }
    while ((uint32_t)(fc.now - start) <= 0x200u && log.n < 8) {
        CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
        /* Everything due by now has woken; nothing else has. */
        el = fc.now - start;
        for (i = 0; i < 4; i++) {
            early += z[i].status == CA_OK &&
                     (uint32_t)(z[i].woke - start) < DUE(sleep_ms[i]);
            late += el >= DUE(sleep_ms[i]) && z[i].status != CA_OK;
        }
        for (i = 0; i < 2; i++) {
            late += el >= DUE(tmo_ms[i]) && w[i].status != CA_CLOSED;
            early += w[i].status == CA_CLOSED &&
                     (uint32_t)(w[i].woke - start) < DUE(tmo_ms[i]);
            late += el >= DUE(dl_ms[i]) && d[i].alt != 1;
            early += d[i].alt == 1 &&
                     (uint32_t)(d[i].woke - start) < DUE(dl_ms[i]);
        }
        fc.now++;
    }
    CA_ASSERT_EQ(early, 0);
    CA_ASSERT_EQ(late, 0);
    CA_ASSERT_EQ(log.n, 8);
    {
        /* 0x20, 0x40, 0xfe, 0xff, 0x100, 0x101, 0x180, 0x1c0 */
        const int want[8] = {11, 1, 21, 3, 2, 10, 0, 20};
        for (i = 0; i < 8; i++)
            CA_ASSERT_EQ(log.order[i], want[i]);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < 2; i++)
        CA_ASSERT_RC(ca_chan_destroy(&tc[i].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&never), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The longest delay, set just before the wrap: next_ms is right on both
** sides of it, and the timer fires when due, not a tick before. */
static void wrap_max_delay(void)
{
    ca_sched s;
    fake_clock fc = {0xffffff00u, 0u};
    wake_log log;
    sleeper lng, shrt;
    uint32_t next = 0, start = fc.now;

    memset(&log, 0, sizeof log);
    log.fc = &fc;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    sleeper_start(&s, &lng, CA_MAX_DELAY, 0, &log);
    sleeper_start(&s, &shrt, 0x200, 1, &log);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(0x200));
    fc.now = start + DUE(0x200); /* past the wrap */
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(log.n, 1);
    CA_ASSERT_EQ(log.order[0], 1);
    CA_ASSERT_EQ(next, DUE(CA_MAX_DELAY) - DUE(0x200));
    fc.now = start + DUE(CA_MAX_DELAY) - 1u;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(log.n, 1);
    CA_ASSERT_EQ(next, 1);
    fc.now++;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(log.n, 2);
    CA_ASSERT_EQ(lng.woke, start + DUE(CA_MAX_DELAY));
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Sleeps after some busy work that moves the fake clock on. */
typedef struct busy_sleeper {
    ca_go go;
    fake_clock *fc;
    uint32_t busy, ms;
    int done;
} busy_sleeper;

static int busy_sleeper_fn(ca_go *g)
{
    busy_sleeper *b = (busy_sleeper *)g;

    GO_BEGIN(g);
    b->fc->now += b->busy; /* as if it computed for that long */
    SLEEP(g, b->ms);
    b->done = 1;
    GO_END(g);
}

/* CA_MAX_DELAY is accepted: a timer that long must not hide one that is
** due. Round 0: a SLEEP(0) and a SLEEP(CA_MAX_DELAY) started in one turn.
** Round 1: a SLEEP(10) that falls due while another block computes for
** 20 ms and then sleeps CA_MAX_DELAY. Either way the short sleep wakes on
** the next steps. (Deadlines are compared by their signed difference, so
** two pending deadlines 2^31 or more ticks apart are misordered.) */
static ca_sched maxd_sched[2];

static void max_delay_beside_due_timer(void)
{
    fake_clock fc = {1000u, 0u};
    busy_sleeper shrt, lng;
    int round, i;

    for (round = 0; round < 2; round++) {
        ca_sched *s = &maxd_sched[round];
        CA_ASSERT_RC(ca_sched_init(s), CA_OK);
        CA_ASSERT_RC(ca_sched_set_clock(s, fake_now, NULL, &fc), CA_OK);
        memset(&shrt, 0, sizeof shrt);
        memset(&lng, 0, sizeof lng);
        shrt.fc = lng.fc = &fc;
        shrt.ms = round == 0 ? 0 : 10;
        lng.busy = round == 0 ? 0 : 20;
        lng.ms = CA_MAX_DELAY;
        CA_ASSERT_RC(ca_go_start(s, &shrt.go, busy_sleeper_fn), CA_OK);
        CA_ASSERT_RC(ca_go_start(s, &lng.go, busy_sleeper_fn), CA_OK);
        for (i = 0; i < 3; i++)
            CA_ASSERT_RC(ca_sched_step(s, NULL), CA_OK);
        CA_ASSERT_EQ(shrt.done, 1);
        CA_ASSERT_EQ(lng.done, 0);
        if (!shrt.done)
            continue; /* hidden for good: this scheduler cannot end */
        /* End it: jump to where the long one is due. */
        fc.now += CA_MAX_DELAY;
        for (i = 0; i < 4 && !lng.done; i++) {
            fc.now += 1;
            CA_ASSERT_RC(ca_sched_step(s, NULL), CA_OK);
        }
        CA_ASSERT_EQ(lng.done, 1);
        CA_ASSERT_RC(ca_sched_destroy(s), CA_OK);
    }
}

/* The timer heap under cancellation: 400 ALTS with random deadlines, most
** of them ended early by a close of their channel (which cancels their
** deadline somewhere inside the heap). Stepping one tick at a time, each
** ends exactly when the earlier of its close and its deadline comes (a
** close made before the step of the tick its deadline falls due in wins),
** and no timer is left behind. Fixed seed. */
#define NHEAP (CA_TEST_SMALL ? 16 : 400)
typedef struct heapgo {
    ca_go go;
    ca_alt cases[2];
    int alt;
    uint32_t woke;
    const fake_clock *fc;
} heapgo;

static int heapgo_fn(ca_go *g)
{
    heapgo *h = (heapgo *)g;

    GO_BEGIN(g);
    ALTS(g, h->cases, 2, 0);
    h->alt = GO_ALT(g);
    h->woke = h->fc->now;
    GO_END(g);
}

static heapgo heap_go[NHEAP];
static ca_chan heap_ch[NHEAP];
static uint32_t heap_dl[NHEAP], heap_close[NHEAP];

static void timer_heap_cancel(void)
{
    ca_sched s;
    fake_clock fc = {0xfffffe00u, 0u};
    uint32_t seed = 77u, start = fc.now, t, next = 0;
    int i, wrong_alt = 0, wrong_time = 0, ended = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    for (i = 0; i < NHEAP; i++) {
        seed = seed * 1103515245u + 12345u;
        heap_dl[i] = 1u + (seed >> 16) % 1000u;
        seed = seed * 1103515245u + 12345u;
        /* About three in four are closed, some before, some after their
        ** deadline, some on it. */
        heap_close[i] = (seed >> 16) % 1300u;
        if (i % 50 == 0)
            heap_close[i] = DUE(heap_dl[i]); /* the same tick */
        CA_ASSERT_RC(ca_chan_init(&heap_ch[i], CA_UNBUFFERED, 0, 0, NULL, 0),
                     CA_OK);
        memset(&heap_go[i], 0, sizeof heap_go[i]);
        heap_go[i].alt = -1;
        heap_go[i].fc = &fc;
        CA_ASSERT_RC(ca_alt_take(&heap_go[i].cases[0], &heap_ch[i], NULL),
                     CA_OK);
        CA_ASSERT_RC(ca_alt_deadline(&heap_go[i].cases[1], heap_dl[i]),
                     CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &heap_go[i].go, heapgo_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK); /* all park at 0 */
    for (t = 0; t <= 1300u; t++) {
        fc.now = start + t;
        for (i = 0; i < NHEAP; i++)
            if (heap_close[i] == t)
                CA_ASSERT_RC(ca_close(&heap_ch[i]), CA_OK);
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    }
    for (i = 0; i < NHEAP; i++) {
        /* A close in the tick the deadline falls due comes first. */
        int by_close = heap_close[i] <= DUE(heap_dl[i]);
        uint32_t when = by_close ? heap_close[i] : DUE(heap_dl[i]);
        ended += heap_go[i].alt != -1;
        wrong_alt += heap_go[i].alt != (by_close ? 0 : 1);
        wrong_time += (uint32_t)(heap_go[i].woke - start) != when;
        CA_ASSERT_RC(ca_chan_destroy(&heap_ch[i]), CA_OK);
    }
    CA_ASSERT_EQ(ended, NHEAP);
    CA_ASSERT_EQ(wrong_alt, 0);
    CA_ASSERT_EQ(wrong_time, 0);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------------- W7 */

/* 10,000 blocks sleeping (i % 100) ms on the real clock: all wake, none
** early. */
#define NSLEEP (CA_TEST_SMALL ? 50 : 10000)
static sleeper w7[NSLEEP];

static void sleep_many(void)
{
    ca_sched s;
    wake_log log;
    int i, woke = 0, early = 0, late = 0;

    memset(&log, 0, sizeof log);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < NSLEEP; i++)
        sleeper_start(&s, &w7[i], (uint32_t)(i % 100), i, &log);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < NSLEEP; i++) {
        woke += w7[i].status == CA_OK;
        early += (uint32_t)(w7[i].woke - w7[i].before) < w7[i].ms;
        late += (uint32_t)(w7[i].woke - w7[i].before) > w7[i].ms + 5000u;
    }
    CA_ASSERT_EQ(woke, NSLEEP);
    CA_ASSERT_EQ(early, 0);
    CA_ASSERT_EQ(late, 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A SLEEP's timer lies over the block's waiter: after it, the block must
** park on a channel and be woken there like any other (on ILP32 targets
** the timer once overwrote the waiter's waker, and the wake-up after a
** SLEEP jumped through a corrupted pointer). Two rounds, so that a second
** SLEEP follows a channel park too. */
typedef struct sleep_park {
    ca_go go;
    ca_chan *ch;
    int got[2], i;
} sleep_park;

static int sleep_park_fn(ca_go *g)
{
    sleep_park *p = (sleep_park *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < 2; p->i++) {
        SLEEP(g, 5);
        TAKE(g, p->ch, &p->got[p->i]);
    }
    GO_END(g);
}

typedef struct sleep_feed {
    ca_go go;
    ca_chan *ch;
    int v;
} sleep_feed;

static int sleep_feed_fn(ca_go *g)
{
    sleep_feed *f = (sleep_feed *)g;

    GO_BEGIN(g);
    for (f->v = 1; f->v <= 2; f->v++) {
        SLEEP(g, 10); /* the sleeper parks in TAKE first */
        PUT(g, f->ch, &f->v);
    }
    GO_END(g);
}

static void sleep_then_park(void)
{
    ca_sched s;
    fake_clock clk = {1000, 0};
    ichan ch;
    sleep_park p;
    sleep_feed f;

    memset(&p, 0, sizeof p);
    memset(&f, 0, sizeof f);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &clk), CA_OK);
    ichan_init(&ch, CA_UNBUFFERED, 0);
    p.ch = f.ch = &ch.ch;
    CA_ASSERT_RC(ca_go_start(&s, &p.go, sleep_park_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, sleep_feed_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(p.got[0], 1);
    CA_ASSERT_EQ(p.got[1], 2);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* SLEEP_UNTIL: an absolute deadline. A 10 ms loop that adds its period to
** the last deadline wakes on exactly those ticks for 10,000 periods, even
** though each period's work takes 3 ms of the clock; the same loop with
** SLEEP(10) drifts by the work and the extra tick (14 ms a period). */
#define PERIODS 10000

typedef struct periodic {
    ca_go go;
    fake_clock *fc;
    uint32_t next, start;
    int i, late, until;
    int status;
} periodic;

static int periodic_fn(ca_go *g)
{
    periodic *p = (periodic *)g;

    GO_BEGIN(g);
    p->next = p->start = ca_sched_now(ca_go_sched(g));
    for (p->i = 0; p->i < PERIODS; p->i++) {
        if (p->until) {
            p->next += 10;
            SLEEP_UNTIL(g, p->next);
            if (p->fc->now != p->next)
                p->late++;
        } else {
            SLEEP(g, 10);
        }
        if (GO_STATUS(g) != CA_OK)
            p->status = GO_STATUS(g);
        p->fc->now += 3; /* the work of one period */
    }
    GO_END(g);
}

static void sleep_until_no_drift(void)
{
    int until;

    for (until = 1; until >= 0; until--) {
        ca_sched s;
        fake_clock fc = {0xfffff000u, 0u}; /* wraps on the way */
        periodic p;

        memset(&p, 0, sizeof p);
        p.fc = &fc;
        p.until = until;
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &p.go, periodic_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_RC(p.status, CA_OK);
        if (until) {
            CA_ASSERT_EQ(p.late, 0);
            /* the last wake on tick start + 10 * PERIODS, plus its work */
            CA_ASSERT_EQ((uint32_t)(fc.now - p.start), 10u * PERIODS + 3u);
        } else {
            CA_ASSERT_EQ((uint32_t)(fc.now - p.start), 14u * PERIODS);
        }
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    }
}

/* A deadline already reached carries on at once, in the same run (no
** park); one more than CA_MAX_DELAY ahead is CA_ERANGE; CA_MAX_DELAY
** itself is waited for. */
typedef struct untilx {
    ca_go go;
    uint32_t tick;
    int status, runs, after;
} untilx;

static int untilx_fn(ca_go *g)
{
    untilx *u = (untilx *)g;

    u->runs++;
    GO_BEGIN(g);
    SLEEP_UNTIL(g, u->tick);
    u->status = GO_STATUS(g);
    u->after++;
    GO_END(g);
}

static void sleep_until_edges(void)
{
    static const struct {
        int32_t ahead;
        int status, runs;
    } cases[] = {{-5, CA_OK, 1},
                 {0, CA_OK, 1},
                 {(int32_t)CA_MAX_DELAY + 1, CA_ERANGE, 1},
                 {(int32_t)CA_MAX_DELAY, CA_OK, 2},
                 {7, CA_OK, 2}};
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ca_sched s;
        fake_clock fc = {5000u, 0u};
        untilx u;

        memset(&u, 0, sizeof u);
        u.status = -100;
        u.tick = fc.now + (uint32_t)cases[i].ahead;
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &u.go, untilx_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_RC(u.status, cases[i].status);
        CA_ASSERT_EQ(u.runs, cases[i].runs);
        CA_ASSERT_EQ(u.after, 1);
        if (cases[i].runs == 2)
            CA_ASSERT_EQ(fc.now, u.tick); /* woke on the tick itself */
        else
            CA_ASSERT_EQ(fc.now, 5000u); /* never waited */
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    }
}

/* A clock with no way to wait (idle NULL): the scheduler spins on `now`,
** here a clock that moves one millisecond each time it is read. */
static uint32_t ticking_now(void *ud)
{
    return ++*(uint32_t *)ud;
}

typedef struct spinning_sleeper {
    ca_go go;
    int woke;
} spinning_sleeper;

static int spinning_sleeper_fn(ca_go *g)
{
    GO_BEGIN(g);
    SLEEP(g, 5);
    ((spinning_sleeper *)g)->woke = 1;
    GO_END(g);
}

static void timers_clock_without_idle(void)
{
    ca_sched s;
    spinning_sleeper z;
    uint32_t t = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, ticking_now, NULL, &t), CA_OK);
    memset(&z, 0, sizeof z);
    CA_ASSERT_RC(ca_go_start(&s, &z.go, spinning_sleeper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(z.woke, 1);
    CU_ASSERT(t >= 6); /* a delay of 5 fires on the 6th tick (timer.h) */
    /* Nothing to wait with: it returns, for the caller's loop to spin. */
    CA_ASSERT_RC(ca_sched_idle(&s, 3), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static const ca_test tests[] = {
    {"timers_clock_without_idle", timers_clock_without_idle},
    {"timeout_interval", timeout_interval},
#if CA_HAVE_MALLOC
    {"timeout_interval_alloc", timeout_interval_alloc},
#endif
    {"timeout_never_early_subtick", timeout_never_early_subtick},
    {"timeout_ordering", timeout_ordering},
    {"timeout_ordering_all_due_at_once", timeout_ordering_all_due_at_once},
    {"sleep_ordering_all_due_at_once", sleep_ordering_all_due_at_once},
    {"timeout_random_order", timeout_random_order},
    {"timeout_own_channel", timeout_own_channel},
#if CA_HAVE_MALLOC
    {"timeout_own_channel_alloc", timeout_own_channel_alloc},
    {"timeout_refcount", timeout_refcount},
#endif
    {"timeout_init_destroy", timeout_init_destroy},
    {"timer_limits", timer_limits},
    {"timeout_in_alts", timeout_in_alts},
    {"set_clock_busy", set_clock_busy},
    {"sleep_fake_clock", sleep_fake_clock},
    {"wrap_safety", wrap_safety},
    {"wrap_max_delay", wrap_max_delay},
    {"max_delay_beside_due_timer", max_delay_beside_due_timer},
    {"timer_heap_cancel", timer_heap_cancel},
    {"sleep_many", sleep_many},
    {"sleep_then_park", sleep_then_park},
    {"sleep_until_no_drift", sleep_until_no_drift},
    {"sleep_until_edges", sleep_until_edges},
    {NULL, NULL}};

CA_TEST_MAIN("timers", tests)
