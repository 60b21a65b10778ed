/*
** test_pipeline.c: ca_pipeline, ca_pipeline_blocking, ca_pipeline_async
** (issue 9, item 4; SPEC 3 and pipeline_test.clj): input order for
** several n and sizes, a slow element on a pool, ex-handler values in
** position, close?, the stop when `to` closes, and never more than n
** async operations in flight. MIT licence, see COPYING.
*/
#include <string.h>
#if CA_HAVE_THREADS
#include <sched.h>
#endif

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_MALLOC

static int twice(void *ud, const void *in, void *out)
{
    int v = *(const int *)in * 2;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

/* Takes every value of `ch` into v[] until it closes, then (if asked)
** takes the int of `done` and checks that it closes after it. */
typedef struct collect {
    ca_go go;
    ca_chan *ch, *done;
    int v[1100], n, x, done_rc;
} collect;

static int collect_fn(ca_go *g)
{
    collect *c = (collect *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, c->ch, &c->x);
        if (GO_CLOSED(g))
            break;
        if (c->n < 1100)
            c->v[c->n] = c->x;
        c->n++;
    }
    if (c->done != NULL) {
        TAKE(g, c->done, &c->done_rc);
        TAKE(g, c->done, &c->x);
        if (GO_STATUS(g) != CA_CLOSED)
            c->done_rc = -1000;
    }
    GO_END(g);
}

static collect col;
static putter feed;

