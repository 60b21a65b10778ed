/*
** coreasync/timer.h: timers and timeout channels.
** See ca_timeout(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_TIMER_H
#define COREASYNC_TIMER_H

#include <stdint.h>

#include <coreasync/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Time is in milliseconds, on a 32-bit tick that wraps after 49.7 days:
 * every comparison is made on the signed difference of two ticks, so a
 * deadline set just before the wrap still fires after it. That is right
 * while no two pending deadlines are 2^31 ticks apart or more; the
 * longest delay, `CA_MAX_DELAY` (2^30 - 1 ms, about 12.4 days), keeps
 * them so even beside a timer that is overdue by as much again (a
 * scheduler too busy to fire it for 12 days). Chain timers for longer.
 */
#define CA_MAX_DELAY 0x3fffffffu

/** "No deadline", where a function reports the time until the next one. */
#define CA_FOREVER 0xffffffffu

typedef struct ca_sched ca_sched;

/**
 * A timer node: intrusive, so a timer needs no allocation. Timers live in
 * their scheduler's pairing heap: O(1) to add, O(log n) amortised to fire
 * the earliest or to cancel one. It fires on the first tick at which at
 * least its delay has passed in full, whatever the phase of the tick when
 * it started: never early. Due timers fire one at a time in deadline
 * order, each through its waker's `fire`, with no lock held. Private
 * fields: do not touch.
 *
 * The layout is part of the design: `waker` sits where a waiter's does
 * (after four pointer-sized words on ILP32 and LP64 targets), so a go
 * block can sleep on a timer laid over its own waiter without disturbing
 * what follows it; src/go.c asserts it, so a target where that does not
 * hold fails to compile.
 */
struct ca_timer {
    ca_timer *child;        /* first child in the heap                    */
    ca_timer *next;         /* next sibling                               */
    ca_timer *prev;         /* previous sibling, or parent if first; the  */
                            /* timer itself when in no heap               */
    uint32_t deadline;      /* tick at which it fires                     */
    ca_waker *waker;        /* its owner: waker->fire(waker, t) when due  */
};

/**
 * A timeout channel in your storage: `ch` is closed, with no value, once
 * the delay has passed, never earlier. Each call makes its own channel,
 * deliberately unlike core.async, where timeouts due within 10 ms of each
 * other share one channel and so one caller's close ends another's wait.
 */
typedef struct ca_timeout_chan {
    ca_chan ch;             /* take from it, put it in an ALTS            */
    ca_timer t;             /* private                                    */
} ca_timeout_chan;

/**
 * Starts a timeout on scheduler `s` (NULL: the default scheduler) in your
 * storage; `&tc->ch` closes after `ms` milliseconds, when the scheduler
 * runs. The scheduler holds a reference to the channel until it fires:
 * ca_chan_destroy(&tc->ch) succeeds only after that.
 *
 * Returns `CA_OK`, `CA_EINVAL` for a NULL `tc` or a scheduler that is not
 * live (sched.h), `CA_ERANGE` for `ms` over
 * `CA_MAX_DELAY`, `CA_ENOTSUP` when the scheduler has no clock.
 */
int ca_timeout_init(ca_sched *s, ca_timeout_chan *tc, uint32_t ms);

#if CA_HAVE_MALLOC
/**
 * Allocates a timeout channel (core.async's `timeout`): `*out` closes
 * after `ms` milliseconds. It comes with one reference, yours: release it
 * with ca_chan_free() when you no longer need it, before or after it
 * fires; the scheduler holds its own until the channel has fired. A take
 * waiting on it holds no reference: release yours only once no take can
 * still be made on it (or give each taker a reference, ca_chan_retain).
 * Errors as ca_timeout_init(), plus `CA_ENOMEM`.
 */
int ca_timeout(ca_sched *s, uint32_t ms, ca_chan **out);
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_TIMER_H */
