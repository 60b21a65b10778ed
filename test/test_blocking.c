/*
** test_blocking.c: ca_take_blocking and ca_put_blocking (core.async's <!!
** and >!!) from the test's own thread, with go blocks on the default
** scheduler that complete them; closed channels; deadlock detection;
** misuse inside a go block; timeouts. MIT licence, see COPYING.
*/
#include <stdint.h>
#include <string.h>

#include <coreasync.h>

#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#include "ca_test.h"

/* ------------------------------------------------------------ helpers */

/* The shared putter and taker, started on the default scheduler. */
static void putter_start(putter *p, ca_chan *ch, int first, int n,
                         uint32_t nap, int close_after)
{
    putter_init(p, ch, first, n, nap, close_after);
    CA_ASSERT_RC(ca_go_start(NULL, &p->go, putter_fn), CA_OK);
}

static void taker_start(taker *t, ca_chan *ch, uint32_t nap)
{
    taker_init(t, ch, nap);
    CA_ASSERT_RC(ca_go_start(NULL, &t->go, taker_fn), CA_OK);
}

/* ------------------------------------------------------------- with go */

/* A go block on the default scheduler puts; the test takes, blocking, and
** so drives the scheduler. */
static void blocking_take_from_go(void)
{
    ichan c;
    putter p;
    int v = -1;

    ichan_init(&c, CA_UNBUFFERED, 0);
    putter_start(&p, &c.ch, 42, 1, 0, 0);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 42);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(p.status, CA_OK);
    /* And one that naps first. */
    putter_start(&p, &c.ch, 43, 1, 10, 0);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 43);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* The test puts, blocking; a go block takes. */
