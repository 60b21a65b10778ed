/*
** sensor.c: a sensor pipeline (sample, filter, report) in three go
** blocks, with a timeout that notices when the sensor stops.
**
** What it teaches: a pipeline of go blocks joined by small buffered
** channels in static storage (no malloc); a periodic sampler on
** SLEEP_UNTIL; an ALTS with a deadline case, so that a stage that waits
** for input also notices when none comes (core.async's alts! with a
** timeout, without allocating a timeout channel); and closing a channel
** to shut the pipeline down stage by stage.
**
**   sampler --raw--> filter --avg--> reporter
**   every 10 ms      average of 4;   prints
**                    25 ms without a sample: reports the stall
**
** The sensor is simulated (a sawtooth) and stalls from 300 ms to 400 ms,
** as a sensor on a bus might. What it prints (under QEMU -icount, the
** same every run):
**
**     t=    40 ms  avg 125
**     ...
**     t=   280 ms  avg 125
**     t=   316 ms  sensor silent for 25 ms
**     t=   420 ms  avg 120
**     ...
**     pipeline done: 50 samples, 12 averages, 1 stall(s) reported
**
** The stall is seen 26 ms after the last sample (at 290 ms): a deadline
** case, like SLEEP, never ends early, so it fires on the tick after 25
** ms have passed in full.
**
** Run it with `make run-sensor`. MIT licence, see COPYING.
*/
#include <stdio.h>

#include <coreasync.h>

#include "board.h"

#define SAMPLE_MS 10u
#define SAMPLES 60          /* periods the sampler runs for             */
#define STALL_FROM 300u     /* ms since start: the sensor goes quiet... */
#define STALL_TO 400u       /* ...until here                            */
#define SILENCE_MS 25u      /* the filter reports a stall after this    */
#define WINDOW 4            /* samples per average                      */

/* What goes down the pipeline: a reading or an average, and its time. */
struct reading {
    uint32_t t;
    int value;              /* -1 from the filter: a stall, no average   */
};

static ca_chan raw, avg;
static struct reading raw_buf[4], avg_buf[4];
static uint32_t t_start;

struct sampler {
    ca_go go;
    uint32_t next;
    int i, sent;
    struct reading r;
};

static int sampler(ca_go *g)
{
    struct sampler *s = (struct sampler *)g;

    GO_BEGIN(g);
    s->next = t_start;
    for (s->i = 0; s->i < SAMPLES; s->i++) {
        s->next += SAMPLE_MS;
        SLEEP_UNTIL(g, s->next);
        s->r.t = s->next - t_start;
        if (s->r.t >= STALL_FROM && s->r.t < STALL_TO)
            continue;                       /* the sensor is silent     */
        s->r.value = 100 + (int)(s->r.t % 80u);
        PUT(g, &raw, &s->r);
        s->sent++;
    }
    ca_close(&raw);                         /* no more samples          */
    GO_END(g);
}

struct filter {
    ca_go go;
    ca_alt cases[2];        /* cases must outlive the park: here       */
    struct reading in, out;
    int sum, n, averages, stalls, stalled;
};

static int filter(ca_go *g)
{
    struct filter *f = (struct filter *)g;

    GO_BEGIN(g);
    for (;;) {
        /* A sample, or SILENCE_MS without one: whichever comes first. */
        (void)ca_alt_take(&f->cases[0], &raw, &f->in);
        (void)ca_alt_deadline(&f->cases[1], SILENCE_MS);
        ALTS(g, f->cases, 2, CA_ALTS_PRIORITY);
        if (GO_ALT(g) == 1) {
            /* Report a stall once, not every SILENCE_MS while it lasts. */
            if (!f->stalled) {
                f->stalled = 1;
                f->stalls++;
                f->out.t = ca_sched_now(ca_go_sched(g)) - t_start;
                f->out.value = -1;
                PUT(g, &avg, &f->out);
            }
            continue;
        }
        if (GO_CLOSED(g))
            break;                          /* the sampler is done      */
        f->stalled = 0;
        f->sum += f->in.value;
        if (++f->n == WINDOW) {
            f->out.t = f->in.t;
            f->out.value = f->sum / WINDOW;
            f->sum = f->n = 0;
            f->averages++;
            PUT(g, &avg, &f->out);
        }
    }
    ca_close(&avg);
    GO_END(g);
}

struct reporter {
    ca_go go;
    struct reading r;
};

static int reporter(ca_go *g)
{
    struct reporter *p = (struct reporter *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &avg, &p->r);
        if (GO_CLOSED(g))
            break;
        if (p->r.value < 0)
            printf("t=%6lu ms  sensor silent for %u ms\n",
                   (unsigned long)p->r.t, SILENCE_MS);
        else
            printf("t=%6lu ms  avg %d\n", (unsigned long)p->r.t, p->r.value);
    }
    GO_END(g);
}

int main(void)
{
    static ca_sched s;
    static struct sampler sa;
    static struct filter fi;
    static struct reporter re;
    int rc;

    board_init();
    if ((rc = ca_sched_init(&s)) != CA_OK ||
        (rc = ca_sched_set_clock(&s, board_now, board_idle, NULL)) != CA_OK ||
        (rc = ca_chan_init(&raw, CA_FIXED, 4, sizeof(struct reading), raw_buf,
                           sizeof raw_buf)) != CA_OK ||
        (rc = ca_chan_init(&avg, CA_FIXED, 4, sizeof(struct reading), avg_buf,
                           sizeof avg_buf)) != CA_OK)
        goto fail;
    t_start = ca_sched_now(&s);
    if ((rc = ca_go_start(&s, &sa.go, sampler)) != CA_OK ||
        (rc = ca_go_start(&s, &fi.go, filter)) != CA_OK ||
        (rc = ca_go_start(&s, &re.go, reporter)) != CA_OK ||
        (rc = ca_sched_run(&s)) != CA_OK)
        goto fail;
    printf("pipeline done: %d samples, %d averages, %d stall(s) reported\n",
           sa.sent, fi.averages, fi.stalls);
    return 0;
fail:
    printf("sensor: %s\n", ca_strerror(rc));
    return 1;
}
