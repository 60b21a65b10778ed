/*
** step1.c: tutorial step 1 (doc/tutorial.md): a channel and a first go
** block. A go block sends three greetings; main takes them.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct greeter {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *out;
    int i;                  /* survives the PUT's park: in the struct     */
};

static int greeter(ca_go *g)
{
    struct greeter *s = (struct greeter *)g;

    GO_BEGIN(g);
    for (s->i = 1; s->i <= 3; s->i++)
        PUT(g, s->out, &s->i);
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct greeter s; /* zeroed, as a go header must be */
    ca_chan ch;
    int v;

    check(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, greeter), "ca_go_start");
    while (ca_take_blocking(&ch, &v) == CA_OK)
        printf("hello %d\n", v);
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
