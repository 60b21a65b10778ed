/*
** step2_solution.c: the fix of step 2: the counter lives in the
** block's struct, so it survives every park. Prints 0 1 2 3 4.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct counter {
    ca_go go;
    ca_chan *out;
    int i;                  /* the fix: the counter lives in the struct   */
    int v;                  /* what PUT sends: it reads it while parked   */
};

static int counter(ca_go *g)
{
    struct counter *s = (struct counter *)g;

    GO_BEGIN(g);
    for (s->i = 0; s->i < 5; s->i++) {
        s->v = s->i;
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
