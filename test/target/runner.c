/*
** runner.c: ca_test.h's runner on a board, for the unchanged test sources
** (test/test_*.c) and the target's own (test/target/test_*.c). It prints
** what the host runner prints: a line per test, the failures with file
** and line, and "# ca_test AREA: N passed, M failed"; exits 1 if a test
** failed, 99 on a fault. A test that hangs is ended by the SysTick
** watchdog, with its name. MIT licence, see COPYING.
**
** The clock: board_init() makes the library's Cortex-M port the port
** (ca_port_set) before any scheduler exists, as a firmware's main does,
** so every scheduler a test makes (and the default one) reads the port's
** SysTick clock and sleeps in its WFI: the timer tests run on real
** interrupts, through the code a firmware ships. The few tests that read
** the POSIX clock or sleep directly get clock_gettime() and nanosleep()
** on the same SysTick (posix_time.h).
*/
#include <setjmp.h>
#include <stdio.h>

#include <coreasync.h>

#include "ca_test.h"
#include "board.h"
#include "posix_time.h"

/* Guest time a test may take (under -icount, sleeping costs no host time). */
#define TEST_WATCHDOG_MS 30000u

int clock_gettime(clockid_t clock_id, struct timespec *tp)
{
    uint64_t ns = board_ns();

    (void)clock_id;
    tp->tv_sec = (time_t)(ns / 1000000000u);
    tp->tv_nsec = (long)(ns % 1000000000u);
    return 0;
}

int nanosleep(const struct timespec *rqtp, struct timespec *rmtp)
{
    uint32_t ms = (uint32_t)rqtp->tv_sec * 1000u +
                  (uint32_t)((rqtp->tv_nsec + 999999L) / 1000000L);
    uint32_t t0 = board_ms();

    /* One tick more than asked: the first may have been all but over. */
    while ((uint32_t)(board_ms() - t0) <= ms)
        board_idle(NULL, ms);
    if (rmtp != NULL)
        rmtp->tv_sec = 0, rmtp->tv_nsec = 0;
    return 0;
}

static jmp_buf fatal_jmp;
static unsigned test_failures;

CU_BOOL CU_assertImplementation(CU_BOOL value, unsigned line,
                                const char *condition, const char *file,
                                const char *function, CU_BOOL fatal)
{
    (void)function;
    if (value)
        return CU_TRUE;
    if (test_failures++ == 0)
        printf("FAILED\n");
    printf("    %s:%u: %s\n", file, line, condition);
    if (fatal)
        longjmp(fatal_jmp, 1);
    return CU_FALSE;
}

void ca_test_eq(long long a, long long b, const char *sa, const char *sb,
                const char *file, int line)
{
    char msg[160];

    if (a == b)
        return;
    snprintf(msg, sizeof msg, "%s == %s (%lld != %lld)", sa, sb, a, b);
    (void)CU_assertImplementation(CU_FALSE, (unsigned)line, msg, file, "",
                                  CU_FALSE);
}

void ca_test_rc(int got, int want, const char *expr, const char *file,
                int line)
{
    char msg[160];

    if (got == want)
        return;
    snprintf(msg, sizeof msg, "%s gave %s, wanted %s", expr,
             ca_err_name(got), ca_err_name(want));
    (void)CU_assertImplementation(CU_FALSE, (unsigned)line, msg, file, "",
                                  CU_FALSE);
}

uint32_t tick_ms(void)
{
    return board_ms();
}

/* The stack is the one thing a 16 KiB board runs out of without a fault:
** it grows down over the heap and .bss unnoticed. So it is painted from
** its limit (picolibc's __stack - __stack_size, where the heap stops) up
** to the current frame at start, and after each test the lowest word no
** longer painted says how deep it went: the limit itself means overflow. */
extern uint32_t __stack[], __bss_end[];
extern char __stack_size[];
#define PAINT 0xdeadbeefu
#define STACK_LIMIT ((volatile uint32_t *)((uintptr_t)__stack - \
                                           (uintptr_t)__stack_size))

static void stack_paint(void)
{
    volatile uint32_t *p = STACK_LIMIT;
    uint32_t sp;

    __asm__ volatile("mov %0, sp" : "=r"(sp));
    if (p < __bss_end) /* overlaps .bss: ca_test_run refuses to run */
        return;
    while ((uintptr_t)p < sp - 64u) /* clear of this frame */
        *p++ = PAINT;
}

static uintptr_t stack_max;

static uintptr_t stack_used(void)
{
    const volatile uint32_t *p = STACK_LIMIT;

    while (p < __stack && *p == PAINT)
        p++;
    return (uintptr_t)__stack - (uintptr_t)p;
}

/* Runs one test; a failed fatal assertion jumps back here. Returns how
** many assertions failed. */
static unsigned run_one(const ca_test *t)
{
    test_failures = 0;
    printf("  Test: %s ...", t->name);
    fflush(stdout);
    stack_paint();
    board_watchdog(TEST_WATCHDOG_MS, t->name);
    if (setjmp(fatal_jmp) == 0)
        t->fn();
    board_watchdog(0, NULL);
    if (stack_used() > stack_max)
        stack_max = stack_used();
    if (stack_used() >= (uintptr_t)__stack_size)
        (void)CU_assertImplementation(CU_FALSE, 0, "the stack overflowed",
                                      t->name, "", CU_FALSE);
    if (test_failures == 0)
        printf("passed\n");
    return test_failures;
}

int ca_test_run(const char *suite, const ca_test *tests)
{
    unsigned passed = 0, failed = 0;

    /* picolibc's linker script reserves 2 KiB for the stack whatever
    ** __stack_size says: a .bss that reaches into the rest is ours to see. */
    if (STACK_LIMIT < __bss_end) {
        printf(".bss overlaps the stack by %lu bytes: lower __stack_size "
               "in test/target/boards\n",
               (unsigned long)((uintptr_t)__bss_end - (uintptr_t)STACK_LIMIT));
        return 99;
    }
    board_init();
    if (ca_port_get() != &ca_port_cortex_m) {
        printf("ca_port_set did not take the Cortex-M port\n");
        return 99;
    }
    printf("Suite: %s\n", suite);
    for (; tests->name != NULL; tests++) {
        if (run_one(tests) == 0)
            passed++;
        else
            failed++;
    }
    printf("\nstack: %lu of %lu bytes at most\n", (unsigned long)stack_max,
           (unsigned long)(uintptr_t)__stack_size);
    printf("# ca_test %s: %u passed, %u failed\n", suite, passed, failed);
    return failed != 0 ? 1 : 0;
}
