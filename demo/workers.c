/*
** workers.c: the newcomer's second program: three go-block workers on a
** pool serve the requests of two plain threads; each request carries the
** channel its answer goes back on.
**
** What it teaches: go blocks and threads together. The workers are go
** blocks on a pool of two worker threads (ca_sched_start); the clients
** are pthreads, which use the blocking calls (ca_put_blocking,
** ca_take_blocking), core.async's >!! and <!!. A reply channel in the
** request is how a server answers the right client. Compare with Go:
** demo/go/workers.go, and doc/tutorial.md, "Less boilerplate".
**
** It prints each client's total, which does not depend on which worker
** served which request. MIT licence, see COPYING.
*/
#include "lesson.h"

#if CA_HAVE_THREADS
#include <pthread.h>

#define WORKERS 3
#define REQUESTS 100

struct request {
    int x;
    ca_chan *reply;
};

static ca_chan requests;

struct worker {
    ca_go go;
    struct request req;
    int y;
};

static int worker(ca_go *g)
{
    struct worker *w = (struct worker *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &requests, &w->req);
        if (GO_CLOSED(g))
            break;
        w->y = w->req.x * w->req.x;
        PUT(g, w->req.reply, &w->y);
        check(GO_STATUS(g), "PUT");
    }
    GO_END(g);
}

struct client {
    int id;
    long sum;
};

static void *client(void *arg)
{
    struct client *c = arg;
    struct request req;
    ca_chan reply;
    int i, y;

    check(ca_chan_init(&reply, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    req.reply = &reply;
    for (i = 1; i <= REQUESTS; i++) {
        req.x = c->id * i;
        check(ca_put_blocking(&requests, &req), "ca_put_blocking");
        check(ca_take_blocking(&reply, &y), "ca_take_blocking");
        c->sum += y;
    }
    check(ca_chan_destroy(&reply), "ca_chan_destroy");
    return NULL;
}

int main(void)
{
    static struct worker w[WORKERS];
    struct client c[2] = {{1, 0}, {2, 0}};
    pthread_t t[2];
    int i;

    check(ca_chan_init(&requests, CA_UNBUFFERED, 0, sizeof(struct request),
                       NULL, 0), "ca_chan_init");
    for (i = 0; i < WORKERS; i++)
        check(ca_go_start(NULL, &w[i].go, worker), "ca_go_start");
    check(ca_sched_start(NULL, 2), "ca_sched_start");
    for (i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, client, &c[i]) != 0)
            return EXIT_FAILURE;
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    check(ca_close(&requests), "ca_close");
    check(ca_sched_stop(NULL), "ca_sched_stop");
    check(ca_sched_run(NULL), "ca_sched_run");
    for (i = 0; i < 2; i++)
        printf("client %d: sum of squares %ld\n", c[i].id, c[i].sum);
    check(ca_chan_destroy(&requests), "ca_chan_destroy");
    return EXIT_SUCCESS;
}

#else
int main(void)
{
    fputs("workers: needs a build with threads\n", stderr);
    return LESSON_SKIP;
}
#endif
