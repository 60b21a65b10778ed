/*
** test_inline.c: the inline part of a go block's TAKE and PUT of a word
** (go.h's ca__go_take_inline and ca__go_put_inline): values into and out
** of a ring in order, across its wrap, interleaved with the library's own
** ops on the same ring; and every case it leaves to the call: a full
** ring, an empty one, a waiter on the other side, a closed channel, a
** transform, the other kinds, a channel for interrupts, a size or a
** channel that does not fit, and, with threads, a process with another
** thread. Each op's status and value are checked, and the inline part's
** own count (its test hook) says which way each op went. MIT licence, see
** COPYING.
*/
#include <stdint.h>
#include <string.h>

/* What the inline part did: [1] takes, [0] puts. */
static unsigned long inline_ops[2];
#define CA__GO_INLINE_HIT(take) (inline_ops[(take)]++)
/* Forced on: the sanitizer builds have the trace, whose files the header
** leaves it out of (the trace wants the call's events); here it records
** none, and ASan and UBSan see it run. */
#define CA__GO_INLINE 1

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#define NOT_DONE (-100)

/* ------------------------------------------------------------ helpers */

/* Whether an op that fits may go inline in this process now: never in a
** build for size; with threads, only while the process has one. */
static int inline_now(void)
{
#if CA_CONFIG_SMALL
    return 0;
#else
    return CA__ALONE();
#endif
}

/* The inline part's counts since the last call, checked against the ops
** that should have gone inline (none when it cannot). */
#define CHECK_INLINE(puts, takes)                                            \
    do {                                                                     \
        CA_ASSERT_EQ(inline_ops[0], inline_now() ? (puts) : 0);             \
        CA_ASSERT_EQ(inline_ops[1], inline_now() ? (takes) : 0);            \
        inline_ops[0] = inline_ops[1] = 0;                                   \
    } while (0)

/* A channel of words with room for 8 in test storage. */
typedef struct wchan {
    ca_chan ch;
    intptr_t buf[8];
} wchan;

static void wchan_init(wchan *c, ca_buf_kind kind, size_t cap)
{
    CA_ASSERT_RC(ca_chan_init(&c->ch, kind, cap, sizeof(intptr_t),
                              cap ? c->buf : NULL,
                              cap ? sizeof c->buf : 0),
                 CA_OK);
}

/* A go block that runs a script of ops on one channel: 'p' puts the next
** of 100, 101, ...; 't' takes (its value, or -1 without one, into got).
** Every op's status is kept; runs counts the block's runs (1: nothing
** parked). */
typedef struct script {
    ca_go go;
    ca_chan *ch;
    const char *ops;
    size_t i, ngot;
    intptr_t next, pv, tv;
    intptr_t got[16];
    int status[16];
    int runs;
} script;

static int script_fn(ca_go *g)
{
    script *sc = (script *)g;

    sc->runs++;
    GO_BEGIN(g);
    for (; sc->ops[sc->i] != '\0'; sc->i++) {
        if (sc->ops[sc->i] == 't') {
            sc->tv = -1;
            TAKE(g, sc->ch, &sc->tv);
            sc->got[sc->ngot++] = GO_OK(g) ? sc->tv : -1;
        } else {
            sc->pv = sc->next++;
            PUT(g, sc->ch, &sc->pv);
        }
        sc->status[sc->i] = GO_STATUS(g);
    }
    GO_END(g);
}

static void script_start(ca_sched *s, script *sc, ca_chan *ch,
                         const char *ops, intptr_t first)
{
    size_t i;

    memset(sc, 0, sizeof *sc);
    sc->ch = ch;
    sc->ops = ops;
    sc->next = first;
    for (i = 0; i < 16; i++)
        sc->status[i] = NOT_DONE;
    CA_ASSERT_RC(ca_go_start(s, &sc->go, script_fn), CA_OK);
}


static void begin(ca_sched *s)
{
    held_begin(s);
    inline_ops[0] = inline_ops[1] = 0;
}

/* Runs a script to its end or its park: how far it got, its runs. */
#define CHECK_SCRIPT(sc, upto, nruns)                                        \
    do {                                                                     \
        CA_ASSERT_EQ((sc)->i, (upto));                                       \
        CA_ASSERT_EQ((sc)->runs, (nruns));                                   \
    } while (0)

/* The statuses of ops from..to-1 are all st. */
static void check_status(const script *sc, size_t from, size_t to, int st)
{
    for (; from < to; from++)
        CA_ASSERT_RC(sc->status[from], st);
}

