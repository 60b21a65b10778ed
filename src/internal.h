/*
** internal.h: what the library's files share and users never see.
** Not installed. MIT licence, see COPYING.
*/
#ifndef CA_INTERNAL_H
#define CA_INTERNAL_H

#include <stddef.h>

#include <coreasync.h>

#include "lock.h"

#define CA_CONTAINER_OF(ptr, type, member)                                   \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Channel flags. A channel is live from init to destroy; storage that is
** zeroed, or was destroyed, has no LIVE bit and every operation refuses it
** with CA_EBADCHAN. */
#define CA__CH_LIVE 0x01
#define CA__CH_CLOSED 0x02
#define CA__CH_OWNED 0x04 /* ca_chan_new allocated it: the last free frees */

/* Waiters completed under a channel lock, to be woken after it is
** released (SPEC 2.10: callbacks never run under a channel lock). Linked
** through ca_waiter.next, in completion order. */
typedef struct ca__wakelist {
    ca_waiter *head;
    ca_waiter **tail;
} ca__wakelist;

#define CA__WAKELIST_INIT(wl) ((wl)->head = NULL, (wl)->tail = &(wl)->head)

void ca__wake_all(ca__wakelist *wl);

/* The channel's locked core, for the layers above it (async ops, go
** blocks, alts, blocking calls). The caller holds CA__LOCK(ch) and has
** checked that the channel is live.
**
** put/take: complete now if possible, returning CA_OK or CA_CLOSED, with
** any counterpart waiters that completed appended to wl; CA_AGAIN if the
** operation would have to wait. enqueue: queue w (its val, waker and the
** CA__W_TAKE bit set by the caller); CA_OK or CA_EFULL. dequeue: take w
** out of the queue if it is still there. */
int ca__put_locked(ca_chan *ch, const void *src, ca__wakelist *wl);
/* The whole of one put or take: checks, lock, try, queue w if it must
** wait (never, when w is NULL), unlock, wake. Returns CA_OK or CA_CLOSED
** when done now, CA__PARK when w waits, CA_AGAIN (w NULL), or an error. */
int ca__chan_op(ca_chan *ch, void *val, ca_waiter *w, int take);
/* (ca__waiter_op, in go.h, is the same plus w->status = the outcome when
** it completes at once: the go-block macros call it.) */
int ca__take_locked(ca_chan *ch, void *dst, ca__wakelist *wl);
int ca__enqueue_locked(ca_chan *ch, ca_waiter *w);
void ca__close_locked(ca_chan *ch, ca__wakelist *wl);
void ca__dequeue_locked(ca_chan *ch, ca_waiter *w);

/* Readiness, for alts: could a put or take on ch complete right now?
** Stale alts waiters do not count. Caller holds the lock. */
int ca__can_put_locked(ca_chan *ch);
int ca__can_take_locked(ca_chan *ch);

/* ------------------------------------------------------------------ sched */

/* Go-block states, in ca_go.u.w.state, changed under the scheduler lock. */
#define CA__G_LIVE 0x01  /* started, not finished                        */
#define CA__G_READY 0x02 /* in the run queue                             */
#define CA__G_SLEEP 0x04 /* in the timer heap (SLEEP)                    */
#define CA__G_ALTS 0x08  /* parked in ALTS: u.w.val is its cases         */
#define CA__G_OWNED 0x10 /* ca_go_new allocated it: freed when done      */

#if CA_HAVE_THREADS
#define CA__SLOCK(s) ca__spin_lock(&(s)->lock)
#define CA__SUNLOCK(s) ca__spin_unlock(&(s)->lock)
#else
#define CA__SLOCK(s) ((void)0)
#define CA__SUNLOCK(s) ((void)0)
#endif

#define CA__SCHED(s) ((s) != NULL ? (s) : ca_sched_default())

/* Scheduler flags. */
#define CA__S_OWN_CLOCK 0x01 /* ca_sched_set_clock gave it a clock       */

