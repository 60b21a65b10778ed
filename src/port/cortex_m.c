/*
** port/cortex_m.c: the Cortex-M port (M0 and up): PRIMASK is the
** critical section, WFI the wait, SysTick the millisecond clock.
** MIT licence, see COPYING.
**
** WFI with PRIMASK set still wakes on a pending interrupt (the interrupt
** runs once PRIMASK is restored): the library checks for deferred wakes
** and sleeps without a window for an interrupt to slip through.
*/
#include "../internal.h"

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
static volatile uint32_t ticks;

void ca_cortex_m_tick(void)
{
    ticks++; /* only the SysTick handler writes it: no read-modify race */
}

static uint32_t cm_now(void *ud)
{
    (void)ud;
    return ticks;
}

static ca_irq_state cm_enter(void)
{
    ca_irq_state primask;

    __asm__ __volatile__("mrs %0, primask\n\tcpsid i" : "=r"(primask)
                         :: "memory");
    return primask;
}

static void cm_leave(ca_irq_state primask)
{
    __asm__ __volatile__("msr primask, %0" :: "r"(primask) : "memory");
}

static void cm_wait(ca_irq_state primask, uint32_t ms)
{
    /* SysTick ends the wait every millisecond: no need to count ms. */
    (void)primask;
    (void)ms;
    __asm__ __volatile__("dsb\n\twfi" ::: "memory");
}

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

int ca_cortex_m_systick_start(uint32_t cycles_per_ms)
{
    if (cycles_per_ms == 0 || cycles_per_ms > 0x1000000u)
        return CA_ERANGE;
    SYST_RVR = cycles_per_ms - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* core clock, interrupt, enable */
    return CA_OK;
}

const ca_port ca_port_cortex_m = {cm_enter, cm_leave, cm_wait, cm_now};
#else
/* Not an M-profile core (a Cortex-A or R build of arm-none-eabi): this
** port does not apply. ISO C wants something in the file. */
typedef int ca__not_cortex_m;
#endif
