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
#include <poll.h>
#include <sys/wait.h>
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
** stderr and ends the test binary, which the harness counts as a
** failure.
**
** A threaded build keeps the time in a child process, forked before the
** first test (before any thread exists), told through a pipe when each
** test starts and ends; it kills the test binary with SIGKILL when a test
** overstays. Not a thread: the library reports a deadlock of a blocking
** call only in a process with one thread (another could end the wait),
** and the tests check those reports. Not alarm(): ThreadSanitizer holds a
** signal back while its thread is inside a call it does not expect to
** block, such as a pthread_cond_destroy() that waits for ever. A build
** without threads uses alarm() and a SIGALRM handler, where the platform
** has them. The message is built before the test starts, so firing takes
** only write() and _exit() (or kill()), all async-signal-safe. */

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

#if CA_HAVE_THREADS
/* The parent writes one byte per event: 'a' when a test starts (the
** child has the message already, from the fork or an earlier 'a' with
** the message following), 'd' when it ends. EOF: the parent is gone. */
static int wd_fd = -1;              /* the parent's end of the pipe      */

static void watchdog_child(int fd, pid_t parent)
{
    struct pollfd pfd;
    char c, msg[sizeof watchdog_msg];
    size_t len = 0;
    int armed = 0, rc;
    ssize_t n;

    pfd.fd = fd;
    pfd.events = POLLIN;
    for (;;) {
        rc = poll(&pfd, 1, armed ? (int)watchdog_secs * 1000 : -1);
        if (rc == 0) { /* a test overstayed */
            n = write(2, msg, len);
            (void)n;
            (void)kill(parent, SIGKILL);
            _exit(0);
        }
        if (rc < 0)
            continue; /* EINTR */
        if (read(fd, &c, 1) != 1)
            _exit(0); /* the parent is gone */
        if (c == 'a') {
            /* the message's length, then the message */
            if (read(fd, &len, sizeof len) != (ssize_t)sizeof len ||
                len > sizeof msg || read(fd, msg, len) != (ssize_t)len)
                _exit(0);
            armed = 1;
        } else {
            armed = 0;
        }
    }
}

static void watchdog_setup(void)
{
    int fds[2];
    pid_t parent = getpid(), pid;

    watchdog_read_env();
    if (watchdog_secs == 0 || pipe(fds) != 0)
        return;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) == 0) {
        close(fds[1]);
        watchdog_child(fds[0], parent);
    }
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        return;
    }
    wd_fd = fds[1];
}

static void watchdog_send(const void *p, size_t n)
{
    ssize_t r = write(wd_fd, p, n);

    (void)r;
}

static void watchdog_arm(const char *test)
{
    if (wd_fd < 0)
        return;
    watchdog_message(test);
    watchdog_send("a", 1);
    watchdog_send(&watchdog_len, sizeof watchdog_len);
    watchdog_send(watchdog_msg, watchdog_len);
}

static void watchdog_disarm(void)
{
    if (wd_fd >= 0)
        watchdog_send("d", 1);
}

static void watchdog_end(void)
{
    if (wd_fd < 0)
        return;
    close(wd_fd); /* the child sees EOF and leaves */
    wd_fd = -1;
    (void)wait(NULL);
}
#elif defined(SIGALRM)
static void watchdog_bark(void)
{
    ssize_t r = write(2, watchdog_msg, watchdog_len);

    (void)r;
    _exit(1);
}

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
