/*
** pipeline2.c: a pipeline across two processes, joined by a socket pair.
**
** What it teaches: channels that cross a process boundary. The parent
** puts the numbers 1 to N on a channel; a bridge (bridge.h) writes them
** to one end of a socket pair as checked frames. In the child (fork), a
** bridge reads them back onto a channel of its own, a go block squares
** them, and another bridge sends the squares back the same way. Each
** process runs its own scheduler; neither knows there is a socket in
** between.
**
** Closing is the protocol: the parent closes its channel of numbers, an
** end frame goes, the child's channel closes, its squarer ends and closes
** its output, an end frame comes back, and the parent's channel of squares
** closes. Nobody counts, and nobody sends a "stop" value.
**
** What it prints:
**
**     squares: 1 4 9 16 25 36 49 64 81 100
**     sum of squares of 1..10: 385
**     frames: 10 out, 10 in, 0 corrupt
**     child: exit status 0
**
** MIT licence, see COPYING.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lesson.h"

#if CA_HAVE_MALLOC /* ca_go_new, ca_chan_new; the end of the file */

#define N 10

/* The values cross as bytes: both processes are this program, so an
** int32_t has the same layout on both sides. */
typedef struct stage {
    ca_go go;
    ca_chan *in, *out;
    int32_t v;
    long sum;
    int print;
} stage;

/* Parent: puts 1..N, then closes: that is the end of the stream. */
static int numbers(ca_go *g)
{
    stage *s = (stage *)g;

    GO_BEGIN(g);
    for (s->v = 1; s->v <= N; s->v++) {
        PUT(g, s->out, &s->v);
        if (GO_CLOSED(g))
            break;
    }
    ca_close(s->out);
    GO_END(g);
}

/* Child: squares what comes until its input closes, then closes its
** output. */
static int square(ca_go *g)
{
    stage *s = (stage *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, s->in, &s->v);
        if (GO_CLOSED(g))
            break;
        s->v *= s->v;
        PUT(g, s->out, &s->v);
        if (GO_CLOSED(g))
            break;
    }
    ca_close(s->out);
    GO_END(g);
}

/* Parent: prints the squares as they come back, and adds them up. */
static int collect(ca_go *g)
{
    stage *s = (stage *)g;

    GO_BEGIN(g);
    printf("squares:");
    for (;;) {
        TAKE(g, s->in, &s->v);
        if (GO_CLOSED(g))
            break;
        printf(" %ld", (long)s->v);
        s->sum += s->v;
    }
    printf("\nsum of squares of 1..%d: %ld\n", N, s->sum);
    GO_END(g);
}

static ca_chan *chan(void)
{
    ca_chan *ch;

    check(ca_chan_new(&ch, CA_FIXED, 4, sizeof(int32_t)), "ca_chan_new");
    return ch;
}

/* Both directions of one socket: a bridge out and a bridge in. */
static ca_bridge out, in;
static unsigned char obuf[CA_BRIDGE_BUF(sizeof(int32_t))], ibuf[256];

static void bridges(int fd, ca_chan *send, ca_chan *recv)
{
    check(ca_bridge_out(&out, NULL, send, fd, obuf, sizeof obuf),
          "ca_bridge_out");
    check(ca_bridge_in(&in, NULL, fd, recv, ibuf, sizeof ibuf),
          "ca_bridge_in");
}

static int child(int fd)
{
    static stage sq;

    sq.in = chan();
    sq.out = chan();
    bridges(fd, sq.out, sq.in);
    check(ca_go_start(NULL, &sq.go, square), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    return out.status == CA_OK && in.status == CA_OK && in.corrupt == 0
               ? 0
               : 1;
}

int main(void)
{
    static stage gen, col;
    int sv[2], status;
    pid_t pid;

    if (ca_wait_fd_blocking(0, CA_FD_READ, 0, NULL) == CA_ENOTSUP) {
        fprintf(stderr, "needs descriptors (poll)\n");
        return LESSON_SKIP;
    }
    (void)signal(SIGPIPE, SIG_IGN);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    fflush(stdout);
    if ((pid = fork()) < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) { /* the child: its own scheduler, made after the fork */
        close(sv[0]);
        _exit(child(sv[1]));
    }
    close(sv[1]);
    gen.out = chan();
    col.in = chan();
    bridges(sv[0], gen.out, col.in);
    check(ca_go_start(NULL, &gen.go, numbers), "ca_go_start");
    check(ca_go_start(NULL, &col.go, collect), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("frames: %lu out, %lu in, %lu corrupt\n", out.frames, in.frames,
           in.corrupt);
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    printf("child: exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status)
                                                         : -1);
    close(sv[0]);
    return 0;
}

#else

int main(void)
{
    fprintf(stderr, "needs malloc\n");
    return LESSON_SKIP;
}

#endif