/* pipeline_test.clj's test-sizes: n workers over `size` values keep the
** input order, and `to` closes after the last. */
static void run_sizes(unsigned n, int size)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    ca_xf_map_t m;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline(n, to, &m.xf, from, 1, NULL, NULL, &s, &done),
                 CA_OK);
    memset(&col, 0, sizeof col);
    col.ch = to;
    col.done = done;
    putter_init(&feed, from, 1, size, 0, 1);
    CA_ASSERT_RC(ca_go_start(&s, &col.go, collect_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &feed.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(col.n, size);
    for (i = 0; i < size && i < 1100; i++)
        if (col.v[i] != 2 * (i + 1))
            break;
    CA_ASSERT_EQ(i, size);
    CA_ASSERT_RC(col.done_rc, CA_OK);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void test_sizes(void)
{
    run_sizes(1, 0);
    run_sizes(1, 10);
    run_sizes(10, 10);
    run_sizes(20, 10);
    run_sizes(5, 1000);
}

/* test-ex-handler: a value whose step fails becomes the handler's
** output, in position, and later values still flow; without a handler it
** gives no output and `done` reports the first error (3's, not 5's). */
static int picky(void *ud, const void *in, void *out)
{
    (void)ud;
    if (*(const int *)in == 3)
        return CA_ERANGE;
    if (*(const int *)in == 5)
        return CA_ENOTSUP;
    memcpy(out, in, sizeof(int));
    return CA_OK;
}

static int handler(void *ud, int code, const void *in, ca_xf_out *out)
{
    int sub = -*(const int *)in;

    (void)ud;
    CA_ASSERT_RC(code, sub == -3 ? CA_ERANGE : CA_ENOTSUP);
    return ca_xf_emit(out, &sub);
}

static void run_ex(ca_xf_err_fn ex)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    ca_xf_map_t m;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 2, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, picky, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline(3, to, &m.xf, from, 1, ex, NULL, &s, &done),
                 CA_OK);
    memset(&col, 0, sizeof col);
    col.ch = to;
    col.done = done;
    putter_init(&feed, from, 1, 5, 0, 1);
    CA_ASSERT_RC(ca_go_start(&s, &col.go, collect_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &feed.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    if (ex != NULL) {
        CA_ASSERT_EQ(col.n, 5);
        CA_ASSERT_EQ(col.v[2], -3);
        CA_ASSERT_EQ(col.v[3], 4);
        CA_ASSERT_EQ(col.v[4], -5);
        CA_ASSERT_RC(col.done_rc, CA_OK);
    } else {
        CA_ASSERT_EQ(col.n, 3);
        CA_ASSERT_EQ(col.v[2], 4);
        CA_ASSERT_RC(col.done_rc, CA_ERANGE);
    }
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void test_ex_handler(void)
{
    run_ex(handler);
    run_ex(NULL);
}

/* test-close?: with close 0, `to` stays open and still accepts puts. */
static void test_close_flag(void)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    ca_xf_map_t m;
    int v = 5, rc = 99;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 8, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline(2, to, &m.xf, from, 0, NULL, NULL, &s, &done),
                 CA_OK);
    OFFER(from, 1);
    OFFER(from, 2);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_poll(done, &rc), CA_OK);
    CA_ASSERT_RC(rc, CA_OK);
    CA_ASSERT_RC(ca_poll(done, &rc), CA_CLOSED);
    POLL_EQ(to, 2);
    POLL_EQ(to, 4);
    CA_ASSERT_RC(ca_closed(to), 0);
    CA_ASSERT_RC(ca_offer(to, &v), CA_OK);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The deliberate difference: the pipeline stops when `to` closes. A
** producer that never ends feeds it; a consumer takes 5 values and closes
** `to`; the pipeline ends (done closes) with `from` still open, having
** taken only a handful more than it delivered. */
typedef struct forever {
    ca_go go;
    ca_chan *ch;
    int v;
} forever;

static int forever_fn(ca_go *g)
{
    forever *f = (forever *)g;

    GO_BEGIN(g);
    for (f->v = 1;; f->v++) {
        PUT(g, f->ch, &f->v);
        if (!GO_OK(g))
            break;
    }
    GO_END(g);
}

typedef struct closer {
    ca_go go;
    ca_chan *to, *from, *done;
    int got[5], n, x, from_open, late;
} closer;

static int closer_fn(ca_go *g)
{
    closer *c = (closer *)g;

    GO_BEGIN(g);
    for (c->n = 0; c->n < 5; c->n++)
        TAKE(g, c->to, &c->got[c->n]);
    ca_close(c->to);
    /* A put the output block was waiting with stays queued on the closed
    ** channel and is delivered (channel semantics): drain it. The next
    ** put fails, and the pipeline stops. */
    for (;;) {
        TAKE(g, c->to, &c->x);
        if (GO_CLOSED(g))
            break;
        c->late++;
    }
    TAKE(g, c->done, &c->x); /* the pipeline's end */
    TAKE(g, c->done, &c->x);
    c->from_open = ca_closed(c->from) == 0;
    ca_close(c->from);
    TAKE(g, c->from, &c->x); /* the put it waited with: then it ends */
    GO_END(g);
}

static void test_stops_when_to_closes(void)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    ca_xf_map_t m;
    forever f;
    closer c;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline(3, to, &m.xf, from, 1, NULL, NULL, &s, &done),
                 CA_OK);
    memset(&f, 0, sizeof f);
    memset(&c, 0, sizeof c);
    f.ch = from;
    c.to = to;
    c.from = from;
    c.done = done;
    CA_ASSERT_RC(ca_go_start(&s, &f.go, forever_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, closer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.got[0], 2);
    CA_ASSERT_EQ(c.got[4], 10);
    CA_ASSERT_EQ(c.from_open, 1);
    CU_ASSERT(c.late <= 1);
    /* Produced: the 5 delivered, the late one, at most one per slot
    ** (n + 1) in flight, the closer's, and the refused last put; core.async
    ** would go on draining `from` for ever. */
    CA_ASSERT_EQ(f.v <= 5 + 1 + 4 + 1 + 1, 1);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* pipeline-async: each operation is a go block that counts itself in
** flight, yields a few times (others could start meanwhile), puts two
** values (test-af-multiplier) and closes its channel. */
typedef struct flight {
    int now, max;
    ca_sched *s;
} flight;

typedef struct op_block {
    ca_go go;
    flight *f;
    ca_chan *res;
    int v, k, x;
} op_block;

static int op_fn(ca_go *g)
{
    op_block *o = (op_block *)g;

    GO_BEGIN(g);
    for (o->k = 0; o->k < 3; o->k++)
        YIELD(g);
    for (o->k = 0; o->k < 2; o->k++) {
        o->x = o->v * 10 + o->k;
        PUT(g, o->res, &o->x);
    }
    o->f->now--;
    ca_close(o->res);
    GO_END(g);
}

static void af(void *ud, const void *in, ca_chan *res)
{
    flight *f = (flight *)ud;
    op_block *o;

    CA_ASSERT_RC(ca_go_new((ca_go **)(void *)&o, sizeof *o), CA_OK);
    o->f = f;
    o->res = res;
    o->v = *(const int *)in;
    if (++f->now > f->max)
        f->max = f->now;
    CA_ASSERT_RC(ca_go_start(f->s, &o->go, op_fn), CA_OK);
}

static void test_async_in_flight(void)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    flight f = {0, 0, NULL};
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    f.s = &s;
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 64, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 1, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline_async(3, to, af, &f, from, 1, &s, &done), CA_OK);
    for (i = 1; i <= 40; i++)
        OFFER(from, i);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    memset(&col, 0, sizeof col);
    col.ch = to;
    col.done = done;
    CA_ASSERT_RC(ca_go_start(&s, &col.go, collect_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.max, 3); /* never more than n, and n reached */
    CA_ASSERT_EQ(f.now, 0);
    CA_ASSERT_EQ(col.n, 80);
    for (i = 0; i < 80; i++)
        if (col.v[i] != (i / 2 + 1) * 10 + i % 2)
            break;
    CA_ASSERT_EQ(i, 80);
    CA_ASSERT_RC(col.done_rc, CA_OK);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void test_bad_input(void)
{
    ca_chan *from, *to, *done = (ca_chan *)&done;
    ca_xf_map_t m;
    flight f = {0, 0, NULL};
    unsigned i;

    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 4, sizeof(double)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pipeline(2, to, &m.xf, from, 1, NULL, NULL, NULL, &done),
                 CA_EINVAL); /* to carries doubles */
    CU_ASSERT(done == NULL);
    CA_ASSERT_RC(ca_pipeline(0, from, &m.xf, from, 1, NULL, NULL, NULL, NULL),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_pipeline(1025, from, &m.xf, from, 1, NULL, NULL, NULL,
                             NULL), CA_ERANGE);
    CA_ASSERT_RC(ca_pipeline(1, NULL, &m.xf, from, 1, NULL, NULL, NULL, NULL),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_pipeline(1, from, NULL, from, 1, NULL, NULL, NULL, NULL),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_pipeline(1, from, &m.xf, NULL, 1, NULL, NULL, NULL, NULL),
                 CA_EINVAL);
    /* `to` at its reference limit: nothing is started, nothing kept. */
    for (i = 1; i < CA_MAX_REFS; i++)
        CA_ASSERT_RC(ca_chan_retain(from), CA_OK);
    CA_ASSERT_RC(ca_pipeline(1, from, &m.xf, from, 1, NULL, NULL, NULL, &done),
                 CA_ERANGE);
    CU_ASSERT(done == NULL);
    for (i = 1; i < CA_MAX_REFS; i++)
        CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CHECK_PENDING(from, 0, 0);
    CA_ASSERT_RC(ca_pipeline_async(1, from, NULL, &f, from, 1, NULL, NULL),
                 CA_EINVAL);
#if CA_HAVE_THREADS
    CA_ASSERT_RC(ca_pipeline_blocking(1, to, &m.xf, from, 1, NULL, NULL, NULL,
                                      NULL), CA_EINVAL);
#else
    CA_ASSERT_RC(ca_pipeline_blocking(1, from, &m.xf, from, 1, NULL, NULL,
                                      NULL, NULL), CA_ENOTSUP);
#endif
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
}

