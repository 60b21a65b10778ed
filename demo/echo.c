/*
** echo.c: a TCP echo server, one go block per connection.
**
** What it teaches: a server without threads or callbacks. The listening
** block parks in ACCEPT; each connection is a go block of its own that
** parks in READ_LINE_VIEW and WRITE_ALL (stream.h): the code reads top to
** bottom as a blocking server would, yet one thread serves them all, and a
** parked connection costs its struct, not a stack.
**
** `demo/echo PORT` serves 127.0.0.1:PORT until killed (try
** `nc 127.0.0.1 PORT`). `demo/echo` alone checks itself: it serves an
** ephemeral port to CLIENTS client go blocks of its own, in the same
** scheduler, each sending LINES lines and checking every echo, and
** prints:
**
**     client 0: 3 lines echoed
**     ...
**     server: 8 connections, 24 lines echoed
**
** MIT licence, see COPYING.
*/
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LESSON_OWN_MAIN /* it takes a PORT (and --trace FILE) */
#include "lesson.h"

#if CA_HAVE_MALLOC /* ca_go_new, ca_chan_new; the end of the file */

#define CLIENTS 8
#define LINES 3

static unsigned long echoed; /* lines, over all connections */

/* ------------------------------------------------------------ server */

/* One connection: what must survive a park lives here. Its one buffer is
** the read-ahead: READ_LINE_VIEW leaves each line there, and CA_IO_LINE
** says where (READ_LINE would copy it into a second buffer of ours). */
typedef struct conn {
    ca_go go;
    ca_io io;
    char ra[512];
} conn;

static int conn_fn(ca_go *g)
{
    conn *c = (conn *)g;

    GO_BEGIN(g);
    for (;;) {
        READ_LINE_VIEW(g, &c->io);
        if (GO_STATUS(g) == CA_CLOSED || (GO_ERROR(g) &&
                                          GO_STATUS(g) != CA_ERANGE))
            break; /* hung up, or an error: this connection is over */
        /* A long line comes, and goes, in pieces. */
        WRITE_ALL(g, &c->io, CA_IO_LINE(&c->io), c->io.n);
        if (GO_CLOSED(g))
            break;
        echoed++;
    }
    close(c->io.fd);
    GO_END(g); /* ca_go_new's struct is freed by the scheduler */
}

typedef struct server {
    ca_go go;
    ca_io io;
    int fd;
    long left;       /* connections still to take; -1: for ever */
    unsigned long served;
    conn *c;
} server;

static int server_fn(ca_go *g)
{
    server *s = (server *)g;

    GO_BEGIN(g);
    while (s->left != 0) {
        ACCEPT(g, &s->io, &s->fd);
        if (GO_CLOSED(g)) {
            fprintf(stderr, "accept: %s\n", strerror(s->io.err));
            break;
        }
        check(ca_go_new((ca_go **)&s->c, sizeof *s->c), "ca_go_new");
        check(ca_io_init(&s->c->io, s->fd, s->c->ra, sizeof s->c->ra),
              "ca_io_init");
        check(ca_go_start(ca_go_sched(g), &s->c->go, conn_fn), "ca_go_start");
        s->served++;
        if (s->left > 0)
            s->left--;
    }
    GO_END(g);
}

/* A listening socket on 127.0.0.1:port (0: one the kernel picks). */
static int listen_on(unsigned short port, struct sockaddr_in *a)
{
    socklen_t len = sizeof *a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                             sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)a, sizeof *a) != 0 ||
        listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)a, &len) != 0) {
        perror("listen");
        exit(EXIT_FAILURE);
    }
    return fd;
}

/* ------------------------------------------------------------ clients */

typedef struct client {
    ca_go go;
    ca_io io;
    struct sockaddr_in addr;
    int id, k, ok;
    char ra[64], out[64], in[64];
} client;

static int client_fn(ca_go *g)
{
    client *c = (client *)g;

    GO_BEGIN(g);
    CONNECT(g, &c->io, (struct sockaddr *)&c->addr, sizeof c->addr, 5000);
    if (GO_CLOSED(g)) {
        fprintf(stderr, "client %d: connect: %s\n", c->id,
                strerror(c->io.err));
        GO_RETURN(g, &c->ok);
    }
    for (c->k = 0; c->k < LINES; c->k++) {
        sprintf(c->out, "line %d of client %d\n", c->k, c->id);
        WRITE_ALL(g, &c->io, c->out, strlen(c->out));
        if (GO_CLOSED(g))
            break;
        READ_LINE(g, &c->io, c->in, sizeof c->in);
        if (GO_CLOSED(g))
            break;
        if (strcmp(c->in, c->out) == 0)
            c->ok++;
    }
    close(c->io.fd); /* the server's READ_LINE sees the end of file */
    GO_END(g);
}

int main(int argc, char **argv)
{
    static server srv;
    static client cl[CLIENTS];
    struct sockaddr_in a;
    unsigned short port;
    int i;

    demo_trace(&argc, argv);
    if (ca_wait_fd_blocking(0, CA_FD_READ, 0, NULL) == CA_ENOTSUP) {
        fprintf(stderr, "needs descriptors (poll)\n");
        return LESSON_SKIP;
    }
    (void)signal(SIGPIPE, SIG_IGN); /* a client gone: CA_CLOSED instead */
    srv.left = argc > 1 ? -1 : CLIENTS;
    port = argc > 1 ? (unsigned short)atoi(argv[1]) : 0;
    check(ca_io_init(&srv.io, listen_on(port, &a), NULL, 0), "ca_io_init");
    check(ca_go_start(NULL, &srv.go, server_fn), "ca_go_start");
    if (argc > 1)
        printf("echo server on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
    for (i = 0; argc == 1 && i < CLIENTS; i++) {
        cl[i].id = i;
        cl[i].addr = a;
        check(ca_io_init(&cl[i].io, socket(AF_INET, SOCK_STREAM, 0),
                         cl[i].ra, sizeof cl[i].ra), "ca_io_init");
        check(ca_go_start(NULL, &cl[i].go, client_fn), "ca_go_start");
    }
    fflush(stdout);
    check(ca_sched_run(NULL), "ca_sched_run");
    for (i = 0; argc == 1 && i < CLIENTS; i++)
        printf("client %d: %d lines echoed\n", i, cl[i].ok);
    printf("server: %lu connections, %lu lines echoed\n", srv.served, echoed);
    close(srv.io.fd);
    return 0;
}

#else

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "needs malloc\n");
    return LESSON_SKIP;
}

#endif
