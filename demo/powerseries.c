/*
** powerseries.c: McIlroy's power series as streams ("Squinting at power
** series", 1990), computing exp, sin and cos.
**
** What it teaches: a *network* of processes with feedback. A power
** series a0 + a1 x + a2 x^2 + ... is a channel that delivers a0, a1,
** a2, ... one coefficient at a time. A few small processes operate on
** such streams:
**
**     INTEG(c, in):  c, in0/1, in1/2, in2/3, ...   (the integral + c)
**     NEG(in):       -in0, -in1, ...
**     SPLIT(in):     two copies of in
**
** and a series defined by an equation becomes a loop of processes:
**
**     exp = 1 + INTEG(exp)       -> INTEG(1) -> SPLIT -+-> printer
**                                     ^________________|
**
**     sin = INTEG(cos)           -> INTEG(0) -> SPLIT -+-> printer
**     cos = 1 + INTEG(-sin)     |     ^________________|___
**                               |                      |   NEG
**                               +- SPLIT <- INTEG(1) <-+----'
**                                     +-> printer
**
** Each loop works because INTEG gives its first term before it needs
** any input: the loop is primed, as a recursive definition needs a base
** case. SPLIT offers its value to both outputs with one ALTS of two put
** cases, so whichever reader comes first is served first: two PUTs in a
** fixed order could wait on a reader that waits on the other one.
**
** Ending a network with cycles is the subtle part. Each INTEG gives
** TERMS terms, closes its output, and drains its input until that is
** closed too; everything else closes its outputs once its input is
** closed. A put parked on a channel when it closes is still delivered,
** so the drain is what lets the last put of the loop go.
**
** What to try: add MUL (the Cauchy product, McIlroy's hardest process)
** and check that sin^2 + cos^2 = 1; or tan = INTEG(1 + tan^2).
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define TERMS 10

struct rat {
    long long n, d; /* n/d in lowest terms, d > 0 */
};

