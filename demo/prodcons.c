/*
** prodcons.c: the newcomer's first program: a producer and a consumer
** over a buffer of 8; the consumer sums until the channel is closed.
**
** What it teaches: the whole shape of a coreasync program in one page,
** written with the shorthands of <coreasync/shorthand.h>: GO_STATE
** declares a block's struct, GO_BEGIN_SELF names it without a cast,
** TAKE_EACH is Go's `range`, CA_GO_SPAWN allocates and fills a block's
** struct, CA_CHAN_NEW makes a channel of a type. The consumer lives in
** main's storage instead, so that main can read its sum once
** ca_sched_run() has run everything. Compare with demo/go/prodcons.go
** (demo/go/count-lines.sh counts both; doc/tutorial.md, "Less
** boilerplate").
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define N 1000

GO_STATE(producer, ca_chan *out; int i;);

static int producer(ca_go *g)
{
    GO_BEGIN_SELF(g, struct producer, p);
    for (p->i = 1; p->i <= N; p->i++)
        PUT(g, p->out, &p->i); /* nobody else closes out: it cannot fail */
    check(ca_close(p->out), "ca_close");
    GO_END(g);
}

GO_STATE(consumer, ca_chan *in; int v; long sum;);

static int consumer(ca_go *g)
{
    GO_BEGIN_SELF(g, struct consumer, c);
    TAKE_EACH(g, c->in, &c->v)
        c->sum += c->v;
    GO_END(g);
}

int main(void)
{
    static struct consumer c;

    check(CA_CHAN_NEW(&c.in, int, 8), "CA_CHAN_NEW");
    check(CA_GO_SPAWN(NULL, struct producer, producer, .out = c.in), "spawn");
    check(ca_go_start(NULL, &c.go, consumer), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("sum %ld\n", c.sum);
    check(ca_chan_free(c.in), "ca_chan_free");
    return EXIT_SUCCESS;
}
