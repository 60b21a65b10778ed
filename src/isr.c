/*
** isr.c: offer and poll from an interrupt handler (FreeRTOS's
** xQueueSendFromISR). MIT licence, see COPYING.
**
** They do what ca_offer and ca_poll do under the channel's lock, which on
** a channel declared with ca_chan_set_isr is the port's critical section
** (no threads) or the channel's own lock (threads). What differs is the
** wake-up of the waiters they complete, which must run no user code here:
**
** - Without threads, every completed waiter goes on the pending list
**   (platform.c), still inside the section, and the next turn of a
**   scheduler wakes it: a go block is made ready, a callback runs, a
**   blocking call's frame is marked done, all on the main loop.
** - With threads, go blocks and blocked threads are woken at once, as a
**   completion from any other thread wakes them (the inbox and a kick, or
**   the frame's flag and a kick: no user code); callbacks go on the
**   pending list, and the default scheduler is kicked to run them. Any
**   scheduler's driver drains the list.
**
** The threaded form is not async-signal-safe (the kick takes a mutex):
** call it from a thread, never from a signal handler.
*/
#include "internal.h"

#if CA_HAVE_THREADS
static size_t inflight;

size_t ca__isr_inflight(void)
{
    return __atomic_load_n(&inflight, __ATOMIC_SEQ_CST);
}

/* Wakes what needs no deferral; defers the callbacks. */
static void route(ca__wakelist *wl)
{
    ca__wakelist later;
    ca_waiter *w, *next;

    CA__WAKELIST_INIT(&later);
    for (w = wl->head; w != NULL; w = next) {
        next = w->next;
        if (ca__is_callback(w)) {
            w->next = NULL;
            *later.tail = w;
            later.tail = &w->next;
        } else {
            w->waker->wake(w->waker, w);
        }
    }
    if (later.head != NULL)
        ca__pending_push(&later);
}
#endif

static int isr_op(ca_chan *ch, void *val, int take)
{
    ca__wakelist wl;
    int rc;

    CA__CHECK_FREED(ch, take ? "ca_poll_isr" : "ca_offer_isr",
                    CA__FREED_CHAN);
    if (ch == NULL || (val == NULL && ch->elem_size != 0))
        return CA_EINVAL;
    CA__WAKELIST_INIT(&wl);
#if CA_HAVE_THREADS
    __atomic_add_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
#endif
    CA__LOCK(ch);
    if (!(ch->flags & CA__CH_LIVE))
        rc = CA_EBADCHAN;
    else if (!(ch->flags & CA__CH_ISR))
        rc = CA_EPERM; /* not declared: its lock is no critical section */
    else if (take)
        rc = ca__take_locked(ch, val, &wl);
    else
        rc = ca__put_locked(ch, val, &wl);
#if CA_HAVE_THREADS
    CA__UNLOCK(ch);
    route(&wl);
    __atomic_sub_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
#else
    if (wl.head != NULL)
        ca__pending_push(&wl); /* nested in the channel's section */
    CA__UNLOCK(ch);
#endif
    return rc;
}

int ca_offer_isr(ca_chan *ch, const void *val)
{
    return isr_op(ch, (void *)(uintptr_t)val, 0);
}

int ca_poll_isr(ca_chan *ch, void *dst)
{
    return isr_op(ch, dst, 1);
}
