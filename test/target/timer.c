/*
** timer.c: the board's periodic timer interrupt (board.h), the source of
** the ISR stress test. MIT licence, see COPYING.
**
** mps2-an385: CMSDK APB TIMER0 (0x40000000, IRQ 8), counting down from
** RELOAD on the 25 MHz peripheral clock. microbit: nRF51 TIMER0
** (0x40008000, IRQ 8), counting up at 16 MHz to CC[0], which clears it
** (SHORTS). Both interrupts stay raised until acknowledged: the handler
** clears the request first, so that a period shorter than the handler
** is seen as one late interrupt, not a stuck one.
*/
#include "board.h"

#define REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define TIMER_IRQ 8u

static void (*volatile timer_fn)(void);

#if defined(BOARD_MPS2_AN385)
#define T0 0x40000000u
enum { CTRL = 0x00, VALUE = 0x04, RELOAD = 0x08, INTCLEAR = 0x0C };

static void on_timer(void)
{
    REG(T0, INTCLEAR) = 1;
    timer_fn();
}

void board_timer_start(uint32_t cycles, void (*fn)(void))
{
    REG(T0, CTRL) = 0;
    timer_fn = fn;
    board_irq_set(TIMER_IRQ, on_timer);
    REG(T0, RELOAD) = cycles - 1u;
    REG(T0, VALUE) = cycles - 1u;          /* the first period too */
    REG(T0, CTRL) = 1u | 8u;               /* enable, interrupt enable */
}

void board_timer_stop(void)
{
    REG(T0, CTRL) = 0;
    board_irq_set(TIMER_IRQ, NULL);
    REG(T0, INTCLEAR) = 1;
}
#elif defined(BOARD_MICROBIT)
#define T0 0x40008000u
enum { START = 0x000, STOP = 0x004, CLEAR = 0x00C, COMPARE0 = 0x140,
       SHORTS = 0x200, INTENSET = 0x304, INTENCLR = 0x308, MODE = 0x504,
       BITMODE = 0x508, PRESCALER = 0x510, CC0 = 0x540 };

static void on_timer(void)
{
    REG(T0, COMPARE0) = 0;
    timer_fn();
}

void board_timer_start(uint32_t cycles, void (*fn)(void))
{
    REG(T0, STOP) = 1;
    timer_fn = fn;
    board_irq_set(TIMER_IRQ, on_timer);
    REG(T0, MODE) = 0;                     /* timer, not counter */
    REG(T0, BITMODE) = 3;                  /* 32 bits */
    REG(T0, PRESCALER) = 0;                /* 16 MHz: one count a cycle */
    REG(T0, CC0) = cycles;
    REG(T0, SHORTS) = 1;                   /* COMPARE0 clears the count */
    REG(T0, COMPARE0) = 0;
    REG(T0, INTENSET) = 1u << 16;          /* COMPARE0 */
    REG(T0, CLEAR) = 1;
    REG(T0, START) = 1;
}

void board_timer_stop(void)
{
    REG(T0, STOP) = 1;
    REG(T0, INTENCLR) = 1u << 16;
    board_irq_set(TIMER_IRQ, NULL);
    REG(T0, COMPARE0) = 0;
}
#else
#error "timer.c: which board? (BOARD_MPS2_AN385 or BOARD_MICROBIT)"
#endif
