/*
** board.h: what a test or demo image needs from the board it runs on
** (QEMU's mps2-an385 or microbit, see boards): a SysTick millisecond
** clock, a way to sleep until the next interrupt, and a fault that ends
** the run instead of hanging it. Output goes through semihosting
** (picolibc's stdio). MIT licence, see COPYING.
*/
#ifndef CA_TARGET_BOARD_H
#define CA_TARGET_BOARD_H

#include <stdint.h>

/* Starts SysTick at 1 kHz from BOARD_CPU_HZ (given by the build). */
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

#endif /* CA_TARGET_BOARD_H */
