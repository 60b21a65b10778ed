/*
** coreasync/sched.h: the scheduler that runs go blocks and fires timers.
** See ca_sched(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_SCHED_H
#define COREASYNC_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <coreasync/config.h>
#include <coreasync/go.h>
#include <coreasync/timer.h>

#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A scheduler runs go blocks one at a time on the thread that drives it,
 * or on the workers of its pool (ca_sched_start), and fires their timers.
 * It keeps:
 * - a run queue of blocks that are ready, in FIFO order (a pool: one per
 *   worker, and an inbox); a block is put there exactly once each time it
 *   becomes ready, by whoever completed the operation it waited in;
 * - a pairing heap of timers;
 * - the list of its live blocks, so that it can say who waits where
 *   (a build with CA_CONFIG_TINY_GO only counts them).
 *
 * A parked block is in no queue of the scheduler's: only the channel it
 * waits on (or its timer) refers to it.
 *
 * Every function here that takes a `ca_sched *` refuses storage that is
 * not a live scheduler (never initialised, or destroyed) with `CA_EINVAL`
 * (ca_sched_now() answers 0), and so do ca_go_start() and the timeout
 * calls.
 *
 * Drive it with ca_sched_run() (until nothing can run again) or, from a
 * firmware super-loop or another event loop, with ca_sched_step(); or
 * give it a pool. The *default scheduler* (pass NULL wherever a
 * `ca_sched *` is asked for) is made on first use; it is also the one the
 * blocking calls of blocking.h drive when they have to.
 *
 * # Deadlock
 * When go blocks are parked, no timer is pending, no reference is held
 * and the process has one thread, nothing will ever run again:
 * ca_sched_run() and ca_sched_step() return `CA_EDEADLOCK`, and
 * ca_sched_dump() names every parked block, the line it waits at, the op
 * and the channel. "One thread" is glibc's __libc_single_threaded, else
 * the count in /proc/self/stat (Linux); where neither tells, a threaded
 * build never reports. With other threads alive, ca_sched_run() waits
 * instead (any thread may complete an op later; one that exits wakes
 * nothing) and ca_sched_step() returns `CA_OK`: no report is ever false.
 *
 * So threads need no declaring. ca_sched_ref() is for sources that are
 * not threads, in a process with one: an interrupt whose data the idle
 * hook or a super-loop feeds into channels, a foreign event loop's
 * callback on the same thread, another scheduler's blocks stepped by the
 * same thread, a thread not created yet. A reference also keeps
 * ca_sched_run() waiting while no block is live, for blocks that others
 * will start.
 */
/* A run queue, with the state of the thread that runs it: a scheduler's
** own (whoever drives it: ca_sched_run, ca_sched_step, a blocking call)
** or one worker's of a pool (ca_sched_start). Private. */
typedef struct ca__runq {
    struct ca_go *head, *tail; /* ready blocks, linked through u.w.next  */
    size_t n;                  /* how many                                */
    struct ca_sched *s;        /* whose blocks                            */
    uint32_t rng;              /* for random ALTS order                   */
#if CA_HAVE_THREADS
    unsigned char lock;        /* a pool's: other workers steal from it   */
    unsigned char shared;      /* it is a pool's (take the lock)          */
#endif
} ca__runq;

struct ca__pool;

struct ca_sched {
    ca_waker waker;         /* wakes its go blocks; fires their SLEEPs    */
    ca_waker alt_waker;     /* fires their ALTS deadline cases            */
    ca__runq q;             /* the driver's run queue (no pool)           */
    ca_go *ihead, *itail;   /* inbox: made ready by other threads         */
#if !CA_CONFIG_TINY_GO
    ca_go *live;            /* circular list of live blocks               */
#endif
    ca_timer *timers;       /* pairing heap, earliest deadline on top     */
    ca_timer *firing;       /* the timer whose fire runs right now        */
    uint32_t (*now)(void *ud);          /* the clock, in ms               */
    void (*idle)(void *ud, uint32_t ms); /* wait until a wake or ms pass  */
    void *clock_ud;
    size_t nlive;           /* started and not finished                   */
    size_t ninbox;          /* in the inbox                               */
    size_t ntimers;         /* in the heap                                */
    size_t refs;            /* outside sources that may wake blocks       */
    size_t nlost;           /* blocks lost in a switch of the user's      */
    struct ca__io *io;      /* blocks waiting on descriptors (io.h)       */
    int io_wake;            /* its pipe's write end, or -1                */
    int io_polling;         /* a thread waits in poll(2) on them          */
    unsigned flags;         /* private                                    */
#if CA_HAVE_THREADS
    struct ca__pool *pool;  /* its workers (ca_sched_start), or NULL      */
    int nidle;              /* of them, how many have nothing to run      */
    unsigned char lock;     /* guards all but the run queues              */
    int sleeping;           /* threads waiting on cv                      */
    int driving;            /* a thread (or a pool) drives it             */
    unsigned epoch;         /* kicks so far: a wait that began before the */
                            /* latest one does not sleep                  */
    pthread_mutex_t mu;     /* for sleeping and wake-ups only             */
    pthread_cond_t cv;      /* where drivers and blocked threads sleep    */
    pthread_cond_t wcv;     /* where a pool's idle workers sleep: a kick  */
                            /* for one of them wakes a worker, no other   */
    int inflight;           /* wakers from outside still touching it      */
#endif
};

