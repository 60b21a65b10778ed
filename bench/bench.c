/*
** bench.c: coreasync on the anchor workloads (shared/anchors/WORKLOADS.md).
** MIT licence, see COPYING.
**
**   bench/bench W1 [N]   ping-pong: 2 go blocks, 2 unbuffered channels
**   bench/bench W2 [N]   a stream through a channel of capacity 1024
**   bench/bench W3 [N [K]]  fan-in: K producers (default 4) on unbuffered
**                        channels, one consumer through an ALTS
**   bench/bench W4 [N]   the thread ring: 503 blocks pass a token N times
**   bench/bench W5 [N]   the prime sieve, to the N-th prime
**   bench/bench W6 [N]   N go blocks, each parked taking from its own
**                        unbuffered channel: bytes and spawn time each
**   bench/bench W7 [N]   N blocks sleep (i % 100) ms each, then report
**   bench/bench CHAIN [N]  a daisy chain of N blocks (make bench-growth)
**   bench/bench W8 [N]   2 plain threads ping-pong over 2 unbuffered
**                        channels with blocking calls (no ca_sched_ref)
**   bench/bench W9 [N [W]]  2 producer and 2 consumer go blocks over one
**                        channel of capacity 1024, on a pool of W workers
**                        (default 2, as WORKLOADS.md says)
**   bench/bench HOP [N]  a go block made ready on one pool worker and
**                        resumed on the other, N times: ns per hop
**   bench/bench W10 [N]  a pipeline of four stages (map, filter, map,
**                        reduce) over N ints on channels of capacity 64,
**                        one go block per stage
**   bench/bench W10xf [N]  the same with the first three stages as one
**                        transform inside the source's channel
**   bench/bench W11 [N [W [C]]]  an echo server on 127.0.0.1, a go block
**                        per connection, and C client blocks (default
**                        100) on the same scheduler, N requests in all
**                        (a 64-byte line out, its echo back, checked);
**                        W workers 0 (default): one thread, 2: a pool
**   bench/bench W12 [N]  N idle connections (default 10,000), each
**                        parked in READ_LINE_VIEW: bytes per connection
**
** Each prints the one line of WORKLOADS.md,
**   <workload> coreasync <N> <seconds> <ns_per_op> [key=value ...]
** with check=ok only when the workload's result was verified.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

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

/* A wrong result prints check=FAILED and makes the exit status non-zero:
** make bench stops on it. */
static int failed;

static const char *verdict(int ok)
{
    if (!ok)
        failed = 1;
    return ok ? "ok" : "FAILED";
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
           verdict(a.sum == expect));
    ca_chan_destroy(&c1);
    ca_chan_destroy(&c2);
    ca_sched_destroy(&s);
}

/* ------------------------------------------------------------------ W2 */
/* A stream: a producer puts 0 .. N-1 into a channel of capacity 1024,
** a consumer sums them. The buffer lets each side run up to 1024 values
** ahead before it parks, so the cost is mostly the buffered put and take. */

GO_STATE(w2_producer, ca_chan *out; long i, n;);
GO_STATE(w2_consumer, ca_chan *in; long v, sum, count;);

static int w2_produce(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w2_producer, p);
    for (p->i = 0; p->i < p->n; p->i++)
        PUT(g, p->out, &p->i);
    check(ca_close(p->out), "W2 close"); /* the consumer's loop ends there */
    GO_END(g);
}

static int w2_consume(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w2_consumer, c);
    TAKE_EACH(g, c->in, &c->v) {
        c->sum += c->v;
        c->count++;
    }
    GO_END(g);
}

static void w2(long n)
{
    static long buf[1024] LINE;
    static ca_chan ch LINE;
    static struct w2_producer p LINE;
    static struct w2_consumer c LINE;
    static ca_sched s LINE;
    double t0, c0, t, cpu;

    check(ca_sched_init(&s), "sched");
    check(ca_chan_init(&ch, CA_FIXED, 1024, sizeof(long), buf, sizeof buf),
          "W2 chan");
    p.out = &ch, p.n = n;
    c.in = &ch;
    check(ca_go_start(&s, &c.go, w2_consume), "start");
    check(ca_go_start(&s, &p.go, w2_produce), "start");
    t0 = now_s();
    c0 = cpu_s();
    check(ca_sched_run(&s), "run");
    cpu = cpu_s() - c0;
    t = now_s() - t0;
    printf("W2 coreasync %ld %.6f %.2f build=%s capacity=1024 "
           "cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), cpu * 1e9 / (double)n,
           verdict(c.sum == n * (n - 1) / 2 && c.count == n));
    check(ca_chan_destroy(&ch), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
}

/* ------------------------------------------------------------------ W3 */
/* Fan-in: K producers (4 in W3; make bench-growth tries 2 to 64) each put
** their share of 0 .. N-1 on an unbuffered channel of their own and close
** it; one consumer takes through an ALTS over the K channels until every
** one is closed. A closed channel's case becomes ca_alt_off(), Go's nil
** channel in a select, so the ALTS stops choosing it. */

#define W3_MAX 64

GO_STATE(w3_producer, ca_chan *out; long j, end;);
GO_STATE(w3_consumer,
         ca_alt cases[W3_MAX];          /* the ALTS keeps them while parked */
         ca_chan *in[W3_MAX];
         int k, open;
         long v, sum, count;);

static int w3_produce(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w3_producer, p);
    for (; p->j < p->end; p->j++)
        PUT(g, p->out, &p->j);
    check(ca_close(p->out), "W3 close");
    GO_END(g);
}

static int w3_consume(ca_go *g)
{
    int i;

    GO_BEGIN_SELF(g, struct w3_consumer, c);
    /* The cases are filled once: every ALTS reuses them, and keeps their
    ** lock order (alts.h). */
    for (i = 0; i < c->k; i++)
        check(ca_alt_take(&c->cases[i], c->in[i], &c->v), "W3 case");
    while (c->open > 0) {
        ALTS(g, c->cases, (size_t)c->k, 0);
        if (GO_OK(g)) {
            c->sum += c->v;
            c->count++;
        } else if (GO_STATUS(g) == CA_CLOSED) {
            check(ca_alt_off(&c->cases[GO_ALT(g)]), "W3 case");
            c->open--;
        } else {
            check(GO_STATUS(g), "W3 ALTS");
        }
    }
    GO_END(g);
}

