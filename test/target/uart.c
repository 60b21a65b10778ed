/*
** uart.c: the board's UART, interrupt driven both ways (board.h), under
** QEMU's -serial. MIT licence, see COPYING.
**
** mps2-an385: CMSDK APB UART0 (0x40004000; receive IRQ 0, transmit IRQ
** 1). microbit: nRF51 UART0 (0x40002000, IRQ 2 for both). QEMU hands a
** byte to either only when its receive register is empty, so input is
** never dropped by the model: it waits until the handler has read the
** last byte.
**
** Receive: rx() says whether it took the byte. When it did not (the
** channel behind it is full) the byte is held here and the receive
** interrupt masked, so the UART itself holds what comes next (QEMU sends
** no more while its register is full): flow control instead of loss,
** until board_uart_rx_resume() hands the held byte over again.
**
** Transmit: the handler asks tx() for a byte whenever the transmitter is
** free, and the transmitter's "done" interrupt asks again; when tx() has
** none, the UART goes quiet until board_uart_kick() pends the interrupt
** by hand (NVIC ISPR). Kicking when the transmitter is busy is harmless:
** the handler sees it busy and leaves.
*/
#include "board.h"

#define REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define NVIC_ISPR (*(volatile uint32_t *)0xE000E200u)

static int (*volatile uart_rx)(unsigned char c);
static int (*volatile uart_tx)(unsigned char *c);
static volatile int held = -1;

static void rx_mask(int masked);

/* In the handler: the held byte first, then what the UART has. A resume
** does not promise room: the TAKE before it may have been served by an
** offer while its block was parked (the value went to the block, not
** through the buffer), so the channel can still be full. Then reception
** is masked again, as on the first refusal. Without that, the nRF51's
** level-triggered RXDRDY kept the interrupt firing, refused each time,
** and the main loop, which alone can make room, never ran again (the
** microbit echo demo hung in about half of its runs). */
static int rx_deliver_held(void)
{
    if (held >= 0) {
        if (!uart_rx((unsigned char)held)) {
            rx_mask(1);
            return 0;
        }
        held = -1;
    }
    return 1;
}

static void rx_refused(unsigned char c)
{
    held = c;
    rx_mask(1);
}

#if defined(BOARD_MPS2_AN385)
#define U0 0x40004000u
#define RX_IRQ 0u
#define TX_IRQ 1u
enum { DATA = 0x00, STATE = 0x04, CTRL = 0x08, INTCLEAR = 0x0C,
       BAUDDIV = 0x10 };
enum { TX_FULL = 1u, RX_FULL = 2u, INT_TX = 1u, INT_RX = 2u,
       CTRL_ALL = 1u | 2u | 4u | 8u /* TX, RX, both interrupts */ };

static void rx_mask(int masked)
{
    REG(U0, CTRL) = masked ? CTRL_ALL & ~8u : CTRL_ALL;
}

static void on_rx(void)
{
    unsigned char c;

    REG(U0, INTCLEAR) = INT_RX;
    if (!rx_deliver_held())
        return;
    while (REG(U0, STATE) & RX_FULL) {
        c = (unsigned char)REG(U0, DATA);
        if (!uart_rx(c)) {
            rx_refused(c);
            return;
        }
    }
}

void board_uart_rx_resume(void)
{
    if (held >= 0) {
        rx_mask(0);
        NVIC_ISPR = 1u << RX_IRQ;
    }
}

static void on_tx(void)
{
    unsigned char c;

    REG(U0, INTCLEAR) = INT_TX;
    if (!(REG(U0, STATE) & TX_FULL) && uart_tx(&c))
        REG(U0, DATA) = c;
}

void board_uart_start(int (*rx)(unsigned char c), int (*tx)(unsigned char *c))
{
    uart_rx = rx;
    uart_tx = tx;
    REG(U0, BAUDDIV) = 16;                 /* the least QEMU accepts */
    board_irq_set(RX_IRQ, on_rx);
    board_irq_set(TX_IRQ, on_tx);
    rx_mask(0);
}

void board_uart_kick(void)
{
    NVIC_ISPR = 1u << TX_IRQ;
}

int board_uart_tx_idle(void)
{
    return !(REG(U0, STATE) & TX_FULL);
}

void board_uart_tick(void)
{
}
#elif defined(BOARD_MICROBIT)
#define U0 0x40002000u
#define IRQ 2u
enum { STARTRX = 0x000, STARTTX = 0x008, RXDRDY = 0x108, TXDRDY = 0x11C,
       INTENSET = 0x304, ENABLE = 0x500, RXD = 0x518, TXD = 0x51C };

enum { INTENCLR = 0x308, INT_RXDRDY = 1u << 2, INT_TXDRDY = 1u << 7 };

static volatile int tx_busy, rx_masked;

static void rx_mask(int masked)
{
    rx_masked = masked;
    REG(U0, masked ? INTENCLR : INTENSET) = INT_RXDRDY;
}

void board_uart_rx_resume(void)
{
    if (held >= 0) {
        rx_mask(0);
        NVIC_ISPR = 1u << IRQ;
    }
}

static void on_uart(void)
{
    unsigned char c;

    if (!rx_masked && rx_deliver_held()) {
        while (REG(U0, RXDRDY)) {
            /* Cleared first: reading RXD raises it again if more waits. */
            REG(U0, RXDRDY) = 0;
            c = (unsigned char)REG(U0, RXD);
            if (!uart_rx(c)) {
                rx_refused(c);
                break;
            }
        }
    }
    if (REG(U0, TXDRDY)) {
        REG(U0, TXDRDY) = 0;
        tx_busy = 0;
    }
    if (!tx_busy && uart_tx(&c)) {
        tx_busy = 1;
        REG(U0, TXD) = c;
    }
}

void board_uart_start(int (*rx)(unsigned char c), int (*tx)(unsigned char *c))
{
    uart_rx = rx;
    uart_tx = tx;
    REG(U0, ENABLE) = 4;
    REG(U0, INTENSET) = INT_RXDRDY | INT_TXDRDY;
    board_irq_set(IRQ, on_uart);
    REG(U0, STARTRX) = 1;
    REG(U0, STARTTX) = 1;
}

void board_uart_kick(void)
{
    NVIC_ISPR = 1u << IRQ;
}

int board_uart_tx_idle(void)
{
    return !tx_busy;
}

/* QEMU's nRF51 model sets TXDRDY without raising the interrupt when it
** sent the byte late: the -serial backend was not ready (a socket whose
** reader lags) and it waited for it. Nothing would ever ask tx() again,
** so the tick looks for such a byte and pends the interrupt by hand.
** (The CMSDK model raises its interrupt on both paths.) */
void board_uart_tick(void)
{
    if (tx_busy && REG(U0, TXDRDY))
        NVIC_ISPR = 1u << IRQ;
}
#else
#error "uart.c: which board? (BOARD_MPS2_AN385 or BOARD_MICROBIT)"
#endif
