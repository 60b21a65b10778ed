/*
** pingpong-fw.c: instructions per ping-pong round trip on a Cortex-M
** under QEMU, for `make size-report`. Two go blocks trade an int over two
** unbuffered channels ROUNDS times; run with `-icount shift=0`, one
** nanosecond of guest time is one instruction, and SysTick (board.c)
** reads guest time. MIT licence, see COPYING.
*/
#include <stdio.h>

#include <coreasync.h>

#include "board.h"

#ifndef ROUNDS
#define ROUNDS 100000
#endif

struct blk {
    ca_go go;
    ca_chan *in, *out;
    int v, n;
};

static int ping(ca_go *g)
{
    struct blk *b = (struct blk *)g;

    GO_BEGIN(g);
    for (b->n = 0; b->n < ROUNDS; b->n++) {
        PUT(g, b->out, &b->n);
        TAKE(g, b->in, &b->v);
    }
    ca_close(b->out);
    GO_END(g);
}

static int pong(ca_go *g)
{
    struct blk *b = (struct blk *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, b->in, &b->v);
        if (GO_CLOSED(g))
            break;
        PUT(g, b->out, &b->v);
    }
    GO_END(g);
}

int main(void)
{
    static ca_sched s;
    static ca_chan a, b;
    static struct blk p, q;
    uint64_t t0, t1;
    int rc;

    board_init();
    if (ca_sched_init(&s) != CA_OK ||
        ca_sched_set_clock(&s, board_now, board_idle, 0) != CA_OK ||
        ca_chan_init(&a, CA_UNBUFFERED, 0, sizeof(int), 0, 0) != CA_OK ||
        ca_chan_init(&b, CA_UNBUFFERED, 0, sizeof(int), 0, 0) != CA_OK)
        return 2;
    p.out = q.in = &a;
    p.in = q.out = &b;
    (void)ca_go_start(&s, &p.go, ping);
    (void)ca_go_start(&s, &q.go, pong);
    t0 = board_ns();
    rc = ca_sched_run(&s);
    t1 = board_ns();
    if (rc != CA_OK || p.n != ROUNDS || q.v != ROUNDS - 1)
        return 3;
    printf("%lu\n", (unsigned long)((t1 - t0) / ROUNDS));
    return 0;
}
