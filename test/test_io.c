/*
** test_io.c: go blocks that wait on file descriptors (WAIT_FD), on a
** single-threaded scheduler and on a pool; the blocking form; hang-ups and
** errors reported, never lost; a kick from another thread ending the
** scheduler's poll. Hosted builds with poll(2). MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#include <coreasync.h>

#include "ca_test.h"

typedef struct reader {
    ca_go go;
    int fd;
    int events, status;
    char buf[16];
    long n;
} reader;

/* Waits until fd is readable, then reads what is there. */
static int read_block(ca_go *g)
{
    reader *r = (reader *)g;

    GO_BEGIN(g);
    WAIT_FD(g, r->fd, CA_FD_READ);
    r->status = GO_STATUS(g);
    r->events = GO_FD_EVENTS(g);
    if (r->status == CA_OK && (r->events & CA_FD_READ))
        r->n = (long)read(r->fd, r->buf, sizeof r->buf);
    GO_END(g);
}

typedef struct writer {
    ca_go go;
    int fd;
    const char *text;
} writer;

/* Sleeps a little (so that the reader parks first), then writes. */
static int write_later(ca_go *g)
{
    writer *w = (writer *)g;
    ssize_t n;

    GO_BEGIN(g);
    SLEEP(g, 2);
    n = write(w->fd, w->text, strlen(w->text));
    (void)n;
    GO_END(g);
}

static int have_poll(void)
{
    int ev;

    return ca_wait_fd_blocking(0, CA_FD_READ, 0, &ev) != CA_ENOTSUP;
}

