/*
** test_ops.c: the connectors (issue 9, item 4: SPEC 3 and 4), each on a
** scheduler driven step by step on this thread, and where the build has
** a pool, again on two workers (what can be seen only between steps is
** checked in the first mode only). Caller storage everywhere, so that
** the tests run without malloc too; the allocating forms have tests of
** their own. MIT licence, see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#define POOL (CA_HAVE_THREADS && CA_HAVE_MALLOC)

static ca_sched S;
static int pooled;
/* The connectors' scratch value: never one the test itself writes, since
** a connector reads it for as long as its put waits. */
static int scratch;
/* The result channels of done_init, destroyed by end(). */
static ca_chan *dones[8];
static int ndones;

/* Runs what is ready on S until nothing is (never waits: blocks left
** parked are what the test then looks at, so a step may well report
** them as a deadlock). */
static void settle(void)
{
    uint32_t next = 0;
    int rc;

    do {
        rc = ca_sched_step(&S, &next);
        if (rc != CA_OK && rc != CA_EDEADLOCK)
            CA_ASSERT_RC(rc, CA_OK);
    } while (rc == CA_OK && next == 0);
}

static void begin(int pool)
{
    pooled = pool;
    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
#if POOL
    if (pool)
        CA_ASSERT_RC(ca_sched_start(&S, 2), CA_OK);
#endif
}

static void end(void)
{
#if POOL
    if (pooled)
        CA_ASSERT_RC(ca_sched_stop(&S), CA_OK);
#endif
    settle();
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK); /* every block finished */
    while (ndones > 0)
        CA_ASSERT_RC(ca_chan_destroy(dones[--ndones]), CA_OK);
}

/* Runs body on S driven here, then on a pool. */
static void both(void (*body)(void))
{
    begin(0);
    body();
    end();
#if POOL
    begin(1);
    body();
    end();
#endif
}

/* A take from outside: blocking on a pool, else a poll after settling. */
static int take(ca_chan *ch, int *v)
{
    int rc;

    if (pooled)
        return ca_take_blocking(ch, v);
    settle();
    rc = ca_poll(ch, v);
    if (rc == CA_AGAIN) {       /* a put that waited moved on: once more */
        settle();
        rc = ca_poll(ch, v);
    }
    return rc;
}

static int put(ca_chan *ch, int v)
{
    int rc;

    if (pooled)
        return ca_put_blocking(ch, &v);
    if ((rc = ca_offer(ch, &v)) == CA_AGAIN) {
        settle();
        rc = ca_offer(ch, &v);
    }
    return rc;
}

#define TAKE_EQ(ch, want)                                                    \
    do {                                                                     \
        int v_ = -1;                                                         \
        CA_ASSERT_RC(take((ch), &v_), CA_OK);                                \
        CA_ASSERT_EQ(v_, (want));                                            \
    } while (0)
#define TAKE_CLOSED(ch)                                                      \
    do {                                                                     \
        int v_;                                                              \
        CA_ASSERT_RC(take((ch), &v_), CA_CLOSED);                            \
    } while (0)

/* A channel that closes when a connector's block has finished: its
** result channel, set before the connector starts. The block releases
** its reference just after the close, on whichever worker ran it, so
** they are destroyed by end(), once the pool has stopped. */
typedef struct donech {
    ca_chan ch;
} donech;


static void done_init(donech *d, ca_go *g)
{
    CA_ASSERT_RC(ca_chan_init(&d->ch, CA_FIXED, 1, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(g, &d->ch), CA_OK);
}

/* d must live until end(): a static of the test's. */
static void done_wait(donech *d)
{
    if (pooled)
        CA_ASSERT_RC(ca_take_blocking(&d->ch, NULL), CA_CLOSED);
    else {
        settle();
        CA_ASSERT_RC(ca_poll(&d->ch, NULL), CA_CLOSED);
    }
    if (ndones < 8)
        dones[ndones++] = &d->ch;
}

/* Fills a buffered channel with first..first+n-1. */
static void fill(ichan *c, int first, int n)
{
    int i;

    for (i = 0; i < n; i++)
        OFFER(&c->ch, first + i);
}

/* ---------------------------------------------------------------- pipe */

static void body_pipe(void)
{
    ichan from, to;
    ca_pipe_state st;
    static donech d;
    int i;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&to, CA_UNBUFFERED, 0);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_pipe(&st, &S, &from.ch, &to.ch, 1, &scratch), CA_OK);
    fill(&from, 1, 5);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    for (i = 1; i <= 5; i++)
        TAKE_EQ(&to.ch, i);
    TAKE_CLOSED(&to.ch);        /* from closed: to closed, close_to */
    done_wait(&d);
    CA_ASSERT_EQ(st.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&to.ch), CA_OK);
}

static void test_pipe(void) { both(body_pipe); }

/* A closed `to` stops the pipe at its next put and leaves `from` open,
** with what the pipe did not take still in it. (A put that already
** waits when `to` closes is delivered later, as core.async's close
** keeps waiting puts: so `to` closes while the pipe waits to take.) */
static void body_pipe_stops(void)
{
    ichan from, to;
    ca_pipe_state st;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&to, CA_UNBUFFERED, 0);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_pipe(&st, &S, &from.ch, &to.ch, 1, &scratch), CA_OK);
    CA_ASSERT_RC(put(&from.ch, 1), CA_OK);
    TAKE_EQ(&to.ch, 1);
    CA_ASSERT_RC(ca_close(&to.ch), CA_OK);
    CA_ASSERT_RC(put(&from.ch, 2), CA_OK);
    done_wait(&d);              /* 2 was taken, its put refused: stopped */
    CA_ASSERT_EQ(ca_closed(&from.ch), 0);
    OFFER(&from.ch, 3);
    POLL_EQ(&from.ch, 3);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&to.ch), CA_OK);
}

static void test_pipe_stops(void) { both(body_pipe_stops); }

static void body_pipe_no_close(void)
{
    ichan from, to;
    ca_pipe_state st;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&to, CA_FIXED, 8);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_pipe(&st, &S, &from.ch, &to.ch, 0, &scratch), CA_OK);
    fill(&from, 7, 1);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    done_wait(&d);
    CA_ASSERT_EQ(ca_closed(&to.ch), 0);
    POLL_EQ(&to.ch, 7);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&to.ch), CA_OK);
}

static void test_pipe_no_close(void) { both(body_pipe_no_close); }

/* --------------------------------------------------------------- split */

static int is_even(const void *val, void *ud)
{
    (*(int *)ud)++;
    return *(const int *)val % 2 == 0;
}

static void body_split(void)
{
    ichan from, t, f;
    ca_split_state st;
    static donech d;
    int v, calls = 0, i;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&t, CA_FIXED, 8);
    ichan_init(&f, CA_FIXED, 8);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_split(&st, &S, is_even, &calls, &from.ch, &t.ch, &f.ch,
                          &scratch), CA_OK);
    fill(&from, 0, 8);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    done_wait(&d);
    CA_ASSERT_EQ(calls, 8);
    for (i = 0; i < 8; i += 2) {
        POLL_EQ(&t.ch, i);
        POLL_EQ(&f.ch, i + 1);
    }
    /* the source closed: both outputs closed */
    CA_ASSERT_RC(ca_poll(&t.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_poll(&f.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&f.ch), CA_OK);
}

static void test_split(void) { both(body_split); }

/* --------------------------------------------------------------- merge */