static void blocking_put_to_go(void)
{
    ichan c;
    taker t;
    int v = 7;

    ichan_init(&c, CA_UNBUFFERED, 0);
    taker_start(&t, &c.ch, 0);
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(t.v, 7);
    CA_ASSERT_RC(t.status, CA_OK);
    taker_start(&t, &c.ch, 10);
    v = 8;
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(t.v, 8);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* A stream: 1000 values from a go block, then close; the test takes them
** all in order, then CA_CLOSED. */
static void blocking_stream(void)
{
    ichan c;
    putter p;
    int v, i, bad = 0;

    ichan_init(&c, CA_FIXED, 3);
    putter_start(&p, &c.ch, 0, 1000, 0, 1);
    for (i = 0; i < 1000; i++) {
        v = -1;
        if (ca_take_blocking(&c.ch, &v) != CA_OK || v != i)
            bad++;
    }
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* --------------------------------------------------------------- at once */

static void blocking_immediate(void)
{
    ichan c;
    int v = 5;

    ichan_init(&c, CA_FIXED, 2);
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    v = 6;
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    CHECK_COUNT(&c.ch, 2);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 5);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 6);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* Closed channels: put refused, buffered values still taken, then
** CA_CLOSED; a close by a go block ends a blocked take. */
static void blocking_closed(void)
{
    ichan c, d;
    putter closer;
    int v = 9;

    ichan_init(&c, CA_FIXED, 2);
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    v = 10;
    CA_ASSERT_RC(ca_put_blocking(&c.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 9);
    v = -1;
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_CLOSED);
    CA_ASSERT_EQ(v, -1);

    ichan_init(&d, CA_UNBUFFERED, 0);
    putter_start(&closer, &d.ch, 0, 0, 10, 1); /* naps, puts none, closes */
    CA_ASSERT_RC(ca_take_blocking(&d.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_put_blocking(&d.ch, &v), CA_CLOSED);
    CHECK_PENDING(&d.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&d.ch), CA_OK);
}

/* -------------------------------------------------------------- deadlock */

/* Nothing can ever complete the op: CA_EDEADLOCK, and the channel is left
** as it was, with no pending op. Also with a go block parked elsewhere. */
static void blocking_deadlock(void)
{
    ichan u, full, other;
    taker stuck;
    int v = -1;

    ichan_init(&u, CA_UNBUFFERED, 0);
    ichan_init(&full, CA_FIXED, 1);
    ichan_init(&other, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_take_blocking(&u.ch, &v), CA_EDEADLOCK);
    CHECK_PENDING(&u.ch, 0, 0);
    CA_ASSERT_EQ(v, -1);
    v = 3;
    CA_ASSERT_RC(ca_put_blocking(&u.ch, &v), CA_EDEADLOCK);
    CHECK_PENDING(&u.ch, 0, 0);
    CA_ASSERT_RC(ca_put_blocking(&full.ch, &v), CA_OK);
    v = 4;
    CA_ASSERT_RC(ca_put_blocking(&full.ch, &v), CA_EDEADLOCK);
    CHECK_PENDING(&full.ch, 0, 0);
    CHECK_COUNT(&full.ch, 1);

    /* A go block parked on another channel cannot help. */
    taker_start(&stuck, &other.ch, 0);
    CA_ASSERT_RC(ca_take_blocking(&u.ch, &v), CA_EDEADLOCK);
    CHECK_PENDING(&u.ch, 0, 0);
    CHECK_PENDING(&other.ch, 0, 1);
    /* The channel still works afterwards. */
    v = 12;
    CA_ASSERT_RC(ca_put_blocking(&other.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(stuck.v, 12);
    CA_ASSERT_RC(ca_take_blocking(&full.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 3);
    CA_ASSERT_RC(ca_chan_destroy(&u.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&full.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&other.ch), CA_OK);
}

/* ---------------------------------------------------------------- misuse */

/* Inside a go block the blocking calls are refused at once, and touch
** nothing. */
typedef struct misuser {
    ca_go go;
    ca_chan *ch;
    ca_alt cases[1];
    int v;
    size_t idx;
    int take_rc, put_rc, alts_rc;
} misuser;

static int misuser_fn(ca_go *g)
{
    misuser *m = (misuser *)g;

    GO_BEGIN(g);
    m->take_rc = ca_take_blocking(m->ch, &m->v);
    m->v = 77;
    m->put_rc = ca_put_blocking(m->ch, &m->v);
    (void)ca_alt_take(&m->cases[0], m->ch, &m->v);
    m->alts_rc = ca_alts_blocking(m->cases, 1, 0, &m->idx);
    GO_END(g);
}

static void blocking_in_go(void)
{
    ca_sched s;
    ichan c;
    misuser m, md;
    int v = 1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_FIXED, 2);
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK); /* take and alts could work */
    memset(&m, 0, sizeof m);
    m.ch = &c.ch;
    CA_ASSERT_RC(ca_go_start(&s, &m.go, misuser_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(m.take_rc, CA_EPERM);
    CA_ASSERT_RC(m.put_rc, CA_EPERM);
    CA_ASSERT_RC(m.alts_rc, CA_EPERM);
    CHECK_COUNT(&c.ch, 1);
    /* On the default scheduler too. */
    memset(&md, 0, sizeof md);
    md.ch = &c.ch;
    CA_ASSERT_RC(ca_go_start(NULL, &md.go, misuser_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(md.take_rc, CA_EPERM);
    CA_ASSERT_RC(md.put_rc, CA_EPERM);
    CA_ASSERT_RC(md.alts_rc, CA_EPERM);
    CHECK_COUNT(&c.ch, 1);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(v, 1);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static void blocking_bad_args(void)
{
    ichan c;
    ca_chan dead;
    int v = 0;

    ichan_init(&c, CA_FIXED, 1);
    memset(&dead, 0, sizeof dead);
    CA_ASSERT_RC(ca_take_blocking(NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_put_blocking(NULL, &v), CA_EINVAL);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_put_blocking(&c.ch, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_take_blocking(&dead, &v), CA_EBADCHAN);
    CA_ASSERT_RC(ca_put_blocking(&dead, &v), CA_EBADCHAN);
    CHECK_COUNT(&c.ch, 0);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* ---------------------------------------------------------------- timers */

/* A blocking take from a timeout: CA_CLOSED, not before the delay. */
static void blocking_take_timeout(void)
{
    ca_timeout_chan tc;
    uint32_t t0, t1;

    t0 = tick_ms();
    CA_ASSERT_RC(ca_timeout_init(NULL, &tc, 30), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&tc.ch, NULL), CA_CLOSED);
    t1 = tick_ms();
    CU_ASSERT((uint32_t)(t1 - t0) >= 30u);
    CU_ASSERT((uint32_t)(t1 - t0) < 5000u);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
#if CA_HAVE_MALLOC
    {
        ca_chan *t;
        t0 = tick_ms();
        CA_ASSERT_RC(ca_timeout(NULL, 20, &t), CA_OK);
        CA_ASSERT_RC(ca_take_blocking(t, NULL), CA_CLOSED);
        t1 = tick_ms();
        CU_ASSERT((uint32_t)(t1 - t0) >= 20u);
        CA_ASSERT_RC(ca_chan_free(t), CA_OK);
    }
#endif
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
}

/* While the test blocks, sleeping go blocks and timers of the default
** scheduler keep running. */
static void blocking_drives_timers(void)
{
    ichan c;
    putter p[3];
    int v, i, sum = 0;
    uint32_t t0 = tick_ms();

    ichan_init(&c, CA_UNBUFFERED, 0);
    for (i = 0; i < 3; i++)
        putter_start(&p[i], &c.ch, 100 * (i + 1), 1, (uint32_t)(5 * (3 - i)),
                     0);
    for (i = 0; i < 3; i++) {
        v = 0;
        CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
        CU_ASSERT(v == 100 || v == 200 || v == 300);
        sum += v;
    }
    CA_ASSERT_EQ(sum, 600);
    /* The last value came after the longest nap. */
    CU_ASSERT((uint32_t)(tick_ms() - t0) >= 15u);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

#if CA_HAVE_THREADS
/* Another thread, declared with ca_sched_ref, completes the blocked take:
** no deadlock is reported while it may. */
static void blocking_ref_thread(void)
{
    ichan c;
    outside o;
    pthread_t th;
    int v = -1;

    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&o, 0, sizeof o);
    o.ch = &c.ch;
    o.v = 31;
    o.blocking = 1;
    o.rc = o.unref_rc = -100;
    CA_ASSERT_RC(ca_sched_ref(NULL), CA_OK);
    CA_ASSERT_EQ(pthread_create(&th, NULL, outside_thread, &o), 0);
    CA_ASSERT_RC(ca_take_blocking(&c.ch, &v), CA_OK);
    CA_ASSERT_EQ(pthread_join(th, NULL), 0);
    CA_ASSERT_EQ(v, 31);
    CA_ASSERT_RC(o.rc, CA_OK);
    CA_ASSERT_RC(o.unref_rc, CA_OK);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}
#endif

static const ca_test tests[] = {
    {"blocking_take_from_go", blocking_take_from_go},
    {"blocking_put_to_go", blocking_put_to_go},
    {"blocking_stream", blocking_stream},
    {"blocking_immediate", blocking_immediate},
    {"blocking_closed", blocking_closed},
    {"blocking_deadlock", blocking_deadlock},
    {"blocking_in_go", blocking_in_go},
    {"blocking_bad_args", blocking_bad_args},
    {"blocking_take_timeout", blocking_take_timeout},
    {"blocking_drives_timers", blocking_drives_timers},
#if CA_HAVE_THREADS
    {"blocking_ref_thread", blocking_ref_thread},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("blocking", tests)
