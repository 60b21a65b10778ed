/*
** step7_solution.c: step 7's exercise: a third stage, ca_xf_take, lets
** only three squares through and then closes the channel itself. The
** producer learns it from its next PUT, which comes back GO_CLOSED: the
** consumer's "enough" travels upstream without a channel of its own.
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
    for (s->i = 1; s->i <= 10; s->i++) {
        PUT(g, s->out, &s->i);
        if (GO_CLOSED(g)) {
            printf("producer: %d refused, stopping\n", s->i);
            break;
        }
    }
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct producer s;
    static unsigned char room[CA_XF_STORAGE(4, 1, sizeof(int))];
    ca_xf_filter_t keep_odd;
    ca_xf_map_t squares;
    ca_xf_take_t three;
    ca_xf *stages[3];
    ca_xf_comp_t both;
    ca_chan ch;
    int v;

    check(ca_xf_filter(&keep_odd, odd, NULL, sizeof(int)), "ca_xf_filter");
    check(ca_xf_map(&squares, square, NULL, sizeof(int), sizeof(int)),
          "ca_xf_map");
    stages[0] = &keep_odd.xf;
    check(ca_xf_take(&three, 3, sizeof(int)), "ca_xf_take");
    stages[1] = &squares.xf;
    stages[2] = &three.xf;
    check(ca_xf_comp(stages, 3, &both), "ca_xf_comp");
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
