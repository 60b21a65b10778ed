/*
** step5_solution.c: step 5's exercise: no report. The producer closes
** the channel after its last value, and main takes until CA_CLOSED
** instead of counting: whoever sends knows when the stream ends, so the
** close belongs there. ca_sched_run() then returns CA_OK.
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
    for (s->i = 1; s->i <= 3; s->i++)
        PUT(g, s->out, &s->i);
    check(ca_close(s->out), "ca_close"); /* the fix, with main's loop */
    GO_END(g);
}

int main(void)
{
    static struct producer s;
    ca_chan ch;
    int v, rc;

    check(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_set_name(&ch, "numbers"), "ca_chan_set_name");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, producer), "ca_go_start");
    while ((rc = ca_take_blocking(&ch, &v)) == CA_OK)
        printf("took %d\n", v);
    check(rc, "ca_take_blocking");
    printf("ca_sched_run: %s\n", ca_strerror(ca_sched_run(NULL)));
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
