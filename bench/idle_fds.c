/*
** idle_fds.c: what parked connections cost the one that talks. N go
** blocks wait on sockets that never speak, while two blocks play
** ping-pong over one more socket pair, on one scheduler; prints the
** round trip in ns. Each round trip is two idle waits of the scheduler:
** with poll(2) each copies and scans all N + 3 descriptors, with epoll
** it returns the one ready (src/io_epoll.c's top). Build it with
** `make bench/idle_fds`, in a build configured with and without
** --disable-epoll:
**
**     bench/idle_fds [PARKED [ROUNDS]]     (default 1000 20000)
**
** MIT licence, see COPYING.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <coreasync.h>

#if defined(CA_USE_EPOLL)
#define BACKEND "epoll"
#else
#define BACKEND "poll"
#endif

typedef struct parked {
    ca_go go;
    int fd;
} parked;

static int parked_fn(ca_go *g)
{
    parked *p = (parked *)g;

    GO_BEGIN(g);
    WAIT_FD(g, p->fd, CA_FD_READ); /* until the end: its peer closes */
    GO_END(g);
}

typedef struct player {
    ca_go go;
    int fd, serve;
    long left;
    char c;
} player;

static long nparked;
static int *peer;     /* the other ends of the parked sockets */
static double t1;     /* when the server's last ball went */

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One serves (writes first), the other sends each ball back. */
static int player_fn(ca_go *g)
{
    player *p = (player *)g;

    GO_BEGIN(g);
    while (p->left-- > 0) {
        if (!p->serve) {
            WAIT_FD(g, p->fd, CA_FD_READ);
            if (read(p->fd, &p->c, 1) != 1)
                break;
        }
        p->serve = 0;
        if (write(p->fd, &p->c, 1) != 1)
            break;
    }
    if (p->serve == 0 && p->left < 0 && peer != NULL && t1 == 0) {
        long i;

        t1 = now_ns();
        for (i = 0; i < nparked; i++)
            close(peer[i]); /* the parked blocks see the hang-up, end */
    }
    GO_END(g);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long rounds = argc > 2 ? atol(argv[2]) : 20000, i;
    parked *p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
    static player a, b;
    struct rlimit rl;
    ca_sched s;
    int sv[2];
    double t0;

    peer = calloc((size_t)(n > 0 ? n : 1), sizeof *peer);
    nparked = n;
    if (p == NULL || peer == NULL || ca_sched_init(&s) != CA_OK)
        return 1;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (i = 0; i < n; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
            perror("socketpair");
            return 1;
        }
        p[i].fd = sv[0];
        peer[i] = sv[1];
        if (ca_go_start(&s, &p[i].go, parked_fn) != CA_OK)
            return 1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    a.fd = sv[0];
    a.left = rounds;
    b.fd = sv[1];
    b.left = rounds;
    b.serve = 1;
    if (ca_go_start(&s, &a.go, player_fn) != CA_OK ||
        ca_go_start(&s, &b.go, player_fn) != CA_OK)
        return 1;
    t0 = now_ns(); /* (the parked blocks park first: they were started first) */
    if (ca_sched_run(&s) != CA_OK || ca_sched_destroy(&s) != CA_OK)
        return 1;
    printf("idle_fds (%s): %ld parked, %ld round trips: %.0f ns each\n",
           BACKEND, n, rounds, (t1 - t0) / (double)rounds);
    for (i = 0; i < n; i++)
        close(p[i].fd);
    close(a.fd);
    close(b.fd);
    free(p);
    free(peer);
    return 0;
}
