/*
** io.c: go blocks that wait on file descriptors (WAIT_FD), a plain
** thread's wait on one (ca_wait_fd_blocking), and the life of the io
** state that the scheduler's idle wait uses while any block waits. The
** wait itself is the backend's: io_poll.c (poll(2)) or io_epoll.c
** (epoll), see io_impl.h. MIT licence, see COPYING.
**
** A waiting block's own waiter is the registration: handed to the
** backend (under the scheduler's lock), with the descriptor in `val`
** and the events asked for in `index`, where the events that came are
** left. Parking follows the protocol of sched.c: WAIT_FD returns with
** the scheduler's lock held (CA__P_FD), released once the block's
** function has returned, so no poller can wake it before.
**
** Who polls: the thread that drives the scheduler, or one worker of its
** pool at a time (`io->poller`), never two at once. It waits on every
** registered descriptor and on a pipe of the scheduler's, with the next
** timer's deadline as timeout. A kick from another thread (a block made
** ready, a timer added) must end that wait: the poller says it polls
** (`s->io_polling`) and then looks at the kick count once more; a kicker
** bumps the count and then writes to the pipe if someone polls
** (platform.c). One of the two always sees the other.
** A block that parks on a descriptor kicks nobody: a poller asleep
** already is told by the backend (io_poll.c writes to the pipe; epoll
** sees a registration made during its wait), and if none polls, the
** thread that parked the block is a driver that polls once idle. (W11p:
** a pipe write per park, and the idle worker woken for nothing, made the
** pool spend 20% more CPU per request than one thread.)
**
** Layering: the scheduler calls into this file and the backend; they
** wake blocks through the scheduler's waker (a pointer), never by name.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <string.h>

#include "internal.h"
#include "platform.h"

#if defined(HAVE_POLL) && CA_HAVE_MALLOC
#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "io_impl.h"

/* The scheduler's io state, made on first use. Caller holds s's lock. */
static ca__io *io_get_locked(ca_sched *s)
{
    ca__io *io = s->io;

    if (io != NULL)
        return io;
    if ((io = (ca__io *)ca__alloc(sizeof *io)) == NULL)
        return NULL;
    memset(io, 0, sizeof *io);
    if (pipe(io->pipe) != 0) {
        ca__free(io);
        return NULL;
    }
    /* Neither end may block: a kick never waits, a drain reads what is
    ** there. */
    (void)fcntl(io->pipe[0], F_SETFL, O_NONBLOCK);
    (void)fcntl(io->pipe[1], F_SETFL, O_NONBLOCK);
    (void)fcntl(io->pipe[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(io->pipe[1], F_SETFD, FD_CLOEXEC);
    if (ca__iob_init(io) != CA_OK) {
        (void)close(io->pipe[0]);
        (void)close(io->pipe[1]);
        ca__free(io);
        return NULL;
    }
    s->io_wake = io->pipe[1];
    CA__STORE(s->io, io); /* ca__io_poll looks without the lock */
    return io;
}

void ca__io_free(ca_sched *s)
{
    ca__io *io = s->io;

    if (io == NULL)
        return;
    CA_ASSERT(io->n == 0);
    ca__iob_free(io);
    (void)close(io->pipe[0]);
    (void)close(io->pipe[1]);
    ca__free(io);
    s->io = NULL;
    s->io_wake = -1;
}

int ca__io_waiting(ca_sched *s)
{
    ca__io *io = s->io;

    return io != NULL && io->n != 0;
}

int ca__io_ready_now(int fd, int events, int *revents)
{
    struct pollfd p;

    p.fd = fd;
    p.events = ca__io_to_poll(events);
    p.revents = 0;
    if (poll(&p, 1, 0) <= 0)
        return 0;
    *revents = ca__io_from_poll(p.revents);
    return 1;
}

/* WAIT_FD's park, and the stream helpers': `known` says the caller saw
** EAGAIN, so no look before the park (it would cost a poll(2) that says
** "not ready" again), and what is registered in the kernel for the ca_io
** is current (io_impl.h). */
static int wait_fd(ca_go *g, int fd, int events, int known, uint32_t seq)
{
    ca_sched *s = CA__GO_SCHED(g);
    ca_waiter *w = &g->u.w;
    int revents = 0;

    w->index = 0;
    if (fd < 0 || fd > 0x3fffffff || /* CA__IO_ENCODE keeps 30 bits */
        (events & (CA_FD_READ | CA_FD_WRITE)) == 0 ||
        (events & ~(CA_FD_READ | CA_FD_WRITE)) != 0) {
        w->status = CA_EINVAL;
        return CA_EINVAL;
    }
    if (known < 0 && ca__io_ready_now(fd, events, &revents)) {
        w->index = (unsigned short)revents;
        w->status = CA_OK;
        return CA_OK;
    }
    CA__SLOCK(s); /* released by the scheduler once the function returned */
    if (io_get_locked(s) == NULL) {
        CA__SUNLOCK(s);
        w->status = CA_ENOMEM;
        return CA_ENOMEM;
    }
    w->val = (void *)(uintptr_t)CA__IO_ENCODE(fd, events);
    w->flags = 0;
    w->u.chan = NULL; /* reports: no channel */
    if ((revents = ca__io_park_locked(s, w, known > 0 ? known : 0, seq)) !=
        0) {
        CA__SUNLOCK(s);
        w->index = (unsigned short)revents;
        w->status = CA_OK;
        return CA_OK;
    }
    CA__GO_SET_PARK(g, CA__P_FD);
    return CA__PARK;
}

int ca__go_wait_fd(ca_go *g, int fd, int events, ca__site_ref site)
{
    CA__GO_SET_SITE(g, site);
    return wait_fd(g, fd, events, -1, 0);
}

int ca__go_io_wait(ca_go *g, ca_io *io, ca__site_ref site)
{
    int rc, known = 0;

    CA__GO_SET_SITE(g, site);
    /* A short read with no event count to check it against (the wake
    ** carried an error, which may have come with no event) proves nothing:
    ** the descriptor is armed again, and the kernel says what is there. */
    if (io->flags & CA__IO_KNOWN) {
        if (!(io->flags & CA__IO_DRAINED))
            known = 1;
        else if (io->flags & CA__IO_SEQ)
            known = 2;
    }
    io->flags &= (unsigned char)~CA__IO_DRAINED; /* the next read reads */
    rc = wait_fd(g, io->fd, io->events, known, io->seq);
    if (rc == CA__PARK || rc == CA_OK)
        io->flags |= CA__IO_KNOWN;
    return rc;
}

void ca__io_woke(ca_go *g, ca_io *io)
{
    /* The backend left the event count of the wake in `val` (io_epoll.c;
    ** poll(2) ignores it). An error may have come from no event at all. */
    if (g->u.w.status == CA_OK && !(g->u.w.index & CA_FD_ERR)) {
        io->seq = (uint32_t)(uintptr_t)g->u.w.val;
        io->flags |= CA__IO_SEQ;
    } else {
        io->flags &= (unsigned char)~CA__IO_SEQ;
    }
}

int ca__io_prepare(ca_sched *s)
{
    int rc;

    CA__SLOCK(s);
    rc = io_get_locked(s) != NULL ? CA_OK : CA_ENOMEM;
    CA__SUNLOCK(s);
    return rc;
}

static uint32_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u +
                      (uint64_t)ts.tv_nsec / 1000000u);
}

