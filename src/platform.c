/*
** platform.c: the port in use, its critical section and the deferred
** wakes it guards, idling, and waking an idle scheduler.
** MIT licence, see COPYING.
**
** The clock, the critical section and the wait come from the port
** (port.h; src/port/ has the shipped ones). A threaded build waits on a
** condition variable instead, so that a wake-up from another thread ends
** the wait. Without a port (bare metal before ca_port_set) there is no
** clock until ca_sched_set_clock() gives one, along with an idle hook.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* syscall(), for the futex */
#endif
#include <errno.h>
#if CA_HAVE_THREADS
#include <time.h>
#endif

#if defined(HAVE_POLL)
#include <unistd.h>
#endif

#include "platform.h"

/* ------------------------------------------------------------------ port */

#if defined(CA_PORT_POSIX)
static const ca_port *port = &ca_port_posix;
#else
static const ca_port *port; /* bare metal: the user's ca_port_set() */
#endif
/* A channel was declared for interrupts: the port's section is in use. */
static unsigned char port_used;

#if !CA_HAVE_THREADS
/* How an idle scheduler waits on the port: cs_idle, set with the port,
** so that a program that sets none (it waits in a clock hook of its own,
** ca_sched_set_clock) links no critical section. */
static void cs_idle(ca_sched *s, uint32_t ms);
#if defined(CA_PORT_POSIX)
static void (*port_idle)(ca_sched *s, uint32_t ms) = cs_idle;
#else
static void (*port_idle)(ca_sched *s, uint32_t ms);
#endif
#endif

int ca_port_set(const ca_port *p)
{
    if (p == NULL || p->enter == NULL || p->leave == NULL)
        return CA_EINVAL;
    if (port_used)
        return CA_EBUSY;
    port = p;
#if !CA_HAVE_THREADS
    port_idle = cs_idle;
#endif
    return CA_OK;
}

const ca_port *ca_port_get(void)
{
    return port;
}

void ca__platform_clock(uint32_t (**now)(void *ud),
                        void (**idle)(void *ud, uint32_t ms))
{
    /* A scheduler on the port's clock idles through the port (or, with
    ** threads, its condition variable): no hook of its own. */
    *now = port != NULL ? port->now : NULL;
    *idle = NULL;
}

/* ------------------------------------------------------------------ pending
** Waiters completed by ca_offer_isr and ca_poll_isr whose wake must not
** run where they completed (an interrupt handler; in a threaded build,
** a callback on a foreign thread): the driver of a scheduler drains the
** list and wakes them (sched.c). Without threads the critical section
** guards the list; with them, a spin lock of its own. */
static struct {
    ca_waiter *head;
    ca_waiter **tail;
#if CA_HAVE_THREADS
    unsigned char lock;
    ca_sched *home; /* kicked when a callback is deferred */
#endif
} pending = {NULL, &pending.head
#if CA_HAVE_THREADS
             , 0, NULL
#endif
};

#if CA_HAVE_THREADS
#define PENDING_HEAD() __atomic_load_n(&pending.head, __ATOMIC_SEQ_CST)
#define PENDING_LOCK() ca__spin_lock(&pending.lock)
#define PENDING_UNLOCK() ca__spin_unlock(&pending.lock)
#else
#define PENDING_HEAD() (*(ca_waiter *volatile *)&pending.head)
#define PENDING_LOCK() ca__cs_enter()
#define PENDING_UNLOCK() ca__cs_leave()
#endif

void ca__pending_push(ca__wakelist *wl)
{
    PENDING_LOCK();
    *pending.tail = wl->head;
    pending.tail = wl->tail;
    PENDING_UNLOCK();
#if CA_HAVE_THREADS
    {
        ca_sched *home = __atomic_load_n(&pending.home, __ATOMIC_ACQUIRE);
        if (home != NULL)
            ca__sched_kick(home);
    }
#endif
}

int ca__pending_take(ca__wakelist *wl)
{
    CA__WAKELIST_INIT(wl);
    if (PENDING_HEAD() == NULL)
        return 0; /* the common case costs no lock */
    PENDING_LOCK();
    wl->head = pending.head;
    wl->tail = pending.tail;
    pending.head = NULL;
    pending.tail = &pending.head;
    PENDING_UNLOCK();
    return wl->head != NULL;
}

int ca__pending_any(void)
{
    return PENDING_HEAD() != NULL;
}

#if CA_HAVE_THREADS
void ca__pending_home(ca_sched *s)
{
    __atomic_store_n(&pending.home, s, __ATOMIC_RELEASE);
}
#endif

