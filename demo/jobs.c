/*
** jobs.c: a worker pool serving plain threads, with a deadline on the
** whole job.
**
** demo/workers.c is the first step (go blocks on a pool answering
** threads through reply channels); this one adds what a real service
** needs next. What it teaches:
** 1. The worker-pool shape: one *job channel* that every worker takes
**    from, and *request structs that carry their own reply channel*, so
**    each answer goes back to whoever asked and no one else. Three go
**    blocks serve; two plain threads (ca_thread) ask.
** 2. A pool: ca_sched_start(&pool, 2) runs the go blocks on two worker
**    threads in the background. A go block never blocks its worker (it
**    parks), so a small pool serves many blocks; the clients are plain
**    threads, and their blocking calls just wait (no ca_sched_ref).
** 3. A deadline on the whole job: each client makes one timeout channel
**    for all of its work and puts it in every ALTS. When it closes, the
**    client stops waiting, whatever it was waiting for.
** 4. Giving up safely: a reply channel has room for its one answer, so a
**    worker whose client has gone does not wait for ever; the request
**    (and its channel) must outlive that late answer, so they live in
**    main's storage, not on the client's stack.
**
** What it prints (always the same: totals, never times):
**
**     client 1: 40 answers, 3221 steps in all, 0 late
**     client 2: 39 answers, 3329 steps in all, 1 late (its deadline
**       of 1000 ms passed while job 40 took 1500 ms)
**     workers: 80 jobs served; the late answer waited in its reply
**       channel: 50 steps
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#if CA_HAVE_THREADS && CA_HAVE_MALLOC

#define NWORKERS 3          /* go blocks that serve                       */
#define NCLIENTS 2          /* plain threads that ask                     */
#define NJOBS 40            /* per client                                 */
#define BUDGET_MS 1000u     /* each client's whole job: ample for 39    */
                            /* small jobs, even under valgrind or TSan  */
#define SLOW_MS 1500u       /* the one job that takes too long            */

/* The work: how many steps the Collatz sequence of n takes to reach 1. */
static long collatz_steps(long n)
{
    long steps = 0;

    for (; n != 1; steps++)
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
    return steps;
}

/* ---------------------------------------------------------------- request
** What a client sends down the job channel is a pointer to one of these:
** the question, and the channel for its answer. */
struct request {
    long n;                 /* the question                               */
    uint32_t slow_ms;       /* 0, or how long the worker dawdles first    */
    ca_chan reply;          /* capacity 1: the worker never waits on it   */
    long reply_buf[1];
};

/* ----------------------------------------------------------------- worker */
struct worker {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *jobs, *done;
    struct request *req;    /* TAKE writes here while the block is parked */
    long answer;            /* PUT reads it: must outlive the park too    */
    long served;
};

static int worker(ca_go *g)
{
    struct worker *w = (struct worker *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, w->jobs, &w->req); /* any worker may get any job */
        if (GO_CLOSED(g))          /* closed: no more jobs */
            break;
        if (w->req->slow_ms != 0)  /* parks; the other workers go on */
            SLEEP(g, w->req->slow_ms);
        w->answer = collatz_steps(w->req->n);
        /* Room for one answer: this never parks, even when the client
        ** has given up and will never take it. */
        PUT(g, &w->req->reply, &w->answer);
        check(GO_STATUS(g), "PUT reply");
        w->served++;
    }
    check(GO_ERROR(g) ? GO_STATUS(g) : CA_OK, "TAKE job");
    PUT(g, w->done, &w->served); /* tells main this worker has ended */
    GO_END(g);
}

/* ----------------------------------------------------------------- client
** A plain thread (ca_thread runs it): blocking calls, no go block. */
struct client {
    int id;
    ca_chan *jobs;
    ca_sched *pool;         /* whose clock runs the deadline              */
    struct request req[NJOBS]; /* main's storage: outlives a late answer  */
    int used;               /* of them, how many have a reply channel     */
};

struct totals {
    long answers, steps, late;
};

enum { CASE_WORK, CASE_DEADLINE, NCASES };

/* One ALTS between cases[CASE_WORK] (a put of the request, or a take of
** its reply) and the deadline; 1 if the work happened, 0 if the deadline
** came. */
static int before_deadline(ca_alt cases[NCASES], ca_chan *deadline)
{
    size_t index;

    check(ca_alt_take(&cases[CASE_DEADLINE], deadline, NULL), "alt");
    /* PRIORITY: when both are ready, the work wins (an answer that came
    ** in time is not thrown away because the deadline is due too). */
    check(ca_alts_blocking(cases, NCASES, CA_ALTS_PRIORITY, &index),
          "ca_alts_blocking");
    return index == CASE_WORK;
}

