/*
** test_wakeups.c: the wake-ups that only a race can lose (issue 12,
** item 7). Each test holds the race's window open, with gates the test
** controls or hooks the library calls (a port, an allocator), or runs it
** often enough that a lost wake-up shows at once. A lost wake-up hangs the
** test and the runner's watchdog fails it: nothing here is timed, and the
** waits on the library's state below only line up the next step.
** MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* syscall(2) */
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if CA_HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#endif
#if defined(__linux__)
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#endif

#include <coreasync.h>

#include "ca_test.h"

#define POOL (CA_HAVE_THREADS && CA_HAVE_MALLOC)

#if POOL
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

/* A value under a mutex that threads wait on, to hold a worker inside a
** go block's step for as long as the test wants. */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int v;
} gate;

static void gate_init(gate *g)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->v = 0;
}

static void gate_add(gate *g, int d)
{
    pthread_mutex_lock(&g->mu);
    g->v += d;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void gate_wait(gate *g, int at_least)
{
    pthread_mutex_lock(&g->mu);
    while (g->v < at_least)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void gate_destroy(gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

/* Waits until the pool's workers are where a step needs them: so many
** asleep on the scheduler's condition variable, or one in poll(2). */
static void until_sleeping(ca_sched *s, int n)
{
    while (LOAD(s->sleeping) != n)
        sched_yield();
}

static void until_polling(ca_sched *s)
{
    while (LOAD(s->io_polling) == 0)
        sched_yield();
}

/* A result channel that closes when its block ends. */
static void done_init(ca_chan *d, ca_go *g)
{
    CA_ASSERT_RC(ca_chan_init(d, CA_FIXED, 1, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(g, d), CA_OK);
}

static void done_wait(ca_chan *d)
{
    CA_ASSERT_RC(ca_take_blocking(d, NULL), CA_CLOSED);
}

/* ------------------------------------------------- the pool's spill */

static gate go_on, in_step, ran;

/* Takes one value, then says it ran. */
typedef struct waker_blk {
    ca_go go;
    ca_chan *ch;
    int v;
} waker_blk;

static int one_take_fn(ca_go *g)
{
    waker_blk *b = (waker_blk *)g;

    GO_BEGIN(g);
    TAKE(g, b->ch, &b->v);
    gate_add(&ran, 1);
    GO_END(g);
}

/* Makes two blocks ready on its own worker's queue, then holds that
** worker until one of them has run: only the other worker can run it. */
typedef struct busy_blk {
    ca_go go;
    ca_chan *a, *b;
} busy_blk;

static int busy_fn(ca_go *g)
{
    busy_blk *b = (busy_blk *)g;
    int v = 1;

    GO_BEGIN(g);
    gate_add(&in_step, 1);
    gate_wait(&go_on, 1);
    CA_ASSERT_RC(ca_offer(b->a, &v), CA_OK);
    CA_ASSERT_RC(ca_offer(b->b, &v), CA_OK);
    gate_wait(&ran, 1);
    GO_END(g);
}

static void until_taker(ca_chan *ch)
{
    ca_chan_info i;

    do {
        CA_ASSERT_RC(ca_chan_inspect(ch, &i), CA_OK);
        if (i.pending_takes == 0)
            sched_yield();
    } while (i.pending_takes == 0);
}

/* A worker that has more ready than it can run next wakes an idle one
** (Go's wakep): the blocks queued behind a long step run meanwhile. */
static void spill_to_idle_worker(void)
{
    ca_sched s;
    ichan a, b;
    waker_blk wa, wb;
    busy_blk busy;
    ca_chan da, db, dbusy;

    gate_init(&go_on);
    gate_init(&in_step);
    gate_init(&ran);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    memset(&wa, 0, sizeof wa);
    memset(&wb, 0, sizeof wb);
    memset(&busy, 0, sizeof busy);
    wa.ch = &a.ch;
    wb.ch = &b.ch;
    busy.a = &a.ch;
    busy.b = &b.ch;
    done_init(&da, &wa.go);
    done_init(&db, &wb.go);
    done_init(&dbusy, &busy.go);
    CA_ASSERT_RC(ca_go_start(&s, &wa.go, one_take_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &wb.go, one_take_fn), CA_OK);
    until_taker(&a.ch);
    until_taker(&b.ch);
    CA_ASSERT_RC(ca_go_start(&s, &busy.go, busy_fn), CA_OK);
    gate_wait(&in_step, 1);
    until_sleeping(&s, 1); /* the other worker has nothing: asleep */
    gate_add(&go_on, 1);
    /* Waited for outside the library: a thread blocked in it nudges the
    ** pool (its deadlock check), which would wake the sleeper anyway. */
    gate_wait(&ran, 2); /* hangs if the other worker was never woken */
    done_wait(&dbusy);
    done_wait(&da);
    done_wait(&db);
    CA_ASSERT_EQ(wa.v, 1);
    CA_ASSERT_EQ(wb.v, 1);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&da), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&db), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&dbusy), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    gate_destroy(&go_on);
    gate_destroy(&in_step);
    gate_destroy(&ran);
}

/* ------------------------------- a WAIT_FD while another thread polls */

typedef struct fd_blk {
    ca_go go;
    int fd, hold, events, status;
} fd_blk;

static int fd_fn(ca_go *g)
{
    fd_blk *b = (fd_blk *)g;

    GO_BEGIN(g);
    if (b->hold) {
        gate_add(&in_step, 1);
        gate_wait(&go_on, 1);
    }
    WAIT_FD(g, b->fd, CA_FD_READ);
    b->status = GO_STATUS(g);
    b->events = GO_FD_EVENTS(g);
    gate_add(&ran, 1);
    GO_END(g);
}

/* One worker sleeps in poll(2) on one descriptor; a block on the other
** worker then waits on a second one. The poller must hear of it (the
** park kicks it), or the second descriptor's data is never seen. */
static void wait_fd_wakes_poller(void)
{
    ca_sched s;
    fd_blk first, second;
    ca_chan d1, d2;
    int p1[2], p2[2];
    char c = 'x';

    CA_ASSERT_EQ(pipe(p1), 0);
    CA_ASSERT_EQ(pipe(p2), 0);
    gate_init(&go_on);
    gate_init(&in_step);
    gate_init(&ran);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    memset(&first, 0, sizeof first);
    memset(&second, 0, sizeof second);
    first.fd = p1[0];
    second.fd = p2[0];
    second.hold = 1;
    done_init(&d1, &first.go);
    done_init(&d2, &second.go);
    /* the second block holds one worker, in its first step */
    CA_ASSERT_RC(ca_go_start(&s, &second.go, fd_fn), CA_OK);
    gate_wait(&in_step, 1);
    /* the other worker runs the first, which parks: it then polls p1 */
    CA_ASSERT_RC(ca_go_start(&s, &first.go, fd_fn), CA_OK);
    until_polling(&s);
    gate_add(&go_on, 1);
    /* the second parks on p2; its worker, finding a poller, sleeps */
    until_sleeping(&s, 1);
    CA_ASSERT_EQ(write(p2[1], &c, 1), 1);
    gate_wait(&ran, 1); /* hangs if the poller still watches p1 alone */
    done_wait(&d2);
    CA_ASSERT_RC(second.status, CA_OK);
    CA_ASSERT_EQ(second.events & CA_FD_READ, CA_FD_READ);
    CA_ASSERT_EQ(write(p1[1], &c, 1), 1);
    done_wait(&d1);
    CA_ASSERT_RC(first.status, CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&d1), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&d2), CA_OK);
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
    gate_destroy(&go_on);
    gate_destroy(&in_step);
    gate_destroy(&ran);
}

