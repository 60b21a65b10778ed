/*
** step3_solution.c: step 3's exercise: the same producer over a buffer
** of 8, of 1, and unbuffered, with main taking as it goes. The sum is
** always 15: a buffer changes only when the producer has to wait (it
** parks on a full buffer, or until main arrives when there is none),
** never which values arrive, nor their order.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct producer {
    ca_go go;
    ca_chan *out;
    int i;
};

static int producer(ca_go *g)
{
    struct producer *s = (struct producer *)g;

    GO_BEGIN(g);
    for (s->i = 1; s->i <= 5; s->i++)
        PUT(g, s->out, &s->i);
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

static void run(ca_buf_kind kind, size_t cap)
{
    static int buf[8];
    struct producer s = {0}; /* lives until its block ends, below */
    ca_chan ch;
    int v, sum = 0;

    check(ca_chan_init(&ch, kind, cap, sizeof(int), cap ? buf : NULL,
                       cap ? sizeof buf : 0), "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, producer), "ca_go_start");
    while (ca_take_blocking(&ch, &v) == CA_OK)
        sum += v;
    check(ca_sched_run(NULL), "ca_sched_run"); /* the block's last turn */
    printf("buffer of %u: sum %d\n", (unsigned)cap, sum);
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
}

int main(void)
{
    run(CA_FIXED, 8);
    run(CA_FIXED, 1);
    run(CA_UNBUFFERED, 0);
    return EXIT_SUCCESS;
}