/* Runs the fan-in over k channels; returns 1 when every value arrived
** exactly once (count and sum). */
static int w3_run(long n, int k, double *t, double *cpu)
{
    static ca_chan ch[W3_MAX];
    static struct w3_producer p[W3_MAX];
    static struct w3_consumer c;
    static ca_sched s;
    long per = n / k;
    double t0, c0;
    int i;

    n = per * k;
    check(ca_sched_init(&s), "sched");
    memset(&c, 0, sizeof c);
    memset(p, 0, sizeof p);
    c.k = c.open = k;
    for (i = 0; i < k; i++) {
        check(ca_chan_init(&ch[i], CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
              "W3 chan");
        c.in[i] = p[i].out = &ch[i];
        p[i].j = i * per;
        p[i].end = (i + 1) * per;
    }
    t0 = now_s();
    c0 = cpu_s();
    check(ca_go_start(&s, &c.go, w3_consume), "start");
    for (i = 0; i < k; i++)
        check(ca_go_start(&s, &p[i].go, w3_produce), "start");
    check(ca_sched_run(&s), "run");
    *cpu = cpu_s() - c0;
    *t = now_s() - t0;
    for (i = 0; i < k; i++)
        check(ca_chan_destroy(&ch[i]), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
    return c.count == n && c.sum == n * (n - 1) / 2;
}

static void w3(long n, int k)
{
    double t, cpu;
    int ok;

    if (k < 1 || k > W3_MAX) {
        fprintf(stderr, "bench: W3: 1 to %d channels\n", W3_MAX);
        exit(1);
    }
    n = n / k * k;
    ok = w3_run(n, k, &t, &cpu);
    printf("W3 coreasync %ld %.6f %.2f build=%s channels=%d "
           "cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), k, cpu * 1e9 / (double)n,
           verdict(ok));
}

/* ------------------------------------------------------------------ W4 */
/* The thread ring: 503 blocks, each taking a token from the channel on its
** left and putting it, less one, on the channel on its right. The block
** that takes 0 reports its number on `done` and closes its right-hand
** channel; each block that finds its left channel closed closes its own
** right one, so the close goes once round the ring and every block ends. */

#define W4_RING 503

GO_STATE(w4_node, ca_chan *in, *out, *done; int id; long token;);
GO_STATE(w4_main, ca_chan *first, *done; long n; int winner;);

static int w4_pass(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w4_node, b);
    TAKE_EACH(g, b->in, &b->token) {
        if (b->token == 0) {
            PUT(g, b->done, &b->id); /* buffered: never parks */
            break;
        }
        b->token--;
        PUT(g, b->out, &b->token);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(b->out), "W4 close");
    GO_END(g);
}

/* Go's main goroutine: puts the token in, waits for the winner. */
static int w4_start(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w4_main, m);
    PUT(g, m->first, &m->n);
    TAKE(g, m->done, &m->winner);
    GO_END(g);
}

static void w4(long n)
{
    static ca_chan ring[W4_RING], done;
    static struct w4_node b[W4_RING];
    static struct w4_main m;
    static int done_buf[1];
    static ca_sched s;
    double t0, c0, t, cpu;
    int i;

    check(ca_sched_init(&s), "sched");
    check(ca_chan_init(&done, CA_FIXED, 1, sizeof(int), done_buf,
                       sizeof done_buf),
          "W4 done");
    for (i = 0; i < W4_RING; i++)
        check(ca_chan_init(&ring[i], CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
              "W4 chan");
    for (i = 0; i < W4_RING; i++) {
        b[i].id = i;
        b[i].in = &ring[i];
        b[i].out = &ring[(i + 1) % W4_RING];
        b[i].done = &done;
        check(ca_go_start(&s, &b[i].go, w4_pass), "start");
    }
    m.first = &ring[0], m.done = &done, m.n = n, m.winner = -1;
    check(ca_go_start(&s, &m.go, w4_start), "start");
    t0 = now_s();
    c0 = cpu_s();
    check(ca_sched_run(&s), "run");
    cpu = cpu_s() - c0;
    t = now_s() - t0;
    printf("W4 coreasync %ld %.6f %.2f build=%s winner=%d "
           "cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), m.winner,
           cpu * 1e9 / (double)n,
           verdict(m.winner == (int)(n % W4_RING)));
    for (i = 0; i < W4_RING; i++)
        check(ca_chan_destroy(&ring[i]), "destroy");
    check(ca_chan_destroy(&done), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
}

/* ------------------------------------------------------------------ W5 */
/* The concurrent prime sieve (as demo/sieve.c, with Go's shape: the loop
** that splices a filter on per prime is itself a go block). The chain
** grows by one go block and one channel per prime, both allocated:
** CA_GO_SPAWN and CA_CHAN_NEW, which a --disable-malloc build lacks. */
#if CA_HAVE_MALLOC

GO_STATE(w5_gen, ca_chan *out; long n;);
GO_STATE(w5_filter, ca_chan *in, *out; long prime, v;);
GO_STATE(w5_main, ca_chan *front, *ch, *next; long i, n, v, last;);

static int w5_generate(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w5_gen, p);
    for (p->n = 2;; p->n++) {
        PUT(g, p->out, &p->n);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_chan_free(p->out), "W5 free"); /* its own reference */
    GO_END(g);
}

static int w5_sift(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w5_filter, f);
    TAKE_EACH(g, f->in, &f->v) {
        if (f->v % f->prime != 0) {
            PUT(g, f->out, &f->v);
            if (GO_CLOSED(g))
                break;
        }
    }
    check(ca_close(f->out), "W5 close"); /* the end flows down the chain */
    check(ca_chan_free(f->in), "W5 free");
    GO_END(g);
}

static int w5_splice(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w5_main, m);
    for (m->i = 0; m->i < m->n; m->i++) {
        TAKE(g, m->ch, &m->v); /* whatever passed every filter is prime */
        if (GO_CLOSED(g))
            break;
        m->last = m->v;
        check(CA_CHAN_NEW(&m->next, long, 0), "W5 chan");
        check(CA_GO_SPAWN(ca_go_sched(g), struct w5_filter, w5_sift,
                          .in = m->ch, .out = m->next, .prime = m->v),
              "W5 spawn");
        m->ch = m->next;
    }
    /* Take the chain down: close the front, drain the end until the
    ** close has come down every filter. */
    check(ca_close(m->front), "W5 close");
    TAKE_EACH(g, m->ch, &m->v) {
    }
    check(ca_chan_free(m->ch), "W5 free");
    GO_END(g);
}