static void poll_eq(ca_chan *ch, intptr_t want)
{
    intptr_t got = -12345;

    CA_ASSERT_RC(ca_poll(ch, &got), CA_OK);
    CA_ASSERT_EQ(got, want);
}

static void offer(ca_chan *ch, intptr_t v)
{
    CA_ASSERT_RC(ca_offer(ch, &v), CA_OK);
}

/* ---------------------------------------------------------- the ring */

/* Puts and takes that fit all go inline, first in, first out, across the
** ring's wrap (a ring of 3 whose head goes round twice), and agree with
** the library's own puts and takes on the same ring (ca_offer, ca_poll:
** one ring arithmetic, coreasync/chan.h). */
static void inline_ring_order_and_wrap(void)
{
    static const char ops[] = "pppttpptttppt";
    ca_sched s;
    wchan c;
    script sc;
    size_t i;

    begin(&s);
    wchan_init(&c, CA_FIXED, 3);
    script_start(&s, &sc, &c.ch, ops, 100);
    sc.go.u.w.status = CA_EBADCHAN; /* each op sets its own, inline too */
    held_settle(&s);
    CHECK_SCRIPT(&sc, strlen(ops), 1);
    check_status(&sc, 0, strlen(ops), CA_OK);
    CA_ASSERT_EQ(sc.ngot, 6);
    for (i = 0; i < 6; i++)
        CA_ASSERT_EQ(sc.got[i], 100 + (intptr_t)i);
    CHECK_INLINE(7, 6);
    CHECK_COUNT(&c.ch, 1);
    poll_eq(&c.ch, 106); /* the library's take of an inline put */
    offer(&c.ch, 7);     /* its puts, for inline takes */
    offer(&c.ch, 8);
    script_start(&s, &sc, &c.ch, "ttp", 200);
    sc.go.u.w.status = CA_EBADCHAN;
    held_settle(&s);
    CHECK_SCRIPT(&sc, 3, 1);
    check_status(&sc, 0, 3, CA_OK);
    CA_ASSERT_EQ(sc.got[0], 7);
    CA_ASSERT_EQ(sc.got[1], 8);
    CHECK_INLINE(1, 2);
    poll_eq(&c.ch, 200);
    CHECK_COUNT(&c.ch, 0);
    CHECK_PENDING(&c.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* A full ring: the put is the call's, and parks. A take then finds it
** waiting: the call's too, which refills the freed slot from the put and
** wakes it (a take inline would leave it waiting on a ring with room);
** the next takes, with nobody waiting, inline again. */
static void inline_full_ring(void)
{
    ca_sched s;
    wchan c;
    script p, t;

    begin(&s);
    wchan_init(&c, CA_FIXED, 2);
    script_start(&s, &p, &c.ch, "ppp", 1);
    held_settle(&s);
    CHECK_SCRIPT(&p, 2, 1); /* parked in its third put */
    CHECK_INLINE(2, 0);
    CHECK_PENDING(&c.ch, 1, 0);
    script_start(&s, &t, &c.ch, "t", 0);
    held_settle(&s);
    CHECK_SCRIPT(&t, 1, 1);
    CHECK_SCRIPT(&p, 3, 2);
    check_status(&p, 0, 3, CA_OK);
    CA_ASSERT_RC(t.status[0], CA_OK);
    CA_ASSERT_EQ(t.got[0], 1);
    CHECK_PENDING(&c.ch, 0, 0);
    CHECK_COUNT(&c.ch, 2);
    CHECK_INLINE(0, 0);
    script_start(&s, &t, &c.ch, "tt", 0);
    held_settle(&s);
    CHECK_SCRIPT(&t, 2, 1);
    check_status(&t, 0, 2, CA_OK);
    CA_ASSERT_EQ(t.got[0], 2);
    CA_ASSERT_EQ(t.got[1], 3);
    CHECK_INLINE(0, 2);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* An empty ring: the take is the call's, and parks. A put then finds it
** waiting: the call's too (a hand-off, not the ring); the next put, with
** nobody waiting, inline again. */
static void inline_empty_ring(void)
{
    ca_sched s;
    wchan c;
    script p, t;

    begin(&s);
    wchan_init(&c, CA_FIXED, 2);
    script_start(&s, &t, &c.ch, "t", 0);
    held_settle(&s);
    CHECK_SCRIPT(&t, 0, 1);
    CHECK_PENDING(&c.ch, 0, 1);
    script_start(&s, &p, &c.ch, "pp", 5);
    held_settle(&s);
    CHECK_SCRIPT(&p, 2, 1);
    CHECK_SCRIPT(&t, 1, 2);
    check_status(&p, 0, 2, CA_OK);
    CA_ASSERT_RC(t.status[0], CA_OK);
    CA_ASSERT_EQ(t.got[0], 5);
    CHECK_INLINE(1, 0);
    CHECK_COUNT(&c.ch, 1);
    poll_eq(&c.ch, 6);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* An ALTS that waits to take from an empty ring: a put finds its case
** (a waiter, if not a plain one), and the call hands the value to it. */
typedef struct altgo {
    ca_go go;
    ca_alt cases[2];
    intptr_t vals[2];
    int alt, status;
} altgo;

static int altgo_fn(ca_go *g)
{
    altgo *a = (altgo *)g;

    GO_BEGIN(g);
    ALTS(g, a->cases, 2, CA_ALTS_PRIORITY);
    a->alt = GO_ALT(g);
    a->status = GO_STATUS(g);
    GO_END(g);
}

static void inline_alts_waiter(void)
{
    ca_sched s;
    wchan c, other;
    altgo a;
    script p;

    begin(&s);
    wchan_init(&c, CA_FIXED, 2);
    wchan_init(&other, CA_UNBUFFERED, 0);
    memset(&a, 0, sizeof a);
    a.alt = -1;
    a.status = NOT_DONE;
    CA_ASSERT_RC(ca_alt_take(&a.cases[0], &other.ch, &a.vals[0]), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&a.cases[1], &c.ch, &a.vals[1]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, altgo_fn), CA_OK);
    held_settle(&s);
    CHECK_PENDING(&c.ch, 0, 1);
    script_start(&s, &p, &c.ch, "pp", 40);
    held_settle(&s);
    CHECK_SCRIPT(&p, 2, 1);
    check_status(&p, 0, 2, CA_OK);
    CA_ASSERT_EQ(a.alt, 1);
    CA_ASSERT_RC(a.status, CA_OK);
    CA_ASSERT_EQ(a.vals[1], 40);
    CHECK_INLINE(1, 0); /* the second, into the ring */
    poll_eq(&c.ch, 41);
    CHECK_PENDING(&other.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&other.ch), CA_OK);
    held_end(&s);
}

/* A closed ring still gives what it holds, then CA_CLOSED, and refuses
** puts: all the call's. */
static void inline_closed(void)
{
    ca_sched s;
    wchan c;
    script sc;

    begin(&s);
    wchan_init(&c, CA_FIXED, 4);
    script_start(&s, &sc, &c.ch, "pp", 1);
    held_settle(&s);
    CHECK_INLINE(2, 0);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    script_start(&s, &sc, &c.ch, "tttp", 9);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 4, 1);
    check_status(&sc, 0, 2, CA_OK);
    CA_ASSERT_RC(sc.status[2], CA_CLOSED);
    CA_ASSERT_RC(sc.status[3], CA_CLOSED);
    CA_ASSERT_EQ(sc.got[0], 1);
    CA_ASSERT_EQ(sc.got[1], 2);
    CA_ASSERT_EQ(sc.got[2], -1);
    CHECK_INLINE(0, 0);
    CHECK_COUNT(&c.ch, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

static int times_ten(void *ud, const void *in, void *out)
{
    (void)ud;
    *(intptr_t *)out = *(const intptr_t *)in * 10;
    return CA_OK;
}

/* A ring with a transform: its step runs on every put, so none inline,
** nor its takes (the ring sits behind the transform's header). */
static void inline_transform(void)
{
    static unsigned char storage[CA_XF_STORAGE(2, 1, sizeof(intptr_t))];
    ca_xf_map_t m;
    ca_chan c;
    ca_sched s;
    script sc;

    begin(&s);
    CA_ASSERT_RC(ca_xf_map(&m, times_ten, NULL, sizeof(intptr_t),
                           sizeof(intptr_t)),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&c, CA_FIXED, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL),
                 CA_OK);
    script_start(&s, &sc, &c, "pptt", 3);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 4, 1);
    check_status(&sc, 0, 4, CA_OK);
    CA_ASSERT_EQ(sc.got[0], 30);
    CA_ASSERT_EQ(sc.got[1], 40);
    CHECK_INLINE(0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c), CA_OK);
    held_end(&s);
}

