/*
** board.h: what a test or demo image needs from the board it runs on
** (QEMU's mps2-an385 or microbit, see boards): the library's Cortex-M
** port with a SysTick millisecond clock, a way to sleep until the next
** interrupt, a fault that ends the run instead of hanging it, and the
** board's periodic timer and UART as interrupt sources (timer.c,
** uart.c). Output goes through semihosting (picolibc's stdio).
** MIT licence, see COPYING.
*/
#ifndef CA_TARGET_BOARD_H
#define CA_TARGET_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Makes ca_port_cortex_m the library's port (call it first, before any
** scheduler is made) and starts SysTick at 1 kHz from BOARD_CPU_HZ
** (given by the build) to feed the port's clock. */
void board_init(void);

/* Milliseconds since board_init(), wrapping as the library expects. */
uint32_t board_ms(void);

/* Nanoseconds since board_init(), to the SysTick counter's resolution
** (for the tests that look inside a millisecond). */
uint64_t board_ns(void);

/* The scheduler's hooks (ca_sched_set_clock): the SysTick clock, and an
** idle that sleeps (WFI) until the next interrupt, at most 1 ms away. */
uint32_t board_now(void *ud);
void board_idle(void *ud, uint32_t ms);

/* Ends the run with exit status 1 and msg on the console if ms pass
** before the next call (0 disarms): a hang becomes a named failure. */
void board_watchdog(uint32_t ms, const char *msg);

/* Peripheral interrupts (both boards have 32): fn runs in handler mode
** when interrupt `irq` fires; NULL disables it. */
#define BOARD_NIRQ 32u
void board_irq_set(unsigned irq, void (*fn)(void));

/* The board's periodic timer (CMSDK TIMER0 on mps2-an385, nRF51 TIMER0
** on microbit): fn runs every `cycles` CPU cycles (at least 16) from its
** interrupt, until board_timer_stop(). */
void board_timer_start(uint32_t cycles, void (*fn)(void));
void board_timer_stop(void);

/* The board's UART (CMSDK UART0 on mps2-an385, nRF51 UART0 on microbit;
** QEMU's -serial), both ways from its interrupts: rx runs with each byte
** received and returns 1 if it took it; on 0 the byte is held and
** reception paused until board_uart_rx_resume(). tx runs whenever the
** transmitter is free and returns 1 with the next byte to send in *c, 0
** when it has none; board_uart_kick() makes it ask again. */
void board_uart_start(int (*rx)(unsigned char c), int (*tx)(unsigned char *c));
void board_uart_rx_resume(void);
void board_uart_kick(void);
/* 1 when the transmitter has nothing in flight: the last byte given to
** it has left the UART (under QEMU: was handed to the -serial backend). */
int board_uart_tx_idle(void);

/* Called by board.c from SysTick, every millisecond: catches a transmit
** completion whose interrupt never came (see uart.c). */
void board_uart_tick(void);

#endif /* CA_TARGET_BOARD_H */