static void body_merge(void)
{
    ichan in[3], out;
    ca_chan *chs[3];
    ca_alt cases[3];
    ca_merge_state st;
    static donech d;
    int v, i, seen[9], sum = 0;

    memset(&st, 0, sizeof st);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < 3; i++) {
        ichan_init(&in[i], CA_FIXED, 8);
        chs[i] = &in[i].ch;
        fill(&in[i], 3 * i, 3);
    }
    ichan_init(&out, CA_UNBUFFERED, 0);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_merge(&st, &S, chs, 3, &out.ch, cases, &scratch), CA_OK);
    for (i = 0; i < 9; i++) {
        CA_ASSERT_RC(take(&out.ch, &v), CA_OK);
        if (v >= 0 && v < 9)
            seen[v]++;
    }
    for (i = 0; i < 9; i++)
        CA_ASSERT_EQ(seen[i], 1);
    /* two inputs closed: out stays open for the third */
    CA_ASSERT_RC(ca_close(&in[0].ch), CA_OK);
    CA_ASSERT_RC(ca_close(&in[2].ch), CA_OK);
    if (!pooled) {
        settle();
        CA_ASSERT_EQ(ca_closed(&out.ch), 0);
    }
    CA_ASSERT_RC(put(&in[1].ch, 40), CA_OK);
    TAKE_EQ(&out.ch, 40);
    CA_ASSERT_RC(ca_close(&in[1].ch), CA_OK);
    TAKE_CLOSED(&out.ch);       /* the last one closed */
    done_wait(&d);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_chan_destroy(&in[i].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    (void)sum;
}

static void test_merge(void) { both(body_merge); }

static void body_merge_none(void)
{
    ichan out;
    ca_merge_state st;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&out, CA_UNBUFFERED, 0);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_merge(&st, &S, NULL, 0, &out.ch, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_merge(&st, &S, NULL, 0, &out.ch, NULL, &st), CA_OK);
    TAKE_CLOSED(&out.ch);
    done_wait(&d);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
}

static void test_merge_none(void) { both(body_merge_none); }

/* -------------------------------------------------------------- take_n */

static void body_take_n(void)
{
    ichan from, out;
    ca_take_n_state st;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&out, CA_UNBUFFERED, 0);
    fill(&from, 1, 5);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_take_n(&st, &S, &from.ch, 3, &out.ch, &scratch), CA_OK);
    TAKE_EQ(&out.ch, 1);
    TAKE_EQ(&out.ch, 2);
    TAKE_EQ(&out.ch, 3);
    TAKE_CLOSED(&out.ch);
    done_wait(&d);
    CA_ASSERT_EQ(ca_closed(&from.ch), 0); /* the rest stays */
    POLL_EQ(&from.ch, 4);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
}

static void test_take_n(void) { both(body_take_n); }

/* The source closes first: out closes too, with what there was. */
static void body_take_n_short(void)
{
    ichan from, out;
    ca_take_n_state st;
    static donech d;
    int v;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&out, CA_FIXED, 8);
    fill(&from, 1, 2);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_take_n(&st, &S, &from.ch, 5, &out.ch, &scratch), CA_OK);
    done_wait(&d);
    POLL_EQ(&out.ch, 1);
    POLL_EQ(&out.ch, 2);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
}

static void test_take_n_short(void) { both(body_take_n_short); }

/* -------------------------------------------------------------- reduce */

typedef struct sum_ud {
    int calls, stop_at;
} sum_ud;

static int sum(void *acc, const void *val, void *ud)
{
    sum_ud *u = (sum_ud *)ud;

    u->calls++;
    *(long *)acc += *(const int *)val;
    return u->stop_at != 0 && *(const int *)val == u->stop_at;
}

typedef struct lchan {
    ca_chan ch;
    long buf[1];
} lchan;

static void reduce_case(donech *dp, int n, int stop_at, long init, long want,
                        int calls)
{
    ichan from;
    lchan res;
    ca_reduce_state st;
    sum_ud u;
    long acc = init, got = -1;
    int v;

    memset(&st, 0, sizeof st);
    u.calls = 0;
    u.stop_at = stop_at;
    ichan_init(&from, CA_FIXED, 8);
    CA_ASSERT_RC(ca_chan_init(&res.ch, CA_FIXED, 1, sizeof(long), res.buf,
                              sizeof res.buf), CA_OK);
    done_init(dp, &st.go);
    CA_ASSERT_RC(ca_reduce(&st, &S, sum, &u, &from.ch, &acc, sizeof acc, &scratch,
                           &res.ch), CA_OK);
    for (v = 0; v < n; v++)
        if (stop_at == 0 || v <= stop_at)
            CA_ASSERT_RC(put(&from.ch, v), CA_OK);
    if (stop_at == 0)
        CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    done_wait(dp);
    CA_ASSERT_RC(ca_poll(&res.ch, &got), CA_OK);
    CA_ASSERT_EQ(got, want);
    CA_ASSERT_EQ(acc, want);
    CA_ASSERT_EQ(u.calls, calls);
    CA_ASSERT_RC(ca_poll(&res.ch, &got), CA_CLOSED);
    if (stop_at != 0) {
        /* stopped early: the source is left open */
        CA_ASSERT_EQ(ca_closed(&from.ch), 0);
        OFFER(&from.ch, 99);
        POLL_EQ(&from.ch, 99);
    }
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&res.ch), CA_OK);
}

static void body_reduce(void)
{
    static donech d[3];

    reduce_case(&d[0], 10, 0, 0, 45, 10);   /* (reduce + 0 (range 10)) */
    reduce_case(&d[1], 0, 0, 7, 7, 0);      /* empty: f never called */
    reduce_case(&d[2], 10, 3, 100, 106, 4); /* reduced at 3 */
}

static void test_reduce(void) { both(body_reduce); }

/* core.async's transduce, composed: a channel with the transform (here
** partition-all 2, whose completion flushes the odd value out), a pipe
** into it that closes it, and a reduce from it. */
static int sum_pairs(void *acc, const void *val, void *ud)
{
    const unsigned char *p = (const unsigned char *)val;
    uint32_t n;
    int v, i;

    (void)ud;
    memcpy(&n, p, sizeof n);    /* a group: its count, then the values */
    for (i = 0; i < (int)n; i++) {
        memcpy(&v, p + sizeof n + (size_t)i * sizeof v, sizeof v);
        *(long *)acc += v * 100 + 1;
    }
    return 0;
}

static void body_transduce(void)
{
    static ca_xf_partition_t part;
    static int pbuf[3];
    static unsigned char store[CA_XF_STORAGE(4, 1, 12)];
    static ca_chan mid;
    static unsigned char group[12];
    static ca_pipe_state pipe;
    static ca_reduce_state red;
    static donech d, dp;
    ichan from;
    long acc = 0;

    memset(&pipe, 0, sizeof pipe);
    memset(&red, 0, sizeof red);
    CA_ASSERT_RC(ca_xf_partition_all(&part, 2, sizeof(int), pbuf,
                                     sizeof pbuf), CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&mid, CA_FIXED, 4, store, sizeof store,
                                 &part.xf, NULL, NULL), CA_OK);
    ichan_init(&from, CA_FIXED, 8);
    fill(&from, 1, 5);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    done_init(&d, &red.go);
    done_init(&dp, &pipe.go);
    CA_ASSERT_RC(ca_pipe(&pipe, &S, &from.ch, &mid, 1, &scratch), CA_OK);
    CA_ASSERT_RC(ca_reduce(&red, &S, sum_pairs, NULL, &mid, &acc,
                           sizeof acc, group, NULL), CA_OK);
    done_wait(&d);
    /* 1..5 in groups [1 2] [3 4] [5], the last one by the completion */
    CA_ASSERT_EQ(acc, (1 + 2 + 3 + 4 + 5) * 100 + 5);
    CA_ASSERT_EQ(red.status, CA_OK);
    done_wait(&dp);
    CA_ASSERT_RC(ca_chan_destroy(&mid), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
}