int ca__io_wait_one(int fd, int events, uint32_t ms, int *revents)
{
    struct pollfd p;
    uint32_t start = 0, spent;
    int r, timeout;

    p.fd = fd;
    p.events = ca__io_to_poll(events);
    timeout = ms == CA_FOREVER || ms > 0x7fffffffu ? -1 : (int)ms;
    if (timeout > 0)
        start = now_ms();
    for (;;) {
        p.revents = 0;
        r = poll(&p, 1, timeout);
        if (r >= 0 || errno != EINTR)
            break;
        /* A signal: wait on, for what is left of ms. */
        if (timeout > 0) {
            spent = now_ms() - start;
            if (spent >= ms)
                return CA_AGAIN;
            timeout = (int)(ms - spent);
        }
    }
    if (r == 0)
        return CA_AGAIN;
    if (r < 0)
        return CA_EINVAL;
    *revents = ca__io_from_poll(p.revents);
    return CA_OK;
}

#else /* no poll(2), or no malloc */

int ca__go_wait_fd(ca_go *g, int fd, int events, ca__site_ref site)
{
    (void)fd;
    (void)events;
    CA__GO_SET_SITE(g, site);
    g->u.w.index = 0;
    g->u.w.status = CA_ENOTSUP;
    return CA_ENOTSUP;
}

int ca__go_io_wait(ca_go *g, ca_io *io, ca__site_ref site)
{
    return ca__go_wait_fd(g, io->fd, io->events, site);
}

void ca__io_woke(ca_go *g, ca_io *io)
{
    (void)g;
    (void)io;
}

/* ca__io_wait_one, ca__io_prepare and the rest are internal.h's macros
** here: refusals the compiler sees through. */

#endif
