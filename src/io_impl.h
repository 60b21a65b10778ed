/*
** io_impl.h: what io.c (WAIT_FD, the blocking wait, the io state's life)
** shares with the backend that waits on the descriptors: io_poll.c
** (poll(2), the portable one) or io_epoll.c (Linux's epoll, chosen by
** configure where <sys/epoll.h> is; --disable-epoll leaves it out). Both
** implement ca__io_register_locked, ca__io_cancel_locked, ca__io_poll
** (internal.h) and the two below; neither calls into io.c. Not
** installed. MIT licence, see COPYING.
*/
#ifndef CA_IO_IMPL_H
#define CA_IO_IMPL_H

#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "internal.h"

#if defined(CA_USE_EPOLL)
#include <sys/epoll.h>
#define CA__IO_EVENTS 64 /* ready descriptors taken per epoll_wait */
struct ca__iofd;
#endif

struct ca__io {
    size_t n;               /* waits registered (both backends)           */
    int pipe[2];            /* kicks end a wait: read end, write end      */
    int poller;             /* a thread waits on them right now           */
#if defined(CA_USE_EPOLL)
    int ep;                 /* the epoll instance                         */
    struct ca__iofd *fds;   /* by descriptor number: its waiters          */
    size_t nfds;            /* records set up: up to the highest seen     */
    size_t fds_cap;         /* records allocated                          */
    ca_waiter *failed;      /* registrations epoll refused (circular)     */
    struct epoll_event ev[CA__IO_EVENTS];
#else
    ca_waiter *head;        /* every wait (circular)                      */
    struct pollfd *pfd;     /* room for cap + 1 (the pipe first)          */
    ca_waiter **who;        /* the waiter of each pfd[i + 1]              */
    size_t cap;
#endif
};

/* The backend's own state, made after the pipe (CA_OK, CA_ENOMEM), and
** undone at the end. */
int ca__iob_init(ca__io *io);
void ca__iob_free(ca__io *io);

/* What a waiter waits for: a go block's own waiter (WAIT_FD) keeps the
** descriptor and the events in `val`, its `index` getting the events
** that came; an ALTS case keeps them in its case's `ms`, its `val`
** pointing where the events that came go, its `index` its case number. */
#define CA__IO_ENCODE(fd, events) (((uint32_t)(fd) << 2) | (uint32_t)(events))

static inline uint32_t ca__io_code(const ca_waiter *w)
{
    if (w->flags & CA__W_ALT)
        return CA_CONTAINER_OF(w, const ca_alt, u.w)->ms;
    return (uint32_t)(uintptr_t)w->val;
}

static inline short ca__io_to_poll(int events)
{
    return (short)(((events & CA_FD_READ) ? POLLIN : 0) |
                   ((events & CA_FD_WRITE) ? POLLOUT : 0));
}

static inline int ca__io_from_poll(short re)
{
    return ((re & (POLLIN | POLLPRI)) ? CA_FD_READ : 0) |
           ((re & POLLOUT) ? CA_FD_WRITE : 0) |
           ((re & POLLHUP) ? CA_FD_HUP : 0) |
           ((re & (POLLERR | POLLNVAL)) ? CA_FD_ERR : 0);
}

/* A wait that ends with `revents`: told where its owner reads them, and
** put on the list the poller wakes once it has let go of the lock. An
** ALTS case whose group another case won stays off that list. Caller
** holds s's lock and has taken w out of the backend's lists. */
static inline int ca__io_complete(ca_waiter *w, int revents,
                                  ca_waiter ***tail)
{
    if (w->flags & CA__W_ALT) {
        if (!ca__claim(w->u.claim))
            return 0;
        if (w->val != NULL)
            *(int *)w->val = revents;
    } else {
        w->index = (unsigned short)revents;
    }
    w->status = CA_OK;
    w->next = NULL;
    **tail = w;
    *tail = &w->next;
    return 1;
}

/* A wait that parks a go block (WAIT_FD, the stream helpers; ALTS cases
** use ca__io_register_locked): registers w and sees to it that a poller
** asleep now watches it too, the only thread that needs telling (the one
** that parks the block will poll itself once it is idle: no kick, no
** wake-up of idle workers). With `known`, w's owner has seen EAGAIN and
** its descriptor is registered since (io_epoll.c's top); 2: and its last
** read was short, after the wake that reported event number `seq`. 0
** when w waits, else the events it is to act on now (w is not registered
** then). Caller holds s's lock. */
int ca__io_park_locked(ca_sched *s, ca_waiter *w, int known, uint32_t seq);

/* Ends the poller's wait, if one waits: it then waits again, on what is
** registered now. Caller holds s's lock. */
static inline void ca__io_poke(ca__io *io)
{
    char c = 0;

    if (io->poller && write(io->pipe[1], &c, 1) < 0) {
        /* full: a kick is in it already */
    }
}

/* Empties the pipe of the kicks that came. */
static inline void ca__io_drain(ca__io *io)
{
    char buf[64];

    while (read(io->pipe[0], buf, sizeof buf) > 0)
        ;
}

/* The timeout of a wait of up to ms: 0 a look, -1 no limit. */
static inline int ca__io_timeout(uint32_t ms)
{
    return ms == 0 ? 0 : ms == CA_FOREVER || ms > 0x7fffffffu ? -1 : (int)ms;
}

#endif /* CA_IO_IMPL_H */