/* The n-th prime by trial division, for the check. */
static long nth_prime(long n)
{
    long c, d, k = 0;

    for (c = 2;; c++) {
        for (d = 2; d * d <= c && c % d != 0; d++)
            ;
        if (d * d > c && ++k == n)
            return c;
    }
}

static void w5(long n)
{
    static struct w5_gen gen;
    static struct w5_main m;
    static ca_sched s;
    double t0, c0, t, cpu;

    check(ca_sched_init(&s), "sched");
    t0 = now_s();
    c0 = cpu_s();
    check(CA_CHAN_NEW(&m.front, long, 0), "W5 chan");
    /* One reference for the first filter (which frees it), one for the
    ** generator, which must still see its PUT fail after the close. */
    check(ca_chan_retain(m.front), "W5 retain");
    gen.out = m.ch = m.front;
    m.n = n;
    check(ca_go_start(&s, &gen.go, w5_generate), "start");
    check(ca_go_start(&s, &m.go, w5_splice), "start");
    check(ca_sched_run(&s), "run");
    cpu = cpu_s() - c0;
    t = now_s() - t0;
    printf("W5 coreasync %ld %.6f %.2f build=%s primes=%ld last=%ld "
           "cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), m.i, m.last,
           cpu * 1e9 / (double)n,
           verdict(m.i == n && m.last == nth_prime(n)));
    check(ca_sched_destroy(&s), "sched destroy");
}
#endif /* CA_HAVE_MALLOC */

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

/* One round: n blocks parked, then woken. Returns the RSS growth; the
** blocks' array, in *out, is the caller's to free. */
static long w6_round(ca_sched *s, long n, double *t_spawn, double *t_wake,
                     struct parked **out)
{
    struct parked *ps;
    long i, rss0, rss1;
    double t0;
    int rc;

    w6_sum = 0;
    rss0 = rss_bytes();
    t0 = now_s();
    /* calloc'd pages are counted as they are touched: by the spawns. */
    if ((ps = (struct parked *)calloc((size_t)n, sizeof *ps)) == NULL)
        check(CA_ENOMEM, "calloc");
    for (i = 0; i < n; i++) {
        check(ca_chan_init(&ps[i].ch, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
              "chan");
        check(ca_go_start(s, &ps[i].go, parked_fn), "start");
    }
    /* Every block runs to its TAKE and parks; then nothing can run: the
    ** scheduler says so (a deadlock, here the expected outcome). */
    rc = ca_sched_run(s);
    *t_spawn = now_s() - t0;
    rss1 = rss_bytes();
    if (rc != CA_EDEADLOCK)
        check(rc < 0 ? rc : CA_EINVAL, "park all");
    t0 = now_s();
    for (i = 0; i < n; i++)
        check(ca_offer(&ps[i].ch, &i) == CA_OK ? CA_OK : CA_EINVAL, "wake");
    check(ca_sched_run(s), "run");
    *t_wake = now_s() - t0;
    *out = ps;
    return rss1 - rss0;
}

/* The growth over N is the cost per block. A first small round touches
** what any program touches once (the library's and libc's code and data
** pages, stdio's buffers: about 100 KB here, 0.1 B per block at N = 10^6,
** 1.6 B at 10^5), so that the measured round counts only what grows with
** N, as Go's anchor does by reading its RSS after its runtime started.
** The warm-up's array stays until the end: freed, its pages would be
** reused by a small measured round, which would then count nothing. */
static void w6(long n)
{
    struct parked *warm, *ps;
    ca_sched s;
    long rss;
    double t_spawn, t_wake;

    check(ca_sched_init(&s), "sched");
    (void)w6_round(&s, 1000, &t_spawn, &t_wake, &warm);
    check(w6_sum == 1000L * 999 / 2 ? CA_OK : CA_EINVAL, "W6 warm-up");
    rss = w6_round(&s, n, &t_spawn, &t_wake, &ps);
    printf("W6 coreasync %ld %.6f %.2f build=%s bytes_per_proc=%.1f "
           "sizeof_go=%zu sizeof_chan=%zu sizeof_state=%zu spawn_ns=%.1f "
           "wake_ns=%.1f check=%s\n",
           n, t_spawn + t_wake, (t_spawn + t_wake) * 1e9 / (double)n, build(),
           (double)rss / (double)n, sizeof(ca_go), sizeof(ca_chan),
           sizeof(struct parked), t_spawn * 1e9 / (double)n,
           t_wake * 1e9 / (double)n,
           verdict(w6_sum == n * (n - 1) / 2));
    free(ps);
    free(warm);
    ca_sched_destroy(&s);
}

/* ------------------------------------------------------------------ W7 */
/* Timers: N blocks, block i sleeps (i % 100) ms, then puts i on a shared
** done channel with room for all N (or for CA_MAX_CAPACITY, 65535 in a
** CA_CONFIG_COMPACT build, the default without threads on 32-bit
** targets: a PUT then may park until the collector, which takes as the
** values come, has made room, or be refused past the pending limit and
** retry, see w7_wait); a collector takes N values. The overhead per
** timer is the wall time beyond the longest sleep, 100 ms, over N; on a
** shared machine the CPU time per timer says it better. */

GO_STATE(w7_timer, ca_chan *done; long i;);
GO_STATE(w7_collect, ca_chan *done; long k, n, v, sum;);

static long w7_retries;

static int w7_wait(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w7_timer, w);
    SLEEP(g, (uint32_t)(w->i % 100));
    check(GO_STATUS(g), "W7 SLEEP");
    /* With the ring full (a compact build's 65535) and CA_CONFIG_MAX_PENDING
    ** puts already waiting, a PUT is refused with CA_EFULL (core.async
    ** throws there). It happens when the timers fire faster than the
    ** collector, queued behind the blocks they woke, can run: on a slow or
    ** loaded machine, under valgrind always. Such a block lets the others
    ** run, the collector among them, and tries again. */
    for (;;) {
        PUT(g, w->done, &w->i);
        if (GO_STATUS(g) != CA_EFULL)
            break;
        w7_retries++; /* printed: each costs a walk of the waiting puts */
        YIELD(g);
    }
    check(GO_STATUS(g), "W7 PUT");
    GO_END(g);
}

static int w7_collect(ca_go *g)
{
    GO_BEGIN_SELF(g, struct w7_collect, c);
    for (c->k = 0; c->k < c->n; c->k++) {
        TAKE(g, c->done, &c->v);
        if (GO_CLOSED(g))
            break;
        c->sum += c->v;
    }
    GO_END(g);
}

