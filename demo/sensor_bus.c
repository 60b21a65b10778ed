/*
** sensor_bus.c: sensors publish readings on a bus; consumers subscribe to
** the kinds they care about.
**
** What it teaches: wiring go blocks with the connectors of ca_ops(3), all
** in static storage (no malloc, as on a board): ca_onto_chan plays each
** sensor from a table, ca_merge joins the sensors into one bus, ca_pub
** routes the bus by the reading's kind (one topic per kind, declared
** with its own channel and buffer), and go blocks subscribed to topics
** fold what they get. A kind nobody subscribed to (wind) is dropped. The
** merge closes the bus when every sensor is done, the pub then closes its
** topics, and the subscriptions made with `close` close too, so each
** consumer sees the end of its stream and finishes: ca_sched_run returns
** when everything has drained.
**
** What it prints: one summary line per consumer. The merge interleaves
** the sensors at random, so the consumers keep sums, counts and extremes,
** which do not depend on the order.
**
** MIT licence, see COPYING.
*/
#include <stdio.h>
#include <stdlib.h>

#include <coreasync.h>

enum kind { TEMP, HUMIDITY, PRESSURE, WIND, NKINDS };

struct reading {
    int kind, sensor, value;
};

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "sensor_bus: %s: %s\n", what, ca_strerror(rc));
        exit(EXIT_FAILURE);
    }
}

/* ------------------------------------------------------------ sensors */

#define NSENSORS 3
#define NREADINGS 6

/* What each sensor will report, played by ca_onto_chan. */
static struct reading table[NSENSORS][NREADINGS] = {
    {{TEMP, 1, 21}, {HUMIDITY, 1, 40}, {TEMP, 1, 23},
     {TEMP, 1, 31}, {HUMIDITY, 1, 45}, {WIND, 1, 7}},
    {{PRESSURE, 2, 1013}, {PRESSURE, 2, 1009}, {TEMP, 2, 19},
     {PRESSURE, 2, 998}, {WIND, 2, 12}, {PRESSURE, 2, 1021}},
    {{TEMP, 3, 35}, {HUMIDITY, 3, 80}, {TEMP, 3, 22},
     {WIND, 3, 3}, {HUMIDITY, 3, 77}, {TEMP, 3, 36}},
};

static struct {
    ca_chan ch;
    struct reading buf[2];
    ca_onto_state play;
} sensors[NSENSORS];

/* --------------------------------------------------------- consumers */

/* A consumer: a go block that folds every reading of its channel. */
struct consumer {
    ca_go go;
    ca_chan ch;
    struct reading buf[4];
    const char *name;
    struct reading r;
    int count, sum, min, max, alarms;
};

static int consume(ca_go *g)
{
    struct consumer *c = (struct consumer *)g;

    GO_BEGIN(g);
    c->min = 1 << 30;
    c->max = -c->min;
    for (;;) {
        TAKE(g, &c->ch, &c->r);
        if (GO_CLOSED(g))
            break;              /* the pub closed its topic: the end */
        c->count++;
        c->sum += c->r.value;
        if (c->r.value < c->min)
            c->min = c->r.value;
        if (c->r.value > c->max)
            c->max = c->r.value;
        if (c->r.kind == TEMP && c->r.value > 30)
            c->alarms++;
    }
    GO_END(g);
}

static struct consumer logger = {.name = "logger (temp)"};
static struct consumer alarm = {.name = "alarm (temp)"};
static struct consumer hygrometer = {.name = "hygrometer (humidity)"};
static struct consumer barometer = {.name = "barometer (pressure)"};
static struct consumer *consumers[] = {&logger, &alarm, &hygrometer,
                                       &barometer};
static const int subscribes[] = {TEMP, TEMP, HUMIDITY, PRESSURE};

/* ------------------------------------------------------------ the bus */

static uintptr_t kind_of(const void *val, void *ud)
{
    (void)ud;
    return (uintptr_t)((const struct reading *)val)->kind;
}

static struct {
    ca_chan ch;
    struct reading buf[4];
} bus;
static ca_merge_state merge;
static ca_alt merge_cases[NSENSORS];
static ca_pub_state pub;
static struct reading merge_val, pub_val;

/* One topic per kind we subscribe to: a channel with a buffer of 2, so
** that a slow consumer of one kind does not stall the others at once,
** and a mult with room for two subscribers. */
static struct {
    ca_topic t;
    ca_chan ch;
    struct reading buf[2], val;
    ca_mult_slot slots[2];
} topics[3];

int main(void)
{
    ca_chan *inputs[NSENSORS];
    int i;

    check(ca_chan_init(&bus.ch, CA_FIXED, 4, sizeof(struct reading),
                       bus.buf, sizeof bus.buf), "bus");
    for (i = 0; i < NSENSORS; i++) {
        check(ca_chan_init(&sensors[i].ch, CA_FIXED, 2,
                           sizeof(struct reading), sensors[i].buf,
                           sizeof sensors[i].buf), "sensor");
        inputs[i] = &sensors[i].ch;
        check(ca_onto_chan(&sensors[i].play, NULL, &sensors[i].ch,
                           table[i], NREADINGS, 1, NULL), "onto_chan");
    }
    check(ca_merge(&merge, NULL, inputs, NSENSORS, &bus.ch, merge_cases,
                   &merge_val), "merge");
    check(ca_pub(&pub, NULL, &bus.ch, kind_of, NULL, NULL, &pub_val),
          "pub");
    for (i = 0; i < 3; i++) {
        check(ca_chan_init(&topics[i].ch, CA_FIXED, 2,
                           sizeof(struct reading), topics[i].buf,
                           sizeof topics[i].buf), "topic");
        check(ca_pub_topic(&pub, &topics[i].t, (uintptr_t)i, &topics[i].ch,
                           &topics[i].val, topics[i].slots, 2), "topic");
    }
    /* WIND has no topic: its readings are dropped. Two consumers share
    ** TEMP: its mult hands them each reading. */
    for (i = 0; i < 4; i++) {
        struct consumer *c = consumers[i];

        check(ca_chan_init(&c->ch, CA_FIXED, 4, sizeof(struct reading),
                           c->buf, sizeof c->buf), "consumer");
        check(ca_pub_sub(&pub, (uintptr_t)subscribes[i], &c->ch, 1), "sub");
        check(ca_go_start(NULL, &c->go, consume), "go");
    }

    /* Everything runs here, until every consumer has seen its end. */
    check(ca_sched_run(NULL), "run");

    printf("%-24s %d readings, sum %d\n", logger.name, logger.count,
           logger.sum);
    printf("%-24s %d readings, average %d%%\n", hygrometer.name,
           hygrometer.count, hygrometer.sum / hygrometer.count);
    printf("%-24s %d readings, %d over 30 C (max %d)\n", alarm.name,
           alarm.count, alarm.alarms, alarm.max);
    printf("%-24s %d readings, %d..%d hPa\n", barometer.name,
           barometer.count, barometer.min, barometer.max);
    check(ca_pub_destroy(&pub), "pub_destroy");
    return EXIT_SUCCESS;
}
