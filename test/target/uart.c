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
** Transmit: the handler asks tx() for a byte whenever the transmitter is
** free, and the transmitter's "done" interrupt asks again; when tx() has
** none, the UART goes quiet until board_uart_kick() pends the interrupt
** by hand (NVIC ISPR). Kicking when the transmitter is busy is harmless:
** the handler sees it busy and leaves.
*/
#include "board.h"

#define REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define NVIC_ISPR (*(volatile uint32_t *)0xE000E200u)

static void (*volatile uart_rx)(unsigned char c);
static int (*volatile uart_tx)(unsigned char *c);

#if defined(BOARD_MPS2_AN385)
#define U0 0x40004000u
#define RX_IRQ 0u
#define TX_IRQ 1u
enum { DATA = 0x00, STATE = 0x04, CTRL = 0x08, INTCLEAR = 0x0C,
       BAUDDIV = 0x10 };
enum { TX_FULL = 1u, INT_TX = 1u, INT_RX = 2u };

static void on_rx(void)
{
    REG(U0, INTCLEAR) = INT_RX;
    uart_rx((unsigned char)REG(U0, DATA));
}

static void on_tx(void)
{
    unsigned char c;

    REG(U0, INTCLEAR) = INT_TX;
    if (!(REG(U0, STATE) & TX_FULL) && uart_tx(&c))
        REG(U0, DATA) = c;
}

void board_uart_start(void (*rx)(unsigned char c), int (*tx)(unsigned char *c))
{
    uart_rx = rx;
    uart_tx = tx;
    REG(U0, BAUDDIV) = 16;                 /* the least QEMU accepts */
    board_irq_set(RX_IRQ, on_rx);
    board_irq_set(TX_IRQ, on_tx);
    REG(U0, CTRL) = 1u | 2u | 4u | 8u;     /* TX, RX, both interrupts */
}

void board_uart_kick(void)
{
    NVIC_ISPR = 1u << TX_IRQ;
}
#elif defined(BOARD_MICROBIT)
#define U0 0x40002000u
#define IRQ 2u
enum { STARTRX = 0x000, STARTTX = 0x008, RXDRDY = 0x108, TXDRDY = 0x11C,
       INTENSET = 0x304, ENABLE = 0x500, RXD = 0x518, TXD = 0x51C };

static volatile int tx_busy;

static void on_uart(void)
{
    unsigned char c;

    if (REG(U0, RXDRDY)) {
        /* Cleared first: reading RXD raises it again if more is queued. */
        REG(U0, RXDRDY) = 0;
        uart_rx((unsigned char)REG(U0, RXD));
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

void board_uart_start(void (*rx)(unsigned char c), int (*tx)(unsigned char *c))
{
    uart_rx = rx;
    uart_tx = tx;
    REG(U0, ENABLE) = 4;
    REG(U0, INTENSET) = (1u << 2) | (1u << 7); /* RXDRDY, TXDRDY */
    board_irq_set(IRQ, on_uart);
    REG(U0, STARTRX) = 1;
    REG(U0, STARTTX) = 1;
}

void board_uart_kick(void)
{
    NVIC_ISPR = 1u << IRQ;
}
#else
#error "uart.c: which board? (BOARD_MPS2_AN385 or BOARD_MICROBIT)"
#endif
