/*
** test_sched.c: the scheduler: run and step, deadlock detection, reports
** of parked blocks (ca_sched_parked, ca_sched_dump), outside references
** (ca_sched_ref), the run queue's order, misuse from inside a go block,
** life and death of schedulers. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <coreasync.h>

#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#include "ca_test.h"

/* ------------------------------------------------------------ helpers */

/* The lines where the blocks below park, noted as they run. */
static unsigned take_line, put_line, alts_line;

typedef struct parked_t {
    ca_go go;
    ca_chan *in;
    int v, status, runs;
} parked_t;

static int parked_taker(ca_go *g)
{
    parked_t *t = (parked_t *)g;

    t->runs++;
    GO_BEGIN(g);
    take_line = __LINE__ + 1;
    TAKE(g, t->in, &t->v);
    t->status = GO_STATUS(g);
    GO_END(g);
}

typedef struct parked_p {
    ca_go go;
    ca_chan *out;
    int v, status;
} parked_p;

static int parked_putter(ca_go *g)
{
    parked_p *p = (parked_p *)g;

    GO_BEGIN(g);
    put_line = __LINE__ + 1;
    PUT(g, p->out, &p->v);
    p->status = GO_STATUS(g);
    GO_END(g);
}

typedef struct parked_a {
    ca_go go;
    ca_alt cases[3];
    int v, alt;
} parked_a;

static int parked_alts(ca_go *g)
{
    parked_a *a = (parked_a *)g;

    GO_BEGIN(g);
    alts_line = __LINE__ + 1;
    ALTS(g, a->cases, 3, 0);
    a->alt = GO_ALT(g);
    GO_END(g);
}

typedef struct napper {
    ca_go go;
    uint32_t ms;
    int done;
} napper;

static int napper_fn(ca_go *g)
{
    napper *n = (napper *)g;

    GO_BEGIN(g);
    SLEEP(g, n->ms);
    n->done = 1;
    GO_END(g);
}

/* Yields until *stop is set, counting its runs. */
typedef struct spinner {
    ca_go go;
    const int *stop;
    int runs;
    int max; /* 0: no limit */
} spinner;

static int spinner_fn(ca_go *g)
{
    spinner *sp = (spinner *)g;

    sp->runs++;
    GO_BEGIN(g);
    while (!*sp->stop && (sp->max == 0 || sp->runs < sp->max))
        YIELD(g);
    GO_END(g);
}

/* ------------------------------------------------------------ life */

static void sched_life(void)
{
    ca_sched s;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_destroy(NULL), CA_EINVAL);
    CU_ASSERT(ca_sched_default() != NULL);
    CU_ASSERT(ca_sched_default() == ca_sched_default());
    CA_ASSERT_RC(ca_sched_destroy(ca_sched_default()), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* nothing to do */
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    /* Storage can be used again. */
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Live blocks keep a scheduler from being destroyed: started and not yet
** run, or parked. */
static void sched_destroy_busy(void)
{
    ca_sched s;
    ichan c;
    parked_t t;
    int v = 4;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    t.in = &c.ch;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EBUSY);
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(t.v, 4);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
}

/* ------------------------------------------------------------ order */

typedef struct orderly {
    ca_go go;
    int id;
    int *log, *n;
} orderly;

static int orderly_fn(ca_go *g)
{
    orderly *o = (orderly *)g;

    GO_BEGIN(g);
    o->log[(*o->n)++] = o->id;
    GO_END(g);
}

