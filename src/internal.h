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
int ca__take_locked(ca_chan *ch, void *dst, ca__wakelist *wl);
int ca__enqueue_locked(ca_chan *ch, ca_waiter *w);
void ca__dequeue_locked(ca_chan *ch, ca_waiter *w);

#if CA_HAVE_MALLOC
void *ca__alloc(size_t size);
void ca__free(void *ptr);
#endif

#endif /* CA_INTERNAL_H */
