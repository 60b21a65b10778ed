/*
** bench.c: coreasync on the anchor workloads (shared/anchors/WORKLOADS.md).
** MIT licence, see COPYING.
**
**   bench/bench W1 [N]   ping-pong: 2 go blocks, 2 unbuffered channels
**   bench/bench W6 [N]   N go blocks, each parked taking from its own
**                        unbuffered channel: bytes and spawn time each
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

int main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;

    if (strcmp(w, "W1") == 0)
        w1(n > 0 ? n : 1000000);
    else if (strcmp(w, "W6") == 0)
        w6(n > 0 ? n : 1000000);
    else {
        fprintf(stderr, "usage: %s W1|W6 [N]\n", argv[0]);
        return 1;
    }
    return 0;
}
