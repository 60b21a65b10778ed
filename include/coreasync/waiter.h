/*
** coreasync/waiter.h: the node that waits in a channel's queue.
** See coreasync(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_WAITER_H
#define COREASYNC_WAITER_H

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
 * When the channel completes a waiter it removes it from its queue, sets
 * its status, and, only after the channel's lock is released, calls the
 * wake-up of the waiter's *waker*. A waker is shared: one per scheduler,
 * one for all `ca_op`s, one per blocked thread.
 *
 * An alts call has several waiters (one per case) marked `CA__W_ALT`, and
 * one *claim* byte that decides which case wins: the first completion
 * claims it and every sibling becomes stale. A channel that finds a stale
 * waiter in its queue drops it and goes on to the next. The claim byte
 * lives in the waiter of whoever runs the alts (a go block's own waiter,
 * a blocked thread's), and every case points at it.
 *
 * Everything here is private to the library; the structs are public only
 * so that they can live in your storage. Do not touch their fields.
 */

typedef struct ca_waiter ca_waiter;
typedef struct ca_waker ca_waker;

struct ca_waker {
    void (*wake)(ca_waker *self, ca_waiter *w); /* runs unlocked          */
};

struct ca_waiter {
    ca_waiter *next, *prev;  /* channel queue links (circular); wake list */
    void *val;               /* put: value to copy from; take: copy to    */
    union {
        struct ca_chan *chan; /* plain: the channel it waits on           */
        unsigned char *claim; /* alts case: its group's claim byte        */
    } u;
    /* A sleeping go block's timer covers the four fields above (see
    ** ca_go), never the ones below. */
    ca_waker *waker;         /* who is told when this waiter completes    */
    unsigned char flags;     /* CA__W_*, changed under the channel lock   */
    signed char status;      /* CA_OK or CA_CLOSED once completed         */
    unsigned char claim;     /* the claim byte of a group this owner runs */
    unsigned char state;     /* free for the owner (a go block's state)   */
    unsigned short index;    /* alts: the case number                     */
};

#define CA__W_TAKE 0x01   /* a take (else a put)                          */
#define CA__W_ALT 0x02    /* an alts case: claim u.claim before use       */
#define CA__W_QUEUED 0x04 /* linked into a channel's queue right now      */

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_WAITER_H */