/* ------------------------------------------------------------------ section */

#if !CA_HAVE_THREADS
/* The library's critical section: the port's, entered once however
** deep the library nests it (an ALTS holds several channels). A handler
** that runs while the main loop is outside finds the count at 0 and
** enters for real; while the main loop is inside, no handler runs. */
/* volatile: an interrupt (a signal handler, on a host) reads and writes
** them between any two instructions of the main loop's; the compiler
** must neither cache them across the port's calls nor move their stores
** over those calls. */
static volatile unsigned cs_depth;
static volatile ca_irq_state cs_saved;

int ca__cs_declare(void)
{
    if (port == NULL)
        return CA_ENOTSUP;
    port_used = 1;
    return CA_OK;
}

void ca__cs_enter(void)
{
    if (cs_depth == 0)
        cs_saved = port->enter();
    cs_depth++;
}

void ca__cs_leave(void)
{
    CA_ASSERT(cs_depth != 0);
    if (--cs_depth == 0)
        port->leave(cs_saved);
}

int ca__claim_cs(unsigned char *claim)
{
    int won;

    ca__cs_enter();
    won = !(*claim & CA__CLAIMED);
    *claim |= CA__CLAIMED;
    ca__cs_leave();
    return won;
}

/* The machinery that ca_chan_set_isr() links in (lock.h). */
const ca__isr_hooks ca__isr_machinery = {ca__cs_enter, ca__cs_leave,
                                         ca__claim_cs, ca__pending_take,
                                         ca__pending_any};

/* Sleeps until ms pass or an interrupt comes, unless a wake is already
** deferred: checked inside the section, so none slips in between. */
static void cs_idle(ca_sched *s, uint32_t ms)
{
    if (port->wait == NULL) {
        if (s->idle != NULL)
            s->idle(s->clock_ud, ms);
        return; /* no way to wait: the loop spins on the clock */
    }
    ca__cs_enter();
    if (pending.head == NULL)
        port->wait(cs_saved, ms);
    ca__cs_leave();
}

/* On the port if one is set (cs_idle), else in the clock hook, if any. */
static void idle_wait(ca_sched *s, uint32_t ms)
{
    if (port_idle != NULL)
        port_idle(s, ms);
    else if (s->idle != NULL)
        s->idle(s->clock_ud, ms);
}
#else
int ca__cs_declare(void)
{
    port_used = 1;
    return CA_OK;
}
#endif

#if CA_HAVE_THREADS
int ca__platform_wait_init(ca_sched *s)
{
    pthread_condattr_t attr;

    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&attr) != 0)
        goto fail_mutex;
    /* Deadlines are on the monotonic clock; so are the waits. */
    (void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&s->cv, &attr) != 0) {
        (void)pthread_condattr_destroy(&attr);
        goto fail_mutex;
    }
    if (pthread_cond_init(&s->wcv, &attr) != 0) {
        (void)pthread_cond_destroy(&s->cv);
        (void)pthread_condattr_destroy(&attr);
        goto fail_mutex;
    }
    (void)pthread_condattr_destroy(&attr);
    return 0;
fail_mutex:
    (void)pthread_mutex_destroy(&s->mu);
    return -1;
}

void ca__platform_wait_destroy(ca_sched *s)
{
    (void)pthread_cond_destroy(&s->wcv);
    (void)pthread_cond_destroy(&s->cv);
    (void)pthread_mutex_destroy(&s->mu);
}

/* Dekker's handshake between a kicker (change the state, bump the epoch,
** then look at `sleeping`) and a waiter (count itself in `sleeping`, then
** look at the epoch it read before it looked at the state): with a full
** fence on each side, at least one of them sees the other, and the signal
** is sent under the mutex the waiter holds until it waits. */
unsigned ca__sched_epoch(ca_sched *s)
{
    return __atomic_load_n(&s->epoch, __ATOMIC_SEQ_CST);
}

/* A change after which another thread may destroy s (the last unref, a
** driver letting go) is made and announced with s->mu held: destroy takes
** s->mu before it tears s down, so s is still there for the announcement. */
void ca__sched_hold(ca_sched *s)
{
    pthread_mutex_lock(&s->mu);
}

