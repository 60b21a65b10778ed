/*
** runner.c: ca_test.h's runner on a board, for the unchanged test sources
** (test/test_*.c) and the target's own (test/target/test_*.c). It prints
** what the host runner prints: a line per test, the failures with file
** and line, and "# ca_test AREA: N passed, M failed"; exits 1 if a test
** failed, 99 on a fault. A test that hangs is ended by the SysTick
** watchdog, with its name. MIT licence, see COPYING.
**
** The clock: a bare-metal library has none until ca_sched_set_clock()
** gives one, as a firmware's main does. The test sources call
** ca_sched_init() and measure with tick_ms(), as on a POSIX host; so the
** build compiles them with -Dca_sched_init=fw_sched_init, and every
** scheduler a test makes (and the default one) gets the board's SysTick
** clock and WFI idle: the timer tests then run on real interrupts. The
** few tests that read the POSIX clock or sleep directly get
** clock_gettime() and nanosleep() on the same SysTick (posix_time.h).
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

int fw_sched_init(ca_sched *s);

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

int fw_sched_init(ca_sched *s)
{
    int rc = ca_sched_init(s);

    if (rc == CA_OK)
        rc = ca_sched_set_clock(s, board_now, board_idle, NULL);
    return rc;
}

/* Runs one test; a failed fatal assertion jumps back here. Returns how
** many assertions failed. */
static unsigned run_one(const ca_test *t)
{
    test_failures = 0;
    printf("  Test: %s ...", t->name);
    fflush(stdout);
    board_watchdog(TEST_WATCHDOG_MS, t->name);
    if (setjmp(fatal_jmp) == 0)
        t->fn();
    board_watchdog(0, NULL);
    if (test_failures == 0)
        printf("passed\n");
    return test_failures;
}

int ca_test_run(const char *suite, const ca_test *tests)
{
    unsigned passed = 0, failed = 0;
    int rc;

    board_init();
    rc = ca_sched_set_clock(ca_sched_default(), board_now, board_idle, NULL);
    if (rc != CA_OK) {
        printf("ca_sched_set_clock: %s\n", ca_err_name(rc));
        return 99;
    }
    printf("Suite: %s\n", suite);
    for (; tests->name != NULL; tests++) {
        if (run_one(tests) == 0)
            passed++;
        else
            failed++;
    }
    printf("\n# ca_test %s: %u passed, %u failed\n", suite, passed, failed);
    return failed != 0 ? 1 : 0;
}