/**
 * Makes a scheduler in your storage. Its clock is the platform's
 * monotonic clock where there is one (POSIX), else none: then timers are
 * refused with `CA_ENOTSUP` until ca_sched_set_clock() gives it one.
 * `CA_EINVAL` for NULL; `CA_ENOMEM` if the platform's lock could not be
 * made (threaded builds).
 */
int ca_sched_init(ca_sched *s);

/**
 * Ends a scheduler. `CA_EBUSY` while it has live go blocks, pending
 * timers or a ca_sched_ref() not yet ended, or while a thread drives it
 * (is inside ca_sched_run() or ca_sched_step()). `CA_EINVAL` for the
 * default scheduler, which cannot be destroyed, and for one that is not
 * live.
 */
int ca_sched_destroy(ca_sched *s);

/** The default scheduler, made on first use. Never NULL. */
ca_sched *ca_sched_default(void);

/**
 * Gives the scheduler a clock and a way to wait (bare metal, tests, or an
 * event loop of yours): `now(ud)` returns milliseconds on a free-running
 * 32-bit tick that may wrap; `idle(ud, ms)` waits until `ms` have passed
 * or an interrupt may have woken a block (`CA_FOREVER`: no deadline), and
 * may return early. `idle` may be NULL: the scheduler then spins on
 * `now`. `CA_EINVAL` for a NULL `now`; `CA_EBUSY` while timers are
 * pending (their deadlines are on the old clock).
 *
 * In a threaded build, a wake-up from another thread (a block it made
 * ready, a timer it added, its last ca_sched_unref) cannot interrupt your
 * `idle`: one that came before the call skips it, one that comes during it
 * is seen when it returns. Bound the wait in `idle` by the latency you can
 * accept, or keep the platform's clock, whose wait every wake-up ends.
 */
int ca_sched_set_clock(ca_sched *s, uint32_t (*now)(void *ud),
                       void (*idle)(void *ud, uint32_t ms), void *ud);

/**
 * The scheduler's clock: milliseconds on its 32-bit tick (wrapping; take
 * differences, as `(uint32_t)(later - earlier)`). 0 when it has no clock.
 */
uint32_t ca_sched_now(ca_sched *s);

/**
 * Runs go blocks and fires timers until no block can run again: when all
 * have finished, no timer is pending and no ca_sched_ref() is held, it
 * returns `CA_OK`. When blocks remain parked and nothing can wake them
 * (no timer, no ca_sched_ref(), no other thread in the process), it
 * returns `CA_EDEADLOCK` at once rather than hang (see ca_sched_dump); `CA_ELOST` instead if one of them lost
 * its resume point in a switch of yours (go.h). While only timers are
 * pending it sleeps until the next one is due. `CA_EPERM` when called
 * from a go block or from a callback that a scheduler runs (on a thread
 * already driving one). While another thread drives it (a blocking call
 * does, while it waits), ca_sched_run() waits for it to stop, then drives.
 */
int ca_sched_run(ca_sched *s);

/**
 * One turn of a super-loop: fires the timers that are due and runs the
 * blocks that are ready, each at most once, then returns without waiting.
 * `*next_ms` (may be NULL) is 0 when blocks are ready again, the
 * milliseconds until the next timer, or `CA_FOREVER`.
 *
 * Blocks parked on a channel declared with ca_chan_set_isr() are not a
 * deadlock: an interrupt may yet complete them (it wakes them through the
 * next step). Sleep between steps with ca_sched_idle().
 *
 * Returns `CA_OK` while blocks remain, or when none is live (then
 * `*next_ms` is `CA_FOREVER`, or the delay of a timer still pending); `CA_EDEADLOCK` as ca_sched_run();
 * `CA_EPERM` as ca_sched_run(); `CA_EBUSY`, without waiting, while another
 * thread drives the scheduler.
 */
int ca_sched_step(ca_sched *s, uint32_t *next_ms);

/** The most workers ca_sched_start() starts for one scheduler. */
#define CA_POOL_MAX 1024u

