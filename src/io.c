/*
** io.c: go blocks that wait on file descriptors (WAIT_FD), and the poll
** that the scheduler's idle becomes while any do. MIT licence, see
** COPYING.
**
** A waiting block's own waiter is the registration: linked into its
** scheduler's list (under the scheduler's lock), with the descriptor in
** `val` and the events asked for in `index`, where the events that came
** are left. Parking follows the protocol of sched.c: WAIT_FD returns with
** the scheduler's lock held (CA__P_FD), released once the block's
** function has returned, so no poller can wake it before.
**
** Who polls: the thread that drives the scheduler, or one worker of its
** pool at a time (`io->poller`), never two at once. Its wait is poll(2) on
** every registered descriptor and on a pipe of the scheduler's, with the
** next timer's deadline as timeout. A kick from another thread (a block
** made ready, a timer added) must end that wait: the poller says it polls
** (`s->io_polling`) and then looks at the kick count once more; a kicker
** bumps the count and then writes to the pipe if someone polls
** (platform.c). One of the two always sees the other.
**
** Layering: the scheduler calls into this file; this file wakes blocks
** through the scheduler's waker (a pointer), never by name.
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
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

struct ca__io {
    ca_waiter *head;        /* blocks waiting on descriptors (circular)  */
    size_t n;
    struct pollfd *pfd;     /* room for n + 1 (the pipe first)            */
    ca_waiter **who;        /* the waiter of each pfd[i + 1]              */
    size_t cap;
    int pipe[2];            /* kicks end a poll: read end, write end      */
    int poller;             /* a thread polls these right now             */
};

static short to_poll(int events)
{
    return (short)(((events & CA_FD_READ) ? POLLIN : 0) |
                   ((events & CA_FD_WRITE) ? POLLOUT : 0));
}

static int from_poll(short re)
{
    return ((re & (POLLIN | POLLPRI)) ? CA_FD_READ : 0) |
           ((re & POLLOUT) ? CA_FD_WRITE : 0) |
           ((re & POLLHUP) ? CA_FD_HUP : 0) |
           ((re & (POLLERR | POLLNVAL)) ? CA_FD_ERR : 0);
}

/* What a waiter waits for: a go block's own waiter (WAIT_FD) keeps the
** descriptor and the events in `val`, its `index` getting the events
** that came; an ALTS case keeps them in its case's `ms`, its `val`
** pointing where the events that came go, its `index` its case number. */
#define ENCODE(fd, events) (((uint32_t)(fd) << 2) | (uint32_t)(events))

static uint32_t wait_code(const ca_waiter *w)
{
    if (w->flags & CA__W_ALT)
        return CA_CONTAINER_OF(w, const ca_alt, u.w)->ms;
    return (uint32_t)(uintptr_t)w->val;
}

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
    (void)close(io->pipe[0]);
    (void)close(io->pipe[1]);
    if (io->pfd != NULL)
        ca__free(io->pfd);
    if (io->who != NULL)
        ca__free(io->who);
    ca__free(io);
    s->io = NULL;
    s->io_wake = -1;
}

int ca__io_waiting(ca_sched *s)
{
    ca__io *io = s->io;

    return io != NULL && io->n != 0;
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
    if (io->pfd != NULL)
        ca__free(io->pfd);
    if (io->who != NULL)
        ca__free(io->who);
    io->pfd = pfd;
    io->who = who;
    io->cap = cap;
    return CA_OK;
}

int ca__io_ready_now(int fd, int events, int *revents)
{
    struct pollfd p;

    p.fd = fd;
    p.events = to_poll(events);
    p.revents = 0;
    if (poll(&p, 1, 0) <= 0)
        return 0;
    *revents = from_poll(p.revents);
    return 1;
}

int ca__go_wait_fd(ca_go *g, int fd, int events, ca__site_ref site)
{
    ca_sched *s = CA__GO_SCHED(g);
    ca_waiter *w = &g->u.w;
    int revents = 0;

    CA__GO_SET_SITE(g, site);
    w->index = 0;
    if (fd < 0 || fd > 0x3fffffff || /* ENCODE keeps 30 bits */
        (events & (CA_FD_READ | CA_FD_WRITE)) == 0 ||
        (events & ~(CA_FD_READ | CA_FD_WRITE)) != 0) {
        w->status = CA_EINVAL;
        return CA_EINVAL;
    }
    if (ca__io_ready_now(fd, events, &revents)) {
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
    w->val = (void *)(uintptr_t)ENCODE(fd, events);
    w->flags = 0;
    w->u.chan = NULL; /* reports: no channel */
    ca__io_register_locked(s, w);
    CA__GO_SET_PARK(g, CA__P_FD);
    return CA__PARK;
}

int ca__io_prepare(ca_sched *s)
{
    int rc;

    CA__SLOCK(s);
    rc = io_get_locked(s) != NULL ? CA_OK : CA_ENOMEM;
    CA__SUNLOCK(s);
    return rc;
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

/* Empties the pipe of the kicks that came. */
static void drain(ca__io *io)
{
    char buf[64];

    while (read(io->pipe[0], buf, sizeof buf) > 0)
        ;
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
        uint32_t code = wait_code(w);
        io->pfd[i + 1].fd = (int)(code >> 2);
        io->pfd[i + 1].events = to_poll((int)(code & 3u));
        io->pfd[i + 1].revents = 0;
        io->who[i] = w;
    }
    CA__SUNLOCK(s);

    timeout = ms == 0 ? 0 : ms == CA_FOREVER || ms > 0x7fffffffu ? -1 : (int)ms;
    if (timeout != 0) {
        /* Say so, then look at the kicks once more (see the top). */
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
            drain(io);
        for (i = 0; i < n; i++) {
            if (io->pfd[i + 1].revents == 0)
                continue;
            /* An ALTS may have taken its case back meanwhile (and waited
            ** for this poll to end before touching it again). */
            w = io->who[i];
            if (!(w->flags & CA__W_IO))
                continue;
            io_unlink(io, w);
            if (w->flags & CA__W_ALT) {
                /* A case: it wins only if no other case has. */
                if (!ca__claim(w->u.claim))
                    continue;
                if (w->val != NULL)
                    *(int *)w->val = from_poll(io->pfd[i + 1].revents);
            } else {
                w->index = (unsigned short)from_poll(io->pfd[i + 1].revents);
            }
            w->status = CA_OK;
            w->next = NULL;
            *tail = w;
            tail = &w->next;
            done++;
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
    p.events = to_poll(events);
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
    *revents = from_poll(p.revents);
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

int ca__io_wait_one(int fd, int events, uint32_t ms, int *revents)
{
    (void)fd;
    (void)events;
    (void)ms;
    (void)revents;
    return CA_ENOTSUP;
}


int ca__io_prepare(ca_sched *s)
{
    (void)s;
    return CA_ENOTSUP;
}

int ca__io_ready_now(int fd, int events, int *revents)
{
    (void)fd;
    (void)events;
    (void)revents;
    return 0;
}

void ca__io_register_locked(ca_sched *s, ca_waiter *w)
{
    (void)s;
    (void)w;
}

void ca__io_cancel_locked(ca_sched *s, ca_waiter *w)
{
    (void)s;
    (void)w;
}


#endif
