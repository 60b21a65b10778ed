/*
** test_xf_fast.c: the fast paths of a channel with a transform (issue 9's
** W10): a go block's PUT runs the step in xf.c's put_op and its TAKE
** reads the ring as from any channel, and ca_xf_comp runs a run of map,
** filter, remove and keep as one loop, building the last output in the
** ring. Each case runs three ways with the same outcome: go blocks with
** the taker parked first (each put has a take to serve: the general way),
** go blocks with the putter running ahead (the fast paths; the small ring
** fills, the put parks, takes refill it through the step), and offer and
** poll (the general way). MIT licence, see COPYING.
*/
#include <stdint.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#define N_MAX 48
#define ERR (-50) /* a step's own error code */

/* An output larger than a word, whose parts are checked one by one. */
struct big {
    int a, b;
    unsigned char pad[32];
};

/* partition_all 3 of ints. */
struct group3 {
    uint32_t count;
    int v[3];
};

static unsigned char storage[CA_XF_STORAGE(N_MAX, 4, sizeof(struct big))];

/* ------------------------------------------------------------ functions */

static int triple(void *ud, const void *in, void *out)
{
    int v = *(const int *)in * 3;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

static int inc(void *ud, const void *in, void *out)
{
    int v = *(const int *)in + 1;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

/* triple, which fails on 5 after writing its output: a failed step's
** output, built in the ring or not, must never be seen. */
static int triple_but_5(void *ud, const void *in, void *out)
{
    int v = 999;

    memcpy(out, &v, sizeof v);
    return *(const int *)in == 5 ? ERR : triple(ud, in, out);
}

static int is_even(void *ud, const void *v)
{
    (void)ud;
    return *(const int *)v % 2 == 0;
}

static int never(void *ud, const void *v)
{
    (void)ud;
    (void)v;
    return 0;
}

static int below_20(void *ud, const void *v)
{
    (void)ud;
    return *(const int *)v < 20;
}

/* keep: half of an odd value, nothing for an even one, an error for 7. */
static int half_odd(void *ud, const void *in, void *out)
{
    int x = *(const int *)in, v = x / 2;

    (void)ud;
    if (x == 7)
        return ERR;
    if (x % 2 == 0)
        return 0;
    memcpy(out, &v, sizeof v);
    return 1;
}

static int to_big(void *ud, const void *in, void *out)
{
    struct big b;
    int x = *(const int *)in;

    (void)ud;
    b.a = x;
    b.b = -x;
    memset(b.pad, x, sizeof b.pad);
    memcpy(out, &b, sizeof b);
    return CA_OK;
}

/* Writes a part of its output before it reads its input again: an output
** that overlapped the input would change what it reads. Where the output
** is built (on the stack, in the ring) it is aligned for its type: to 8
** here, the largest power of two (up to 16) that divides its size. */
static int misaligned;

static int big_bump(void *ud, const void *in, void *out)
{
    const struct big *i = (const struct big *)in;
    struct big *o = (struct big *)out;

    (void)ud;
    if ((uintptr_t)out % 8 != 0)
        misaligned++;
    o->a = i->a + 1;
    o->b = i->b * 2 + (o->a - i->a); /* 2 * b + 1, if in is intact */
    memmove(o->pad, i->pad, sizeof o->pad);
    return CA_OK;
}

static int big_kept(void *ud, const void *v)
{
    (void)ud;
    return ((const struct big *)v)->a % 3 != 0;
}

static int to_ll(void *ud, const void *in, void *out)
{
    long long v = *(const int *)in;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

/* The error handler: -1 in place of a value whose step gave ERR. */
static int subst(void *ud, int code, const void *in, ca_xf_out *out)
{
    int v = -1;

    (void)ud;
    (void)in;
    return code == ERR ? ca_xf_emit(out, &v) : code;
}

/* ------------------------------------------------------------ blocks */

typedef struct producer {
    ca_go go;
    ca_chan *ch;
    const int *in;
    int n, i, v;
    int st[N_MAX];  /* the first N_MAX PUTs' statuses */
} producer;

static int produce(ca_go *g)
{
    producer *p = (producer *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->v = p->in[p->i];
        PUT(g, p->ch, &p->v);
        if (p->i < N_MAX)
            p->st[p->i] = GO_STATUS(g);
    }
    ca_close(p->ch);
    GO_END(g);
}

typedef struct consumer {
    ca_go go;
    ca_chan *ch;
    size_t size;    /* of an output: which TAKE */
    int n, status;  /* values taken; the last TAKE's status */
    int i;
    struct big b;
    struct group3 g3;
    unsigned char out[N_MAX * sizeof(struct big)];
} consumer;

static int consume(ca_go *g)
{
    consumer *c = (consumer *)g;

    GO_BEGIN(g);
    for (;;) {
        if (c->size == sizeof(int))
            TAKE(g, c->ch, &c->i);
        else if (c->size == sizeof(struct big))
            TAKE(g, c->ch, &c->b);
        else
            TAKE(g, c->ch, &c->g3);
        c->status = GO_STATUS(g);
        if (c->status != CA_OK || c->n == N_MAX)
            break;
        memcpy(c->out + (size_t)c->n * c->size,
               c->size == sizeof(int) ? (void *)&c->i
               : c->size == sizeof(struct big) ? (void *)&c->b
                                               : (void *)&c->g3,
               c->size);
        c->n++;
    }
    GO_END(g);
}

/* ------------------------------------------------------------ harness */

/* Every stage a case may use, fresh for each run (some count). */
typedef struct stages {
    ca_xf_map_t m[3];
    ca_xf_filter_t f;
    ca_xf_keep_t k;
    ca_xf_take_t t;
    ca_xf_partition_t p;
    ca_xf_dedupe_t d;
    unsigned char pbuf[sizeof(struct group3)];
    int last;
    ca_xf *xs[4];
    ca_xf_comp_t comp;
} stages;

typedef ca_xf *(*build_fn)(stages *s);

typedef struct want {
    const int *in;
    int n;
    const void *out;    /* the outputs, in order */
    int nout;
    size_t out_size;
    int bad_put;        /* index of the put that fails with ERR, or -1 */
    int closed_from;    /* index of the first put refused, or n */
    ca_xf_err_fn err;
} want;

static ca_xf *comp_of(stages *s, size_t n)
{
    CA_ASSERT_RC(ca_xf_comp(s->xs, n, &s->comp), CA_OK);
    return &s->comp.xf;
}

static int want_status(const want *w, int i)
{
    if (i >= w->closed_from)
        return CA_CLOSED;
    return i == w->bad_put ? ERR : CA_OK;
}

static void run_go(ca_chan *ch, const want *w, int taker_first)
{
    static producer p;
    static consumer c;
    ca_sched s;
    int i;

    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    p.ch = c.ch = ch;
    p.in = w->in;
    p.n = w->n;
    c.size = w->out_size;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    if (taker_first)
        CA_ASSERT_RC(ca_go_start(&s, &c.go, consume), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, produce), CA_OK);
    if (!taker_first)
        CA_ASSERT_RC(ca_go_start(&s, &c.go, consume), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    for (i = 0; i < w->n; i++)
        CA_ASSERT_RC(p.st[i], want_status(w, i));
    CA_ASSERT_RC(c.status, CA_CLOSED);
    CA_ASSERT_EQ(c.n, w->nout);
    CU_ASSERT(memcmp(c.out, w->out, (size_t)w->nout * w->out_size) == 0);
}

static void run_offer_poll(ca_chan *ch, const want *w)
{
    static unsigned char out[N_MAX * sizeof(struct big)];
    int i, n = 0;

    for (i = 0; i < w->n; i++)
        CA_ASSERT_RC(ca_offer(ch, &w->in[i]), want_status(w, i));
    CA_ASSERT_RC(ca_close(ch), CA_OK);
    while (n < N_MAX && ca_poll(ch, out + (size_t)n * w->out_size) == CA_OK)
        n++;
    CA_ASSERT_RC(ca_poll(ch, out), CA_CLOSED);
    CA_ASSERT_EQ(n, w->nout);
    CU_ASSERT(memcmp(out, w->out, (size_t)w->nout * w->out_size) == 0);
}

/* The three runs of a case: a ring of 3 for the go blocks, so that the
** putter fills it, parks, and is refilled; one that holds every input for
** offer. */
static void check_case(build_fn build, const want *w)
{
    int mode;

    for (mode = 0; mode < 3; mode++) {
        stages s;
        ca_chan ch;
        ca_xf *xf;

        memset(&s, 0, sizeof s);
        xf = build(&s);
        CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, mode < 2 ? 3 : N_MAX,
                                     storage, sizeof storage, xf, w->err,
                                     NULL),
                     CA_OK);
        if (mode < 2)
            run_go(&ch, w, mode == 0);
        else
            run_offer_poll(&ch, w);
        CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    }
}

static int one_to[N_MAX];

static void count_up(void)
{
    int i;

    for (i = 0; i < N_MAX; i++)
        one_to[i] = i + 1;
}

/* ------------------------------------------------------------ cases */

/* W10 itself: x -> 3x -> the even ones -> +1. */
static ca_xf *build_w10(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_filter(&s->f, is_even, NULL, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], inc, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->f.xf, s->xs[2] = &s->m[1].xf;
    return comp_of(s, 3);
}

/* The same without the last map: the output is the filter's, the value
** as the map before it left it, not built in the ring. */
static ca_xf *build_w10_filter_last(stages *s)
{
    build_w10(s);
    return comp_of(s, 2);
}

static void test_w10(void)
{
    int out[N_MAX], i, n = 0;
    want w;

    count_up();
    for (i = 0; i < N_MAX; i++)
        if (one_to[i] * 3 % 2 == 0)
            out[n++] = one_to[i] * 3 + 1;
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = N_MAX, w.out = out, w.nout = n;
    w.out_size = sizeof(int), w.bad_put = -1, w.closed_from = N_MAX;
    check_case(build_w10, &w);
    for (i = 0; i < n; i++)
        out[i]--;
    check_case(build_w10_filter_last, &w);
}

/* A filter that drops everything: every put succeeds, nothing arrives. */
static ca_xf *build_none(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_filter(&s->f, never, NULL, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], inc, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->f.xf, s->xs[2] = &s->m[1].xf;
    return comp_of(s, 3);
}

static void test_drops_all(void)
{
    int none = 0;
    want w;

    count_up();
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = N_MAX, w.out = &none, w.nout = 0;
    w.out_size = sizeof(int), w.bad_put = -1, w.closed_from = N_MAX;
    check_case(build_none, &w);
}

/* keep, remove and map fused, with keep's nothing and keep's error. */
static ca_xf *build_keep(stages *s)
{
    CA_ASSERT_RC(ca_xf_keep(&s->k, half_odd, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_remove(&s->f, is_even, NULL, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->k.xf, s->xs[1] = &s->f.xf, s->xs[2] = &s->m[0].xf;
    return comp_of(s, 3);
}

static void test_keep_remove_errors(void)
{
    /* 1..20: odd x gives x / 2 (7 fails): 0 1 2 . 4 5 6 7 8 9; the odd
    ** ones stay: 1 5 7 9; tripled. With the handler, -1 where 7 was. */
    static const int plain[] = {3, 15, 21, 27};
    static const int handled[] = {3, -1, 15, 21, 27};
    want w;

    count_up();
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = 20, w.out = plain, w.nout = 4;
    w.out_size = sizeof(int), w.bad_put = 6, w.closed_from = 20;
    check_case(build_keep, &w);
    w.out = handled, w.nout = 5, w.bad_put = -1, w.err = subst;
    check_case(build_keep, &w);
}

/* A map alone (no comp) builds its output in the ring; a failed one
** leaves nothing there. */
static ca_xf *build_map_alone(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple_but_5, NULL, sizeof(int),
                           sizeof(int)),
                 CA_OK);
    return &s->m[0].xf;
}

static void test_map_alone_error(void)
{
    static const int plain[] = {3, 6, 9, 12, 18, 21, 24};
    static const int handled[] = {3, 6, 9, 12, -1, 18, 21, 24};
    want w;

    count_up();
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = 8, w.out = plain, w.nout = 7;
    w.out_size = sizeof(int), w.bad_put = 4, w.closed_from = 8;
    check_case(build_map_alone, &w);
    w.out = handled, w.nout = 8, w.bad_put = -1, w.err = subst;
    check_case(build_map_alone, &w);
}

/* Values larger than a word: through two fused maps and a filter, the
** last map built in the ring; and a map alone. */
static ca_xf *build_big(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], to_big, NULL, sizeof(int),
                           sizeof(struct big)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_filter(&s->f, big_kept, NULL, sizeof(struct big)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], big_bump, NULL, sizeof(struct big),
                           sizeof(struct big)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[2], big_bump, NULL, sizeof(struct big),
                           sizeof(struct big)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->f.xf, s->xs[2] = &s->m[1].xf;
    s->xs[3] = &s->m[2].xf;
    return comp_of(s, 4);
}

static ca_xf *build_big_alone(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], to_big, NULL, sizeof(int),
                           sizeof(struct big)),
                 CA_OK);
    return &s->m[0].xf;
}