/* On a pool the reduce may well wait on `mid` when the close's completion
** flushes the odd value: that take must be woken (test_xf's flush_wakes
** tests aim at that alone). */
static void test_transduce(void) { both(body_transduce); }

/* ----------------------------------------------------------- transduce */

/* A stateful transform as a user writes one: sums values by pairs, the
** completion flushes an odd one out (negated, to tell it apart); it
** counts its steps and completions. Fails with CA_ERANGE on `bad`. */
typedef struct pairs {
    ca_xf xf;
    int held, have, bad, steps, completions;
} pairs;

static int pairs_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    pairs *p = (pairs *)xf;
    int v = *(const int *)in, sum;

    p->steps++;
    if (v == p->bad)
        return CA_ERANGE;
    if (!p->have) {
        p->held = v;
        p->have = 1;
        return CA_OK;
    }
    p->have = 0;
    sum = p->held + v;
    return ca_xf_emit(out, &sum);
}

static int pairs_complete(ca_xf *xf, ca_xf_out *out)
{
    pairs *p = (pairs *)xf;
    int odd = -p->held;

    p->completions++;
    if (!p->have)
        return CA_OK;
    p->have = 0;
    return ca_xf_emit(out, &odd);
}

static void pairs_init(pairs *p, int bad)
{
    memset(p, 0, sizeof *p);
    p->xf.step = pairs_step;
    p->xf.complete = pairs_complete;
    p->xf.in_size = p->xf.out_size = sizeof(int);
    p->xf.max_out = 1;
    p->bad = bad;
}

/* f of the transductions: keeps the outputs in order in a list of 8,
** their sum in the accumulator; stops after `stop_at` outputs (0 never). */
typedef struct folded {
    int v[8], n, stop_at;
} folded;

static int collect(void *acc, const void *val, void *ud)
{
    folded *u = (folded *)ud;

    *(long *)acc += *(const int *)val;
    if (u->n < 8)
        u->v[u->n] = *(const int *)val;
    u->n++;
    return u->stop_at != 0 && u->n == u->stop_at ? 42 : 0;
}

/* Runs one transduction of first..first+n-1 (closing `from` unless the
** fold is expected to stop first) through xf, into a result channel; the
** outputs f saw come back in *u. Returns the result's take: CA_OK with
** *got, or CA_CLOSED when nothing was delivered. */
static int transduce_run(donech *d, ca_transduce_state *st, ca_xf *xf,
                         int first, int n, int close, long init, folded *u,
                         long *got, ichan *from)
{
    lchan res;
    long acc = init, after;
    int rc;

    memset(st, 0, sizeof *st);
    ichan_init(from, CA_FIXED, 8);
    CA_ASSERT_RC(ca_chan_init(&res.ch, CA_FIXED, 1, sizeof(long), res.buf,
                              sizeof res.buf), CA_OK);
    done_init(d, &st->go);
    CA_ASSERT_RC(ca_transduce(st, &S, xf, collect, u, &from->ch, &acc,
                              sizeof acc, &scratch, &res.ch), CA_OK);
    fill(from, first, n);
    if (close)
        CA_ASSERT_RC(ca_close(&from->ch), CA_OK);
    done_wait(d);
    rc = ca_poll(&res.ch, got);
    if (rc == CA_OK) {
        CA_ASSERT_EQ(*got, acc); /* delivered: the accumulator itself */
        CA_ASSERT_RC(ca_poll(&res.ch, &after), CA_CLOSED);
    }
    CA_ASSERT_RC(ca_chan_destroy(&res.ch), CA_OK);
    return rc;
}

/* 1..5 in pairs: 3, 7, then the completion's flush of 5 (as -5), once. */
static void body_transduce_one_call(void)
{
    static donech d[2];
    static pairs p;
    ca_transduce_state st;
    folded u;
    ichan from;
    long got = -1;

    pairs_init(&p, 0);
    memset(&u, 0, sizeof u);
    CA_ASSERT_RC(transduce_run(&d[0], &st, &p.xf, 1, 5, 1, 1000, &u, &got,
                               &from), CA_OK);
    CA_ASSERT_EQ(got, 1000 + 3 + 7 - 5);
    CA_ASSERT_EQ(u.n, 3);
    CA_ASSERT_EQ(u.v[0], 3);
    CA_ASSERT_EQ(u.v[1], 7);
    CA_ASSERT_EQ(u.v[2], -5);
    CA_ASSERT_EQ(p.steps, 5);
    CA_ASSERT_EQ(p.completions, 1);
    CA_ASSERT_EQ(st.status, CA_OK);
    CA_ASSERT_EQ(st.stopped, 0);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);

    /* A source closed and empty: the initial value, f never called, the
    ** completion still once. */
    pairs_init(&p, 0);
    memset(&u, 0, sizeof u);
    CA_ASSERT_RC(transduce_run(&d[1], &st, &p.xf, 1, 0, 1, 77, &u, &got,
                               &from), CA_OK);
    CA_ASSERT_EQ(got, 77);
    CA_ASSERT_EQ(u.n, 0);
    CA_ASSERT_EQ(p.completions, 1);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
}

static void test_transduce_one_call(void) { both(body_transduce_one_call); }

/* Early stops leave the source open with what the fold did not take, and
** still run the completion once: by the transform (take 3 in front of
** the pairs: 1 2 3 give 3, then the flush of 3 as -3), and by f. */
static void body_transduce_stop(void)
{
    static donech d[2];
    static pairs p;
    static ca_xf_take_t t3;
    static ca_xf *stages[2];
    static ca_xf_comp_t c;
    ca_transduce_state st;
    folded u;
    ichan from;
    long got = -1;
    int v, left;

    pairs_init(&p, 0);
    CA_ASSERT_RC(ca_xf_take(&t3, 3, sizeof(int)), CA_OK);
    stages[0] = &t3.xf;
    stages[1] = &p.xf;
    CA_ASSERT_RC(ca_xf_comp(stages, 2, &c), CA_OK);
    memset(&u, 0, sizeof u);
    CA_ASSERT_RC(transduce_run(&d[0], &st, &c.xf, 1, 6, 0, 0, &u, &got,
                               &from), CA_OK);
    CA_ASSERT_EQ(got, 3 - 3);
    CA_ASSERT_EQ(u.n, 2);
    CA_ASSERT_EQ(u.v[0], 3);
    CA_ASSERT_EQ(u.v[1], -3);
    CA_ASSERT_EQ(p.completions, 1);
    CA_ASSERT_EQ(st.status, CA_OK);
    CA_ASSERT_EQ(ca_closed(&from.ch), 0);
    for (left = 0; ca_poll(&from.ch, &v) == CA_OK; left++)
        CA_ASSERT_EQ(v, 4 + left); /* 4 5 6: never taken */
    CA_ASSERT_EQ(left, 3);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);

    /* f stops at its second output (7): the completion runs, its flush
    ** is not folded, and f's answer is kept. */
    pairs_init(&p, 0);
    memset(&u, 0, sizeof u);
    u.stop_at = 2;
    CA_ASSERT_RC(transduce_run(&d[1], &st, &p.xf, 1, 5, 0, 0, &u, &got,
                               &from), CA_OK);
    CA_ASSERT_EQ(got, 3 + 7);
    CA_ASSERT_EQ(u.n, 2);
    CA_ASSERT_EQ(p.completions, 1);
    CA_ASSERT_EQ(st.stopped, 42);
    CA_ASSERT_EQ(st.status, CA_OK);
    POLL_EQ(&from.ch, 5);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
}

