/*
** size-app.c: the two programs whose images `make size-report` measures,
** and the baseline that makes no library call. MIT licence, see COPYING.
**
**   -DSIZE_MINIMAL   channels, go blocks, the scheduler and SLEEP
**   -DSIZE_FULL      the same, plus ALTS with a deadline, timeout
**                    channels, offer and poll
**   neither          the baseline: the same main with no library call
**
** The library's share of an image is its size minus the baseline's.
*/
#include <coreasync.h>

#if defined(SIZE_MINIMAL) || defined(SIZE_FULL)
struct blk {
    ca_go go;
    ca_chan *in, *out;
    int v, n;
#if defined(SIZE_FULL)
    ca_timeout_chan tc;
    ca_alt alt[3];
#endif
};

static int ping(ca_go *g)
{
    struct blk *b = (struct blk *)g;

    GO_BEGIN(g);
    for (b->n = 0; b->n < 10; b->n++) {
        PUT(g, b->out, &b->n);
        TAKE(g, b->in, &b->v);
        SLEEP(g, 1);
    }
    ca_close(b->out);
    GO_END(g);
}

static int pong(ca_go *g)
{
    struct blk *b = (struct blk *)g;

    GO_BEGIN(g);
    for (;;) {
#if defined(SIZE_FULL)
        (void)ca_timeout_init(ca_go_sched(g), &b->tc, 5);
        (void)ca_alt_take(&b->alt[0], b->in, &b->v);
        (void)ca_alt_take(&b->alt[1], &b->tc.ch, NULL);
        (void)ca_alt_deadline(&b->alt[2], 50);
        ALTS(g, b->alt, 3, 0);
        if (GO_ALT(g) != 0)
            continue;
#else
        TAKE(g, b->in, &b->v);
#endif
        if (GO_CLOSED(g))
            break;
        PUT(g, b->out, &b->v);
    }
    GO_END(g);
}

static uint32_t ticks;

static uint32_t now(void *ud)
{
    (void)ud;
    return ticks;
}

static void idle(void *ud, uint32_t ms)
{
    (void)ud;
    ticks += ms == CA_FOREVER ? 1u : ms;
}

int main(void)
{
    static ca_sched s;
    static ca_chan a, b;
    static int buf[4];
    static struct blk p, q;
    int rc;

    (void)ca_sched_init(&s);
    (void)ca_sched_set_clock(&s, now, idle, 0);
    (void)ca_chan_init(&a, CA_UNBUFFERED, 0, sizeof(int), 0, 0);
    (void)ca_chan_init(&b, CA_FIXED, 4, sizeof(int), buf, sizeof buf);
    p.out = &a;
    p.in = &b;
    q.in = &a;
    q.out = &b;
#if defined(SIZE_FULL)
    (void)ca_offer(&b, &rc);
    (void)ca_poll(&b, &rc);
#endif
    (void)ca_go_start(&s, &p.go, ping);
    (void)ca_go_start(&s, &q.go, pong);
    rc = ca_sched_run(&s);
    return rc == CA_OK ? 0 : 1;
}
#else
int main(void)
{
    return 0;
}
#endif