/* Dropping, sliding and promise buffers keep their policies (the call's),
** and an unbuffered channel hands over. */
static void inline_other_kinds(void)
{
    static const struct {
        ca_buf_kind kind;
        size_t cap;
        const char *ops;
        intptr_t got0, got1;
    } cases[] = {{CA_DROPPING, 2, "ppptt", 1, 2},
                 {CA_SLIDING, 2, "ppptt", 2, 3},
                 {CA_PROMISE, 1, "pptt", 1, 1}};
    ca_sched s;
    wchan c;
    script sc, t;
    size_t i;

    begin(&s);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wchan_init(&c, cases[i].kind, cases[i].cap);
        script_start(&s, &sc, &c.ch, cases[i].ops, 1);
        held_settle(&s);
        CHECK_SCRIPT(&sc, strlen(cases[i].ops), 1);
        check_status(&sc, 0, strlen(cases[i].ops), CA_OK);
        CA_ASSERT_EQ(sc.got[0], cases[i].got0);
        CA_ASSERT_EQ(sc.got[1], cases[i].got1);
        CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    }
    wchan_init(&c, CA_UNBUFFERED, 0);
    script_start(&s, &t, &c.ch, "tt", 0);
    script_start(&s, &sc, &c.ch, "pp", 4);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 2, 2);
    CHECK_SCRIPT(&t, 2, 2);
    CA_ASSERT_EQ(t.got[0], 4);
    CA_ASSERT_EQ(t.got[1], 5);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CHECK_INLINE(0, 0);
    held_end(&s);
}