static void test_transduce_stop(void) { both(body_transduce_stop); }

/* A step that fails ends the fold: no value on the result (it closes),
** the code in status, the completion once, and its flush not folded. */
static void body_transduce_error(void)
{
    static donech d;
    static pairs p;
    ca_transduce_state st;
    folded u;
    ichan from;
    long got = -1;

    pairs_init(&p, 4);
    memset(&u, 0, sizeof u);
    CA_ASSERT_RC(transduce_run(&d, &st, &p.xf, 1, 6, 0, 0, &u, &got, &from),
                 CA_CLOSED);
    CA_ASSERT_EQ(st.status, CA_ERANGE);
    CA_ASSERT_EQ(u.n, 1); /* 1+2 only: 3 was held, 4 failed */
    CA_ASSERT_EQ(p.steps, 4);
    CA_ASSERT_EQ(p.completions, 1);
    POLL_EQ(&from.ch, 5);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
}

static void test_transduce_error(void) { both(body_transduce_error); }

/* ---------------------------------------------------------------- into */

static void body_into_array(void)
{
    ichan from;
    ca_reduce_state st;
    ca_vec vec;
    int arr[3];
    static donech d, d2;

    memset(&st, 0, sizeof st);
    ichan_init(&from, CA_FIXED, 8);
    fill(&from, 10, 5);
    vec.data = arr;
    vec.cap = 3;
    vec.len = 0;
    vec.elem_size = sizeof(int);
    vec.grows = 0;
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_into(&st, &S, &from.ch, &vec, &scratch, NULL), CA_OK);
    done_wait(&d);
    /* the array took 3 and, full, stopped the reduction before taking a
    ** 4th, which would have had nowhere to go: not one value lost */
    CA_ASSERT_EQ(vec.len, 3);
    CA_ASSERT_EQ(arr[0], 10);
    CA_ASSERT_EQ(arr[2], 12);
    CA_ASSERT_EQ(st.status, CA_ERANGE);
    CA_ASSERT_EQ(ca_closed(&from.ch), 0);
    POLL_EQ(&from.ch, 13);
    POLL_EQ(&from.ch, 14);
    /* an array with no room left takes nothing */
    memset(&st, 0, sizeof st);
    OFFER(&from.ch, 15);
    CA_ASSERT_RC(ca_into(&st, &S, &from.ch, &vec, &scratch, NULL), CA_ERANGE);
    POLL_EQ(&from.ch, 15);
    /* an array filled by the last value of a closed channel: CA_OK */
    vec.len = 0;
    fill(&from, 20, 3);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    memset(&st, 0, sizeof st);
    done_init(&d2, &st.go);
    CA_ASSERT_RC(ca_into(&st, &S, &from.ch, &vec, &scratch, NULL), CA_OK);
    done_wait(&d2);
    CA_ASSERT_EQ(vec.len, 3);
    CA_ASSERT_EQ(arr[2], 22);
    CA_ASSERT_EQ(st.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
}

static void test_into_array(void) { both(body_into_array); }

/* ---------------------------------------------------------- onto_chan */

static void body_onto(void)
{
    static const int vals[6] = {5, 6, 7, 8, 9, 10};
    ichan ch;
    ca_onto_state st;
    struct {
        ca_chan ch;
        size_t buf[1];
    } cnt;
    size_t n = 0;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&ch, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_chan_init(&cnt.ch, CA_FIXED, 1, sizeof(size_t), cnt.buf,
                              sizeof cnt.buf), CA_OK);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_onto_chan(&st, &S, &ch.ch, vals, 6, 0, &cnt.ch), CA_OK);
    TAKE_EQ(&ch.ch, 5);
    TAKE_EQ(&ch.ch, 6);
    TAKE_EQ(&ch.ch, 7);
    CA_ASSERT_RC(ca_close(&ch.ch), CA_OK); /* the 4th put is refused */
    done_wait(&d);
    CA_ASSERT_RC(ca_poll(&cnt.ch, &n), CA_OK);
    CA_ASSERT_EQ(n, 3);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&cnt.ch), CA_OK);
}

static void test_onto(void)
{
    begin(0); /* where the 4th put is: seen between steps only */
    body_onto();
    end();
}

/* A channel closed before: nothing is put. */
static void body_onto_closed(void)
{
    static const int vals[2] = {1, 2};
    ichan ch;
    ca_onto_state st;
    struct {
        ca_chan ch;
        size_t buf[1];
    } cnt;
    size_t n = 99;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&ch, CA_FIXED, 2);
    CA_ASSERT_RC(ca_close(&ch.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&cnt.ch, CA_FIXED, 1, sizeof(size_t), cnt.buf,
                              sizeof cnt.buf), CA_OK);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_onto_chan(&st, &S, &ch.ch, vals, 2, 1, &cnt.ch), CA_OK);
    done_wait(&d);
    CA_ASSERT_RC(ca_poll(&cnt.ch, &n), CA_OK);
    CA_ASSERT_EQ(n, 0);
    CA_ASSERT_RC(ca_poll(&cnt.ch, &n), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&cnt.ch), CA_OK);
}

static void test_onto_closed(void) { both(body_onto_closed); }

static void body_onto_close(void)
{
    static const int vals[3] = {1, 2, 3};
    ichan ch;
    ca_onto_state st;
    static donech d;

    memset(&st, 0, sizeof st);
    ichan_init(&ch, CA_FIXED, 2);
    done_init(&d, &st.go);
    CA_ASSERT_RC(ca_onto_chan(&st, &S, &ch.ch, vals, 3, 1, NULL), CA_OK);
    TAKE_EQ(&ch.ch, 1);
    TAKE_EQ(&ch.ch, 2);
    TAKE_EQ(&ch.ch, 3);
    TAKE_CLOSED(&ch.ch);
    done_wait(&d);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
}

static void test_onto_close(void) { both(body_onto_close); }

/* onto-chan!!: from this thread, with blocking puts. */
static void test_onto_blocking(void)
{
    static const int vals[3] = {4, 5, 6};
    ichan ch;
    size_t n = 99;

    ichan_init(&ch, CA_FIXED, 8);
    CA_ASSERT_RC(ca_onto_chan_blocking(&ch.ch, vals, 3, 1, &n), CA_OK);
    CA_ASSERT_EQ(n, 3);
    POLL_EQ(&ch.ch, 4);
    POLL_EQ(&ch.ch, 5);
    POLL_EQ(&ch.ch, 6);
    CA_ASSERT_RC(ca_poll(&ch.ch, &n), CA_CLOSED);
    CA_ASSERT_RC(ca_onto_chan_blocking(&ch.ch, vals, 3, 1, &n), CA_OK);
    CA_ASSERT_EQ(n, 0);         /* the first put was refused */
    CA_ASSERT_RC(ca_onto_chan_blocking(&ch.ch, NULL, 3, 1, &n), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
}

/* ---------------------------------------------------------------- mult */

static void body_mult(void)
{
    ichan src, a, b;
    ca_mult_state m;
    ca_mult_slot slots[2];
    static donech d;
    int i;

    memset(&m, 0, sizeof m);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&a, CA_FIXED, 4);
    ichan_init(&b, CA_UNBUFFERED, 0);
    done_init(&d, &m.go);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &scratch, slots, 2), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &a.ch, 1), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &b.ch, 0), CA_OK);
    fill(&src, 1, 4);
    for (i = 1; i <= 4; i++) {
        TAKE_EQ(&b.ch, i);
        TAKE_EQ(&a.ch, i);
    }
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    done_wait(&d);
    TAKE_CLOSED(&a.ch);         /* tapped with close */
    CA_ASSERT_EQ(ca_closed(&b.ch), 0);
    CA_ASSERT_RC(ca_mult_tap(&m, &b.ch, 0), CA_CLOSED); /* it ended */
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
}