static void test_big_values(void)
{
    static struct big out[N_MAX];
    int i, n = 0;
    want w;

    CA_ASSERT_EQ(sizeof(struct big), 40);
    count_up();
    memset(out, 0, sizeof out);
    for (i = 1; i <= 12; i++) {
        if (i % 3 == 0)
            continue;
        out[n].a = i + 2;
        out[n].b = -4 * i + 3; /* -i, then -2i + 1, then -4i + 3 */
        memset(out[n].pad, i, sizeof out[n].pad);
        n++;
    }
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = 12, w.out = out, w.nout = n;
    w.out_size = sizeof(struct big), w.bad_put = -1, w.closed_from = 12;
    misaligned = 0;
    check_case(build_big, &w);
    CA_ASSERT_EQ(misaligned, 0);
    memset(out, 0, sizeof out);
    for (i = 0; i < 12; i++) {
        out[i].a = i + 1;
        out[i].b = -(i + 1);
        memset(out[i].pad, i + 1, sizeof out[i].pad);
    }
    w.nout = 12;
    check_case(build_big_alone, &w);
}

/* Early stop (core.async's reduced) after the fused run: take 3, and a
** take-while whose failing input passes nothing; later puts refused. */
static ca_xf *build_take(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_take(&s->t, 3, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], inc, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->t.xf, s->xs[2] = &s->m[1].xf;
    return comp_of(s, 3);
}

