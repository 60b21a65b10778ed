/*
** step5.c: tutorial step 5 (doc/tutorial.md): the deadlock report.
** A producer sends three numbers; the consumer, main's loop, wants only
** two. The producer's third PUT waits for ever: ca_sched_run() says so
** with CA_EDEADLOCK, and ca_sched_dump() says who waits, where, in what
** op, on which channel. A close alone would not free it: a PUT parked
** before the close is still delivered. So main closes *and drains*.
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
    GO_END(g);
}

int main(void)
{
    static struct producer s;
    ca_chan ch;
    int v, n;

    lesson_needs_one_thread("step5"); /* only then is a deadlock provable */
    check(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_set_name(&ch, "numbers"), "ca_chan_set_name");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, producer), "ca_go_start");
    for (n = 0; n < 2; n++) {   /* the bug: two takes for three puts */
        check(ca_take_blocking(&ch, &v), "ca_take_blocking");
        printf("took %d\n", v);
    }
    printf("ca_sched_run: %s\n", ca_strerror(ca_sched_run(NULL)));
    /* One line per parked block: the go function, the file:line of its
    ** op, the op as written, and the channel by its name. */
    check(ca_sched_dump(NULL, stdout), "ca_sched_dump");
    check(ca_close(&ch), "ca_close");
    while (ca_take_blocking(&ch, &v) == CA_OK)
        printf("drained %d\n", v);
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("after the close and the drain: ca_sched_run is OK\n");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