static void test_mult(void) { both(body_mult); }

/* Zero taps: the value is taken and dropped (ASYNC-41). A tap full of
** `max`: refused. */
static void test_mult_drops(void)
{
    ichan src, a;
    ca_mult_state m;
    ca_mult_slot slot;
    int v;

    begin(0);
    memset(&m, 0, sizeof m);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&a, CA_FIXED, 8);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &scratch, &slot, 1), CA_OK);
    fill(&src, 1, 2);
    settle();
    CHECK_COUNT(&src.ch, 0);    /* both taken, nobody to give them to */
    CA_ASSERT_RC(ca_mult_tap(&m, &a.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &a.ch, 1), CA_OK); /* the same tap */
    CA_ASSERT_RC(ca_mult_tap(&m, &src.ch, 1), CA_EINVAL);
    OFFER(&src.ch, 3);
    settle();
    POLL_EQ(&a.ch, 3);
    CA_ASSERT_RC(ca_poll(&a.ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_poll(&a.ch, &v), CA_CLOSED); /* the second tap's close */
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    end();
}

/* The slowest tap paces all: until b takes 1, a does not get 2. */
static void test_mult_pacing(void)
{
    ichan src, a, b;
    ca_mult_state m;
    ca_mult_slot slots[2];
    int v;

    begin(0);
    memset(&m, 0, sizeof m);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&a, CA_FIXED, 8);
    ichan_init(&b, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &scratch, slots, 2), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &a.ch, 1), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &b.ch, 1), CA_OK);
    fill(&src, 1, 3);
    settle();
    CHECK_COUNT(&a.ch, 1);      /* 1 only: b holds the round */
    CHECK_COUNT(&src.ch, 2);
    POLL_EQ(&b.ch, 1);
    settle();
    CHECK_COUNT(&a.ch, 2);
    POLL_EQ(&b.ch, 2);
    settle();
    POLL_EQ(&b.ch, 3);
    settle();
    CHECK_COUNT(&a.ch, 3);
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_poll(&b.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    end();
}

/* ASYNC-127: a closed tap is untapped, and delivery to the others stays
** in lock-step: t1 gets 2 only after t2 took 1. Its slot is free again. */
static void test_mult_closed_tap(void)
{
    ichan src, t0, t1, t2, t3;
    ca_mult_state m;
    ca_mult_slot slots[3];
    int v;

    begin(0);
    memset(&m, 0, sizeof m);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&t0, CA_UNBUFFERED, 0);
    ichan_init(&t1, CA_UNBUFFERED, 0);
    ichan_init(&t2, CA_UNBUFFERED, 0);
    ichan_init(&t3, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &scratch, slots, 3), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &t0.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &t1.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &t2.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &t3.ch, 0), CA_ERANGE); /* 3 slots */
    CA_ASSERT_RC(ca_close(&t0.ch), CA_OK);
    fill(&src, 1, 2);
    settle();
    POLL_EQ(&t1.ch, 1);
    settle();
    CA_ASSERT_RC(ca_poll(&t1.ch, &v), CA_AGAIN); /* 2 waits for t2's 1 */
    POLL_EQ(&t2.ch, 1);
    settle();
    POLL_EQ(&t1.ch, 2);
    POLL_EQ(&t2.ch, 2);
    settle();                   /* the round is over, and swept */
    CA_ASSERT_RC(ca_mult_tap(&m, &t3.ch, 0), CA_OK); /* t0's slot */
    CA_ASSERT_RC(ca_chan_destroy(&t0.ch), CA_OK);    /* released */
    CA_ASSERT_RC(ca_mult_untap(&m, &t3.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t3.ch), CA_OK);
    CA_ASSERT_RC(ca_mult_untap_all(&m), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t2.ch), CA_OK);
    OFFER(&src.ch, 3);          /* no taps left: dropped */
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    end();
}

/* An untap while a round waits on that tap: the round still needs it
** (core.async's snapshot), and the reference goes after the round. */
static void test_mult_untap_in_round(void)
{
    ichan src, a;
    ca_mult_state m;
    ca_mult_slot slot;
    int v;

    begin(0);
    memset(&m, 0, sizeof m);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&a, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &scratch, &slot, 1), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &a.ch, 1), CA_OK);
    fill(&src, 1, 2);
    settle();
    CA_ASSERT_RC(ca_mult_untap(&m, &a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_EBUSY); /* still in the round */
    POLL_EQ(&a.ch, 1);
    settle();
    CA_ASSERT_RC(ca_poll(&a.ch, &v), CA_AGAIN);     /* 2 went nowhere */
    CHECK_COUNT(&src.ch, 0);
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_EQ(ca_closed(&a.ch), 0);              /* untapped: not closed */
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    end();
}

/* ----------------------------------------------------------------- pub */

/* Topic: the tens digit (0, 1, 2...). */
static uintptr_t tens(const void *val, void *ud)
{
    (void)ud;
    return (uintptr_t)(*(const int *)val / 10);
}

/* Routing by topic, a value of no topic dropped, a slow topic blocking
** the pub, and close cascading to the subs made with close. Declared
** topics: no malloc needed. */
static void test_pub(void)
{
    ichan src, t0, t1, a, b, c;
    ca_pub_state p;
    ca_topic top[2];
    ca_mult_slot slots0[2], slots1[2];
    int v0, v1, v;

    begin(0);
    memset(&p, 0, sizeof p);
    memset(top, 0, sizeof top);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&t0, CA_FIXED, 1);   /* topic 0: a buffer of 1 */
    ichan_init(&t1, CA_UNBUFFERED, 0);
    ichan_init(&a, CA_FIXED, 8);
    ichan_init(&b, CA_UNBUFFERED, 0);
    ichan_init(&c, CA_FIXED, 8);
    CA_ASSERT_RC(ca_pub(&p, &S, &src.ch, tens, NULL, NULL, &scratch), CA_OK);
    CA_ASSERT_RC(ca_pub_topic(&p, &top[0], 0, &t0.ch, &v0, slots0, 2), CA_OK);
    CA_ASSERT_RC(ca_pub_topic(&p, &top[1], 1, &t1.ch, &v1, slots1, 2), CA_OK);
    CA_ASSERT_RC(ca_pub_topic(&p, &top[1], 1, &t1.ch, &v1, slots1, 2),
                 CA_EBUSY);
    CA_ASSERT_RC(ca_pub_sub(&p, 0, &a.ch, 1), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 1, &b.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 1, &c.ch, 1), CA_OK);
#if !CA_HAVE_MALLOC
    CA_ASSERT_RC(ca_pub_sub(&p, 7, &c.ch, 1), CA_ENOTSUP);