static ca_xf *build_take_while(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_take_while(&s->f, below_20, NULL, sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], inc, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->f.xf, s->xs[2] = &s->m[1].xf;
    return comp_of(s, 3);
}

static void test_stop_midway(void)
{
    static const int three[] = {4, 7, 10};
    static const int upto[] = {4, 7, 10, 13, 16, 19};
    want w;

    count_up();
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = 10, w.out = three, w.nout = 3;
    w.out_size = sizeof(int), w.bad_put = -1, w.closed_from = 3;
    check_case(build_take, &w);
    /* The 7th input (21) stops the stream: its put stands, with nothing. */
    w.out = upto, w.nout = 6, w.closed_from = 7;
    check_case(build_take_while, &w);
}

/* The completion flushes a short group when the channel closes, once. */
static ca_xf *build_partition(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_partition_all(&s->p, 3, sizeof(int), s->pbuf,
                                     sizeof s->pbuf),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->p.xf;
    return comp_of(s, 2);
}

static void test_flush_on_close(void)
{
    static const struct group3 out[] = {
        {3, {3, 6, 9}}, {3, {12, 15, 18}}, {1, {21, 0, 0}}};
    want w;

    CU_ASSERT(sizeof(struct group3) == sizeof(uint32_t) + 3 * sizeof(int));
    count_up();
    memset(&w, 0, sizeof w);
    w.in = one_to, w.n = 7, w.out = out, w.nout = 3;
    w.out_size = sizeof(struct group3), w.bad_put = -1, w.closed_from = 7;
    check_case(build_partition, &w);
}

