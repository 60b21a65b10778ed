/*
** pingpong.c: two go blocks bat a ball back and forth over two channels.
**
** What it teaches: the shape of a go block (a struct that begins with
** `ca_go`, a function between GO_BEGIN and GO_END), TAKE and PUT on
** unbuffered channels, GO_CLOSED and GO_ERROR (the channel closed, or the
** op failed), and closing a channel to tell the other side "we are
** done".
**
** What it prints: `demo/pingpong [N]` plays N hits (default 10). For
** N <= 20 it prints every hit, then always a final line:
**
**     ping 1
**     pong 2
**     ...
**     pong 10
**     game over after 10 hits (ping 5, pong 5)
**
** MIT licence, see COPYING.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <coreasync.h>

#include "trace.h" /* --trace FILE */

/* Print every hit up to this many; a long game only prints its score. */
#define VERBOSE_MAX 20

/* Exits with a message if a library call failed. Statuses (CA_OK, and the
** positive CA_CLOSED and CA_AGAIN) are not failures; negative codes are. */
static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "pingpong: %s: %s\n", what, ca_strerror(rc));
        exit(EXIT_FAILURE);
    }
}

/*
** A player's state. A go block has no stack of its own: every TAKE or PUT
** may *park* it, which really returns from the function below, and when
** the ball arrives the scheduler calls the function again and it jumps
** back to the line where it parked. Local variables would be gone by
** then, so everything the player needs across a park lives here.
*/
struct player {
    ca_go go;               /* first member: the go-block header          */
    const char *name;
    ca_chan *in;            /* the ball comes to us on this channel       */
    ca_chan *out;           /* and we hit it back on this one             */
    int ball;               /* the ball is a counter of hits so far       */
    int hits;               /* how many of those were ours                */
    int serves;             /* 1: we start with the ball                  */
    int limit;              /* the game ends at this many hits            */
};

static int player(ca_go *g)
{
    struct player *p = (struct player *)g;

    GO_BEGIN(g);
    for (;;) {
        if (p->serves) {
            p->serves = 0;  /* the server holds the ball (at 0) already */
        } else {
            /* Wait for the ball. An unbuffered channel is a rendezvous:
            ** this parks until the partner PUTs, or closes the channel. */
            TAKE(g, p->in, &p->ball);
            if (GO_CLOSED(g)) {
                /* No ball, and none will come: either the partner closed
                ** the channel (the game is over) or the take was refused
                ** with an error. GO_ERROR tells them apart: an error is
                ** a bug, not the end of the game, so say so. */
                if (GO_ERROR(g))
                    check(GO_STATUS(g), "TAKE");
                break;
            }
        }

        p->ball++;
        p->hits++;
        if (p->limit <= VERBOSE_MAX)
            printf("%s %d\n", p->name, p->ball);

        if (p->ball >= p->limit)
            break;          /* the last hit: nothing to send back */

        /* Hit it back. The PUT parks until the partner takes the ball;
        ** it reads p->ball at that moment, which is why the ball lives in
        ** the struct and not in a local. */
        PUT(g, p->out, &p->ball);
        if (GO_CLOSED(g)) { /* not taken: closed, or an error */
            if (GO_ERROR(g))
                check(GO_STATUS(g), "PUT");
            break;          /* the partner left: nobody to play with */
        }
    }

    /* Whoever stops first closes its outgoing channel: the partner, parked
    ** in TAKE on it, wakes with GO_CLOSED and stops too. Closing carries
    ** no value, so no ball number has to be stolen to mean "game over".
    ** (When we stop because the partner closed, closing ours is harmless:
    ** nobody waits on it any more.) */
    check(ca_close(p->out), "ca_close");
    GO_END(g);
}

/* Reads N from argv[1]: a whole number from 1 to INT_MAX. */
static int parse_count(int argc, char **argv, int dflt)
{
    char *end;
    long n;

    if (argc < 2)
        return dflt;
    errno = 0;
    n = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || n < 1 ||
        n > INT_MAX) {
        fprintf(stderr, "usage: pingpong [N]  (N hits, 1 or more)\n");
        exit(EXIT_FAILURE);
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    /* Everything lives in main's frame: no allocation at all. Go blocks
    ** and channels only need storage that outlives their use. */
    ca_sched sched;
    ca_chan to_ping, to_pong;
    struct player ping = {0}, pong = {0}; /* a go header starts zeroed */
    int n;

    demo_trace(&argc, argv);
    n = parse_count(argc, argv, 10);
    check(ca_sched_init(&sched), "ca_sched_init");

    /* Unbuffered channels of int: a PUT waits until someone TAKEs, so
    ** the two players really take turns. */
    check(ca_chan_init(&to_ping, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_init(&to_pong, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");

    ping.name = "ping";
    ping.in = &to_ping;
    ping.out = &to_pong;
    ping.serves = 1;
    ping.limit = n;

    pong.name = "pong";
    pong.in = &to_pong;
    pong.out = &to_ping;
    pong.limit = n;

    /* Starting a go block only queues it; nothing runs yet. */
    check(ca_go_start(&sched, &ping.go, player), "ca_go_start");
    check(ca_go_start(&sched, &pong.go, player), "ca_go_start");

    /* Run until no block can run any more. CA_OK means every block
    ** finished; CA_EDEADLOCK would mean some were left waiting forever
    ** (see deadlock.c). */
    check(ca_sched_run(&sched), "ca_sched_run");

    n = ping.ball > pong.ball ? ping.ball : pong.ball; /* the last hit */
    printf("game over after %d hit%s (ping %d, pong %d)\n", n,
           n == 1 ? "" : "s", ping.hits, pong.hits);

    /* Give the storage back: these fail (CA_EBUSY) if anything still
    ** waited on a channel or ran on the scheduler, so they double as a
    ** check that the game ended cleanly. */
    check(ca_chan_destroy(&to_ping), "ca_chan_destroy");
    check(ca_chan_destroy(&to_pong), "ca_chan_destroy");
    check(ca_sched_destroy(&sched), "ca_sched_destroy");
    return EXIT_SUCCESS;
}
