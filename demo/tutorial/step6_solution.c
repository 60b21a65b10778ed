/*
** step6_solution.c: step 6's exercise: two client threads instead of
** main, each started with ca_thread and feeding five jobs. The channel
** ca_thread returns receives the thread's result when it ends: main
** waits on both before it closes the jobs channel.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

#define SQUARERS 3
#define JOBS 10

static ca_chan jobs, results;
static int jobs_room[4], results_room[JOBS];

struct squarer {
    ca_go go;
    int n;
};

static int squarer(ca_go *g)
{
    struct squarer *s = (struct squarer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &jobs, &s->n);
        if (GO_CLOSED(g))
            break;
        s->n *= s->n;
        PUT(g, &results, &s->n);
    }
    GO_END(g);
}

/* A client: feeds first, first + 1, ..., first + 4; its result is how
** many jobs it fed. */
static int client(void *arg, void *result)
{
    int first = *(const int *)arg, i;

    for (i = first; i < first + JOBS / 2; i++)
        check(ca_put_blocking(&jobs, &i), "ca_put_blocking");
    *(int *)result = JOBS / 2;
    return CA_OK;
}

int main(void)
{
    static struct squarer sq[SQUARERS];
    static const int firsts[2] = {1, 1 + JOBS / 2};
    ca_chan *done[2];
    int i, v, fed = 0, rc;
    long sum = 0;

    lesson_needs_threads("step6_solution");
    check(ca_chan_init(&jobs, CA_FIXED, 4, sizeof(int), jobs_room,
                       sizeof jobs_room), "ca_chan_init");
    check(ca_chan_init(&results, CA_FIXED, JOBS, sizeof(int), results_room,
                       sizeof results_room), "ca_chan_init");
    for (i = 0; i < SQUARERS; i++)
        check(ca_go_start(NULL, &sq[i].go, squarer), "ca_go_start");
    rc = ca_sched_start(NULL, 2);
    if (rc == CA_ENOTSUP) {
        fprintf(stderr, "step6_solution: needs a build with malloc\n");
        return LESSON_SKIP;
    }
    check(rc, "ca_sched_start");
    for (i = 0; i < 2; i++)
        check(ca_thread(client, (void *)&firsts[i], sizeof(int), &done[i]),
              "ca_thread");
    for (i = 0; i < 2; i++) {   /* each client's "I am done" */
        check(ca_take_blocking(done[i], &v), "ca_take_blocking");
        fed += v;
        check(ca_chan_free(done[i]), "ca_chan_free");
    }
    check(ca_close(&jobs), "ca_close");
    for (i = 0; i < JOBS; i++) {
        check(ca_take_blocking(&results, &v), "ca_take_blocking");
        sum += v;
    }
    check(ca_sched_stop(NULL), "ca_sched_stop");
    check(ca_sched_run(NULL), "ca_sched_run");
    printf("2 clients fed %d jobs; %d blocks on 2 workers: sum %ld\n", fed,
           SQUARERS, sum);
    check(ca_chan_destroy(&jobs), "ca_chan_destroy");
    check(ca_chan_destroy(&results), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
