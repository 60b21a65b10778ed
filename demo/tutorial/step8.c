/*
** step8.c: tutorial step 8 (doc/tutorial.md): firmware's super-loop.
** A microcontroller has no threads: its main loop calls ca_sched_step()
** to run whatever is ready, then ca_sched_idle() to sleep until the next
** timer (or an interrupt). The same loop runs here on the host's POSIX
** port; the clock is simulated (demo/lesson.h), so ca_sched_idle jumps
** the clock instead of sleeping and the times printed never vary.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct blinker {
    ca_go go;
    const char *name;
    uint32_t period;        /* ms between two toggles                     */
    int n, on;
};

static int blinker(ca_go *g)
{
    struct blinker *b = (struct blinker *)g;

    GO_BEGIN(g);
    for (b->n = 0; b->n < 4; b->n++) {
        SLEEP(g, b->period);
        b->on = !b->on;
        printf("%4u ms: %s %s\n", (unsigned)sim_ms, b->name,
               b->on ? "on" : "off");
    }
    GO_END(g);
}

int main(void)
{
    static struct blinker led = {.name = "LED", .period = 500};
    uint32_t next;

    sim_clock(NULL);
    check(ca_go_start(NULL, &led.go, blinker), "ca_go_start");
    /* The super-loop. A real one never ends; this one stops when the
    ** scheduler has nothing left, no block and no timer (CA_FOREVER). */
    for (;;) {
        check(ca_sched_step(NULL, &next), "ca_sched_step");
        if (next == CA_FOREVER)
            break;
        check(ca_sched_idle(NULL, next), "ca_sched_idle");
    }
    /* (Not the number of turns: ca_sched_idle may return early.) */
    printf("%4u ms: nothing left to run\n", (unsigned)sim_ms);
    return EXIT_SUCCESS;
}
