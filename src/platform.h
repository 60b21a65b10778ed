/*
** platform.h: what the scheduler needs from the platform: a clock, a way
** to wait, and (threaded builds) a way to be woken while waiting.
** Not installed. MIT licence, see COPYING.
*/
#ifndef CA_PLATFORM_H
#define CA_PLATFORM_H

#include "internal.h"

/* The default clock and idle of a new scheduler; both NULL where the
** platform has no clock (bare metal: ca_sched_set_clock gives one). */
void ca__platform_clock(uint32_t (**now)(void *ud),
                        void (**idle)(void *ud, uint32_t ms));

/* Waits until ms pass (CA_FOREVER: no deadline), *stop turns non-zero,
** or s is kicked after `epoch` was read (ca__sched_epoch); may return
** early. The thread that drives s says so (`driver`): a clock of the
** user's then idles with the user's hook. */
void ca__platform_idle(ca_sched *s, uint32_t ms, volatile int *stop,
                       int driver, unsigned epoch);
/* Who idles (ca__platform_idle's `driver`): a thread waiting for a kick,
** the thread that drives s (its clock's idle hook may serve), or a pool's
** worker (it sleeps apart, so that a kick for one worker wakes one). */
#define CA__IDLE_WAITER 0
#define CA__IDLE_DRIVER 1
#define CA__IDLE_WORKER 2

/* Sleeps until ms pass or a wake may have come (ca_sched_idle): a wake
** deferred or made ready before the call ends it at once. */
void ca__platform_sleep(ca_sched *s, uint32_t ms);

#if CA_HAVE_THREADS
int ca__platform_wait_init(ca_sched *s);
void ca__platform_wait_destroy(ca_sched *s);
/* Called once a thread counts as blocked (set by the pool: an idle pool
** may now be deadlocked, and should look again). */
extern void (*ca__park_nudge)(void);
#endif

/* A thread's own parking spot, on Linux: a word that is 0 while it waits,
** 1 once done, 2 while its owner sleeps on it. ca__park returns once it
** is 1; the other side stores 1 with an exchange, and if it found 2
** counts the sleeper out of the blocked threads (ca__threads_blocked) and
** calls ca__unpark (which uses only the word's address). */
#if CA_HAVE_THREADS && defined(__linux__)
#define CA_HAVE_FUTEX 1
void ca__park(int *word);
void ca__unpark(int *word);
#else
#define CA_HAVE_FUTEX 0
#endif

#endif /* CA_PLATFORM_H */