/* ------------------------------------- a worker on its way to sleep */

typedef struct echo_blk {
    ca_go go;
    ca_chan *in, *out;
    int v;
} echo_blk;

static int echo_fn(ca_go *g)
{
    echo_blk *e = (echo_blk *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, e->in, &e->v);
        if (e->v < 0)
            break;
        PUT(g, e->out, &e->v);
    }
    GO_END(g);
}

#define ROUNDS 20000

#if defined(CA_DEBUG) && CA_DEBUG
/* Debug builds call this as a worker that found nothing to run is about
** to count itself idle: armed, it has the test thread make the echo block
** ready right then, and waits until it has. */
extern void (*ca__go_idle_hook)(ca_sched *s);
static gate armed, offered;
static ca_sched *idle_s;

static void idle_hook(ca_sched *s)
{
    pthread_mutex_lock(&armed.mu);
    if (s != idle_s || armed.v != 1) {
        pthread_mutex_unlock(&armed.mu);
        return;
    }
    armed.v = 2; /* in the window */
    pthread_cond_broadcast(&armed.cv);
    pthread_mutex_unlock(&armed.mu);
    gate_wait(&offered, 1);
    gate_add(&offered, -1);
}
#endif

/* A block on a pool of one echoes values this thread offers once it
** takes again, which is when its worker, having nothing else, goes idle:
** each offer comes a little later after that moment than the one before,
** so that some land while the worker counts itself idle. It must look at
** its queues once more after that, or it sleeps with the block ready
** (the offer saw no idle worker to wake). */
static void worker_rechecks_before_sleep(void)
{
    ca_sched s;
    ichan in, out;
    echo_blk e;
    ca_chan d;
    const char *pre = getenv("LD_PRELOAD");
    int i, v, rc, rounds = ROUNDS;

    /* Valgrind runs one thread at a time: no race to catch, and each
    ** round costs a switch. */
    if (pre != NULL && strstr(pre, "vgpreload") != NULL)
        rounds = ROUNDS / 20;
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&out, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 1), CA_OK);
    memset(&e, 0, sizeof e);
    e.in = &in.ch;
    e.out = &out.ch;
    done_init(&d, &e.go);
    CA_ASSERT_RC(ca_go_start(&s, &e.go, echo_fn), CA_OK);
