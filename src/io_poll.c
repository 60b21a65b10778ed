/*
** io_poll.c: the wait on descriptors with poll(2), the portable backend
** (io_epoll.c is the other; io_impl.h says what they share). MIT
** licence, see COPYING.
**
** The waits are one circular list, under the scheduler's lock. Each wait
** of the poller copies the whole list into a pollfd array, with the
** scheduler's pipe first, and polls it: O(waits) per wait, whatever is
** ready. A wait registered while the poll runs is seen the next time:
** its registration pokes the poller (an ALTS kicks), ending the poll. A
** wait taken back (an
** ALTS case that lost) may still be in the poller's copy, so its owner
** waits for that poll to end before it touches the waiter again.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "internal.h"

#if defined(HAVE_POLL) && CA_HAVE_MALLOC
#include <sched.h>

#include "io_impl.h"
#include "platform.h"

int ca__iob_init(ca__io *io)
{
    (void)io;
    return CA_OK;
}

void ca__iob_free(ca__io *io)
{
    if (io->pfd != NULL)
        ca__free(io->pfd);
    if (io->who != NULL)
        ca__free(io->who);
}

/* Poll sets large enough for n descriptors and the pipe. Caller holds
** s's lock. */
static int io_reserve(ca__io *io, size_t n)
{
    struct pollfd *pfd;
    ca_waiter **who;
    size_t cap = io->cap ? io->cap : 8;

    if (n <= io->cap)
        return CA_OK;
    while (cap < n)
        cap *= 2;
    if ((pfd = (struct pollfd *)ca__alloc((cap + 1) * sizeof *pfd)) == NULL)
        return CA_ENOMEM;
    if ((who = (ca_waiter **)ca__alloc(cap * sizeof *who)) == NULL) {
        ca__free(pfd);
        return CA_ENOMEM;
    }
    ca__iob_free(io);
    io->pfd = pfd;
    io->who = who;
    io->cap = cap;
    return CA_OK;
}

void ca__io_register_locked(ca_sched *s, ca_waiter *w)
{
    ca__io *io = s->io;

    CA_ASSERT(io != NULL && !(w->flags & CA__W_IO));
    if (io->head == NULL) {
        w->next = w->prev = w;
        io->head = w;
    } else {
        w->prev = io->head->prev;
        w->next = io->head;
        io->head->prev->next = w;
        io->head->prev = w;
    }
    w->flags |= CA__W_IO;
    io->n++;
}

int ca__io_park_locked(ca_sched *s, ca_waiter *w, int known, uint32_t seq)
{
    /* Level-triggered, the set built afresh for every poll: nothing is
    ** kept, and a park on a descriptor that is ready ends at once. */
    (void)known;
    (void)seq;
    ca__io_register_locked(s, w);
    ca__io_poke(s->io); /* its set was copied without w */
    return 0;
}

static void io_unlink(ca__io *io, ca_waiter *w)
{
    w->flags &= (unsigned char)~CA__W_IO;
    if (w->next == w) {
        io->head = NULL;
    } else {
        w->prev->next = w->next;
        w->next->prev = w->prev;
        if (io->head == w)
            io->head = w->next;
    }
    io->n--;
}

void ca__io_cancel_locked(ca_sched *s, ca_waiter *w)
{
    ca__io *io = s->io;

    if (io == NULL)
        return;
    if (w->flags & CA__W_IO)
        io_unlink(io, w);
    /* A poller on another thread may have copied it into its set: the
    ** owner may rewrite it only once that poll is over. The kick ends
    ** the poll at once. */
    while (io->poller) {
        CA__SUNLOCK(s);
        ca__sched_kick(s);
        sched_yield();
        CA__SLOCK(s);
    }
}

int ca__io_poll(ca_sched *s, uint32_t ms, unsigned epoch)
{
    ca__io *io;
    ca_waiter *w, *woken = NULL, **tail = &woken;
    size_t i, n;
    int timeout, r, done = 0;

    /* Called once a batch by every driver: a scheduler whose blocks never
    ** waited on a descriptor pays one load, not the scheduler's lock. */
    if (CA__LOAD(s->io) == NULL)
        return -1;
    CA__SLOCK(s);
    io = s->io;
    if (io == NULL || io->n == 0 || io->poller) {
        CA__SUNLOCK(s);
        return -1;
    }
    /* Room for the whole set; short of memory, the first ones only
    ** (the others wait for a poll that has room). */
    n = io->n;
    if (io_reserve(io, n) != CA_OK && (n = io->cap) == 0) {
        CA__SUNLOCK(s);
        return -1;
    }
    io->poller = 1;
    /* The set is copied under the lock; waits that register later are
    ** seen next time (their registration kicks, ending this wait). */
    io->pfd[0].fd = io->pipe[0];
    io->pfd[0].events = POLLIN;
    io->pfd[0].revents = 0;
    for (i = 0, w = io->head; i < n; i++, w = w->next) {
        uint32_t code = ca__io_code(w);
        io->pfd[i + 1].fd = (int)(code >> 2);
        io->pfd[i + 1].events = ca__io_to_poll((int)(code & 3u));
        io->pfd[i + 1].revents = 0;
        io->who[i] = w;
    }
    CA__SUNLOCK(s);

    timeout = ca__io_timeout(ms);
    if (timeout != 0) {
        /* Say so, then look at the kicks once more (io.c's top). */
        __atomic_store_n(&s->io_polling, 1, __ATOMIC_SEQ_CST);
        if (ca__sched_epoch(s) != epoch)
            timeout = 0;
    }
    r = poll(io->pfd, (nfds_t)(n + 1), timeout);
    if (timeout != 0)
        __atomic_store_n(&s->io_polling, 0, __ATOMIC_SEQ_CST);

    CA__SLOCK(s);
    if (r > 0) {
        if (io->pfd[0].revents != 0)
            ca__io_drain(io);
        for (i = 0; i < n; i++) {
            if (io->pfd[i + 1].revents == 0)
                continue;
            /* An ALTS may have taken its case back meanwhile (and waited
            ** for this poll to end before touching it again). */
            w = io->who[i];
            if (!(w->flags & CA__W_IO))
                continue;
            io_unlink(io, w);
            done += ca__io_complete(
                w, ca__io_from_poll(io->pfd[i + 1].revents), &tail);
        }
    }
    io->poller = 0;
    CA__SUNLOCK(s);
    /* Woken with no lock held, as every waker is. */
    while ((w = woken) != NULL) {
        woken = w->next;
        w->waker->wake(w->waker, w);
    }
    return done;
}

#endif /* without poll(2) or malloc, io.c has the stubs */
