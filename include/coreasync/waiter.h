/*
** coreasync/waiter.h: the node that waits in a channel's queue, and the
** waker that is told when it completes or when its timer comes due.
** See coreasync(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_WAITER_H
#define COREASYNC_WAITER_H

#include <coreasync/config.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A channel knows nothing about go blocks, threads or callbacks. What waits
 * on it is a *waiter*: a small node that lives inside whoever waits (a go
 * block's state, a blocked thread's stack frame, a pending `ca_op`), never
 * allocated by the channel. A put waiter points at the value to copy from;
 * a take waiter points at the place to copy to, so a put that meets a
 * waiting take copies once, straight into the taker's destination.
 *
 * A waiter's life, in its `flags` (changed only under the lock of the
 * channel it waits on):
 *
 *     owned --enqueue--> QUEUED --complete--> DONE --wake--> (owner's)
 *       ^                  |
 *       +-----dequeue------+   the owner takes it back: nobody came
 *
 * - *owned*: neither flag; only its owner touches it.
 * - `CA__W_QUEUED`: in the channel's queue; whoever holds the channel's
 *   lock may complete it.
 * - `CA__W_DONE`: a completer took it out of the queue and set its status;
 *   after releasing the channel's lock it calls the waker's `wake`, and
 *   that call is its last touch of the waiter. An owner that wants its
 *   waiter back (a blocked thread giving up, an ALTS cleaning up) and
 *   finds DONE instead of QUEUED must wait for that wake, never return.
 *
 * An ALTS has several waiters (one per case) marked `CA__W_ALT`, and one
 * *claim* byte that decides which case wins: the first completion claims
 * it and every sibling becomes stale. A channel that finds a stale waiter
 * in its queue drops it (it stays the owner's) and goes on to the next.
 *
 * A waker is shared: one per scheduler, one for all `ca_op`s, one per
 * blocked thread. Its `fire` is called, with no lock held, when a timer
 * whose `waker` it is comes due (see timer.h).
 *
 * Everything here is private to the library; the structs are public only
 * so that they can live in your storage. Do not touch their fields.
 */

struct ca_go;
typedef struct ca_waiter ca_waiter;
typedef struct ca_waker ca_waker;
typedef struct ca_timer ca_timer;

struct ca_waker {
    void (*wake)(ca_waker *self, ca_waiter *w); /* runs unlocked          */
    void (*fire)(ca_waker *self, ca_timer *t);  /* runs unlocked          */
};

struct ca_waiter {
    ca_waiter *next, *prev;  /* channel queue links (circular); wake list */
    void *val;               /* put: value to copy from; take: copy to    */
    union {
        struct ca_chan *chan; /* plain: the channel it waits on           */
        unsigned char *claim; /* alts case: its group's claim byte        */
        unsigned long n;      /* a go block in ALTS: how many cases       */
        int (*go_fn)(struct ca_go *g); /* a go block before its first op: */
                              /* its function (go.h)                      */
    } u;
    /* A sleeping go block's timer covers the fields above and `waker`,
    ** which it shares (go.c states this as static assertions). */
    ca_waker *waker;         /* who is told when this waiter completes    */
    unsigned char flags;     /* CA__W_*, changed under the channel lock   */
    signed char status;      /* CA_OK or CA_CLOSED once completed         */
    unsigned char claim;     /* the claim byte of a group this owner runs */
    unsigned char state;     /* free for the owner (a go block's state)   */
    unsigned short index;    /* alts: the case number                     */
#if CA_CONFIG_TINY_GO
    unsigned short line;     /* free for the owner (a go block's resume   */
                             /* line; its park shares `state`)            */
#else
    unsigned char park;      /* free for the owner (a go block's park)    */
    unsigned char result;    /* free for the owner (a go block's result   */
                             /* state, src/result.c)                      */
#endif
};

#define CA__W_TAKE 0x01   /* a take (else a put)                          */
#define CA__W_ALT 0x02    /* an alts case: claim u.claim before use       */
#define CA__W_QUEUED 0x04 /* linked into a channel's queue right now      */
#define CA__W_DONE 0x08   /* completed; its wake is due or delivered      */
#define CA__W_IO 0x10     /* in a scheduler's list of descriptor waits    */
#define CA__W_IOFAIL 0x20 /* io: its registration failed; ends next poll  */

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_WAITER_H */