#if defined(CA_DEBUG) && CA_DEBUG
    /* First rounds with the window held open: the poll that makes the
    ** block ready lands while its worker is about to count itself idle. */
    gate_init(&armed);
    gate_init(&offered);
    idle_s = &s;
    __atomic_store_n(&ca__go_idle_hook, idle_hook, __ATOMIC_RELEASE);
    for (i = 0; i < 8; i++) {
        until_taker(&in.ch);   /* the block waits on its TAKE, */
        until_sleeping(&s, 1); /* its worker sleeps */
        gate_add(&armed, 1);
        v = 1000 + i;
        CA_ASSERT_RC(ca_offer(&in.ch, &v), CA_OK);
        gate_wait(&armed, 2);  /* it ran, parked on its PUT: the window */
        CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_OK);
        CA_ASSERT_EQ(v, 1000 + i);
        pthread_mutex_lock(&armed.mu);
        armed.v = 0;
        pthread_mutex_unlock(&armed.mu);
        gate_add(&offered, 1); /* the next until_taker hangs if it slept */
    }
    __atomic_store_n(&ca__go_idle_hook, NULL, __ATOMIC_RELEASE);
    /* A worker that loaded the hook before it went may be in it still:
    ** idle_s is read under the gate's lock (TSan). */
    pthread_mutex_lock(&armed.mu);
    idle_s = NULL;
    pthread_mutex_unlock(&armed.mu);
#endif
    for (i = 0; i <= rounds; i++) {
        volatile int spin;
        v = i < rounds ? i : -1;
        until_taker(&in.ch);
        for (spin = 0; spin < (i * 7) % 1024; spin++)
            ;
        CA_ASSERT_RC(ca_offer(&in.ch, &v), CA_OK);
        if (i == rounds)
            break;
        while ((rc = ca_poll(&out.ch, &v)) == CA_AGAIN)
            sched_yield();
        CA_ASSERT_RC(rc, CA_OK);
        if (v != i) {
            CA_ASSERT_EQ(v, i);
            break;
        }
    }
    done_wait(&d);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&d), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