static void w7(long n)
{
    struct w7_timer *w;
    long *buf, i;
    size_t cap = (size_t)n < CA_MAX_CAPACITY ? (size_t)n : CA_MAX_CAPACITY;
    static struct w7_collect c;
    static ca_chan done;
    static ca_sched s;
    double t0, c0, t, cpu;

    check(ca_sched_init(&s), "sched");
    w = (struct w7_timer *)calloc((size_t)n, sizeof *w);
    buf = (long *)calloc(cap, sizeof *buf);
    if (w == NULL || buf == NULL)
        check(CA_ENOMEM, "calloc");
    t0 = now_s();
    c0 = cpu_s();
    check(ca_chan_init(&done, CA_FIXED, cap, sizeof(long), buf,
                       cap * sizeof *buf),
          "W7 done");
    c.done = &done, c.n = n;
    check(ca_go_start(&s, &c.go, w7_collect), "start");
    for (i = 0; i < n; i++) {
        w[i].done = &done;
        w[i].i = i;
        check(ca_go_start(&s, &w[i].go, w7_wait), "start");
    }
    check(ca_sched_run(&s), "run");
    cpu = cpu_s() - c0;
    t = now_s() - t0;
    printf("W7 coreasync %ld %.6f %.2f build=%s wall_ms=%.2f capacity=%zu "
           "cpu_ns_per_op=%.2f ns_per_op_is=(wall-100ms)/N retries=%ld "
           "check=%s\n",
           n, t, (t - 0.1) * 1e9 / (double)n, build(), t * 1e3, cap,
           cpu * 1e9 / (double)n, w7_retries,
           verdict(c.k == n && c.sum == n * (n - 1) / 2));
    check(ca_chan_destroy(&done), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
    free(w);
    free(buf);
}

/* --------------------------------------------------------------- CHAIN */
/* The daisy chain (make bench-growth): N blocks in a line, each owning
** the channel on its right; each takes a number from its left, adds one
** and puts it on its right. The first run parks every block in its TAKE
** (the spawn); then a 0 goes in at the left and N must come out at the
** right (the pass). Bytes per block: the RSS growth over N, as W6. */

GO_STATE(link, ca_chan *in; ca_chan out; long v;);
GO_STATE(chain_ends, ca_chan *first, *last; long v;);

static int link_pass(ca_go *g)
{
    GO_BEGIN_SELF(g, struct link, l);
    TAKE(g, l->in, &l->v);
    l->v++;
    PUT(g, &l->out, &l->v);
    GO_END(g);
}

static int chain_feed(ca_go *g)
{
    GO_BEGIN_SELF(g, struct chain_ends, e);
    PUT(g, e->first, &e->v);
    TAKE(g, e->last, &e->v);
    GO_END(g);
}

static void chain(long n)
{
    static ca_chan head;
    static struct chain_ends e;
    struct link *l;
    ca_sched s;
    long i, rss0, rss1;
    double t0, t_spawn, t_pass;
    int rc;

    check(ca_sched_init(&s), "sched");
    check(ca_chan_init(&head, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
          "chain head");
    rss0 = rss_bytes();
    t0 = now_s();
    if ((l = (struct link *)calloc((size_t)n, sizeof *l)) == NULL)
        check(CA_ENOMEM, "calloc");
    for (i = 0; i < n; i++) {
        check(ca_chan_init(&l[i].out, CA_UNBUFFERED, 0, sizeof(long), NULL,
                           0),
              "chain chan");
        l[i].in = i == 0 ? &head : &l[i - 1].out;
        check(ca_go_start(&s, &l[i].go, link_pass), "start");
    }
    rc = ca_sched_run(&s); /* all parked: nothing can run */
    if (rc != CA_EDEADLOCK)
        check(rc < 0 ? rc : CA_EINVAL, "chain park");
    t_spawn = now_s() - t0;
    rss1 = rss_bytes();
    t0 = now_s();
    e.first = &head, e.last = &l[n - 1].out, e.v = 0;
    check(ca_go_start(&s, &e.go, chain_feed), "start");
    check(ca_sched_run(&s), "run");
    t_pass = now_s() - t0;
    printf("CHAIN coreasync %ld %.6f %.2f build=%s bytes_per_block=%.1f "
           "sizeof_block=%zu spawn_ns=%.1f pass_ns=%.1f check=%s\n",
           n, t_spawn + t_pass, (t_spawn + t_pass) * 1e9 / (double)n,
           build(), (double)(rss1 - rss0) / (double)n, sizeof *l,
           t_spawn * 1e9 / (double)n, t_pass * 1e9 / (double)n,
           verdict(e.v == n));
    for (i = 0; i < n; i++)
        check(ca_chan_destroy(&l[i].out), "destroy");
    check(ca_chan_destroy(&head), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
    free(l);
}

#if CA_HAVE_THREADS
#include <pthread.h>

/* ------------------------------------------------------------------ W8 */

struct w8 {
    ca_chan ping, pong;
    long n;
};

/* The other thread: it never calls ca_sched_ref, and neither does main. */
static void *w8_pong(void *arg)
{
    struct w8 *w = (struct w8 *)arg;
    long i, v;

    for (i = 0; i < w->n; i++) {
        check(ca_take_blocking(&w->ping, &v), "W8 take");
        v++;
        check(ca_put_blocking(&w->pong, &v), "W8 put");
    }
    return NULL;
}

static void w8(long n)
{
    static struct w8 w LINE;
    pthread_t th;
    long i, v, sum = 0;
    double t0, c0, t, c;

    check(ca_chan_init(&w.ping, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
          "ping");
    check(ca_chan_init(&w.pong, CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
          "pong");
    w.n = n;
    t0 = now_s();
    c0 = cpu_s();
    if (pthread_create(&th, NULL, w8_pong, &w) != 0)
        check(CA_ENOMEM, "pthread_create");
    for (i = 0; i < n; i++) {
        check(ca_put_blocking(&w.ping, &i), "W8 put");
        check(ca_take_blocking(&w.pong, &v), "W8 take");
        sum += v;
    }
    (void)pthread_join(th, NULL);
    c = cpu_s() - c0;
    t = now_s() - t0;
    printf("W8 coreasync %ld %.6f %.2f build=%s threads=2 "
           "cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), c * 1e9 / (double)n,
           verdict(sum == n * (n - 1) / 2 + n));
    check(ca_chan_destroy(&w.ping), "destroy");
    check(ca_chan_destroy(&w.pong), "destroy");
}

/* ------------------------------------------------------------------ W9 */

struct tally {
    long sum, count;
};

struct w9 {
    ca_chan c;              /* capacity 1024: the channel measured        */
    ca_chan results;        /* each consumer's tally, for main            */
    int producing;          /* producers not yet done: the last closes c  */
    long buf[1024] LINE;
    struct tally rbuf[2];
};

/* Each block on a cache line of its own (LINE): two consumers side by
** side in one array shared a line, and every TAKE on one worker missed
** on the line the other worker had just written (14% of W9's time). */
struct w9_producer {
    ca_go go;
    struct w9 *w;
    long j, end;
} LINE;

struct w9_consumer {
    ca_go go;
    struct w9 *w;
    long v;
    struct tally t;
} LINE;

static int w9_produce(ca_go *g)
{
    struct w9_producer *p = (struct w9_producer *)g;

    GO_BEGIN(g);
    for (; p->j < p->end; p->j++) {
        PUT(g, &p->w->c, &p->j);
        check(GO_STATUS(g), "W9 PUT");
    }
    if (__atomic_sub_fetch(&p->w->producing, 1, __ATOMIC_ACQ_REL) == 0)
        check(ca_close(&p->w->c), "W9 close");
    GO_END(g);
}

static int w9_consume(ca_go *g)
{
    struct w9_consumer *k = (struct w9_consumer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &k->w->c, &k->v);
        if (GO_CLOSED(g))
            break;
        k->t.sum += k->v;
        k->t.count++;
    }
    check(GO_STATUS(g) == CA_CLOSED ? CA_OK : GO_STATUS(g), "W9 TAKE");
    PUT(g, &k->w->results, &k->t);
    check(GO_STATUS(g), "W9 result");
    GO_END(g);
}

static void w9(long n, unsigned workers)
{
    static struct w9 w LINE;
    static struct w9_producer p[2] LINE;
    static struct w9_consumer k[2] LINE;
    static ca_sched s LINE;
    struct tally r[2];
    long half = n / 2;
    double t0, c0, t, c;
    int i, ok;

    n = half * 2;
    check(ca_sched_init(&s), "sched");
    check(ca_chan_init(&w.c, CA_FIXED, 1024, sizeof(long), w.buf,
                       sizeof w.buf),
          "c");
    check(ca_chan_init(&w.results, CA_FIXED, 2, sizeof(struct tally),
                       w.rbuf, sizeof w.rbuf),
          "results");
    w.producing = 2;
    check(ca_sched_start(&s, workers), "ca_sched_start");
    t0 = now_s();
    c0 = cpu_s();
    for (i = 0; i < 2; i++) {
        p[i].w = &w;
        p[i].j = i * half;
        p[i].end = (i + 1) * half;
        k[i].w = &w;
        check(ca_go_start(&s, &k[i].go, w9_consume), "start");
        check(ca_go_start(&s, &p[i].go, w9_produce), "start");
    }
    for (i = 0; i < 2; i++)
        check(ca_take_blocking(&w.results, &r[i]), "W9 results");
    c = cpu_s() - c0;
    t = now_s() - t0;
    ok = r[0].sum + r[1].sum == n * (n - 1) / 2 &&
         r[0].count + r[1].count == n;
    printf("W9 coreasync %ld %.6f %.2f build=%s workers=%u "
           "consumer_split=%ld/%ld cpu_ns_per_op=%.2f check=%s\n",
           n, t, t * 1e9 / (double)n, build(), workers, r[0].count, r[1].count,
           c * 1e9 / (double)n, verdict(ok));
    check(ca_sched_stop(&s), "ca_sched_stop");
    check(ca_chan_destroy(&w.c), "destroy");
    check(ca_chan_destroy(&w.results), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
}

/* ----------------------------------------------------------------- HOP */

/*
** A go block made ready on one worker of a pool of 2 and resumed on the
** other: the waker readies the sleeper (its TAKE completes by the waker's
** offer) while the other worker idles, then keeps its own worker busy
** until the sleeper has run, so the sleeper can only run on the other
** one. A second sleeper is readied right after the first: the waker's
** queue then holds more than it can run next, which is what makes a
** worker wake an idle one (Go's wakep); without it the first sleeper
** would wait in the waker's queue until the waker parks. Each round
** records both threads, and the run fails unless every resume was on
** the other worker. What is measured: ready on worker 1 -> running on
** worker 2, including the wake-up of a sleeping worker.
*/
struct hop {
    ca_chan c[2];           /* sleeper i parks taking from c[i]           */
    ca_chan done;           /* closed by the waker at its end: a channel  */
                            /* of ours, as a --disable-malloc build has   */
                            /* no ca_go_result                            */
    double t_ready;         /* written by the waker before the offer      */
    pthread_t waker_th;
    double *ns;             /* one hop's latency per round                */
    long n, hops, same;
    int resumed;            /* set by sleeper 0 once it runs              */
};

struct hop_sleeper {
    ca_go go;
    struct hop *h;
    int id;
    long v;
};

struct hop_waker {
    ca_go go;
    struct hop *h;
    long i, v;
    double limit;
};

/* 1 when a sleeper is parked in its TAKE on c. */
static int parked_on(ca_chan *c)
{
    ca_chan_info info;

    check(ca_chan_inspect(c, &info), "inspect");
    return info.pending_takes == 1;
}

static int hop_sleep(ca_go *g)
{
    struct hop_sleeper *z = (struct hop_sleeper *)g;
    struct hop *h = z->h;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &h->c[z->id], &z->v);
        if (GO_CLOSED(g))
            break;
        if (z->id == 0) {
            h->ns[h->hops] = (now_s() - h->t_ready) * 1e9;
            if (pthread_equal(pthread_self(), h->waker_th))
                h->same++;
            h->hops++;
            __atomic_store_n(&h->resumed, 1, __ATOMIC_RELEASE);
        }
    }
    GO_END(g);
}

static int hop_wake(ca_go *g)
{
    struct hop_waker *a = (struct hop_waker *)g;
    struct hop *h = a->h;

    GO_BEGIN(g);
    for (a->i = 0; a->i < h->n; a->i++) {
        while (!parked_on(&h->c[0]) || !parked_on(&h->c[1]))
            YIELD(g); /* a sleeper still on its way back to its TAKE */
        __atomic_store_n(&h->resumed, 0, __ATOMIC_RELAXED);
        h->waker_th = pthread_self();
        h->t_ready = now_s();
        check(ca_offer(&h->c[0], &a->i) == CA_OK ? CA_OK : CA_EINVAL,
              "HOP offer 0");
        check(ca_offer(&h->c[1], &a->i) == CA_OK ? CA_OK : CA_EINVAL,
              "HOP offer 1");
        /* Hold this worker until sleeper 0 has run elsewhere; bounded,
        ** so that a pool that never wakes its idle worker fails the run
        ** instead of hanging it. */
        a->limit = now_s() + 5.0;
        while (!__atomic_load_n(&h->resumed, __ATOMIC_ACQUIRE))
            if (now_s() > a->limit) {
                fprintf(stderr, "bench: HOP: no worker took the block\n");
                exit(2);
            }
    }
    check(ca_close(&h->c[0]), "close");
    check(ca_close(&h->c[1]), "close");
    check(ca_close(&h->done), "close");
    GO_END(g);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return a < b ? -1 : a > b;
}

static void hop(long n)
{
    static struct hop h LINE;
    static struct hop_sleeper z[2] LINE;
    static struct hop_waker a LINE;
    static ca_sched s LINE;
    double t0, t, mean = 0;
    long i;
    int rc;

    if ((h.ns = (double *)calloc((size_t)n, sizeof *h.ns)) == NULL)
        check(CA_ENOMEM, "calloc");
    h.n = n;
    check(ca_sched_init(&s), "sched");
    for (i = 0; i < 2; i++) {
        check(ca_chan_init(&h.c[i], CA_UNBUFFERED, 0, sizeof(long), NULL, 0),
              "c");
        z[i].h = &h;
        z[i].id = (int)i;
        check(ca_go_start(&s, &z[i].go, hop_sleep), "start");
    }
    a.h = &h;
    check(ca_go_start(&s, &a.go, hop_wake), "start");
    check(ca_chan_init(&h.done, CA_UNBUFFERED, 0, 0, NULL, 0), "done");
    t0 = now_s();
    check(ca_sched_start(&s, 2), "ca_sched_start");
    rc = ca_take_blocking(&h.done, NULL); /* the waker's end closes it */
    t = now_s() - t0;
    check(rc == CA_CLOSED ? CA_OK : rc, "HOP wait");
    check(ca_sched_stop(&s), "ca_sched_stop");
    /* The sleepers may still be on their way out (they end when the
    ** waker's close reaches them): finish them on this thread. */
    check(ca_sched_run(&s), "HOP the rest");
    for (i = 0; i < h.hops; i++)
        mean += h.ns[i] / (double)h.hops;
    qsort(h.ns, (size_t)h.hops, sizeof *h.ns, cmp_double);
    printf("HOP coreasync %ld %.6f %.2f build=%s workers=2 mean_ns=%.1f "
           "p10_ns=%.1f p90_ns=%.1f same_worker=%ld check=%s\n",
           n, t, h.ns[h.hops / 2], build(), mean, h.ns[h.hops / 10],
           h.ns[h.hops * 9 / 10], h.same,
           verdict(h.hops == n && h.same == 0));
    check(ca_chan_destroy(&h.done), "destroy");
    for (i = 0; i < 2; i++)
        check(ca_chan_destroy(&h.c[i]), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
    free(h.ns);
}
#endif /* CA_HAVE_THREADS */
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

/* W10: a go block per stage; W10xf: the first three stages as one
** transform in the source's channel, as a core.async user writes it:
** (chan 64 (comp (map f) (filter g) (map h))) and a reducing block. */
static void w10(long n, int xf)
{
    ca_xf_map_t m1, m2;
    ca_xf_filter_t f;
    ca_xf *xs[3];
    ca_xf_comp_t comp;
    long expect = w10_expect(n), sum;
    double t, c;

    check(ca_xf_map(&m1, w10_triple, NULL, sizeof(long), sizeof(long)), "map");
    check(ca_xf_filter(&f, w10_even, NULL, sizeof(long)), "filter");
    check(ca_xf_map(&m2, w10_inc, NULL, sizeof(long), sizeof(long)), "map");
    xs[0] = &m1.xf, xs[1] = &f.xf, xs[2] = &m2.xf;
    check(ca_xf_comp(xs, 3, &comp), "comp");
    t = w10_run(n, xf ? &comp.xf : NULL, &sum, &c);
    printf("%s coreasync %ld %.6f %.2f build=%s cpu_ns_per_value=%.2f "
           "check=%s\n",
           xf ? "W10xf" : "W10", n, t, t * 1e9 / (double)n, build(),
           c * 1e9 / (double)n, verdict(sum == expect));
}

/* ------------------------------------------------------------ W11, W12 */
/* An echo server as demo/echo.c writes it: one block ACCEPTs, each
** connection is a go block that READ_LINE_VIEWs and WRITE_ALLs until the
** client hangs up. bench/go/w11.go and w12.go do the same with
** goroutines, net and bufio's ReadSlice, with the same buffer sizes (128
** bytes of read-ahead on each side, where the server's lines stay),
** TCP_NODELAY as Go sets it, and the clients in the same process: go
** blocks here, goroutines there. */
#if CA_HAVE_MALLOC

struct echo_conn {
    ca_go go;
    ca_io io;
    char ra[128]; /* read-ahead, where READ_LINE_VIEW leaves lines  */
};

/* What the blocks of one run share. The counters are atomics: on a pool,
** connections end on either worker. */
static struct {
    ca_io lio;              /* the listening socket                       */
    struct sockaddr_in addr;
    ca_chan done;           /* each client's count of good echoes         */
    long conns;             /* connections the acceptor takes             */
    long accepted, started, echoed, clean, errors, clients_left;
    double t_end;           /* when the last client finished              */
} wn;

static void count(long *c)
{
    (void)__atomic_add_fetch(c, 1, __ATOMIC_ACQ_REL);
}

static long counted(long *c)
{
    return __atomic_load_n(c, __ATOMIC_ACQUIRE);
}

static void nodelay(int fd)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int echo_serve(ca_go *g)
{
    struct echo_conn *c = (struct echo_conn *)g;

    GO_BEGIN(g);
    count(&wn.started); /* W12 knows by it that every connection parked */
    for (;;) {
        READ_LINE_VIEW(g, &c->io);
        if (GO_STATUS(g) == CA_CLOSED && c->io.n == 0) {
            count(&wn.clean);
            break;
        }
        if (!GO_OK(g))
            break;
        WRITE_ALL(g, &c->io, CA_IO_LINE(&c->io), c->io.n);
        if (!GO_OK(g))
            break;
        count(&wn.echoed);
    }
    if (!GO_OK(g) && GO_STATUS(g) != CA_CLOSED)
        count(&wn.errors);
    close(c->io.fd);
    GO_END(g); /* ca_go_new's struct: the scheduler frees it */
}

GO_STATE(acceptor, int fd; struct echo_conn *c;);

static int accept_fn(ca_go *g)
{
    GO_BEGIN_SELF(g, struct acceptor, a);
    while (counted(&wn.accepted) < wn.conns) {
        ACCEPT(g, &wn.lio, &a->fd);
        if (!GO_OK(g)) {
            fprintf(stderr, "bench: accept: %s\n", strerror(wn.lio.err));
            count(&wn.errors);
            break;
        }
        nodelay(a->fd);
        check(ca_go_new((ca_go **)&a->c, sizeof *a->c), "ca_go_new");
        check(ca_io_init(&a->c->io, a->fd, a->c->ra, sizeof a->c->ra),
              "ca_io_init");
        check(ca_go_start(ca_go_sched(g), &a->c->go, echo_serve), "start");
        count(&wn.accepted);
    }
    GO_END(g);
}

/* Sets up wn and the listening block on s for `conns` connections. */
static void echo_server(ca_sched *s, long conns)
{
    static struct acceptor a;
    socklen_t len = sizeof wn.addr;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&wn, 0, sizeof wn);
    wn.addr.sin_family = AF_INET;
    wn.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&wn.addr, sizeof wn.addr) != 0 ||
        listen(fd, 4096) != 0 ||
        getsockname(fd, (struct sockaddr *)&wn.addr, &len) != 0) {
        perror("bench: listen");
        exit(2);
    }
    check(ca_io_init(&wn.lio, fd, NULL, 0), "ca_io_init");
    wn.conns = conns;
    memset(&a, 0, sizeof a);
    check(ca_go_start(s, &a.go, accept_fn), "start");
}

/* A run that outlives its bound fails instead of hanging make bench. */
static void on_alarm(int sig)
{
    static const char msg[] = "bench: timed out\n";

    (void)sig;
    (void)write(2, msg, sizeof msg - 1);
    _exit(2);
}

static void bound(unsigned seconds)
{
    (void)signal(SIGALRM, on_alarm);
    (void)alarm(seconds);
}

/* Line k of client id: 63 bytes and a newline, unlike its neighbours'
** (w11.go's line() writes the same bytes). */
static void w11_line(char *b, int id, long k)
{
    int i;

    for (i = 0; i < 63; i++)
        b[i] = (char)('a' + (i + id + k) % 26);
    for (i = 7; i >= 0; i--, k /= 10)
        b[i] = (char)('0' + k % 10);
    b[8] = ' ';
    for (i = 11; i >= 9; i--, id /= 10)
        b[i] = (char)('0' + id % 10);
    b[63] = '\n';
}

struct echo_client {
    ca_go go;
    ca_io io;
    int id;
    long k, lines, ok;
    char ra[128], out[64], in[128];
};

static int client_fn(ca_go *g)
{
    struct echo_client *c = (struct echo_client *)g;

    GO_BEGIN(g);
    CONNECT(g, &c->io, (struct sockaddr *)&wn.addr, sizeof wn.addr, 5000);
    if (!GO_OK(g)) {
        fprintf(stderr, "bench: connect: %s\n", strerror(c->io.err));
        c->lines = 0;
    }
    nodelay(c->io.fd);
    for (c->k = 0; c->k < c->lines; c->k++) {
        w11_line(c->out, c->id, c->k);
        WRITE_ALL(g, &c->io, c->out, sizeof c->out);
        if (!GO_OK(g))
            break;
        READ_LINE(g, &c->io, c->in, sizeof c->in);
        if (!GO_OK(g))
            break;
        if (c->io.n == sizeof c->out &&
            memcmp(c->in, c->out, sizeof c->out) == 0)
            c->ok++;
    }
    close(c->io.fd); /* the server's READ_LINE sees the end of file */
    if (__atomic_sub_fetch(&wn.clients_left, 1, __ATOMIC_ACQ_REL) == 0)
        wn.t_end = now_s();
    PUT(g, &wn.done, &c->ok); /* room for all: never parks */
    GO_END(g);
}

static void w11(long n, unsigned workers, int clients)
{
    static ca_sched s;
    struct echo_client *cl;
    long *buf, lines, ok = 0, v;
    double t0, c0, t, cpu;
    int i;

    if (clients < 1 || n < clients ||
        (workers != 0 && !CA_HAVE_THREADS)) {
        fprintf(stderr, "bench: W11: N >= clients >= 1; workers 0%s\n",
                CA_HAVE_THREADS ? " or a pool size" : " (no threads)");
        exit(1);
    }
    lines = n / clients;
    n = lines * clients;
    bound(120);
    (void)signal(SIGPIPE, SIG_IGN);
    check(ca_sched_init(&s), "sched");
    cl = (struct echo_client *)calloc((size_t)clients, sizeof *cl);
    buf = (long *)calloc((size_t)clients, sizeof *buf);
    if (cl == NULL || buf == NULL)
        check(CA_ENOMEM, "calloc");
    echo_server(&s, clients);
    check(ca_chan_init(&wn.done, CA_FIXED, (size_t)clients, sizeof(long), buf,
                       (size_t)clients * sizeof *buf),
          "W11 done");
    wn.clients_left = clients;
    t0 = now_s();
    c0 = cpu_s();
    for (i = 0; i < clients; i++) {
        cl[i].id = i;
        cl[i].lines = lines;
        check(ca_io_init(&cl[i].io, socket(AF_INET, SOCK_STREAM, 0),
                         cl[i].ra, sizeof cl[i].ra),
              "ca_io_init");
        check(ca_go_start(&s, &cl[i].go, client_fn), "start");
    }
#if CA_HAVE_THREADS
    if (workers != 0) {
        check(ca_sched_start(&s, workers), "ca_sched_start");
        for (i = 0; i < clients; i++)
            check(ca_take_blocking(&wn.done, &v), "W11 done");
        check(ca_sched_stop(&s), "ca_sched_stop");
    }
#endif
    check(ca_sched_run(&s), "run"); /* all of it, or what the pool left */
    cpu = cpu_s() - c0;
    t = wn.t_end - t0;
    for (i = 0; i < clients; i++)
        ok += cl[i].ok;
    (void)v;
    printf("%s coreasync %ld %.6f %.2f build=%s workers=%u clients=%d "
           "lines=%ld req_per_s=%.0f cpu_ns_per_req=%.2f check=%s\n",
           workers != 0 ? "W11p" : "W11", n, t, t * 1e9 / (double)n, build(),
           workers, clients, lines, (double)n / t, cpu * 1e9 / (double)n,
           verdict(ok == n && wn.echoed == n && wn.accepted == clients &&
                   wn.clean == clients && wn.errors == 0));
    close(wn.lio.fd);
    check(ca_chan_destroy(&wn.done), "destroy");
    check(ca_sched_destroy(&s), "sched destroy");
    free(cl);
    free(buf);
}

/* W12: the clients are plain sockets, connect(2)ed by one block, so they
** cost nothing in user space: the RSS growth is the server's. */
GO_STATE(w12_ctl, long i, n; int *fds; long rss1; double t_parked;);

static int w12_control(ca_go *g)
{
    int fd;

    GO_BEGIN_SELF(g, struct w12_ctl, k);
    for (k->i = 0; k->i < k->n; k->i++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 ||
            connect(fd, (struct sockaddr *)&wn.addr, sizeof wn.addr) != 0) {
            perror("bench: W12 connect");
            count(&wn.errors);
            break;
        }
        k->fds[k->i] = fd;
        /* In steps of 64, so the accept queue never overflows: a client
        ** whose SYN is dropped waits a second to try again. */
        if ((k->i + 1) % 64 == 0 || k->i + 1 == k->n)
            while (counted(&wn.accepted) <= k->i && counted(&wn.errors) == 0)
                YIELD(g);
    }
    /* Each connection counts itself started, then reads, finds nothing
    ** and parks, all in one run: started == accepted means all parked. */
    while (counted(&wn.started) < counted(&wn.accepted))
        YIELD(g);
    k->rss1 = rss_bytes();
    k->t_parked = now_s();
    for (k->i = 0; k->i < k->n && k->fds[k->i] >= 0; k->i++) {
        if (write(k->fds[k->i], "wake\n", 5) != 5)
            count(&wn.errors);
        (void)shutdown(k->fds[k->i], SHUT_WR); /* then the end of file */
    }
    while (counted(&wn.clean) + counted(&wn.errors) < counted(&wn.accepted))
        YIELD(g);
    for (k->i = 0; k->i < k->n && k->fds[k->i] >= 0; k->i++)
        close(k->fds[k->i]);
    GO_END(g);
}

