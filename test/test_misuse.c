/*
** test_misuse.c: misuse a debug build catches (src/misuse.c) and misuse
** every build refuses with a code. A debug build's catch ends the process
** (a message naming the call on stderr, then abort), so each of those
** runs in a child process that must die so. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

#if defined(CA_DEBUG) && CA_DEBUG
#define DEBUG_BUILD 1
#else
#define DEBUG_BUILD 0
#endif

static int block_fn(ca_go *g)
{
    static const int answer = 42;

    GO_BEGIN(g);
    GO_RETURN(g, &answer);
    GO_END(g);
}

/* ------------------------------------------------------- refused: codes */

/* What a release build can tell from memory it owns stays a code in a
** debug build too: no message, no abort. */
static void test_coded_misuse(void)
{
    ca_sched s, zeroed;
    ca_chan ch;
    ca_go g;
    int v = 1;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof v, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_free(&ch), CA_EBADCHAN); /* freed twice */
    CA_ASSERT_RC(ca_offer(&ch, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_EBADCHAN);

    memset(&zeroed, 0, sizeof zeroed);
    memset(&g, 0, sizeof g);
    CA_ASSERT_RC(ca_go_start(&zeroed, &g, block_fn), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &g, block_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &g, block_fn), CA_EBUSY); /* running */
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &g, block_fn), CA_EINVAL); /* destroyed */
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EINVAL);
}

#if CA_HAVE_MALLOC
/* The address of a freed channel that the library hands out again is a
** channel again: no false alarm. */
static void test_reused_address(void)
{
    ca_chan *a, *b;
    int v = 7, tries;

    CA_ASSERT_RC(ca_chan_new(&a, CA_FIXED, 1, sizeof v), CA_OK);
    CA_ASSERT_RC(ca_chan_free(a), CA_OK);
    for (tries = 0; tries < 8; tries++) {
        CA_ASSERT_RC(ca_chan_new(&b, CA_FIXED, 1, sizeof v), CA_OK);
        if (b == a)
            break;
        CA_ASSERT_RC(ca_chan_free(b), CA_OK);
    }
    if (b != a)
        return; /* this allocator never reuses at once: nothing to see */
    CA_ASSERT_RC(ca_offer(b, &v), CA_OK);
    POLL_EQ(b, 7);
    CA_ASSERT_RC(ca_chan_free(b), CA_OK);
}
#endif

#if DEBUG_BUILD
/* -------------------------------------------------------- caught: abort */

/* Under AddressSanitizer go.h's inline TAKE and PUT of a word, in this
** file's code, read the freed channel before the library can tell, and
** ASan reports that read (the better report): the two tests of it run
** where there is no inline part (a build with the trace, as CI's ASan). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifndef TEST_ASAN
#define TEST_ASAN 0
#endif

/* Runs fn in a child process: 1 if it died of SIGABRT having written a
** line that holds `want` on stderr, else 0 (and says what it saw). */
static int died(void (*fn)(void), const char *want)
{
    char buf[512];
    size_t len = 0;
    ssize_t r;
    int fd[2], st = 0;
    pid_t pid;

    fflush(NULL);
    CA_ASSERT_RC(pipe(fd), 0);
    pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        fn();
        _exit(0); /* not caught: the parent reports it */
    }
    close(fd[1]);
    while (len < sizeof buf - 1 &&
           (r = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    close(fd[0]);
    if (waitpid(pid, &st, 0) != pid)
        return 0;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT &&
        strstr(buf, want) != NULL)
        return 1;
    fprintf(stderr, "wanted \"%s\"; status %d, stderr: %s\n", want, st, buf);
    return 0;
}

#define DIES(fn, want) CU_ASSERT(died((fn), (want)))

static void nop_cb(ca_op *op, int status)
{
    (void)op;
    (void)status;
}

#if CA_HAVE_MALLOC
static ca_chan *freed_chan(void)
{
    ca_chan *c;

    if (ca_chan_new(&c, CA_FIXED, 2, sizeof(int)) != CA_OK ||
        ca_chan_retain(c) != CA_OK || ca_chan_free(c) != CA_OK ||
        ca_chan_free(c) != CA_OK)
        _exit(3);
    return c;
}

