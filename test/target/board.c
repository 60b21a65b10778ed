/*
** board.c: SysTick, WFI, the watchdog and the fault handler, on any
** Cortex-M (ARMv6-M and ARMv7-M alike). picolibc's crt0 brings the
** vector table and calls the weak arm_*_isr hooks defined here.
** MIT licence, see COPYING.
*/
#include <stdlib.h>

#include "board.h"

#ifndef BOARD_CPU_HZ
#error "BOARD_CPU_HZ: the SysTick clock of the board, in Hz"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t ticks;
static volatile uint32_t wd_start, wd_ms;
static const char *volatile wd_msg;

void arm_systick_isr(void);
void arm_hardfault_isr(void);

/* Semihosting SYS_WRITE0 by hand: safe in a handler, where the main
** line may be inside stdio. */
static void console(const char *s)
{
    register uint32_t op __asm__("r0") = 0x04;
    register const char *arg __asm__("r1") = s;

    __asm__ volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
}

void board_init(void)
{
    SYST_CSR = 0;
    SYST_RVR = BOARD_CPU_HZ / 1000u - 1u; /* the processor clock: CLKSOURCE */
    SYST_CVR = 0;
    SYST_CSR = 7;                          /* ENABLE | TICKINT | CLKSOURCE */
}

uint32_t board_ms(void)
{
    return ticks;
}

uint64_t board_ns(void)
{
    uint32_t ms, left;

    /* A tick between the two reads would pair a count with the wrong ms. */
    do {
        ms = ticks;
        left = SYST_CVR;
    } while (ms != ticks);
    return (uint64_t)ms * 1000000u +
           (uint64_t)(SYST_RVR - left) * 1000000u / (SYST_RVR + 1u);
}

uint32_t board_now(void *ud)
{
    (void)ud;
    return ticks;
}

void board_idle(void *ud, uint32_t ms)
{
    (void)ud;
    (void)ms;
    /* The tick ends the wait within 1 ms: the scheduler looks again. */
    __asm__ volatile("wfi" ::: "memory");
}

void board_watchdog(uint32_t ms, const char *msg)
{
    wd_ms = 0;
    wd_msg = msg;
    wd_start = ticks;
    wd_ms = ms;
}

void arm_systick_isr(void)
{
    uint32_t now = ++ticks;

    if (wd_ms != 0 && (uint32_t)(now - wd_start) >= wd_ms) {
        console("\nwatchdog: ");
        console(wd_msg != NULL ? wd_msg : "?");
        console(" did not finish\n");
        _Exit(1);
    }
}

/* A crash (NULL call, bad address, unaligned access on ARMv6-M) ends the
** run with status 99, which automake and check-firmware.sh read as an
** error, instead of spinning in picolibc's default handler. */
void arm_hardfault_isr(void)
{
    console("\nHardFault\n");
    _Exit(99);
}