static void w12(long n)
{
    static struct w12_ctl k;
    struct rlimit rl;
    ca_sched s;
    long asked = n, i, rss0;
    double t0, t;
    rlim_t want;

    /* Two descriptors a connection, and some for the rest. */
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        check(CA_EIO, "getrlimit");
    want = (rlim_t)(2 * n + 64);
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            check(CA_EIO, "setrlimit");
    }
    if (rl.rlim_cur < want)
        n = ((long)rl.rlim_cur - 64) / 2;
    if (n < 1)
        check(CA_EINVAL, "W12: too few descriptors");
    bound(60);
    (void)signal(SIGPIPE, SIG_IGN);
    check(ca_sched_init(&s), "sched");
    if ((k.fds = (int *)malloc((size_t)n * sizeof *k.fds)) == NULL)
        check(CA_ENOMEM, "malloc");
    for (i = 0; i < n; i++)
        k.fds[i] = -1; /* touched now, so its pages are not the growth */
    k.n = n;
    echo_server(&s, n);
    check(ca_go_start(&s, &k.go, w12_control), "start");
    rss0 = rss_bytes();
    t0 = now_s();
    check(ca_sched_run(&s), "run");
    t = now_s() - t0;
    printf("W12 coreasync %ld %.6f %.2f build=%s bytes_per_conn=%.1f "
           "sizeof_conn=%zu asked=%ld nofile=%ld park_ns_per_conn=%.1f "
           "check=%s\n",
           n, t, t * 1e9 / (double)n, build(),
           (double)(k.rss1 - rss0) / (double)n, sizeof(struct echo_conn),
           asked, (long)rl.rlim_cur, (k.t_parked - t0) * 1e9 / (double)n,
           verdict(wn.accepted == n && wn.started == n && wn.echoed == n &&
                   wn.clean == n && wn.errors == 0));
    close(wn.lio.fd);
    check(ca_sched_destroy(&s), "sched destroy");
    free(k.fds);
}
#endif /* CA_HAVE_MALLOC */

