/*
** bridge_host.c: the host end of demo/firmware/bridge.c, a POSIX program
** on the ordinary build (ca_bridge_out/in on a descriptor).
**
**   bridge_host SOCKET [N]
**
** listens on the Unix socket SOCKET for QEMU's serial port (QEMU
** connects to it: -chardev socket,path=SOCKET), sends N integers (1,000
** by default) through a bridge out, checks that each comes back doubled,
** in order, through a bridge in, and closes its channel; the end frame
** must then come back (the board closed its side). Prints one line and
** exits 0 when every reply was right, 1 otherwise. Bounded: it gives up
** (and says so) when no connection comes in 60 s or the exchange has not
** ended 120 s later. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <coreasync.h>

static int32_t value(unsigned i) /* negative ones too */
{
    return (int32_t)(i * 37u) - 18000;
}

struct producer {
    ca_go go;
    ca_chan *ch;
    unsigned i, n;
    int32_t v;
};

static int produce(ca_go *g)
{
    struct producer *p = (struct producer *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->v = value(p->i);
        PUT(g, p->ch, &p->v);
        if (GO_CLOSED(g))
            break;
    }
    (void)ca_close(p->ch); /* the bridge out sends the end frame */
    GO_END(g);
}

struct checker {
    ca_go go;
    ca_chan *ch;
    unsigned i, bad;
    int32_t v;
};

static int check(ca_go *g)
{
    struct checker *c = (struct checker *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, c->ch, &c->v);
        if (GO_CLOSED(g))
            break;
        if (c->v != 2 * value(c->i)) {
            if (c->bad++ < 5)
                fprintf(stderr, "bridge_host: reply %u is %ld, not %ld\n",
                        c->i, (long)c->v, 2L * value(c->i));
        }
        c->i++;
    }
    GO_END(g);
}

static void on_alarm(int sig)
{
    static const char msg[] = "bridge_host: timed out\n";

    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(1);
    _exit(1);
}

/* The listening socket, then the one connection QEMU makes. */
static int serve(const char *path)
{
    struct sockaddr_un a;
    struct pollfd p;
    int l, c;

    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "bridge_host: socket path too long\n");
        return -1;
    }
    strcpy(a.sun_path, path);
    (void)unlink(path);
    if ((l = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
        bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0) {
        perror("bridge_host: listen");
        return -1;
    }
    p.fd = l;
    p.events = POLLIN;
    if (poll(&p, 1, 60000) != 1 || (c = accept(l, NULL, NULL)) < 0) {
        fprintf(stderr, "bridge_host: no connection from QEMU\n");
        return -1;
    }
    close(l);
    (void)unlink(path);
    return c;
}

int main(int argc, char **argv)
{
    static unsigned char obuf[CA_BRIDGE_BUF(4)], ibuf[256];
    ca_bridge out, in;
    struct producer p;
    struct checker c;
    ca_chan *to_board, *from_board;
    int fd, ok;

    if (argc < 2) {
        fprintf(stderr, "usage: bridge_host SOCKET [N]\n");
        return 2;
    }
    (void)signal(SIGPIPE, SIG_IGN);
    (void)signal(SIGALRM, on_alarm);
    (void)alarm(180);
    if ((fd = serve(argv[1])) < 0)
        return 1;
    memset(&out, 0, sizeof out);
    memset(&in, 0, sizeof in);
    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    p.n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000u;
    if (ca_chan_new(&to_board, CA_FIXED, 16, sizeof(int32_t)) != CA_OK ||
        ca_chan_new(&from_board, CA_FIXED, 16, sizeof(int32_t)) != CA_OK)
        return 1;
    p.ch = to_board;
    c.ch = from_board;
    if (ca_go_start(NULL, &p.go, produce) != CA_OK ||
        ca_go_start(NULL, &c.go, check) != CA_OK ||
        ca_bridge_out(&out, NULL, to_board, fd, obuf, sizeof obuf) !=
            CA_OK ||
        ca_bridge_in(&in, NULL, fd, from_board, ibuf, sizeof ibuf) != CA_OK)
        return 1;
    if (ca_sched_run(NULL) != CA_OK)
        return 1;
    /* Every value went, every reply came back doubled, the board's end
    ** frame closed our channel (not the end of file). */
    ok = out.status == CA_OK && out.frames == p.n && in.status == CA_OK &&
         c.i == p.n && c.bad == 0 && in.corrupt == 0;
    printf("bridge_host: %lu values sent, %u replies, %u wrong, %lu "
           "damaged; bridge out %s, bridge in %s\n",
           out.frames, c.i, c.bad, in.corrupt, ca_err_name(out.status),
           ca_err_name(in.status));
    close(fd);
    (void)ca_chan_free(to_board);
    (void)ca_chan_free(from_board);
    return ok ? 0 : 1;
}
