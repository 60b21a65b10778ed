/*
** test_stream.c: the stream helpers (READ_SOME, READ_EXACTLY, READ_LINE,
** READ_LINE_VIEW, WRITE_ALL, ACCEPT, CONNECT): partial reads and writes,
** end of file, hang-up, refusal and deadline, each as a status; on one
** thread and on a pool. Hosted builds with poll(2) and malloc.
** MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_MALLOC /* WAIT_FD needs it; the end of the file */

static int usable(void)
{
    int ev;

    (void)signal(SIGPIPE, SIG_IGN);
    return ca_wait_fd_blocking(0, CA_FD_READ, 0, &ev) != CA_ENOTSUP;
}

/* Writes `text` in pieces of `piece` bytes with a pause between (so that
** the reader parks in the middle of lines), then closes its end. */
typedef struct dribble {
    ca_go go;
    ca_io io;
    const char *text;
    size_t off, piece, len;
} dribble;

static int dribble_fn(ca_go *g)
{
    dribble *d = (dribble *)g;

    GO_BEGIN(g);
    while (d->off < strlen(d->text)) {
        d->len = strlen(d->text) - d->off;
        if (d->len > d->piece)
            d->len = d->piece;
        WRITE_ALL(g, &d->io, d->text + d->off, d->len);
        if (GO_CLOSED(g))
            break;
        d->off += d->len;
        YIELD(g);
    }
    close(d->io.fd);
    GO_END(g);
}

/* Reads lines until the stream ends, keeping each line and its status. */
typedef struct liner {
    ca_go go;
    ca_io io;
    char ra[8];
    char line[8];
    size_t max;
    char got[8][9];
    int st[8];
    int k;
    int view;    /* READ_LINE_VIEW instead of READ_LINE */
    char *at;    /* where it pointed */
    int outside; /* times it pointed outside ra */
} liner;

static int liner_fn(ca_go *g)
{
    liner *l = (liner *)g;

    GO_BEGIN(g);
    for (l->k = 0; l->k < 8; l->k++) {
        if (!l->view) {
            READ_LINE(g, &l->io, l->line, l->max);
            memcpy(l->got[l->k], l->line, l->io.n + 1);
        } else {
            READ_LINE_VIEW(g, &l->io);
            l->at = CA_IO_LINE(&l->io);
            if (l->at != NULL) {
                l->outside +=
                    l->at < l->ra || l->at + l->io.n > l->ra + sizeof l->ra;
                memcpy(l->got[l->k], l->at, l->io.n);
            }
            CU_ASSERT((l->at != NULL) ==
                      (GO_OK(g) || GO_STATUS(g) == CA_ERANGE));
            l->got[l->k][l->io.n] = '\0';
        }
        l->st[l->k] = GO_STATUS(g);
        CU_ASSERT(GO_STATUS(g) == l->io.status);
        if (GO_CLOSED(g) && GO_STATUS(g) != CA_ERANGE)
            break;
    }
    GO_END(g);
}

/* Over a socket pair, or a pipe: a short read of a pipe says that it is
** empty, and the next read parks without looking (io_epoll.c), which
** must not miss the end of file that came with the data. */
static int lines_over_pipe;
static int lines_view; /* run_lines reads with READ_LINE_VIEW */

