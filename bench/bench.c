/*
** bench.c: coreasync on the anchor workloads (shared/anchors/WORKLOADS.md).
** MIT licence, see COPYING.
**
**   bench/bench W1 [N]   ping-pong: 2 go blocks, 2 unbuffered channels
**   bench/bench W6 [N]   N go blocks, each parked taking from its own
**                        unbuffered channel: bytes and spawn time each
**   bench/bench W10 [N]  a pipeline of four stages (map, filter, map,
**                        reduce) over N ints on channels of capacity 64,
**                        one go block per stage; and the same with the
**                        first three as one transform inside the channel
**
** Each prints the one line of WORKLOADS.md,
**   <workload> coreasync <N> <seconds> <ns_per_op> [key=value ...]
** with check=ok only when the workload's result was verified.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <coreasync.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_bytes(void)
{
    long size = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = -1;
    fclose(f);
    return res * sysconf(_SC_PAGESIZE);
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench: %s: %s\n", what, ca_strerror(rc));
        exit(2);
    }
}

static const char *build(void)
{
    return CA_HAVE_THREADS ? "threads" : "nothreads";
}

/* ------------------------------------------------------------------ W1 */

struct player {
    ca_go go;
    ca_chan *in, *out;
    long i, n, v, sum;
};

static int ping(ca_go *g)
{
    struct player *p = (struct player *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        PUT(g, p->out, &p->i);
        TAKE(g, p->in, &p->v);
        p->sum += p->v;
    }
    GO_END(g);
}

static int pong(ca_go *g)
{
    struct player *p = (struct player *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        TAKE(g, p->in, &p->v);
        p->v++;
        PUT(g, p->out, &p->v);
    }
    GO_END(g);
}

/* Every object W1 touches starts a cache line of its own: where the
** stack or the data segment happens to put them changed the round trip
** by up to 15% between two builds of the same code (a channel split
** across two lines, or not), which is noise an A/B comparison must not
** read as a change. */
#if defined(__GNUC__)
#define LINE __attribute__((aligned(64)))
#else
#define LINE
#endif

static void w1(long n)
{
    static struct player a LINE, b LINE;
    static ca_chan c1 LINE, c2 LINE;
    static ca_sched s LINE;
    double t0, c0, t, c;
    long expect = n * (n + 1) / 2; /* sum of i + 1 for i < n */

    check(ca_sched_init(&s), "sched");
    check(ca_chan_init(&c1, CA_UNBUFFERED, 0, sizeof(long), NULL, 0), "c1");
    check(ca_chan_init(&c2, CA_UNBUFFERED, 0, sizeof(long), NULL, 0), "c2");
    a.out = &c1, a.in = &c2, a.n = n;
    b.in = &c1, b.out = &c2, b.n = n;
    check(ca_go_start(&s, &a.go, ping), "start");
    check(ca_go_start(&s, &b.go, pong), "start");
    t0 = now_s();
    c0 = cpu_s();
    check(ca_sched_run(&s), "run");
    c = cpu_s() - c0;
    t = now_s() - t0;
    printf("W1 coreasync %ld %.6f %.2f build=%s cpu_ns_per_op=%.2f "
           "check=%s\n",
           n, t, t * 1e9 / (double)n, build(), c * 1e9 / (double)n,
           a.sum == expect ? "ok" : "FAILED");
    ca_chan_destroy(&c1);
    ca_chan_destroy(&c2);
    ca_sched_destroy(&s);
}

/* ------------------------------------------------------------------ W6 */

/* One parked go block and its own channel, side by side in one struct:
** the whole cost of a parked process. */
struct parked {
    ca_go go;
    ca_chan ch;
    long v;
};

static long w6_sum;

static int parked_fn(ca_go *g)
{
    struct parked *p = (struct parked *)g;

    GO_BEGIN(g);
    TAKE(g, &p->ch, &p->v);
    w6_sum += p->v;
    GO_END(g);
}

