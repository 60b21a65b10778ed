/*
** step4.c: tutorial step 4 (doc/tutorial.md): ALTS and timeouts.
** A sensor go block reports after 30, 40, 200 and 20 ms; main waits at
** most 100 ms for each report, with an ALTS of two cases: a take from
** the sensor, or a deadline. The clock is simulated (demo/lesson.h), so
** the times printed are the same on every machine.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

static const uint32_t delays[] = {30, 40, 200, 20};
#define REPORTS (int)(sizeof delays / sizeof delays[0])

struct sensor {
    ca_go go;
    ca_chan *out;
    int i;
};

static int sensor(ca_go *g)
{
    struct sensor *s = (struct sensor *)g;

    GO_BEGIN(g);
    for (s->i = 0; s->i < REPORTS; s->i++) {
        SLEEP(g, delays[s->i]);
        PUT(g, s->out, &s->i);  /* the report is its number */
    }
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct sensor s;
    static int buf[REPORTS]; /* a late report waits here, not in a park */
    ca_chan ch;
    ca_alt alt[2];
    size_t which;
    int v = 0, rc;

    sim_clock(NULL);
    check(ca_chan_init(&ch, CA_FIXED, REPORTS, sizeof(int), buf, sizeof buf),
          "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, sensor), "ca_go_start");
    /* The cases are filled once: each ALTS uses them as they are, and
    ** the deadline counts from the start of each. */
    check(ca_alt_take(&alt[0], &ch, &v), "ca_alt_take");
    check(ca_alt_deadline(&alt[1], 100), "ca_alt_deadline");
    for (;;) {
        rc = ca_alts_blocking(alt, 2, 0, &which);
        check(rc, "ca_alts_blocking");
        if (which == 1)
            printf("%3u ms: no report for 100 ms\n", (unsigned)sim_ms);
        else if (rc == CA_CLOSED) /* the take won, with no value */
            break;
        else
            printf("%3u ms: report %d\n", (unsigned)sim_ms, v);
    }
    printf("%3u ms: sensor closed\n", (unsigned)sim_ms);
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