static void run_lines(const char *text, size_t piece, size_t max, liner *l)
{
    ca_sched s;
    dribble d;
    int sv[2], t;

    if (lines_over_pipe) {
        CA_ASSERT_EQ(pipe(sv), 0);
        t = sv[0]; /* the dribble writes to sv[0], the liner reads sv[1] */
        sv[0] = sv[1];
        sv[1] = t;
    } else {
        CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    }
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&d, 0, sizeof d);
    memset(l, 0, sizeof *l);
    d.text = text;
    d.piece = piece;
    l->max = max;
    l->view = lines_view;
    CA_ASSERT_RC(ca_io_init(&d.io, sv[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_io_init(&l->io, sv[1], l->ra, sizeof l->ra), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &l->go, liner_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &d.go, dribble_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[1]);
}

/* Lines split across reads and read-ahead; a last line without newline
** is a line, then the end of file. */
static void stream_lines(void)
{
    liner l;

    if (!usable())
        return;
    run_lines("hello\nab\n\nlast", 3, 8, &l);
    CA_ASSERT_EQ(l.k, 4);
    CU_ASSERT_STRING_EQUAL(l.got[0], "hello\n");
    CU_ASSERT_STRING_EQUAL(l.got[1], "ab\n");
    CU_ASSERT_STRING_EQUAL(l.got[2], "\n");
    CU_ASSERT_STRING_EQUAL(l.got[3], "last");
    CA_ASSERT_RC(l.st[0], CA_OK);
    CA_ASSERT_RC(l.st[3], CA_OK);
    CA_ASSERT_RC(l.st[4], CA_CLOSED);
    CU_ASSERT_STRING_EQUAL(l.got[4], "");
}

static void stream_lines_pipe(void)
{
    lines_over_pipe = 1;
    stream_lines();
    lines_over_pipe = 0;
}

/* A line longer than the maximum comes in pieces, each CA_ERANGE. */
static void stream_line_too_long(void)
{
    liner l;

    if (!usable())
        return;
    run_lines("abcdefg\nxy\n", 5, 4, &l);
    CU_ASSERT_STRING_EQUAL(l.got[0], "abc");
    CA_ASSERT_RC(l.st[0], CA_ERANGE);
    CU_ASSERT_STRING_EQUAL(l.got[1], "def");
    CA_ASSERT_RC(l.st[1], CA_ERANGE);
    CU_ASSERT_STRING_EQUAL(l.got[2], "g\n");
    CA_ASSERT_RC(l.st[2], CA_OK);
    CU_ASSERT_STRING_EQUAL(l.got[3], "xy\n");
    CA_ASSERT_RC(l.st[4], CA_CLOSED);
}

/* READ_LINE_VIEW: the same lines, handed out inside the read-ahead (the
** part of a line already there moves to the front for the next read),
** over a socket pair and over a pipe (which parks after a short read). */
static void stream_view_lines(void)
{
    int pipe_too;

    for (pipe_too = 0; pipe_too < 2; pipe_too++) {
        lines_over_pipe = pipe_too;
        lines_view = 1;
        stream_lines();
        lines_view = 0;
        lines_over_pipe = 0;
    }
}

/* READ_LINE_VIEW on a line longer than the storage (8 bytes): the whole
** storage, CA_ERANGE, then the rest; lines after a long one are whole. */
static void stream_view_too_long(void)
{
    liner l;
    int pipe_too;

    if (!usable())
        return;
    for (pipe_too = 0; pipe_too < 2; pipe_too++) {
        lines_over_pipe = pipe_too;
        lines_view = 1;
        run_lines("abcdefghij\nxy\n1234567\nq", 3, 0, &l);
        lines_view = 0;
        lines_over_pipe = 0;
        CU_ASSERT_STRING_EQUAL(l.got[0], "abcdefgh");
        CA_ASSERT_RC(l.st[0], CA_ERANGE);
        CU_ASSERT_STRING_EQUAL(l.got[1], "ij\n");
        CA_ASSERT_RC(l.st[1], CA_OK);
        CU_ASSERT_STRING_EQUAL(l.got[2], "xy\n");
        CU_ASSERT_STRING_EQUAL(l.got[3], "1234567\n"); /* the storage's size */
        CA_ASSERT_RC(l.st[3], CA_OK);
        CU_ASSERT_STRING_EQUAL(l.got[4], "q");
        CA_ASSERT_RC(l.st[4], CA_OK);
        CA_ASSERT_RC(l.st[5], CA_CLOSED);
        CA_ASSERT_EQ(l.k, 5);
        CA_ASSERT_EQ(l.outside, 0);
    }
}

/* A header line, then a body of the length it gives, then a line: the
** read helpers share the read-ahead, whatever the mix. With one byte of
** storage every byte but a lone newline is a piece of its own. */
typedef struct mixer {
    ca_go go;
    ca_io io;
    char ra[16], body[8];
    char line[3][9];
    int st[3];
    char tiny[1];
    ca_io tio;
    char pieces[8];
    int np, tst[8];
} mixer;

static int mixer_fn(ca_go *g)
{
    mixer *m = (mixer *)g;

    GO_BEGIN(g);
    READ_LINE_VIEW(g, &m->io);
    m->st[0] = GO_STATUS(g);
    memcpy(m->line[0], CA_IO_LINE(&m->io), m->io.n);
    READ_EXACTLY(g, &m->io, m->body, 5);
    m->st[1] = GO_STATUS(g);
    READ_LINE_VIEW(g, &m->io);
    m->st[2] = GO_STATUS(g);
    if (CA_IO_LINE(&m->io) != NULL)
        memcpy(m->line[2], CA_IO_LINE(&m->io), m->io.n);
    for (m->np = 0; m->np < 8; m->np++) {
        READ_LINE_VIEW(g, &m->tio);
        m->tst[m->np] = GO_STATUS(g);
        if (GO_STATUS(g) == CA_CLOSED)
            break;
        CA_ASSERT_EQ(m->tio.n, 1);
        m->pieces[m->np] = *CA_IO_LINE(&m->tio);
    }
    GO_END(g);
}

static void stream_view_mixed(void)
{
    ca_sched s;
    static mixer m;
    int p[2], q[2];
    const char *text = "len 5\nhelloNEXT\n";

    if (!usable())
        return;
    memset(&m, 0, sizeof m);
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
    CA_ASSERT_EQ(pipe(q), 0);
    CA_ASSERT_EQ(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
    CA_ASSERT_EQ(write(q[1], "ab\nc", 4), 4);
    close(p[1]);
    close(q[1]);
    CA_ASSERT_RC(ca_io_init(&m.io, p[0], m.ra, sizeof m.ra), CA_OK);
    CA_ASSERT_RC(ca_io_init(&m.tio, q[0], m.tiny, sizeof m.tiny), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &m.go, mixer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(m.st[0], CA_OK);
    CU_ASSERT_STRING_EQUAL(m.line[0], "len 5\n");
    CA_ASSERT_RC(m.st[1], CA_OK);
    CU_ASSERT_NSTRING_EQUAL(m.body, "hello", 5);
    CA_ASSERT_RC(m.st[2], CA_OK);
    CU_ASSERT_STRING_EQUAL(m.line[2], "NEXT\n");
    /* "ab\nc" through one byte: a, b pieces; the newline a line; c last */
    CA_ASSERT_EQ(m.np, 4);
    CU_ASSERT_NSTRING_EQUAL(m.pieces, "ab\nc", 4);
    CA_ASSERT_RC(m.tst[0], CA_ERANGE);
    CA_ASSERT_RC(m.tst[1], CA_ERANGE);
    CA_ASSERT_RC(m.tst[2], CA_OK);
    CA_ASSERT_RC(m.tst[3], CA_ERANGE); /* "c" fills the byte first */
    CA_ASSERT_RC(m.tst[4], CA_CLOSED);
    close(p[0]);
    close(q[0]);
}

/* A connection reset right after data: the wake carries an error, then
** a short read takes the data. The next read must not park on trust
** (io.c), with epoll's edges spent: it hung for ever. READ_LINE_VIEW
** then keeps the partial line in the read-ahead. */
typedef struct resetter {
    ca_go go;
    ca_io io;
    int i;
} resetter;

static int resetter_fn(ca_go *g)
{
    resetter *x = (resetter *)g;
    struct linger lg;

    GO_BEGIN(g);
    WRITE_ALL(g, &x->io, "abc", 3);
    for (x->i = 0; x->i < 50; x->i++)
        YIELD(g); /* the data and the reset come in one wake */
    lg.l_onoff = 1;
    lg.l_linger = 0; /* close(2) sends a reset */
    CA_ASSERT_EQ(setsockopt(x->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg),
                 0);
    close(x->io.fd);
    GO_END(g);
}

typedef struct reset_reader {
    ca_go go;
    ca_io io;
    char ra[16], line[16];
    int view, st;
    size_t n, buffered;
    char *at;
} reset_reader;

static int reset_reader_fn(ca_go *g)
{
    reset_reader *r = (reset_reader *)g;

    GO_BEGIN(g);
    if (r->view) {
        READ_LINE_VIEW(g, &r->io);
        r->at = CA_IO_LINE(&r->io);
    } else {
        READ_LINE(g, &r->io, r->line, sizeof r->line);
    }
    r->st = GO_STATUS(g);
    r->n = r->io.n;
    r->buffered = CA_IO_BUFFERED(&r->io);
    GO_END(g);
}

static void stream_reset_after_data(void)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    ca_sched s;
    resetter w;
    reset_reader r;
    int l, c, sv, view;

    if (!usable())
        return;
    for (view = 0; view < 2; view++) {
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CU_ASSERT_FATAL((l = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
        CA_ASSERT_EQ(bind(l, (struct sockaddr *)&a, sizeof a), 0);
        CA_ASSERT_EQ(listen(l, 1), 0);
        CA_ASSERT_EQ(getsockname(l, (struct sockaddr *)&a, &al), 0);
        CU_ASSERT_FATAL((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
        CA_ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof a), 0);
        CU_ASSERT_FATAL((sv = accept(l, NULL, NULL)) >= 0);
        close(l);
        memset(&w, 0, sizeof w);
        memset(&r, 0, sizeof r);
        r.view = view;
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        CA_ASSERT_RC(ca_io_init(&w.io, c, NULL, 0), CA_OK);
        CA_ASSERT_RC(ca_io_init(&r.io, sv, r.ra, sizeof r.ra), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &r.go, reset_reader_fn), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &w.go, resetter_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* hung here */
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
        CU_ASSERT(r.st == CA_EIO || r.st == CA_CLOSED);
        if (view) {
            CA_ASSERT_EQ(r.n, 0);
            CU_ASSERT_PTR_NULL(r.at);
            CA_ASSERT_EQ(r.buffered, 3); /* "abc" is not lost */
        } else {
            CA_ASSERT_EQ(r.n, 3);
            CU_ASSERT_STRING_EQUAL(r.line, "abc");
        }
        close(sv);
    }
}

/* A megabyte through a socket: WRITE_ALL parks on a full socket, and
** READ_EXACTLY and READ_SOME collect every byte, in order. */
#define BIG (1u << 20)
typedef struct bulk {
    ca_go go;
    ca_io io;
    unsigned char *data;
    size_t len, got;
    int status, reads;
} bulk;

static int bulk_write(ca_go *g)
{
    bulk *b = (bulk *)g;

    GO_BEGIN(g);
    WRITE_ALL(g, &b->io, b->data, b->len);
    b->status = GO_STATUS(g);
    b->got = b->io.n;
    close(b->io.fd);
    GO_END(g);
}

static int bulk_read(ca_go *g)
{
    bulk *b = (bulk *)g;

    GO_BEGIN(g);
    READ_EXACTLY(g, &b->io, b->data, b->len / 2);
    b->status = GO_STATUS(g);
    b->got = b->io.n;
    while (b->status == CA_OK) {
        READ_SOME(g, &b->io, b->data + b->got, b->len + 1 - b->got);
        if (GO_CLOSED(g))
            break;
        CU_ASSERT(b->io.n > 0);
        b->got += b->io.n;
        b->reads++;
    }
    if (b->status == CA_OK)
        b->status = GO_STATUS(g);
    GO_END(g);
}

static void bulk_run(unsigned pool)
{
    ca_sched s;
    bulk w, r;
    ca_chan *res[2];
    int sv[2];
    size_t i;

    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&w, 0, sizeof w);
    memset(&r, 0, sizeof r);
    w.len = BIG;
    r.len = BIG;
    w.data = malloc(BIG);
    r.data = malloc(BIG + 1);
    CU_ASSERT_FATAL(w.data != NULL && r.data != NULL);
    for (i = 0; i < BIG; i++)
        w.data[i] = (unsigned char)(i * 7 + i / 251);
    CA_ASSERT_RC(ca_io_init(&w.io, sv[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_io_init(&r.io, sv[1], NULL, 0), CA_OK);
    if (pool) {
        CA_ASSERT_RC(ca_go_result(&r.go, 0, &res[0]), CA_OK);
        CA_ASSERT_RC(ca_go_result(&w.go, 0, &res[1]), CA_OK);
    }
    CA_ASSERT_RC(ca_go_start(&s, &r.go, bulk_read), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, bulk_write), CA_OK);
    if (pool) {
        CA_ASSERT_RC(ca_sched_start(&s, pool), CA_OK);
        for (i = 0; i < 2; i++) { /* each closes when its block ended */
            CA_ASSERT_RC(ca_take_blocking(res[i], NULL), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_free(res[i]), CA_OK);
        }
        CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    } else {
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    }
    CA_ASSERT_RC(w.status, CA_OK);
    CA_ASSERT_EQ(w.got, BIG);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CA_ASSERT_EQ(r.got, BIG);
    CU_ASSERT(memcmp(w.data, r.data, BIG) == 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[1]);
    free(w.data);
    free(r.data);
}

static void stream_bulk(void)
{
    if (usable())
        bulk_run(0);
}

static void stream_bulk_pool(void)
{
    if (usable() && CA_HAVE_THREADS)
        bulk_run(2);
}

/* The end comes early: READ_EXACTLY says CA_CLOSED with what came; a
** write to a peer that is gone is CA_CLOSED, not a SIGPIPE. */
static void stream_eof_and_epipe(void)
{
    ca_sched s;
    bulk r, w;
    int sv[2], p[2];
    unsigned char buf[16];

    if (!usable())
        return;
    memset(buf, 0, sizeof buf);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_EQ(write(sv[0], "abc", 3), 3);
    close(sv[0]);
    memset(&r, 0, sizeof r);
    r.data = buf;
    r.len = 10; /* READ_EXACTLY 5: only 3 come */
    CA_ASSERT_RC(ca_io_init(&r.io, sv[1], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, bulk_read), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_CLOSED);
    CA_ASSERT_EQ(r.got, 3);
    CU_ASSERT(memcmp(buf, "abc", 3) == 0);
    close(sv[1]);

    /* A pipe whose reader is gone: EPIPE becomes CA_CLOSED. */
    CA_ASSERT_EQ(pipe(p), 0);
    close(p[0]);
    memset(&w, 0, sizeof w);
    w.data = buf;
    w.len = sizeof buf;
    CA_ASSERT_RC(ca_io_init(&w.io, p[1], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, bulk_write), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(w.status, CA_CLOSED);
    CA_ASSERT_EQ(w.io.err, EPIPE);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------- accept/connect */

typedef struct server {
    ca_go go;
    ca_io io, conn;
    int fd, n;
    char ra[16], line[16];
} server;

/* Accepts `n` connections, one after the other, and echoes one line on
** each. */
static int server_fn(ca_go *g)
{
    server *sv = (server *)g;

    GO_BEGIN(g);
    while (sv->n-- > 0) {
        ACCEPT(g, &sv->io, &sv->fd);
        CU_ASSERT_FATAL(GO_OK(g));
        CA_ASSERT_RC(ca_io_init(&sv->conn, sv->fd, sv->ra, sizeof sv->ra),
                     CA_OK);
        READ_LINE(g, &sv->conn, sv->line, sizeof sv->line);
        CU_ASSERT(GO_OK(g));
        WRITE_ALL(g, &sv->conn, sv->line, sv->conn.n);
        close(sv->fd);
    }
    GO_END(g);
}

typedef struct client {
    ca_go go;
    ca_io io;
    struct sockaddr_in addr;
    uint32_t ms;
    int connect_status, status;
    char ra[16], line[16];
} client;

static int client_fn(ca_go *g)
{
    client *c = (client *)g;

    GO_BEGIN(g);
    CONNECT(g, &c->io, (struct sockaddr *)&c->addr, sizeof c->addr, c->ms);
    c->connect_status = GO_STATUS(g);
    if (GO_OK(g)) {
        WRITE_ALL(g, &c->io, "ping\n", 5);
        READ_LINE(g, &c->io, c->line, sizeof c->line);
        c->status = GO_STATUS(g);
    }
    GO_END(g);
}

/* A listening socket on 127.0.0.1, an ephemeral port; its address. */
static int listener(struct sockaddr_in *a, int backlog)
{
    socklen_t len = sizeof *a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    CU_ASSERT_FATAL(fd >= 0);
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)a, sizeof *a) == 0);
    CU_ASSERT_FATAL(listen(fd, backlog) == 0);
    CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)a, &len) == 0);
    return fd;
}

