/*
** blinky.c: the "hello world" of firmware, as a go block.
**
** What it teaches: a go block on bare metal runs on a scheduler that has
** a clock of the board's (SysTick, 1 kHz) and sleeps the core (WFI)
** between timers: ca_sched_set_clock(). And how to keep a period exact:
** SLEEP(g, 250) waits at least 250 ms *from now*, so a loop of them runs
** late by the time its body takes and by the part of a tick already gone
** when it starts; SLEEP_UNTIL(g, next) waits for an absolute tick, and
** adding the period to the last deadline never drifts.
**
** Two LEDs blink side by side, each doing 3 ms of work (a busy loop)
** after every toggle: "led" with SLEEP_UNTIL, "naive" with SLEEP. The
** LED is a variable here, printed through semihosting; on a real board
** it would be a GPIO register write.
**
** What it prints (under QEMU -icount, the same every run):
**
**     led    on  at    250 ms
**     naive  on  at    253 ms
**     led    off at    500 ms
**     naive  off at    507 ms
**     ...
**     led    off at   2000 ms
**     naive  off at   2031 ms
**
** "led" toggles on the dot. "naive" loses 4 ms a period: 3 of work and
** the tick that SLEEP never cuts short. (Its first wake also waited for
** led's work: both blocks share one core, and led was due first.)
**
** Run it with `make run-blinky`. MIT licence, see COPYING.
*/
#include <stdio.h>

#include <coreasync.h>

#include "board.h"

#define PERIOD_MS 250u
#define TOGGLES 8

struct blinker {
    ca_go go;               /* first member: the go-block header          */
    const char *name;
    int drift_free;         /* 1: SLEEP_UNTIL; 0: SLEEP                   */
    uint32_t next;          /* the next deadline (SLEEP_UNTIL)            */
    int led, n;             /* survive every park: they live here         */
};

/* The loop's own work: a busy 3 ms. */
static void work(void)
{
    uint32_t t0 = board_ms();

    while ((uint32_t)(board_ms() - t0) < 3u)
        ;
}

static int blink(ca_go *g)
{
    struct blinker *b = (struct blinker *)g;

    GO_BEGIN(g);
    b->next = ca_sched_now(ca_go_sched(g));
    for (b->n = 0; b->n < TOGGLES; b->n++) {
        if (b->drift_free) {
            b->next += PERIOD_MS;
            SLEEP_UNTIL(g, b->next);
        } else {
            SLEEP(g, PERIOD_MS);
        }
        b->led = !b->led;
        printf("%-6s %-3s at %6lu ms\n", b->name, b->led ? "on" : "off",
               (unsigned long)ca_sched_now(ca_go_sched(g)));
        work();
    }
    GO_END(g);
}

int main(void)
{
    static ca_sched s;
    static struct blinker led = {.name = "led", .drift_free = 1};
    static struct blinker naive = {.name = "naive", .drift_free = 0};
    int rc;

    board_init();
    if ((rc = ca_sched_init(&s)) != CA_OK ||
        (rc = ca_sched_set_clock(&s, board_now, board_idle, NULL)) != CA_OK ||
        (rc = ca_go_start(&s, &led.go, blink)) != CA_OK ||
        (rc = ca_go_start(&s, &naive.go, blink)) != CA_OK ||
        (rc = ca_sched_run(&s)) != CA_OK) {
        printf("blinky: %s\n", ca_strerror(rc));
        return 1;
    }
    return 0;
}