/**
 * Starts `n` worker threads that run the scheduler's go blocks and fire
 * its timers in the background, core.async's dispatch pool, until
 * ca_sched_stop(). `n = 0` asks for the default: 8, as in core.async, or
 * the environment variable `COREASYNC_POOL_SIZE` (1 to `CA_POOL_MAX`).
 * A block runs on any worker, never on two at once. While the pool runs,
 * ca_sched_run() and ca_sched_step() return `CA_EBUSY`, and blocking
 * calls on it just wait. When every worker is idle, no timer is pending,
 * no ca_sched_ref() is held and no thread is inside a blocking call, the
 * pool prints the deadlock report (ca_sched_dump) on stderr, once, and
 * goes on waiting.
 *
 * `CA_EBUSY` when the scheduler already has a pool or a thread drives it;
 * `CA_ERANGE` for `n` over `CA_POOL_MAX`; `CA_ENOMEM` when the threads or
 * their memory could not be had (none is left running); `CA_EPERM` from a
 * go block or a callback a scheduler runs; `CA_ENOTSUP` in a build without
 * threads or without malloc; `CA_EINVAL` for storage that is not a live
 * scheduler.
 */
int ca_sched_start(ca_sched *s, unsigned n);

/**
 * Stops the pool: each worker finishes the block it runs, then leaves;
 * the call returns once all have. Blocks that were ready stay ready and
 * parked blocks stay parked: a later ca_sched_run(), ca_sched_step() or
 * ca_sched_start() goes on with them, and until then nothing runs them
 * (their wake-ups wait in the scheduler's inbox). `CA_EINVAL` when it has
 * no pool (or another thread is stopping it); `CA_EPERM` from a go block
 * or a callback a scheduler runs (a worker cannot wait for itself);
 * `CA_ENOTSUP` as ca_sched_start().
 */
int ca_sched_stop(ca_sched *s);

/**
 * The other half of a super-loop turn: sleeps until `next_ms` ticks of
 * the scheduler's clock pass (counted whole, as deadlines are: the wait
 * ends when the `next_ms`-th tick from the current one starts, less than
 * `next_ms` ms after a call made part of the way through a tick) or an
 * interrupt may have made something ready, and returns at once
 * when `next_ms` is 0 or a wake-up deferred by ca_offer_isr() or
 * ca_poll_isr() is waiting for the next ca_sched_step(). The check and the
 * sleep happen inside the port's critical section, whose `wait` (WFI)
 * still wakes for an interrupt: none is lost in between. So
 *
 *     for (;;) {
 *         ca_sched_step(s, &next);
 *         ca_sched_idle(s, next);
 *     }
 *
 * sleeps whenever there is nothing to do and never misses an interrupt.
 * A scheduler with a clock of ca_sched_set_clock() sleeps in that idle
 * hook instead. With threads it waits as ca_sched_run() does, and a
 * wake-up from another thread ends the wait. May return early. `CA_OK`;
 * `CA_EINVAL` for a scheduler that is not live; `CA_EPERM` from a go
 * block or a callback a scheduler runs.
 */
int ca_sched_idle(ca_sched *s, uint32_t next_ms);

/** Declares an outside source that is not a thread (see # Deadlock above)
 * and may wake parked blocks, so that the scheduler waits for it instead
 * of reporting a deadlock. Counted. */
int ca_sched_ref(ca_sched *s);

/** Ends one ca_sched_ref(). `CA_EINVAL` when there is none to end. */
int ca_sched_unref(ca_sched *s);

/** What ca_sched_parked() tells about one parked go block. */
typedef struct ca_parked {
    const char *func;       /* the go function's name                     */
    const char *file;       /* where it parked                            */
    unsigned line;
    const char *op;         /* "TAKE", "PUT" or "ALTS"                    */
    const char *expr;       /* the channel (or cases) argument as written */
    ca_chan *chan;          /* TAKE, PUT: the channel; ALTS: NULL         */
    const ca_alt *cases;    /* ALTS: its cases                            */
    size_t ncases;
    int status;             /* CA_OK; CA_ELOST: it can never resume (go.h) */
} ca_parked;

/**
 * Calls `fn(p, ud)` for every go block parked in a channel operation
 * (sleeping and ready blocks are not parked), and returns how many there
 * were, or a negative error. Call it when the scheduler is not running,
 * e.g. after ca_sched_run() returned `CA_EDEADLOCK`. `CA_EINVAL` for a
 * NULL `fn` or a scheduler that is not live; `CA_ENOTSUP` in a build
 * with CA_CONFIG_TINY_GO, which keeps no list of its blocks (config.h).
 */
int ca_sched_parked(ca_sched *s, void (*fn)(const ca_parked *p, void *ud),
                    void *ud);

/**
 * Prints one line per parked go block to `out`, in the form
 * `  filter (sieve.c:42) parked in TAKE(f->in) on channel "primes"`,
 * and returns how many, or a negative error (`CA_EINVAL` for a NULL
 * `out`, the others as ca_sched_parked()).
 */
int ca_sched_dump(ca_sched *s, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_SCHED_H */
