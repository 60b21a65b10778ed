/*
** step8_solution.c: step 8's exercise: a second blinker, every 300 ms,
** in the same super-loop. Nothing in the loop changes: the scheduler
** finds the nearer of the two timers and ca_sched_idle sleeps until it.
** Both blocks share one go function; each has its own struct.
** MIT licence, see COPYING.
*/
#include "../lesson.h"

struct blinker {
    ca_go go;
    const char *name;
    uint32_t period;
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
    static struct blinker buzzer = {.name = "buzzer", .period = 300};
    uint32_t next;

    sim_clock(NULL);
    check(ca_go_start(NULL, &led.go, blinker), "ca_go_start");
    check(ca_go_start(NULL, &buzzer.go, blinker), "ca_go_start");
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