static void io_read_after_park(void)
{
    ca_sched s;
    reader r;
    writer w;
    int p[2];

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    r.fd = p[0];
    r.status = -100;
    w.fd = p[1];
    w.text = "hello";
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, write_later), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    CU_ASSERT(r.events & CA_FD_READ);
    CA_ASSERT_EQ(r.n, 5);
    CU_ASSERT(memcmp(r.buf, "hello", 5) == 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

enum { MANY = 12 };

typedef struct many_writer {
    ca_go go;
    int *fds; /* MANY write ends */
    int i;
} many_writer;

/* Writes to the odd pipes from the last down, then, later, to the even
** ones: readers leave the scheduler's list from its middle, its head and
** its tail, while others still wait. */
static int write_odd_then_even(ca_go *g)
{
    many_writer *w = (many_writer *)g;
    ssize_t n;

    GO_BEGIN(g);
    SLEEP(g, 2);
    for (w->i = MANY - 1; w->i >= 0; w->i -= 2)
        n = write(w->fds[w->i], "o", 1);
    SLEEP(g, 2);
    for (w->i = 0; w->i < MANY; w->i += 2)
        n = write(w->fds[w->i], "e", 1);
    (void)n;
    GO_END(g);
}

/* More blocks wait on descriptors than the first table holds (8). */
static void io_many_readers(void)
{
    ca_sched s;
    reader r[MANY];
    many_writer w;
    int p[MANY][2], wfd[MANY], i;

    if (!have_poll())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    for (i = 0; i < MANY; i++) {
        CA_ASSERT_EQ(pipe(p[i]), 0);
        wfd[i] = p[i][1];
        r[i].fd = p[i][0];
        r[i].status = -100;
        CA_ASSERT_RC(ca_go_start(&s, &r[i].go, read_block), CA_OK);
    }
    w.fds = wfd;
    CA_ASSERT_RC(ca_go_start(&s, &w.go, write_odd_then_even), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < MANY; i++) {
        CA_ASSERT_RC(r[i].status, CA_OK);
        CA_ASSERT_EQ(r[i].n, 1);
        CA_ASSERT_EQ(r[i].buf[0], i % 2 ? 'o' : 'e');
        close(p[i][0]);
        close(p[i][1]);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Ready already: no park; a hang-up and an error are reported. */
static void io_ready_hup_err(void)
{
    ca_sched s;
    reader r;
    int p[2], bad;
    ssize_t n;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    n = write(p[1], "x", 1);
    CA_ASSERT_EQ(n, 1);
    memset(&r, 0, sizeof r);
    r.fd = p[0];
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(r.n, 1);

    /* The writer hangs up: the reader is told (EOF reads as 0). */
    close(p[1]);
    memset(&r, 0, sizeof r);
    r.fd = p[0];
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    CU_ASSERT(r.events & CA_FD_HUP);
    CA_ASSERT_EQ(r.n, 0);
    close(p[0]);

    /* A descriptor that is not open: an error, at once. */
    bad = p[0]; /* closed just now */
    memset(&r, 0, sizeof r);
    r.fd = bad;
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    CU_ASSERT(r.events & CA_FD_ERR);

    /* Bad arguments. */
    memset(&r, 0, sizeof r);
    r.fd = -1;
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_EINVAL);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A block waiting on a descriptor is something that can still happen:
** a step does not report a deadlock, and its parked report names it. */
static void io_not_a_deadlock(void)
{
    ca_sched s;
    reader r;
    uint32_t next = 0;
    int p[2];
    ssize_t n;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.fd = p[0];
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(ca_sched_parked(&s, NULL, NULL), CA_EINVAL);
#if CA_CONFIG_TINY_GO
    /* A tiny build keeps no list of its blocks to name (config.h). */
    CA_ASSERT_EQ(ca_sched_dump(&s, stderr), CA_ENOTSUP);
#else
    CA_ASSERT_EQ(ca_sched_dump(&s, stderr), 1);
#endif
    n = write(p[1], "ab", 2);
    CA_ASSERT_EQ(n, 2);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(r.n, 2);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

static void io_blocking_form(void)
{
    int p[2], ev = -1;
    ssize_t n;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_wait_fd_blocking(p[0], CA_FD_READ, 5, &ev), CA_AGAIN);
    CA_ASSERT_EQ(ev, 0);
    CA_ASSERT_RC(ca_wait_fd_blocking(p[1], CA_FD_WRITE, 0, &ev), CA_OK);
    CU_ASSERT(ev & CA_FD_WRITE);
    n = write(p[1], "z", 1);
    CA_ASSERT_EQ(n, 1);
    CA_ASSERT_RC(ca_wait_fd_blocking(p[0], CA_FD_READ, CA_FOREVER, &ev),
                 CA_OK);
    CU_ASSERT(ev & CA_FD_READ);
    CA_ASSERT_RC(ca_wait_fd_blocking(p[0], CA_FD_READ, 0, NULL), CA_OK);
    CA_ASSERT_RC(ca_wait_fd_blocking(-1, CA_FD_READ, 0, &ev), CA_EINVAL);
    CA_ASSERT_RC(ca_wait_fd_blocking(p[0], 0, 0, &ev), CA_EINVAL);
    close(p[0]);
    close(p[1]);
}

typedef struct misuse {
    ca_go go;
    int rc, fd;
} misuse;

static int blocking_in_block(ca_go *g)
{
    misuse *m = (misuse *)g;

    GO_BEGIN(g);
    m->rc = ca_wait_fd_blocking(m->fd, CA_FD_READ, 0, NULL);
    GO_END(g);
}

static void io_blocking_in_go_eperm(void)
{
    ca_sched s;
    misuse m;

    if (!have_poll())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_go_start(&s, &m.go, blocking_in_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(m.rc, CA_EPERM);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}


/* ------------------------------------------------------------ ALTS */

typedef struct chooser {
    ca_go go;
    ca_alt cases[3];
    ca_chan *ch;
    int fd, v, revents, won, status;
    uint32_t ms;
} chooser;

/* One ALTS: data on fd, a value on ch, or a deadline of ms. */
static int choose_once(ca_go *g)
{
    chooser *c = (chooser *)g;

    GO_BEGIN(g);
    (void)ca_alt_fd(&c->cases[0], c->fd, CA_FD_READ, &c->revents);
    (void)ca_alt_take(&c->cases[1], c->ch, &c->v);
    (void)ca_alt_deadline(&c->cases[2], c->ms);
    ALTS(g, c->cases, 3, CA_ALTS_PRIORITY);
    c->won = GO_ALT(g);
    c->status = GO_STATUS(g);
    GO_END(g);
}

static void chooser_init(chooser *c, int fd, ca_chan *ch, uint32_t ms)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->ch = ch;
    c->ms = ms;
    c->won = -1;
}

static void io_alts_cases(void)
{
    ca_sched s;
    chooser c;
    writer w;
    ichan ch;
    int p[2], v = 8;
    ssize_t n;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&ch, CA_FIXED, 1);

    /* Nothing comes: the deadline wins, and the descriptor case leaves
    ** the poll set (the run ends: nothing waits on it any more). */
    chooser_init(&c, p[0], &ch.ch, 5);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_once), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 2);

    /* Data comes while it waits: the descriptor wins. */
    chooser_init(&c, p[0], &ch.ch, 10000);
    memset(&w, 0, sizeof w);
    w.fd = p[1];
    w.text = "q";
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_once), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, write_later), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 0);
    CA_ASSERT_RC(c.status, CA_OK);
    CU_ASSERT(c.revents & CA_FD_READ);

    /* Ready at the start (the byte is still unread): wins at once, in
    ** priority order before the channel, which is ready too. */
    CA_ASSERT_RC(ca_offer(&ch.ch, &v), CA_OK);
    chooser_init(&c, p[0], &ch.ch, 10000);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_once), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 0);
    n = read(p[0], &v, 1);
    CA_ASSERT_EQ(n, 1);

    /* The channel wins; the descriptor case is taken back, and data that
    ** comes later wakes nobody (the run ends at once). */
    chooser_init(&c, p[0], &ch.ch, 10000);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_once), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 1);
    CA_ASSERT_EQ(c.v, 8);
    n = write(p[1], "z", 1);
    CA_ASSERT_EQ(n, 1);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);

    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
    close(p[0]);
    close(p[1]);
}