#if defined(CA_DEBUG) && CA_DEBUG
    gate_destroy(&armed);
    gate_destroy(&offered);
#endif
}
#endif /* POOL */

/* ------------------------ ca_alts_blocking: a case won while it ends */

/* The test below defines open(2), which a sanitizer's runtime defines
** too (its interceptor): not in those builds. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif
#if CA_HAVE_THREADS && defined(__linux__) && defined(SYS_openat) && !SANITIZED
#define LATE_WIN 1
#else
#define LATE_WIN 0
#endif

#if LATE_WIN
/* A blocking ALTS that finds nothing to run asks whether it is the only
** thread (then nothing can ever complete it: a deadlock). Another thread
** may complete a case just after the ALTS last looked, and exit before
** the count: the case won, and the ALTS must say so rather than report a
** deadlock with the value gone. The count reads /proc/self/stat; this
** open(2) lets such a thread run at that moment. */
static ca_chan *late_ch;
static volatile int late_armed, late_rc = -100;

static int raw_open(const char *path, int flags, mode_t mode)
{
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* Live threads of this process (field 20 of /proc/self/stat). */
static int raw_threads(void)
{
    char buf[512], *p;
    ssize_t n;
    int fd, field;

    if ((fd = raw_open("/proc/self/stat", O_RDONLY, 0)) < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if ((p = strrchr(buf, ')')) == NULL)
        return -1;
    for (field = 2; *p != '\0' && field < 20; p++)
        if (*p == ' ')
            field++;
    return atoi(p);
}

static void *late_putter(void *arg)
{
    int v = 77;

    (void)arg;
    late_rc = ca_offer(late_ch, &v);
    return NULL;
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;

    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (late_armed && strcmp(path, "/proc/self/stat") == 0) {
        pthread_t t;
        late_armed = 0;
        if (pthread_create(&t, NULL, late_putter, NULL) == 0) {
            pthread_join(t, NULL);
            while (raw_threads() > 1) /* until it is gone for good */
                sched_yield();
        }
    }
    return raw_open(path, flags, mode);
}

static void *nothing(void *arg)
{
    return arg;
}

static int nop_fn(ca_go *g)
{
    GO_BEGIN(g);
    GO_END(g);
}

static void alts_blocking_late_win(void)
{
    ichan a, b;
    ca_alt cases[2];
    pthread_t t;
    ca_go nop;
    size_t index = 99;
    int va = -1, vb = -1, rc;

    if (UNDER_TSAN)
        return; /* never alone: no deadlock ends the wait */
    /* a thread made once: the library then counts them (glibc's flag) */
    CA_ASSERT_EQ(pthread_create(&t, NULL, nothing, NULL), 0);
    pthread_join(t, NULL);
    while (raw_threads() > 1)
        sched_yield();
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_alt_take(&cases[0], &a.ch, &va), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&cases[1], &b.ch, &vb), CA_OK);
    /* a block ready on the default scheduler: the ALTS drives it (with
    ** nothing to run and threads made, it would wait on its word) */
    memset(&nop, 0, sizeof nop);
    CA_ASSERT_RC(ca_go_start(NULL, &nop, nop_fn), CA_OK);
    late_ch = &b.ch;
    late_armed = 1;
    rc = ca_alts_blocking(cases, 2, CA_ALTS_PRIORITY, &index);
    if (late_armed) {
        /* the count was never read here (no glibc flag, or no /proc) */
        late_armed = 0;
        CA_ASSERT_RC(rc, CA_EDEADLOCK);
    } else {
        CA_ASSERT_RC(late_rc, CA_OK); /* the put was taken... */
        CA_ASSERT_RC(rc, CA_OK);      /* ...by the ALTS, which says so */
        CA_ASSERT_EQ(index, 1);
        CA_ASSERT_EQ(vb, 77);
    }
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
}
#endif

