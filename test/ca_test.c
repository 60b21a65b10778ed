/*
** ca_test.c: the shared CUnit runner and test helpers.
** MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "ca_test.h"

/* Under AddressSanitizer, every test binary also catches a use of a
** returned function's locals: a GO_RETURN of a local's address read too
** late, or a wake-up written into a blocking call's frame after it
** returned. ASAN_OPTIONS still wins. */
#if defined(__SANITIZE_ADDRESS__)
#define CA_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CA_TEST_ASAN 1
#endif
#endif
#if defined(CA_TEST_ASAN)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_stack_use_after_return=1";
}
#endif

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <coreasync.h>

#if CA_HAVE_THREADS
#include <pthread.h>
#endif

void ca_test_eq(long long a, long long b, const char *sa, const char *sb,
                const char *file, int line)
{
    char msg[256];

    snprintf(msg, sizeof msg, "%s == %s (%lld != %lld)", sa, sb, a, b);
    CU_assertImplementation(a == b, (unsigned)line, msg, file, "", CU_FALSE);
}

void ca_test_rc(int got, int want, const char *expr, const char *file,
                int line)
{
    char msg[256];

    snprintf(msg, sizeof msg, "%s gave %s, wanted %s", expr,
             ca_err_name(got), ca_err_name(want));
    CU_assertImplementation(got == want, (unsigned)line, msg, file, "",
                            CU_FALSE);
}

/* ------------------------------------------------------------ watchdog
** A test that hangs (a wake-up lost for good, a deadlock) must fail, not
** wait for the CI's timeout: every test runs under a watchdog of
** CA_TEST_TIMEOUT seconds (default 120; 0 turns it off). When it goes
** off, it writes "watchdog: <suite>/<test> did not finish in N s" to
** stderr and ends the binary with _exit(1), which the harness counts as a
** failure. The message is built before the test starts, so firing takes
** only write() and _exit(), both async-signal-safe.
**
** A threaded build keeps the time with a thread of its own that waits on
** a condition variable until the deadline (a timed wait, not a poll of
** anything the test does): ThreadSanitizer holds a signal back while its
** thread is inside a call it does not expect to block, such as a
** pthread_cond_destroy() that waits for ever, so alarm() would never go
** off there. The thread is joined when the run ends, so that valgrind and
** LeakSanitizer see nothing of it. A build without threads uses alarm()
** and a SIGALRM handler, where the platform has them. */

static const char *run_suite;       /* the suite being run               */
static const ca_test *run_table;    /* its table, to find each test      */
static unsigned watchdog_secs = 120;
static char watchdog_msg[512];
static size_t watchdog_len;

static void watchdog_read_env(void)
{
    const char *env = getenv("CA_TEST_TIMEOUT");

    if (env != NULL && *env != '\0') {
        char *end;
        unsigned long n = strtoul(env, &end, 10);
        if (*end == '\0' && n <= 100000ul)
            watchdog_secs = (unsigned)n;
    }
}

static void watchdog_message(const char *test)
{
    int n = snprintf(watchdog_msg, sizeof watchdog_msg,
                     "\nwatchdog: %s/%s did not finish in %u s\n",
                     run_suite, test, watchdog_secs);

    watchdog_len = n < 0 ? 0
                   : (size_t)n < sizeof watchdog_msg ? (size_t)n
                                                     : sizeof watchdog_msg - 1;
}

static void watchdog_bark(void)
{
    ssize_t r = write(2, watchdog_msg, watchdog_len);

    (void)r;
    _exit(1);
}

#if CA_HAVE_THREADS
static pthread_mutex_t wd_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cv;
static pthread_t wd_thread;
static int wd_running;      /* the thread exists                         */
static int wd_armed;        /* a test runs under it                      */
static int wd_quit;
static struct timespec wd_deadline;

static void *watchdog_main(void *arg)
{
    struct timespec now;

    (void)arg;
    pthread_mutex_lock(&wd_mu);
    while (!wd_quit) {
        if (!wd_armed) {
            pthread_cond_wait(&wd_cv, &wd_mu);
            continue;
        }
        (void)pthread_cond_timedwait(&wd_cv, &wd_mu, &wd_deadline);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (wd_armed && !wd_quit &&
            (now.tv_sec > wd_deadline.tv_sec ||
             (now.tv_sec == wd_deadline.tv_sec &&
              now.tv_nsec >= wd_deadline.tv_nsec)))
            watchdog_bark();
    }
    pthread_mutex_unlock(&wd_mu);
    return NULL;
}