int main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;

    if (strcmp(w, "W1") == 0)
        w1(n > 0 ? n : 1000000);
    else if (strcmp(w, "W2") == 0)
        w2(n > 0 ? n : 10000000);
    else if (strcmp(w, "W3") == 0)
        w3(n > 0 ? n : 4000000, argc > 3 ? atoi(argv[3]) : 4);
    else if (strcmp(w, "W4") == 0)
        w4(n > 0 ? n : 10000000);
#if CA_HAVE_MALLOC
    else if (strcmp(w, "W5") == 0)
        w5(n > 0 ? n : 5000);
#endif
    else if (strcmp(w, "W6") == 0)
        w6(n > 0 ? n : 1000000);
    else if (strcmp(w, "W7") == 0)
        w7(n > 0 ? n : 100000);
    else if (strcmp(w, "CHAIN") == 0)
        chain(n > 0 ? n : 1000000);
#if CA_HAVE_THREADS
    else if (strcmp(w, "W8") == 0)
        w8(n > 0 ? n : 200000);
    else if (strcmp(w, "W9") == 0)
        w9(n > 0 ? n : 10000000, argc > 3 ? (unsigned)atoi(argv[3]) : 2u);
    else if (strcmp(w, "HOP") == 0)
        hop(n > 0 ? n : 20000);
#endif
    else if (strcmp(w, "W10") == 0 || strcmp(w, "W10xf") == 0)
        w10(n > 0 ? n : 10000000, w[3] != '\0');
#if CA_HAVE_MALLOC
    else if (strcmp(w, "W11") == 0)
        w11(n > 0 ? n : 1000000, argc > 3 ? (unsigned)atoi(argv[3]) : 0u,
            argc > 4 ? atoi(argv[4]) : 100);
    else if (strcmp(w, "W12") == 0)
        w12(n > 0 ? n : 10000);
#endif
    else {
        fprintf(stderr, "usage: %s W1|W2|W3|W4|W5|W6|W7|W8|W9|HOP|W10|W10xf|W11|W12|CHAIN [N]\n", argv[0]);
        return 1;
    }
    return failed ? 3 : 0;
}
