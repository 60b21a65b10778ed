/*
** io_epoll.c: the wait on descriptors with Linux's epoll(7), chosen by
** configure where <sys/epoll.h> is (--disable-epoll: io_poll.c, which
** io_impl.h shares this file's duties with). MIT licence, see COPYING.
**
** Why: io_poll.c copies every registered wait into its poll set on every
** wait, so a server with 1,000 parked connections pays for 1,000 of them
** each time one of them talks. Here each wait is armed in the kernel once,
** when it registers, and a wait returns only what is ready: O(ready).
**
** Registered once, edge-triggered (EPOLLET), kept across waits: a
** server's connection that parks a hundred thousand times pays one
** epoll_ctl, not one per park (W11: that and poll(2) made ten system
** calls per request against Go's six). What that costs, and why no
** readiness is lost:
** - An edge that comes while nobody waits on the descriptor for it (its
**   block is running, between its EAGAIN and its park) is kept in its
**   record (`ready`) and answers the next wait at once. A stale one
**   (the block read the data itself meanwhile) costs one spurious wake:
**   the stream helpers read again, see EAGAIN and park.
** - A wait with no EAGAIN behind it (WAIT_FD, an ALTS case: nothing says
**   the descriptor is not ready) re-registers (EPOLL_CTL_MOD), which the
**   kernel answers with an event if the descriptor is ready now: WAIT_FD
**   stays level-triggered, as ca_io(3) says.
** - This library never learns when a descriptor is closed (the user
**   closes it), so a record may outlive its descriptor and a new one get
**   the number. That MOD finds out (ENOENT: added again). The stream
**   helpers skip it only after one of them made it for that ca_io since
**   ca_io_init (CA__IO_KNOWN), and a ca_io is re-initialised for a new
**   descriptor. A descriptor closed while still open elsewhere (dup,
**   fork) keeps its old entry in the set, which may wake the new
**   number's waiters for nothing: the reason WAIT_FD users are told to
**   use O_NONBLOCK.
** - A short read empties a pipe or a TCP socket (epoll(7)): the stream
**   helpers then park without the read that would say EAGAIN (stream.c's
**   CA__IO_DRAINED; W11: 4 system calls a request, Go's 6). Data that
**   comes after that read brings an edge. That park is made only if no
**   event was reported for the descriptor since the one its block woke
**   by (`seq`: another waiter, an ALTS case, may have taken the edge of
**   data that came after the read), and never once it reported an end of
**   file, a hang-up or urgent data (`ended`: those came before the read
**   and leave something that the read did not return). Otherwise the
**   helper reads, as before.
** - Interest only grows (READ, then READ|WRITE when a writer waits), so
**   a socket written to after a writer waited reports WRITE edges to
**   nobody now and then: a few empty wakes, not one per write.
**
** epoll takes a descriptor once, and several blocks may wait on one
** (a connection's reader for READ, its writer for WRITE): the waits are
** kept by descriptor number (`fds`, grown on demand), registered for the
** union of their events, and an event wakes those it concerns. Events carry the number, not a waiter, and are read
** under the scheduler's lock: a wait taken back (an ALTS case that lost)
** is simply gone, with no poll to wait for, unlike io_poll.c.
**
** The kick pipe is in the set for good, level-triggered, and drained
** each time it fires. It stays a pipe, not an eventfd: platform.c kicks both
** backends the same way, by a write to s->io_wake.
**
** Limits, said in ca_io(3): a registration the kernel refuses (out of
** memory, fs.epoll.max_user_watches) ends its wait with CA_FD_ERR at the
** next poll; a scheduler whose blocks have waited on descriptors must not
** be used across fork() (the child would share the epoll set).
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "internal.h"

/* As io_poll.c: a build without poll(2) or malloc (a board's) compiles the
** library's sources whatever configure chose for the host: nothing here. */
#if defined(HAVE_POLL) && CA_HAVE_MALLOC && defined(CA_USE_EPOLL)
#include <errno.h>
#include <string.h>

#include "io_impl.h"
#include "platform.h"

/* The waits on one descriptor number. */
struct ca__iofd {
    ca_waiter *head;        /* its waits (circular), NULL: none           */
    unsigned char armed;    /* CA_FD_READ/WRITE in the kernel's interest  */
    unsigned char ready;    /* events that came with nobody to take them  */
    unsigned char added;    /* in the epoll set, as far as we know        */
    unsigned char ended;    /* it reported an end or urgent data: a short
                            ** read may leave something (no parking on it) */
    uint32_t seq;           /* events reported for it so far (wrapping)   */
};