/* A stage that is not fused (dedupe keeps state) ends the fused run: the
** stages after it run one by one. */
static ca_xf *build_dedupe(stages *s)
{
    CA_ASSERT_RC(ca_xf_map(&s->m[0], triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_xf_dedupe(&s->d, sizeof(int), &s->last), CA_OK);
    CA_ASSERT_RC(ca_xf_map(&s->m[1], inc, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    s->xs[0] = &s->m[0].xf, s->xs[1] = &s->d.xf, s->xs[2] = &s->m[1].xf;
    return comp_of(s, 3);
}

static void test_unfused_tail(void)
{
    static const int in[] = {1, 1, 2, 2, 2, 3, 1};
    static const int out[] = {4, 7, 10, 4};
    want w;

    memset(&w, 0, sizeof w);
    w.in = in, w.n = 7, w.out = out, w.nout = 4;
    w.out_size = sizeof(int), w.bad_put = -1, w.closed_from = 7;
    check_case(build_dedupe, &w);
}

/* ------------------------------------------------------------ put_op's
** own refusals */

typedef struct ll_putter {
    ca_go go;
    ca_chan *ch;
    long long ll;
    int v, st_ll, st_int;
} ll_putter;

static int ll_put(ca_go *g)
{
    ll_putter *p = (ll_putter *)g;

    GO_BEGIN(g);
    PUT(g, p->ch, &p->ll); /* the output's size, not the input's */
    p->st_ll = GO_STATUS(g);
    PUT(g, p->ch, &p->v);
    p->st_int = GO_STATUS(g);
    GO_END(g);
}

/* int -> long long: a PUT of a long long has the channel's element size
** but not its input size, and is refused. */
static void test_put_size(void)
{
    ca_xf_map_t m;
    ca_chan ch;
    ca_sched s;
    ll_putter p;
    long long got = 0;

    CA_ASSERT_RC(ca_xf_map(&m, to_ll, NULL, sizeof(int), sizeof(long long)),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL),
                 CA_OK);
    memset(&p, 0, sizeof p);
    p.ch = &ch;
    p.ll = 1234567890123ll;
    p.v = 7;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, ll_put), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(p.st_ll, CA_EINVAL);
    CA_ASSERT_RC(p.st_int, CA_OK);
    CHECK_COUNT(&ch, 1);
    CA_ASSERT_RC(ca_poll(&ch, &got), CA_OK);
    CA_ASSERT_EQ(got, 7);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A putter with nobody taking: the ring accepts cap values, then the put
** waits (a step's outputs never pass the accepting count). */
static void test_put_parks_at_cap(void)
{
    static producer p;
    ca_chan ch;
    ca_sched s;
    ca_xf_map_t m;
    int v, k;

    count_up();
    CA_ASSERT_RC(ca_xf_map(&m, triple, NULL, sizeof(int), sizeof(int)),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 2, storage, sizeof storage,
                                 &m.xf, NULL, NULL),
                 CA_OK);
    memset(&p, 0, sizeof p);
    p.ch = &ch;
    p.in = one_to;
    p.n = 5;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, produce), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    CA_ASSERT_EQ(p.i, 2);
    /* Each take lets the waiting put through the step, and the putter
    ** then fills the ring again, and waits, until it has no more. */
    for (k = 0; k < 5; k++) {
        if (k < 3) {
            CHECK_COUNT(&ch, 2);
            CHECK_PENDING(&ch, 1, 0);
        }
        CA_ASSERT_RC(ca_poll(&ch, &v), CA_OK);
        CA_ASSERT_EQ(v, 3 * (k + 1));
        CA_ASSERT_RC(ca_sched_run(&s), k < 2 ? CA_EDEADLOCK : CA_OK);
    }
    CA_ASSERT_RC(ca_poll(&ch, &v), CA_CLOSED);
    for (k = 0; k < 5; k++)
        CA_ASSERT_RC(p.st[k], CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

#if CA_HAVE_THREADS && CA_HAVE_MALLOC
/* W10 on a pool of 2: the put and take fast paths with the lock taken
** for real, the blocks resumed on either worker. */
#define POOL_N 20000
static int pool_in[POOL_N];

typedef struct summer {
    ca_go go;
    ca_chan *ch;
    int v;
    long long sum;
} summer;

static int sum_all(ca_go *g)
{
    summer *t = (summer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, t->ch, &t->v);
        if (GO_CLOSED(g))
            break;
        t->sum += t->v;
    }
    GO_END(g);
}

static void test_pool(void)
{
    static producer p;
    static summer t;
    static ca_chan ch, done;
    static ca_sched s;
    stages st;
    long long expect = 0;
    int i;

    for (i = 0; i < POOL_N; i++) {
        pool_in[i] = i;
        if (i * 3 % 2 == 0)
            expect += i * 3 + 1;
    }
    memset(&st, 0, sizeof st);
    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    CA_ASSERT_RC(ca_chan_init_xf(&ch, CA_FIXED, 64, storage, sizeof storage,
                                 build_w10(&st), NULL, NULL),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&done, CA_FIXED, 1, 0, NULL, 0), CA_OK);
    p.ch = t.ch = &ch;
    p.in = pool_in;
    p.n = POOL_N;
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&t.go, &done), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &t.go, sum_all), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &p.go, produce), CA_OK);
    CA_ASSERT_RC(ca_take_blocking(&done, NULL), CA_CLOSED);
    for (i = 0; i < N_MAX; i++)
        CA_ASSERT_RC(p.st[i], CA_OK);
    CA_ASSERT_EQ(t.sum, expect);
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&done), CA_OK);
}
#endif

static const ca_test tests[] = {
    {"w10", test_w10},
    {"drops_all", test_drops_all},
    {"keep_remove_errors", test_keep_remove_errors},
    {"map_alone_error", test_map_alone_error},
    {"big_values", test_big_values},
    {"stop_midway", test_stop_midway},
    {"flush_on_close", test_flush_on_close},
    {"unfused_tail", test_unfused_tail},
    {"put_size", test_put_size},
    {"put_parks_at_cap", test_put_parks_at_cap},
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    {"pool", test_pool},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("xf_fast", tests)
