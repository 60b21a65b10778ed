/*
** test_go.c: go blocks: TAKE and PUT (immediate and parked), their
** outcome (GO_CLOSED, GO_STATUS), starting (never inline, from inside a
** block, restart, CA_EBUSY), YIELD and SLEEP, result channels (ca_go_result,
** ca_go_set_result), ca_go_new, long chains of blocks, and the control flow
** the stackless macros allow. Mirrors core.async's ioc_macros_test
** (async-test, offer-poll, enqueued-chan-ops, go-nests, ASYNC-186).
** MIT licence, see COPYING.
**
** Built twice: test/test_go_cg is this file with CA_TEST_GO_CGOTO, where
** the file chooses computed goto (GCC and Clang, a build with site
** records), whatever the library was built with, as ca_go(3) lets a file
** do: the same blocks then resume through labels, and each first start
** reads the label of the library's start site.
*/
#if defined(CA_TEST_GO_CGOTO)
#include <coreasync/config.h>
#if defined(__GNUC__) && !CA_CONFIG_TINY_GO
#undef CA_CONFIG_COMPUTED_GOTO
#define CA_CONFIG_COMPUTED_GOTO 1
#endif
#define CA_TEST_GO_NAME "go_cg"
#else
#define CA_TEST_GO_NAME "go"
#endif
#include <stdint.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

/* ------------------------------------------------------------ helpers */

/* Puts n values, first, first+1, ... into ch; records each put's status,
** and closes ch afterwards if asked. */
typedef struct producer {
    ca_go go;
    ca_chan *ch;
    int first, n, i, v;
    int close_after;
    int status[8];
    int calls;
} producer;

static int producer_fn(ca_go *g)
{
    producer *p = (producer *)g;

    p->calls++;
    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->v = p->first + p->i;
        PUT(g, p->ch, &p->v);
        if (p->i < 8)
            p->status[p->i] = GO_STATUS(g);
    }
    if (p->close_after)
        ca_close(p->ch);
    GO_END(g);
}

/* Takes until the channel is closed (or max values), recording values. */
typedef struct consumer {
    ca_go go;
    ca_chan *ch;
    int max;
    int v;
    int got[16];
    int ngot;
    int last_status;
    int calls;
} consumer;

static int consumer_fn(ca_go *g)
{
    consumer *t = (consumer *)g;

    t->calls++;
    GO_BEGIN(g);
    while (t->ngot < t->max) {
        TAKE(g, t->ch, &t->v);
        t->last_status = GO_STATUS(g);
        if (GO_CLOSED(g))
            break;
        if (t->ngot < 16)
            t->got[t->ngot] = t->v;
        t->ngot++;
    }
    GO_END(g);
}

static void consumer_init(consumer *t, ca_chan *ch, int max)
{
    memset(t, 0, sizeof *t);
    t->ch = ch;
    t->max = max;
    t->last_status = -100;
}

static void producer_init(producer *p, ca_chan *ch, int first, int n)
{
    memset(p, 0, sizeof *p);
    p->ch = ch;
    p->first = first;
    p->n = n;
}

/* --------------------------------------------------------- take and put */

/* Takes one value, puts it + 1: the two ops of core.async's async-test. */
typedef struct relay {
    ca_go go;
    ca_chan *in, *out;
    int v;
    int take_status, put_status;
    int calls;
} relay;

static int relay_fn(ca_go *g)
{
    relay *r = (relay *)g;

    r->calls++;
    GO_BEGIN(g);
    TAKE(g, r->in, &r->v);
    r->take_status = GO_STATUS(g);
    r->v++;
    PUT(g, r->out, &r->v);
    r->put_status = GO_STATUS(g);
    GO_END(g);
}