static void free_twice(void) { (void)ca_chan_free(freed_chan()); }

static void offer_freed(void)
{
    int v = 1;

    (void)ca_offer(freed_chan(), &v);
}

static void poll_freed(void)
{
    int v;

    (void)ca_poll(freed_chan(), &v);
}

static void close_freed(void) { (void)ca_close(freed_chan()); }

static void take_async_freed(void)
{
    static ca_op op;
    static int v;

    (void)ca_take_async(freed_chan(), &op, &v, nop_cb);
}

static void take_blocking_freed(void)
{
    int v;

    (void)ca_take_blocking(freed_chan(), &v);
}

/* A block that takes from a channel freed before it ran. */
struct freed_taker {
    ca_go go;
    ca_chan *ch;
    int v;
};

static int take_fn(ca_go *g)
{
    struct freed_taker *t = (struct freed_taker *)g;

    GO_BEGIN(g);
    TAKE(g, t->ch, &t->v);
    GO_END(g);
}

static void take_in_go_freed(void)
{
    static struct freed_taker t;

    t.ch = freed_chan();
    (void)ca_go_start(NULL, &t.go, take_fn);
    (void)ca_sched_run(NULL);
}

#if !(TEST_ASAN && CA__GO_INLINE)
/* The same for a channel of words, whose elem_size the freed memory may
** still say is a word: go.h's inline TAKE/PUT then calls the fit entry
** (ca__go_take_fit, ca__go_put_fit), which must still check (d8d33bb). */
struct freed_word {
    ca_go go;
    ca_chan *ch;
    intptr_t v;
};

static int word_fn(ca_go *g)
{
    struct freed_word *t = (struct freed_word *)g;

    GO_BEGIN(g);
    if (t->v == 0)
        TAKE(g, t->ch, &t->v);
    else
        PUT(g, t->ch, &t->v);
    GO_END(g);
}

static ca_chan *freed_word_chan(void)
{
    ca_chan *c;

    if (ca_chan_new(&c, CA_UNBUFFERED, 0, sizeof(intptr_t)) != CA_OK ||
        ca_chan_retain(c) != CA_OK || ca_chan_free(c) != CA_OK ||
        ca_chan_free(c) != CA_OK)
        _exit(3);
    return c;
}

static void word_in_go_freed(intptr_t v)
{
    static struct freed_word t;

    t.ch = freed_word_chan();
    t.v = v;
    (void)ca_go_start(NULL, &t.go, word_fn);
    (void)ca_sched_run(NULL);
}
static void take_word_in_go_freed(void) { word_in_go_freed(0); }
static void put_word_in_go_freed(void) { word_in_go_freed(1); }
#endif

static void alts_freed(void)
{
    ca_alt cases[1];
    size_t index;
    int v;

    if (ca_alt_take(&cases[0], freed_chan(), &v) != CA_OK)
        _exit(3);
    (void)ca_alts_blocking(cases, 1, 0, &index);
}

static ca_go *finished_block(void)
{
    ca_go *g;

    if (ca_go_new(&g, sizeof *g) != CA_OK ||
        ca_go_start(NULL, g, block_fn) != CA_OK ||
        ca_sched_run(NULL) != CA_OK)
        _exit(3);
    return g; /* freed when it finished */
}

static void result_of_freed(void)
{
    ca_chan *r;

    (void)ca_go_result(finished_block(), sizeof(int), &r);
}

static void set_result_of_freed(void)
{
    static int buf[1];
    static ca_chan r;

    if (ca_chan_init(&r, CA_FIXED, 1, sizeof(int), buf, sizeof buf) != CA_OK)
        _exit(3);
    (void)ca_go_set_result(finished_block(), &r);
}
#endif /* CA_HAVE_MALLOC */

/* The same ca_op queued again on the channel it waits on, as a take and
** as a put. (Queued on another channel it is not caught: telling would
** mean trusting what the op's storage held before.) */
static ca_op twice_op;
static ichan twice_ch;
static int twice_v;

static void op_twice_take(void)
{
    ichan_init(&twice_ch, CA_UNBUFFERED, 0);
    if (ca_take_async(&twice_ch.ch, &twice_op, &twice_v, nop_cb) != CA_OK)
        _exit(3);
    (void)ca_take_async(&twice_ch.ch, &twice_op, &twice_v, nop_cb);
}

