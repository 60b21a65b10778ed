/*
** test_alts.c: ALTS in go blocks and ca_alts_blocking: random choice among
** the ready cases only, CA_ALTS_PRIORITY, default and deadline cases, put
** to a closed channel, the same channel twice, no self-match, losers that
** leave nothing behind, invalid cases. Mirrors core.async's alt-tests,
** test-write-on-closed, CLJS cleanup and test-bufferless.
** MIT licence, see COPYING.
*/
#include <stdint.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

/* ------------------------------------------------------------ helpers */

/* One ALTS over cases the test fills in before starting the block. */
typedef struct altgo {
    ca_go go;
    ca_alt cases[8];
    size_t n;
    int flags;
    int vals[8]; /* take destinations, put sources */
    int alt, status, closed;
    int calls;
    uint32_t before, after;
} altgo;

static int altgo_fn(ca_go *g)
{
    altgo *a = (altgo *)g;

    a->calls++;
    GO_BEGIN(g);
    a->before = tick_ms();
    ALTS(g, a->cases, a->n, a->flags);
    a->after = tick_ms();
    a->alt = GO_ALT(g);
    a->status = GO_STATUS(g);
    a->closed = GO_CLOSED(g);
    GO_END(g);
}

static void altgo_init(altgo *a, size_t n, int flags)
{
    int i;

    memset(a, 0, sizeof *a);
    a->n = n;
    a->flags = flags;
    a->alt = -1;
    a->status = -100;
    for (i = 0; i < 8; i++)
        a->vals[i] = -1;
}

/* ------------------------------------------------------------- fairness */

/* Loops n times over take cases on nch channels; the winner's channel is
** refilled, so the ready ones stay ready. */
typedef struct fair {
    ca_go go;
    ca_chan *ch[5];
    ca_alt cases[5];
    int nch, n, i, v, flags;
    int reuse; /* the cases are filled once, not before every ALTS */
    long wins[5];
    int bad;
} fair;

static int fair_fn(ca_go *g)
{
    fair *f = (fair *)g;
    int k;

    GO_BEGIN(g);
    for (k = 0; f->reuse && k < f->nch; k++)
        (void)ca_alt_take(&f->cases[k], f->ch[k], &f->v);
    for (f->i = 0; f->i < f->n; f->i++) {
        for (k = 0; !f->reuse && k < f->nch; k++)
            (void)ca_alt_take(&f->cases[k], f->ch[k], &f->v);
        ALTS(g, f->cases, (size_t)f->nch, f->flags);
        if (GO_STATUS(g) != CA_OK || GO_ALT(g) < 0 || GO_ALT(g) >= f->nch) {
            f->bad++;
            continue;
        }
        f->wins[GO_ALT(g)]++;
        if (f->v != 100 + GO_ALT(g))
            f->bad++;
        f->v = 100 + GO_ALT(g);
        if (ca_offer(f->ch[GO_ALT(g)], &f->v) != CA_OK)
            f->bad++;
    }
    GO_END(g);
}

