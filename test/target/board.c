/*
** board.c: the board under the tests and demos, on any Cortex-M (ARMv6-M
** and ARMv7-M alike): the library's Cortex-M port with SysTick as its
** clock, the vector table, the watchdog and the fault handler.
** MIT licence, see COPYING.
**
** The clock is the port's (ca_port_cortex_m, fed by ca_cortex_m_tick()
** from the SysTick handler), set before anything else runs, exactly as
** doc/firmware.md tells a firmware to: every scheduler then sleeps
** through the port's WFI with interrupts masked, so the tests run the
** port a firmware ships with, not a clock of their own.
**
** The vector table is ours (picolibc's has no external interrupts): every
** peripheral interrupt goes through one dispatcher that reads the active
** number (IPSR) and calls what board_irq_set() registered. The cost is a
** few instructions per interrupt; the gain is that a test or demo hooks
** the board's timer or UART without a table of its own.
*/
#include <stdlib.h>

#include <coreasync.h>

#include "board.h"

#ifndef BOARD_CPU_HZ
#error "BOARD_CPU_HZ: the SysTick clock of the board, in Hz"
#endif

#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define NVIC_ISER (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER (*(volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR (*(volatile uint32_t *)0xE000E280u)

static volatile uint32_t wd_start, wd_ms;
static const char *volatile wd_msg;
static void (*volatile irq_fn[BOARD_NIRQ])(void);

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
    /* Cannot fail with the shipped port and a reload under 2^24; a run
    ** without a clock would fail every timer test by name anyway. */
    (void)ca_port_set(&ca_port_cortex_m);
    (void)ca_cortex_m_systick_start(BOARD_CPU_HZ / 1000u);
}

uint32_t board_ms(void)
{
    return ca_port_cortex_m.now(NULL);
}

uint64_t board_ns(void)
{
    uint32_t ms, left;

    /* A tick between the two reads would pair a count with the wrong ms. */
    do {
        ms = board_ms();
        left = SYST_CVR;
    } while (ms != board_ms());
    return (uint64_t)ms * 1000000u +
           (uint64_t)(SYST_RVR - left) * 1000000u / (SYST_RVR + 1u);
}

uint32_t board_now(void *ud)
{
    (void)ud;
    return board_ms();
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
    wd_start = board_ms();
    wd_ms = ms;
}

void board_irq_set(unsigned irq, void (*fn)(void))
{
    if (irq >= BOARD_NIRQ)
        return;
    NVIC_ICER = 1u << irq;
    irq_fn[irq] = fn;
    if (fn != NULL) {
        NVIC_ICPR = 1u << irq; /* a stale request is not this handler's */
        NVIC_ISER = 1u << irq;
    }
}

static void on_systick(void)
{
    uint32_t now;

    ca_cortex_m_tick();
    board_uart_tick();
    now = board_ms();
    if (wd_ms != 0 && (uint32_t)(now - wd_start) >= wd_ms) {
        console("\nwatchdog: ");
        console(wd_msg != NULL ? wd_msg : "?");
        console(" did not finish\n");
        _Exit(1);
    }
}

/* A crash (NULL call, bad address, unaligned access on ARMv6-M) ends the
** run with status 99, which automake and check-firmware.sh read as an
** error, instead of spinning. */
static void on_fault(void)
{
    console("\nHardFault\n");
    _Exit(99);
}

static void on_irq(void)
{
    uint32_t ipsr;
    void (*fn)(void);

    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    fn = ipsr >= 16u && ipsr - 16u < BOARD_NIRQ ? irq_fn[ipsr - 16u] : NULL;
    if (fn == NULL) {
        console("\nunexpected interrupt\n");
        _Exit(99);
    }
    fn();
}

/* picolibc's crt0 takes the table by this name; its linker script puts
** this section first in flash, at address 0. */
extern char __stack[];
void _start(void);
typedef void (*board_vector)(void);
#define IRQ4 on_irq, on_irq, on_irq, on_irq
const struct {
    char *sp;
    board_vector v[15 + BOARD_NIRQ];
} __interrupt_vector __attribute__((section(".data.init.enter"), used)) = {
    __stack,
    {_start, on_fault, on_fault, on_fault, on_fault, on_fault, /* .. usage */
     NULL, NULL, NULL, NULL, on_fault, on_fault, NULL, on_fault, /* PendSV */
     on_systick, IRQ4, IRQ4, IRQ4, IRQ4, IRQ4, IRQ4, IRQ4, IRQ4}};