/* Ops that can complete at once do, in the same run: the function is
** called exactly once. */
static void go_take_put_immediate(void)
{
    ca_sched s;
    ichan in, out;
    relay r;
    int v = 7;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_FIXED, 2);
    ichan_init(&out, CA_FIXED, 2);
    CA_ASSERT_RC(ca_offer(&in.ch, &v), CA_OK);
    memset(&r, 0, sizeof r);
    r.in = &in.ch;
    r.out = &out.ch;
    r.take_status = r.put_status = -100;
    CA_ASSERT_RC(ca_go_start(&s, &r.go, relay_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(r.calls, 1);
    CA_ASSERT_RC(r.take_status, CA_OK);
    CA_ASSERT_RC(r.put_status, CA_OK);
    POLL_EQ(&out.ch, 8);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* On unbuffered channels both ops park, and the values still arrive. */
static void go_take_put_parked(void)
{
    ca_sched s;
    ichan in, out;
    relay r;
    producer p;
    consumer t;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&out, CA_UNBUFFERED, 0);
    memset(&r, 0, sizeof r);
    r.in = &in.ch;
    r.out = &out.ch;
    r.take_status = r.put_status = -100;
    producer_init(&p, &in.ch, 41, 1);
    consumer_init(&t, &out.ch, 1);
    /* The relay runs first and parks in TAKE; the producer wakes it, and it
    ** parks again in PUT, as nobody takes yet. */
    CA_ASSERT_RC(ca_go_start(&s, &r.go, relay_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_EQ(r.calls, 2);
    CA_ASSERT_RC(r.take_status, CA_OK);
    CA_ASSERT_EQ(r.put_status, -100);
    CHECK_PENDING(&out.ch, 1, 0);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(r.calls, 3);
    CA_ASSERT_RC(r.take_status, CA_OK);
    CA_ASSERT_RC(r.put_status, CA_OK);
    CA_ASSERT_RC(p.status[0], CA_OK);
    CA_ASSERT_EQ(t.ngot, 1);
    CA_ASSERT_EQ(t.got[0], 42);
    CHECK_PENDING(&in.ch, 0, 0);
    CHECK_PENDING(&out.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------ outcomes */

/* TAKE from a closed channel: buffered values first, then GO_CLOSED with
** status CA_CLOSED; a parked TAKE is ended by a close the same way. */
static void go_take_closed(void)
{
    ca_sched s;
    ichan a, b;
    consumer ta, tb;
    int v = 3;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_FIXED, 2);
    ichan_init(&b, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_offer(&a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_close(&a.ch), CA_OK);
    consumer_init(&ta, &a.ch, 10);
    consumer_init(&tb, &b.ch, 10);
    CA_ASSERT_RC(ca_go_start(&s, &ta.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &tb.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_EDEADLOCK); /* tb waits */
    CA_ASSERT_EQ(ta.ngot, 1);
    CA_ASSERT_EQ(ta.got[0], 3);
    CA_ASSERT_RC(ta.last_status, CA_CLOSED);
    CA_ASSERT_EQ(ta.calls, 1); /* a closed channel answers at once */
    CA_ASSERT_EQ(tb.calls, 1);
    CHECK_PENDING(&b.ch, 0, 1);
    CA_ASSERT_RC(ca_close(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(tb.ngot, 0);
    CA_ASSERT_RC(tb.last_status, CA_CLOSED);
    CA_ASSERT_EQ(tb.calls, 2);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* PUT to a closed channel: CA_CLOSED at once. A PUT that parked before the
** close stays queued and is delivered later (core.async), reporting
** CA_OK. */
static void go_put_closed(void)
{
    ca_sched s;
    ichan a, b;
    producer pa, pb;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_FIXED, 1);
    ichan_init(&b, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_close(&a.ch), CA_OK);
    producer_init(&pa, &a.ch, 1, 2);
    producer_init(&pb, &b.ch, 9, 1);
    CA_ASSERT_RC(ca_go_start(&s, &pa.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &pb.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* pb waits */
    CA_ASSERT_RC(pa.status[0], CA_CLOSED);
    CA_ASSERT_RC(pa.status[1], CA_CLOSED);
    CA_ASSERT_EQ(pa.calls, 1);
    CA_ASSERT_RC(ca_close(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* still queued */
    CHECK_PENDING(&b.ch, 1, 0);
    CA_ASSERT_RC(ca_poll(&b.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 9);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(pb.status[0], CA_OK);
    CA_ASSERT_RC(ca_poll(&b.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A refused op is an error status, GO_CLOSED is true, nothing parks, and
** the next op that succeeds reports CA_OK again. */
typedef struct errgo {
    ca_go go;
    ca_chan *ok;
    ca_chan dead; /* zeroed: not a live channel */
    int v;
    int st[6];
    int closed[6];
    int calls;
} errgo;

static int errgo_fn(ca_go *g)
{
    errgo *e = (errgo *)g;

    e->calls++;
    GO_BEGIN(g);
    TAKE(g, (ca_chan *)NULL, &e->v);
    e->st[0] = GO_STATUS(g);
    e->closed[0] = GO_CLOSED(g);
    PUT(g, (ca_chan *)NULL, &e->v);
    e->st[1] = GO_STATUS(g);
    e->closed[1] = GO_CLOSED(g);
    TAKE_BYTES(g, e->ok, NULL); /* NULL destination on an int channel */
    e->st[2] = GO_STATUS(g);
    e->closed[2] = GO_CLOSED(g);
    TAKE(g, &e->dead, &e->v);
    e->st[3] = GO_STATUS(g);
    e->closed[3] = GO_CLOSED(g);
    e->v = 77;
    PUT(g, e->ok, &e->v); /* room in the buffer: succeeds */
    e->st[4] = GO_STATUS(g);
    e->closed[4] = GO_CLOSED(g);
    TAKE(g, e->ok, &e->v);
    e->st[5] = GO_STATUS(g);
    e->closed[5] = GO_CLOSED(g);
    GO_END(g);
}

static void go_error_status(void)
{
    ca_sched s;
    ichan ok;
    errgo e;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&ok, CA_FIXED, 1);
    memset(&e, 0, sizeof e);
    e.ok = &ok.ch;
    CA_ASSERT_RC(ca_go_start(&s, &e.go, errgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(e.calls, 1); /* never parked */
    CA_ASSERT_RC(e.st[0], CA_EINVAL);
    CA_ASSERT_RC(e.st[1], CA_EINVAL);
    CA_ASSERT_RC(e.st[2], CA_EINVAL);
    CA_ASSERT_RC(e.st[3], CA_EBADCHAN);
    CA_ASSERT_EQ(e.closed[0], 1);
    CA_ASSERT_EQ(e.closed[1], 1);
    CA_ASSERT_EQ(e.closed[2], 1);
    CA_ASSERT_EQ(e.closed[3], 1);
    CA_ASSERT_RC(e.st[4], CA_OK);
    CA_ASSERT_EQ(e.closed[4], 0);
    CA_ASSERT_RC(e.st[5], CA_OK);
    CA_ASSERT_EQ(e.closed[5], 0);
    CA_ASSERT_EQ(e.v, 77);
    CHECK_PENDING(&ok.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ok.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The pending limit applies to go blocks too: one TAKE more than
** CA_CONFIG_MAX_PENDING is refused with CA_EFULL, without parking. */
#define NFULL (CA_CONFIG_MAX_PENDING + 1)
static consumer full_takers[NFULL];

static void go_pending_limit(void)
{
    ca_sched s;
    ichan c;
    int i, closed = 0, efull = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    for (i = 0; i < NFULL; i++) {
        consumer_init(&full_takers[i], &c.ch, 1);
        CA_ASSERT_RC(ca_go_start(&s, &full_takers[i].go, consumer_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&c.ch, 0, CA_CONFIG_MAX_PENDING);
    CA_ASSERT_RC(full_takers[NFULL - 1].last_status, CA_EFULL);
    CA_ASSERT_EQ(full_takers[NFULL - 1].calls, 1);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < NFULL; i++) {
        closed += full_takers[i].last_status == CA_CLOSED;
        efull += full_takers[i].last_status == CA_EFULL;
    }
    CA_ASSERT_EQ(closed, CA_CONFIG_MAX_PENDING);
    CA_ASSERT_EQ(efull, 1);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------- starting */

typedef struct flag {
    ca_go go;
    int ran;
    ca_sched *sched; /* ca_go_sched() as seen from inside */
} flag;

static int flag_fn(ca_go *g)
{
    flag *f = (flag *)g;

    GO_BEGIN(g);
    f->ran++;
    f->sched = ca_go_sched(g);
    GO_END(g);
}

/* Starts a child and looks at its flag right after ca_go_start(). */
typedef struct parent {
    ca_go go;
    flag child;
    int start_rc;
    int child_ran_at_start;
    int child_ran_after_yield;
    ca_sched *sched;
} parent;

static int parent_fn(ca_go *g)
{
    parent *p = (parent *)g;

    GO_BEGIN(g);
    p->sched = ca_go_sched(g);
    p->start_rc = ca_go_start(ca_go_sched(g), &p->child.go, flag_fn);
    p->child_ran_at_start = p->child.ran;
    YIELD(g);
    p->child_ran_after_yield = p->child.ran;
    GO_END(g);
}

static void go_never_runs_in_start(void)
{
    ca_sched s;
    flag f;
    parent p;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    memset(&p, 0, sizeof p);
    CU_ASSERT(ca_go_sched(&f.go) == NULL); /* not started */
    CA_ASSERT_RC(ca_go_start(&s, &f.go, flag_fn), CA_OK);
    CA_ASSERT_EQ(f.ran, 0);
    CU_ASSERT(ca_go_sched(&f.go) == &s);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, parent_fn), CA_OK);
    CA_ASSERT_EQ(p.child.ran, 0);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.ran, 1);
    CU_ASSERT(f.sched == &s);
    CU_ASSERT(ca_go_sched(&f.go) == NULL); /* finished */
    CU_ASSERT(p.sched == &s);
    CA_ASSERT_RC(p.start_rc, CA_OK);
    CA_ASSERT_EQ(p.child_ran_at_start, 0); /* not inside ca_go_start */
    CA_ASSERT_EQ(p.child_ran_after_yield, 1); /* FIFO: it ran first */
    CA_ASSERT_EQ(p.child.ran, 1);
    CU_ASSERT(p.child.sched == &s);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The default scheduler: NULL in ca_go_start and ca_sched_run. */
static void go_default_sched(void)
{
    flag f;
    parent p;

    memset(&f, 0, sizeof f);
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_go_start(NULL, &f.go, flag_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &p.go, parent_fn), CA_OK);
    CU_ASSERT(ca_go_sched(&f.go) == ca_sched_default());
    CA_ASSERT_EQ(f.ran, 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(f.ran, 1);
    CU_ASSERT(f.sched == ca_sched_default());
    CU_ASSERT(p.child.sched == ca_sched_default());
    CA_ASSERT_EQ(p.child_ran_at_start, 0);
    CA_ASSERT_EQ(p.child.ran, 1);
}

/* Starting a live block again is refused; a finished one starts again,
** with fresh state for its ops, and can have a new result channel. */
typedef struct counter {
    ca_go go;
    ca_chan *ch;
    int v;
    int runs;
    int self_start_rc;
} counter;

static int counter_fn(ca_go *g)
{
    counter *c = (counter *)g;

    GO_BEGIN(g);
    c->self_start_rc = ca_go_start(ca_go_sched(g), g, counter_fn);
    TAKE(g, c->ch, &c->v);
    c->runs++;
    GO_RETURN(g, &c->runs);
    GO_END(g);
}

static void go_restart(void)
{
    ca_sched s;
    ichan c, r1, r2;
    counter k;
    int v = 5;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_FIXED, 4);
    ichan_init(&r1, CA_FIXED, 1);
    ichan_init(&r2, CA_FIXED, 1);
    memset(&k, 0, sizeof k);
    k.ch = &c.ch;
    CA_ASSERT_RC(ca_go_set_result(&k.go, &r1.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &k.go, counter_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &k.go, counter_fn), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* parked in TAKE */
    CA_ASSERT_RC(ca_go_start(&s, &k.go, counter_fn), CA_EBUSY);
    CA_ASSERT_RC(k.self_start_rc, CA_EBUSY);
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(k.runs, 1);
    POLL_EQ(&r1.ch, 1);
    CA_ASSERT_RC(ca_poll(&r1.ch, &v), CA_CLOSED);
    /* Again, with a value ready and a new result channel. */
    v = 6;
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &k.go, counter_fn), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&k.go, &r2.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(k.runs, 2);
    CA_ASSERT_EQ(k.v, 6);
    POLL_EQ(&r2.ch, 2);
    CA_ASSERT_RC(ca_poll(&r2.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r2.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void go_null_args(void)
{
    ca_sched s;
    flag f;
    ichan u, b;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    ichan_init(&u, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_FIXED, 1);
    CA_ASSERT_RC(ca_go_start(&s, NULL, flag_fn), CA_EINVAL);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_go_start(NULL, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_go_set_result(NULL, &b.ch), CA_EINVAL);
    CA_ASSERT_RC(ca_go_set_result(&f.go, NULL), CA_EINVAL);
    CU_ASSERT(ca_go_sched(NULL) == NULL);
#if CA_HAVE_MALLOC
    {
        ca_go *g = (ca_go *)&f;
        ca_chan *r = (ca_chan *)&f;
        CA_ASSERT_RC(ca_go_new(NULL, sizeof(flag)), CA_EINVAL);
        CA_ASSERT_RC(ca_go_new(&g, sizeof(ca_go) - 1), CA_EINVAL);
        CU_ASSERT(g == NULL);
        CA_ASSERT_RC(ca_go_result(NULL, sizeof(int), &r), CA_EINVAL);
        CU_ASSERT(r == NULL);
        CA_ASSERT_RC(ca_go_result(&f.go, sizeof(int), NULL), CA_EINVAL);
        r = (ca_chan *)&f;
        CA_ASSERT_RC(ca_go_result(&f.go, CA_MAX_ELEM_SIZE + 1u, &r),
                     CA_ERANGE);
        CU_ASSERT(r == NULL);
    }
#endif
    /* Nothing above changed the block: it still starts and runs. */
    CA_ASSERT_RC(ca_go_start(&s, &f.go, flag_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.ran, 1);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ---------------------------------------------------------- YIELD, SLEEP */

typedef struct yielder {
    ca_go go;
    char name;
    int i;
    char *log;
    int *nlog;
} yielder;

static int yielder_fn(ca_go *g)
{
    yielder *y = (yielder *)g;

    GO_BEGIN(g);
    for (y->i = 0; y->i < 3; y->i++) {
        y->log[(*y->nlog)++] = y->name;
        YIELD(g);
    }
    GO_END(g);
}

/* The run queue is FIFO: two yielding blocks alternate, in start order. */
static void go_yield_interleaves(void)
{
    ca_sched s;
    yielder a, b;
    char log[16];
    int nlog = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(log, 0, sizeof log);
    a.name = 'a';
    b.name = 'b';
    a.log = b.log = log;
    a.nlog = b.nlog = &nlog;
    CA_ASSERT_RC(ca_go_start(&s, &a.go, yielder_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, yielder_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(nlog, 6);
    CU_ASSERT(strcmp(log, "ababab") == 0);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

typedef struct sleeper {
    ca_go go;
    uint32_t ms;
    uint32_t before, after;
    int status;
    int calls;
} sleeper;

static int sleeper_fn(ca_go *g)
{
    sleeper *z = (sleeper *)g;

    z->calls++;
    GO_BEGIN(g);
    z->before = tick_ms();
    SLEEP(g, z->ms);
    z->after = tick_ms();
    z->status = GO_STATUS(g);
    GO_END(g);
}

/* SLEEP never wakes early (real clock, in whole ticks); an out-of-range
** delay is refused without parking. */
static void go_sleep(void)
{
    ca_sched s;
    sleeper z, bad;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&z, 0, sizeof z);
    memset(&bad, 0, sizeof bad);
    z.ms = 30;
    z.status = -100;
    bad.ms = CA_MAX_DELAY + 1u;
    CA_ASSERT_RC(ca_go_start(&s, &z.go, sleeper_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &bad.go, sleeper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(z.status, CA_OK);
    CA_ASSERT_EQ(z.calls, 2);
    CU_ASSERT((uint32_t)(z.after - z.before) >= 30u);
    CU_ASSERT((uint32_t)(z.after - z.before) < 5000u); /* generous */
    CA_ASSERT_RC(bad.status, CA_ERANGE);
    CA_ASSERT_EQ(bad.calls, 1);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ca_go_sched() names the block's scheduler whatever the block is doing:
** ready, parked in TAKE, asleep. */
static void go_sched_while_parked(void)
{
    ca_sched s;
    ichan c;
    consumer t;
    sleeper z;
    flag f;
    int v = 1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    consumer_init(&t, &c.ch, 1);
    memset(&z, 0, sizeof z);
    memset(&f, 0, sizeof f);
    z.ms = 20;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &z.go, sleeper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, flag_fn), CA_OK);
    CU_ASSERT(ca_go_sched(&f.go) == &s); /* ready, not run yet */
    CU_ASSERT(ca_go_sched(&t.go) == &s); /* parked in TAKE */
    CU_ASSERT(ca_go_sched(&z.go) == &s); /* asleep */
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(t.ngot, 1);
    CA_ASSERT_RC(z.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* --------------------------------------------------------- result chans */

typedef struct retval {
    ca_go go;
    int v;
    int end_plain; /* GO_END instead of GO_RETURN */
} retval;

static int retval_fn(ca_go *g)
{
    retval *r = (retval *)g;

    GO_BEGIN(g);
    if (!r->end_plain)
        GO_RETURN(g, &r->v);
    GO_END(g);
}

/* An empty block, core.async's ASYNC-186 `(go)`: it finishes, and its
** result channel is closed without a value. */
static int empty_fn(ca_go *g)
{
    GO_BEGIN(g);
    GO_END(g);
}

static void go_empty_block(void)
{
    ca_sched s;
    ca_go g;
    ichan r;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&g, 0, sizeof g);
    ichan_init(&r, CA_FIXED, 1);
    CA_ASSERT_RC(ca_go_set_result(&g, &r.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &g, empty_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_poll(&r.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ca_go_set_result with a fixed channel of one: the value, then closed.
** The block holds a reference until it has delivered. */
static void go_set_result_fixed(void)
{
    ca_sched s;
    retval r;
    ichan out;
    ca_chan_info info;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 42;
    ichan_init(&out, CA_FIXED, 1);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &out.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&out.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 2);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_EBUSY);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_AGAIN); /* not run yet */
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&out.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_EQ(info.closed, 1);
    POLL_EQ(&out.ch, 42);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_CONFIG_TINY_GO
/* With CA_CONFIG_TINY_GO the result channels live in a table of
** CA_CONFIG_MAX_RESULTS: one more is refused with CA_EFULL, and takes
** nothing (no reference); a block that ends gives its entry back, and
** each block still gets its own value. */
static void go_set_result_table(void)
{
    enum { N = CA_CONFIG_MAX_RESULTS + 1 };
    ca_sched s;
    static retval r[N];
    static ichan out[N];
    ca_chan_info info;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(r, 0, sizeof r);
    for (i = 0; i < N; i++) {
        r[i].v = 100 + i;
        ichan_init(&out[i], CA_FIXED, 1);
    }
    for (i = 0; i < N - 1; i++)
        CA_ASSERT_RC(ca_go_set_result(&r[i].go, &out[i].ch), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&r[N - 1].go, &out[N - 1].ch), CA_EFULL);
    CA_ASSERT_RC(ca_chan_inspect(&out[N - 1].ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    /* Asked again for a block that has one: still refused as taken. */
    CA_ASSERT_RC(ca_go_set_result(&r[0].go, &out[N - 1].ch), CA_EBUSY);
    for (i = 0; i < N - 1; i++)
        CA_ASSERT_RC(ca_go_start(&s, &r[i].go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < N - 1; i++) {
        POLL_EQ(&out[i].ch, 100 + i);
        CA_ASSERT_RC(ca_chan_destroy(&out[i].ch), CA_OK);
    }
    /* The entries are free again. */
    CA_ASSERT_RC(ca_go_set_result(&r[N - 1].go, &out[N - 1].ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r[N - 1].go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(&out[N - 1].ch, 100 + N - 1);
    CA_ASSERT_RC(ca_chan_destroy(&out[N - 1].ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* A promise as the result: every take gets the value. GO_END closes
** without one. A value of another size is not delivered. */
static void go_set_result_promise_end_size(void)
{
    ca_sched s;
    retval a, b, c;
    ichan pa, pb;
    struct {
        ca_chan ch;
        long long buf[1];
    } wide;
    long long w = -1;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    a.v = 7;
    b.v = 8;
    b.end_plain = 1;
    c.v = 9;
    ichan_init(&pa, CA_PROMISE, 1);
    ichan_init(&pb, CA_PROMISE, 1);
    CA_ASSERT_RC(ca_chan_init(&wide.ch, CA_FIXED, 1, sizeof(long long),
                              wide.buf, sizeof wide.buf),
                 CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&a.go, &pa.ch), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&b.go, &pb.ch), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&c.go, &wide.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(&pa.ch, 7);
    POLL_EQ(&pa.ch, 7);
    CA_ASSERT_RC(ca_poll(&pb.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_poll(&wide.ch, &w), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&pa.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&pb.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&wide.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Refusals: an unbuffered result channel (CA_EINVAL), a second result
** channel (CA_EBUSY). Neither keeps a reference. */
static void go_set_result_refused(void)
{
    ca_sched s;
    retval r;
    ichan u, b1, b2;
    ca_chan_info info;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 1;
    ichan_init(&u, CA_UNBUFFERED, 0);
    ichan_init(&b1, CA_FIXED, 1);
    ichan_init(&b2, CA_SLIDING, 1);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &u.ch), CA_EINVAL);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &b1.ch), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &b2.ch), CA_EBUSY);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &b1.ch), CA_EBUSY);
    CA_ASSERT_RC(ca_chan_inspect(&u.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_RC(ca_chan_inspect(&b2.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_RC(ca_chan_inspect(&b1.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 2);
#if CA_HAVE_MALLOC
    {
        ca_chan *got = NULL;
        /* ca_go_result hands out the user's channel, of the right size. */
        CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &got), CA_OK);
        CU_ASSERT(got == &b1.ch);
        CA_ASSERT_RC(ca_go_result(&r.go, sizeof(char), &got), CA_EINVAL);
        CA_ASSERT_RC(ca_chan_free(&b1.ch), CA_OK); /* ca_go_result's ref */
    }
#endif
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(&b1.ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b1.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b2.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A fixed result channel that is already full: the block's value is
** dropped, and the channel is closed all the same. */
static void go_set_result_full_drops(void)
{
    ca_sched s;
    retval r;
    ichan out;
    int v = 99;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 5;
    ichan_init(&out, CA_FIXED, 1);
    CA_ASSERT_RC(ca_offer(&out.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &out.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    POLL_EQ(&out.ch, 99);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* After the block finished, ca_go_set_result still delivers its value,
** read from the struct. */
static void go_set_result_after_finish(void)
{
    ca_sched s;
    retval r;
    ichan out;
    ca_chan_info info;
    int v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 31;
    ichan_init(&out, CA_FIXED, 1);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&r.go, &out.ch), CA_OK);
    POLL_EQ(&out.ch, 31);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_inspect(&out.ch, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_MALLOC
/* ca_go_result asked before start, after start, and after the block has
** finished: the value arrives each time, then the channel is closed. */
static void go_result_when_asked(void)
{
    ca_sched s;
    retval a, b, c, d;
    ca_chan *ra, *rb, *rc, *rd;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    a.v = 1;
    b.v = 2;
    c.v = 3;
    d.v = 4;
    d.end_plain = 1;
    CA_ASSERT_RC(ca_go_result(&a.go, sizeof(int), &ra), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_result(&b.go, sizeof(int), &rb), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &d.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    c.v = 33; /* read late, from the struct */
    CA_ASSERT_RC(ca_go_result(&c.go, sizeof(int), &rc), CA_OK);
    CA_ASSERT_RC(ca_go_result(&d.go, sizeof(int), &rd), CA_OK);
    POLL_EQ(ra, 1);
    CA_ASSERT_RC(ca_poll(ra, &v), CA_CLOSED);
    POLL_EQ(rb, 2);
    CA_ASSERT_RC(ca_poll(rb, &v), CA_CLOSED);
    POLL_EQ(rc, 33);
    CA_ASSERT_RC(ca_poll(rc, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_poll(rd, &v), CA_CLOSED); /* GO_END: no value */
    CA_ASSERT_RC(ca_chan_free(ra), CA_OK);
    CA_ASSERT_RC(ca_chan_free(rb), CA_OK);
    CA_ASSERT_RC(ca_chan_free(rc), CA_OK);
    CA_ASSERT_RC(ca_chan_free(rd), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A result channel of another size than the value: closed, no value. */
static void go_result_size_mismatch(void)
{
    ca_sched s;
    retval r;
    ca_chan *out;
    char wide[sizeof(int) + 4];

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 5;
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof wide, &out), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_poll(out, wide), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(out), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Every call gives a new reference to the same channel; a different
** element size is refused. */
static void go_result_same_channel(void)
{
    ca_sched s;
    retval r;
    ca_chan *c1, *c2, *c3 = NULL;
    ca_chan_info info;
    int v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 12;
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &c1), CA_OK);
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &c2), CA_OK);
    CU_ASSERT(c1 == c2);
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(short), &c3), CA_EINVAL);
    CU_ASSERT(c3 == NULL);
    CA_ASSERT_RC(ca_chan_inspect(c1, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 3); /* two of ours, the block's */
    CA_ASSERT_EQ(info.capacity, 1);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &c3), CA_OK);
    CU_ASSERT(c3 == c1);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(c1, &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 3); /* the block dropped its own */
    POLL_EQ(c1, 12);
    CA_ASSERT_RC(ca_poll(c2, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(c1), CA_OK);
    CA_ASSERT_RC(ca_chan_free(c2), CA_OK);
    CA_ASSERT_RC(ca_chan_free(c3), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* go.h: until the block finishes every call gives the same channel; after
** it has finished, each call gets a channel of its own, already holding
** the result and closed. */
static void go_result_after_finish_own_channels(void)
{
    ca_sched s;
    retval r;
    ca_chan *before, *after1, *after2;
    ca_chan_info info;
    int v = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&r, 0, sizeof r);
    r.v = 3;
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &before), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, retval_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &after1), CA_OK);
    CA_ASSERT_RC(ca_go_result(&r.go, sizeof(int), &after2), CA_OK);
    CU_ASSERT(after1 != before);
    CU_ASSERT(after2 != after1);
    CA_ASSERT_RC(ca_chan_inspect(after1, &info), CA_OK);
    CA_ASSERT_EQ(info.closed, 1);
    CA_ASSERT_EQ(info.count, 1);
    CA_ASSERT_EQ(info.refs, 1); /* only ours */
    POLL_EQ(before, 3);
    POLL_EQ(after1, 3);
    POLL_EQ(after2, 3);
    CA_ASSERT_RC(ca_poll(after1, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(before), CA_OK);
    CA_ASSERT_RC(ca_chan_free(after1), CA_OK);
    CA_ASSERT_RC(ca_chan_free(after2), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Blocks from ca_go_new are freed by the scheduler when they finish (run
** under valgrind or ASan to see it): parked ones, immediate ones, with and
** without a result channel. */
typedef struct newgo {
    ca_go go;
    ca_chan *in;
    int v;
} newgo;

static int newgo_fn(ca_go *g)
{
    newgo *n = (newgo *)g;

    GO_BEGIN(g);
    TAKE(g, n->in, &n->v);
    n->v *= 2;
    GO_RETURN(g, &n->v);
    GO_END(g);
}

static void go_new_freed(void)
{
    /* Ten with a result channel, or as many as a CA_CONFIG_TINY_GO build
    ** has room for at once (go_set_result_table tests the limit). */
    enum {
        NR = CA_CONFIG_TINY_GO && CA_CONFIG_MAX_RESULTS < 10
                 ? CA_CONFIG_MAX_RESULTS
                 : 10
    };
    ca_sched s;
    ichan in;
    ca_chan *res[NR];
    ca_go *g;
    int i, v, sum = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    for (i = 0; i < 20; i++) {
        CA_ASSERT_RC(ca_go_new(&g, sizeof(newgo)), CA_OK);
        CU_ASSERT(g != NULL);
        if (g == NULL)
            return;
        CA_ASSERT_EQ(((newgo *)g)->v, 0); /* zeroed */
        ((newgo *)g)->in = &in.ch;
        if (i < NR)
            CA_ASSERT_RC(ca_go_result(g, sizeof(int), &res[i]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, g, newgo_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&in.ch, 0, 20);
    for (i = 1; i <= 20; i++)
        CA_ASSERT_RC(ca_offer(&in.ch, &i), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < NR; i++) {
        CA_ASSERT_RC(ca_poll(res[i], &v), CA_OK);
        sum += v;
        CA_ASSERT_RC(ca_poll(res[i], &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_free(res[i]), CA_OK);
    }
    CA_ASSERT_EQ(sum, NR * (NR + 1)); /* twice 1 + 2 + ... + NR */
    /* And blocks that never park. */
    for (i = 0; i < 5; i++) {
        CA_ASSERT_RC(ca_go_new(&g, sizeof(ca_go)), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, g, empty_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif /* CA_HAVE_MALLOC */

/* ------------------------------------------------------ core.async tests */

/* ioc_macros_test offer-poll: inside a go block, offer! and poll! on a
** (chan 2) give [true true 5 6 nil]. Run on the default scheduler and
** read with a blocking take, as (<!! (go ...)) does. */
typedef struct op5 {
    int offer1, offer2, poll1, poll2, poll3;
    int v1, v2;
} op5;

typedef struct offerpoll {
    ca_go go;
    ca_chan *c;
    int v;
    op5 r;
} offerpoll;

static int offerpoll_fn(ca_go *g)
{
    offerpoll *o = (offerpoll *)g;

    GO_BEGIN(g);
    o->v = 5;
    o->r.offer1 = ca_offer(o->c, &o->v);
    o->v = 6;
    o->r.offer2 = ca_offer(o->c, &o->v);
    o->r.poll1 = ca_poll(o->c, &o->r.v1);
    o->r.poll2 = ca_poll(o->c, &o->r.v2);
    o->r.poll3 = ca_poll(o->c, &o->v);
    GO_RETURN(g, &o->r);
    GO_END(g);
}

static void go_offer_poll(void)
{
    ichan c;
    offerpoll o;
    struct {
        ca_chan ch;
        op5 buf[1];
    } res;
    op5 got;

    ichan_init(&c, CA_FIXED, 2);
    memset(&o, 0, sizeof o);
    memset(&got, 0, sizeof got);
    o.c = &c.ch;
    CA_ASSERT_RC(ca_chan_init(&res.ch, CA_FIXED, 1, sizeof(op5), res.buf,
                              sizeof res.buf),
                 CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&o.go, &res.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &o.go, offerpoll_fn), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&res.ch, &got), CA_OK);
    CA_ASSERT_RC(got.offer1, CA_OK);
    CA_ASSERT_RC(got.offer2, CA_OK);
    CA_ASSERT_RC(got.poll1, CA_OK);
    CA_ASSERT_EQ(got.v1, 5);
    CA_ASSERT_RC(got.poll2, CA_OK);
    CA_ASSERT_EQ(got.v2, 6);
    CA_ASSERT_RC(got.poll3, CA_AGAIN); /* nil */
    CA_ASSERT_RC(ca_take_blocking(&res.ch, &got), CA_CLOSED);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&res.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* ioc_macros_test enqueued-chan-ops: a parked put and a parked take
** re-enter their blocks, and four puts into a (chan 1) all get through. */
typedef struct put_then {
    ca_go go;
    ca_chan *c;
    int v, ret;
} put_then;

static int put_then_fn(ca_go *g)
{
    put_then *p = (put_then *)g;

    GO_BEGIN(g);
    PUT(g, p->c, &p->v);
    p->ret = 42;
    GO_RETURN(g, &p->ret);
    GO_END(g);
}

static void go_enqueued_chan_ops(void)
{
    ichan c, c1, res;
    put_then p;
    consumer t;
    producer four;
    int v = -1, i, seen[5] = {0, 0, 0, 0, 0};

    /* (go (>! c :foo) 42): [(<!! c) (<!! result)] is [:foo 42]. */
    ichan_init(&c, CA_UNBUFFERED, 0);
    ichan_init(&res, CA_FIXED, 1);
    memset(&p, 0, sizeof p);
    p.c = &c.ch;
    p.v = 17;
    CA_ASSERT_RC(ca_go_set_result(&p.go, &res.ch), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &p.go, put_then_fn), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 17);
    CA_ASSERT_RC(ca_take_blocking(&res.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 42);
    CA_ASSERT_RC(ca_chan_destroy(&res.ch), CA_OK);

    /* (go (<! c)), then (>!! c :foo): the take re-enters its block. */
    consumer_init(&t, &c.ch, 1);
    CA_ASSERT_RC(ca_go_start(NULL, &t.go, consumer_fn), CA_OK);
    v = 23;
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(t.ngot, 1);
    CA_ASSERT_EQ(t.got[0], 23);

    /* Four puts into a (chan 1) from one block, taken by the test. */
    ichan_init(&c1, CA_FIXED, 1);
    producer_init(&four, &c1.ch, 1, 4);
    CA_ASSERT_RC(ca_go_start(NULL, &four.go, producer_fn), CA_OK);
    for (i = 0; i < 4; i++) {
        CA_ASSERT_RC(ca_take_blocking(&c1.ch, &v), CA_OK);
        if (v >= 1 && v <= 4)
            seen[v]++;
    }
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CU_ASSERT(seen[1] == 1 && seen[2] == 1 && seen[3] == 1 && seen[4] == 1);
    for (i = 0; i < 4; i++)
        CA_ASSERT_RC(four.status[i], CA_OK);
    CU_ASSERT(four.calls >= 2); /* it had to wait for room */
    CA_ASSERT_RC(ca_poll(&c1.ch, &v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c1.ch), CA_OK);
}

/* The same four puts into (chan 1), taken by another go block. */
static void go_enqueued_four_puts_go_taker(void)
{
    ca_sched s;
    ichan c1;
    producer four;
    consumer t;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c1, CA_FIXED, 1);
    producer_init(&four, &c1.ch, 1, 4);
    four.close_after = 1;
    consumer_init(&t, &c1.ch, 100);
    CA_ASSERT_RC(ca_go_start(&s, &four.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(t.ngot, 4);
    for (i = 0; i < 4; i++) {
        CA_ASSERT_EQ(t.got[i], i + 1);
        CA_ASSERT_RC(four.status[i], CA_OK);
    }
    CA_ASSERT_RC(t.last_status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&c1.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ioc_macros_test go-nests: a block starts a nested block that captured
** its locals, and takes the nested block's result. */
typedef struct inner {
    ca_go go;
    int a, b;
    int pair[2];
} inner;

static int inner_fn(ca_go *g)
{
    inner *in = (inner *)g;

    GO_BEGIN(g);
    in->pair[0] = in->a;
    in->pair[1] = in->b;
    GO_RETURN(g, &in->pair);
    GO_END(g);
}

typedef struct outer {
    ca_go go;
    inner in;
    struct {
        ca_chan ch;
        int buf[2];
    } res;
    int a;
    int pair[2];
    int take_status;
} outer;

static int outer_fn(ca_go *g)
{
    outer *o = (outer *)g;

    GO_BEGIN(g);
    o->a = 23;
    memset(&o->in, 0, sizeof o->in);
    o->in.a = o->a; /* captured */
    o->in.b = 42;
    (void)ca_chan_init(&o->res.ch, CA_FIXED, 1, sizeof o->pair, o->res.buf,
                       sizeof o->res.buf);
    (void)ca_go_set_result(&o->in.go, &o->res.ch);
    (void)ca_go_start(ca_go_sched(g), &o->in.go, inner_fn);
    TAKE(g, &o->res.ch, &o->pair);
    o->take_status = GO_STATUS(g);
    GO_END(g);
}

static void go_nests(void)
{
    ca_sched s;
    outer o;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&o, 0, sizeof o);
    CA_ASSERT_RC(ca_go_start(&s, &o.go, outer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(o.take_status, CA_OK);
    CA_ASSERT_EQ(o.pair[0], 23);
    CA_ASSERT_EQ(o.pair[1], 42);
    CA_ASSERT_RC(ca_chan_destroy(&o.res.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------- chains */

#define NCHAIN (CA_TEST_SMALL ? 50 : 10000)

/* Go's daisy chain: each block takes from its left and puts one more to
** its right. */
typedef struct link {
    ca_go go;
    ca_chan *left, *right;
    int v;
} link;

static int link_fn(ca_go *g)
{
    link *l = (link *)g;

    GO_BEGIN(g);
    TAKE(g, l->left, &l->v);
    l->v++;
    PUT(g, l->right, &l->v);
    GO_END(g);
}

static ca_chan chain_chans[NCHAIN + 1];
static link chain_links[NCHAIN];

static void go_daisy_chain(void)
{
    ca_sched s;
    producer first;
    consumer last;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i <= NCHAIN; i++)
        CA_ASSERT_RC(ca_chan_init(&chain_chans[i], CA_UNBUFFERED, 0,
                                  sizeof(int), NULL, 0),
                     CA_OK);
    /* The right-hand end first, so every link parks on the way. */
    consumer_init(&last, &chain_chans[NCHAIN], 1);
    CA_ASSERT_RC(ca_go_start(&s, &last.go, consumer_fn), CA_OK);
    for (i = NCHAIN - 1; i >= 0; i--) {
        memset(&chain_links[i], 0, sizeof chain_links[i]);
        chain_links[i].left = &chain_chans[i];
        chain_links[i].right = &chain_chans[i + 1];
        CA_ASSERT_RC(ca_go_start(&s, &chain_links[i].go, link_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* all wait for input */
    producer_init(&first, &chain_chans[0], 1, 1);
    CA_ASSERT_RC(ca_go_start(&s, &first.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(last.ngot, 1);
    CA_ASSERT_EQ(last.got[0], NCHAIN + 1);
    for (i = 0; i <= NCHAIN; i++)
        CA_ASSERT_RC(ca_chan_destroy(&chain_chans[i]), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A chain of spawns: each block starts the next one with its value + 1;
** the last one reports. */
typedef struct spawner {
    ca_go go;
    int i, v;
} spawner;

static spawner spawners[NCHAIN];
static int spawn_last = -1;

static int spawner_fn(ca_go *g)
{
    spawner *sp = (spawner *)g;

    GO_BEGIN(g);
    if (sp->i + 1 < NCHAIN) {
        spawner *next = &spawners[sp->i + 1];
        memset(next, 0, sizeof *next);
        next->i = sp->i + 1;
        next->v = sp->v + 1;
        (void)ca_go_start(ca_go_sched(g), &next->go, spawner_fn);
    } else {
        spawn_last = sp->v;
    }
    GO_END(g);
}

static void go_spawn_chain(void)
{
    ca_sched s;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&spawners[0], 0, sizeof spawners[0]);
    spawners[0].v = 1;
    spawn_last = -1;
    CA_ASSERT_RC(ca_go_start(&s, &spawners[0].go, spawner_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(spawn_last, NCHAIN);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* --------------------------------------------------------- control flow */

/* Two blocks play ping-pong N times over unbuffered channels: many parks
** in loops. */
typedef struct pinger {
    ca_go go;
    ca_chan *in, *out;
    int i, n, v;
    int serve;
    int calls;
} pinger;

static int pinger_fn(ca_go *g)
{
    pinger *p = (pinger *)g;

    p->calls++;
    GO_BEGIN(g);
    if (p->serve) {
        p->v = 0;
        PUT(g, p->out, &p->v);
    }
    for (p->i = 0; p->i < p->n; p->i++) {
        TAKE(g, p->in, &p->v);
        if (GO_CLOSED(g))
            break;
        p->v++;
        if (p->serve && p->i == p->n - 1)
            break;
        PUT(g, p->out, &p->v);
    }
    GO_END(g);
}

static void go_loop_many_parks(void)
{
    ca_sched s;
    ichan ab, ba;
    pinger a, b;
    const int n = 10000;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&ab, CA_UNBUFFERED, 0);
    ichan_init(&ba, CA_UNBUFFERED, 0);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.out = b.in = &ab.ch;
    a.in = b.out = &ba.ch;
    a.n = b.n = n;
    a.serve = 1;
    CA_ASSERT_RC(ca_go_start(&s, &a.go, pinger_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, pinger_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    /* b adds one per round, a one per round: 2n in all. */
    CA_ASSERT_EQ(a.v, 2 * n);
    CA_ASSERT_EQ(b.v, 2 * n - 1);
    CU_ASSERT(a.calls > n / 2);
    CU_ASSERT(b.calls > n / 2);
    CHECK_PENDING(&ab.ch, 0, 0);
    CHECK_PENDING(&ba.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&ab.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ba.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Parks in both branches of an if/else, inside nested loops, in a do/while
** and after a user switch that has no parking op inside it. */
typedef struct flow {
    ca_go go;
    ca_chan *in, *out;
    int i, j, v, sum, odd, even, kinds[3];
    int k;
} flow;

static int flow_fn(ca_go *g)
{
    flow *f = (flow *)g;

    GO_BEGIN(g);
    for (f->i = 0; f->i < 4; f->i++) {
        for (f->j = 0; f->j < 3; f->j++) {
            if ((f->i + f->j) % 2 == 0) {
                TAKE(g, f->in, &f->v);
                f->even++;
            } else {
                f->v = f->i * 10 + f->j;
                PUT(g, f->out, &f->v);
                f->odd++;
            }
            switch (f->v % 3) { /* a switch of ours, no parking inside */
            case 0:
                f->kinds[0]++;
                break;
            case 1:
                f->kinds[1]++;
                break;
            default:
                f->kinds[2]++;
                break;
            }
        }
    }
    f->k = 0;
    do {
        TAKE(g, f->in, &f->v);
        f->sum += f->v;
        f->k++;
    } while (f->k < 3);
    while (1) {
        if (f->sum > 0)
            break;
        YIELD(g);
    }
    GO_END(g);
}

/* Feeds and drains the flow block: puts 100, 101, ... into in as it
** asks, takes everything from out. */
typedef struct feeder {
    ca_go go;
    ca_chan *in, *out;
    int v, n, got[16], ngot;
    int done_in;
} feeder;

static int feeder_fn(ca_go *g)
{
    feeder *fd = (feeder *)g;

    GO_BEGIN(g);
    for (fd->n = 0; fd->n < 6 + 3; fd->n++) {
        fd->v = 100 + fd->n;
        PUT(g, fd->in, &fd->v);
    }
    GO_END(g);
}

static void go_parks_in_branches_and_loops(void)
{
    ca_sched s;
    ichan in, out;
    flow f;
    feeder fd;
    consumer t;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&out, CA_UNBUFFERED, 0);
    memset(&f, 0, sizeof f);
    memset(&fd, 0, sizeof fd);
    f.in = fd.in = &in.ch;
    f.out = &out.ch;
    consumer_init(&t, &out.ch, 6);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, flow_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &fd.go, feeder_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.even, 6);
    CA_ASSERT_EQ(f.odd, 6);
    CA_ASSERT_EQ(f.kinds[0] + f.kinds[1] + f.kinds[2], 12);
    CA_ASSERT_EQ(f.sum, 106 + 107 + 108);
    CA_ASSERT_EQ(t.ngot, 6);
    /* The odd (i + j) pairs, in loop order. */
    {
        const int want[6] = {1, 10, 12, 21, 30, 32};
        for (i = 0; i < 6; i++)
            CA_ASSERT_EQ(t.got[i], want[i]);
    }
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_CONFIG_COMPUTED_GOTO
/* Only with computed goto: parking ops inside a switch of ours. */
typedef struct swgo {
    ca_go go;
    ca_chan *in, *out;
    int i, v, log[8];
} swgo;

static int swgo_fn(ca_go *g)
{
    swgo *w = (swgo *)g;

    GO_BEGIN(g);
    for (w->i = 0; w->i < 6; w->i++) {
        switch (w->i % 3) {
        case 0:
            TAKE(g, w->in, &w->v);
            w->log[w->i] = w->v;
            break;
        case 1:
            w->v = 1000 + w->i;
            PUT(g, w->out, &w->v);
            w->log[w->i] = -1;
            break;
        default:
            YIELD(g);
            w->log[w->i] = -2;
            break;
        }
    }
    GO_END(g);
}

static void go_park_inside_user_switch(void)
{
    ca_sched s;
    ichan in, out;
    swgo w;
    producer p;
    consumer t;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&out, CA_UNBUFFERED, 0);
    memset(&w, 0, sizeof w);
    w.in = &in.ch;
    w.out = &out.ch;
    producer_init(&p, &in.ch, 50, 2);
    consumer_init(&t, &out.ch, 2);
    CA_ASSERT_RC(ca_go_start(&s, &w.go, swgo_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, producer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, consumer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(w.log[0], 50);
    CA_ASSERT_EQ(w.log[1], -1);
    CA_ASSERT_EQ(w.log[2], -2);
    CA_ASSERT_EQ(w.log[3], 51);
    CA_ASSERT_EQ(w.log[4], -1);
    CA_ASSERT_EQ(w.log[5], -2);
    CA_ASSERT_EQ(t.ngot, 2);
    CA_ASSERT_EQ(t.got[0], 1001);
    CA_ASSERT_EQ(t.got[1], 1004);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

#if !CA_TEST_SMALL && CA_HAVE_MALLOC
/* GO_RETURN of a value larger than any channel carries: the block ends
** with no value, also for a result channel asked for late whose element
** size is the value's size cut to 16 bits (where it is kept). */
typedef struct big_return {
    ca_go go;
    unsigned char big[70000];
} big_return;

static int big_return_fn(ca_go *g)
{
    big_return *b = (big_return *)g;

    GO_BEGIN(g);
    memset(b->big, 7, sizeof b->big);
    GO_RETURN(g, &b->big);
    GO_END(g);
}

static void go_return_too_big(void)
{
    static big_return b;
    static unsigned char got[70000 & 0xffff];
    ca_sched s;
    ca_chan *r;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&b, 0, sizeof b);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, big_return_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_go_result(&b.go, sizeof got, &r), CA_OK);
    CA_ASSERT_RC(ca_poll(r, got), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(r), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* The block's reference on its result channel is the last one when the
** caller let theirs go first: the block's end then ends the channel
** (result.c gives it back only after the wakes). */
GO_STATE(echo_once, ca_chan *in; int v;);

static int echo_once(ca_go *g)
{
    GO_BEGIN_SELF(g, struct echo_once, p);
    TAKE(g, p->in, &p->v);
    GO_RETURN(g, &p->v);
    GO_END(g);
}

static void result_last_ref_is_the_blocks(void)
{
    ca_sched s;
    ca_chan in, mine;
    ca_chan_info info;
    int ibuf[1], mbuf[1], one = 1;
    static struct echo_once a, b;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&in, CA_FIXED, 1, sizeof(int), ibuf,
                              sizeof ibuf),
                 CA_OK);
    /* Your storage: ended by the block, after which it is not a channel. */
    CA_ASSERT_RC(ca_chan_init(&mine, CA_FIXED, 1, sizeof(int), mbuf,
                              sizeof mbuf),
                 CA_OK);
    a.in = &in;
    CA_ASSERT_RC(ca_go_start(&s, &a.go, echo_once), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&a.go, &mine), CA_OK);
    CA_ASSERT_RC(ca_chan_free(&mine), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&mine, &info), CA_OK); /* the block's */
    CA_ASSERT_EQ(info.refs, 1);
    CA_ASSERT_RC(ca_put_blocking(&in, &one), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(&mine, &info), CA_EBADCHAN);
#if CA_HAVE_MALLOC
    {
        ca_chan *r;

        /* The library's: freed by the block (the leak checkers of .ci/run
        ** see it if not). */
        b.in = &in;
        CA_ASSERT_RC(ca_go_start(&s, &b.go, echo_once), CA_OK);
        CA_ASSERT_RC(ca_go_result(&b.go, sizeof(int), &r), CA_OK);
        CA_ASSERT_RC(ca_chan_free(r), CA_OK);
        CA_ASSERT_RC(ca_put_blocking(&in, &one), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    }
#else
    (void)b;
#endif
    CA_ASSERT_RC(ca_chan_destroy(&in), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static const ca_test tests[] = {
    {"result_last_ref_is_the_blocks", result_last_ref_is_the_blocks},
#if !CA_TEST_SMALL && CA_HAVE_MALLOC
    {"go_return_too_big", go_return_too_big},
#endif
    {"go_take_put_immediate", go_take_put_immediate},
    {"go_take_put_parked", go_take_put_parked},
    {"go_take_closed", go_take_closed},
    {"go_put_closed", go_put_closed},
    {"go_error_status", go_error_status},
    {"go_pending_limit", go_pending_limit},
    {"go_never_runs_in_start", go_never_runs_in_start},
    {"go_sched_while_parked", go_sched_while_parked},
    {"go_default_sched", go_default_sched},
    {"go_restart", go_restart},
    {"go_null_args", go_null_args},
    {"go_yield_interleaves", go_yield_interleaves},
    {"go_sleep", go_sleep},
    {"go_empty_block", go_empty_block},
    {"go_set_result_fixed", go_set_result_fixed},
#if CA_CONFIG_TINY_GO
    {"go_set_result_table", go_set_result_table},
#endif
    {"go_set_result_promise_end_size", go_set_result_promise_end_size},
    {"go_set_result_refused", go_set_result_refused},
    {"go_set_result_full_drops", go_set_result_full_drops},
    {"go_set_result_after_finish", go_set_result_after_finish},
#if CA_HAVE_MALLOC
    {"go_result_when_asked", go_result_when_asked},
    {"go_result_size_mismatch", go_result_size_mismatch},
    {"go_result_same_channel", go_result_same_channel},
    {"go_result_after_finish_own_channels",
     go_result_after_finish_own_channels},
    {"go_new_freed", go_new_freed},
#endif
    {"go_offer_poll", go_offer_poll},
    {"go_enqueued_chan_ops", go_enqueued_chan_ops},
    {"go_enqueued_four_puts_go_taker", go_enqueued_four_puts_go_taker},
    {"go_nests", go_nests},
    {"go_daisy_chain", go_daisy_chain},
    {"go_spawn_chain", go_spawn_chain},
    {"go_loop_many_parks", go_loop_many_parks},
    {"go_parks_in_branches_and_loops", go_parks_in_branches_and_loops},
#if CA_CONFIG_COMPUTED_GOTO
    {"go_park_inside_user_switch", go_park_inside_user_switch},
#endif
    {NULL, NULL}};

CA_TEST_MAIN(CA_TEST_GO_NAME, tests)