#endif
    OFFER(&src.ch, 1);          /* topic 0 */
    OFFER(&src.ch, 55);         /* topic 5: nobody, dropped */
    OFFER(&src.ch, 12);         /* topic 1: its mult waits for b */
    OFFER(&src.ch, 13);         /* topic 1 again: the pub waits */
    OFFER(&src.ch, 3);          /* topic 0, blocked behind 13 */
    settle();
    POLL_EQ(&a.ch, 1);
    POLL_EQ(&c.ch, 12);         /* c took 12; b has not */
    CA_ASSERT_RC(ca_poll(&a.ch, &v), CA_AGAIN); /* the pub waits on b */
    CHECK_COUNT(&src.ch, 1);
    POLL_EQ(&b.ch, 12);
    settle();
    POLL_EQ(&a.ch, 3);
    POLL_EQ(&c.ch, 13);
    POLL_EQ(&b.ch, 13);
    settle();
    CA_ASSERT_RC(ca_pub_unsub(&p, 1, &b.ch), CA_OK);
    OFFER(&src.ch, 14);
    settle();
    POLL_EQ(&c.ch, 14);         /* b is gone: c alone paces topic 1 */
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_poll(&a.ch, &v), CA_CLOSED);  /* close: yes */
    CA_ASSERT_RC(ca_poll(&c.ch, &v), CA_CLOSED);
    CA_ASSERT_EQ(ca_closed(&b.ch), 0);            /* unsubscribed */
    CA_ASSERT_RC(ca_pub_sub(&p, 0, &b.ch, 0), CA_CLOSED);
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t0.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    end();
}

#if CA_HAVE_MALLOC
static size_t buf_of(uintptr_t topic, void *ud)
{
    (void)ud;
    return topic == 2 ? 4 : 0;
}

/* Topics made on demand, with per-topic buffers: topic 2 has room for
** 4, so its slow sub does not block topic 3 until that fills. On a pool
** too: all it checks is what arrives in the end. */
static void body_pub_alloc(void)
{
    ca_chan *src, *a, *b;
    ca_pub_state p;
    uintptr_t two = 2;
    int i;

    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_chan_new(&src, CA_FIXED, 8, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&a, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&b, CA_FIXED, 8, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_pub(&p, &S, src, tens, buf_of, NULL, &scratch), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 2, a, 1), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 3, b, 1), CA_OK);
    for (i = 20; i < 24; i++)   /* topic 2: into its buffer */
        CA_ASSERT_RC(put(src, i), CA_OK);
    CA_ASSERT_RC(put(src, 30), CA_OK);
    TAKE_EQ(b, 30);             /* not blocked by a, which took nothing */
    for (i = 20; i < 24; i++)
        TAKE_EQ(a, i);
    CA_ASSERT_RC(ca_pub_unsub_all(&p, &two), CA_OK);
    CA_ASSERT_RC(ca_pub_unsub_all(&p, NULL), CA_OK);
    CA_ASSERT_RC(ca_close(src), CA_OK);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK);
    CA_ASSERT_RC(ca_chan_free(a), CA_OK);
    CA_ASSERT_RC(ca_chan_free(b), CA_OK);
    if (pooled) {
        ca_chan *d;
        CA_ASSERT_RC(ca_go_result(&p.go, 0, &d), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(d, NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(d), CA_OK);
        /* the topics' mults may still be ending: finish them here */
        CA_ASSERT_RC(ca_sched_stop(&S), CA_OK);
    }
    settle();
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_OK);
    if (pooled)
        CA_ASSERT_RC(ca_sched_start(&S, 2), CA_OK);
}

static void test_pub_alloc(void) { both(body_pub_alloc); }
#endif

/* ----------------------------------------------------------------- mix */

/* A mix of n int inputs into `out` (buffered 8), in test storage. */
typedef struct mixfx {
    ca_mix_state m;
    ichan in[3], out;
    ca_mix_slot slots[3];
    ca_alt cases[4];
} mixfx;

static mixfx MX;

static void mix_begin(void)
{
    int i;

    begin(0);
    memset(&MX, 0, sizeof MX);
    for (i = 0; i < 3; i++)
        ichan_init(&MX.in[i], CA_FIXED, 8);
    ichan_init(&MX.out, CA_FIXED, 8);
    CA_ASSERT_RC(ca_mix(&MX.m, &S, &MX.out.ch, &scratch, MX.slots, MX.cases,
                        3), CA_OK);
    CA_ASSERT_RC(ca_mix_admix(&MX.m, &MX.in[0].ch), CA_OK);
    CA_ASSERT_RC(ca_mix_admix(&MX.m, &MX.in[1].ch), CA_OK);
}

/* The mix ends once out is closed and an admin call wakes it. */
static void mix_end(void)
{
    int i;

    CA_ASSERT_RC(ca_close(&MX.out.ch), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&MX.m), CA_OK);
    settle();
    CA_ASSERT_RC(ca_mix_admix(&MX.m, &MX.in[0].ch), CA_CLOSED);
    for (i = 0; i < 3; i++)
        CA_ASSERT_RC(ca_chan_destroy(&MX.in[i].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&MX.out.ch), CA_OK);
    end();
}

/* Forwarding; an input that closes leaves (its slot is free again). */
static void test_mix(void)
{
    int v;

    mix_begin();
    CA_ASSERT_RC(ca_mix_admix(&MX.m, &MX.in[2].ch), CA_OK);
    OFFER(&MX.in[0].ch, 1);
    settle();
    POLL_EQ(&MX.out.ch, 1);
    OFFER(&MX.in[1].ch, 2);
    settle();
    POLL_EQ(&MX.out.ch, 2);
    CA_ASSERT_RC(ca_close(&MX.in[2].ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_chan_destroy(&MX.in[2].ch), CA_OK); /* released */
    ichan_init(&MX.in[2], CA_FIXED, 8);
    CA_ASSERT_RC(ca_mix_admix(&MX.m, &MX.in[2].ch), CA_OK); /* its slot */
    OFFER(&MX.in[2].ch, 3);
    settle();
    POLL_EQ(&MX.out.ch, 3);
    CA_ASSERT_RC(ca_mix_unmix(&MX.m, &MX.in[2].ch), CA_OK);
    OFFER(&MX.in[2].ch, 4);
    settle();
    POLL_EQ(&MX.in[2].ch, 4);   /* not read any more */
    CA_ASSERT_RC(ca_poll(&MX.out.ch, &v), CA_AGAIN);
    mix_end();
}

/* Mute: read and dropped. Pause: not read. */
static void test_mix_mute_pause(void)
{
    int v;

    mix_begin();
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[0].ch, CA_MIX_MUTE,
                               CA_MIX_MUTE), CA_OK);
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[1].ch, CA_MIX_PAUSE,
                               CA_MIX_PAUSE), CA_OK);
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[1].ch, 0x80, 0x80), CA_EINVAL);
    OFFER(&MX.in[0].ch, 1);
    OFFER(&MX.in[1].ch, 2);
    settle();
    CHECK_COUNT(&MX.in[0].ch, 0);   /* taken */
    CA_ASSERT_RC(ca_poll(&MX.out.ch, &v), CA_AGAIN); /* and dropped */
    CHECK_COUNT(&MX.in[1].ch, 1);   /* paused: not taken */
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[1].ch, CA_MIX_PAUSE, 0), CA_OK);
    settle();
    POLL_EQ(&MX.out.ch, 2);
    mix_end();
}

