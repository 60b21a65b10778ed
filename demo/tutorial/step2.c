/*
** step2.c: tutorial step 2 (doc/tutorial.md): why locals do not survive
** a park. The counter `i` is a local. A PUT that finds main already
** waiting hands its value over without parking, and the loop goes on
** with `i` intact; a PUT that must wait parks, which returns from the
** function, and on resume `i` is 0 again and the loop goes on from the
** PUT with that fresh 0. So it prints 0 1 1 2 1, not 0 1 2 3 4: a bug
** that shows only when a park happens. The fix: step2_solution.c.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct counter {
    ca_go go;
    ca_chan *out;
    int v;                  /* what PUT sends: it reads it while parked   */
};

static int counter(ca_go *g)
{
    struct counter *s = (struct counter *)g;
    int i = 0; /* WRONG: set again on every resume */

    GO_BEGIN(g);
    for (i = 0; i < 5; i++) {
        s->v = i;
        PUT(g, s->out, &s->v);
        if (GO_CLOSED(g))
            break;
    }
    GO_END(g);
}

int main(void)
{
    static struct counter s;
    ca_chan ch;
    int v, n;

    check(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, counter), "ca_go_start");
    for (n = 0; n < 5 && ca_take_blocking(&ch, &v) == CA_OK; n++)
        printf("%d\n", v);
    /* Hang up: close, and take what a PUT parked before the close still
    ** delivers, or the block would wait for ever. */
    check(ca_close(&ch), "ca_close");
    while (ca_take_blocking(&ch, &v) == CA_OK)
        ;
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