/* A ring declared for interrupts needs its section: the call's. */
static void inline_isr_ring(void)
{
    ca_sched s;
    wchan c;
    script sc;

    begin(&s);
    wchan_init(&c, CA_FIXED, 2);
    CA_ASSERT_RC(ca_chan_set_isr(&c.ch), CA_OK);
    script_start(&s, &sc, &c.ch, "pptt", 1);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 4, 1);
    check_status(&sc, 0, 4, CA_OK);
    CA_ASSERT_EQ(sc.got[0], 1);
    CA_ASSERT_EQ(sc.got[1], 2);
    CHECK_INLINE(0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    held_end(&s);
}

/* A channel of ca_chan_new (its flags carry OWNED) inlines as one of
** your storage. */
#if CA_HAVE_MALLOC
static void inline_owned_ring(void)
{
    ca_sched s;
    ca_chan *c;
    script sc;

    begin(&s);
    CA_ASSERT_RC(ca_chan_new(&c, CA_FIXED, 2, sizeof(intptr_t)), CA_OK);
    script_start(&s, &sc, c, "pptpt", 1);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 5, 1);
    check_status(&sc, 0, 5, CA_OK);
    CA_ASSERT_EQ(sc.got[0], 1);
    CA_ASSERT_EQ(sc.got[1], 2);
    CHECK_INLINE(3, 2);
    CA_ASSERT_RC(ca_chan_free(c), CA_OK);
    held_end(&s);
}
#endif

/* What does not fit is refused by the call as before: a ring of another
** element size or an unbuffered channel of one (CA_EINVAL: the inline
** part's first test sends neither to the entry that skips the tests), a
** destroyed or zeroed channel (CA_EBADCHAN), no channel (CA_EINVAL);
** nothing moves. */
static void inline_misfits(void)
{
    ca_sched s;
    ca_chan ints, shorts, zero;
    int ibuf[2];
    wchan c;
    script sc;

    begin(&s);
    if (sizeof(int) != sizeof(intptr_t)) {
        CA_ASSERT_RC(ca_chan_init(&ints, CA_FIXED, 2, sizeof(int), ibuf,
                                  sizeof ibuf),
                     CA_OK);
        script_start(&s, &sc, &ints, "pt", 1);
        held_settle(&s);
        CHECK_SCRIPT(&sc, 2, 1);
        CA_ASSERT_RC(sc.status[0], CA_EINVAL);
        CA_ASSERT_RC(sc.status[1], CA_EINVAL);
        CHECK_COUNT(&ints, 0);
        CA_ASSERT_RC(ca_chan_destroy(&ints), CA_OK);
    }
    CA_ASSERT_EQ(sizeof(short) != sizeof(intptr_t), 1);
    CA_ASSERT_RC(ca_chan_init(&shorts, CA_UNBUFFERED, 0, sizeof(short), NULL,
                              0),
                 CA_OK);
    script_start(&s, &sc, &shorts, "pt", 1);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 2, 1);
    CA_ASSERT_RC(sc.status[0], CA_EINVAL);
    CA_ASSERT_RC(sc.status[1], CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&shorts), CA_OK);
    wchan_init(&c, CA_FIXED, 2);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    script_start(&s, &sc, &c.ch, "pt", 1);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 2, 1);
    CA_ASSERT_RC(sc.status[0], CA_EBADCHAN);
    CA_ASSERT_RC(sc.status[1], CA_EBADCHAN);
    memset(&zero, 0, sizeof zero);
    script_start(&s, &sc, &zero, "pt", 1);
    held_settle(&s);
    CA_ASSERT_RC(sc.status[0], CA_EBADCHAN);
    CA_ASSERT_RC(sc.status[1], CA_EBADCHAN);
    script_start(&s, &sc, NULL, "pt", 1);
    held_settle(&s);
    CHECK_SCRIPT(&sc, 2, 1);
    CA_ASSERT_RC(sc.status[0], CA_EINVAL);
    CA_ASSERT_RC(sc.status[1], CA_EINVAL);
    CHECK_INLINE(0, 0);
    held_end(&s);
}

