/*
** step4_solution.c: step 4's exercise: one limit of 250 ms for the
** whole conversation instead of 100 ms per report. Each ALTS gets the
** time that is left, so the deadline case is filled afresh every time
** with a smaller number; once the time is up main stops listening.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

static const uint32_t delays[] = {30, 40, 200, 20};
#define REPORTS (int)(sizeof delays / sizeof delays[0])
#define LIMIT 250u

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
        PUT(g, s->out, &s->i);
        if (GO_CLOSED(g))   /* main hung up: stop reporting */
            break;
    }
    check(ca_close(s->out), "ca_close");
    GO_END(g);
}

int main(void)
{
    static struct sensor s;
    static int buf[REPORTS];
    ca_chan ch;
    ca_alt alt[2];
    size_t which;
    int v = 0, rc;

    sim_clock(NULL);
    check(ca_chan_init(&ch, CA_FIXED, REPORTS, sizeof(int), buf, sizeof buf),
          "ca_chan_init");
    s.out = &ch;
    check(ca_go_start(NULL, &s.go, sensor), "ca_go_start");
    for (;;) {
        check(ca_alt_take(&alt[0], &ch, &v), "ca_alt_take");
        check(ca_alt_deadline(&alt[1], LIMIT - sim_ms), "ca_alt_deadline");
        rc = ca_alts_blocking(alt, 2, 0, &which);
        check(rc, "ca_alts_blocking");
        if (which == 1) {
            printf("%3u ms: time is up\n", (unsigned)sim_ms);
            break;
        }
        if (rc == CA_CLOSED)
            break;
        printf("%3u ms: report %d\n", (unsigned)sim_ms, v);
    }
    /* Hang up, and let the sensor run to its end. */
    check(ca_close(&ch), "ca_close");
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&ch), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