/* The kicker's half of the handshake: bump the epoch, then say whether
** anyone sleeps, who must then be signalled under s->mu. */
static int bump(ca_sched *s)
{
    __atomic_add_fetch(&s->epoch, 1u, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#if defined(HAVE_POLL)
    /* A thread in poll(2) on s's descriptors (io.c) hears it through the
    ** pipe; a full pipe already holds a kick. Acquire: the poller's store
    ** of io_polling comes after io_wake was set (io.c, maybe by another
    ** thread, under s's lock), and this read of io_wake must see it. */
    if (__atomic_load_n(&s->io_polling, __ATOMIC_ACQUIRE)) {
        char c = 0;
        ssize_t r = write(s->io_wake, &c, 1);
        (void)r;
    }
#endif
    return __atomic_load_n(&s->sleeping, __ATOMIC_RELAXED) != 0;
}

void ca__sched_unhold(ca_sched *s, int kick)
{
    if (kick && bump(s)) {
        pthread_cond_broadcast(&s->cv);
        pthread_cond_broadcast(&s->wcv);
    }
    pthread_mutex_unlock(&s->mu);
}

void ca__sched_kick(ca_sched *s)
{
    if (bump(s)) {
        pthread_mutex_lock(&s->mu);
        pthread_cond_broadcast(&s->cv);
        pthread_cond_broadcast(&s->wcv);
        pthread_mutex_unlock(&s->mu);
    }
}

/* For work that one thread can do (a block to run): waking every idle
** worker of a pool for it would have all but one go back to sleep. */
void ca__sched_kick_one(ca_sched *s)
{
    if (bump(s)) {
        pthread_mutex_lock(&s->mu);
        pthread_cond_signal(&s->wcv);
        pthread_mutex_unlock(&s->mu);
    }
}

/* The pusher's half of the handshake with a worker going idle (which
** counts itself in nidle, then looks at the queues): the block is queued,
** then nidle is read, with a full fence between. */
void ca__pool_spill(ca_sched *s)
{
    /* (the fence: see ca__sched_work's matching one) */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->nidle, __ATOMIC_RELAXED) != 0)
        ca__sched_kick_one(s);
}

/* The POSIX port's ticks start on the whole milliseconds of
** CLOCK_MONOTONIC (port/posix.c): a wait of ms ticks on its clock ends
** when the tick due starts, not ms from now, which woke up to a tick late
** (a timer fired 0.5 ms after its tick on average, plus the wake-up's own
** lateness). Another clock's ticks keep the plain ms from now. */
#if defined(CA_PORT_POSIX)
#define TICK_ALIGNED(s) ((s)->now == ca_port_posix.now)
#else
#define TICK_ALIGNED(s) 0
#endif

/* Waits on the scheduler's condition variable until a kick after `epoch`,
** *stop, or ms (CA_FOREVER: no limit). */
static void cond_wait(ca_sched *s, pthread_cond_t *cv, uint32_t ms,
                      volatile int *stop, unsigned epoch)
{
    struct timespec ts;

    pthread_mutex_lock(&s->mu);
    __atomic_add_fetch(&s->sleeping, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->epoch, __ATOMIC_RELAXED) == epoch &&
        (stop == NULL || !__atomic_load_n(stop, __ATOMIC_ACQUIRE))) {
        if (ms == CA_FOREVER) {
            (void)pthread_cond_wait(cv, &s->mu);
        } else {
            clock_gettime(CLOCK_MONOTONIC, &ts);
            if (TICK_ALIGNED(s))
                ts.tv_nsec -= ts.tv_nsec % 1000000L;
            ts.tv_sec += (time_t)(ms / 1000u);
            ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            (void)pthread_cond_timedwait(cv, &s->mu, &ts);
        }
    }
    __atomic_sub_fetch(&s->sleeping, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->mu);
}
#endif /* without threads, internal.h's macros */

void ca__platform_idle(ca_sched *s, uint32_t ms, volatile int *stop,
                       int driver, unsigned epoch)
{
    if (driver == CA__IDLE_DRIVER && (s->flags & CA__S_OWN_CLOCK)) {
        /* The user's hook cannot hear a kick while it waits: a kick that
        ** came already ends the wait here; one that comes during it waits
        ** for the hook to return (see ca_sched_set_clock). */
        if (s->idle != NULL && ca__sched_epoch(s) == epoch)
            s->idle(s->clock_ud, ms);
        return; /* no idle hook: the loop spins on the clock */
    }
#if CA_HAVE_THREADS
    cond_wait(s, driver == CA__IDLE_WORKER ? &s->wcv : &s->cv, ms, stop,
              epoch);
#else
    (void)stop;
    (void)epoch;
    idle_wait(s, ms);
#endif
}