#if CA_HAVE_THREADS && CA_HAVE_MALLOC
/* ------------------------------------------------------------ threads */

enum { NREADERS = 40 };

typedef struct many {
    int p[NREADERS][2];
    reader r[NREADERS];
    ca_chan *res[NREADERS];
} many;

static many M;

/* Blocks on a pool wait on their own pipes; a plain thread writes to
** each; each block wakes (through the pool's poll) and reads its byte. */
static void io_on_pool(void)
{
    ca_sched s;
    int i;
    char c;
    ssize_t n;

    if (!have_poll())
        return;
    memset(&M, 0, sizeof M);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 3), CA_OK);
    for (i = 0; i < NREADERS; i++) {
        CA_ASSERT_EQ(pipe(M.p[i]), 0);
        M.r[i].fd = M.p[i][0];
        M.r[i].status = -100;
        CA_ASSERT_RC(ca_go_result(&M.r[i].go, 0, &M.res[i]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &M.r[i].go, read_block), CA_OK);
    }
    for (i = 0; i < NREADERS; i++) {
        c = (char)('A' + i % 26);
        n = write(M.p[i][1], &c, 1);
        CA_ASSERT_EQ(n, 1);
    }
    for (i = 0; i < NREADERS; i++) {
        CA_ASSERT_RC(ca_take_blocking(M.res[i], NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(M.res[i]), CA_OK);
        CA_ASSERT_RC(M.r[i].status, CA_OK);
        CA_ASSERT_EQ(M.r[i].n, 1);
        CA_ASSERT_EQ(M.r[i].buf[0], 'A' + i % 26);
        close(M.p[i][0]);
        close(M.p[i][1]);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The thread that drives a scheduler waits in poll(2) for a block's
** descriptor, which nobody writes; another thread wakes a second block
** through a channel. Its kick must end the poll (else this hangs). */
typedef struct kicked {
    ca_go go;
    ca_chan *in;
    int fd, v;
} kicked;

static int take_then_write(ca_go *g)
{
    kicked *k = (kicked *)g;
    ssize_t n;

    GO_BEGIN(g);
    TAKE(g, k->in, &k->v);
    n = write(k->fd, "k", 1); /* ends the reader's wait */
    (void)n;
    GO_END(g);
}

static void *offer_later(void *arg)
{
    ichan *c = (ichan *)arg;
    int v = 3;

    /* Until the other block waits on the channel: it does once the
    ** driver has run it, which is before the driver polls. */
    while (ca_offer(&c->ch, &v) == CA_AGAIN)
        sched_yield();
    return NULL;
}

static void io_kick_ends_poll(void)
{
    ca_sched s;
    reader r;
    kicked k;
    ichan c;
    pthread_t t;
    int p[2];

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&r, 0, sizeof r);
    memset(&k, 0, sizeof k);
    r.fd = p[0];
    k.in = &c.ch;
    k.fd = p[1];
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &k.go, take_then_write), CA_OK);
    CA_ASSERT_EQ(pthread_create(&t, NULL, offer_later, &c), 0);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    pthread_join(t, NULL);
    CA_ASSERT_EQ(k.v, 3);
    CA_ASSERT_EQ(r.n, 1);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    close(p[0]);
    close(p[1]);
}