static void client_init(client *c, const struct sockaddr_in *a, uint32_t ms)
{
    memset(c, 0, sizeof *c);
    c->addr = *a;
    c->ms = ms;
    c->connect_status = c->status = -100;
    CA_ASSERT_RC(ca_io_init(&c->io, socket(AF_INET, SOCK_STREAM, 0), c->ra,
                            sizeof c->ra), CA_OK);
}

static void stream_accept_connect(void)
{
    ca_sched s;
    server sv;
    client c[3];
    struct sockaddr_in a;
    int i;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&sv, 0, sizeof sv);
    sv.n = 3;
    CA_ASSERT_RC(ca_io_init(&sv.io, listener(&a, 8), NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &sv.go, server_fn), CA_OK);
    for (i = 0; i < 3; i++) {
        /* with and without a deadline (one that does not pass) */
        client_init(&c[i], &a, i == 0 ? CA_FOREVER : 10000);
        CA_ASSERT_RC(ca_go_start(&s, &c[i].go, client_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < 3; i++) {
        CA_ASSERT_RC(c[i].connect_status, CA_OK);
        CA_ASSERT_RC(c[i].status, CA_OK);
        CU_ASSERT_STRING_EQUAL(c[i].line, "ping\n");
        close(c[i].io.fd);
    }
    close(sv.io.fd);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Nobody listens: refused, with the errno kept. */
static void stream_connect_refused(void)
{
    ca_sched s;
    client c;
    struct sockaddr_in a;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    close(listener(&a, 1)); /* a port that was free a moment ago */
    client_init(&c, &a, 10000);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, client_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(c.connect_status, CA_EIO);
    CA_ASSERT_EQ(c.io.err, ECONNREFUSED);
    close(c.io.fd);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A listener whose queue is full drops the SYNs of a new connection, so
** that connect stays in progress. Its descriptor; the connections that
** fill it go to fill[0 .. *n). */
static int stalled_listener(struct sockaddr_in *a, int fill[8], int *n)
{
    int lfd = listener(a, 0), i, r, fl;

    *n = 0;
    for (i = 0; i < 8; i++) { /* fill the accept queue */
        fill[*n] = socket(AF_INET, SOCK_STREAM, 0);
        fl = fcntl(fill[*n], F_GETFL);
        CU_ASSERT_FATAL(fl >= 0 && fcntl(fill[*n], F_SETFL, fl | O_NONBLOCK) == 0);
        r = connect(fill[*n], (struct sockaddr *)a, sizeof *a);
        (*n)++;
        if (r < 0 && errno == EINPROGRESS &&
            ca_wait_fd_blocking(fill[*n - 1], CA_FD_WRITE, 200, NULL) ==
                CA_AGAIN)
            break; /* this one hangs: the queue is full */
    }
    return lfd;
}

/* The deadline ends a connect in progress with CA_AGAIN, and the
** scheduler then has nothing left (no timer lingers; its storage, made
** for the wait, is freed: valgrind and ASan runs say so). */
static void stream_connect_deadline(void)
{
    ca_sched s;
    client c;
    struct sockaddr_in a;
    int lfd, fill[8], i, n;

    if (!usable())
        return;
    lfd = stalled_listener(&a, fill, &n);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    client_init(&c, &a, 50);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, client_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(c.connect_status, CA_AGAIN);
    CA_ASSERT_EQ(c.io.err, ETIMEDOUT);
    close(c.io.fd);
    for (i = 0; i < n; i++)
        close(fill[i]);
    close(lfd);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

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

/* The deadline's timer cannot be allocated: CA_ENOMEM, the socket shut
** down, nothing left waiting. */
static void stream_connect_deadline_nomem(void)
{
    ca_sched s;
    client c;
    struct sockaddr_in a;
    int lfd, fill[8], i, n;

    if (!usable())
        return;
    lfd = stalled_listener(&a, fill, &n);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    client_init(&c, &a, 10000);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, client_fn), CA_OK);
    ca_set_allocator(flaky_alloc, NULL);
    fail_allocs = 1;
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    fail_allocs = 0;
    ca_set_allocator(NULL, NULL);
    CA_ASSERT_RC(c.connect_status, CA_ENOMEM);
    close(c.io.fd);
    for (i = 0; i < n; i++)
        close(fill[i]);
    close(lfd);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ----------------------------------- registrations kept across parks */

/* A connected pair of TCP sockets on 127.0.0.1 (a short read of a TCP
** socket says it is empty; of a Unix one, not). */
static void tcp_pair(int sv[2])
{
    struct sockaddr_in a;
    int lfd = listener(&a, 1);

    sv[0] = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(sv[0] >= 0);
    CU_ASSERT_FATAL(connect(sv[0], (struct sockaddr *)&a, sizeof a) == 0);
    sv[1] = accept(lfd, NULL, NULL);
    CU_ASSERT_FATAL(sv[1] >= 0);
    close(lfd);
}


/* Two blocks play ping-pong over a socket pair: every read finds nothing
** (the other side has not written yet), so every one of the `rounds`
** reads parks on a registration made once (io_epoll.c). A lost edge
** hangs. */
typedef struct pinger {
    ca_go go;
    ca_io io;
    uint32_t i, rounds, got;
    int first;
} pinger;

static int pinger_fn(ca_go *g)
{
    pinger *p = (pinger *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->rounds; p->i++) {
        if (p->first) {
            WRITE_ALL(g, &p->io, &p->i, sizeof p->i);
            CU_ASSERT_FATAL(GO_OK(g));
        }
        READ_EXACTLY(g, &p->io, &p->got, sizeof p->got);
        CU_ASSERT_FATAL(GO_OK(g));
        CA_ASSERT_EQ(p->got, p->i);
        if (!p->first) {
            WRITE_ALL(g, &p->io, &p->got, sizeof p->got);
            CU_ASSERT_FATAL(GO_OK(g));
        }
    }
    CU_ASSERT(p->io.flags & CA__IO_KNOWN); /* it did park */
    GO_END(g);
}

static void ping_pong(unsigned pool)
{
    ca_sched s;
    pinger p[2];
    int sv[2], i;

    tcp_pair(sv); /* each read short: the next one parks at once */
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(p, 0, sizeof p);
    for (i = 0; i < 2; i++) {
        p[i].rounds = CA_TEST_SMALL ? 100 : 2000;
        p[i].first = i == 0;
        CA_ASSERT_RC(ca_io_init(&p[i].io, sv[i], NULL, 0), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &p[i].go, pinger_fn), CA_OK);
    }
    if (pool) {
        CA_ASSERT_RC(ca_sched_start(&s, pool), CA_OK);
        CA_ASSERT_RC(ca_sched_stop(&s), CA_OK); /* waits for both */
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(p[0].i, p[0].rounds);
    CA_ASSERT_EQ(p[1].i, p[1].rounds);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

static void stream_ping_pong(void)
{
    if (usable())
        ping_pong(0);
}

static void stream_ping_pong_pool(void)
{
    if (usable() && CA_HAVE_THREADS)
        ping_pong(2);
}

/* Data that comes between a block's EAGAIN and its park: the edge is
** reported while nobody waits on the descriptor, and must answer the
** park (it would wait for ever for an edge that came already). Made so
** by hand: the block sees EAGAIN, makes the data come, and lets the
** poller run (a second block, woken through a pipe in the same poll,
** hands it a value) before it parks. */
typedef struct late {
    ca_go go;
    ca_io io;
    ca_chan *ch;
    int peer, kick, v, events;
    char c[2];
} late;

static int late_fn(ca_go *g)
{
    late *l = (late *)g;

    GO_BEGIN(g);
    /* A first park, so that the descriptor is registered and its ca_io
    ** knows it (nothing is there yet: it parks). The peer's block answers
    ** with the byte sent. */
    CA_ASSERT_EQ(write(l->io.fd, "a", 1), 1);
    READ_SOME(g, &l->io, l->c, 1);
    CU_ASSERT_FATAL(GO_OK(g));
    CU_ASSERT(l->io.flags & CA__IO_KNOWN);
    /* EAGAIN now, by hand, as a helper would see it. */
    CU_ASSERT_FATAL(read(l->io.fd, l->c, 1) < 0 && errno == EAGAIN);
    CA_ASSERT_EQ(write(l->peer, "b", 1), 1);  /* the edge nobody waits for */
    CA_ASSERT_EQ(write(l->kick, "k", 1), 1);  /* reported in the same poll */
    TAKE(g, l->ch, &l->v);
    CU_ASSERT_FATAL(GO_OK(g));
    l->io.events = CA_FD_READ;
    CA__GO_OP("WAIT", "io", ca__go_io_wait(g, &l->io, CA__SITE_REF), (void)0);
    CU_ASSERT_FATAL(GO_OK(g));
    l->events = GO_FD_EVENTS(g);
    READ_SOME(g, &l->io, l->c, 1);
    CU_ASSERT(GO_OK(g) && l->c[0] == 'b');
    GO_END(g);
}

typedef struct waker {
    ca_go go;
    ca_chan *ch;
    int fd, v;
    char c;
} waker;

/* Waits on its pipe, reads the kick, then wakes `late` through ch. */
static int waker_fn(ca_go *g)
{
    waker *w = (waker *)g;
    ssize_t r;

    GO_BEGIN(g);
    WAIT_FD(g, w->fd, CA_FD_READ);
    CU_ASSERT_FATAL(GO_OK(g));
    r = read(w->fd, &w->c, 1);
    CA_ASSERT_EQ(r, 1);
    PUT(g, w->ch, &w->v);
    GO_END(g);
}

/* The first read: the peer's byte "a" comes once `late` parked. */
typedef struct echo_a {
    ca_go go;
    ca_io io;
    char c;
} echo_a;

static int echo_a_fn(ca_go *g)
{
    echo_a *e = (echo_a *)g;

    GO_BEGIN(g);
    READ_EXACTLY(g, &e->io, &e->c, 1);
    CU_ASSERT_FATAL(GO_OK(g) && e->c == 'a');
    WRITE_ALL(g, &e->io, "a", 1); /* `late` has parked by now */
    GO_END(g);
}

static void stream_edge_before_park(void)
{
    ca_sched s;
    late l;
    waker w;
    echo_a e;
    ca_chan *ch;
    int sv[2], p[2];

    if (!usable())
        return;
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&ch, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    memset(&l, 0, sizeof l);
    memset(&w, 0, sizeof w);
    memset(&e, 0, sizeof e);
    CA_ASSERT_RC(ca_io_init(&l.io, sv[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_io_init(&e.io, sv[1], NULL, 0), CA_OK);
    l.ch = w.ch = ch;
    l.peer = sv[1];
    l.kick = p[1];
    w.fd = p[0];
    w.v = 7;
    CA_ASSERT_RC(ca_go_start(&s, &w.go, waker_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &l.go, late_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &e.go, echo_a_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(l.v, 7);
    CU_ASSERT(l.events & CA_FD_READ);
    CA_ASSERT_EQ(l.c[0], 'b');
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
}

/* An ALTS case on a descriptor taken back (a channel won): the
** registration stays in the kernel with nobody waiting; data then comes
** unwatched, and the stream helpers on that descriptor still read it and
** still park and wake on it afterwards. */
typedef struct alt_then_read {
    ca_go go;
    ca_io io;
    ca_alt cases[2];
    ca_chan *ch;
    int v, revents, won;
    char c[2];
} alt_then_read;

typedef struct alt_peer {
    ca_go go;
    ca_io io;
    ca_chan *ch;
    int v;
    char c;
} alt_peer;

static int alt_peer_fn(ca_go *g)
{
    alt_peer *p = (alt_peer *)g;

    GO_BEGIN(g);
    PUT(g, p->ch, &p->v); /* the ALTS parked (it started first): ch wins */
    WRITE_ALL(g, &p->io, "x", 1);
    READ_EXACTLY(g, &p->io, &p->c, 1); /* the reader says it has "x" */
    WRITE_ALL(g, &p->io, "y", 1);
    GO_END(g);
}

static int alt_reader_ack_fn(ca_go *g)
{
    alt_then_read *a = (alt_then_read *)g;

    GO_BEGIN(g);
    (void)ca_alt_fd(&a->cases[0], a->io.fd, CA_FD_READ, &a->revents);
    (void)ca_alt_take(&a->cases[1], a->ch, &a->v);
    ALTS(g, a->cases, 2, CA_ALTS_PRIORITY);
    a->won = GO_ALT(g);
    READ_EXACTLY(g, &a->io, &a->c[0], 1);
    CU_ASSERT_FATAL(GO_OK(g));
    WRITE_ALL(g, &a->io, "k", 1);
    READ_EXACTLY(g, &a->io, &a->c[1], 1);
    CU_ASSERT_FATAL(GO_OK(g));
    GO_END(g);
}

static void stream_after_alts_took_back(void)
{
    ca_sched s;
    alt_then_read a;
    alt_peer p;
    int sv[2];

    if (!usable())
        return;
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_chan_new(&a.ch, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    p.ch = a.ch;
    p.v = 5;
    a.won = -1;
    CA_ASSERT_RC(ca_io_init(&a.io, sv[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_io_init(&p.io, sv[1], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, alt_reader_ack_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, alt_peer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(a.won, 1);
    CA_ASSERT_EQ(a.v, 5);
    CA_ASSERT_EQ(a.c[0], 'x');
    CA_ASSERT_EQ(a.c[1], 'y');
    CA_ASSERT_EQ(p.c, 'k');
    CA_ASSERT_RC(ca_chan_free(a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

/* demo/chat's pattern: a line read (a short read: the descriptor is
** empty, and the next read would park at once), then an ALTS that waits
** on the descriptor and takes the next data's event, then READ_LINE. That
** READ_LINE must read, not park for an event that went to the ALTS. */
typedef struct alt_liner {
    ca_go go;
    ca_io io;
    ca_alt cases[2];
    ca_chan *ch;
    int v, revents, won;
    char ra[16], line[2][16];
} alt_liner;

static int alt_liner_fn(ca_go *g)
{
    alt_liner *a = (alt_liner *)g;

    GO_BEGIN(g);
    READ_LINE(g, &a->io, a->line[0], sizeof a->line[0]);
    CU_ASSERT_FATAL(GO_OK(g));
    CU_ASSERT(a->io.flags & CA__IO_DRAINED);
    WRITE_ALL(g, &a->io, "k", 1); /* the peer sends the next line now */
    (void)ca_alt_fd(&a->cases[0], a->io.fd, CA_FD_READ, &a->revents);
    (void)ca_alt_take(&a->cases[1], a->ch, &a->v);
    ALTS(g, a->cases, 2, CA_ALTS_PRIORITY);
    a->won = GO_ALT(g);
    READ_LINE(g, &a->io, a->line[1], sizeof a->line[1]);
    CU_ASSERT_FATAL(GO_OK(g));
    GO_END(g);
}

typedef struct line_peer {
    ca_go go;
    ca_io io;
    char c;
} line_peer;

static int line_peer_fn(ca_go *g)
{
    line_peer *p = (line_peer *)g;

    GO_BEGIN(g);
    WRITE_ALL(g, &p->io, "a\n", 2); /* the reader has parked */
    READ_EXACTLY(g, &p->io, &p->c, 1);
    WRITE_ALL(g, &p->io, "b\n", 2); /* the reader's ALTS has parked */
    GO_END(g);
}

static void stream_alts_after_short_read(void)
{
    ca_sched s;
    alt_liner a;
    line_peer p;
    int sv[2];

    if (!usable())
        return;
    tcp_pair(sv);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_chan_new(&a.ch, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    a.won = -1;
    CA_ASSERT_RC(ca_io_init(&a.io, sv[0], a.ra, sizeof a.ra), CA_OK);
    CA_ASSERT_RC(ca_io_init(&p.io, sv[1], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, alt_liner_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, line_peer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(a.won, 0);
    CU_ASSERT(a.revents & CA_FD_READ);
    CU_ASSERT_STRING_EQUAL(a.line[0], "a\n");
    CU_ASSERT_STRING_EQUAL(a.line[1], "b\n");
    CA_ASSERT_EQ(p.c, 'k');
    CA_ASSERT_RC(ca_chan_free(a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

/* A ca_io parked on a descriptor, which is then closed and its number
** given to a new one: ca_io_init again, and the helpers watch the new
** one (the kept registration was the old one's: it would hang). */
static void stream_number_reused(void)
{
    ca_sched s;
    pinger p[2];
    int sv[2], old[2], round, i;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(p, 0, sizeof p);
    for (round = 0; round < 3; round++) {
        CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        if (round > 0) { /* the lowest free numbers again */
            CA_ASSERT_EQ(sv[0], old[0]);
            CA_ASSERT_EQ(sv[1], old[1]);
        }
        for (i = 0; i < 2; i++) {
            p[i].rounds = 3;
            p[i].first = i == 0;
            /* the same ca_io each round, set up again */
            CA_ASSERT_RC(ca_io_init(&p[i].io, sv[i], NULL, 0), CA_OK);
            CU_ASSERT(!(p[i].io.flags & CA__IO_KNOWN));
            CA_ASSERT_RC(ca_go_start(&s, &p[i].go, pinger_fn), CA_OK);
        }
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_EQ(p[1].i, 3);
        close(sv[0]);
        close(sv[1]);
        old[0] = sv[0];
        old[1] = sv[1];
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}


/* ------------------------------------------ 1,000 connections at once */

#define NCONN (CA_TEST_SMALL ? 10 : 1000)
#define NLINES 10

typedef struct echo_conn {
    ca_go go;
    ca_io io;
    char ra[128], line[80];
    int view; /* READ_LINE_VIEW */
} echo_conn;

static unsigned long lines_echoed;

static int echo_conn_fn(ca_go *g)
{
    echo_conn *c = (echo_conn *)g;

    GO_BEGIN(g);
    for (;;) {
        if (c->view) {
            READ_LINE_VIEW(g, &c->io);
            if (!GO_OK(g))
                break;
            WRITE_ALL(g, &c->io, CA_IO_LINE(&c->io), c->io.n);
        } else {
            READ_LINE(g, &c->io, c->line, sizeof c->line);
            if (GO_CLOSED(g))
                break;
            WRITE_ALL(g, &c->io, c->line, c->io.n);
        }
        if (GO_CLOSED(g))
            break;
        __atomic_add_fetch(&lines_echoed, 1ul, __ATOMIC_RELAXED);
    }
    close(c->io.fd);
    GO_END(g);
}

typedef struct acceptor {
    ca_go go;
    ca_io io;
    int fd, left;
    echo_conn *c;
} acceptor;

static int acceptor_fn(ca_go *g)
{
    acceptor *a = (acceptor *)g;

    GO_BEGIN(g);
    for (; a->left > 0; a->left--) {
        ACCEPT(g, &a->io, &a->fd);
        CU_ASSERT_FATAL(GO_OK(g));
        CU_ASSERT_FATAL(ca_go_new((ca_go **)&a->c, sizeof *a->c) == CA_OK);
        CA_ASSERT_RC(ca_io_init(&a->c->io, a->fd, a->c->ra,
                                sizeof a->c->ra), CA_OK);
        a->c->view = a->left & 1; /* half the connections read in place */
        CA_ASSERT_RC(ca_go_start(ca_go_sched(g), &a->c->go, echo_conn_fn),
                     CA_OK);
    }
    GO_END(g);
}

/* Sends NLINES lines of 64 bytes, each its own, and checks every echo
** byte for byte. */
typedef struct talker {
    ca_go go;
    ca_io io;
    struct sockaddr_in addr;
    int id, k, ok;
    char ra[128], out[80], in[80];
} talker;

static int talker_fn(ca_go *g)
{
    talker *t = (talker *)g;

    GO_BEGIN(g);
    CONNECT(g, &t->io, (struct sockaddr *)&t->addr, sizeof t->addr,
            CA_FOREVER);
    CU_ASSERT_FATAL(GO_OK(g));
    for (t->k = 0; t->k < NLINES; t->k++) {
        memset(t->out, 'a' + (t->id + t->k) % 26, 63);
        sprintf(t->out, "%05d %05d ", t->id, t->k);
        t->out[12] = '.'; /* over sprintf's NUL */
        t->out[63] = '\n';
        t->out[64] = '\0';
        WRITE_ALL(g, &t->io, t->out, 64);
        if (GO_CLOSED(g))
            break;
        READ_LINE(g, &t->io, t->in, sizeof t->in);
        if (GO_CLOSED(g))
            break;
        t->ok += t->io.n == 64 && memcmp(t->in, t->out, 65) == 0;
    }
    close(t->io.fd);
    GO_END(g);
}

static void thousand(unsigned pool)
{
    ca_sched s;
    acceptor *a = calloc(1, sizeof *a);
    talker *t = calloc(NCONN, sizeof *t);
    ca_chan *res = NULL;
    struct sockaddr_in addr;
    int i, sum = 0;

    CU_ASSERT_FATAL(a != NULL && t != NULL);
    lines_echoed = 0;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    a->left = NCONN;
    CA_ASSERT_RC(ca_io_init(&a->io, listener(&addr, NCONN), NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a->go, acceptor_fn), CA_OK);
    for (i = 0; i < NCONN; i++) {
        t[i].id = i;
        t[i].addr = addr;
        CA_ASSERT_RC(ca_io_init(&t[i].io, socket(AF_INET, SOCK_STREAM, 0),
                                t[i].ra, sizeof t[i].ra), CA_OK);
        if (i == NCONN - 1 && pool)
            CA_ASSERT_RC(ca_go_result(&t[i].go, 0, &res), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &t[i].go, talker_fn), CA_OK);
    }
    if (pool) {
        /* The pool carries the bulk until the last talker ended; what
        ** may remain then runs here, after the pool stopped. */
        CA_ASSERT_RC(ca_sched_start(&s, pool), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(res, NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(res), CA_OK);
        CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < NCONN; i++)
        sum += t[i].ok;
    CA_ASSERT_EQ(sum, NCONN * NLINES);
    CA_ASSERT_EQ(lines_echoed, NCONN * NLINES);
    close(a->io.fd);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    free(a);
    free(t);
}

/* 2,000 descriptors at once: raise the soft limit if it is lower. */
static int enough_fds(void)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return 0;
    if (r.rlim_cur < 2 * NCONN + 64 && r.rlim_max >= 2 * NCONN + 64) {
        r.rlim_cur = 2 * NCONN + 64;
        (void)setrlimit(RLIMIT_NOFILE, &r);
    }
    return getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur >= 2 * NCONN + 64;
}

static void stream_thousand(void)
{
    if (usable() && enough_fds())
        thousand(0);
}

static void stream_thousand_pool(void)
{
    if (usable() && enough_fds() && CA_HAVE_THREADS)
        thousand(2);
}

/* --------------------------------------------------------- bad input */

typedef struct bad {
    ca_go go;
    ca_io io;
    char buf[4];
    char *at;
    int st[8];
} bad;

static int bad_fn(ca_go *g)
{
    bad *b = (bad *)g;

    GO_BEGIN(g);
    READ_SOME(g, &b->io, NULL, 4);
    b->st[0] = GO_STATUS(g);
    READ_EXACTLY(g, &b->io, b->buf, 0);
    b->st[1] = GO_STATUS(g);
    READ_LINE(g, &b->io, b->buf, sizeof b->buf); /* no read-ahead */
    b->st[2] = GO_STATUS(g);
    WRITE_ALL(g, &b->io, NULL, 1);
    b->st[3] = GO_STATUS(g);
    ACCEPT(g, &b->io, NULL);
    b->st[4] = GO_STATUS(g);
    CONNECT(g, &b->io, NULL, 0, CA_FOREVER);
    b->st[5] = GO_STATUS(g);
    READ_LINE_VIEW(g, &b->io); /* no read-ahead */
    b->st[6] = GO_STATUS(g);
    b->at = CA_IO_LINE(&b->io);
    READ_LINE_VIEW(g, NULL);
    b->st[7] = GO_STATUS(g);
    GO_END(g);
}

static void stream_bad_input(void)
{
    ca_sched s;
    bad b;
    ca_io io;
    char ra[4];
    int p[2], i;

    CA_ASSERT_RC(ca_io_init(NULL, 0, NULL, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_io_init(&io, -1, NULL, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_io_init(&io, 0, ra, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_io_init(&io, 0, NULL, 4), CA_EINVAL);
    if (!usable())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    close(p[1]);
    close(p[0]);
    CA_ASSERT_RC(ca_io_init(&io, p[0], NULL, 0), CA_EIO); /* not open */
    CA_ASSERT_EQ(io.err, EBADF);
    CA_ASSERT_EQ(pipe(p), 0);
    memset(&b, 0, sizeof b);
    CA_ASSERT_RC(ca_io_init(&b.io, p[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, bad_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < 8; i++)
        CA_ASSERT_RC(b.st[i], CA_EINVAL);
    CU_ASSERT_PTR_NULL(b.at);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

/* What READ_LINE read past a newline is counted by CA_IO_BUFFERED, and
** handed out before the descriptor is read again. */
typedef struct ahead {
    ca_go go;
    ca_io io;
    char ra[16];
    char line[16];
    size_t left[3];
} ahead;

static int ahead_fn(ca_go *g)
{
    ahead *a = (ahead *)g;

    GO_BEGIN(g);
    a->left[0] = CA_IO_BUFFERED(&a->io);
    READ_LINE(g, &a->io, a->line, sizeof a->line);
    CU_ASSERT_STRING_EQUAL(a->line, "one\n");
    a->left[1] = CA_IO_BUFFERED(&a->io);
    READ_LINE(g, &a->io, a->line, sizeof a->line);
    CU_ASSERT_STRING_EQUAL(a->line, "two\n");
    a->left[2] = CA_IO_BUFFERED(&a->io);
    GO_END(g);
}

static void stream_buffered(void)
{
    ca_sched s;
    ahead a;
    int p[2];

    if (!usable())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_EQ(write(p[1], "one\ntwo\n", 8), 8);
    memset(&a, 0, sizeof a);
    CA_ASSERT_RC(ca_io_init(&a.io, p[0], a.ra, sizeof a.ra), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, ahead_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(a.left[0], 0);
    CA_ASSERT_EQ(a.left[1], 4); /* "two\n", read with the first line */
    CA_ASSERT_EQ(a.left[2], 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

static const ca_test tests[] = {
    {"stream_lines", stream_lines},
    {"stream_lines_pipe", stream_lines_pipe},
    {"stream_buffered", stream_buffered},
    {"stream_line_too_long", stream_line_too_long},
    {"stream_view_lines", stream_view_lines},
    {"stream_view_too_long", stream_view_too_long},
    {"stream_view_mixed", stream_view_mixed},
    {"stream_reset_after_data", stream_reset_after_data},
    {"stream_bulk", stream_bulk},
    {"stream_bulk_pool", stream_bulk_pool},
    {"stream_eof_and_epipe", stream_eof_and_epipe},
    {"stream_accept_connect", stream_accept_connect},
    {"stream_connect_refused", stream_connect_refused},
    {"stream_connect_deadline", stream_connect_deadline},
    {"stream_connect_deadline_nomem", stream_connect_deadline_nomem},
    {"stream_ping_pong", stream_ping_pong},
    {"stream_ping_pong_pool", stream_ping_pong_pool},
    {"stream_edge_before_park", stream_edge_before_park},
    {"stream_after_alts_took_back", stream_after_alts_took_back},
    {"stream_number_reused", stream_number_reused},
    {"stream_alts_after_short_read", stream_alts_after_short_read},
    {"stream_thousand", stream_thousand},
    {"stream_thousand_pool", stream_thousand_pool},
    {"stream_bad_input", stream_bad_input},
    {NULL, NULL}};

#else /* no malloc: what can be done without waiting works, waiting is
      ** CA_ENOTSUP (WAIT_FD's limit), and says so */

typedef struct nm {
    ca_go go;
    ca_io io;
    char buf[8];
    int st[2];
    size_t n;
} nm;

static int nm_fn(ca_go *g)
{
    nm *b = (nm *)g;

    GO_BEGIN(g);
    READ_SOME(g, &b->io, b->buf, sizeof b->buf);
    b->st[0] = GO_STATUS(g);
    b->n = b->io.n;
    READ_SOME(g, &b->io, b->buf, sizeof b->buf);
    b->st[1] = GO_STATUS(g);
    GO_END(g);
}

static void stream_without_malloc(void)
{
    ca_sched s;
    nm b;
    int p[2];

    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_EQ(write(p[1], "hi", 2), 2);
    memset(&b, 0, sizeof b);
    CA_ASSERT_RC(ca_io_init(&b.io, p[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, nm_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(b.st[0], CA_OK);
    CA_ASSERT_EQ(b.n, 2);
    CA_ASSERT_RC(b.st[1], CA_ENOTSUP);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

static const ca_test tests[] = {
    {"stream_without_malloc", stream_without_malloc},
    {NULL, NULL}};

#endif

CA_TEST_MAIN("stream", tests)
