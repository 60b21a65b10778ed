/*
** step3.c: tutorial step 3 (doc/tutorial.md): buffers and close.
** A producer fills a buffer of 8 without ever waiting, closes, and ends;
** main still takes every value: a close ends the stream only after the
** values already in the buffer. CA_CLOSED is not a value: it is how a
** take says "no more".
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct producer {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *out;
    int i;                  /* used after a possible park: in the struct  */
};

static int producer(ca_go *g)
{
    struct producer *s = (struct producer *)g;

    GO_BEGIN(g);
    for (s->i = 1; s->i <= 5; s->i++)
        PUT(g, s->out, &s->i); /* room in the buffer: no park */
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct producer s;
    static int buf[8];      /* the channel's ring lives in our storage    */
    ca_chan ch;
    int v, n = 0, sum = 0;

    check(ca_chan_init(&ch, CA_FIXED, 8, sizeof(int), buf, sizeof buf),
          "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, producer), "ca_go_start");
    /* Run the producer to its end before taking anything: all five
    ** values wait in the buffer, and the channel is already closed. */
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("producer done, channel closed\n");
    while (ca_take_blocking(&ch, &v) == CA_OK) {
        printf("took %d\n", v);
        n++;
        sum += v;
    }
    printf("then CA_CLOSED: %d values, sum %d\n", n, sum);
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
