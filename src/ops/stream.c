/*
** stream.c: the steps behind READ_SOME, READ_EXACTLY, READ_LINE,
** READ_LINE_VIEW, WRITE_ALL, ACCEPT and CONNECT (stream.h).
** MIT licence, see COPYING.
**
** Each helper is a loop around one WAIT_FD in the caller's body; this
** file is the loop's body. A step does every system call it can without
** blocking and then says "done" (status set) or "wait for io->events".
** Progress lives in the ca_io (io->n), so a step resumed after a park
** carries on where the last one stopped, and a partial read or write is
** never repeated nor lost.
**
** CONNECT's deadline is a timer of the scheduler's, allocated while it
** is armed (io->u.dl): a ca_timer in every ca_io would cost each parked
** connection 40 bytes for the moment it connected (W12). When it fires
** before the connection is made it shuts the socket down, which ends the
** connect (Linux reports it as a hang-up), and so wakes the WAIT_FD;
** CONNECT sees `fired` and says CA_AGAIN. CONNECT cancels the timer
** before it reads `fired`, and cancelling waits for a fire under way
** (timer.c): a connection made just as the deadline passes is either
** reported made and left alone, or timed out. The fire touches only the
** deadline, never the ca_io, and the deadline is freed once cancelled.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <string.h>

#include "../internal.h"

#define F_NOTSOCK 0x01 /* send(2) said ENOTSOCK: write(2) from now on */
#define F_TIMER 0x02   /* CONNECT's deadline is armed (io->u.dl)      */
#define F_FIRED 0x08   /* it passed before the connection was made    */
#define F_STREAM 0x10  /* a pipe, FIFO or stream socket: a short read
                       ** empties it (epoll(7)), a tty's need not     */
CA_STATIC_ASSERT(io_flags_distinct,
                 ((F_NOTSOCK | F_TIMER | F_FIRED | F_STREAM) &
                  (CA__IO_KNOWN | CA__IO_DRAINED | CA__IO_SEQ)) == 0);
#define OP_WRITE 4
#define OP_ACCEPT 5
#define OP_CONNECT 6
CA_STATIC_ASSERT(io_ops_distinct, CA__IO_VIEW > OP_CONNECT);

#if defined(HAVE_POLL)
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether a short read of fd says that it is empty (epoll(7)): a pipe, a
** FIFO or a TCP socket. Not a datagram socket or a terminal (a read ends
** at a message or a line), nor a Unix socket (it ends where descriptors
** were passed), nor a file. */
static int stream_kind(int fd)
{
    struct stat st;
    struct sockaddr_storage a;
    int type = 0;
    socklen_t len = sizeof type, alen = sizeof a;

    if (fstat(fd, &st) != 0)
        return 0;
    if (S_ISFIFO(st.st_mode))
        return F_STREAM;
    if (S_ISSOCK(st.st_mode) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_STREAM &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0 &&
        (a.ss_family == AF_INET || a.ss_family == AF_INET6))
        return F_STREAM;
    return 0;
}

