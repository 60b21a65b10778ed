/*
** workers.c: the newcomer's second program: three go-block workers on a
** pool serve the requests of two plain threads; each request carries the
** channel its answer goes back on.
**
** What it teaches: go blocks and threads together. The workers are go
** blocks on a pool of two worker threads (ca_sched_start); the clients
** are threads started with ca_thread(), core.async's `thread`, whose
** result channel says when each is over and carries its total. They use
** the blocking calls (ca_put_blocking, ca_take_blocking), core.async's
** >!! and <!!. A reply channel in the request is how a server answers
** the right client. Compare with Go: demo/go/workers.go, and
** doc/tutorial.md, "Less boilerplate".
**
** It prints each client's total, which does not depend on which worker
** served which request. MIT licence, see COPYING.
*/
#include "lesson.h"

#define WORKERS 3
#define REQUESTS 100

struct request {
    int x;
    ca_chan *reply;
};

static ca_chan *reqs;

GO_STATE(worker, struct request req; int y;);

static int worker(ca_go *g)
{
    GO_BEGIN_SELF(g, struct worker, w);
    TAKE_EACH(g, reqs, &w->req) {
        w->y = w->req.x * w->req.x;
        PUT(g, w->req.reply, &w->y); /* the client waits for it */
    }
    GO_END(g);
}

/* A client thread: its result, the sum of its answers, is a long. */
static int client(void *arg, void *result)
{
    struct request req = {0, NULL};
    long *sum = result;
    int i, y;

    check(CA_CHAN_NEW(&req.reply, int, 0), "CA_CHAN_NEW");
    for (i = 1; i <= REQUESTS; i++) {
        req.x = *(int *)arg * i;
        check(ca_put_blocking(reqs, &req), "ca_put_blocking");
        check(ca_take_blocking(req.reply, &y), "ca_take_blocking");
        *sum += y;
    }
    return ca_chan_free(req.reply);
}

int main(void)
{
    static int id[2] = {1, 2};
    ca_chan *done[2];
    long sum;
    int i;

    lesson_needs_threads("workers");
    check(CA_CHAN_NEW(&reqs, struct request, 0), "CA_CHAN_NEW");
    for (i = 0; i < WORKERS; i++)
        check(ca_go_spawn(NULL, worker, NULL, sizeof(struct worker)), "spawn");
    check(ca_sched_start(NULL, 2), "ca_sched_start");
    for (i = 0; i < 2; i++)
        check(ca_thread(client, &id[i], sizeof sum, &done[i]), "ca_thread");
    for (i = 0; i < 2; i++) {
        check(ca_take_blocking(done[i], &sum), "ca_take_blocking");
        printf("client %d: sum of squares %ld\n", id[i], sum);
        check(ca_chan_free(done[i]), "ca_chan_free");
    }
    check(ca_close(reqs), "ca_close");
    check(ca_sched_stop(NULL), "ca_sched_stop");
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_free(reqs), "ca_chan_free");
    return EXIT_SUCCESS;
}
