/*
** step6.c: tutorial step 6 (doc/tutorial.md): threads and the pool.
** Three go blocks square numbers on a pool of two worker threads
** (ca_sched_start); main, a plain thread, feeds them with
** ca_put_blocking and collects with ca_take_blocking. Which worker runs
** which block, and in what order the squares come back, changes from
** run to run: so the lesson prints only what cannot change, the sum.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

#define SQUARERS 3
#define JOBS 10

static ca_chan jobs, results;
static int jobs_room[4], results_room[JOBS];

struct squarer {
    ca_go go;
    int n;                  /* survives the PUT's park: in the struct     */
};

static int squarer(ca_go *g)
{
    struct squarer *s = (struct squarer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &jobs, &s->n);
        if (GO_CLOSED(g))   /* no more jobs */
            break;
        s->n *= s->n;
        PUT(g, &results, &s->n);
    }
    GO_END(g);
}

int main(void)
{
    static struct squarer sq[SQUARERS];
    int i, v, rc;
    long sum = 0;

    lesson_needs_threads("step6");
    check(ca_chan_init(&jobs, CA_FIXED, 4, sizeof(int), jobs_room,
                       sizeof jobs_room), "ca_chan_init");
    check(ca_chan_init(&results, CA_FIXED, JOBS, sizeof(int), results_room,
                       sizeof results_room), "ca_chan_init");
    for (i = 0; i < SQUARERS; i++)
        check(ca_go_start(NULL, &sq[i].go, squarer), "ca_go_start");
    rc = ca_sched_start(NULL, 2);
    if (rc == CA_ENOTSUP) { /* a build without malloc has no pool */
        fprintf(stderr, "step6: needs a build with malloc\n");
        return LESSON_SKIP;
    }
    check(rc, "ca_sched_start");
    for (i = 1; i <= JOBS; i++) /* waits while the four places are full */
        check(ca_put_blocking(&jobs, &i), "ca_put_blocking");
    check(ca_close(&jobs), "ca_close");
    for (i = 0; i < JOBS; i++) {
        check(ca_take_blocking(&results, &v), "ca_take_blocking");
        sum += v;
    }
    check(ca_sched_stop(NULL), "ca_sched_stop");
    check(ca_sched_run(NULL), "ca_sched_run"); /* the blocks' last turn */
    printf("%d squares from %d blocks on 2 workers: sum %ld\n", JOBS,
           SQUARERS, sum);
    check(ca_chan_destroy(&jobs), "ca_chan_destroy");
    check(ca_chan_destroy(&results), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