int ca_io_init(ca_io *io, int fd, void *ra, size_t ra_size)
{
    int fl;

    if (io == NULL || fd < 0 || (ra == NULL) != (ra_size == 0))
        return CA_EINVAL;
    memset(io, 0, sizeof *io);
    io->fd = fd;
    io->ra = (unsigned char *)ra;
    /* The offsets are 32 bits (W12: 12 bytes a connection); more storage
    ** than that is never needed for a line, so it is left unused. */
    io->ra_cap = ra_size > 0xffffffffu ? 0xffffffffu : (uint32_t)ra_size;
    if ((fl = fcntl(fd, F_GETFL)) < 0 ||
        (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
        io->err = errno;
        return io->status = CA_EIO;
    }
    io->flags = (unsigned char)stream_kind(fd);
    return CA_OK;
}

static int wait_for(ca_io *io, int events)
{
    io->events = (unsigned char)events;
    return 1;
}

static int failed(ca_io *io, int status, int err)
{
    io->status = status;
    io->err = err;
    return 0;
}

static int done(ca_io *io)
{
    return failed(io, CA_OK, 0);
}

static int would_block(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK;
}

/* read(2), with a signal retried. */
static ssize_t rd(int fd, void *p, size_t len)
{
    ssize_t r;

    do
        r = read(fd, p, len);
    while (r < 0 && errno == EINTR);
    return r;
}

/* What the read-ahead holds goes first, so that no byte that followed a
** line is lost to the next helper. */
static size_t from_ahead(ca_io *io, unsigned char *p, size_t len)
{
    size_t k = io->ra_end - io->ra_pos;

    if (k > len)
        k = len;
    memcpy(p, io->ra + io->ra_pos, k);
    io->ra_pos += (uint32_t)k;
    return k;
}

/* A read of `asked` bytes that got r: 1 to go on, else the step's answer
** in *ans. A short one marks the descriptor empty: the next read, instead
** of finding EAGAIN, parks at once (io.c decides whether it may). */
static int got(ca_io *io, size_t asked, ssize_t r, int *ans)
{
    if (r > 0) {
        if ((size_t)r < asked && (io->flags & F_STREAM))
            io->flags |= CA__IO_DRAINED;
        else
            io->flags &= (unsigned char)~CA__IO_DRAINED;
        return 1;
    }
    if (r == 0)
        *ans = failed(io, CA_CLOSED, 0);
    else if (would_block(errno))
        *ans = wait_for(io, CA_FD_READ);
    else
        *ans = failed(io, CA_EIO, errno);
    return 0;
}

static int step_read(ca_io *io)
{
    ssize_t r;
    int ans;

    for (;;) {
        CA_ASSERT(io->n < io->len && io->ra_pos <= io->ra_end);
        if (io->ra_pos < io->ra_end) {
            io->n += from_ahead(io, io->u.dst + io->n, io->len - io->n);
        } else if (io->flags & CA__IO_DRAINED) {
            return wait_for(io, CA_FD_READ);
        } else {
            r = rd(io->fd, io->u.dst + io->n, io->len - io->n);
            if (!got(io, io->len - io->n, r, &ans))
                return ans;
            io->n += (size_t)r;
        }
        if (io->op == CA__IO_SOME || io->n == io->len)
            return done(io);
    }
}

static int step_line(ca_io *io)
{
    unsigned char c;
    ssize_t r;
    int ans;

    for (;;) {
        CA_ASSERT(io->n + 1 <= io->len && io->ra_end <= io->ra_cap);
        while (io->ra_pos < io->ra_end && io->n + 1 < io->len) {
            c = io->ra[io->ra_pos++];
            io->u.dst[io->n++] = c;
            if (c == '\n')
                break;
        }
        io->u.dst[io->n] = '\0';
        if (io->n > 0 && io->u.dst[io->n - 1] == '\n')
            return done(io);
        if (io->n + 1 == io->len)
            return failed(io, CA_ERANGE, 0);
        io->ra_pos = io->ra_end = 0;
        if (io->flags & CA__IO_DRAINED)
            return wait_for(io, CA_FD_READ);
        r = rd(io->fd, io->ra, io->ra_cap);
        if (r == 0 && io->n > 0)
            return done(io); /* a last line without its newline */
        if (!got(io, io->ra_cap, r, &ans))
            return ans;
        io->ra_end = (uint32_t)r; /* at most ra_cap */
    }
}

/* READ_LINE_VIEW's answer: the next `len` bytes of the read-ahead are
** the line, handed out where they are (CA_IO_LINE reads u.dst). */
static int hand_out(ca_io *io, size_t len, int status)
{
    io->u.dst = io->ra + io->ra_pos;
    io->ra_pos += (uint32_t)len;
    io->n = len;
    return failed(io, status, 0);
}

/* READ_LINE_VIEW: the line stays where read(2) put it and the caller
** gets a pointer to it, as Go's bufio ReadSlice does: no copy, and a
** connection holds one buffer instead of two, and no pointer of its own
** (W12: 136 bytes a connection). What is there of a
** line moves to the front before a read, so a line as long as the
** storage fits. io->n counts what was searched already. */
static int step_view(ca_io *io)
{
    const unsigned char *nl;
    size_t have;
    ssize_t r;
    int ans;

    for (;;) {
        have = io->ra_end - io->ra_pos;
        CA_ASSERT(io->n <= have && io->ra_end <= io->ra_cap);
        nl = (const unsigned char *)memchr(io->ra + io->ra_pos + io->n, '\n',
                                           have - io->n);
        if (nl != NULL)
            return hand_out(io, (size_t)(nl - (io->ra + io->ra_pos)) + 1,
                            CA_OK);
        io->n = have;
        if (have == io->ra_cap)
            return hand_out(io, have, CA_ERANGE);
        if (io->ra_pos > 0) {
            memmove(io->ra, io->ra + io->ra_pos, have);
            io->ra_pos = 0;
            io->ra_end = (uint32_t)have;
        }
        if (io->flags & CA__IO_DRAINED)
            return wait_for(io, CA_FD_READ);
        r = rd(io->fd, io->ra + io->ra_end, io->ra_cap - io->ra_end);
        if (r == 0 && have > 0)
            return hand_out(io, have, CA_OK); /* a last line, no newline */
        if (!got(io, io->ra_cap - io->ra_end, r, &ans))
            return ans;
        io->ra_end += (uint32_t)r; /* at most ra_cap */
    }
}

/* send(2) where it can say "no SIGPIPE", write(2) on what is no socket. */
static ssize_t wr(ca_io *io, const void *p, size_t len)
{
    ssize_t r;

    for (;;) {
#if defined(MSG_NOSIGNAL)
        if (!(io->flags & F_NOTSOCK)) {
            r = send(io->fd, p, len, MSG_NOSIGNAL);
            if (r < 0 && errno == ENOTSOCK) {
                io->flags |= F_NOTSOCK;
                continue;
            }
        } else
#endif
            r = write(io->fd, p, len);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

static int step_write(ca_io *io)
{
    ssize_t r;

    while (io->n < io->len) {
        r = wr(io, io->u.src + io->n, io->len - io->n);
        if (r >= 0)
            io->n += (size_t)r;
        else if (would_block(errno))
            return wait_for(io, CA_FD_WRITE);
        else if (errno == EPIPE || errno == ECONNRESET)
            return failed(io, CA_CLOSED, errno);
        else
            return failed(io, CA_EIO, errno);
    }
    return done(io);
}

static int step_accept(ca_io *io)
{
    int fd;

    for (;;) {
        fd = accept(io->fd, NULL, NULL);
        if (fd >= 0)
            break;
        if (would_block(errno))
            return wait_for(io, CA_FD_READ);
        /* Gone before we took it, or a signal: take the next one. */
        if (errno != ECONNABORTED && errno != EINTR && errno != EPROTO)
            return failed(io, CA_EIO, errno);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        (void)close(fd);
        return failed(io, CA_EIO, errno);
    }
    *(int *)(void *)io->u.dst = fd;
    return done(io);
}

struct ca__io_deadline {
    ca_timer t;
    int fd;    /* shut down when it fires                             */
    int fired; /* it did: read once cancelled                         */
};

static void deadline_fire(ca_waker *self, ca_timer *t)
{
    struct ca__io_deadline *dl = CA_CONTAINER_OF(t, struct ca__io_deadline, t);

    (void)self;
    __atomic_store_n(&dl->fired, 1, __ATOMIC_RELEASE);
    (void)shutdown(dl->fd, SHUT_RDWR);
}

static ca_waker deadline_waker = {NULL, deadline_fire};

/* The deadline, cancelled and freed: whether it fired goes to F_FIRED. */
static void disarm(ca_go *g, ca_io *io)
{
    ca_sched *s = CA__GO_SCHED(g);
    struct ca__io_deadline *dl = io->u.dl;

    if (!(io->flags & F_TIMER))
        return;
    io->flags &= (unsigned char)~F_TIMER;
    CA__SLOCK(s);
    ca__timer_cancel_locked(s, &dl->t); /* waits for a fire under way */
    CA__SUNLOCK(s);
    if (__atomic_load_n(&dl->fired, __ATOMIC_ACQUIRE))
        io->flags |= F_FIRED;
#if CA_HAVE_MALLOC
    ca__free(dl);
#endif
    io->u.dl = NULL;
}

static int step_connect(ca_io *io)
{
    int e = 0;
    socklen_t len = sizeof e;

    if (io->flags & F_FIRED)
        return failed(io, CA_AGAIN, ETIMEDOUT);
    if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
        e = errno;
    return e == 0 ? done(io) : failed(io, CA_EIO, e);
}

/* An op ends: its status also goes to GO_STATUS, as every op's does. */
static int end(ca_go *g, ca_io *io)
{
    disarm(g, io);
    /* u.dst is what CA_IO_LINE says: READ_LINE_VIEW's line, else NULL (a
    ** test in the macro would make a compiler warn of a NULL argument at
    ** users' calls). Without a line to hand out, the part of one searched
    ** so far stays in the read-ahead, and io->n does not count it. */
    if (io->op != CA__IO_VIEW ||
        (io->status != CA_OK && io->status != CA_ERANGE)) {
        io->u.dst = NULL;
        if (io->op == CA__IO_VIEW)
            io->n = 0;
    }
    g->u.w.status = (signed char)io->status;
    return 0;
}

/* One turn of the op under way: 1 to wait for io->events, 0 when done. */
static int step(ca_go *g, ca_io *io)
{
    int more;

    switch (io->op) {
    case CA__IO_SOME:
    case CA__IO_EXACTLY:
        more = step_read(io);
        break;
    case CA__IO_LINE:
        more = step_line(io);
        break;
    case CA__IO_VIEW:
        more = step_view(io);
        break;
    case OP_WRITE:
        more = step_write(io);
        break;
    case OP_ACCEPT:
        more = step_accept(io);
        break;
    default:
        /* Cancelled first: a fire under way may shut the socket down, and
        ** only once it cannot does `fired` say for sure. */
        disarm(g, io);
        more = step_connect(io);
        break;
    }
    return more ? 1 : end(g, io);
}

/* Every op begins here: checks, then the first turn. */
static int begin(ca_go *g, ca_io *io, int op, int bad)
{
    if (io == NULL) {
        g->u.w.status = CA_EINVAL;
        return 0;
    }
    io->op = (unsigned char)op;
    io->n = 0;
    io->err = 0;
    if (bad) {
        io->status = CA_EINVAL;
        return end(g, io);
    }
    return step(g, io);
}

int ca__go_io_read(ca_go *g, ca_io *io, int op, void *buf, size_t len)
{
    int bad = buf == NULL || len == 0 ||
              (op == CA__IO_LINE && (io == NULL || io->ra_cap == 0)) ||
              (op != CA__IO_SOME && op != CA__IO_EXACTLY && op != CA__IO_LINE);

    if (io != NULL) {
        io->u.dst = (unsigned char *)buf;
        io->len = len;
    }
    return begin(g, io, op, bad);
}

int ca__go_io_view(ca_go *g, ca_io *io)
{
    return begin(g, io, CA__IO_VIEW, io != NULL && io->ra_cap == 0);
}

int ca__go_io_write(ca_go *g, ca_io *io, const void *buf, size_t len)
{
    if (io != NULL) {
        io->u.src = (const unsigned char *)buf;
        io->len = len;
    }
    return begin(g, io, OP_WRITE, buf == NULL && len != 0);
}

int ca__go_io_accept(ca_go *g, ca_io *io, int *fd)
{
    if (io != NULL)
        io->u.dst = (unsigned char *)fd;
    return begin(g, io, OP_ACCEPT, fd == NULL);
}

int ca__go_io_connect(ca_go *g, ca_io *io, const struct sockaddr *addr,
                      unsigned addrlen, uint32_t ms)
{
    ca_sched *s = CA__GO_SCHED(g);

    if (io == NULL || addr == NULL || addrlen == 0)
        return begin(g, io, OP_CONNECT, 1);
    io->op = OP_CONNECT;
    io->n = 0;
    io->err = 0;
    io->flags &= (unsigned char)~F_FIRED;
    if (ms != CA_FOREVER && ms > CA_MAX_DELAY)
        return failed(io, CA_ERANGE, 0), end(g, io);
    if (ms != CA_FOREVER && !ca__has_clock(s))
        return failed(io, CA_ENOTSUP, 0), end(g, io);
    if (connect(io->fd, addr, (socklen_t)addrlen) == 0)
        return done(io), end(g, io);
    /* Interrupted, it goes on in the background as if in progress. */
    if (errno != EINPROGRESS && errno != EINTR)
        return failed(io, CA_EIO, errno), end(g, io);
    if (ms != CA_FOREVER) {
        struct ca__io_deadline *dl = NULL;

#if CA_HAVE_MALLOC
        dl = (struct ca__io_deadline *)ca__alloc(sizeof *dl);
#endif
        if (dl == NULL) {
            (void)shutdown(io->fd, SHUT_RDWR); /* no connection half made */
            /* Without malloc WAIT_FD could not wait for it either. */
            return failed(io, CA_HAVE_MALLOC ? CA_ENOMEM : CA_ENOTSUP, 0),
                   end(g, io);
        }
        memset(dl, 0, sizeof *dl);
        dl->fd = io->fd;
        io->u.dl = dl;
        CA__SLOCK(s);
        ca__timer_add_locked(s, &dl->t, ms, &deadline_waker);
        CA__SUNLOCK(s);
        io->flags |= F_TIMER;
        ca__sched_kick(s); /* a driver asleep on another thread */
    }
    return wait_for(io, CA_FD_WRITE);
}

int ca__go_io_resume(ca_go *g, ca_io *io)
{
    ca__io_woke(g, io);
    if (CA_GO_STATUS(g) != CA_OK) { /* WAIT_FD itself was refused */
        io->status = CA_GO_STATUS(g);
        return end(g, io);
    }
    return step(g, io);
}

#else /* no descriptors */

int ca_io_init(ca_io *io, int fd, void *ra, size_t ra_size)
{
    if (io == NULL || fd < 0 || (ra == NULL) != (ra_size == 0))
        return CA_EINVAL;
    return CA_ENOTSUP;
}

static int unsupported(ca_go *g, ca_io *io)
{
    if (io != NULL) {
        io->status = CA_ENOTSUP;
        io->u.dst = NULL; /* CA_IO_LINE */
    }
    g->u.w.status = CA_ENOTSUP;
    return 0;
}

int ca__go_io_read(ca_go *g, ca_io *io, int op, void *buf, size_t len)
{
    (void)op;
    (void)buf;
    (void)len;
    return unsupported(g, io);
}

int ca__go_io_view(ca_go *g, ca_io *io)
{
    return unsupported(g, io);
}

int ca__go_io_write(ca_go *g, ca_io *io, const void *buf, size_t len)
{
    (void)buf;
    (void)len;
    return unsupported(g, io);
}

int ca__go_io_accept(ca_go *g, ca_io *io, int *fd)
{
    (void)fd;
    return unsupported(g, io);
}

int ca__go_io_connect(ca_go *g, ca_io *io, const struct sockaddr *addr,
                      unsigned addrlen, uint32_t ms)
{
    (void)addr;
    (void)addrlen;
    (void)ms;
    return unsupported(g, io);
}

int ca__go_io_resume(ca_go *g, ca_io *io)
{
    return unsupported(g, io);
}

#endif
