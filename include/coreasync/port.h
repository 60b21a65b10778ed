/*
** coreasync/port.h: the port: what the library needs from the machine
** beyond C (a critical section, a clock, a way to sleep until an
** interrupt). See ca_port(3) and doc/firmware.md. MIT licence, see COPYING.
*/
#ifndef COREASYNC_PORT_H
#define COREASYNC_PORT_H

#include <stdint.h>

#include <coreasync/config.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a port's `enter` saves and its `leave` restores (PRIMASK on a
 * Cortex-M, the interrupt-enable bit of mstatus on RISC-V). */
typedef uint32_t ca_irq_state;

/**
 * A port: four hooks, in a struct of yours (or one of the ports shipped),
 * given to the library with ca_port_set() before anything else runs.
 *
 * - `enter()` masks every interrupt that may call ca_offer_isr() or
 *   ca_poll_isr() and returns the state before; `leave(saved)` restores
 *   it. The library never nests them in one context (it counts), but a
 *   handler may call them while the main loop is outside them. Required.
 * - `wait(saved, ms)` is called between `enter` and `leave` (`saved` is
 *   what that `enter` returned): it returns once an interrupt is pending
 *   or has run, or `ms` milliseconds have passed (`CA_FOREVER`: no
 *   limit), and may return early. WFI does exactly this with interrupts
 *   masked. NULL: the library spins.
 * - `now(ud)` is the millisecond clock (ud is NULL): a free-running 32-bit
 *   tick that may wrap. Every scheduler made after ca_port_set() takes it;
 *   ca_sched_set_clock() still overrides it per scheduler. NULL: no clock
 *   (timers are refused until ca_sched_set_clock gives one).
 *
 * In a build with threads (CA_HAVE_THREADS) the channel locks are the
 * critical section: `enter`, `leave` and `wait` are never called there.
 */
typedef struct ca_port {
    ca_irq_state (*enter)(void);
    void (*leave)(ca_irq_state saved);
    void (*wait)(ca_irq_state saved, uint32_t ms);
    uint32_t (*now)(void *ud);
} ca_port;

/**
 * Makes `port` the library's port; the struct must outlive its use. Call
 * it before the first scheduler is made and before any channel is
 * declared with ca_chan_set_isr(). `CA_EINVAL` for NULL or a port without
 * `enter` or `leave`; `CA_EBUSY` once a channel has been declared for
 * interrupts (its critical section is in use).
 */
int ca_port_set(const ca_port *port);

/** The library's port: the one ca_port_set() gave, else the build's
 * default (`ca_port_posix` on a POSIX host), else NULL. */
const ca_port *ca_port_get(void);

#if defined(__unix__) || defined(__APPLE__)
/** POSIX: the monotonic clock, and signals as the interrupts (the
 * critical section blocks them, `wait` is pselect(2)). The default. */
extern const ca_port ca_port_posix;
#endif

#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
/** Cortex-M: PRIMASK, WFI, and a millisecond tick counted by
 * ca_cortex_m_tick(), which your SysTick handler calls. */
extern const ca_port ca_port_cortex_m;
/** Counts one millisecond: call it from your SysTick handler. */
void ca_cortex_m_tick(void);
/** Starts SysTick on the core clock with one interrupt every
 * `cycles_per_ms` cycles (the core clock in kHz). `CA_ERANGE` for 0 or
 * more than 2^24. */
int ca_cortex_m_systick_start(uint32_t cycles_per_ms);
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_PORT_H */