/* Solo, in both modes; and core.async's quirk: in mute mode a soloed
** input that is paused is not read. */
static void test_mix_solo(void)
{
    int v;

    mix_begin();
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[0].ch, CA_MIX_SOLO,
                               CA_MIX_SOLO), CA_OK);
    OFFER(&MX.in[0].ch, 1);
    OFFER(&MX.in[1].ch, 2);
    settle();
    POLL_EQ(&MX.out.ch, 1);
    CHECK_COUNT(&MX.in[1].ch, 0);   /* mute mode: read, dropped */
    CA_ASSERT_RC(ca_poll(&MX.out.ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_mix_solo_mode(&MX.m, CA_MIX_PAUSE), CA_OK);
    CA_ASSERT_RC(ca_mix_solo_mode(&MX.m, 7), CA_EINVAL);
    OFFER(&MX.in[1].ch, 3);
    OFFER(&MX.in[0].ch, 4);
    settle();
    POLL_EQ(&MX.out.ch, 4);
    CHECK_COUNT(&MX.in[1].ch, 1);   /* pause mode: not read */
    CA_ASSERT_RC(ca_mix_solo_mode(&MX.m, CA_MIX_MUTE), CA_OK);
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[0].ch, CA_MIX_PAUSE,
                               CA_MIX_PAUSE), CA_OK);
    OFFER(&MX.in[0].ch, 5);
    settle();
    CHECK_COUNT(&MX.in[0].ch, 1);   /* soloed and paused: not read */
    CHECK_COUNT(&MX.in[1].ch, 0);   /* 3: read, dropped (in[0] soloed) */
    CA_ASSERT_RC(ca_poll(&MX.out.ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_mix_toggle(&MX.m, &MX.in[0].ch, CA_MIX_SOLO |
                               CA_MIX_PAUSE, 0), CA_OK);
    settle();
    POLL_EQ(&MX.out.ch, 5);         /* nobody soloed: heard again */
    mix_end();
}

/* ASYNC-145: 2,048 inputs admixed at once, every value arrives; in your
** storage, then on a pool. */
#define MANY 2048
static ichan many_in[MANY];
static ca_mix_slot many_slots[MANY];
static ca_alt many_cases[MANY + 1];