int ca__iob_init(ca__io *io)
{
    struct epoll_event e;

    if ((io->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return CA_ENOMEM;
    memset(&e, 0, sizeof e);
    e.events = EPOLLIN;
    e.data.fd = io->pipe[0];
    if (epoll_ctl(io->ep, EPOLL_CTL_ADD, io->pipe[0], &e) != 0) {
        (void)close(io->ep);
        return CA_ENOMEM;
    }
    return CA_OK;
}

void ca__iob_free(ca__io *io)
{
    CA_ASSERT(io->failed == NULL);
    (void)close(io->ep);
    if (io->fds != NULL)
        ca__free(io->fds);
}

/* Circular lists of waiters, through next/prev. */
static void list_add(ca_waiter **head, ca_waiter *w)
{
    if (*head == NULL) {
        w->next = w->prev = w;
        *head = w;
    } else {
        w->prev = (*head)->prev;
        w->next = *head;
        (*head)->prev->next = w;
        (*head)->prev = w;
    }
}

static void list_del(ca_waiter **head, ca_waiter *w)
{
    if (w->next == w) {
        *head = NULL;
    } else {
        w->prev->next = w->next;
        w->next->prev = w->prev;
        if (*head == w)
            *head = w->next;
    }
}

static int wait_fd(const ca_waiter *w)
{
    return (int)(ca__io_code(w) >> 2);
}

static int wait_events(const ca_waiter *w)
{
    return (int)(ca__io_code(w) & 3u);
}

/* The record of descriptor fd, the table grown to hold it; NULL when
** memory is short. Records are set up only as far as the highest number
** seen: the rest of a doubled table stays untouched pages, out of the
** process's memory (W12: 19 bytes a connection at 10,000). */
static struct ca__iofd *fd_rec(ca__io *io, int fd)
{
    struct ca__iofd *t;
    size_t cap = io->fds_cap ? io->fds_cap : 64;

    if ((size_t)fd < io->nfds)
        return &io->fds[fd];
    if ((size_t)fd >= io->fds_cap) {
        while (cap <= (size_t)fd)
            cap *= 2;
        if ((t = (struct ca__iofd *)ca__alloc(cap * sizeof *t)) == NULL)
            return NULL;
        if (io->fds != NULL) {
            memcpy(t, io->fds, io->nfds * sizeof *t);
            ca__free(io->fds);
        }
        io->fds = t;
        io->fds_cap = cap;
    }
    memset(&io->fds[io->nfds], 0,
           ((size_t)fd + 1 - io->nfds) * sizeof *io->fds);
    io->nfds = (size_t)fd + 1;
    return &io->fds[fd];
}

/* Registers fd for `events` (added, or modified: either way the kernel
** reports it at once if it is ready now). CA_OK, or the kernel refused. */
static int arm(ca__io *io, int fd, struct ca__iofd *f, int events)
{
    struct epoll_event e;
    int op = f->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

    memset(&e, 0, sizeof e);
    /* RDHUP and PRI only to learn of an end of file or urgent data (see
    ** `ended`); WAIT_FD reports them as before (READ, HUP). */
    e.events = EPOLLET |
               ((events & CA_FD_READ) ? EPOLLIN | EPOLLRDHUP | EPOLLPRI : 0u) |
               ((events & CA_FD_WRITE) ? EPOLLOUT : 0u);
    e.data.fd = fd;
    if (epoll_ctl(io->ep, op, fd, &e) != 0) {
        /* What we knew is out of date: the descriptor was closed and its
        ** number reused (ENOENT), or added by a wait we lost track of. */
        f->added = 0; /* unknown now: the next wait registers afresh */
        if (errno != (op == EPOLL_CTL_MOD ? ENOENT : EEXIST))
            return CA_EIO;
        op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(io->ep, op, fd, &e) != 0)
            return CA_EIO;
    }
    if (op == EPOLL_CTL_ADD)
        f->ended = 0; /* a new open file under that number */
    f->added = 1;
    f->armed = (unsigned char)events;
    return CA_OK;
}

/* f's waits go to the failed list, which the next poll ends with ERR. */
static void fail_all(ca__io *io, struct ca__iofd *f)
{
    ca_waiter *w;

    while ((w = f->head) != NULL) {
        list_del(&f->head, w);
        w->flags |= CA__W_IOFAIL;
        list_add(&io->failed, w);
    }
    ca__io_poke(io); /* a poller asleep now would not see them */
}

/* w joins its descriptor's waits; with `known`, the descriptor's entry
** is taken to be its own (see the top), and left alone if its interest
** covers w's. 0 when w waits now, else the events that came for it while
** nobody waited (w is not registered then). */
static int enlist(ca__io *io, ca_waiter *w, int known, uint32_t seq)
{
    struct ca__iofd *f;
    int fd = wait_fd(w), events = wait_events(w), got;

    if ((f = fd_rec(io, fd)) == NULL) {
        w->flags |= CA__W_IO | CA__W_IOFAIL;
        io->n++;
        list_add(&io->failed, w);
        ca__io_poke(io);
        return 0;
    }
    if (known && f->added && (events & ~(int)f->armed) == 0) {
        /* Parked on a short read: only if no event was reported since
        ** the one its owner woke by (see the top); else it reads. */
        if (known == 2 && (f->seq != seq || f->ended))
            got = events;
        else
            got = f->ready & (events | CA_FD_HUP | CA_FD_ERR);
        if (got != 0) {
            f->ready &= (unsigned char)~got;
            w->val = (void *)(uintptr_t)f->seq; /* ca__io_woke reads it */
            return got;
        }
    } else {
        /* The registration below reports what is ready now afresh. */
        f->ready &= (unsigned char)~events;
        known = 0;
    }
    w->flags |= CA__W_IO;
    io->n++;
    list_add(&f->head, w);
    if (!known && arm(io, fd, f, (int)f->armed | events) != CA_OK)
        fail_all(io, f);
    return 0;
}

void ca__io_register_locked(ca_sched *s, ca_waiter *w)
{
    CA_ASSERT(s->io != NULL && !(w->flags & (CA__W_IO | CA__W_IOFAIL)));
    (void)enlist(s->io, w, 0, 0);
}

int ca__io_park_locked(ca_sched *s, ca_waiter *w, int known, uint32_t seq)
{
    CA_ASSERT(s->io != NULL && !(w->flags & (CA__W_IO | CA__W_IOFAIL)));
    return enlist(s->io, w, known, seq);
}

void ca__io_cancel_locked(ca_sched *s, ca_waiter *w)
{
    ca__io *io = s->io;

    if (io == NULL || !(w->flags & CA__W_IO))
        return;
    /* The registration stays: the next wait on the number finds it. */
    if (w->flags & CA__W_IOFAIL)
        list_del(&io->failed, w);
    else
        list_del(&io->fds[wait_fd(w)].head, w);
    w->flags &= (unsigned char)~(CA__W_IO | CA__W_IOFAIL);
    io->n--;
}

/* Descriptor fd reported `revents`: its waits that they concern end;
** what none of them took is kept for the next (see the top). */
static int fired(ca__io *io, int fd, uint32_t e, ca_waiter ***tail)
{
    int revents = ((e & (EPOLLIN | EPOLLPRI)) ? CA_FD_READ : 0) |
                  ((e & EPOLLOUT) ? CA_FD_WRITE : 0) |
                  ((e & EPOLLHUP) ? CA_FD_HUP : 0) |
                  ((e & EPOLLERR) ? CA_FD_ERR : 0);
    struct ca__iofd *f;
    ca_waiter *w, *next, *last;
    int done = 0, got, taken = 0;

    if (fd < 0 || (size_t)fd >= io->nfds)
        return 0;
    f = &io->fds[fd];
    f->seq++;
    /* An end of file (or urgent data) before a short read is no event
    ** after it: the read after it must look (see the top). */
    if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI))
        f->ended = 1;
    if ((w = f->head) != NULL) {
        last = w->prev;
        for (;;) {
            next = w->next;
            got = revents & (wait_events(w) | CA_FD_HUP | CA_FD_ERR);
            if (got != 0) { /* else a writer when only READ came */
                if (!(w->flags & CA__W_ALT)) /* for ca__io_woke */
                    w->val = (void *)(uintptr_t)f->seq;
                list_del(&f->head, w);
                w->flags &= (unsigned char)~CA__W_IO;
                io->n--;
                if (ca__io_complete(w, got, tail)) { /* else lost an ALTS */
                    taken |= got;
                    done++;
                }
            }
            if (w == last)
                break;
            w = next;
        }
    }
    f->ready |= (unsigned char)(revents & ~taken);
    return done;
}