static int client(void *arg, void *result)
{
    struct client *c = (struct client *)arg;
    struct totals *t = (struct totals *)result; /* zeroed for us */
    ca_chan *deadline;
    struct request *r;
    ca_alt cases[NCASES];
    long answer;
    int i;

    /* One timeout for the whole job: it closes BUDGET_MS from now, and
    ** every wait below races it. */
    check(ca_timeout(c->pool, BUDGET_MS, &deadline), "ca_timeout");
    for (i = 0; i < NJOBS; i++) {
        r = &c->req[i];
        r->n = 1000L * c->id + i + 1;
        /* Client 2's last job is one the workers cannot finish in time. */
        r->slow_ms = c->id == 2 && i == NJOBS - 1 ? SLOW_MS : 0;
        check(ca_chan_init(&r->reply, CA_FIXED, 1, sizeof(long),
                           r->reply_buf, sizeof r->reply_buf),
              "ca_chan_init");

        c->used = i + 1;
        /* The job channel carries pointers: the request stays put. */
        check(ca_alt_put(&cases[CASE_WORK], c->jobs, &r), "alt");
        if (!before_deadline(cases, deadline)) {
            t->late++; /* no worker took it in time */
            break;
        }
        check(ca_alt_take(&cases[CASE_WORK], &r->reply, &answer), "alt");
        if (!before_deadline(cases, deadline)) {
            t->late++; /* taken, but not answered in time */
            break;
        }
        t->answers++;
        t->steps += answer;
    }
    /* The timer holds its own reference: freeing ours early is fine. */
    check(ca_chan_free(deadline), "ca_chan_free");
    return CA_OK; /* delivers *t on the channel ca_thread gave main */
}

/* ------------------------------------------------------------------ main */
int main(void)
{
    static struct client clients[NCLIENTS]; /* big: not on the stack */
    static struct worker workers[NWORKERS];
    struct request *jobs_buf[NWORKERS];
    long done_buf[NWORKERS], served = 0, n, late_answer;
    ca_chan jobs, done, *result[NCLIENTS];
    struct totals t;
    ca_sched pool;
    int i, j;

    check(ca_sched_init(&pool), "ca_sched_init");
    /* A little slack in the job channel: a client hands its job over
    ** even while every worker is busy, and waits only for the answer. */
    check(ca_chan_init(&jobs, CA_FIXED, NWORKERS, sizeof(struct request *),
                       jobs_buf, sizeof jobs_buf),
          "ca_chan_init");
    check(ca_chan_init(&done, CA_FIXED, NWORKERS, sizeof(long), done_buf,
                       sizeof done_buf),
          "ca_chan_init");

    /* Two worker threads for three go blocks: a parked block costs its
    ** struct, not a thread. The default (0) would be 8, or
    ** COREASYNC_POOL_SIZE. */
    check(ca_sched_start(&pool, 2), "ca_sched_start");
    for (i = 0; i < NWORKERS; i++) {
        workers[i].jobs = &jobs;
        workers[i].done = &done;
        check(ca_go_start(&pool, &workers[i].go, worker), "ca_go_start");
    }

    for (i = 0; i < NCLIENTS; i++) {
        clients[i].id = i + 1;
        clients[i].jobs = &jobs;
        clients[i].pool = &pool;
        check(ca_thread(client, &clients[i], sizeof(struct totals),
                        &result[i]),
              "ca_thread");
    }

    /* Each client's channel gets its totals, then closes. */
    for (i = 0; i < NCLIENTS; i++) {
        check(ca_take_blocking(result[i], &t), "ca_take_blocking");
        printf("client %d: %ld answers, %ld steps in all, %ld late",
               i + 1, t.answers, t.steps, t.late);
        if (t.late != 0)
            printf(" (its deadline\n  of %u ms passed while job %ld took "
                   "%u ms)",
                   BUDGET_MS, t.answers + 1, SLOW_MS);
        printf("\n");
        check(ca_chan_free(result[i]), "ca_chan_free");
    }

    /* No more jobs: closing the job channel ends every worker's loop
    ** once it has finished what it holds (the slow job, too). */
    check(ca_close(&jobs), "ca_close");
    for (i = 0; i < NWORKERS; i++) {
        check(ca_take_blocking(&done, &n), "ca_take_blocking");
        served += n;
    }
    /* The late answer is in its reply channel: nobody waited for it. */
    check(ca_poll(&clients[1].req[NJOBS - 1].reply, &late_answer),
          "ca_poll");
    printf("workers: %ld jobs served; the late answer waited in its reply\n"
           "  channel: %ld steps\n",
           served, late_answer);

    check(ca_sched_stop(&pool), "ca_sched_stop");
    for (i = 0; i < NCLIENTS; i++)
        for (j = 0; j < clients[i].used; j++)
            check(ca_chan_destroy(&clients[i].req[j].reply),
                  "ca_chan_destroy");
    check(ca_chan_destroy(&jobs), "ca_chan_destroy");
    check(ca_chan_destroy(&done), "ca_chan_destroy");
    check(ca_sched_destroy(&pool), "ca_sched_destroy");
    return EXIT_SUCCESS;
}

#else /* a pool and ca_thread need threads and malloc */
int main(void)
{
    fprintf(stderr, "jobs: needs threads and malloc\n");
    return LESSON_SKIP;
}
#endif