static void body_mix_many(void)
{
    static ca_mix_state m;
    static char seen[MANY];
    ichan out;
    int i, v, bad = 0;

    memset(&m, 0, sizeof m);
    memset(seen, 0, sizeof seen);
    ichan_init(&out, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_mix(&m, &S, &out.ch, &scratch, many_slots, many_cases,
                        MANY), CA_OK);
    for (i = 0; i < MANY; i++) {
        ichan_init(&many_in[i], CA_FIXED, 1);
        OFFER(&many_in[i].ch, i);
        CA_ASSERT_RC(ca_mix_admix(&m, &many_in[i].ch), CA_OK);
    }
    for (i = 0; i < MANY; i++) {
        if (take(&out.ch, &v) != CA_OK || v < 0 || v >= MANY || seen[v]++)
            bad++;
    }
    CA_ASSERT_EQ(bad, 0);
    for (i = 0; i < MANY; i++)
        CA_ASSERT_RC(ca_close(&many_in[i].ch), CA_OK);
    CA_ASSERT_RC(ca_close(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&m), CA_OK);
#if POOL
    if (pooled) {
        ca_chan *d;
        CA_ASSERT_RC(ca_go_result(&m.go, 0, &d), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(d, NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(d), CA_OK);
    }
#endif
    if (!pooled)
        settle();
    for (i = 0; i < MANY; i++)
        CA_ASSERT_RC(ca_chan_destroy(&many_in[i].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
}

static void test_mix_many(void) { both(body_mix_many); }

#if CA_HAVE_MALLOC
/* Allocated slots and cases, grown past their first 16. */
static void test_mix_alloc(void)
{
    ca_mix_state m;
    ca_chan *out, *in[40];
    int i, v, sum = 0;

    begin(0);
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_chan_new(&out, CA_FIXED, 64, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_mix(&m, &S, out, NULL, NULL, NULL, 0), CA_OK);
    for (i = 0; i < 40; i++) {
        CA_ASSERT_RC(ca_chan_new(&in[i], CA_FIXED, 1, sizeof(int)), CA_OK);
        OFFER(in[i], i);
        CA_ASSERT_RC(ca_mix_admix(&m, in[i]), CA_OK);
        CA_ASSERT_RC(ca_chan_free(in[i]), CA_OK); /* the mix holds one */
    }
    settle();
    for (i = 0; i < 40; i++) {
        CA_ASSERT_RC(ca_poll(out, &v), CA_OK);
        sum += v;
    }
    CA_ASSERT_EQ(sum, 40 * 39 / 2);
    CA_ASSERT_RC(ca_close(out), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&m), CA_OK);
    settle();
    CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    end();
}
#endif

/* --------------------------------------------------------- bad input */

static void test_bad_input(void)
{
    ichan a, b, dead;
    ca_pipe_state st;
    ca_mult_state m;
    struct {
        ca_chan ch;
        short buf[4];
    } sh;
    int v;

    begin(0);
    memset(&st, 0, sizeof st);
    memset(&m, 0, sizeof m);
    ichan_init(&a, CA_FIXED, 8);
    ichan_init(&b, CA_FIXED, 8);
    ichan_init(&dead, CA_FIXED, 8);
    CA_ASSERT_RC(ca_chan_destroy(&dead.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&sh.ch, CA_FIXED, 4, sizeof(short), sh.buf,
                              sizeof sh.buf), CA_OK);
    CA_ASSERT_RC(ca_pipe(&st, &S, NULL, &b.ch, 1, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_pipe(&st, &S, &dead.ch, &b.ch, 1, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_pipe(&st, &S, &a.ch, &sh.ch, 1, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_pipe(&st, &S, &a.ch, &a.ch, 1, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_pipe(&st, &S, &a.ch, &b.ch, 1, NULL), CA_EINVAL);
    /* a block still running */
    CA_ASSERT_RC(ca_pipe(&st, &S, &a.ch, &b.ch, 1, &scratch), CA_OK);
    CA_ASSERT_RC(ca_pipe(&st, &S, &a.ch, &b.ch, 1, &v), CA_EBUSY);
    CA_ASSERT_RC(ca_mult(NULL, &S, &a.ch, &v, NULL, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_mult_tap(NULL, &a.ch, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_mult_untap(&m, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_mult_untap_all(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_close(&a.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_poll(&b.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sh.ch), CA_OK);
    end();
}

#if CA_HAVE_MALLOC
/* -------------------------------------------------- allocating forms */

static void body_alloc(void)
{
    static const int vals[150] = {1, 2, 3};
    ca_chan *src, *mid, *res, *out, *to;
    ca_mult_state m;
    ca_chan_info i;
    ca_vec vec;
    long acc = 0, got = 0;
    int v, k;
    sum_ud u = {0, 0};

    CA_ASSERT_RC(ca_to_chan(&to, &S, vals, 150, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(to, &i), CA_OK);
    CA_ASSERT_EQ(i.capacity, 100);
    CA_ASSERT_RC(ca_chan_new(&mid, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&out, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&res, CA_FIXED, 1, sizeof(long)), CA_OK);
    /* src -> take 120 -> mult -> (reduce, and a pipe to out); the taps
    ** first, since a mult with none drops what comes */
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_mult(&m, &S, mid, NULL, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&src, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, src, 1), CA_OK);
    CA_ASSERT_RC(ca_reduce(NULL, &S, sum, &u, src, &acc, sizeof acc, NULL,
                           res), CA_OK);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK); /* the connectors hold theirs */
    CA_ASSERT_RC(ca_chan_new(&src, CA_FIXED, 4, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, src, 1), CA_OK);
    CA_ASSERT_RC(ca_pipe(NULL, &S, src, out, 1, NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK);
    CA_ASSERT_RC(ca_take_n(NULL, &S, to, 120, mid, NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_chan_free(mid), CA_OK);
    memset(&vec, 0, sizeof vec);
    vec.elem_size = sizeof(int);
    CA_ASSERT_RC(ca_chan_new(&src, CA_FIXED, 1, sizeof vec), CA_OK);
    CA_ASSERT_RC(ca_into(NULL, &S, out, &vec, NULL, src), CA_OK);
    /* without st the fold is the connector's copy: ours stays empty, with
    ** nothing to free twice */
    CA_ASSERT_EQ(vec.data == NULL, 1);
    CA_ASSERT_EQ(vec.len, 0);
    CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    if (pooled)
        CA_ASSERT_RC(ca_take_blocking(src, &vec), CA_OK);
    else {
        settle();
        CA_ASSERT_RC(ca_poll(src, &vec), CA_OK);
    }
    CA_ASSERT_EQ(vec.len, 120);
    for (k = 0; k < 120; k++)
        CA_ASSERT_EQ(((int *)vec.data)[k], k < 3 ? k + 1 : 0);
    {
        /* a refused call leaves a grown vector as it was */
        ca_reduce_state st;
        void *data = vec.data;

        memset(&st, 0, sizeof st);
        CA_ASSERT_RC(ca_chan_new(&out, CA_FIXED, 1, sizeof(int)), CA_OK);
        CA_ASSERT_RC(ca_into(&st, &S, out, &vec, NULL, NULL), CA_EINVAL);
        /* without st, its buffer would have two owners: refused */
        CA_ASSERT_RC(ca_into(NULL, &S, out, &vec, NULL, NULL), CA_EINVAL);
        CA_ASSERT_EQ(vec.len, 120);
        CA_ASSERT_EQ(vec.data == data, 1);
        CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    }
    CA_ASSERT_RC(ca_vec_free(&vec), CA_OK);
    CA_ASSERT_EQ(vec.data == NULL, 1);
    CA_ASSERT_RC(pooled ? ca_take_blocking(res, &got) : ca_poll(res, &got),
                 CA_OK);
    CA_ASSERT_EQ(got, 6);
    CA_ASSERT_EQ(acc, 0);       /* the caller's init was copied */
    CA_ASSERT_RC(ca_chan_free(res), CA_OK);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK);
    /* an empty to_chan: closed at once */
    CA_ASSERT_RC(ca_to_chan(&src, &S, NULL, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_poll(src, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK);
    if (pooled) {               /* the mult's block may still be ending */
        ca_chan *d;
        CA_ASSERT_RC(ca_go_result(&m.go, 0, &d), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(d, NULL), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(d), CA_OK);
    }
}

static void test_alloc(void) { both(body_alloc); }

/* ca_transduce allocating its state, scratch value and accumulator: the
** caller's init is copied, the result delivered all the same. */
static void body_transduce_alloc(void)
{
    static pairs p;
    ca_chan *from, *res;
    folded u;
    long acc = 1000, got = 0;
    int v;

    pairs_init(&p, 0);
    memset(&u, 0, sizeof u);
    CA_ASSERT_RC(ca_chan_new(&from, CA_FIXED, 8, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&res, CA_FIXED, 1, sizeof(long)), CA_OK);
    for (v = 1; v <= 5; v++)
        OFFER(from, v);
    CA_ASSERT_RC(ca_close(from), CA_OK);
    CA_ASSERT_RC(ca_transduce(NULL, &S, &p.xf, collect, &u, from, &acc,
                              sizeof acc, NULL, res), CA_OK);
    CA_ASSERT_RC(ca_chan_free(from), CA_OK); /* the block holds its own */
    CA_ASSERT_RC(pooled ? ca_take_blocking(res, &got)
                        : (settle(), ca_poll(res, &got)),
                 CA_OK);
    CA_ASSERT_EQ(got, 1000 + 3 + 7 - 5);
    CA_ASSERT_EQ(acc, 1000);
    CA_ASSERT_EQ(p.completions, 1);
    CA_ASSERT_RC(ca_chan_free(res), CA_OK);
}

static void test_transduce_alloc(void) { both(body_transduce_alloc); }

/* Every allocation failing in turn: a refused call changes nothing. */
static int fail_at, allocs;

static void *failing(void *ud, void *ptr, size_t size)
{
    extern void free(void *);
    extern void *malloc(size_t);

    (void)ud;
    if (ptr != NULL) {
        free(ptr);
        return NULL;
    }
    return ++allocs == fail_at ? NULL : malloc(size);
}

static void test_alloc_fails(void)
{
    static const int vals[3] = {1, 2, 3};
    ca_chan *c;
    int rc, v;

    begin(0);
    for (fail_at = 1; fail_at <= 3; fail_at++) {
        allocs = 0;
        ca_set_allocator(failing, NULL);
        rc = ca_to_chan(&c, &S, vals, 3, sizeof(int));
        if (rc == CA_OK) {
            settle();
            POLL_EQ(c, 1);
            POLL_EQ(c, 2);
            POLL_EQ(c, 3);
            CA_ASSERT_RC(ca_poll(c, &v), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_free(c), CA_OK);
        } else {
            CA_ASSERT_EQ(rc, CA_ENOMEM);
            CA_ASSERT_EQ(c == NULL, 1);
        }
        ca_set_allocator(NULL, NULL);
    }
    end();
}
#endif

static const ca_test tests[] = {
    {"pipe", test_pipe},
    {"pipe_stops_when_to_closes", test_pipe_stops},
    {"pipe_no_close", test_pipe_no_close},
    {"split_closes_both", test_split},
    {"merge_closes_after_all", test_merge},
    {"merge_none", test_merge_none},
    {"take_n", test_take_n},
    {"take_n_short_source", test_take_n_short},
    {"reduce", test_reduce},
    {"transduce_composed", test_transduce},
    {"transduce", test_transduce_one_call},
    {"transduce_early_stop", test_transduce_stop},
    {"transduce_error", test_transduce_error},
    {"into_array_stops_full", test_into_array},
    {"onto_chan_stops_at_refused_put", test_onto},
    {"onto_chan_closes", test_onto_close},
    {"onto_chan_closed_before", test_onto_closed},
    {"onto_chan_blocking", test_onto_blocking},
    {"mult", test_mult},
    {"mult_zero_taps_drop", test_mult_drops},
    {"mult_pacing", test_mult_pacing},
    {"mult_closed_tap_async127", test_mult_closed_tap},
    {"mult_untap_in_round", test_mult_untap_in_round},
    {"pub", test_pub},
#if CA_HAVE_MALLOC
    {"pub_topics_on_demand", test_pub_alloc},
#endif
    {"mix", test_mix},
    {"mix_mute_pause", test_mix_mute_pause},
    {"mix_solo_both_modes", test_mix_solo},
    {"mix_2048_inputs_async145", test_mix_many},
#if CA_HAVE_MALLOC
    {"mix_allocated", test_mix_alloc},
#endif
    {"bad_input", test_bad_input},
#if CA_HAVE_MALLOC
    {"allocating_forms", test_alloc},
    {"transduce_allocated", test_transduce_alloc},
    {"allocation_fails", test_alloc_fails},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("ops", tests)
