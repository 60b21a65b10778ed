/*
** bridge.c: a host process and the board share a channel over the UART.
**
** What it teaches: how a channel crosses a wire. The bytes a wire
** carries are not values: they come one at a time, they may be damaged,
** and a stream has no "closed" of its own. The frames of ca_bridge(3)
** (sync byte, type, length, value, CRC-32) make values of them again, and
** an end frame carries the close. On a host, ca_bridge_in/out do this on
** a descriptor. A board has no descriptor, so here the same frames are
** made and read with the codec alone (ca_frame(3)) by two go blocks of
** ours, and the interrupts move the bytes, as in echo.c:
**
**   UART RX irq --ca_offer_isr--> rx --TAKE--> [decode] --PUT--> numbers
**   numbers --TAKE--> [twice] --PUT--> doubled
**   doubled --TAKE--> [encode] --PUT--> tx --ca_poll_isr--> UART TX irq
**
** The host (test/target/bridge_host.c, on QEMU's serial port) sends
** integers; the board doubles each one in a go block that knows nothing
** of wires, and sends it back. When the host closes its channel, its
** bridge sends an end frame: decode closes `numbers`, twice closes
** `doubled`, encode sends an end frame back, and the host's bridge in
** closes the host's channel. Closing travels the whole loop; no value is
** lost on the way (the UART holds a byte the rx channel has no room for,
** see board.h), and a damaged frame would be dropped and counted.
**
** Values travel as the channels hold them: 32-bit little-endian, on the
** host (x86-64) and on the board (Cortex-M) alike.
**
** `make check-firmware` runs it against the host program on both boards;
** it prints its counts when the host has closed. MIT licence, see
** COPYING.
*/
#include <stdint.h>
#include <stdio.h>

#include <coreasync.h>

#include "board.h"

static ca_chan rx, tx, numbers, doubled;
static unsigned char rx_buf[32], tx_buf[32];
static int32_t numbers_buf[4], doubled_buf[4];

static int on_rx(unsigned char c) /* receive interrupt */
{
    return ca_offer_isr(&rx, &c) == CA_OK;
}

static int on_tx(unsigned char *c) /* transmit interrupt */
{
    return ca_poll_isr(&tx, c) == CA_OK;
}

/* Bytes in, values out. The decoder keeps the value in its own buffer
** until the next call, so the PUT parks with a pointer to it. */
struct decode {
    ca_go go;
    ca_frame_decoder dec;
    unsigned char buf[CA_BRIDGE_BUF(sizeof(int32_t))];
    unsigned char c;
    void *v;
    int type;
};

static int decode_fn(ca_go *g)
{
    struct decode *d = (struct decode *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &rx, &d->c);
        board_uart_rx_resume(); /* there is room in rx again */
        /* One byte always fits: ca_frame_next() said 0 last time. */
        (void)ca_frame_feed(&d->dec, &d->c, 1);
        while ((d->type = ca_frame_next(&d->dec, &d->v)) ==
               CA_FRAME_VALUE) {
            PUT_BYTES(g, &numbers, d->v); /* only we close numbers */
        }
        if (d->type == CA_FRAME_END)
            break; /* the host closed its end */
    }
    (void)ca_close(&numbers);
    GO_END(g);
}

/* The work, on values: it has no idea where they come from. */
struct twice {
    ca_go go;
    int32_t x;
};

static int twice_fn(ca_go *g)
{
    struct twice *t = (struct twice *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &numbers, &t->x);
        if (GO_CLOSED(g))
            break;
        t->x *= 2;
        PUT(g, &doubled, &t->x);
    }
    (void)ca_close(&doubled);
    GO_END(g);
}

/* Values in, bytes out: the value is taken straight into the frame,
** behind room for the header, and framed where it lies. */
struct encode {
    ca_go go;
    unsigned char frame[CA_BRIDGE_BUF(sizeof(int32_t))];
    size_t n, i;
    unsigned long sent;
    int end, done;
};

static int encode_fn(ca_go *g)
{
    struct encode *e = (struct encode *)g;

    GO_BEGIN(g);
    while (!e->end) {
        TAKE_BYTES(g, &doubled, e->frame + CA_FRAME_HEADER);
        e->end = GO_CLOSED(g);
        if (e->end)
            (void)ca_frame_encode(e->frame, sizeof e->frame, CA_FRAME_END,
                                  NULL, 0, &e->n);
        else
            (void)ca_frame_encode(e->frame, sizeof e->frame, CA_FRAME_VALUE,
                                  e->frame + CA_FRAME_HEADER,
                                  sizeof(int32_t), &e->n);
        for (e->i = 0; e->i < e->n; e->i++) {
            PUT(g, &tx, &e->frame[e->i]); /* parks while tx is full */
            board_uart_kick();            /* the transmitter may be idle */
        }
        e->sent += !e->end;
    }
    e->done = 1; /* every byte is in tx */
    GO_END(g);
}

int main(void)
{
    static ca_sched s;
    static struct decode d;
    static struct twice t;
    static struct encode e;
    ca_chan_info info;
    uint32_t next;
    int rc;

    board_init();
    if ((rc = ca_sched_init(&s)) != CA_OK ||
        (rc = ca_chan_init(&rx, CA_FIXED, sizeof rx_buf, 1, rx_buf,
                           sizeof rx_buf)) != CA_OK ||
        (rc = ca_chan_init(&tx, CA_FIXED, sizeof tx_buf, 1, tx_buf,
                           sizeof tx_buf)) != CA_OK ||
        (rc = ca_chan_init(&numbers, CA_FIXED, 4, sizeof(int32_t),
                           numbers_buf, sizeof numbers_buf)) != CA_OK ||
        (rc = ca_chan_init(&doubled, CA_FIXED, 4, sizeof(int32_t),
                           doubled_buf, sizeof doubled_buf)) != CA_OK ||
        (rc = ca_chan_set_isr(&rx)) != CA_OK ||
        (rc = ca_chan_set_isr(&tx)) != CA_OK ||
        (rc = ca_frame_decoder_init(&d.dec, d.buf, sizeof d.buf,
                                    sizeof(int32_t))) != CA_OK ||
        (rc = ca_go_start(&s, &d.go, decode_fn)) != CA_OK ||
        (rc = ca_go_start(&s, &t.go, twice_fn)) != CA_OK ||
        (rc = ca_go_start(&s, &e.go, encode_fn)) != CA_OK) {
        printf("bridge: %s\n", ca_strerror(rc));
        return 1;
    }
    board_uart_start(on_rx, on_tx);
    /* Until the end frame has left: sent to tx, drained by the interrupt,
    ** and out of the UART (QEMU has handed it to the host). */
    for (;;) {
        if ((rc = ca_sched_step(&s, &next)) != CA_OK) {
            printf("bridge: %s\n", ca_strerror(rc));
            return 1;
        }
        if (e.done && ca_chan_inspect(&tx, &info) == CA_OK &&
            info.count == 0 && board_uart_tx_idle())
            break;
        (void)ca_sched_idle(&s, next);
    }
    printf("bridge: %lu values came, %lu went back doubled; "
           "%lu damaged stretches (%lu bytes) dropped\n",
           d.dec.frames, e.sent, d.dec.corrupt, d.dec.skipped);
    return 0;
}
