/*
** timeout.c: racing a slow producer against the clock.
**
** What it teaches:
** 1. ALTS waits on several operations at once and completes exactly one.
**    A consumer races "take a value" against two kinds of timeout:
**    - a *deadline case* (ca_alt_deadline): "give up if this one wait
**      takes longer than 90 ms". It needs no channel, and it starts
**      afresh with every ALTS;
**    - a *timeout channel* (ca_timeout_init): "the whole session lasts
**      600 ms". Made once, it closes when its time is up, so the same
**      channel in every ALTS is one budget shared by all the waits.
**    Meanwhile the producer SLEEPs longer and longer between values.
** 2. Each timeout is its own channel, unlike core.async (see the end).
**
** What it prints (times since the start, rounded to 10 ms; they may be a
** little late on a loaded machine):
**
**     -- ALTS: each wait has a 90 ms deadline, the session 600 ms
**     [  30 ms] got 1
**     [  90 ms] got 2
**     [ 180 ms] nothing for 90 ms: the deadline case won
**     [ 210 ms] got 3
**     [ 300 ms] nothing for 90 ms: the deadline case won
**     [ 390 ms] nothing for 90 ms: the deadline case won
**     [ 450 ms] got 4
**     [ 540 ms] nothing for 90 ms: the deadline case won
**     [ 600 ms] the session's timeout channel closed: stop listening
**     [ 930 ms] producer: nobody wants 5 any more, stopping
**     -- two timeouts of 100 ms, made at the same moment
**     closed a: a is closed, b is open
**     [ 100 ms] take from b: channel closed
**
** MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime, for the printed times */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <coreasync.h>

#include "trace.h" /* --trace FILE */

#define FIRST_DELAY_MS 30u  /* the producer waits 30, 60, 120, ... ms    */
#define NVALUES 5
#define WAIT_MS 90u         /* the longest one ALTS may wait              */
#define BUDGET_MS 600u      /* the longest the whole session may last     */

static void check(int rc, const char *what)
{
    if (rc < 0) { /* CA_CLOSED and CA_AGAIN are positive: not failures */
        fprintf(stderr, "timeout: %s: %s\n", what, ca_strerror(rc));
        exit(EXIT_FAILURE);
    }
}

/* Milliseconds since start_ms() was last called, rounded to 10 ms: only
** for the printed times (the library keeps its own clock). */
static double t0;

static double mono_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("timeout: clock_gettime");
        exit(EXIT_FAILURE);
    }
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void start_ms(void)
{
    t0 = mono_ms();
}

static long since_ms(void)
{
    return (long)((mono_ms() - t0) / 10.0 + 0.5) * 10;
}

/* ---------------------------------------------------------------- producer
** Sends 1, 2, 3, ... with longer and longer pauses, until it has sent
** NVALUES or the consumer closes the channel. SLEEP parks the block
** without holding up the others: it is core.async's (<! (timeout ms)). */
struct producer {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *out;
    uint32_t delay;         /* survives the SLEEP: lives in the struct    */
    int v;                  /* the PUT reads it when the consumer takes   */
};

static int producer(ca_go *g)
{
    struct producer *p = (struct producer *)g;

    GO_BEGIN(g);
    for (p->v = 1, p->delay = FIRST_DELAY_MS; p->v <= NVALUES;
         p->v++, p->delay *= 2) {
        SLEEP(g, p->delay);
        check(GO_STATUS(g), "SLEEP"); /* no clock on this platform? */
        PUT(g, p->out, &p->v);
        if (GO_CLOSED(g)) { /* not taken: closed, or an error */
            if (GO_ERROR(g))
                check(GO_STATUS(g), "PUT");
            printf("[%4ld ms] producer: nobody wants %d any more, "
                   "stopping\n", since_ms(), p->v);
            break;
        }
    }
    check(ca_close(p->out), "ca_close"); /* "no more values" */
    GO_END(g);
}

/* ---------------------------------------------------------------- consumer */
enum { CASE_VALUE, CASE_WAIT, CASE_BUDGET, NCASES };

struct consumer {
    ca_go go;
    ca_chan *in;
    ca_timeout_chan budget; /* the session's timeout, in our storage      */
    ca_alt cases[NCASES];   /* ALTS reads them while it waits: not locals */
    int v;
};