/* The blocking form of an ALTS with a descriptor: a plain thread waits for
** data from another thread, or for its deadline. */
static void *write_soon(void *arg)
{
    int fd = *(int *)arg;
    ssize_t n;

    n = write(fd, "w", 1);
    (void)n;
    return NULL;
}

static void io_alts_blocking_fd(void)
{
    ca_alt cases[2];
    pthread_t t;
    size_t idx = 99;
    int p[2], re = 0;
    char c;
    ssize_t n;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    (void)ca_alt_fd(&cases[0], p[0], CA_FD_READ, &re);
    (void)ca_alt_deadline(&cases[1], 5);
    CA_ASSERT_RC(ca_alts_blocking(cases, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    CA_ASSERT_EQ(pthread_create(&t, NULL, write_soon, &p[1]), 0);
    (void)ca_alt_fd(&cases[0], p[0], CA_FD_READ, &re);
    (void)ca_alt_deadline(&cases[1], 100000);
    CA_ASSERT_RC(ca_alts_blocking(cases, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CU_ASSERT(re & CA_FD_READ);
    pthread_join(t, NULL);
    n = read(p[0], &c, 1);
    CA_ASSERT_EQ(n, 1);
    close(p[0]);
    close(p[1]);
}

/* On a pool: a block's ALTS with a descriptor and a deadline, the data
** written by this thread while a worker polls. */
static void io_alts_on_pool(void)
{
    ca_sched s;
    chooser c;
    ichan ch;
    ca_chan *r;
    int p[2], i;
    ssize_t n;
    char b;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    ichan_init(&ch, CA_FIXED, 1);
    for (i = 0; i < 50; i++) {
        chooser_init(&c, p[0], &ch.ch, 100000);
        CA_ASSERT_RC(ca_go_result(&c.go, 0, &r), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_once), CA_OK);
        n = write(p[1], "p", 1);
        CA_ASSERT_EQ(n, 1);
        CA_ASSERT_RC(ca_take_blocking(r, NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(r), CA_OK);
        CA_ASSERT_EQ(c.won, 0);
        n = read(p[0], &b, 1);
        CA_ASSERT_EQ(n, 1);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
    close(p[0]);
    close(p[1]);
}
#endif

/* WAIT_FD refuses, without parking, what ca_wait_fd_blocking refuses. */
typedef struct bad_waiter {
    ca_go go;
    int fd, events, status;
} bad_waiter;

static int bad_wait_fn(ca_go *g)
{
    bad_waiter *b = (bad_waiter *)g;

    GO_BEGIN(g);
    WAIT_FD(g, b->fd, b->events);
    b->status = GO_STATUS(g);
    GO_END(g);
}

static void io_bad_events(void)
{
    static const int fds[] = {-1, 0, 0, 0};
    static const int events[] = {CA_FD_READ, 0, CA_FD_HUP,
                                 CA_FD_READ | CA_FD_HUP};
    ca_sched s;
    bad_waiter b;
    size_t i;

    if (!have_poll())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        memset(&b, 0, sizeof b);
        b.fd = fds[i];
        b.events = events[i];
        b.status = -100;
        CA_ASSERT_RC(ca_go_start(&s, &b.go, bad_wait_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_RC(b.status, CA_EINVAL);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Two blocks wait on one descriptor, for different events (a
** connection's reader and writer): each wakes for its own, the other
** waits on. epoll keeps one registration per descriptor (io_epoll.c). */
typedef struct both {
    ca_go go;
    int fd, events, ask, *order, *seq;
} both;

static int wait_one(ca_go *g)
{
    both *b = (both *)g;

    GO_BEGIN(g);
    WAIT_FD(g, b->fd, b->ask);
    b->events = GO_FD_EVENTS(g);
    *b->order = ++*b->seq;
    GO_END(g);
}

typedef struct unblock {
    ca_go go;
    int fd, seq, w_first, r_first;
    both *r, *w;
} unblock;

/* Drains the peer (the writer's wait ends), then writes (the reader's). */
static int drain_then_write(ca_go *g)
{
    unblock *u = (unblock *)g;
    char buf[4096];

    GO_BEGIN(g);
    while (read(u->fd, buf, sizeof buf) > 0)
        ;
    SLEEP(g, 5);
    u->w_first = u->w->events != 0 && u->r->events == 0;
    if (write(u->fd, "x", 1) != 1)
        GO_RETURN(g, &u->seq);
    SLEEP(g, 5);
    u->r_first = u->r->events != 0;
    GO_END(g);
}

static void io_two_waits_one_fd(void)
{
    ca_sched s;
    both r, w;
    unblock u;
    int sv[2], ro = 0, wo = 0;
    char buf[512];

    if (!have_poll())
        return;
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_EQ(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
    CA_ASSERT_EQ(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
    memset(buf, 'a', sizeof buf);
    while (write(sv[0], buf, sizeof buf) > 0) /* full: not writable */
        ;
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    memset(&u, 0, sizeof u);
    r.fd = w.fd = sv[0];
    r.ask = CA_FD_READ;
    w.ask = CA_FD_WRITE;
    r.order = &ro;
    w.order = &wo;
    r.seq = w.seq = &u.seq;
    u.fd = sv[1];
    u.r = &r;
    u.w = &w;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, wait_one), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, wait_one), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &u.go, drain_then_write), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CU_ASSERT(u.w_first);
    CU_ASSERT(u.r_first);
    CA_ASSERT_EQ(wo, 1);
    CA_ASSERT_EQ(ro, 2);
    CU_ASSERT(w.events & CA_FD_WRITE);
    CU_ASSERT(!(w.events & CA_FD_READ)); /* asked for WRITE only */
    CU_ASSERT(r.events & CA_FD_READ);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

/* A descriptor closed after its wait and its number given to a new one:
** a wait on the new one is watched (epoll forgot the old one; io_epoll.c
** adds it again). It would hang if not. */
static void io_fd_number_reused(void)
{
    ca_sched s;
    reader r;
    writer w;
    int p[2], q[2], round;

    if (!have_poll())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (round = 0; round < 2; round++) {
        memset(&r, 0, sizeof r);
        memset(&w, 0, sizeof w);
        r.fd = p[0];
        w.fd = p[1];
        w.text = "hi";
        CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &w.go, write_later), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_RC(r.status, CA_OK);
        CA_ASSERT_EQ(r.n, 2);
        close(p[0]);
        close(p[1]);
        CA_ASSERT_EQ(pipe(q), 0);
        CA_ASSERT_EQ(q[0], p[0]); /* the lowest free numbers again */
        p[0] = q[0];
        p[1] = q[1];
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

#if defined(CA_USE_EPOLL) && CA_HAVE_MALLOC
static int fail_allocs;

static void *flaky_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return fail_allocs ? NULL : malloc(size);
}

/* epoll: a wait on a descriptor the backend cannot watch (here its table
** of descriptors cannot grow) ends at the next poll with CA_FD_ERR:
** reported, never lost (io_epoll.c's failed list). */
static void io_epoll_refused(void)
{
    ca_sched s;
    reader r;
    writer w;
    int p[2], high;

    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    r.fd = p[0];
    w.fd = p[1];
    w.text = "a"; /* a first wait: the io state and a small table */
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, write_later), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    high = dup2(p[0], 300); /* past the table: it must grow */
    CU_ASSERT_FATAL(high == 300);
    memset(&r, 0, sizeof r);
    r.fd = high;
    r.status = -100;
    ca_set_allocator(flaky_alloc, NULL);
    fail_allocs = 1;
    CA_ASSERT_RC(ca_go_start(&s, &r.go, read_block), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    fail_allocs = 0;
    ca_set_allocator(NULL, NULL);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_EQ(r.events, CA_FD_ERR);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(high);
    close(p[0]);
    close(p[1]);
}
#endif

static const ca_test tests[] = {
    {"io_bad_events", io_bad_events},
    {"io_read_after_park", io_read_after_park},
    {"io_ready_hup_err", io_ready_hup_err},
    {"io_many_readers", io_many_readers},
    {"io_not_a_deadlock", io_not_a_deadlock},
    {"io_blocking_form", io_blocking_form},
    {"io_blocking_in_go_eperm", io_blocking_in_go_eperm},
    {"io_alts_cases", io_alts_cases},
    {"io_two_waits_one_fd", io_two_waits_one_fd},
    {"io_fd_number_reused", io_fd_number_reused},
#if defined(CA_USE_EPOLL) && CA_HAVE_MALLOC
    {"io_epoll_refused", io_epoll_refused},
#endif
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    {"io_on_pool", io_on_pool},
    {"io_kick_ends_poll", io_kick_ends_poll},
    {"io_alts_blocking_fd", io_alts_blocking_fd},
    {"io_alts_on_pool", io_alts_on_pool},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("io", tests)