/* Random ALTS over three always-ready channels: each wins about a third
** of 30,000 times (expected 10,000, sd about 82; the bound is 12 sd). */
static void alts_random_fair(void)
{
    ca_sched s;
    ichan c[3];
    fair f;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    for (k = 0; k < 3; k++) {
        ichan_init(&c[k], CA_FIXED, 1);
        OFFER(&c[k].ch, 100 + k);
        f.ch[k] = &c[k].ch;
    }
    f.nch = 3;
    f.n = 30000;
    CA_ASSERT_RC(ca_go_start(&s, &f.go, fair_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.bad, 0);
    CA_ASSERT_EQ(f.wins[0] + f.wins[1] + f.wins[2], 30000);
    for (k = 0; k < 3; k++) {
        CU_ASSERT(f.wins[k] > 9000 && f.wins[k] < 11000);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* core.async alt-tests: the random choice covers only the ready channels.
** Five cases, two of them on empty channels: those never win, and the
** three ready ones share the wins. */
static void alts_random_only_ready(void)
{
    ca_sched s;
    ichan c[5];
    fair f;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    for (k = 0; k < 5; k++) {
        ichan_init(&c[k], k % 2 == 0 ? CA_FIXED : CA_UNBUFFERED,
                   k % 2 == 0 ? 1 : 0);
        if (k % 2 == 0)
            OFFER(&c[k].ch, 100 + k);
        f.ch[k] = &c[k].ch;
    }
    f.nch = 5;
    f.n = 30000;
    CA_ASSERT_RC(ca_go_start(&s, &f.go, fair_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.bad, 0);
    CA_ASSERT_EQ(f.wins[1], 0);
    CA_ASSERT_EQ(f.wins[3], 0);
    for (k = 0; k < 5; k += 2)
        CU_ASSERT(f.wins[k] > 9000 && f.wins[k] < 11000);
    for (k = 0; k < 5; k++) {
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* CA_ALTS_PRIORITY: the first ready case in array order, every time. */
static void alts_priority(void)
{
    ca_sched s;
    ichan c[4];
    fair f;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], k == 0 ? CA_UNBUFFERED : CA_FIXED, k == 0 ? 0 : 1);
        if (k != 0)
            OFFER(&c[k].ch, 100 + k);
        f.ch[k] = &c[k].ch;
    }
    f.nch = 4;
    f.n = 1000;
    f.flags = CA_ALTS_PRIORITY;
    CA_ASSERT_RC(ca_go_start(&s, &f.go, fair_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.bad, 0);
    CA_ASSERT_EQ(f.wins[0], 0);
    CA_ASSERT_EQ(f.wins[1], 1000);
    CA_ASSERT_EQ(f.wins[2], 0);
    CA_ASSERT_EQ(f.wins[3], 0);
    for (k = 0; k < 4; k++) {
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A ready take and a ready put are chosen alike, too. */
typedef struct mixfair {
    ca_go go;
    ca_chan *t, *p;
    ca_alt cases[2];
    int i, n, v, out;
    long wins[2];
    int bad;
} mixfair;

static int mixfair_fn(ca_go *g)
{
    mixfair *m = (mixfair *)g;

    GO_BEGIN(g);
    for (m->i = 0; m->i < m->n; m->i++) {
        (void)ca_alt_take(&m->cases[0], m->t, &m->v);
        m->out = m->i;
        (void)ca_alt_put(&m->cases[1], m->p, &m->out);
        ALTS(g, m->cases, 2, 0);
        if (GO_STATUS(g) != CA_OK) {
            m->bad++;
            continue;
        }
        m->wins[GO_ALT(g) != 0]++;
        if (GO_ALT(g) == 0) { /* refill */
            if (ca_offer(m->t, &m->v) != CA_OK)
                m->bad++;
        } else { /* make room, check the value */
            if (ca_poll(m->p, &m->v) != CA_OK || m->v != m->i)
                m->bad++;
        }
    }
    GO_END(g);
}

static void alts_random_take_put(void)
{
    ca_sched s;
    ichan t, p;
    mixfair m;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&t, CA_FIXED, 1);
    ichan_init(&p, CA_FIXED, 1);
    OFFER(&t.ch, 5);
    memset(&m, 0, sizeof m);
    m.t = &t.ch;
    m.p = &p.ch;
    m.n = 20000;
    CA_ASSERT_RC(ca_go_start(&s, &m.go, mixfair_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(m.bad, 0);
    CU_ASSERT(m.wins[0] > 9000 && m.wins[0] < 11000);
    CU_ASSERT(m.wins[1] > 9000 && m.wins[1] < 11000);
    CA_ASSERT_RC(ca_chan_destroy(&t.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&p.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ----------------------------------------------------- default, deadline */

/* The default wins at once, without parking, when nothing else is ready,
** and then GO_ALT is its index; it never wins while a case is ready. */
static void alts_default(void)
{
    ca_sched s;
    ichan a, b, r;
    altgo x, y;
    int i, default_wins = 0, take_wins = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_FIXED, 2);
    ichan_init(&r, CA_FIXED, 1);
    altgo_init(&x, 3, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_default(&x.cases[2]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    /* The default first in the array: still only when nothing is ready. */
    altgo_init(&y, 2, CA_ALTS_PRIORITY);
    CA_ASSERT_RC(ca_alt_default(&y.cases[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&y.cases[1], &a.ch, &y.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &y.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 2);
    CA_ASSERT_RC(x.status, CA_OK);
    CA_ASSERT_EQ(x.closed, 0);
    CA_ASSERT_EQ(x.calls, 1);
    CA_ASSERT_EQ(y.alt, 0);
    CA_ASSERT_EQ(y.calls, 1);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);

    /* With a ready case the default never wins. */
    for (i = 0; i < 300; i++) {
        OFFER(&r.ch, i);
        altgo_init(&x, 3, 0);
        CA_ASSERT_RC(ca_alt_default(&x.cases[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&x.cases[1], &a.ch, &x.vals[1]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&x.cases[2], &r.ch, &x.vals[2]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        default_wins += x.alt == 0;
        take_wins += x.alt == 2 && x.vals[2] == i;
    }
    CA_ASSERT_EQ(default_wins, 0);
    CA_ASSERT_EQ(take_wins, 300);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A deadline case on a clock we move: it has not won a tick before it is
** due, it wins when due, and the channel case leaves no waiter. */
static void alts_deadline_fake_clock(void)
{
    ca_sched s;
    fake_clock fc = {1000u, 0};
    ichan a;
    altgo x;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[1], 100), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.calls, 1);
    CA_ASSERT_EQ(next, DUE(100));
    CHECK_PENDING(&a.ch, 0, 1);
    fc.now = 1000u + 100u; /* 100 ms from the start of tick 1000 */
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.calls, 1);
    CA_ASSERT_EQ(next, DUE(100) - 100u);
    fc.now = 1000u + DUE(100) - 1u;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.calls, 1);
    CA_ASSERT_EQ(next, 1);
    fc.now = 1000u + DUE(100);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.calls, 2);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_OK);
    CA_ASSERT_EQ(x.closed, 0);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CHECK_PENDING(&a.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The same on the real clock, for a small delay: never early. */
static void alts_deadline_real_clock(void)
{
    ca_sched s;
    ichan a;
    altgo x;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[1], 25), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_OK);
    CU_ASSERT((uint32_t)(x.after - x.before) >= 25u);
    CU_ASSERT((uint32_t)(x.after - x.before) < 5000u);
    CHECK_PENDING(&a.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* When a channel case wins, the deadline's timer is cancelled: nothing is
** left pending (next_ms is CA_FOREVER, the scheduler can be destroyed at
** once). */
static void alts_deadline_cancelled(void)
{
    ca_sched s;
    fake_clock fc = {0u, 0};
    ichan a;
    altgo x;
    putter p;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[0], 10000), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &a.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(10000));
    putter_init(&p, &a.ch, 77, 1, 0, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    fc.now = 5;
    while (ca_sched_step(&s, &next) == CA_OK && next == 0)
        ;
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_EQ(x.vals[1], 77);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
}

/* A deadline of 0 acts as a default: it wins at once when nothing is
** ready, and never while a channel case is. */
static void alts_deadline_zero(void)
{
    ca_sched s;
    ichan a, r;
    altgo x;
    int i, chan_wins = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&r, CA_FIXED, 1);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[1], 0), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_OK);
    CA_ASSERT_EQ(x.calls, 1);
    CHECK_PENDING(&a.ch, 0, 0);
    for (i = 0; i < 200; i++) {
        OFFER(&r.ch, i);
        altgo_init(&x, 2, 0);
        CA_ASSERT_RC(ca_alt_deadline(&x.cases[0], 0), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&x.cases[1], &r.ch, &x.vals[1]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        chan_wins += x.alt == 1 && x.vals[1] == i;
    }
    CA_ASSERT_EQ(chan_wins, 200);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ---------------------------------------------------------------- closed */

/* A put case to a closed channel is ready at once and wins with
** CA_CLOSED; a take case on a closed, drained channel wins with
** CA_CLOSED. */
static void alts_closed(void)
{
    ca_sched s;
    ichan open, closed, r;
    altgo x, y, z;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&open, CA_UNBUFFERED, 0);
    ichan_init(&closed, CA_FIXED, 1);
    ichan_init(&r, CA_FIXED, 1);
    CA_ASSERT_RC(ca_close(&closed.ch), CA_OK);
    OFFER(&r.ch, 4);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &open.ch, &x.vals[0]), CA_OK);
    x.vals[1] = 8;
    CA_ASSERT_RC(ca_alt_put(&x.cases[1], &closed.ch, &x.vals[1]), CA_OK);
    /* With priority, a put to a closed channel listed first beats a ready
    ** take listed after it. */
    altgo_init(&y, 2, CA_ALTS_PRIORITY);
    CA_ASSERT_RC(ca_alt_put(&y.cases[0], &closed.ch, &y.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&y.cases[1], &r.ch, &y.vals[1]), CA_OK);
    altgo_init(&z, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&z.cases[0], &open.ch, &z.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&z.cases[1], &closed.ch, &z.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &y.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &z.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_CLOSED);
    CA_ASSERT_EQ(x.closed, 1);
    CA_ASSERT_EQ(x.calls, 1);
    CA_ASSERT_EQ(y.alt, 0);
    CA_ASSERT_RC(y.status, CA_CLOSED);
    CHECK_COUNT(&r.ch, 1); /* the take did not happen */
    CA_ASSERT_EQ(z.alt, 1);
    CA_ASSERT_RC(z.status, CA_CLOSED);
    CA_ASSERT_EQ(z.closed, 1);
    CA_ASSERT_EQ(z.vals[1], -1);
    CHECK_PENDING(&open.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&open.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&closed.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A parked ALTS is ended by a close of one of its take channels. */
static void alts_parked_then_closed(void)
{
    ca_sched s;
    ichan a, b;
    altgo x;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_close(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_CLOSED);
    CA_ASSERT_EQ(x.closed, 1);
    CHECK_PENDING(&a.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------ puts, takes, mix */

/* An ALTS parked on a take and a put: whichever counterpart comes first
** wins, and the other case leaves nothing behind. */
static void alts_mixed_put_take(void)
{
    ca_sched s;
    ichan a, b;
    altgo x;
    taker t;
    putter p;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);

    /* Someone takes from b: the put case wins. */
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    x.vals[1] = 55;
    CA_ASSERT_RC(ca_alt_put(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&a.ch, 0, 1);
    CHECK_PENDING(&b.ch, 1, 0);
    taker_init(&t, &b.ch, 0);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_RC(x.status, CA_OK);
    CA_ASSERT_EQ(t.v, 55);
    CA_ASSERT_EQ(x.vals[0], -1);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);

    /* Someone puts to a: the take case wins. */
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    x.vals[1] = 56;
    CA_ASSERT_RC(ca_alt_put(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    putter_init(&p, &a.ch, 66, 1, 0, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 0);
    CA_ASSERT_EQ(x.vals[0], 66);
    CA_ASSERT_RC(p.status, CA_OK);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The same channel in two cases: exactly one of them completes. */
static void alts_same_channel_twice(void)
{
    ca_sched s;
    ichan b, u;
    altgo x, y, z;
    putter p;
    taker t;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&b, CA_FIXED, 2);
    ichan_init(&u, CA_UNBUFFERED, 0);

    /* Ready at once: two takes of one buffered value. */
    OFFER(&b.ch, 9);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &b.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CU_ASSERT(x.alt == 0 || x.alt == 1);
    if (x.alt == 0 || x.alt == 1) {
        CA_ASSERT_EQ(x.vals[x.alt], 9);
        CA_ASSERT_EQ(x.vals[1 - x.alt], -1);
    }
    CHECK_COUNT(&b.ch, 0);

    /* Parked: two takes on one unbuffered channel, one value. */
    altgo_init(&y, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&y.cases[0], &u.ch, &y.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&y.cases[1], &u.ch, &y.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &y.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&u.ch, 0, 2);
    putter_init(&p, &u.ch, 31, 1, 0, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CU_ASSERT(y.alt == 0 || y.alt == 1);
    if (y.alt == 0 || y.alt == 1) {
        CA_ASSERT_EQ(y.vals[y.alt], 31);
        CA_ASSERT_EQ(y.vals[1 - y.alt], -1);
    }
    CHECK_PENDING(&u.ch, 0, 0);

    /* Parked: two puts on one unbuffered channel, one taker. */
    altgo_init(&z, 2, 0);
    z.vals[0] = 1;
    z.vals[1] = 2;
    CA_ASSERT_RC(ca_alt_put(&z.cases[0], &u.ch, &z.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&z.cases[1], &u.ch, &z.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &z.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    taker_init(&t, &u.ch, 0);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(t.v, z.alt + 1);
    CHECK_PENDING(&u.ch, 0, 0);
    CA_ASSERT_RC(ca_poll(&u.ch, &t.v), CA_AGAIN);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* One ALTS never matches its own put with its own take: alone on an
** unbuffered channel it waits until its deadline; with someone else on
** the channel, that someone completes one of the two cases. */
static void alts_no_self_match(void)
{
    ca_sched s;
    ichan u;
    altgo x;
    taker t;
    putter p;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&u, CA_UNBUFFERED, 0);

    altgo_init(&x, 3, 0);
    x.vals[0] = 9;
    CA_ASSERT_RC(ca_alt_put(&x.cases[0], &u.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &u.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 20), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 2);
    CA_ASSERT_EQ(x.vals[1], -1);
    CU_ASSERT((uint32_t)(x.after - x.before) >= 20u);
    CHECK_PENDING(&u.ch, 0, 0);

    /* Another block takes: the put case wins. */
    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    x.vals[0] = 9;
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &u.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&x.cases[1], &u.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 10000), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    taker_init(&t, &u.ch, 5);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_EQ(t.v, 9);
    CA_ASSERT_EQ(x.vals[1], -1);
    CU_ASSERT((uint32_t)(x.after - x.before) < 5000u); /* not the deadline */
    CHECK_PENDING(&u.ch, 0, 0);

    /* Another block puts: the take case wins. */
    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    x.vals[0] = 9;
    CA_ASSERT_RC(ca_alt_put(&x.cases[0], &u.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &u.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 10000), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    putter_init(&p, &u.ch, 3, 1, 5, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_EQ(x.vals[1], 3);
    CHECK_PENDING(&u.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* CLJS test-bufferless: ALTS with priority, an unbuffered put and take,
** against a deadline. */
static void alts_bufferless(void)
{
    ca_sched s;
    ichan c, d;
    altgo x;
    taker t;
    putter p;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    ichan_init(&d, CA_UNBUFFERED, 0);

    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    x.vals[0] = 1;
    CA_ASSERT_RC(ca_alt_put(&x.cases[0], &c.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &d.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 10000), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    taker_init(&t, &c.ch, 10);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 0);
    CA_ASSERT_RC(x.status, CA_OK);
    CA_ASSERT_EQ(t.v, 1);

    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    x.vals[1] = 7;
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &c.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&x.cases[1], &d.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 10000), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    putter_init(&p, &c.ch, 3, 1, 10, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 0);
    CA_ASSERT_EQ(x.vals[0], 3);

    /* Nobody comes: the deadline wins, not before its time. */
    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    CA_ASSERT_RC(ca_alt_put(&x.cases[0], &c.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &d.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 20), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 2);
    CU_ASSERT((uint32_t)(x.after - x.before) >= 20u);
    CHECK_PENDING(&c.ch, 0, 0);
    CHECK_PENDING(&d.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&d.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* -------------------------------------------------------------- cleanup */

/* The losing cases of a parked ALTS leave no waiter on their channels,
** whether a channel or the deadline won. */
static void alts_losers_leave_nothing(void)
{
    ca_sched s;
    ichan a, b, c;
    altgo x;
    putter p;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    ichan_init(&c, CA_FIXED, 1);
    OFFER(&c.ch, 0); /* full: a put case waits */
    altgo_init(&x, 4, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&x.cases[2], &c.ch, &x.vals[2]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[3], &a.ch, &x.vals[3]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&a.ch, 0, 2);
    CHECK_PENDING(&b.ch, 0, 1);
    CHECK_PENDING(&c.ch, 1, 0);
    putter_init(&p, &b.ch, 8, 1, 0, 0);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_EQ(x.vals[1], 8);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);
    CHECK_PENDING(&c.ch, 0, 0);
    CHECK_COUNT(&c.ch, 1);

    /* The deadline wins: every channel case is gone. */
    altgo_init(&x, 4, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&x.cases[2], &c.ch, &x.vals[2]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[3], 5), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 3);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);
    CHECK_PENDING(&c.ch, 0, 0);
    POLL_EQ(&c.ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Loops of ALTS, 10,000 times each: never a pending-limit error. */
typedef struct looper {
    ca_go go;
    ca_chan *a, *b;
    ca_alt cases[2];
    int kind; /* 0: write-on-closed, 1: default, 2: parked loser */
    int i, n, v, put;
    int ok, bad;
} looper;

static int looper_fn(ca_go *g)
{
    looper *l = (looper *)g;

    GO_BEGIN(g);
    for (l->i = 0; l->i < l->n; l->i++) {
        (void)ca_alt_take(&l->cases[0], l->a, &l->v);
        if (l->kind == 0)
            (void)ca_alt_put(&l->cases[1], l->b, &l->put);
        else if (l->kind == 1)
            (void)ca_alt_default(&l->cases[1]);
        else
            (void)ca_alt_take(&l->cases[1], l->b, &l->v);
        ALTS(g, l->cases, 2, l->kind == 0 ? CA_ALTS_PRIORITY : 0);
        if (GO_ALT(g) == 1 &&
            GO_STATUS(g) == (l->kind == 0 ? CA_CLOSED : CA_OK) &&
            (l->kind != 2 || l->v == l->i))
            l->ok++;
        else
            l->bad++;
    }
    GO_END(g);
}

/* Feeds b with 0, 1, ... n - 1. */
typedef struct feeder {
    ca_go go;
    ca_chan *ch;
    int i, n;
} feeder;

static int feeder_fn(ca_go *g)
{
    feeder *f = (feeder *)g;

    GO_BEGIN(g);
    for (f->i = 0; f->i < f->n; f->i++)
        PUT(g, f->ch, &f->i);
    GO_END(g);
}

static void loop_check_then_park(ca_sched *s, ichan *a)
{
    taker t;
    int v = 99;

    /* The open channel still takes a parked op: no leftover waiters. */
    CHECK_PENDING(&a->ch, 0, 0);
    taker_init(&t, &a->ch, 0);
    CA_ASSERT_RC(ca_go_start(s, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(s), CA_EDEADLOCK);
    CHECK_PENDING(&a->ch, 0, 1);
    CA_ASSERT_RC(ca_offer(&a->ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(s), CA_OK);
    CA_ASSERT_EQ(t.v, 99);
}

/* core.async test-write-on-closed: ALTS with priority over a take on an
** open channel and a put to a closed one, 10,000 times. */
static void alts_write_on_closed(void)
{
    ca_sched s;
    ichan open, closed;
    looper l;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&open, CA_UNBUFFERED, 0);
    ichan_init(&closed, CA_FIXED, 1);
    CA_ASSERT_RC(ca_close(&closed.ch), CA_OK);
    memset(&l, 0, sizeof l);
    l.a = &open.ch;
    l.b = &closed.ch;
    l.kind = 0;
    l.n = 10000;
    CA_ASSERT_RC(ca_go_start(&s, &l.go, looper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(l.ok, 10000);
    CA_ASSERT_EQ(l.bad, 0);
    loop_check_then_park(&s, &open);
    CA_ASSERT_RC(ca_chan_destroy(&open.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&closed.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* CLJS cleanup: an ALTS with a default on one channel, 10,000 times. */
static void alts_cleanup_default(void)
{
    ca_sched s;
    ichan a;
    looper l;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    memset(&l, 0, sizeof l);
    l.a = &a.ch;
    l.kind = 1;
    l.n = 10000;
    CA_ASSERT_RC(ca_go_start(&s, &l.go, looper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(l.ok, 10000);
    CA_ASSERT_EQ(l.bad, 0);
    loop_check_then_park(&s, &a);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The hard case: an ALTS that really parks on two channels and loses on
** one of them, 10,000 times. */
static void alts_cleanup_parked_losers(void)
{
    ca_sched s;
    ichan a, b;
    looper l;
    feeder f;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    memset(&l, 0, sizeof l);
    memset(&f, 0, sizeof f);
    l.a = &a.ch;
    l.b = f.ch = &b.ch;
    l.kind = 2;
    l.n = f.n = 10000;
    CA_ASSERT_RC(ca_go_start(&s, &l.go, looper_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, feeder_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(l.ok, 10000);
    CA_ASSERT_EQ(l.bad, 0);
    loop_check_then_park(&s, &a);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_MALLOC
/* Blocks from ca_go_new park in ALTS over a shared channel and their own,
** win on their own and are freed. Their cases lived in the freed memory:
** any waiter left on the shared channel would be a use after free (ASan,
** valgrind). */
typedef struct newalt {
    ca_go go;
    ca_chan *shared, *own;
    ca_alt cases[2];
    int v, *wins;
} newalt;

static int newalt_fn(ca_go *g)
{
    newalt *n = (newalt *)g;

    GO_BEGIN(g);
    (void)ca_alt_take(&n->cases[0], n->shared, &n->v);
    (void)ca_alt_take(&n->cases[1], n->own, &n->v);
    ALTS(g, n->cases, 2, 0);
    if (GO_ALT(g) == 1 && GO_STATUS(g) == CA_OK)
        (*n->wins)++;
    GO_END(g);
}

static void alts_losers_freed_blocks(void)
{
    ca_sched s;
    ichan shared, own[16];
    ca_go *g;
    int i, wins = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&shared, CA_UNBUFFERED, 0);
    for (i = 0; i < 16; i++) {
        ichan_init(&own[i], CA_UNBUFFERED, 0);
        CA_ASSERT_RC(ca_go_new(&g, sizeof(newalt)), CA_OK);
        if (g == NULL)
            return;
        ((newalt *)g)->shared = &shared.ch;
        ((newalt *)g)->own = &own[i].ch;
        ((newalt *)g)->wins = &wins;
        CA_ASSERT_RC(ca_go_start(&s, g, newalt_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CHECK_PENDING(&shared.ch, 0, 16);
    for (i = 0; i < 16; i++)
        OFFER(&own[i].ch, i);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(wins, 16);
    loop_check_then_park(&s, &shared);
    for (i = 0; i < 16; i++)
        CA_ASSERT_RC(ca_chan_destroy(&own[i].ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&shared.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* ------------------------------------------------------------ off, errors */

/* An off case never wins: not alone with a ready case, not against a
** deadline, not at random. */
static void alts_off(void)
{
    ca_sched s;
    ichan r;
    altgo x;
    int i, wins = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&r, CA_FIXED, 1);
    for (i = 0; i < 200; i++) {
        OFFER(&r.ch, i);
        altgo_init(&x, 3, i % 2 ? CA_ALTS_PRIORITY : 0);
        CA_ASSERT_RC(ca_alt_off(&x.cases[0]), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&x.cases[1], &r.ch, &x.vals[1]), CA_OK);
        CA_ASSERT_RC(ca_alt_off(&x.cases[2]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        wins += x.alt == 1 && x.vals[1] == i;
    }
    CA_ASSERT_EQ(wins, 200);
    altgo_init(&x, 3, 0);
    CA_ASSERT_RC(ca_alt_off(&x.cases[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&x.cases[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[2], 10), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &x.go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(x.alt, 2);
    CU_ASSERT((uint32_t)(x.after - x.before) >= 10u);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* The case constructors refuse bad arguments and leave the case alone. */
static void alts_case_args(void)
{
    ca_alt c;
    ichan a;
    ca_chan sig;
    int v = 0;

    ichan_init(&a, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_chan_init(&sig, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&c, NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_put(&c, NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_take(NULL, &a.ch, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_put(NULL, &a.ch, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_take(&c, &a.ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_put(&c, &a.ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_take(&c, &sig, NULL), CA_OK); /* no bytes */
    CA_ASSERT_RC(ca_alt_put(&c, &sig, NULL), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&c, CA_MAX_DELAY + 1u), CA_ERANGE);
    CA_ASSERT_RC(ca_alt_deadline(&c, CA_MAX_DELAY), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(NULL, 1), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_default(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_alt_off(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sig), CA_OK);
}

/* One case more than an ALTS takes (all off). A small board has no room
** for 65,536 cases: there the count alone must be refused, before any
** case is read. */
#if CA_TEST_SMALL
static ca_alt too_many[1];
#define NTOO_MANY ((size_t)CA_ALTS_MAX + 1u)
#else
static ca_alt too_many[CA_ALTS_MAX + 1u];
#define NTOO_MANY (sizeof too_many / sizeof too_many[0])
#endif

/* Invalid ALTS in a go block: an error status, GO_CLOSED, no park, and
** none of its cases happened. */
typedef struct badalts {
    ca_go go;
    ca_alt cases[3];
    int v;
    int st[4], closed[4];
    int calls;
} badalts;

static int badalts_fn(ca_go *g)
{
    badalts *b = (badalts *)g;

    b->calls++;
    GO_BEGIN(g);
    ALTS(g, b->cases, 0, 0);
    b->st[0] = GO_STATUS(g);
    b->closed[0] = GO_CLOSED(g);
    ALTS(g, b->cases, 3, 0); /* two defaults */
    b->st[1] = GO_STATUS(g);
    b->closed[1] = GO_CLOSED(g);
    ALTS(g, (ca_alt *)NULL, 1, 0);
    b->st[2] = GO_STATUS(g);
    b->closed[2] = GO_CLOSED(g);
    ALTS(g, too_many, NTOO_MANY, 0);
    b->st[3] = GO_STATUS(g);
    b->closed[3] = GO_CLOSED(g);
    GO_END(g);
}

static void alts_invalid_in_go(void)
{
    ca_sched s;
    ichan r;
    badalts b;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&r, CA_FIXED, 1);
    OFFER(&r.ch, 1);
    memset(&b, 0, sizeof b);
    b.v = -1;
    CA_ASSERT_RC(ca_alt_default(&b.cases[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&b.cases[1], &r.ch, &b.v), CA_OK);
    CA_ASSERT_RC(ca_alt_default(&b.cases[2]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, badalts_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(b.calls, 1);
    CA_ASSERT_RC(b.st[0], CA_EINVAL);
    CA_ASSERT_RC(b.st[1], CA_EINVAL);
    CA_ASSERT_RC(b.st[2], CA_EINVAL);
    CA_ASSERT_RC(b.st[3], CA_ERANGE);
    CA_ASSERT_EQ(b.closed[3], 1);
    CA_ASSERT_EQ(b.closed[0], 1);
    CA_ASSERT_EQ(b.closed[1], 1);
    CA_ASSERT_EQ(b.closed[2], 1);
    CA_ASSERT_EQ(b.v, -1);
    CHECK_COUNT(&r.ch, 1);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------ ca_alts_blocking */

static void alts_blocking_immediate(void)
{
    ichan a, b, closed;
    ca_alt c[3];
    size_t idx = 99;
    int v = -1, out = 5;

    ichan_init(&a, CA_FIXED, 1);
    ichan_init(&b, CA_FIXED, 1);
    ichan_init(&closed, CA_FIXED, 1);
    CA_ASSERT_RC(ca_close(&closed.ch), CA_OK);
    OFFER(&a.ch, 4);
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 1, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_EQ(v, 4);
    /* A put with room; the take on the empty channel loses. */
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&c[1], &b.ch, &out), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    POLL_EQ(&b.ch, 5);
    /* A default. */
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_default(&c[1]), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    /* A put to a closed channel wins with CA_CLOSED. */
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&c[1], &closed.ch, &out), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_CLOSED);
    CA_ASSERT_EQ(idx, 1);
    CHECK_PENDING(&a.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&closed.ch), CA_OK);
}

/* Go blocks on the default scheduler complete a blocking ALTS. */
static void alts_blocking_fed_by_go(void)
{
    ichan a, b;
    ca_alt c[2];
    putter p;
    taker t;
    size_t idx = 99;
    int v = -1, out = 12;

    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_UNBUFFERED, 0);
    putter_init(&p, &b.ch, 21, 1, 0, 0);
    CA_ASSERT_RC(ca_go_start(NULL, &p.go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&c[1], &b.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    CA_ASSERT_EQ(v, 21);
    CHECK_PENDING(&a.ch, 0, 0);
    /* A put case, taken by a block that sleeps first. */
    taker_init(&t, &a.ch, 5);
    CA_ASSERT_RC(ca_go_start(NULL, &t.go, taker_fn), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&c[0], &a.ch, &out), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&c[1], &b.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, CA_ALTS_PRIORITY, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(t.v, 12);
    CA_ASSERT_RC(p.status, CA_OK);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
}

/* A deadline ends a blocking ALTS, not before its time. */
static void alts_blocking_deadline(void)
{
    ichan a;
    ca_alt c[2];
    size_t idx = 99;
    uint32_t t0, t1;
    int v = -1;

    ichan_init(&a, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&c[1], 25), CA_OK);
    t0 = tick_ms();
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_OK);
    t1 = tick_ms();
    CA_ASSERT_EQ(idx, 1);
    CU_ASSERT((uint32_t)(t1 - t0) >= 25u);
    CU_ASSERT((uint32_t)(t1 - t0) < 5000u);
    CHECK_PENDING(&a.ch, 0, 0);
    /* Deadline 0: at once. */
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&c[1], 0), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK); /* nothing left behind */
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
}

/* Nothing can complete it: CA_EDEADLOCK, and no case stays queued. */
static void alts_blocking_deadlock(void)
{
    ichan a, b;
    ca_alt c[3];
    size_t idx = 99;
    int v = -1, out = 1;

    ichan_init(&a, CA_UNBUFFERED, 0);
    ichan_init(&b, CA_FIXED, 1);
    OFFER(&b.ch, 0); /* full */
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&c[1], &b.ch, &out), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&c[2]), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 3, 0, &idx), CA_EDEADLOCK);
    CA_ASSERT_EQ(idx, 99);
    CHECK_PENDING(&a.ch, 0, 0);
    CHECK_PENDING(&b.ch, 0, 0);
    CHECK_COUNT(&b.ch, 1);
    CA_ASSERT_EQ(v, -1);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    POLL_EQ(&b.ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
}

static void alts_blocking_invalid(void)
{
    ichan a;
    ca_alt c[2];
    size_t idx = 99;
    int v = -1;

    ichan_init(&a, CA_FIXED, 1);
    OFFER(&a.ch, 3);
    CA_ASSERT_RC(ca_alt_take(&c[0], &a.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 1, 0, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_alts_blocking(c, 0, 0, &idx), CA_EINVAL);
    CA_ASSERT_RC(ca_alts_blocking(NULL, 1, 0, &idx), CA_EINVAL);
    CA_ASSERT_RC(ca_alts_blocking(too_many, NTOO_MANY, 0, &idx), CA_ERANGE);
    CA_ASSERT_RC(ca_alt_default(&c[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_default(&c[1]), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(c, 2, 0, &idx), CA_EINVAL);
    CA_ASSERT_EQ(idx, 99);
    CHECK_COUNT(&a.ch, 1);
    POLL_EQ(&a.ch, 3);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
}

/* Random choice in ca_alts_blocking is fair too (30,000 calls). */
static void alts_blocking_random_fair(void)
{
    ichan c[3];
    ca_alt cases[3];
    long wins[3] = {0, 0, 0};
    size_t idx;
    int k, i, v, bad = 0;

    for (k = 0; k < 3; k++) {
        ichan_init(&c[k], CA_FIXED, 1);
        OFFER(&c[k].ch, k);
    }
    for (i = 0; i < 30000; i++) {
        for (k = 0; k < 3; k++)
            (void)ca_alt_take(&cases[k], &c[k].ch, &v);
        idx = 99;
        if (ca_alts_blocking(cases, 3, 0, &idx) != CA_OK || idx > 2) {
            bad++;
            continue;
        }
        wins[idx]++;
        if (ca_offer(&c[idx].ch, &v) != CA_OK)
            bad++;
    }
    CA_ASSERT_EQ(bad, 0);
    for (k = 0; k < 3; k++) {
        CU_ASSERT(wins[k] > 9000 && wins[k] < 11000);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
}

/* ------------------------------------------------------- reused cases */

/* Cases filled once and passed to every ALTS as they are (alts.h): the
** ALTS keeps its locking order in them and checks it, and a case changed
** in between is seen. */

/* Random choice with reused cases: over 10,000 ALTS each of four
** always-ready cases wins at least 15% (expected 25%, sd 43 wins: the
** bound is 23 sd away), and priority still picks the first ready one. */
static void alts_reuse_fair(void)
{
    ca_sched s;
    ichan c[4];
    fair f;
    int k, prio;

    for (prio = 0; prio < 2; prio++) {
        CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
        memset(&f, 0, sizeof f);
        for (k = 0; k < 4; k++) {
            ichan_init(&c[k], CA_FIXED, 1);
            OFFER(&c[k].ch, 100 + k);
            f.ch[k] = &c[k].ch;
        }
        f.nch = 4;
        f.n = 10000;
        f.reuse = 1;
        f.flags = prio ? CA_ALTS_PRIORITY : 0;
        CA_ASSERT_RC(ca_go_start(&s, &f.go, fair_fn), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_EQ(f.bad, 0);
        CA_ASSERT_EQ(f.wins[0] + f.wins[1] + f.wins[2] + f.wins[3], 10000);
        for (k = 0; k < 4; k++) {
            if (prio)
                CA_ASSERT_EQ(f.wins[k], k == 0 ? 10000 : 0);
            else
                CU_ASSERT(f.wins[k] >= 1500 && f.wins[k] <= 3500);
            CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
        }
        CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    }
}

/* Random choice with reused cases whose readiness changes between two
** ALTS: a choice must not follow what was ready last time. Four takes on
** rings of one; A, B and D always hold a value, C only before the odd
** ALTS. On the even ones C never wins and A, B and D each win at least a
** quarter of 5,000 (expected a third, sd 33 wins: the bound is 12 sd
** away). A ready mark of C's left from the odd ALTS made D win a ninth
** (a mutant of an ALTS that kept marks, found by the review of alts14). */
typedef struct shifting {
    ca_go go;
    ichan c[4];
    ca_alt cases[4];
    int v, i, bad;
    long even_wins[4];
} shifting;

static int shifting_fn(ca_go *g)
{
    shifting *f = (shifting *)g;
    int k, x = 1, d;

    GO_BEGIN(g);
    for (k = 0; k < 4; k++)
        f->bad += ca_alt_take(&f->cases[k], &f->c[k].ch, &f->v) != CA_OK;
    for (f->i = 0; f->i < 10000; f->i++) {
        for (k = 0; k < 4; k++)
            if (k == 2 && (f->i & 1) == 0)
                (void)ca_poll(&f->c[k].ch, &d);  /* empty, or emptied */
            else
                (void)ca_offer(&f->c[k].ch, &x); /* full, or refilled */
        ALTS(g, f->cases, 4, 0);
        f->bad += GO_STATUS(g) != CA_OK;
        if ((f->i & 1) == 0)
            f->even_wins[GO_ALT(g)]++;
    }
    GO_END(g);
}

static void alts_reuse_fair_shifting(void)
{
    ca_sched s;
    static shifting f;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    for (k = 0; k < 4; k++)
        ichan_init(&f.c[k], CA_FIXED, 1);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, shifting_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(f.bad, 0);
    CA_ASSERT_EQ(f.even_wins[2], 0);
    for (k = 0; k < 4; k++) {
        if (k != 2)
            CU_ASSERT(f.even_wins[k] >= 1250);
        CA_ASSERT_RC(ca_chan_destroy(&f.c[k].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A W3 fan-in: four putters of 250 values each on unbuffered channels,
** one consumer whose cases are filled once; a case whose channel closed
** is switched off. Every value arrives once, in order per channel, with
** the case number of its channel. */
typedef struct fanin {
    ca_go go;
    ca_chan *ch[4];
    ca_chan *done; /* the consumer puts bad there when it ends */
    ca_alt cases[4];
    int v, open, bad;
    int next[4];   /* the value each channel must give next */
} fanin;

static int fanin_fn(ca_go *g)
{
    fanin *f = (fanin *)g;
    int k;

    GO_BEGIN(g);
    for (k = 0; k < 4; k++)
        if (ca_alt_take(&f->cases[k], f->ch[k], &f->v) != CA_OK)
            f->bad++;
    for (f->open = 4; f->open > 0;) {
        ALTS(g, f->cases, 4, 0);
        k = GO_ALT(g);
        if (GO_STATUS(g) == CA_CLOSED) {
            f->bad += ca_alt_off(&f->cases[k]) != CA_OK;
            f->open--;
        } else if (GO_STATUS(g) == CA_OK && f->v == k * 1000 + f->next[k]) {
            f->next[k]++;
        } else {
            f->bad++;
            break;
        }
    }
    if (f->done != NULL)
        PUT(g, f->done, &f->bad);
    GO_END(g);
}

static void fanin_check(const fanin *f, ichan *c)
{
    int k;

    CA_ASSERT_EQ(f->bad, 0);
    for (k = 0; k < 4; k++) {
        CA_ASSERT_EQ(f->next[k], 250);
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
}

static void alts_reuse_fanin(void)
{
    ca_sched s;
    ichan c[4];
    putter p[4];
    fanin f;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], CA_UNBUFFERED, 0);
        f.ch[k] = &c[k].ch;
        putter_init(&p[k], &c[k].ch, k * 1000, 250, 0, 1);
    }
    CA_ASSERT_RC(ca_go_start(&s, &f.go, fanin_fn), CA_OK);
    for (k = 0; k < 4; k++)
        CA_ASSERT_RC(ca_go_start(&s, &p[k].go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    fanin_check(&f, c);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_THREADS && CA_HAVE_MALLOC /* a pool */
/* The same fan-in on a pool of two workers: the putters complete the
** consumer's cases from the other thread while it runs an ALTS. */
static void alts_reuse_pool(void)
{
    ca_sched s;
    ichan c[4], done;
    putter p[4];
    fanin f;
    int k, bad = -1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&f, 0, sizeof f);
    ichan_init(&done, CA_FIXED, 1);
    f.done = &done.ch;
    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], CA_UNBUFFERED, 0);
        f.ch[k] = &c[k].ch;
        putter_init(&p[k], &c[k].ch, k * 1000, 250, 0, 1);
    }
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &f.go, fanin_fn), CA_OK);
    for (k = 0; k < 4; k++)
        CA_ASSERT_RC(ca_go_start(&s, &p[k].go, putter_fn), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&done.ch, &bad), CA_OK);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_EQ(bad, 0);
    fanin_check(&f, c);
    CA_ASSERT_RC(ca_chan_destroy(&done.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

#if CA_HAVE_THREADS && CA_HAVE_MALLOC
/* Blocks of ca_go_spawn on a pool of two, each in ALTS after ALTS over
** a deadline and a case switched off: no channel lock holds a parked
** block back, so the deadline's fire on one worker may wake it while the
** other still releases its park, and the block may end and be freed
** there. The release must read nothing of the block after the
** scheduler's lock went (ASan saw that once a delay widened the gap). */
#define SPAWN_N 16
#define SPAWN_ROUNDS 20
typedef struct timed_only {
    ca_go go;
    ca_chan *done;
    ca_alt cases[2];
    int won, bad;
} timed_only;

static int timed_only_fn(ca_go *g)
{
    timed_only *t = (timed_only *)g;

    GO_BEGIN(g);
    t->bad += ca_alt_deadline(&t->cases[0], 1) != CA_OK;
    t->bad += ca_alt_off(&t->cases[1]) != CA_OK;
    for (t->won = 0; t->won < SPAWN_ROUNDS && t->bad == 0; t->won++) {
        ALTS(g, t->cases, 2, 0);
        t->bad += GO_ALT(g) != 0 || GO_STATUS(g) != CA_OK;
    }
    t->won -= t->bad; /* a failed round does not count */
    PUT(g, t->done, &t->won);
    GO_END(g);
}

static void alts_deadline_only_spawned_pool(void)
{
    ca_sched s;
    ca_chan *done;
    int i, won, all = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&done, CA_FIXED, SPAWN_N, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    for (i = 0; i < SPAWN_N; i++)
        CA_ASSERT_RC(CA_GO_SPAWN(&s, timed_only, timed_only_fn, .done = done),
                     CA_OK);
    for (i = 0; i < SPAWN_N; i++) {
        won = -1;
        CA_ASSERT_RC(ca_take_blocking(done, &won), CA_OK);
        all += won;
    }
    CA_ASSERT_EQ(all, SPAWN_N * SPAWN_ROUNDS);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_free(done), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* Two fan-in consumers over the same four channels, on a pool of two
** workers: the putters' fast path claims one consumer's cases while the
** other consumer's ALTS, on the other thread, looks at and completes the
** same channels, and each claim is raced by the other group's (TSan
** watches the claim byte and the queues). Every value arrives exactly
** once, at one of the two. */
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
#define FAN2_N 500
typedef struct fanin2 {
    ca_go go;
    ca_chan **ch;
    ca_chan *done;
    unsigned char (*seen)[FAN2_N]; /* shared: each value's arrivals */
    ca_alt cases[4];
    int v, open, bad, got;
} fanin2;

static int fanin2_fn(ca_go *g)
{
    fanin2 *f = (fanin2 *)g;
    int k;

    GO_BEGIN(g);
    for (k = 0; k < 4; k++)
        if (ca_alt_take(&f->cases[k], f->ch[k], &f->v) != CA_OK)
            f->bad++;
    for (f->open = 4; f->open > 0;) {
        ALTS(g, f->cases, 4, 0);
        k = GO_ALT(g);
        if (GO_STATUS(g) == CA_CLOSED) {
            f->bad += ca_alt_off(&f->cases[k]) != CA_OK;
            f->open--;
        } else if (GO_STATUS(g) == CA_OK && f->v / 1000 == k &&
                   f->v % 1000 < FAN2_N) {
            f->seen[k][f->v % 1000]++; /* this value's only arrival */
            f->got++;
        } else {
            f->bad++;
            break;
        }
    }
    PUT(g, f->done, &f->bad);
    GO_END(g);
}

static void alts_claim_race_pool(void)
{
    static unsigned char seen[4][FAN2_N];
    ca_sched s;
    ichan c[4], done;
    ca_chan *chans[4];
    putter p[4];
    fanin2 f[2];
    int i, k, bad;

    memset(seen, 0, sizeof seen);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&done, CA_FIXED, 2);
    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], CA_UNBUFFERED, 0);
        chans[k] = &c[k].ch;
        putter_init(&p[k], &c[k].ch, k * 1000, FAN2_N, 0, 1);
    }
    for (i = 0; i < 2; i++) {
        memset(&f[i], 0, sizeof f[i]);
        f[i].ch = chans;
        f[i].done = &done.ch;
        f[i].seen = seen;
    }
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    for (i = 0; i < 2; i++)
        CA_ASSERT_RC(ca_go_start(&s, &f[i].go, fanin2_fn), CA_OK);
    for (k = 0; k < 4; k++)
        CA_ASSERT_RC(ca_go_start(&s, &p[k].go, putter_fn), CA_OK);
    for (i = 0; i < 2; i++) {
        bad = -1;
        CA_ASSERT_RC(ca_take_blocking(&done.ch, &bad), CA_OK);
        CA_ASSERT_EQ(bad, 0);
    }
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_EQ(f[0].got + f[1].got, 4 * FAN2_N);
    for (k = 0; k < 4; k++) {
        for (i = 0; i < FAN2_N; i++)
            if (seen[k][i] != 1)
                CA_ASSERT_EQ(seen[k][i], 1); /* once: no more, no less */
        CA_ASSERT_RC(p[k].status, CA_OK);
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_chan_destroy(&done.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* The fan-in in ca_alts_blocking, the putters on the default scheduler,
** which the blocking ALTS drives or another thread runs. */
static void alts_blocking_reuse_fanin(void)
{
    ichan c[4];
    putter p[4];
    ca_alt cases[4];
    size_t idx;
    int k, v = -1, open = 4, next[4] = {0, 0, 0, 0}, bad = 0, rc;

    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], CA_UNBUFFERED, 0);
        putter_init(&p[k], &c[k].ch, k * 1000, 250, 0, 1);
        CA_ASSERT_RC(ca_go_start(NULL, &p[k].go, putter_fn), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&cases[k], &c[k].ch, &v), CA_OK);
    }
    while (open > 0 && bad == 0) {
        idx = 99;
        rc = ca_alts_blocking(cases, 4, 0, &idx);
        if (idx > 3)
            bad++;
        else if (rc == CA_CLOSED) {
            CA_ASSERT_RC(ca_alt_off(&cases[idx]), CA_OK);
            open--;
        } else if (rc == CA_OK && v == (int)idx * 1000 + next[idx])
            next[idx]++;
        else
            bad++;
    }
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    for (k = 0; k < 4; k++) {
        CA_ASSERT_EQ(next[k], 250);
        CA_ASSERT_RC(p[k].status, CA_OK);
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
}

/* Random choice in ca_alts_blocking with reused cases: each of four wins
** at least 15% of 10,000 (as alts_reuse_fair). */
static void alts_blocking_reuse_fair(void)
{
    ichan c[4];
    ca_alt cases[4];
    long wins[4] = {0, 0, 0, 0};
    size_t idx;
    int k, i, v, bad = 0;

    for (k = 0; k < 4; k++) {
        ichan_init(&c[k], CA_FIXED, 1);
        OFFER(&c[k].ch, k);
        CA_ASSERT_RC(ca_alt_take(&cases[k], &c[k].ch, &v), CA_OK);
    }
    for (i = 0; i < 10000; i++) {
        idx = 99;
        v = -1;
        if (ca_alts_blocking(cases, 4, 0, &idx) != CA_OK || idx > 3 ||
            v != (int)idx) {
            bad++;
            break;
        }
        wins[idx]++;
        if (ca_offer(&c[idx].ch, &v) != CA_OK)
            bad++;
    }
    CA_ASSERT_EQ(bad, 0);
    for (k = 0; k < 4; k++) {
        CU_ASSERT(wins[k] >= 1500 && wins[k] <= 3500);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
}

/* Runs x's one ALTS over the cases it holds (not filled again) until it
** parks; x.alt is -1 until it wins. */
static void altgo_park(ca_sched *s, altgo *x)
{
    uint32_t next;

    memset(&x->go, 0, sizeof x->go);
    x->alt = -1;
    CA_ASSERT_RC(ca_go_start(s, &x->go, altgo_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(s, &next), CA_OK);
    CA_ASSERT_EQ(x->alt, -1);
}

/* A case filled again with another channel between two ALTS: the new
** channel is used and the old one is not touched, whether the ALTS
** completes at once or waits; a case switched off and on again; a copy
** of the array, and a shorter count, work as well. */
static void alts_reuse_change_case(void)
{
    ca_sched s;
    ichan c[4]; /* case k on c[k]; c[3] replaces c[1] */
    altgo x;
    ca_alt copy[3];
    size_t idx;
    uint32_t next;
    int k;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    /* The test completes what the block waits for: no deadlock. */
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    for (k = 0; k < 4; k++)
        ichan_init(&c[k], CA_FIXED, 1);
    altgo_init(&x, 3, CA_ALTS_PRIORITY);
    for (k = 0; k < 3; k++)
        CA_ASSERT_RC(ca_alt_take(&x.cases[k], &c[k].ch, &x.vals[k]), CA_OK);
    OFFER(&c[1].ch, 11);
    CA_ASSERT_RC(ca_alts_blocking(x.cases, 3, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    CA_ASSERT_EQ(x.vals[1], 11);

    /* Case 1 now takes from c[3]: a value in c[1] is not its. */
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &c[3].ch, &x.vals[1]), CA_OK);
    OFFER(&c[1].ch, 12);
    OFFER(&c[3].ch, 13);
    CA_ASSERT_RC(ca_alts_blocking(x.cases, 3, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 1);
    CA_ASSERT_EQ(x.vals[1], 13);
    CHECK_COUNT(&c[1].ch, 1);
    /* Waiting, it queues on c[3] and not on c[1]. */
    POLL_EQ(&c[1].ch, 12);
    altgo_park(&s, &x);
    for (k = 0; k < 4; k++)
        CHECK_PENDING(&c[k].ch, 0, k == 1 ? 0 : 1);
    OFFER(&c[3].ch, 14);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.alt, 1);
    CA_ASSERT_EQ(x.vals[1], 14);
    for (k = 0; k < 4; k++)
        CHECK_PENDING(&c[k].ch, 0, 0);

    /* Case 0 off: its ready channel is left alone, waiting or not. */
    CA_ASSERT_RC(ca_alt_off(&x.cases[0]), CA_OK);
    OFFER(&c[0].ch, 10);
    OFFER(&c[2].ch, 15);
    CA_ASSERT_RC(ca_alts_blocking(x.cases, 3, CA_ALTS_PRIORITY, &idx),
                 CA_OK);
    CA_ASSERT_EQ(idx, 2);
    CA_ASSERT_EQ(x.vals[2], 15);
    CHECK_COUNT(&c[0].ch, 1);
    altgo_park(&s, &x);
    CHECK_PENDING(&c[0].ch, 0, 0);
    CHECK_PENDING(&c[2].ch, 0, 1);
    CHECK_PENDING(&c[3].ch, 0, 1);
    OFFER(&c[2].ch, 16);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(x.alt, 2);
    CA_ASSERT_EQ(x.vals[2], 16);
    CHECK_COUNT(&c[0].ch, 1);
    /* ... and on again: it wins the value that waited. */
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &c[0].ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(x.cases, 3, CA_ALTS_PRIORITY, &idx),
                 CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_EQ(x.vals[0], 10);

    /* A copy of the cases, passed with a shorter count: case 2 is out. */
    memcpy(copy, x.cases, sizeof copy);
    memset(x.cases, 0, sizeof x.cases);
    OFFER(&c[2].ch, 17);
    OFFER(&c[3].ch, 18);
    for (k = 0; k < 2; k++) {
        CA_ASSERT_RC(ca_alts_blocking(copy, 2, 0, &idx), CA_OK);
        CA_ASSERT_EQ(idx, 1);
        CA_ASSERT_EQ(x.vals[1], 18);
        CHECK_COUNT(&c[2].ch, 1);
        OFFER(&c[3].ch, 18);
    }
    POLL_EQ(&c[2].ch, 17);
    POLL_EQ(&c[3].ch, 18);
    for (k = 0; k < 4; k++)
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Cases that share a channel, reused, then one changed so that all three
** do: a waiting ALTS queues each case once, and which of them the channel
** serves first stays random (each wins at least 20% of 3,000 rounds,
** expected a third, sd 26 wins: 15 sd). */
static void alts_reuse_shared_channel(void)
{
    ca_sched s;
    ichan a, b;
    altgo x;
    uint32_t next;
    long wins[3] = {0, 0, 0};
    int round, bad = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    ichan_init(&a, CA_FIXED, 1);
    ichan_init(&b, CA_FIXED, 1);
    altgo_init(&x, 3, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &b.ch, &x.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&x.cases[2], &a.ch, &x.vals[2]), CA_OK);
    for (round = 0; round < 2; round++) {
        altgo_park(&s, &x);
        CHECK_PENDING(&a.ch, 0, 2);
        CHECK_PENDING(&b.ch, 0, 1);
        OFFER(&a.ch, 40 + round);
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        CU_ASSERT(x.alt == 0 || x.alt == 2);
        CA_ASSERT_EQ(x.vals[x.alt == 2 ? 2 : 0], 40 + round);
        CHECK_PENDING(&a.ch, 0, 0);
        CHECK_PENDING(&b.ch, 0, 0);
    }
    CA_ASSERT_RC(ca_alt_take(&x.cases[1], &a.ch, &x.vals[1]), CA_OK);
    for (round = 0; round < 3000 && bad == 0; round++) {
        altgo_park(&s, &x);
        CHECK_PENDING(&a.ch, 0, 3);
        OFFER(&a.ch, round);
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        if (x.alt < 0 || x.alt > 2 || x.vals[x.alt] != round)
            bad++;
        else
            wins[x.alt]++;
        CHECK_PENDING(&a.ch, 0, 0);
    }
    CA_ASSERT_EQ(bad, 0);
    for (round = 0; round < 3; round++)
        CU_ASSERT(wins[round] >= 600);
    CHECK_PENDING(&b.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* More channel cases than the insertion sort takes (the merge sort
** orders them), filled once in an order unlike their channels', reused,
** then one moved to a new channel and one switched off. */
#define MANY 20
typedef struct many {
    ca_go go;
    ca_alt cases[MANY];
    int v, alt;
} many;

static int many_fn(ca_go *g)
{
    many *m = (many *)g;

    GO_BEGIN(g);
    ALTS(g, m->cases, MANY, 0);
    m->alt = GO_ALT(g);
    GO_END(g);
}

static void many_park(ca_sched *s, many *m)
{
    uint32_t next;

    memset(&m->go, 0, sizeof m->go);
    m->alt = -1;
    CA_ASSERT_RC(ca_go_start(s, &m->go, many_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(s, &next), CA_OK);
    CA_ASSERT_EQ(m->alt, -1);
}

static void alts_reuse_many(void)
{
    static ichan c[MANY + 1]; /* c[MANY] replaces case 3's channel */
    static many m;
    ca_sched s;
    size_t idx;
    uint32_t next;
    int j, k, r, bad = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    memset(&m, 0, sizeof m);
    for (j = 0; j <= MANY; j++)
        ichan_init(&c[j], CA_FIXED, 1);
    for (k = 0; k < MANY; k++) /* case k on c[7k mod 20]: a permutation */
        CA_ASSERT_RC(ca_alt_take(&m.cases[k], &c[k * 7 % MANY].ch, &m.v),
                     CA_OK);
    for (r = 0; r < 3; r++)
        for (j = 0; j < MANY; j++) {
            OFFER(&c[j].ch, j);
            idx = 99;
            if (ca_alts_blocking(m.cases, MANY, 0, &idx) != CA_OK ||
                idx >= MANY || (int)idx * 7 % MANY != j || m.v != j)
                bad++;
        }
    CA_ASSERT_EQ(bad, 0);
    many_park(&s, &m);
    for (j = 0; j <= MANY; j++)
        CHECK_PENDING(&c[j].ch, 0, j < MANY ? 1 : 0);
    OFFER(&c[7].ch, 70); /* case 1's */
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(m.alt, 1);
    CA_ASSERT_EQ(m.v, 70);

    /* Case 3 (on c[1]) moves to c[20], case 4 (on c[8]) is switched off. */
    CA_ASSERT_RC(ca_alt_take(&m.cases[3], &c[MANY].ch, &m.v), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&m.cases[4]), CA_OK);
    OFFER(&c[1].ch, 10);
    OFFER(&c[8].ch, 80);
    OFFER(&c[MANY].ch, 200);
    CA_ASSERT_RC(ca_alts_blocking(m.cases, MANY, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 3);
    CA_ASSERT_EQ(m.v, 200);
    POLL_EQ(&c[1].ch, 10);
    POLL_EQ(&c[8].ch, 80);
    many_park(&s, &m);
    for (j = 0; j <= MANY; j++)
        CHECK_PENDING(&c[j].ch, 0, j == 1 || j == 8 ? 0 : 1);
    OFFER(&c[MANY].ch, 201);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(m.alt, 3);
    CA_ASSERT_EQ(m.v, 201);
    for (j = 0; j <= MANY; j++) {
        CHECK_PENDING(&c[j].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[j].ch), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* A deadline case filled once counts from the start of each ALTS. */
static void alts_reuse_deadline(void)
{
    ca_sched s;
    fake_clock clk = {1000u, 0};
    ichan a;
    altgo x;
    uint32_t next;
    int i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &clk), CA_OK);
    ichan_init(&a, CA_FIXED, 1);
    altgo_init(&x, 2, 0);
    CA_ASSERT_RC(ca_alt_take(&x.cases[0], &a.ch, &x.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_deadline(&x.cases[1], 5), CA_OK);
    for (i = 0; i < 3; i++) {
        altgo_park(&s, &x);
        clk.now += DUE(5) - 1;
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        CA_ASSERT_EQ(x.alt, -1);
        clk.now += 1;
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        CA_ASSERT_EQ(x.alt, 1);
        CHECK_PENDING(&a.ch, 0, 0);
    }
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* An ALTS refused in pass 2 (CA_EFULL: a channel in the middle of the
** lock order has CA_CONFIG_MAX_PENDING takes waiting) takes back what it
** queued before that channel and touches no case after it: those were
** never queued, and their waiters still hold whatever the memory held
** (here all bits set, as if queued). Once with the full channel alone in
** its case, once in two. Then the same cases run again. */
static ca_op refused_ops[CA_CONFIG_MAX_PENDING];
static int refused_v[CA_CONFIG_MAX_PENDING];

static void alts_refused_in_the_middle(void)
{
    ichan c[3];
    ca_alt cases[4];
    size_t idx, n, k;
    int i, rc = CA_OK, v = 7, w = -1, twice;

    for (k = 0; k < 3; k++)
        ichan_init(&c[k], CA_UNBUFFERED, 0); /* ascending addresses */
    for (i = 0; i < CA_CONFIG_MAX_PENDING && rc == CA_OK; i++)
        rc = ca_take_async(&c[1].ch, &refused_ops[i], &refused_v[i], NULL);
    CA_ASSERT_RC(rc, CA_OK);
    for (twice = 0; twice < 2; twice++) {
        memset(cases, 0xff, sizeof cases);
        n = 0;
        CA_ASSERT_RC(ca_alt_take(&cases[n++], &c[2].ch, &w), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&cases[n++], &c[1].ch, &w), CA_OK);
        if (twice)
            CA_ASSERT_RC(ca_alt_take(&cases[n++], &c[1].ch, &w), CA_OK);
        CA_ASSERT_RC(ca_alt_take(&cases[n++], &c[0].ch, &w), CA_OK);
        CA_ASSERT_RC(ca_alts_blocking(cases, n, 0, &idx), CA_EFULL);
        CHECK_PENDING(&c[0].ch, 0, 0);
        CHECK_PENDING(&c[1].ch, 0, CA_CONFIG_MAX_PENDING);
        CHECK_PENDING(&c[2].ch, 0, 0);
    }
    for (i = 0; i < CA_CONFIG_MAX_PENDING; i++)
        CA_ASSERT_RC(ca_offer(&c[1].ch, &v), CA_OK);
    CA_ASSERT_RC(ca_put_async(&c[2].ch, &refused_ops[0], &v, NULL), CA_OK);
    CA_ASSERT_RC(ca_alts_blocking(cases, n, 0, &idx), CA_OK);
    CA_ASSERT_EQ(idx, 0);
    CA_ASSERT_EQ(w, 7);
    for (k = 0; k < 3; k++) {
        CHECK_PENDING(&c[k].ch, 0, 0);
        CA_ASSERT_RC(ca_chan_destroy(&c[k].ch), CA_OK);
    }
}

static const ca_test tests[] = {
    {"alts_random_fair", alts_random_fair},
    {"alts_random_only_ready", alts_random_only_ready},
    {"alts_priority", alts_priority},
    {"alts_random_take_put", alts_random_take_put},
    {"alts_default", alts_default},
    {"alts_deadline_fake_clock", alts_deadline_fake_clock},
    {"alts_deadline_real_clock", alts_deadline_real_clock},
    {"alts_deadline_cancelled", alts_deadline_cancelled},
    {"alts_deadline_zero", alts_deadline_zero},
    {"alts_closed", alts_closed},
    {"alts_parked_then_closed", alts_parked_then_closed},
    {"alts_mixed_put_take", alts_mixed_put_take},
    {"alts_same_channel_twice", alts_same_channel_twice},
    {"alts_no_self_match", alts_no_self_match},
    {"alts_bufferless", alts_bufferless},
    {"alts_losers_leave_nothing", alts_losers_leave_nothing},
    {"alts_write_on_closed", alts_write_on_closed},
    {"alts_cleanup_default", alts_cleanup_default},
    {"alts_cleanup_parked_losers", alts_cleanup_parked_losers},
#if CA_HAVE_MALLOC
    {"alts_losers_freed_blocks", alts_losers_freed_blocks},
#endif
    {"alts_off", alts_off},
    {"alts_case_args", alts_case_args},
    {"alts_invalid_in_go", alts_invalid_in_go},
    {"alts_blocking_immediate", alts_blocking_immediate},
    {"alts_blocking_fed_by_go", alts_blocking_fed_by_go},
    {"alts_blocking_deadline", alts_blocking_deadline},
    {"alts_blocking_deadlock", alts_blocking_deadlock},
    {"alts_blocking_invalid", alts_blocking_invalid},
    {"alts_blocking_random_fair", alts_blocking_random_fair},
    {"alts_reuse_fair", alts_reuse_fair},
    {"alts_reuse_fair_shifting", alts_reuse_fair_shifting},
    {"alts_reuse_fanin", alts_reuse_fanin},
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    {"alts_reuse_pool", alts_reuse_pool},
    {"alts_claim_race_pool", alts_claim_race_pool},
    {"alts_deadline_only_spawned_pool", alts_deadline_only_spawned_pool},
#endif
    {"alts_blocking_reuse_fanin", alts_blocking_reuse_fanin},
    {"alts_blocking_reuse_fair", alts_blocking_reuse_fair},
    {"alts_reuse_change_case", alts_reuse_change_case},
    {"alts_reuse_shared_channel", alts_reuse_shared_channel},
    {"alts_reuse_many", alts_reuse_many},
    {"alts_reuse_deadline", alts_reuse_deadline},
    {"alts_refused_in_the_middle", alts_refused_in_the_middle},
    {NULL, NULL}};

CA_TEST_MAIN("alts", tests)