/* The scheduler a go block belongs to, from its waker (a go block's
** waiter always points at its scheduler's waker, except while it sleeps,
** when only the scheduler itself touches it). */
#define CA__GO_SCHED(g) CA_CONTAINER_OF((g)->u.w.waker, ca_sched, waker)

/* Puts g on the run queue: only on the thread driving s (timers fire
** there, and so do go blocks). */
void ca__ready_local(ca_sched *s, ca_go *g);
int ca__sched_start_go(ca_sched *s, ca_go *g);
/* Drives s (ca__sched_loop) if no other thread does: CA_EBUSY if one
** does, CA_EPERM from inside a go block. */
int ca__sched_drive(ca_sched *s, volatile int *stop);

/* A finished block's result channel (NULL if none), which it gives up;
** and the delivery of a value of `size` bytes into it, closing it. */
ca_chan *ca__result_take(ca_go *g);
void ca__result_deliver(ca_chan *r, const void *val, size_t size,
                               ca__wakelist *wl);
void ca__sched_kick(ca_sched *s);
uint32_t ca__now(ca_sched *s);
int ca__has_clock(ca_sched *s);

/* Non-zero on a thread that is driving a scheduler: in a go block, or in
** a callback run from one. */
int ca__in_sched(void);

/* Drives s until *stop becomes non-zero (a blocking call) or, with a NULL
** stop, until nothing can run again (ca_sched_run). */
int ca__sched_loop(ca_sched *s, volatile int *stop);

/* Timers: the pairing heap. Caller holds the scheduler lock. A timer's
** kind says what firing it does (a switch, not a function pointer, keeps
** a timer small enough to sit over a sleeping go block's waiter). */
#define CA__T_TIMEOUT 1   /* close a ca_timeout_chan (after unlocking)      */
#define CA__T_SLEEP 2     /* wake a go block from SLEEP                     */
#define CA__T_ALT_GO 3    /* a go block's ALTS deadline case                */
#define CA__T_ALT_FRAME 4 /* a blocked thread's ALTS deadline case          */
void ca__sleep_fire(ca_sched *s, ca_timer *t);
void ca__alt_fire_go(ca_sched *s, ca_timer *t);
void ca__frame_alt_fire(ca_sched *s, ca_timer *t);
void ca__timer_add_locked(ca_sched *s, ca_timer *t, uint32_t ms);
void ca__timer_cancel_locked(ca_sched *s, ca_timer *t);
int ca__timer_pending(const ca_timer *t);
/* Fires every timer due at `now` (fire runs with the lock held); returns
** the ms until the next one, or CA_FOREVER. */
uint32_t ca__timers_fire_locked(ca_sched *s, uint32_t now);
/* Timers whose fire must run unlocked (timeout channels) wait here. */
void ca__timers_after_unlock(ca_sched *s);

/* ------------------------------------------------------------------ alts */

/* Runs an ALTS for a go block or a blocked thread. `claim` is the group's
** claim byte (zeroed here), `waker` is given to every channel case, and
** deadline cases are timers of kind `deadline_kind` on scheduler s. Returns CA_OK with
** *index and *status when a case completed at once, CA__PARK when every
** case now waits, or a negative error (nothing left waiting). */
int ca__alts_start(ca_alt *cases, size_t n, int flags, ca_sched *s,
                   ca_waker *waker, unsigned char *claim,
                   unsigned char deadline_kind,
                   uint32_t *rng, size_t *index, int *status);
/* After a parked ALTS was woken: takes every losing case out of its
** channel and cancels the deadline timers. */
void ca__alts_end(ca_alt *cases, size_t n, ca_sched *s);
/* The case that hosts a deadline timer. */
#define CA__ALT_OF_TIMER(t) CA_CONTAINER_OF((t), ca_alt, u.t)

uint32_t ca__rand(uint32_t *state);

#if CA_HAVE_MALLOC
void *ca__alloc(size_t size);
void ca__free(void *ptr);
#endif

#endif /* CA_INTERNAL_H */