static void op_twice_put(void)
{
    ichan_init(&twice_ch, CA_FIXED, 1);
    if (ca_offer(&twice_ch.ch, &twice_v) != CA_OK ||
        ca_put_async(&twice_ch.ch, &twice_op, &twice_v, nop_cb) != CA_OK)
        _exit(3);
    (void)ca_put_async(&twice_ch.ch, &twice_op, &twice_v, nop_cb);
}

/* Storage that never saw ca_sched_init, holding what happens to make its
** LIVE bit look set. */
static void garbage_sched(void)
{
    static ca_sched s;
    static ca_go g;

    memset(&s, 0x5a, sizeof s);
    (void)ca_go_start(&s, &g, block_fn);
}

static void garbage_sched_run(void)
{
    static ca_sched s;

    memset(&s, 0x5a, sizeof s);
    (void)ca_sched_run(&s);
}

#if !CA_CONFIG_TINY_GO
/* A parked block finds its function through its site (go.h): a body may
** be entered through one function only, here directly and through a
** wrapper. */
static int two_fns_body(ca_go *g)
{
    GO_BEGIN(g);
    YIELD(g);
    GO_END(g);
}

static int two_fns_wrapper(ca_go *g) { return two_fns_body(g); }

static void body_under_two_functions(void)
{
    static ca_sched s;
    static ca_go a, b;

    (void)ca_sched_init(&s);
    (void)ca_go_start(&s, &a, two_fns_body);
    (void)ca_go_start(&s, &b, two_fns_wrapper);
    (void)ca_sched_run(&s);
}
#endif

static void test_caught(void)
{
#if CA_HAVE_MALLOC
    DIES(free_twice, "coreasync: ca_chan_free: channel used after its last");
    DIES(offer_freed, "coreasync: ca_offer: channel used after");
    DIES(poll_freed, "coreasync: ca_poll: channel used after");
    DIES(close_freed, "coreasync: ca_close: channel used after");
    DIES(take_async_freed, "coreasync: ca_take_async: channel used after");
    DIES(take_blocking_freed,
         "coreasync: ca_take_blocking: channel used after");
    DIES(take_in_go_freed, "coreasync: PUT or TAKE in a go block: channel");
#if !(TEST_ASAN && CA__GO_INLINE)
    DIES(take_word_in_go_freed,
         "coreasync: PUT or TAKE in a go block: channel");
    DIES(put_word_in_go_freed, "coreasync: PUT or TAKE in a go block: channel");
#endif
    DIES(alts_freed, "coreasync: ALTS: channel used after");
    DIES(result_of_freed, "coreasync: ca_go_result: go block of ca_go_new");
    DIES(set_result_of_freed, "coreasync: ca_go_set_result: go block");
#endif
    DIES(op_twice_take, "coreasync: ca_take_async: ca_op queued again");
    DIES(op_twice_put, "coreasync: ca_put_async: ca_op queued again");
    DIES(garbage_sched, "coreasync: ca_go_start: scheduler never initialised");
    DIES(garbage_sched_run, "scheduler never initialised");
#if !CA_CONFIG_TINY_GO
    DIES(body_under_two_functions,
         "coreasync: GO_BEGIN: one go body started under two functions");
#endif
}

/* The harness tells a child that does not die, or says something else:
** a misuse test that cannot fail would be worth nothing. */
static void lives(void) {}
static void aborts_quietly(void) { abort(); }

static void test_died_can_fail(void)
{
    CU_ASSERT(!died(lives, "coreasync:"));
    CU_ASSERT(!died(aborts_quietly, "coreasync:"));
    CU_ASSERT(!died(op_twice_take, "coreasync: ca_put_async:")); /* other call */
}
#endif /* DEBUG_BUILD */

static const ca_test tests[] = {
    {"coded_misuse", test_coded_misuse},
#if CA_HAVE_MALLOC
    {"reused_address", test_reused_address},
#endif
#if DEBUG_BUILD
    {"caught", test_caught},
    {"died_can_fail", test_died_can_fail},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("misuse", tests)
