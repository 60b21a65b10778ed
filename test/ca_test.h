/*
** ca_test.h: the CUnit boilerplate every test binary shares, and the
** helpers that several test files use alike. MIT licence, see COPYING.
**
** A test file lists its tests in a CA_TEST table and ends with
** CA_TEST_MAIN("area", table). The binary exits 1 if any assertion
** failed (CUnit's own return value does not say so), 99 on a framework
** error, so automake's harness sees a failure as a failure.
**
** The runner's environment:
** - CA_TEST_TIMEOUT=N: the watchdog. A test still running after N seconds
**   (default 120) ends the binary with "watchdog: <suite>/<test> did not
**   finish in N s" on stderr and exit status 1, so a hang is a failure
**   and not a CI timeout. 0 turns it off (e.g. under a debugger). A
**   threaded build times with a thread of its own (ThreadSanitizer holds
**   SIGALRM back in some calls that hang), others with alarm().
** - CA_TEST_ONLY=name[,name...]: run only the tests named.
*/
#ifndef CA_TEST_H
#define CA_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include <coreasync.h>

/* CA_TEST_SMALL: 1 where the tests run on a board with tens of KiB of
** RAM (test/target/ builds them so, with a small CA_CONFIG_MAX_PENDING):
** the tests that size their arrays in thousands (chains, heaps, 100,000
** values) use smaller counts there, and the parts that need the
** library's largest limits in memory (65,536 ALTS cases, a 64 KiB
** element) are left out. */
#ifndef CA_TEST_SMALL
#define CA_TEST_SMALL 0
#endif

/* ThreadSanitizer starts a thread of its own with the first thread a
** program makes, and keeps it: a process under it never has one thread
** again, so the library (rightly) never finds a deadlock provable there.
** The tests that need one skip under it. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

typedef struct ca_test {
    const char *name;
    void (*fn)(void);
} ca_test;

int ca_test_run(const char *suite, const ca_test *tests);

#define CA_TEST_MAIN(suite, tests)                                           \
    int main(void) { return ca_test_run((suite), (tests)); }

/* Assertions that print both values when they fail. */
#define CA_ASSERT_EQ(a, b)                                                   \
    ca_test_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CA_ASSERT_RC(call, want)                                             \
    ca_test_rc((call), (want), #call, __FILE__, __LINE__)

void ca_test_eq(long long a, long long b, const char *sa, const char *sb,
                const char *file, int line);
void ca_test_rc(int got, int want, const char *expr, const char *file,
                int line);

/* ------------------------------------------------------ channel checks */
/* Macros, so that a failure reports the caller's line. */

/* The waiting puts and takes ca_chan_inspect reports. */
#define CHECK_PENDING(ch, puts, takes)                                       \
    do {                                                                     \
        ca_chan_info i_;                                                     \
        CA_ASSERT_RC(ca_chan_inspect((ch), &i_), CA_OK);                     \
        CA_ASSERT_EQ(i_.pending_puts, (puts));                               \
        CA_ASSERT_EQ(i_.pending_takes, (takes));                             \
    } while (0)

/* The number of values in the buffer, as ca_chan_inspect reports it. */
#define CHECK_COUNT(ch, n)                                                   \
    do {                                                                     \
        ca_chan_info i_;                                                     \
        CA_ASSERT_RC(ca_chan_inspect((ch), &i_), CA_OK);                     \
        CA_ASSERT_EQ(i_.count, (n));                                         \
    } while (0)

/* Polls an int channel, which must give want at once. */
#define POLL_EQ(ch, want)                                                    \
    do {                                                                     \
        int got_ = -12345;                                                   \
        CA_ASSERT_RC(ca_poll((ch), &got_), CA_OK);                           \
        CA_ASSERT_EQ(got_, (want));                                          \
    } while (0)

/* Offers an int to a channel, which must take it at once. */
#define OFFER(ch, val)                                                       \
    do {                                                                     \
        int v_ = (val);                                                      \
        CA_ASSERT_RC(ca_offer((ch), &v_), CA_OK);                            \
    } while (0)

/* A channel of ints with room for 8 in test storage. */
typedef struct ichan {
    ca_chan ch;
    int buf[8];
} ichan;

void ichan_init(ichan *c, ca_buf_kind kind, size_t cap);

/* What an async op's callback saw: op->data points at one of these, and
** rec_cb counts the calls and keeps the last status. */
typedef struct rec {
    int calls;
    int status;
} rec;

void rec_cb(ca_op *op, int status);

/* A scheduler the test drives by hand (ca_sched_step) and holds a
** reference to, so that a turn with parked blocks is CA_OK, never a
** deadlock report (which a threaded build gives only while the process
** has one thread): held_begin makes it, held_settle runs every block that
** can run until none is ready, held_end ends it. */
void held_begin(ca_sched *s);
void held_settle(ca_sched *s);
void held_end(ca_sched *s);

/* ------------------------------------------------------------- clocks */

/* The milliseconds of the monotonic clock, truncated as the library's
** POSIX clock truncates them: a delay measured in these ticks is never
** shorter than the ticks the library counted. */
uint32_t tick_ms(void);

/* A clock for ca_sched_set_clock that the test moves by hand: fake_now
** reads it; fake_idle, as the idle hook, moves it on by the time asked
** for (so ca_sched_run never spins) and counts its calls. */
typedef struct fake_clock {
    uint32_t now;
    unsigned long idles;
} fake_clock;

uint32_t fake_now(void *ud);
void fake_idle(void *ud, uint32_t ms);

/* timer.h: a timer "fires on the first tick at which at least its delay
** has passed in full, whatever the phase of the tick when it started". On
** a clock we step by hand: started at tick T with a delay of ms > 0, it
** fires at tick T + DUE(ms) = T + ms + 1 (the tick it started in may have
** been all but over); a delay of 0 is due at once. */
#define DUE(ms) ((uint32_t)(ms) + ((ms) != 0 ? 1u : 0u))

/* ---------------------------------------------------------- go blocks */

/* Takes one value from ch into v after an optional nap (SLEEP), and
** keeps the TAKE's status. Fill with taker_init, then ca_go_start it
** with taker_fn. */
typedef struct taker {
    ca_go go;
    ca_chan *ch;
    uint32_t nap;
    int v, status;
} taker;

int taker_fn(ca_go *g);
void taker_init(taker *t, ca_chan *ch, uint32_t nap);

/* Puts first, first+1, ... (n values) into ch after an optional nap,
** keeping the last PUT's status, then closes ch if asked. Fill with
** putter_init, then ca_go_start it with putter_fn. */
typedef struct putter {
    ca_go go;
    ca_chan *ch;
    uint32_t nap;
    int first, n, i, v, close_after;
    int status;
} putter;

int putter_fn(ca_go *g);
void putter_init(putter *p, ca_chan *ch, int first, int n, uint32_t nap,
                 int close_after);

#if CA_HAVE_THREADS
/* A thread body (pthread_create's arg: an outside) that completes an op
** from outside the scheduler s (NULL: the default one) the test took a
** reference on with ca_sched_ref: it naps 20 ms, puts v into ch (with
** ca_put_blocking if blocking, else ca_offer), then ca_sched_unref(s). */
typedef struct outside {
    ca_sched *s;
    ca_chan *ch;
    int v, blocking;
    int rc, unref_rc;
} outside;

void *outside_thread(void *arg);
#endif

#endif /* CA_TEST_H */
