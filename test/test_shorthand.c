/*
** test_shorthand.c: the shorthands of <coreasync/shorthand.h> and the
** wait group of <coreasync/group.h>. MIT licence, see COPYING.
*/
#include <string.h>

#include "ca_test.h"

/* ------------------------------------------------------ GO_STATE, SELF */

GO_STATE(summer, ca_chan *in; int v; long sum; int status;);

static int summer(ca_go *g)
{
    GO_BEGIN_SELF(g, struct summer, p);
    TAKE_EACH(g, p->in, &p->v)
        p->sum += p->v;
    p->status = GO_STATUS(g);
    GO_END(g);
}

/* TAKE_EACH runs its body once per value, in order, and ends at close
** with the channel's CA_CLOSED; GO_BEGIN_SELF's pointer is the struct. */
static void shorthand_take_each_sums_until_close(void)
{
    static struct summer s;
    ca_chan ch;
    int buf[4], i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 4, sizeof(int), buf, sizeof buf),
                 CA_OK);
    s.in = &ch;
    CA_ASSERT_RC(ca_go_start(NULL, &s.go, summer), CA_OK);
    for (i = 1; i <= 10; i++)
        CA_ASSERT_RC(ca_put_blocking(&ch, &i), CA_OK);
    CA_ASSERT_RC(ca_close(&ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(s.sum, 55);
    CA_ASSERT_EQ(s.status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A TAKE_EACH whose TAKE is refused (a long into a channel of short)
** ends at once with the error, and the body never runs. */
static void shorthand_take_each_stops_on_error(void)
{
    static struct summer s;
    ca_chan ch;
    short buf[2];

    memset(&s, 0, sizeof s);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 2, sizeof(short), buf,
                              sizeof buf), CA_OK);
    s.in = &ch;
    CA_ASSERT_RC(ca_go_start(NULL, &s.go, summer), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(s.sum, 0);
    CA_ASSERT_EQ(s.status, CA_EINVAL);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

GO_STATE(picky, ca_chan *in; int v; int seen; int last;);

/* break and continue act on the TAKE_EACH loop. */
static int picky(ca_go *g)
{
    GO_BEGIN_SELF(g, struct picky, p);
    TAKE_EACH(g, p->in, &p->v) {
        if (p->v % 2 == 0)
            continue;
        p->seen++;
        if (p->v >= 5)
            break;
    }
    p->last = p->v;
    GO_END(g);
}

static void shorthand_take_each_break_continue(void)
{
    static struct picky p;
    ca_chan ch;
    int buf[8], i;

    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 8, sizeof(int), buf, sizeof buf),
                 CA_OK);
    for (i = 1; i <= 8; i++)
        CA_ASSERT_RC(ca_offer(&ch, &i), CA_OK);
    p.in = &ch;
    CA_ASSERT_RC(ca_go_start(NULL, &p.go, picky), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(p.seen, 3); /* 1, 3, 5 */
    CA_ASSERT_EQ(p.last, 5);
    CHECK_COUNT(&ch, 3); /* 6, 7, 8 left */
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

#if CA_HAVE_MALLOC
/* ------------------------------------------------ CA_GO_SPAWN, CHAN_NEW */

GO_STATE(sender, ca_chan *out; int from, to, i;);

static int sender(ca_go *g)
{
    GO_BEGIN_SELF(g, struct sender, p);
    for (p->i = p->from; p->i <= p->to; p->i++)
        PUT(g, p->out, &p->i);
    ca_close(p->out);
    GO_END(g);
}

/* The spawned block sees the fields given, and its struct is freed when
** it ends (the leak checkers of CI would see it otherwise). */
static void shorthand_spawn_fills_fields(void)
{
    static struct summer s;
    ca_chan *ch;

    memset(&s, 0, sizeof s);
    CA_ASSERT_RC(CA_CHAN_NEW(&ch, int, 2), CA_OK);
    CA_ASSERT_RC(CA_GO_SPAWN(NULL, struct sender, sender, .out = ch,
                             .from = 3, .to = 6), CA_OK);
    s.in = ch;
    CA_ASSERT_RC(ca_go_start(NULL, &s.go, summer), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(s.sum, 3 + 4 + 5 + 6);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
}

/* CA_CHAN_NEW: 0 is unbuffered, more a fixed buffer, of the type's size. */
static void shorthand_chan_new_typed(void)
{
    ca_chan *a, *b;
    ca_chan_info i;
    double d = 2.5;

    CA_ASSERT_RC(CA_CHAN_NEW(&a, double, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(a, &i), CA_OK);
    CA_ASSERT_EQ(i.kind, CA_UNBUFFERED);
    CA_ASSERT_EQ(i.elem_size, sizeof(double));
    CA_ASSERT_RC(CA_CHAN_NEW(&b, double, 3), CA_OK);
    CA_ASSERT_RC(ca_chan_inspect(b, &i), CA_OK);
    CA_ASSERT_EQ(i.kind, CA_FIXED);
    CA_ASSERT_EQ(i.capacity, 3);
    CA_ASSERT_RC(ca_offer(b, &d), CA_OK);
    CA_ASSERT_RC(ca_chan_free(a), CA_OK);
    CA_ASSERT_RC(ca_chan_free(b), CA_OK);
}

static void shorthand_spawn_bad_input(void)
{
    ca_sched dead;

    memset(&dead, 0, sizeof dead);
    CA_ASSERT_RC(ca_go_spawn(NULL, NULL, NULL, sizeof(struct sender)),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_go_spawn(NULL, sender, NULL, sizeof(ca_go) - 1),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_go_spawn(&dead, sender, NULL, sizeof(struct sender)),
                 CA_EINVAL);
    /* A NULL init is a zeroed struct: a sender from 0 to 0 on no channel
    ** ends at once, its PUT refused. */
    CA_ASSERT_RC(ca_go_spawn(NULL, sender, NULL, sizeof(struct sender)),
                 CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
}
#endif

/* ------------------------------------------------------------ ca_group */

GO_STATE(member, ca_group *wg; ca_chan *gate; int *ended;);

static int member(ca_go *g)
{
    GO_BEGIN_SELF(g, struct member, p);
    TAKE_SIGNAL(g, p->gate); /* until the gate closes */
    (*p->ended)++;
    ca_group_done(p->wg);
    GO_END(g);
}

GO_STATE(waiter, ca_group *wg; int *ended; int saw; int status;);

static int waiter(ca_go *g)
{
    GO_BEGIN_SELF(g, struct waiter, p);
    GROUP_WAIT(g, p->wg);
    p->status = GO_STATUS(g);
    p->saw = *p->ended;
    GO_END(g);
}

/* GROUP_WAIT parks until the last member is done, and then reads CA_OK;
** the members that end first do not let it go. */
static void group_wait_in_go_block(void)
{
    static struct member m[3];
    static struct waiter w;
    ca_group wg;
    ca_chan gate;
    int i, ended = 0;

    CA_ASSERT_RC(ca_chan_init(&gate, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_group_init(&wg, 2), CA_OK);
    CA_ASSERT_RC(ca_group_add(&wg, 1), CA_OK);
    w.wg = &wg;
    w.ended = &ended;
    w.saw = -1;
    CA_ASSERT_RC(ca_go_start(NULL, &w.go, waiter), CA_OK);
    for (i = 0; i < 3; i++) {
        m[i].wg = &wg;
        m[i].gate = &gate;
        m[i].ended = &ended;
        CA_ASSERT_RC(ca_go_start(NULL, &m[i].go, member), CA_OK);
    }
    /* Everybody runs until parked; the waiter must still be waiting. */
    for (i = 0; i < 2; i++) {
        int rc = ca_sched_step(NULL, NULL);
        CU_ASSERT(rc == CA_OK || rc == CA_EDEADLOCK);
    }
    CA_ASSERT_EQ(w.saw, -1);
    CA_ASSERT_EQ(ended, 0);
    CA_ASSERT_RC(ca_close(&gate), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_EQ(w.status, CA_OK);
    CA_ASSERT_EQ(w.saw, 3);
    CA_ASSERT_RC(ca_group_destroy(&wg), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&gate), CA_OK);
}

/* A thread's wait: returns at once for a group of 0, and after the last
** done otherwise (here the members run in the scheduler that the
** blocking call drives, or a pool's). */
static void group_wait_blocking(void)
{
    static struct member m[2];
    ca_group wg;
    ca_chan gate;
    int i, ended = 0;

    CA_ASSERT_RC(ca_group_init(&wg, 0), CA_OK);
    CA_ASSERT_RC(ca_group_wait_blocking(&wg), CA_OK);
    CA_ASSERT_RC(ca_group_add(&wg, 1), CA_CLOSED); /* it is over */
    CA_ASSERT_RC(ca_group_destroy(&wg), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&gate, CA_UNBUFFERED, 0, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_close(&gate), CA_OK);
    CA_ASSERT_RC(ca_group_init(&wg, 2), CA_OK);
    for (i = 0; i < 2; i++) {
        m[i].wg = &wg;
        m[i].gate = &gate;
        m[i].ended = &ended;
        CA_ASSERT_RC(ca_go_start(NULL, &m[i].go, member), CA_OK);
    }
    CA_ASSERT_RC(ca_group_wait_blocking(&wg), CA_OK);
    CA_ASSERT_EQ(ended, 2);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_group_destroy(&wg), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&gate), CA_OK);
}

static void group_bad_input(void)
{
    ca_group wg, dead;

    memset(&dead, 0, sizeof dead);
    CA_ASSERT_RC(ca_group_init(NULL, 1), CA_EINVAL);
    CA_ASSERT_RC(ca_group_add(NULL, 1), CA_EINVAL);
    CA_ASSERT_RC(ca_group_done(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_group_wait_blocking(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_group_destroy(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_group_add(&dead, 1), CA_EBADCHAN);
    CA_ASSERT_RC(ca_group_done(&dead), CA_EBADCHAN);
    CA_ASSERT_RC(ca_group_destroy(&dead), CA_EBADCHAN);
    CA_ASSERT_RC(ca_group_init(&wg, 1), CA_OK);
    CA_ASSERT_RC(ca_group_add(&wg, (unsigned long)-1), CA_ERANGE);
    CA_ASSERT_RC(ca_group_destroy(&wg), CA_EBUSY); /* one still counted */
    CA_ASSERT_RC(ca_group_done(&wg), CA_OK);
    CA_ASSERT_RC(ca_group_done(&wg), CA_EINVAL); /* one too many */
    CA_ASSERT_RC(ca_group_destroy(&wg), CA_OK);
    CA_ASSERT_RC(ca_group_done(&wg), CA_EBADCHAN);
}


/* ------------------------------------------------------------ ALTS_OF */

GO_STATE(chooser, ca_alt cases[3]; ca_chan *in; int v, won, status;);

static int choose_of(ca_go *g)
{
    GO_BEGIN_SELF(g, struct chooser, c);
    ALTS_OF(g, c->cases, CA_ALTS_PRIORITY, CA_CASE_TAKE(c->in, &c->v),
            CA_CASE_OFF(), CA_CASE_DEADLINE(3));
    c->won = GO_ALT(g);
    c->status = GO_STATUS(g);
    GO_END(g);
}

static int choose_bad(ca_go *g)
{
    GO_BEGIN_SELF(g, struct chooser, c);
    ALTS_OF(g, c->cases, 0, CA_CASE_TAKE(c->in, (int *)NULL),
            CA_CASE_DEFAULT());
    c->status = GO_STATUS(g);
    GO_END(g);
}

static void shorthand_alts_of(void)
{
    ca_sched s;
    struct chooser c;
    ichan ch;
    int v = 41;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&ch, CA_FIXED, 1);

    /* Nothing to take: the deadline (case 2) wins, after a park. */
    memset(&c, 0, sizeof c);
    c.in = &ch.ch;
    c.won = -1;
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_of), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 2);
    CA_ASSERT_RC(c.status, CA_OK);

    /* A value waits: the take (case 0) wins at once. */
    CA_ASSERT_RC(ca_offer(&ch.ch, &v), CA_OK);
    memset(&c, 0, sizeof c);
    c.in = &ch.ch;
    c.won = -1;
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_of), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(c.won, 0);
    CA_ASSERT_EQ(c.v, 41);

    /* A take with no destination is refused, as ca_alt_take refuses it. */
    memset(&c, 0, sizeof c);
    c.in = &ch.ch;
    CA_ASSERT_RC(ca_go_start(&s, &c.go, choose_bad), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(c.status, CA_EINVAL);

    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch.ch), CA_OK);
}

static const ca_test tests[] = {
    {"shorthand_take_each_sums_until_close",
     shorthand_take_each_sums_until_close},
    {"shorthand_take_each_stops_on_error", shorthand_take_each_stops_on_error},
    {"shorthand_take_each_break_continue", shorthand_take_each_break_continue},
#if CA_HAVE_MALLOC
    {"shorthand_spawn_fills_fields", shorthand_spawn_fills_fields},
    {"shorthand_chan_new_typed", shorthand_chan_new_typed},
    {"shorthand_spawn_bad_input", shorthand_spawn_bad_input},
#endif
    {"shorthand_alts_of", shorthand_alts_of},
    {"group_wait_in_go_block", group_wait_in_go_block},
    {"group_wait_blocking", group_wait_blocking},
    {"group_bad_input", group_bad_input},
    {NULL, NULL}};

CA_TEST_MAIN("shorthand", tests)