/* ------------------------------- the super-loop's sleep (no threads) */

#if !CA_HAVE_THREADS && defined(__unix__)
/* A port over the POSIX one whose critical section lets an "interrupt"
** in as the main loop enters it: an ISR put of the next value, when the
** block waits for it. Which entry gets it moves from round to round, so
** that one is the super-loop's, just before it would sleep: it must see
** the wake that put deferred and not sleep. Its wait is an interrupt
** arriving at once (the same put). */
#define SL_VALUES 48

static ichan sl_ch;
static volatile int sl_offered, sl_taken, sl_entries, sl_in_hook;
static volatile int sl_slept_pending;

static void sl_interrupt(void)
{
    int v = sl_offered;

    sl_in_hook = 1;
    if (ca_offer_isr(&sl_ch.ch, &v) == CA_OK)
        sl_offered++;
    sl_in_hook = 0;
}

/* Whether the block waits for the next value (and nothing is deferred). */
static int sl_ready_for_one(void)
{
    ca_chan_info i;
    int rc;

    sl_in_hook = 1;
    rc = ca_chan_inspect(&sl_ch.ch, &i);
    sl_in_hook = 0;
    return rc == CA_OK && i.pending_takes == 1 && sl_offered == sl_taken &&
           sl_offered < SL_VALUES;
}

static ca_irq_state sl_enter(void)
{
    if (!sl_in_hook && sl_ready_for_one()) {
        /* the k-th entry since the block waited, k = 1 + offered % 6 */
        if (++sl_entries > sl_offered % 6) {
            sl_entries = 0;
            sl_interrupt();
        }
    }
    return ca_port_posix.enter();
}

static void sl_leave(ca_irq_state saved)
{
    ca_port_posix.leave(saved);
}

static void sl_wait(ca_irq_state saved, uint32_t ms)
{
    (void)saved;
    (void)ms;
    if (sl_offered != sl_taken)
        sl_slept_pending++; /* a deferred wake, and it went to sleep */
    sl_entries = 0;
    if (sl_offered < SL_VALUES && sl_offered == sl_taken)
        sl_interrupt();
}

static const ca_port sl_port = {sl_enter, sl_leave, sl_wait, NULL};

typedef struct sl_taker {
    ca_go go;
    int v, bad;
} sl_taker;

static int sl_taker_fn(ca_go *g)
{
    sl_taker *t = (sl_taker *)g;

    GO_BEGIN(g);
    while (sl_taken < SL_VALUES) {
        TAKE(g, &sl_ch.ch, &t->v);
        if (!GO_OK(g) || t->v != sl_taken)
            t->bad++;
        sl_taken++;
    }
    GO_END(g);
}

static void superloop_sees_deferred_wake(void)
{
    static ca_port port;
    ca_sched s;
    sl_taker t;

    port = sl_port;
    port.now = ca_port_posix.now;
    CA_ASSERT_RC(ca_port_set(&port), CA_OK);
    ichan_init(&sl_ch, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_chan_set_isr(&sl_ch.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&t, 0, sizeof t);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, sl_taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(sl_taken, SL_VALUES);
    CA_ASSERT_EQ(t.bad, 0);
    CA_ASSERT_EQ(sl_slept_pending, 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sl_ch.ch), CA_OK);
}
#endif

static const ca_test tests[] = {
#if POOL
    {"spill_to_idle_worker", spill_to_idle_worker},
    {"wait_fd_wakes_poller", wait_fd_wakes_poller},
    {"worker_rechecks_before_sleep", worker_rechecks_before_sleep},
#endif
#if LATE_WIN
    {"alts_blocking_late_win", alts_blocking_late_win},
#endif
#if !CA_HAVE_THREADS && defined(__unix__)
    {"superloop_sees_deferred_wake", superloop_sees_deferred_wake},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("wakeups", tests)