int ca__io_poll(ca_sched *s, uint32_t ms, unsigned epoch)
{
    ca__io *io;
    ca_waiter *w, *woken = NULL, **tail = &woken;
    int timeout, r, i, done = 0;

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
    io->poller = 1;
    if (io->failed != NULL)
        ms = 0; /* they are answered now: no wait */
    CA__SUNLOCK(s);

    timeout = ca__io_timeout(ms);
    if (timeout != 0) {
        /* Say so, then look at the kicks once more (io.c's top). */
        __atomic_store_n(&s->io_polling, 1, __ATOMIC_SEQ_CST);
        if (ca__sched_epoch(s) != epoch)
            timeout = 0;
    }
    r = epoll_wait(io->ep, io->ev, CA__IO_EVENTS, timeout);
    if (timeout != 0)
        __atomic_store_n(&s->io_polling, 0, __ATOMIC_SEQ_CST);

    CA__SLOCK(s);
    for (i = 0; i < r; i++) {
        uint32_t e = io->ev[i].events;
        if (io->ev[i].data.fd == io->pipe[0]) {
            ca__io_drain(io);
            continue;
        }
        done += fired(io, io->ev[i].data.fd, e, &tail);
    }
    while ((w = io->failed) != NULL) {
        list_del(&io->failed, w);
        w->flags &= (unsigned char)~(CA__W_IO | CA__W_IOFAIL);
        io->n--;
        done += ca__io_complete(w, CA_FD_ERR, &tail);
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

#endif /* HAVE_POLL && CA_HAVE_MALLOC && CA_USE_EPOLL */