static int consumer(ca_go *g)
{
    struct consumer *c = (struct consumer *)g;

    GO_BEGIN(g);
    start_ms(); /* the printed times count from here */

    /* One timeout channel for the whole session, started now: it closes
    ** BUDGET_MS from now, whatever happens in between. */
    check(ca_timeout_init(ca_go_sched(g), &c->budget, BUDGET_MS),
          "ca_timeout_init");

    /* The cases are filled once and every ALTS reuses them as they are.
    ** The deadline case counts from the start of each ALTS; the budget
    ** keeps counting from above. */
    check(ca_alt_take(&c->cases[CASE_VALUE], c->in, &c->v), "ca_alt_take");
    check(ca_alt_deadline(&c->cases[CASE_WAIT], WAIT_MS), "ca_alt_deadline");
    check(ca_alt_take(&c->cases[CASE_BUDGET], &c->budget.ch, NULL),
          "ca_alt_take"); /* a timeout carries no value: NULL */

    for (;;) {
        ALTS(g, c->cases, NCASES, 0); /* parks until one case wins */
        check(GO_STATUS(g), "ALTS");

        /* GO_ALT says which case won. The losers left nothing behind: a
        ** value that arrives later is not lost, the next ALTS takes it.
        ** (if/else rather than a switch: a switch around a parking op is
        ** not allowed, so it is a good habit not to mix the two.) */
        if (GO_ALT(g) == CASE_VALUE) {
            if (GO_CLOSED(g)) { /* the producer closed: it sent them all */
                printf("[%4ld ms] the producer is done\n", since_ms());
                break;
            }
            printf("[%4ld ms] got %d\n", since_ms(), c->v);
        } else if (GO_ALT(g) == CASE_WAIT) {
            printf("[%4ld ms] nothing for %u ms: the deadline case won\n",
                   since_ms(), WAIT_MS);
        } else {
            /* A timeout channel never delivers a value: it closes. So
            ** its take case wins with CA_CLOSED, and GO_CLOSED is true. */
            printf("[%4ld ms] the session's timeout channel closed: "
                   "stop listening\n", since_ms());
            break;
        }
    }

    /* Tell the producer to stop by closing its channel: its next PUT
    ** fails. A PUT that was already waiting would stay queued (a close
    ** never loses a value that was handed over, as in core.async), so
    ** take until the channel reports closed and empty, and the producer
    ** never waits for ever. */
    check(ca_close(c->in), "ca_close");
    for (;;) {
        TAKE(g, c->in, &c->v);
        if (GO_CLOSED(g))       /* no value: closed, or an error */
            break;
        printf("[%4ld ms] dropped %d, sent before the close\n",
               since_ms(), c->v);
    }
    if (GO_ERROR(g))            /* an error is not the end: report it */
        check(GO_STATUS(g), "TAKE");
    GO_END(g);
}

/* ------------------------------------------------------------------ main */

/* Part 1: the race. Everything in our storage, nothing allocated; the
** blocks run on the default scheduler (NULL), the one that part 2's
** blocking take drives too. */
static void race(void)
{
    ca_chan values;
    struct producer p = {0};
    struct consumer c = {0};

    printf("-- ALTS: each wait has a %u ms deadline, the session %u ms\n",
           WAIT_MS, BUDGET_MS);
    check(ca_chan_init(&values, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    p.out = &values;
    c.in = &values;
    check(ca_go_start(NULL, &p.go, producer), "ca_go_start");
    check(ca_go_start(NULL, &c.go, consumer), "ca_go_start");

    /* Runs until both blocks have ended, sleeping while only timers are
    ** pending: about 930 ms, until the producer's last SLEEP is over. */
    check(ca_sched_run(NULL), "ca_sched_run");

    /* The budget fired long ago, so the timer let go of its channel and
    ** it can be destroyed (CA_EBUSY before that). */
    check(ca_chan_destroy(&c.budget.ch), "ca_chan_destroy");
    check(ca_chan_destroy(&values), "ca_chan_destroy");
}

/*
** Part 2: two timeouts made at the same moment are two channels. In
** core.async, (timeout 100) twice in a row usually returns *the same*
** channel (timeouts due within 10 ms of each other share one), so someone
** who closes theirs early also ends everybody else's wait. Here each one
** is its own channel: closing `a` leaves `b` alone.
**
** They live in our storage (ca_timeout_init). ca_timeout() is the
** allocating form, core.async's (timeout ms): it hands back a channel
** that you release with ca_chan_free().
*/
static void separate(void)
{
    ca_timeout_chan a, b;
    int rc;

    printf("-- two timeouts of 100 ms, made at the same moment\n");
    start_ms();
    check(ca_timeout_init(NULL, &a, 100), "ca_timeout_init");
    check(ca_timeout_init(NULL, &b, 100), "ca_timeout_init");

    check(ca_close(&a.ch), "ca_close"); /* a's owner stops waiting early */
    printf("closed a: a is %s, b is %s\n",
           ca_closed(&a.ch) == 1 ? "closed" : "open",
           ca_closed(&b.ch) == 1 ? "closed" : "open");

    /* A plain take from a timeout channel is a sleep: main is not a go
    ** block, so it blocks (running the scheduler) until b closes. No
    ** value comes, only the close. */
    rc = ca_take_blocking(&b.ch, NULL);
    check(rc, "ca_take_blocking");
    printf("[%4ld ms] take from b: %s\n", since_ms(), ca_strerror(rc));

    /* The scheduler holds each timeout channel until its timer fires
    ** (a's has not necessarily fired: we closed it by hand). Run until
    ** no timer is left, and then the storage is ours again. */
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&a.ch), "ca_chan_destroy");
    check(ca_chan_destroy(&b.ch), "ca_chan_destroy");
}

int main(int argc, char **argv)
{
    demo_trace(&argc, argv);
    race();
    separate();
    return EXIT_SUCCESS;
}