/* Blocks start in FIFO order; run returns CA_OK once all have finished. */
static void sched_fifo(void)
{
    ca_sched s;
    orderly o[6];
    int log[6], n = 0, i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < 6; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].id = i;
        o[i].log = log;
        o[i].n = &n;
        CA_ASSERT_RC(ca_go_start(&s, &o[i].go, orderly_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(n, 6);
    for (i = 0; i < 6; i++)
        CA_ASSERT_EQ(log[i], i);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* -------------------------------------------------------------- deadlock */

/* Blocks parked with no timer and no reference: CA_EDEADLOCK at once,
** from run and from step; a pending timer is not a deadlock. */
static void sched_deadlock(void)
{
    ca_sched s;
    ichan c;
    parked_t t;
    napper n;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    t.in = &c.ch;
    t.status = -100;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* and again */
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_EDEADLOCK);
    CA_ASSERT_EQ(t.runs, 1);
    /* A sleeping block: not a deadlock while its timer is pending. */
    memset(&n, 0, sizeof n);
    n.ms = 5;
    CA_ASSERT_RC(ca_go_start(&s, &n.go, napper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CU_ASSERT(next <= DUE(5));
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* after the nap */
    CA_ASSERT_EQ(n.done, 1);
    CA_ASSERT_RC(ca_close(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(t.status, CA_CLOSED);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------- reports */

typedef struct report {
    ca_parked p[8];
    int n;
} report;

static void collect(const ca_parked *p, void *ud)
{
    report *r = (report *)ud;

    if (r->n < 8)
        r->p[r->n] = *p;
    r->n++;
}

#if !CA_CONFIG_TINY_GO
static const ca_parked *find(const report *r, const char *func)
{
    int i;

    for (i = 0; i < r->n && i < 8; i++)
        if (r->p[i].func != NULL && strcmp(r->p[i].func, func) == 0)
            return &r->p[i];
    return NULL;
}
#endif

#if CA_CONFIG_TINY_GO
/* A build with CA_CONFIG_TINY_GO keeps no list of its blocks: the
** deadlock is still found, and the reports that would name the parked
** blocks refuse with CA_ENOTSUP, after the usual checks of their
** arguments. */
static void sched_parked_tiny(void)
{
    ca_sched s;
    ichan in, l, r;
    parked_t t;
    parked_a a;
    report rep;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&l, CA_UNBUFFERED, 0);
    ichan_init(&r, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    memset(&a, 0, sizeof a);
    t.in = &in.ch;
    CA_ASSERT_RC(ca_alt_take(&a.cases[0], &l.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&a.cases[1], &r.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&a.cases[2]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, parked_alts), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);

    memset(&rep, 0, sizeof rep);
    CA_ASSERT_RC(ca_sched_parked(&s, NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_parked(&s, collect, &rep), CA_ENOTSUP);
    CA_ASSERT_EQ(rep.n, 0);
    CA_ASSERT_RC(ca_sched_dump(&s, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_dump(&s, stderr), CA_ENOTSUP);

    CA_ASSERT_RC(ca_close(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_close(&l.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&l.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
}
#else
/* ca_sched_parked names every block parked in TAKE, PUT or ALTS with its
** function, file, line, op, argument and channel (or cases); sleeping,
** ready and never-run blocks are not parked. */
static void sched_parked_report(void)
{
    ca_sched s;
    fake_clock fc = {0u, 0u};
    ichan in, out, l, r;
    parked_t t;
    parked_p p;
    parked_a a;
    napper n;
    spinner sp, fresh;
    report rep;
    const ca_parked *q;
    int stop = 0, v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&out, CA_UNBUFFERED, 0);
    ichan_init(&l, CA_UNBUFFERED, 0);
    ichan_init(&r, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    memset(&p, 0, sizeof p);
    memset(&a, 0, sizeof a);
    memset(&n, 0, sizeof n);
    memset(&sp, 0, sizeof sp);
    memset(&fresh, 0, sizeof fresh);
    t.in = &in.ch;
    p.out = &out.ch;
    p.v = 3;
    CA_ASSERT_RC(ca_alt_take(&a.cases[0], &l.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&a.cases[1], &r.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&a.cases[2]), CA_OK);
    n.ms = 10000;
    sp.stop = &stop;
    fresh.stop = &stop;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, parked_putter), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, parked_alts), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &n.go, napper_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &sp.go, spinner_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    /* Started after the step: never ran. */
    CA_ASSERT_RC(ca_go_start(&s, &fresh.go, spinner_fn), CA_OK);

    memset(&rep, 0, sizeof rep);
    CA_ASSERT_EQ(ca_sched_parked(&s, collect, &rep), 3);
    CA_ASSERT_EQ(rep.n, 3);
    q = find(&rep, "parked_taker");
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT(strcmp(q->file, __FILE__) == 0);
    CA_ASSERT_EQ(q->line, take_line);
    CU_ASSERT(strcmp(q->op, "TAKE") == 0);
    CU_ASSERT(strcmp(q->expr, "t->in") == 0);
    CU_ASSERT(q->chan == &in.ch);
    CU_ASSERT(q->cases == NULL);
    CA_ASSERT_EQ(q->ncases, 0);
    q = find(&rep, "parked_putter");
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT(strcmp(q->file, __FILE__) == 0);
    CA_ASSERT_EQ(q->line, put_line);
    CU_ASSERT(strcmp(q->op, "PUT") == 0);
    CU_ASSERT(strcmp(q->expr, "p->out") == 0);
    CU_ASSERT(q->chan == &out.ch);
    q = find(&rep, "parked_alts");
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT(strcmp(q->file, __FILE__) == 0);
    CA_ASSERT_EQ(q->line, alts_line);
    CU_ASSERT(strcmp(q->op, "ALTS") == 0);
    CU_ASSERT(strcmp(q->expr, "a->cases") == 0);
    CU_ASSERT(q->chan == NULL);
    CU_ASSERT(q->cases == a.cases);
    CA_ASSERT_EQ(q->ncases, 3);
    CU_ASSERT(find(&rep, "napper_fn") == NULL);
    CU_ASSERT(find(&rep, "spinner_fn") == NULL);
    CA_ASSERT_RC(ca_sched_parked(&s, NULL, NULL), CA_EINVAL);

    /* Wake them all and finish. */
    stop = 1;
    v = 8;
    CA_ASSERT_RC(ca_offer(&in.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_OK);
    CA_ASSERT_RC(ca_poll(&r.ch, &v), CA_OK);
    memset(&rep, 0, sizeof rep);
    CA_ASSERT_EQ(ca_sched_parked(&s, collect, &rep), 0); /* all ready */
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_OK);
    memset(&rep, 0, sizeof rep);
    CA_ASSERT_EQ(ca_sched_parked(&s, collect, &rep), 0);
    CA_ASSERT_EQ(t.v, 8);
    CA_ASSERT_EQ(a.alt, 1);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_EBUSY); /* the napper */
    CA_ASSERT_EQ(n.done, 0);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* the fake clock jumps */
    CA_ASSERT_EQ(n.done, 1);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CHECK_PENDING(&l.ch, 0, 0);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&l.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
}

typedef struct reporter {
    ca_go go;
    ca_sched *s;
    ca_chan *in;
    int v, n;
    report rep;
} reporter;

/* Parks once (so that it has a site to be reported at), then reports
** from inside its own function. */
static int reporter_fn(ca_go *g)
{
    reporter *r = (reporter *)g;

    GO_BEGIN(g);
    TAKE(g, r->in, &r->v);
    memset(&r->rep, 0, sizeof r->rep);
    r->n = ca_sched_parked(r->s, collect, &r->rep);
    GO_END(g);
}

/* A block that calls ca_sched_parked from its function is running, not
** parked: the report names the others only. */
static void sched_parked_not_self(void)
{
    ca_sched s;
    ichan in, other;
    parked_t t;
    reporter r;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&other, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    memset(&r, 0, sizeof r);
    t.in = &other.ch;
    r.s = &s;
    r.in = &in.ch;
    r.n = -1;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &r.go, reporter_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    OFFER(&in.ch, 5);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* the taker is left */
    CA_ASSERT_EQ(r.v, 5);
    CA_ASSERT_EQ(r.n, 1);
    CA_ASSERT_EQ(r.rep.n, 1);
    CU_ASSERT(find(&r.rep, "parked_taker") != NULL);
    CU_ASSERT(find(&r.rep, "reporter_fn") == NULL);
    CA_ASSERT_RC(ca_close(&other.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&other.ch), CA_OK);
}

/* ca_sched_dump: one line per parked block naming function, file:line,
** op, argument and the channel by its name. */
static void sched_dump(void)
{
    ca_sched s;
    ichan in, l, r, anon;
    parked_t t, t2;
    parked_a a;
    FILE *f;
    char buf[CA_TEST_SMALL ? 1024 : 4096], want[512]; /* 3 lines */
    size_t len;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&in, CA_UNBUFFERED, 0);
    ichan_init(&l, CA_UNBUFFERED, 0);
    ichan_init(&r, CA_UNBUFFERED, 0);
    ichan_init(&anon, CA_UNBUFFERED, 0);
    CA_ASSERT_RC(ca_chan_set_name(&in.ch, "primes"), CA_OK);
    CA_ASSERT_RC(ca_chan_set_name(&l.ch, "left"), CA_OK);
    CA_ASSERT_RC(ca_chan_set_name(&r.ch, "right"), CA_OK);
    memset(&t, 0, sizeof t);
    memset(&t2, 0, sizeof t2);
    memset(&a, 0, sizeof a);
    t.in = &in.ch;
    t2.in = &anon.ch;
    CA_ASSERT_RC(ca_alt_take(&a.cases[0], &l.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_put(&a.cases[1], &r.ch, &a.v), CA_OK);
    CA_ASSERT_RC(ca_alt_off(&a.cases[2]), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &a.go, parked_alts), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t2.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);

    CA_ASSERT_RC(ca_sched_dump(&s, NULL), CA_EINVAL);
    f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    CA_ASSERT_EQ(ca_sched_dump(&s, f), 3);
    rewind(f);
    len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    snprintf(want, sizeof want,
             "  parked_taker (%s:%u) parked in TAKE(t->in) on channel "
             "\"primes\"\n",
             __FILE__, take_line);
    CU_ASSERT(strstr(buf, want) != NULL);
    snprintf(want, sizeof want,
             "  parked_alts (%s:%u) parked in ALTS(a->cases)", __FILE__,
             alts_line);
    CU_ASSERT(strstr(buf, want) != NULL);
    {
        /* The ALTS line names both of its channels. */
        const char *line = strstr(buf, want), *end;
        if (line != NULL) {
            end = strchr(line, '\n');
            CU_ASSERT(end != NULL);
            snprintf(want, sizeof want, "%.*s",
                     (int)(end != NULL ? end - line : 0), line);
            CU_ASSERT(strstr(want, "\"left\"") != NULL);
            CU_ASSERT(strstr(want, "\"right\"") != NULL);
        }
    }
    /* Three lines in all, the unnamed channel's too. */
    {
        int lines = 0;
        char *c;
        for (c = buf; *c != '\0'; c++)
            lines += *c == '\n';
        CA_ASSERT_EQ(lines, 3);
    }

    CA_ASSERT_RC(ca_close(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_close(&l.ch), CA_OK);
    CA_ASSERT_RC(ca_close(&anon.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    CA_ASSERT_EQ(ca_sched_dump(&s, f), 0);
    CA_ASSERT_EQ(ftell(f), 0);
    fclose(f);
    CA_ASSERT_RC(ca_chan_destroy(&in.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&l.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&anon.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* ---------------------------------------------------------- references */

/* With a reference held, a parked block is not a deadlock: step says
** CA_OK and keeps waiting; the test then completes the op from outside. */
static void sched_ref_step(void)
{
    ca_sched s;
    ichan c;
    parked_t t;
    uint32_t next = 0;
    int i, v = 61;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    t.in = &c.ch;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    for (i = 0; i < 3; i++) {
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        CA_ASSERT_EQ(next, CA_FOREVER);
    }
    CA_ASSERT_EQ(t.runs, 1);
    CA_ASSERT_RC(ca_offer(&c.ch, &v), CA_OK); /* the outside source */
    for (i = 0; i < 10 && t.runs < 2; i++)
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(t.runs, 2);
    CA_ASSERT_EQ(t.v, 61);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* References are counted; ending one that was never taken is refused. */
static void sched_ref_count(void)
{
    ca_sched s;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_unref(&s), CA_EINVAL);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_THREADS
/* Another thread holds a reference while it will complete the op:
** ca_sched_run waits for it instead of reporting a deadlock. */
static void sched_ref_thread(void)
{
    ca_sched s;
    ichan c;
    parked_t t;
    outside o;
    pthread_t th;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    t.in = &c.ch;
    t.status = -100;
    memset(&o, 0, sizeof o);
    o.s = &s;
    o.ch = &c.ch;
    o.v = 90;
    o.rc = o.unref_rc = -100;
    CA_ASSERT_RC(ca_go_start(&s, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, NULL), CA_EDEADLOCK); /* t parks */
    CA_ASSERT_RC(ca_sched_ref(&s), CA_OK);
    CA_ASSERT_EQ(pthread_create(&th, NULL, outside_thread, &o), 0);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(pthread_join(th, NULL), 0);
    CA_ASSERT_RC(o.rc, CA_OK);
    CA_ASSERT_RC(o.unref_rc, CA_OK);
    CA_ASSERT_RC(t.status, CA_OK);
    CA_ASSERT_EQ(t.v, 90);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

/* ---------------------------------------------------------------- step */

/* One step runs each block that is ready at most once, and says when it
** must be called again. */
static void sched_step_each_once(void)
{
    ca_sched s;
    spinner sp[3];
    int stop = 0, i, round, bad = 0;
    uint32_t next = 99;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < 3; i++) {
        memset(&sp[i], 0, sizeof sp[i]);
        sp[i].stop = &stop;
        sp[i].max = 5 + i;
        CA_ASSERT_RC(ca_go_start(&s, &sp[i].go, spinner_fn), CA_OK);
    }
    for (round = 1; round <= 4; round++) {
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        CA_ASSERT_EQ(next, 0); /* they are ready again */
        for (i = 0; i < 3; i++)
            bad += sp[i].runs != round;
    }
    CA_ASSERT_EQ(bad, 0);
    for (round = 0; round < 10; round++)
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    for (i = 0; i < 3; i++)
        CA_ASSERT_EQ(sp[i].runs, 5 + i);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Ping-pong: each step still runs each block at most once, even when one
** wakes the other. */
typedef struct bouncer {
    ca_go go;
    ca_chan *in, *out;
    int i, v, runs, serve;
} bouncer;

static int bouncer_fn(ca_go *g)
{
    bouncer *b = (bouncer *)g;

    b->runs++;
    GO_BEGIN(g);
    for (b->i = 0; b->i < 20; b->i++) {
        if (b->serve) {
            PUT(g, b->out, &b->i);
            TAKE(g, b->in, &b->v);
        } else {
            TAKE(g, b->in, &b->v);
            PUT(g, b->out, &b->v);
        }
    }
    GO_END(g);
}

static void sched_step_pingpong(void)
{
    ca_sched s;
    ichan ab, ba;
    bouncer a, b;
    int steps = 0, bad = 0, ra, rb;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    ichan_init(&ab, CA_UNBUFFERED, 0);
    ichan_init(&ba, CA_UNBUFFERED, 0);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.out = b.in = &ab.ch;
    a.in = b.out = &ba.ch;
    a.serve = 1;
    CA_ASSERT_RC(ca_go_start(&s, &a.go, bouncer_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &b.go, bouncer_fn), CA_OK);
    do {
        ra = a.runs;
        rb = b.runs;
        CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
        bad += a.runs - ra > 1 || b.runs - rb > 1;
        steps++;
    } while (next == 0 && steps < 1000);
    CA_ASSERT_EQ(bad, 0);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_EQ(a.v, 19);
    CA_ASSERT_EQ(b.v, 19);
    CA_ASSERT_RC(ca_chan_destroy(&ab.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ba.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* next_ms on a fake clock: the time to the next timer. */
static void sched_step_next_ms(void)
{
    ca_sched s;
    fake_clock fc = {7u, 0u};
    napper n1, n2;
    uint32_t next = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, NULL, &fc), CA_OK);
    memset(&n1, 0, sizeof n1);
    memset(&n2, 0, sizeof n2);
    n1.ms = 50;
    n2.ms = 80;
    CA_ASSERT_RC(ca_go_start(&s, &n1.go, napper_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &n2.go, napper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(50));
    fc.now += 20;
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(next, DUE(50) - 20);
    fc.now = 7 + DUE(50);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(n1.done, 1);
    CA_ASSERT_EQ(n2.done, 0);
    CA_ASSERT_EQ(next, DUE(80) - DUE(50));
    fc.now = 7 + DUE(80);
    CA_ASSERT_RC(ca_sched_step(&s, &next), CA_OK);
    CA_ASSERT_EQ(n2.done, 1);
    CA_ASSERT_EQ(next, CA_FOREVER);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* While only timers are pending, run waits for them through the clock's
** idle hook, then returns CA_OK. */
static void sched_run_waits_for_timers(void)
{
    ca_sched s;
    fake_clock fc = {100u, 0u};
    ca_timeout_chan tc;
    napper n;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    CA_ASSERT_RC(ca_timeout_init(&s, &tc, 300), CA_OK);
    memset(&n, 0, sizeof n);
    n.ms = 200;
    CA_ASSERT_RC(ca_go_start(&s, &n.go, napper_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(n.done, 1);
    CA_ASSERT_EQ(ca_closed(&tc.ch), 1);
    CU_ASSERT(fc.idles > 0);
    CU_ASSERT(fc.now >= 400u);
    CA_ASSERT_RC(ca_chan_destroy(&tc.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ca_sched_now reads the scheduler's clock: the fake one we gave it, or
** the platform's, which moves forward with real time. */
static void sched_now(void)
{
    ca_sched s;
    fake_clock fc = {0xfffffff0u, 0u};
    struct timespec ts = {0, 20 * 1000000L};
    uint32_t t0, t1;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    t0 = ca_sched_now(&s);
    nanosleep(&ts, NULL);
    t1 = ca_sched_now(&s);
    CU_ASSERT((uint32_t)(t1 - t0) >= 20u);
    CU_ASSERT((uint32_t)(t1 - t0) < 5000u);
    t0 = ca_sched_now(NULL);
    nanosleep(&ts, NULL);
    CU_ASSERT((uint32_t)(ca_sched_now(NULL) - t0) >= 20u);
    CA_ASSERT_RC(ca_sched_set_clock(&s, fake_now, fake_idle, &fc), CA_OK);
    CA_ASSERT_EQ(ca_sched_now(&s), 0xfffffff0u);
    fc.now += 0x20;
    CA_ASSERT_EQ(ca_sched_now(&s), 0x10u);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ---------------------------------------------------------------- misuse */

/* Driving a scheduler from inside one of its own blocks is refused, and
** the run goes on. */
typedef struct driver {
    ca_go go;
    int run_rc, step_rc, run_default_rc;
    int after;
} driver;

static int driver_fn(ca_go *g)
{
    driver *d = (driver *)g;

    GO_BEGIN(g);
    d->run_rc = ca_sched_run(ca_go_sched(g));
    d->step_rc = ca_sched_step(ca_go_sched(g), NULL);
    YIELD(g);
    d->after = 1;
    GO_END(g);
}

static void sched_run_from_go(void)
{
    ca_sched s;
    driver d, dd;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&d, 0, sizeof d);
    CA_ASSERT_RC(ca_go_start(&s, &d.go, driver_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(d.run_rc, CA_EPERM);
    CA_ASSERT_RC(d.step_rc, CA_EPERM);
    CA_ASSERT_EQ(d.after, 1);
    /* The same on the default scheduler. */
    memset(&dd, 0, sizeof dd);
    CA_ASSERT_RC(ca_go_start(NULL, &dd.go, driver_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(dd.run_rc, CA_EPERM);
    CA_ASSERT_RC(dd.step_rc, CA_EPERM);
    CA_ASSERT_EQ(dd.after, 1);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* Blocks of two schedulers do not mix: each runs only its own. */
static void sched_independent(void)
{
    ca_sched s1, s2;
    orderly a, b;
    int log[2], n = 0;

    CA_ASSERT_RC(ca_sched_init(&s1), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s2), CA_OK);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.id = 1;
    b.id = 2;
    a.log = b.log = log;
    a.n = b.n = &n;
    CA_ASSERT_RC(ca_go_start(&s1, &a.go, orderly_fn), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s2, &b.go, orderly_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s2), CA_OK);
    CA_ASSERT_EQ(n, 1);
    CA_ASSERT_EQ(log[0], 2);
    CA_ASSERT_RC(ca_sched_destroy(&s1), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s1), CA_OK);
    CA_ASSERT_EQ(n, 2);
    CA_ASSERT_EQ(log[1], 1);
    CA_ASSERT_RC(ca_sched_destroy(&s1), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s2), CA_OK);
}

/* A block of one scheduler wakes a block of another: the woken block
** runs when its own scheduler runs, not before. */
static void sched_cross_wake(void)
{
    ca_sched s1, s2;
    ichan c;
    parked_t t;
    parked_p p;

    if (UNDER_TSAN)
        return; /* needs a provable deadlock (ca_test.h) */
    CA_ASSERT_RC(ca_sched_init(&s1), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s2), CA_OK);
    ichan_init(&c, CA_UNBUFFERED, 0);
    memset(&t, 0, sizeof t);
    memset(&p, 0, sizeof p);
    t.in = p.out = &c.ch;
    t.status = p.status = -100;
    p.v = 14;
    CA_ASSERT_RC(ca_go_start(&s1, &t.go, parked_taker), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s1), CA_EDEADLOCK);
    CA_ASSERT_RC(ca_go_start(&s2, &p.go, parked_putter), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s2), CA_OK);
    CA_ASSERT_RC(p.status, CA_OK);
    CA_ASSERT_EQ(t.runs, 1); /* woken, not yet run */
    CA_ASSERT_EQ(t.v, 14);   /* the value is already there */
    CA_ASSERT_RC(ca_sched_destroy(&s1), CA_EBUSY);
    CA_ASSERT_RC(ca_sched_run(&s1), CA_OK);
    CA_ASSERT_EQ(t.runs, 2);
    CA_ASSERT_RC(t.status, CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&c.ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s1), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s2), CA_OK);
}

/* A go function that answers something no macro returns: the block
** ends there, as if it had finished without a value. */
typedef struct odd_answer {
    ca_go go;
    int runs, idle_rc;
} odd_answer;

static int odd_answer_fn(ca_go *g)
{
    odd_answer *o = (odd_answer *)g;

    o->runs++;
    /* From inside a block, idling would put its own driver to sleep. */
    o->idle_rc = ca_sched_idle(ca_go_sched(g), 5);
    return 12345;
}

static void sched_odd_answer(void)
{
    ca_sched s, zeroed;
    odd_answer o;
    ca_chan r;
    int buf[1], v;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    memset(&o, 0, sizeof o);
    memset(&zeroed, 0, sizeof zeroed);
    CA_ASSERT_EQ(ca_sched_now(&zeroed), 0);
    CA_ASSERT_RC(ca_chan_init(&r, CA_FIXED, 1, sizeof(int), buf, sizeof buf),
                 CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&o.go, &r), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &o.go, odd_answer_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(o.runs, 1);
    CA_ASSERT_RC(o.idle_rc, CA_EPERM);
    CA_ASSERT_RC(ca_poll(&r, &v), CA_CLOSED); /* ended, with no value */
    CA_ASSERT_RC(ca_go_start(&s, &o.go, odd_answer_fn), CA_OK); /* again */
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(o.runs, 2);
    CA_ASSERT_RC(ca_chan_destroy(&r), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

static const ca_test tests[] = {
    {"sched_life", sched_life},
    {"sched_odd_answer", sched_odd_answer},
    {"sched_destroy_busy", sched_destroy_busy},
    {"sched_fifo", sched_fifo},
    {"sched_deadlock", sched_deadlock},
#if CA_CONFIG_TINY_GO
    {"sched_parked_tiny", sched_parked_tiny},
#else
    {"sched_parked_report", sched_parked_report},
    {"sched_parked_not_self", sched_parked_not_self},
    {"sched_dump", sched_dump},
#endif
    {"sched_ref_step", sched_ref_step},
    {"sched_ref_count", sched_ref_count},
#if CA_HAVE_THREADS
    {"sched_ref_thread", sched_ref_thread},
#endif
    {"sched_step_each_once", sched_step_each_once},
    {"sched_step_pingpong", sched_step_pingpong},
    {"sched_step_next_ms", sched_step_next_ms},
    {"sched_run_waits_for_timers", sched_run_waits_for_timers},
    {"sched_now", sched_now},
    {"sched_run_from_go", sched_run_from_go},
    {"sched_independent", sched_independent},
    {"sched_cross_wake", sched_cross_wake},
    {NULL, NULL}};

CA_TEST_MAIN("sched", tests)
