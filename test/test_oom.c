/*
** test_oom.c: allocation failure at every point (issue 12, item 2). Each
** program below runs once with every allocation it makes failing in turn
** (the k-th, for k = 1, 2, ... until a run makes fewer than k): the call
** that needed the memory returns CA_ENOMEM with its out-pointer NULL and
** nothing else changes, the program goes on to the end (a retry then
** succeeds), and no allocation is left live. SQLite's OOM injection and
** Lua's Memcontrol are the models. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_MALLOC

/* Fails the fail_at-th allocation (from 1) and counts the live ones. */
static struct {
    int calls, fail_at, failed, live;
} al;

static void *oom_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        al.live--;
        free(ptr);
        return NULL;
    }
    if (++al.calls == al.fail_at) {
        al.failed++;
        return NULL;
    }
    al.live++;
    return malloc(size);
}

/* How many CA_ENOMEM one run of a program saw. */
static int enomems;

/* A call that allocates: CA_OK, or CA_ENOMEM when its allocation was the
** failing one (then *out must be NULL), and then once more, which must
** succeed: the failure left nothing behind that stops a retry. */
#define ALLOC_OK(call, out)                                                  \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ == CA_ENOMEM) {                                              \
            enomems++;                                                       \
            CU_ASSERT_PTR_NULL(out);                                         \
            rc_ = (call);                                                    \
        }                                                                    \
        CA_ASSERT_RC(rc_, CA_OK);                                            \
    } while (0)

/* Runs prog with the k-th allocation failing for every k it reaches. */
static void every_point(void (*prog)(void))
{
    int k;

    for (k = 1;; k++) {
        memset(&al, 0, sizeof al);
        al.fail_at = k;
        enomems = 0;
        ca_set_allocator(oom_alloc, NULL);
        prog();
        ca_set_allocator(NULL, NULL);
        CA_ASSERT_EQ(enomems, al.failed);
        CA_ASSERT_EQ(al.live, 0);
        if (!al.failed)
            break;
        if (k > 1000) {
            CU_FAIL("the program never ran without a failure");
            break;
        }
    }
    CU_ASSERT(k > 1); /* the program did allocate */
}

/* ------------------------------------------------------------ programs */

/* Channels of every kind: made, used, shared, released. */
static void prog_chans(void)
{
    static const ca_buf_kind kinds[] = {CA_UNBUFFERED, CA_FIXED, CA_DROPPING,
                                        CA_SLIDING, CA_PROMISE};
    ca_chan *ch[5];
    size_t i;
    int v;

    for (i = 0; i < 5; i++) {
        size_t cap = kinds[i] == CA_UNBUFFERED ? 0 : 1;
        ch[i] = NULL;
        ALLOC_OK(ca_chan_new(&ch[i], kinds[i], cap, sizeof(int)), ch[i]);
    }
    for (i = 1; i < 5; i++) {
        v = (int)i;
        CA_ASSERT_RC(ca_offer(ch[i], &v), CA_OK);
        CA_ASSERT_RC(ca_chan_retain(ch[i]), CA_OK);
        CA_ASSERT_RC(ca_chan_free(ch[i]), CA_OK);
        v = 0;
        CA_ASSERT_RC(ca_poll(ch[i], &v), CA_OK);
        CA_ASSERT_EQ(v, (int)i);
    }
    for (i = 0; i < 5; i++)
        CA_ASSERT_RC(ca_chan_free(ch[i]), CA_OK);
}

/* A go block made with ca_go_new, with a result channel, that waits in an
** ALTS on a channel, a timeout channel and a deadline; an async put feeds
** it; the scheduler runs on a fake clock. */
typedef struct worker {
    ca_go go;
    ca_chan *in, *tmo;
    ca_alt cases[3];
    int got;
} worker;