static void w6(long n)
{
    struct parked *ps;
    ca_sched s;
    long i, rss0, rss1;
    double t0, t_spawn, t1, t_wake;
    int rc;

    check(ca_sched_init(&s), "sched");
    rss0 = rss_bytes();
    t0 = now_s();
    /* calloc'd pages are counted as they are touched: by the spawns. */
    if ((ps = (struct parked *)calloc((size_t)n, sizeof *ps)) == NULL)
        check(CA_ENOMEM, "calloc");
    for (i = 0; i < n; i++) {
        check(ca_chan_init(&ps[i].ch, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
              "chan");
        check(ca_go_start(&s, &ps[i].go, parked_fn), "start");
    }
    /* Every block runs to its TAKE and parks; then nothing can run: the
    ** scheduler says so (a deadlock, here the expected outcome). */
    rc = ca_sched_run(&s);
    t_spawn = now_s() - t0;
    rss1 = rss_bytes();
    if (rc != CA_EDEADLOCK)
        check(rc < 0 ? rc : CA_EINVAL, "park all");
    t1 = now_s();
    for (i = 0; i < n; i++)
        check(ca_offer(&ps[i].ch, &i) == CA_OK ? CA_OK : CA_EINVAL, "wake");
    check(ca_sched_run(&s), "run");
    t_wake = now_s() - t1;
    printf("W6 coreasync %ld %.6f %.2f build=%s bytes_per_proc=%.1f "
           "sizeof_go=%zu sizeof_chan=%zu sizeof_state=%zu spawn_ns=%.1f "
           "wake_ns=%.1f check=%s\n",
           n, t_spawn + t_wake, (t_spawn + t_wake) * 1e9 / (double)n, build(),
           (double)(rss1 - rss0) / (double)n, sizeof(ca_go), sizeof(ca_chan),
           sizeof(struct parked), t_spawn * 1e9 / (double)n,
           t_wake * 1e9 / (double)n,
           w6_sum == n * (n - 1) / 2 ? "ok" : "FAILED");
    free(ps);
    ca_sched_destroy(&s);
}

/* ------------------------------------------------------------------ W10 */
/* x -> 3x -> keep the even ones -> +1 -> sum. With stage blocks, each
** value crosses four channels; with the transform, one. */

struct w10_src {
    ca_go go;
    ca_chan *out;
    long i, n;
};

static int w10_source(ca_go *g)
{
    struct w10_src *p = (struct w10_src *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++)
        PUT(g, p->out, &p->i);
    ca_close(p->out);
    GO_END(g);
}

struct w10_stage {
    ca_go go;
    ca_chan *in, *out;
    int kind; /* 0: x * 3, 1: even ones, 2: x + 1, 3: sum */
    long v, sum;
};

static int w10_stage_fn(ca_go *g)
{
    struct w10_stage *p = (struct w10_stage *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, p->in, &p->v);
        if (GO_CLOSED(g))
            break;
        if (p->kind == 3) {
            p->sum += p->v;
            continue;
        }
        if (p->kind == 1 && p->v % 2 != 0)
            continue;
        p->v = p->kind == 0 ? p->v * 3 : p->kind == 2 ? p->v + 1 : p->v;
        PUT(g, p->out, &p->v);
    }
    if (p->out != NULL)
        ca_close(p->out);
    GO_END(g);
}