/* Without `done`: the pipeline runs and closes `to` all the same, on a
** scheduler's go blocks and (threaded builds) on threads. */
static void run_no_done(int blocking)
{
    ca_sched s;
    ca_chan *from, *to;
    ca_xf_map_t m;
    int v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, twice, NULL, sizeof(int), sizeof(int)), CA_OK);
    for (v = 1; v <= 3; v++)
        CA_ASSERT_RC(ca_offer(from, &v), CA_OK);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    if (blocking)
        CA_ASSERT_RC(ca_pipeline_blocking(2, to, &m.xf, from, 1, NULL, NULL,
                                          &s, NULL),
                     CA_OK);
    else
        CA_ASSERT_RC(ca_pipeline(2, to, &m.xf, from, 1, NULL, NULL, &s, NULL),
                     CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (v = 1; v <= 3; v++) {
        int got = 0;
        CA_ASSERT_RC(ca_take_blocking(to, &got), CA_OK);
        CA_ASSERT_EQ(got, 2 * v);
    }
    CA_ASSERT_RC(ca_take_blocking(to, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void test_no_done(void)
{
    run_no_done(0);
#if CA_HAVE_THREADS
    run_no_done(1);
#endif
}

#if CA_HAVE_THREADS
/* test-blocking, without clocks: on a pool of 4, n = 4 workers, value 1's
** step waits until three later values have been through theirs, so the
** workers finish out of order; the output is still in input order. */
static int passed;

static int slow_first(void *ud, const void *in, void *out)
{
    int v = *(const int *)in;

    (void)ud;
    if (v == 1)
        while (__atomic_load_n(&passed, __ATOMIC_ACQUIRE) < 3)
            sched_yield(); /* a hang here is a lost worker: the watchdog */
    else
        __atomic_add_fetch(&passed, 1, __ATOMIC_ACQ_REL);
    v *= 2;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

static void run_slow(int blocking)
{
    ca_sched s;
    ca_chan *from, *to, *done;
    ca_xf_map_t m;
    int i, v, rc;

    passed = 0;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 4), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 64, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&m, slow_first, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    for (i = 1; i <= 50; i++)
        CA_ASSERT_RC(ca_put_blocking(from, &i), CA_OK);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    if (blocking)
        rc = ca_pipeline_blocking(4, to, &m.xf, from, 1, NULL, NULL, &s,
                                  &done);
    else
        rc = ca_pipeline(4, to, &m.xf, from, 1, NULL, NULL, &s, &done);
    CA_ASSERT_RC(rc, CA_OK);
    for (i = 1; i <= 50; i++) {
        CA_ASSERT_RC(ca_take_blocking(to, &v), CA_OK);
        CA_ASSERT_EQ(v, 2 * i);
    }
    CA_ASSERT_RC(ca_take_blocking(to, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_take_blocking(done, &v), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(done, &v), CA_CLOSED);
    CU_ASSERT(passed >= 3);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void test_slow_pool(void)
{
    run_slow(0);
}

static void test_slow_blocking(void)
{
    run_slow(1);
}
#endif

static const ca_test tests[] = {
    {"no_done", test_no_done},
    {"sizes", test_sizes},
    {"ex_handler", test_ex_handler},
    {"close_flag", test_close_flag},
    {"stops_when_to_closes", test_stops_when_to_closes},
    {"async_in_flight", test_async_in_flight},
    {"bad_input", test_bad_input},
#if CA_HAVE_THREADS
    {"slow_pool", test_slow_pool},
    {"slow_blocking", test_slow_blocking},
#endif
    {NULL, NULL}};

#else
static const ca_test tests[] = {{NULL, NULL}};
#endif

CA_TEST_MAIN("pipeline", tests)