static void watchdog_setup(void)
{
    pthread_condattr_t attr;

    watchdog_read_env();
    if (watchdog_secs == 0)
        return;
    if (pthread_condattr_init(&attr) != 0)
        return;
    (void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&wd_cv, &attr) == 0) {
        wd_quit = 0;
        wd_armed = 0;
        if (pthread_create(&wd_thread, NULL, watchdog_main, NULL) == 0)
            wd_running = 1;
        else
            (void)pthread_cond_destroy(&wd_cv);
    }
    (void)pthread_condattr_destroy(&attr);
}

static void watchdog_arm(const char *test)
{
    if (!wd_running)
        return;
    pthread_mutex_lock(&wd_mu);
    watchdog_message(test);
    clock_gettime(CLOCK_MONOTONIC, &wd_deadline);
    wd_deadline.tv_sec += (time_t)watchdog_secs;
    wd_armed = 1;
    pthread_cond_signal(&wd_cv);
    pthread_mutex_unlock(&wd_mu);
}

static void watchdog_disarm(void)
{
    if (!wd_running)
        return;
    pthread_mutex_lock(&wd_mu);
    wd_armed = 0;
    pthread_cond_signal(&wd_cv);
    pthread_mutex_unlock(&wd_mu);
}

static void watchdog_end(void)
{
    if (!wd_running)
        return;
    pthread_mutex_lock(&wd_mu);
    wd_armed = 0;
    wd_quit = 1;
    pthread_cond_signal(&wd_cv);
    pthread_mutex_unlock(&wd_mu);
    (void)pthread_join(wd_thread, NULL);
    (void)pthread_cond_destroy(&wd_cv);
    wd_running = 0;
}
#elif defined(SIGALRM)
static void watchdog_fire(int sig)
{
    (void)sig;
    watchdog_bark();
}

static void watchdog_setup(void)
{
    struct sigaction sa;

    watchdog_read_env();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watchdog_fire;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGALRM, &sa, NULL);
}

static void watchdog_arm(const char *test)
{
    if (watchdog_secs == 0)
        return;
    watchdog_message(test);
    alarm(watchdog_secs);
}

static void watchdog_disarm(void)
{
    alarm(0);
}

#define watchdog_end() watchdog_disarm()
#else
#define watchdog_setup() ((void)0)
#define watchdog_arm(test) ((void)(test))
#define watchdog_disarm() ((void)0)
#define watchdog_end() ((void)0)
#endif

/* What CUnit runs for every test: finds the test by its name, arms the
** watchdog and calls it. A CU_ASSERT_FATAL jumps out past the disarm;
** the next test re-arms, and ca_test_run disarms after the last one. */
static void run_with_watchdog(void)
{
    CU_pTest t = CU_get_current_test();
    const ca_test *e;

    for (e = run_table; e->name != NULL; e++)
        if (t != NULL && strcmp(e->name, t->pName) == 0)
            break;
    if (e->fn == NULL)
        return;
    /* What ran so far reaches the log even if the watchdog ends us. */
    fflush(stdout);
    fflush(stderr);
    watchdog_arm(e->name);
    e->fn();
    watchdog_disarm();
}

/* CA_TEST_ONLY=name1,name2: run only those tests (to look at one). */
static int selected(const char *name)
{
    const char *only = getenv("CA_TEST_ONLY"), *p;
    size_t len = strlen(name);

    if (only == NULL || *only == '\0')
        return 1;
    for (p = only; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, len) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int ca_test_run(const char *name, const ca_test *tests)
{
    CU_pSuite suite;
    unsigned failed_tests, failures, failed_suites, ran;

    run_suite = name;
    run_table = tests;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    watchdog_setup();
    if ((suite = CU_add_suite(name, NULL, NULL)) == NULL)
        goto framework_error;
    for (; tests->name != NULL; tests++)
        if (selected(tests->name) &&
            CU_add_test(suite, tests->name, run_with_watchdog) == NULL)
            goto framework_error;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS)
        goto framework_error;
    watchdog_end();
    /* Read the counts now: CU_cleanup_registry() zeroes them. */
    ran = CU_get_number_of_tests_run();
    failed_tests = CU_get_number_of_tests_failed();
    failures = CU_get_number_of_failures();
    failed_suites = CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    /* One line for .ci/run to add up across binaries. */
    printf("\n# ca_test %s: %u passed, %u failed\n", name,
           ran - failed_tests, failed_tests);
    return (failed_tests || failures || failed_suites) ? 1 : 0;

framework_error:
    watchdog_end();
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 99;
}

/* The clock the tests measure real time with: the monotonic one. */
uint32_t tick_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u +
                      (uint64_t)ts.tv_nsec / 1000000u);
}