static int w10_triple(void *ud, const void *in, void *out)
{
    long v = *(const long *)in * 3;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

static int w10_even(void *ud, const void *v)
{
    (void)ud;
    return *(const long *)v % 2 == 0;
}

static int w10_inc(void *ud, const void *in, void *out)
{
    long v = *(const long *)in + 1;

    (void)ud;
    memcpy(out, &v, sizeof v);
    return CA_OK;
}

static long w10_expect(long n)
{
    long i, sum = 0;

    for (i = 0; i < n; i++)
        if ((i * 3) % 2 == 0)
            sum += i * 3 + 1;
    return sum;
}

/* Runs the pipeline with go-block stages (xf NULL) or with the first
** three stages as a transform on the source's channel; returns seconds,
** and the CPU seconds in *cpu (a shared machine's wall clock counts the
** other loads too). */
static double w10_run(long n, ca_xf *xf, long *sum, double *cpu)
{
    static unsigned char st[CA_XF_STORAGE(64, 1, sizeof(long))];
    static long bufs[4][64];
    static ca_chan ch[4];
    static struct w10_src src;
    static struct w10_stage stage[4];
    ca_sched s;
    int k, first = xf != NULL ? 3 : 0;
    double t0;

    check(ca_sched_init(&s), "sched");
    memset(stage, 0, sizeof stage);
    for (k = 0; k < 4; k++)
        check(ca_chan_init(&ch[k], CA_FIXED, 64, sizeof(long), bufs[k],
                           sizeof bufs[k]), "chan");
    if (xf != NULL) {
        ca_chan_destroy(&ch[0]);
        check(ca_chan_init_xf(&ch[0], CA_FIXED, 64, st, sizeof st, xf, NULL,
                              NULL), "chan_xf");
    }
    src.out = &ch[0];
    src.n = n;
    check(ca_go_start(&s, &src.go, w10_source), "start");
    for (k = first; k < 4; k++) {
        stage[k].kind = k;
        stage[k].in = &ch[k - first];
        stage[k].out = k < 3 ? &ch[k + 1] : NULL;
        check(ca_go_start(&s, &stage[k].go, w10_stage_fn), "start");
    }
    t0 = now_s();
    *cpu = cpu_s();
    check(ca_sched_run(&s), "run");
    *cpu = cpu_s() - *cpu;
    t0 = now_s() - t0;
    *sum = stage[3].sum;
    for (k = 0; k < 4; k++)
        ca_chan_destroy(&ch[k]);
    ca_sched_destroy(&s);
    return t0;
}

static void w10(long n)
{
    ca_xf_map_t m1, m2;
    ca_xf_filter_t f;
    ca_xf *xs[3];
    ca_xf_comp_t comp;
    long expect = w10_expect(n), s1, s2;
    double t_blocks, t_xf, c_blocks, c_xf;

    check(ca_xf_map(&m1, w10_triple, NULL, sizeof(long), sizeof(long)), "map");
    check(ca_xf_filter(&f, w10_even, NULL, sizeof(long)), "filter");
    check(ca_xf_map(&m2, w10_inc, NULL, sizeof(long), sizeof(long)), "map");
    xs[0] = &m1.xf, xs[1] = &f.xf, xs[2] = &m2.xf;
    check(ca_xf_comp(xs, 3, &comp), "comp");
    t_blocks = w10_run(n, NULL, &s1, &c_blocks);
    t_xf = w10_run(n, &comp.xf, &s2, &c_xf);
    /* Per value, the go-block version moves it through three more
    ** channels and blocks than the transform version runs steps: the
    ** difference, over the 2.5 stage hops an input makes on average
    ** (every value reaches the filter, half go further), is what one
    ** stage costs as a block beyond what it costs as a step. */
    printf("W10 coreasync %ld %.6f %.2f build=%s cpu_ns_per_value=%.2f "
           "xf_ns_per_value=%.2f xf_cpu_ns_per_value=%.2f "
           "block_stage_minus_xf_step_cpu_ns=%.2f check=%s\n",
           n, t_blocks, t_blocks * 1e9 / (double)n, build(),
           c_blocks * 1e9 / (double)n, t_xf * 1e9 / (double)n,
           c_xf * 1e9 / (double)n, (c_blocks - c_xf) * 1e9 / (double)n / 2.5,
           s1 == expect && s2 == expect ? "ok" : "FAILED");
}

int main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;

    if (strcmp(w, "W1") == 0)
        w1(n > 0 ? n : 1000000);
    else if (strcmp(w, "W6") == 0)
        w6(n > 0 ? n : 1000000);
    else if (strcmp(w, "W10") == 0)
        w10(n > 0 ? n : 10000000);
    else {
        fprintf(stderr, "usage: %s W1|W6|W10 [N]\n", argv[0]);
        return 1;
    }
    return 0;
}
