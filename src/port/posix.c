/*
** port/posix.c: the POSIX port: the monotonic clock, and signals playing
** the interrupts. MIT licence, see COPYING.
**
** A build without threads has one thread, so the only thing that can cut
** into the library is a signal handler: the critical section blocks
** signals (all but the ones a fault raises, which must stay deliverable)
** and `wait` is pselect(), which unblocks them and sleeps in one atomic
** step: a signal that came while they were blocked ends the wait at once,
** as a pending interrupt ends WFI. This is how the host tests run an
** interrupt handler.
**
** The saved mask lives here, not in the ca_irq_state (a sigset_t is
** bigger): the library does not nest enter in one context, and a handler
** runs only while the main loop is outside, so one slot and a depth do.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <sys/select.h>
#include <time.h>

#include "../internal.h"

static sigset_t saved;
static unsigned depth;

static ca_irq_state posix_enter(void)
{
    sigset_t all, old;

    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    (void)sigprocmask(SIG_BLOCK, &all, &old);
    if (depth++ == 0)
        saved = old;
    return 0;
}

static void posix_leave(ca_irq_state unused)
{
    (void)unused;
    CA_ASSERT(depth != 0);
    if (--depth == 0)
        (void)sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* ms ticks of posix_now, which start on the clock's whole milliseconds:
** the wait ends when the tick due starts, not ms from now, which would
** wake up to a tick late. */
static void posix_wait(ca_irq_state unused, uint32_t ms)
{
    struct timespec ts;
    long into = 0;

    (void)unused;
#if defined(HAVE_CLOCK_GETTIME)
    if (ms != 0 && ms != CA_FOREVER &&
        clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        into = ts.tv_nsec % 1000000L; /* of the current tick */
#endif
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L - into;
    if (ts.tv_nsec < 0) {
        ts.tv_sec--;
        ts.tv_nsec += 1000000000L;
    }
    (void)pselect(0, NULL, NULL, NULL, ms == CA_FOREVER ? NULL : &ts, &saved);
}

#if defined(HAVE_CLOCK_GETTIME)
static uint32_t posix_now(void *ud)
{
    struct timespec ts;

    (void)ud;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* Wraps every 49.7 days, as every tick here may. */
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u +
                      (uint64_t)ts.tv_nsec / 1000000u);
}
#else
#define posix_now NULL
#endif

const ca_port ca_port_posix = {posix_enter, posix_leave, posix_wait,
                               posix_now};