static int worker_fn(ca_go *g)
{
    worker *w = (worker *)g;

    GO_BEGIN(g);
    CA_ASSERT_RC(ca_alt_take(&w->cases[0], w->in, &w->got), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&w->cases[1], w->tmo, NULL), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&w->cases[2], 50), CA_OK);
    ALTS(g, w->cases, 3, CA_ALTS_PRIORITY);
    CU_ASSERT(GO_OK(g) && GO_ALT(g) == 0);
    ca_chan_free(w->in); /* the block's reference */
    GO_RETURN(g, &w->got);
    GO_END(g);
}

static void prog_go(void)
{
    fake_clock clk = {0xfffffff0u, 0};
    ca_sched s;
    ca_chan *in = NULL, *tmo = NULL, *res = NULL;
    ca_go *g = NULL;
    worker *w;
    ca_op op;
    rec r = {0, -100};
    int v = 42, got = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &clk), CA_OK);
    ALLOC_OK(ca_chan_new(&in, CA_UNBUFFERED, 0, sizeof(int)), in);
    ALLOC_OK(ca_timeout(&s, 20, &tmo), tmo);
    ALLOC_OK(ca_go_new(&g, sizeof(worker)), g);
    w = (worker *)g;
    w->in = in;
    w->tmo = tmo;
    CA_ASSERT_RC(ca_chan_retain(in), CA_OK);
    ALLOC_OK(ca_go_result(g, sizeof(int), &res), res);
    CA_ASSERT_RC(ca_go_start(&s, g, worker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK); /* it waits in ALTS */
    op.data = &r;
    CA_ASSERT_RC(ca_put_async(in, &op, &v, rec_cb), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* and the timeout fires */
    CA_ASSERT_RC(ca_poll(res, &got), CA_OK);
    CA_ASSERT_EQ(got, 42);
    CA_ASSERT_RC(ca_poll(tmo, NULL), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(res), CA_OK);
    CA_ASSERT_RC(ca_chan_free(tmo), CA_OK);
    CA_ASSERT_RC(ca_chan_free(in), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A result channel asked for after the block finished: made then, with
** the value read from the block's struct, which is ours (ca_go_start). */
typedef struct adder {
    ca_go go;
    int sum;
} adder;

static int adder_fn(ca_go *g)
{
    adder *a = (adder *)g;

    GO_BEGIN(g);
    a->sum = 1 + 2;
    GO_RETURN(g, &a->sum);
    GO_END(g);
}

static void prog_late_result(void)
{
    ca_sched s;
    adder a;
    ca_chan *res = NULL;
    int got = 0;

    memset(&a, 0, sizeof a);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, adder_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    ALLOC_OK(ca_go_result(&a.go, sizeof(int), &res), res);
    CA_ASSERT_RC(ca_poll(res, &got), CA_OK);
    CA_ASSERT_EQ(got, 3);
    CA_ASSERT_RC(ca_chan_free(res), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void oom_chans(void)
{
    every_point(prog_chans);
}

static void oom_go(void)
{
    every_point(prog_go);
}

static void oom_late_result(void)
{
    every_point(prog_late_result);
}

/* A pipeline of two workers (ca_pipeline allocates its state, three
** channels and its go blocks) doubles three values, then reports done. */
static int twice(void *ud, const void *in, void *out)
{
    (void)ud;
    *(int *)out = 2 * *(const int *)in;
    return CA_OK;
}

static void prog_pipeline(void)
{
    ca_sched s;
    ca_xf_map_t map;
    ca_chan *from = NULL, *to = NULL, *done = NULL;
    int v, status = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&map, twice, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    ALLOC_OK(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), from);
    ALLOC_OK(ca_chan_new(&to, CA_FIXED, 4, sizeof(int)), to);
    ALLOC_OK(ca_pipeline(2, to, &map.xf, from, 1, NULL, NULL, &s, &done),
             done);
    for (v = 1; v <= 3; v++)
        CA_ASSERT_RC(ca_offer(from, &v), CA_OK);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(to, 2);
    POLL_EQ(to, 4);
    POLL_EQ(to, 6);
    CA_ASSERT_RC(ca_poll(to, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_poll(done, &status), CA_OK);
    CA_ASSERT_RC(status, CA_OK);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void oom_pipeline(void)
{
    every_point(prog_pipeline);
}

#if CA_HAVE_THREADS
/* A pool (ca_sched_start allocates its workers' table). */
static void prog_pool(void)
{
    ca_sched s;
    void *none = NULL; /* ca_sched_start has no out-pointer */

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ALLOC_OK(ca_sched_start(&s, 2), none);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void oom_pool(void)
{
    every_point(prog_pool);
}
#endif

/* A block waiting on a descriptor. WAIT_FD says CA_ENOMEM when its
** scheduler cannot make its descriptor table, and the block tries again;
** the poll set grows when the scheduler polls, which absorbs a failure
** (it polls what fits, the rest the next time) and tells nobody. Either
** way the block must be woken, with nothing leaked. */
typedef struct fd_reader {
    ca_go go;
    int fd, status, enomems;
} fd_reader;

static int fd_reader_fn(ca_go *g)
{
    fd_reader *r = (fd_reader *)g;

    GO_BEGIN(g);
    for (;;) {
        WAIT_FD(g, r->fd, CA_FD_READ);
        r->status = GO_STATUS(g);
        if (r->status != CA_ENOMEM)
            break;
        r->enomems++;
    }
    GO_END(g);
}

typedef struct fd_writer {
    ca_go go;
    int fd;
} fd_writer;

/* Runs after the reader parked (started second, it runs second). */
static int fd_writer_fn(ca_go *g)
{
    ssize_t n;

    GO_BEGIN(g);
    n = write(((fd_writer *)g)->fd, "x", 1);
    (void)n;
    GO_END(g);
}

static void prog_fd(void)
{
    ca_sched s;
    fd_reader r;
    fd_writer w;
    int p[2], ev;

    if (ca_wait_fd_blocking(0, CA_FD_READ, 0, &ev) == CA_ENOTSUP)
        return; /* no poll(2) here */
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    r.fd = p[0];
    r.status = -100;
    w.fd = p[1];
    CA_ASSERT_RC(ca_go_start(&s, &r.go, fd_reader_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, fd_writer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(r.status, CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
    CU_ASSERT(r.enomems <= al.failed);
    enomems = al.failed; /* the others absorbed: see above */
}

static void oom_fd(void)
{
    every_point(prog_fd);
}

/* ---- the connectors' allocating forms (issue 12, cov12) */

/* Runs s until nothing is ready (blocks parked on open channels make a
** step report a deadlock: fine here). */
static void settle(ca_sched *s)
{
    uint32_t next = 0;
    int rc;

    do {
        rc = ca_sched_step(s, &next);
        CU_ASSERT(rc == CA_OK || rc == CA_EDEADLOCK);
    } while (rc == CA_OK && next == 0);
}

/* merge (state, cases and value allocated) of two channels, and a
** to_chan feeding one of them through onto_chan's block. */
static void prog_merge(void)
{
    static const int vals[2] = {5, 6};
    ca_sched s;
    ca_chan *a = NULL, *b = NULL, *out = NULL, *chs[2];
    void *none = NULL;
    int v, sum = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ALLOC_OK(ca_to_chan(&a, &s, vals, 2, sizeof(int)), a);
    ALLOC_OK(ca_chan_new(&b, CA_FIXED, 2, sizeof(int)), b);
    ALLOC_OK(ca_chan_new(&out, CA_FIXED, 4, sizeof(int)), out);
    chs[0] = a;
    chs[1] = b;
    ALLOC_OK(ca_merge(NULL, &s, chs, 2, out, NULL, NULL), none);
    OFFER(b, 7);
    CA_ASSERT_RC(ca_close(b), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    while (ca_poll(out, &v) == CA_OK)
        sum += v;
    CA_ASSERT_EQ(sum, 18);
    CA_ASSERT_RC(ca_closed(out), 1); /* every input closed */
    CA_ASSERT_RC(ca_chan_free(a), CA_OK);
    CA_ASSERT_RC(ca_chan_free(b), CA_OK);
    CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void oom_merge(void)
{
    every_point(prog_merge);
}

/* A mult with allocated taps, a pub with a topic made on demand, and a
** mix with allocated inputs, each passing one value. */
static uintptr_t one_topic(const void *val, void *ud)
{
    (void)val;
    (void)ud;
    return 1;
}

static void prog_fanout(void)
{
    ca_sched s;
    ca_mult_state m;
    ca_pub_state p;
    ca_mix_state mx;
    ca_chan *src = NULL, *tap = NULL, *psrc = NULL, *sub = NULL;
    ca_chan *in = NULL, *out = NULL;
    void *none = NULL;
    int v = 0, pv;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ALLOC_OK(ca_chan_new(&src, CA_FIXED, 1, sizeof(int)), src);
    ALLOC_OK(ca_chan_new(&tap, CA_FIXED, 1, sizeof(int)), tap);
    memset(&m, 0, sizeof m);
    ALLOC_OK(ca_mult(&m, &s, src, NULL, NULL, 0), none);
    ALLOC_OK(ca_mult_tap(&m, tap, 1), none);
    OFFER(src, 1);
    CA_ASSERT_RC(ca_close(src), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(tap, 1);
    CA_ASSERT_RC(ca_poll(tap, &v), CA_CLOSED);

    ALLOC_OK(ca_chan_new(&psrc, CA_FIXED, 1, sizeof(int)), psrc);
    ALLOC_OK(ca_chan_new(&sub, CA_FIXED, 1, sizeof(int)), sub);
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_pub(&p, &s, psrc, one_topic, NULL, NULL, &pv), CA_OK);
    ALLOC_OK(ca_pub_sub(&p, 1, sub, 1), none);
    OFFER(psrc, 2);
    CA_ASSERT_RC(ca_close(psrc), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(sub, 2);
    CA_ASSERT_RC(ca_poll(sub, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_OK);

    ALLOC_OK(ca_chan_new(&in, CA_FIXED, 1, sizeof(int)), in);
    ALLOC_OK(ca_chan_new(&out, CA_FIXED, 1, sizeof(int)), out);
    memset(&mx, 0, sizeof mx);
    ALLOC_OK(ca_mix(&mx, &s, out, NULL, NULL, NULL, 0), none);
    ALLOC_OK(ca_mix_admix(&mx, in), none);
    OFFER(in, 3);
    settle(&s);
    POLL_EQ(out, 3);
    CA_ASSERT_RC(ca_close(in), CA_OK); /* it leaves the mix */
    CA_ASSERT_RC(ca_close(out), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&mx), CA_OK); /* ends: out is closed */
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);

    CA_ASSERT_RC(ca_chan_free(src), CA_OK);
    CA_ASSERT_RC(ca_chan_free(tap), CA_OK);
    CA_ASSERT_RC(ca_chan_free(psrc), CA_OK);
    CA_ASSERT_RC(ca_chan_free(sub), CA_OK);
    CA_ASSERT_RC(ca_chan_free(in), CA_OK);
    CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void oom_fanout(void)
{
    every_point(prog_fanout);
}

/* ---- end of the connectors' block */

static const ca_test tests[] = {
    {"oom_chans", oom_chans},
    {"oom_fd", oom_fd},
#if CA_HAVE_THREADS
    {"oom_pool", oom_pool},
#endif
    {"oom_pipeline", oom_pipeline},
    {"oom_go", oom_go},
    {"oom_late_result", oom_late_result},
    {"oom_merge", oom_merge},
    {"oom_fanout", oom_fanout},
    {NULL, NULL}};

#else /* no malloc: nothing allocates, nothing to fail */

static void oom_none(void)
{
    CU_PASS("built without malloc");
}

static const ca_test tests[] = {{"oom_none", oom_none}, {NULL, NULL}};

#endif

CA_TEST_MAIN("oom", tests)