void ca__platform_sleep(ca_sched *s, uint32_t ms)
{
#if CA_HAVE_THREADS
    /* The epoch first: a wake that comes after it ends the wait; one that
    ** came before is in the inbox or the pending list. */
    unsigned epoch = ca__sched_epoch(s);

    if (__atomic_load_n(&s->ninbox, __ATOMIC_RELAXED) != 0 ||
        PENDING_HEAD() != NULL)
        return;
    ca__platform_idle(s, ms, NULL, 1, epoch);
#else
    if (s->flags & CA__S_OWN_CLOCK) {
        if (s->idle != NULL)
            s->idle(s->clock_ud, ms);
        return;
    }
    idle_wait(s, ms);
#endif
}

/* ----------------------------------------------------------- threads */

/* Whether another thread could end a wait is what makes a deadlock
** provable. No library can see every thread a program has (one that has
** not called in yet may still come), so the answer is the process's:
** one thread, nobody else. glibc says for free whether a thread was ever
** created; Linux's /proc says how many live now, for a few microseconds,
** paid only where a deadlock is about to be reported. */
#if CA_HAVE_THREADS
#if defined(HAVE_SYS_SINGLE_THREADED_H)
#include <sys/single_threaded.h>
#endif
#if defined(__linux__)
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#endif

static int nblocked;        /* threads inside a blocking call's wait     */
static unsigned blocked_gen; /* changes of nblocked so far               */

int ca__threads_maybe(void)
{
#if defined(HAVE_SYS_SINGLE_THREADED_H)
    return !__libc_single_threaded;
#else
    return 1;
#endif
}

int ca__threads_count(void)
{
#if defined(__linux__)
    char buf[512], *p;
    ssize_t n;
    int fd, field;

    /* Field 20 of /proc/self/stat, counted after the command name,
    ** which ends with the last ')' and may hold spaces itself. */
    if ((fd = open("/proc/self/stat", O_RDONLY)) < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if ((p = strrchr(buf, ')')) == NULL)
        return -1;
    for (field = 2; *p != '\0' && field < 20; p++)
        if (*p == ' ')
            field++;
    return *p != '\0' ? atoi(p) : -1;
#else
    return -1;
#endif
}

int ca__threads_alone(void)
{
    return !ca__threads_maybe() || ca__threads_count() == 1;
}

void ca__threads_blocked_add(int d)
{
    __atomic_add_fetch(&nblocked, d, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&blocked_gen, 1u, __ATOMIC_SEQ_CST);
}

unsigned ca__threads_blocked_gen(void)
{
    return __atomic_load_n(&blocked_gen, __ATOMIC_SEQ_CST);
}

int ca__threads_blocked(void)
{
    return __atomic_load_n(&nblocked, __ATOMIC_SEQ_CST);
}
#endif /* without threads, internal.h's macros */

/* ------------------------------------------------------------- parking */

#if CA_HAVE_THREADS
void (*ca__park_nudge)(void);
#endif

#if CA_HAVE_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How long a parking thread spins before it sleeps: about as long as the
** other side of a hand-off takes to answer on another core, so that a
** ping-pong between two threads that each have a core rarely sleeps. When
** they share a core (or the machine is busy), spinning only burns the
** time slice the other side needs: each thread keeps a budget that
** doubles when a spin ends in success and halves when it ends asleep
** (as glibc's adaptive mutex does), between the two bounds. */
#define CA__SPINS_MIN 16
#define CA__SPINS_MAX 2048
static CA__TLS int spin_budget = 256;


void ca__park(int *word)
{
    int v;
    int i;

    for (i = 0; i < spin_budget; i++) {
        if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 0) {
            if (spin_budget < CA__SPINS_MAX)
                spin_budget *= 2;
            return;
        }
        ca__cpu_relax();
    }
    if (spin_budget > CA__SPINS_MIN)
        spin_budget /= 2;
    v = 0;
    if (!__atomic_compare_exchange_n(word, &v, 2, 0, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return; /* done meanwhile */
    /* Asleep, it counts as blocked (for a pool's deadlock report) until
    ** its completer, who finds 2, counts it out: counted only once it is
    ** sure to sleep, the count may dip below the truth for a moment (an
    ** undercount only holds a report back), never rise above it. */
    ca__threads_blocked_add(1);
    if (__atomic_load_n(&ca__park_nudge, __ATOMIC_ACQUIRE) != NULL)
        ca__park_nudge();
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 2)
        (void)syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void ca__unpark(int *word)
{
    (void)syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
#endif