static long long gcd(long long a, long long b)
{
    while (b != 0) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

static struct rat rat(long long n, long long d)
{
    long long k = gcd(n, d);
    struct rat r;

    if (k == 0)
        k = 1;
    if (d < 0)
        k = -k;
    r.n = n / k;
    r.d = d / k;
    return r;
}

enum kind { INTEG, NEG, SPLIT, PRINT };

/* One struct for every kind of process: each uses what it needs. */
struct proc {
    ca_go go;               /* first member: the go-block header          */
    enum kind kind;
    ca_chan *in, *out, *out2;
    struct rat v;           /* the value in flight: survives the parks    */
    int n;                  /* terms so far                               */
    ca_alt alt[2];          /* SPLIT's two put cases                      */
    struct rat term[TERMS]; /* PRINT: what it received                    */
};

static int proc(ca_go *g)
{
    struct proc *p = (struct proc *)g;

    GO_BEGIN(g);
    if (p->kind == INTEG) {
        /* p->v holds the constant c on entry. */
        for (p->n = 1;; p->n++) {
            PUT(g, p->out, &p->v);
            if (GO_CLOSED(g) || p->n == TERMS)
                break;
            TAKE(g, p->in, &p->v);
            if (GO_CLOSED(g))
                break;
            p->v = rat(p->v.n, p->v.d * p->n);
        }
        check(ca_close(p->out), "ca_close");
        do /* let the loop's last put go */
            TAKE(g, p->in, &p->v);
        while (GO_OK(g));
    } else if (p->kind == NEG) {
        for (;;) {
            TAKE(g, p->in, &p->v);
            if (GO_CLOSED(g))
                break;
            p->v.n = -p->v.n;
            PUT(g, p->out, &p->v);
            if (GO_CLOSED(g))
                break;
        }
        check(ca_close(p->out), "ca_close");
    } else if (p->kind == SPLIT) {
        for (;;) {
            TAKE(g, p->in, &p->v);
            if (GO_CLOSED(g))
                break;
            check(ca_alt_put(&p->alt[0], p->out, &p->v), "ca_alt_put");
            check(ca_alt_put(&p->alt[1], p->out2, &p->v), "ca_alt_put");
            ALTS(g, p->alt, 2, 0);
            if (GO_CLOSED(g))
                break;
            PUT(g, GO_ALT(g) == 0 ? p->out2 : p->out, &p->v);
            if (GO_CLOSED(g))
                break;
        }
        check(ca_close(p->out), "ca_close");
        check(ca_close(p->out2), "ca_close");
    } else {
        for (p->n = 0;; p->n++) {
            TAKE(g, p->in, &p->v);
            if (GO_CLOSED(g) || p->n == TERMS)
                break;
            p->term[p->n] = p->v;
        }
    }
    if (GO_ERROR(g))
        check(GO_STATUS(g), "proc");
    GO_END(g);
}

static ca_chan chans[16];
static size_t nchans;
static struct proc procs[16]; /* zeroed, as go headers must be */
static size_t nprocs;

static ca_chan *chan(void)
{
    ca_chan *ch = &chans[nchans++];

    check(ca_chan_init(ch, CA_UNBUFFERED, 0, sizeof(struct rat), NULL, 0),
          "ca_chan_init");
    return ch;
}

static struct proc *start(enum kind kind, ca_chan *in, ca_chan *out,
                          ca_chan *out2, long long c)
{
    struct proc *p = &procs[nprocs++];

    p->kind = kind;
    p->in = in;
    p->out = out;
    p->out2 = out2;
    p->v = rat(c, 1);
    check(ca_go_start(NULL, &p->go, proc), "ca_go_start");
    return p;
}

/* Prints a series and compares it with what calculus says it is:
** term k is 0, or +-1/k! (sign[k % 4] says which). */
static int show(const char *name, const struct proc *p, const int sign[4])
{
    long long fact = 1;
    int k, ok = 1;

    printf("%-4s", name);
    for (k = 0; k < TERMS; k++) {
        if (k > 0)
            fact *= k;
        ok &= p->term[k].n == sign[k % 4] && (sign[k % 4] == 0 ||
                                              p->term[k].d == fact);
        if (p->term[k].d == 1)
            printf(" %lld", p->term[k].n);
        else
            printf(" %lld/%lld", p->term[k].n, p->term[k].d);
    }
    printf("  %s\n", ok ? "(as expected)" : "(WRONG)");
    return ok;
}

int main(void)
{
    static const int exp_sign[4] = {1, 1, 1, 1}, sin_sign[4] = {0, 1, 0, -1},
                     cos_sign[4] = {1, 0, -1, 0};
    ca_chan *x, *xfb, *xp, *s, *sfb, *sp, *ns, *c, *cfb, *cp;
    struct proc *pe, *ps, *pc;
    size_t i;
    int ok;

    /* exp = 1 + INTEG(exp) */
    x = chan(), xfb = chan(), xp = chan();
    start(INTEG, xfb, x, NULL, 1);
    start(SPLIT, x, xp, xfb, 0);
    pe = start(PRINT, xp, NULL, NULL, 0);

    /* sin = INTEG(cos), cos = 1 + INTEG(-sin) */
    s = chan(), sfb = chan(), sp = chan(), ns = chan();
    c = chan(), cfb = chan(), cp = chan();
    start(INTEG, cfb, s, NULL, 0);
    start(SPLIT, s, sp, sfb, 0);
    start(NEG, sfb, ns, NULL, 0);
    start(INTEG, ns, c, NULL, 1);
    start(SPLIT, c, cp, cfb, 0);
    ps = start(PRINT, sp, NULL, NULL, 0);
    pc = start(PRINT, cp, NULL, NULL, 0);

    check(ca_sched_run(NULL), "ca_sched_run");
    ok = show("exp", pe, exp_sign);
    ok &= show("sin", ps, sin_sign);
    ok &= show("cos", pc, cos_sign);
    for (i = 0; i < nchans; i++)
        check(ca_chan_destroy(&chans[i]), "ca_chan_destroy");
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
