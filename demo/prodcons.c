/*
** prodcons.c: the newcomer's first program: a producer and a consumer
** over a buffer of 8; the consumer sums until the channel is closed.
**
** What it teaches: the whole shape of a coreasync program in one page,
** and what it costs in lines next to Go (demo/go/prodcons.go, measured
** by demo/go/count-lines.sh; see doc/tutorial.md, "Less boilerplate").
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define N 1000

struct producer {
    ca_go go;
    ca_chan *out;
    int i;
};

static int producer(ca_go *g)
{
    struct producer *p = (struct producer *)g;

    GO_BEGIN(g);
    for (p->i = 1; p->i <= N; p->i++) {
        PUT(g, p->out, &p->i);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(p->out), "ca_close");
    GO_END(g);
}

struct consumer {
    ca_go go;
    ca_chan *in;
    int v;
    long sum;
};

static int consumer(ca_go *g)
{
    struct consumer *c = (struct consumer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, c->in, &c->v);
        if (GO_CLOSED(g))
            break;
        c->sum += c->v;
    }
    check(GO_ERROR(g) ? GO_STATUS(g) : CA_OK, "TAKE");
    GO_END(g);
}

int main(void)
{
    static struct producer p;
    static struct consumer c;
    ca_chan ch;
    int buf[8];

    check(ca_chan_init(&ch, CA_FIXED, 8, sizeof(int), buf, sizeof buf),
          "ca_chan_init");
    p.out = c.in = &ch;
    check(ca_go_start(NULL, &p.go, producer), "ca_go_start");
    check(ca_go_start(NULL, &c.go, consumer), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("sum %ld\n", c.sum);
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