/* ------------------------------------------------- another thread */

#if CA_HAVE_THREADS
typedef struct feed {
    ca_chan *ch;
    int rc;
} feed;

static void *feeder(void *arg)
{
    feed *f = (feed *)arg;
    intptr_t i;

    for (i = 0; i < 1000 && f->rc == CA_OK; i++)
        f->rc = ca_put_blocking(f->ch, &i);
    if (f->rc == CA_OK)
        f->rc = ca_close(f->ch);
    return NULL;
}

typedef struct sum {
    ca_go go;
    ca_chan *ch;
    intptr_t v, expect;
    long n, out_of_order;
} sum;

static int sum_fn(ca_go *g)
{
    GO_BEGIN_SELF(g, sum, m);
    TAKE_EACH(g, m->ch, &m->v) {
        if (m->v != m->expect)
            m->out_of_order++;
        m->expect = m->v + 1;
        m->n++;
    }
    GO_END(g);
}

/* Once the process has made a thread, nothing inlines (glibc never says
** "one thread" again), and values still cross in order, from a thread's
** blocking puts to a block's takes and back. Last: see there. */
static void inline_another_thread(void)
{
    static wchan c;
    static sum m;
    ca_sched s;
    feed f;
    pthread_t th;
    script sc;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    wchan_init(&c, CA_FIXED, 4);
    memset(&m, 0, sizeof m);
    m.ch = &c.ch;
    f.ch = &c.ch;
    f.rc = CA_OK;
    CA_ASSERT_RC(ca_go_start(&s, &m.go, sum_fn), CA_OK);
    CA_ASSERT_EQ(pthread_create(&th, NULL, feeder, &f), 0);
    CA_ASSERT_EQ(CA__ALONE(), 0);
    inline_ops[0] = inline_ops[1] = 0;
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(pthread_join(th, NULL), 0);
    CA_ASSERT_RC(f.rc, CA_OK);
    CA_ASSERT_EQ(m.n, 1000);
    CA_ASSERT_EQ(m.out_of_order, 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    /* A ring that fits, the thread gone: the call's still. */
    wchan_init(&c, CA_FIXED, 2);
    script_start(&s, &sc, &c.ch, "pptt", 1);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CHECK_SCRIPT(&sc, 4, 1);
    check_status(&sc, 0, 4, CA_OK);
    CA_ASSERT_EQ(sc.got[0], 1);
    CA_ASSERT_EQ(sc.got[1], 2);
    CA_ASSERT_EQ(inline_ops[0], 0);
    CA_ASSERT_EQ(inline_ops[1], 0);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* The ops that fit went inline in the tests before the thread's, where
** the build can tell a process of one thread: this says so, so that a
** build that quietly never inlines (a header that lost its test) fails. */
static void inline_happens(void)
{
#if !CA_CONFIG_SMALL && CA__HAVE_ALONE
    CA_ASSERT_EQ(inline_now(), 1);
#endif
}

static const ca_test tests[] = {
    {"inline_happens", inline_happens}, /* before any thread exists */
    {"inline_ring_order_and_wrap", inline_ring_order_and_wrap},
    {"inline_full_ring", inline_full_ring},
    {"inline_empty_ring", inline_empty_ring},
    {"inline_alts_waiter", inline_alts_waiter},
    {"inline_closed", inline_closed},
    {"inline_transform", inline_transform},
    {"inline_other_kinds", inline_other_kinds},
    {"inline_isr_ring", inline_isr_ring},
#if CA_HAVE_MALLOC
    {"inline_owned_ring", inline_owned_ring},
#endif
    {"inline_misfits", inline_misfits},
#if CA_HAVE_THREADS
    {"inline_another_thread", inline_another_thread}, /* last: see there */
#endif
    {NULL, NULL}};

CA_TEST_MAIN("inline", tests)
