/*
** step7.c: tutorial step 7 (doc/tutorial.md): transforms and pipelines.
** A channel can carry a transform (core.async's `(chan n xform)`): every
** value put goes through it, and what comes out is what takes see. Here
** a filter keeps the odd numbers and a map squares them, composed with
** ca_xf_comp in the order the data flows. The producer puts 1..10 and
** knows nothing of either stage.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

static int odd(void *ud, const void *v)
{
    (void)ud;
    return *(const int *)v % 2 != 0;
}

static int square(void *ud, const void *in, void *out)
{
    (void)ud;
    *(int *)out = *(const int *)in * *(const int *)in;
    return CA_OK;
}

struct producer {
    ca_go go;
    ca_chan *out;
    int i;
};

static int producer(ca_go *g)
{
    struct producer *s = (struct producer *)g;

    GO_BEGIN(g);
    for (s->i = 1; s->i <= 10; s->i++)
        PUT(g, s->out, &s->i);
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct producer s;
    static unsigned char room[CA_XF_STORAGE(4, 1, sizeof(int))];
    ca_xf_filter_t keep_odd;
    ca_xf_map_t squares;
    ca_xf *stages[2];
    ca_xf_comp_t both;
    ca_chan ch;
    int v;

    check(ca_xf_filter(&keep_odd, odd, NULL, sizeof(int)), "ca_xf_filter");
    check(ca_xf_map(&squares, square, NULL, sizeof(int), sizeof(int)),
          "ca_xf_map");
    stages[0] = &keep_odd.xf;
    stages[1] = &squares.xf;
    check(ca_xf_comp(stages, 2, &both), "ca_xf_comp");
    check(ca_chan_init_xf(&ch, CA_FIXED, 4, room, sizeof room, &both.xf,
                          NULL, NULL), "ca_chan_init_xf");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, producer), "ca_go_start");
    while (ca_take_blocking(&ch, &v) == CA_OK)
        printf("%d\n", v);
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
