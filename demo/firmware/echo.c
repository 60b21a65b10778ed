/*
** echo.c: a UART echo, the receive interrupt feeding a go block through
** a channel, the transmit interrupt draining another.
**
** What it teaches: how an interrupt handler and a go block talk. The
** handler may not park, lock or run your code, so it uses the two calls
** made for it: ca_offer_isr() puts a received byte if the channel has
** room (and counts it lost if not: a handler never waits), and
** ca_poll_isr() takes the next byte to send when the transmitter is free.
** Both channels are declared with ca_chan_set_isr() before the interrupts
** are on. The go block in between parks on TAKE until a byte comes, and
** on PUT when the transmit buffer is full; the handler's offer or poll
** wakes it on the next turn of the super-loop (ca_sched_step, then
** ca_sched_idle, which sleeps in WFI until an interrupt).
**
**   UART RX irq --ca_offer_isr--> rx --TAKE--> echo --PUT--> tx
**   tx --ca_poll_isr--> UART TX irq
**
** Each line typed comes back as "echo: LINE" with its length; the line
** "bye" ends the program. `make run-echo` feeds demo/firmware/echo.input
** to QEMU's serial port (BOARD=microbit for the M0); check-firmware
** compares the output with echo.expected. MIT licence, see COPYING.
*/
#include <stdio.h>
#include <string.h>

#include <coreasync.h>

#include "board.h"

#define LINE_MAX 64

static ca_chan rx, tx;
static unsigned char rx_buf[16], tx_buf[16];

/* Receive interrupt: one byte. A handler never waits: when rx is full
** the board holds the byte and pauses the UART (flow control), and the go
** block resumes it once it has taken one. A UART without flow control
** would count the byte lost here instead. */
static int on_rx(unsigned char c)
{
    return ca_offer_isr(&rx, &c) == CA_OK;
}

/* Transmit interrupt: the next byte, if the go block has put one. */
static int on_tx(unsigned char *c)
{
    return ca_poll_isr(&tx, c) == CA_OK;
}

struct echo {
    ca_go go;
    unsigned char c;
    char line[LINE_MAX + 1], out[LINE_MAX + 32];
    size_t len, i, n;
    unsigned lines;
    int done;
};

static int echo_fn(ca_go *g)
{
    struct echo *e = (struct echo *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &rx, &e->c);            /* parks until the interrupt */
        if (GO_CLOSED(g))
            break;
        board_uart_rx_resume();         /* there is room again */
        if (e->c == '\r')
            continue;
        if (e->c != '\n') {
            if (e->len < LINE_MAX)
                e->line[e->len++] = (char)e->c;
            continue;
        }
        e->line[e->len] = '\0';
        e->lines++;
        if (strcmp(e->line, "bye") == 0)
            snprintf(e->out, sizeof e->out, "bye after %u lines\n",
                     e->lines);
        else
            snprintf(e->out, sizeof e->out, "echo: %s (%u)\n", e->line,
                     (unsigned)e->len);
        e->len = 0;
        for (e->n = strlen(e->out), e->i = 0; e->i < e->n; e->i++) {
            e->c = (unsigned char)e->out[e->i];
            PUT(g, &tx, &e->c);         /* parks while tx is full */
            board_uart_kick();          /* the transmitter may be idle */
        }
        if (strcmp(e->line, "bye") == 0)
            break;
    }
    e->done = 1;
    GO_END(g);
}

int main(void)
{
    static ca_sched s;
    static struct echo e;
    ca_chan_info info;
    uint32_t next;
    int rc;

    board_init(); /* the Cortex-M port: before any scheduler or channel */
    if ((rc = ca_sched_init(&s)) != CA_OK ||
        (rc = ca_chan_init(&rx, CA_FIXED, sizeof rx_buf, 1, rx_buf,
                           sizeof rx_buf)) != CA_OK ||
        (rc = ca_chan_init(&tx, CA_FIXED, sizeof tx_buf, 1, tx_buf,
                           sizeof tx_buf)) != CA_OK ||
        (rc = ca_chan_set_isr(&rx)) != CA_OK ||
        (rc = ca_chan_set_isr(&tx)) != CA_OK ||
        (rc = ca_go_start(&s, &e.go, echo_fn)) != CA_OK) {
        printf("echo: %s\n", ca_strerror(rc));
        return 1;
    }
    board_uart_start(on_rx, on_tx);
    /* The super-loop, until the block is done and tx has drained. */
    for (;;) {
        if ((rc = ca_sched_step(&s, &next)) != CA_OK) {
            printf("echo: %s\n", ca_strerror(rc));
            return 1;
        }
        if (e.done && ca_chan_inspect(&tx, &info) == CA_OK &&
            info.count == 0)
            break;
        (void)ca_sched_idle(&s, next);
    }
    return 0;
}
