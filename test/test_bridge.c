/*
** test_bridge.c: channels over a byte stream (ca_bridge_out/in): round
** trips over a socket pair (both ways at once) and a pipe, large and many
** values, on one thread and on a pool; a frame built by hand from the
** documented format; corruption dropped and counted, with the stream
** found again; closing in both directions. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_MALLOC /* WAIT_FD needs it; the end of the file */

static int usable(void)
{
    int ev;

    (void)signal(SIGPIPE, SIG_IGN);
    return ca_wait_fd_blocking(0, CA_FD_READ, 0, &ev) != CA_ENOTSUP;
}

/* Values of `size` bytes, value i filled from i, so that any byte out of
** place shows. */
static void fill(unsigned char *v, size_t size, unsigned i)
{
    size_t k;

    for (k = 0; k < size; k++)
        v[k] = (unsigned char)(i * 31u + k * 7u + k / 256u);
}

typedef struct producer {
    ca_go go;
    ca_chan *ch;
    unsigned char *v;
    size_t size;
    unsigned i, n;
    int status;
} producer;

static int produce(ca_go *g)
{
    producer *p = (producer *)g;

    GO_BEGIN(g);
    for (p->i = 0; p->i < p->n; p->i++) {
        fill(p->v, p->size, p->i);
        PUT_BYTES(g, p->ch, p->v);
        if (GO_CLOSED(g))
            break;
    }
    p->status = GO_STATUS(g);
    if (p->status == CA_OK)
        (void)ca_close(p->ch);
    GO_END(g);
}

typedef struct consumer {
    ca_go go;
    ca_chan *ch;
    unsigned char *v, *want;
    size_t size;
    const unsigned *expect; /* the numbers that must come, in order */
    unsigned i, n, stop_after, bad;
} consumer;

static int consume(ca_go *g)
{
    consumer *c = (consumer *)g;

    GO_BEGIN(g);
    for (;;) {
        if (c->stop_after != 0 && c->i == c->stop_after) {
            (void)ca_close(c->ch); /* the consumer has had enough */
            break;
        }
        TAKE_BYTES(g, c->ch, c->v);
        if (GO_CLOSED(g))
            break;
        fill(c->want, c->size, c->expect != NULL ? c->expect[c->i] : c->i);
        if (memcmp(c->v, c->want, c->size) != 0)
            c->bad++;
        c->i++;
    }
    GO_END(g);
}

/* One direction: a producer, a bridge out, a bridge in, a consumer. */
typedef struct lane {
    producer p;
    consumer c;
    ca_bridge out, in;
    ca_chan *from, *to;
    unsigned char *obuf, *ibuf;
    size_t isize;
} lane;

static void lane_init(lane *l, size_t size, unsigned n, size_t ibuf)
{
    memset(l, 0, sizeof *l);
    CA_ASSERT_RC(ca_chan_new(&l->from, CA_FIXED, 4, size), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&l->to, CA_UNBUFFERED, 0, size), CA_OK);
    l->p.ch = l->from;
    l->p.v = malloc(size + 1);
    l->p.size = size;
    l->p.n = n;
    l->c.ch = l->to;
    l->c.v = malloc(size + 1);
    l->c.want = malloc(size + 1);
    l->c.size = size;
    l->obuf = malloc(CA_BRIDGE_BUF(size));
    l->isize = ibuf > CA_BRIDGE_BUF(size) ? ibuf : CA_BRIDGE_BUF(size);
    l->ibuf = malloc(l->isize);
}

static void lane_start(lane *l, ca_sched *s, int wfd, int rfd)
{
    CA_ASSERT_RC(ca_go_start(s, &l->p.go, produce), CA_OK);
    CA_ASSERT_RC(ca_go_start(s, &l->c.go, consume), CA_OK);
    CA_ASSERT_RC(ca_bridge_out(&l->out, s, l->from, wfd, l->obuf,
                               CA_BRIDGE_BUF(l->p.size)), CA_OK);
    CA_ASSERT_RC(ca_bridge_in(&l->in, s, rfd, l->to, l->ibuf, l->isize),
                 CA_OK);
}

static void lane_free(lane *l)
{
    CA_ASSERT_RC(ca_chan_free(l->from), CA_OK);
    CA_ASSERT_RC(ca_chan_free(l->to), CA_OK);
    free(l->p.v);
    free(l->c.v);
    free(l->c.want);
    free(l->obuf);
    free(l->ibuf);
}

/* Everything arrived, in order, intact; both bridges ended cleanly. */
static void lane_check(lane *l, unsigned n)
{
    CA_ASSERT_EQ(l->c.i, n);
    CA_ASSERT_EQ(l->c.bad, 0);
    CA_ASSERT_RC(l->out.status, CA_OK);
    CA_ASSERT_RC(l->in.status, CA_OK);
    CA_ASSERT_EQ(l->out.frames, n);
    CA_ASSERT_EQ(l->in.frames, n);
    CA_ASSERT_EQ(l->in.corrupt, 0);
    CA_ASSERT_RC(ca_closed(l->to), 1);
}

static void wait_all(ca_chan **res, int k)
{
    int i, v;

    for (i = 0; i < k; i++) {
        while (ca_take_blocking(res[i], &v) == CA_OK)
            ;
        CA_ASSERT_RC(ca_chan_free(res[i]), CA_OK);
    }
}

/* Both directions of one socket pair at once: 10,000 ints each way. */
static void duplex(unsigned pool)
{
    ca_sched s;
    lane l[2];
    ca_chan *res[8];
    int sv[2], i;
    unsigned n = CA_TEST_SMALL ? 100 : 10000;

    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    lane_init(&l[0], sizeof(int), n, 4096);
    lane_init(&l[1], sizeof(int), n, 0);
    if (pool) {
        for (i = 0; i < 2; i++) {
            CA_ASSERT_RC(ca_go_result(&l[i].c.go, 0, &res[2 * i]), CA_OK);
            CA_ASSERT_RC(ca_go_result(&l[i].in.go, sizeof(int),
                                      &res[2 * i + 1]), CA_OK);
        }
    }
    lane_start(&l[0], &s, sv[0], sv[1]);
    lane_start(&l[1], &s, sv[1], sv[0]);
    if (pool) {
        CA_ASSERT_RC(ca_sched_start(&s, pool), CA_OK);
        wait_all(res, 4);
        CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK); /* what is left, if any */
    for (i = 0; i < 2; i++) {
        lane_check(&l[i], n);
        lane_free(&l[i]);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

static void bridge_duplex(void)
{
    if (usable())
        duplex(0);
}

static void bridge_duplex_pool(void)
{
    if (usable() && CA_HAVE_THREADS)
        duplex(2);
}

/* Large values through a pipe (whose buffer holds less than two): every
** write and read is partial. */
static void bridge_large_pipe(void)
{
    ca_sched s;
    lane l;
    int p[2];
    size_t size = CA_TEST_SMALL ? 1000 : CA_MAX_ELEM_SIZE;

    if (!usable())
        return;
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    lane_init(&l, size, 20, 0);
    lane_start(&l, &s, p[1], p[0]);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    lane_check(&l, 20);
    lane_free(&l);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

/* ----------------------------------------------- the format, by hand */

/* CRC-32 as the page describes it, bit by bit (not the library's way). */
static uint32_t crc_ref(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    int k;

    while (n-- > 0) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static size_t hand_frame(unsigned char *f, int type, const void *v,
                         uint32_t len)
{
    uint32_t c;
    int k;

    f[0] = 0xca;
    f[1] = (unsigned char)type;
    for (k = 0; k < 4; k++)
        f[2 + k] = (unsigned char)(len >> (8 * k));
    if (len > 0) /* an end frame has no value (v NULL) */
        memcpy(f + 6, v, len);
    c = crc_ref(f + 1, 5 + len);
    for (k = 0; k < 4; k++)
        f[6 + len + k] = (unsigned char)(c >> (8 * k));
    return 10 + len;
}

/* Takes every int a channel gives until it closes. */
typedef struct sink {
    ca_go go;
    ca_chan *ch;
    int v, got[64];
    unsigned n;
} sink;

static int sink_fn(ca_go *g)
{
    sink *k = (sink *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, k->ch, &k->v);
        if (GO_CLOSED(g))
            break;
        if (k->n < 64)
            k->got[k->n] = k->v;
        k->n++;
    }
    GO_END(g);
}

/* Feeds `bytes` to a bridge in (through a pipe), closes the pipe, and
** collects the ints that come out. */
static void feed(const unsigned char *bytes, size_t len, ca_bridge *in,
                 sink *k)
{
    ca_sched s;
    ca_chan *to;
    unsigned char buf[CA_BRIDGE_BUF(sizeof(int)) + 3];
    int p[2];

    CA_ASSERT_EQ(crc_ref((const unsigned char *)"123456789", 9),
                 0xcbf43926u);
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_EQ(write(p[1], bytes, len), (long)len);
    close(p[1]);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_new(&to, CA_UNBUFFERED, 0, sizeof(int)), CA_OK);
    memset(in, 0, sizeof *in);
    memset(k, 0, sizeof *k);
    k->ch = to;
    CA_ASSERT_RC(ca_go_start(&s, &k->go, sink_fn), CA_OK);
    CA_ASSERT_RC(ca_bridge_in(in, &s, p[0], to, buf, sizeof buf), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_closed(to), 1);
    CA_ASSERT_RC(ca_chan_free(to), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
}

/* Frames written from the documentation alone are understood; damage of
** every kind is dropped and counted, and the frames after it still come. */
static void bridge_corruption(void)
{
    unsigned char b[1024];
    size_t n = 0, at;
    ca_bridge in;
    sink k;
    int v;

    if (!usable())
        return;
    for (v = 0; v < 10; v++) {
        at = n;
        n += hand_frame(b + n, 1, &v, sizeof v);
        if (v == 2)
            b[at + 7] ^= 0x10; /* a payload bit flipped */
        if (v == 4)
            b[at + n - at - 1] ^= 0xff; /* the CRC damaged */
        if (v == 5) {
            memcpy(b + n, "\xca\x01noise\xca", 8); /* noise after a frame */
            n += 8;
        }
        if (v == 7)
            b[at + 2] = 9; /* a length this channel cannot have */
    }
    n += hand_frame(b + n, 2, NULL, 0);
    feed(b, n, &in, &k);
    CA_ASSERT_EQ(k.n, 7);
    CA_ASSERT_EQ(k.got[0], 0);
    CA_ASSERT_EQ(k.got[1], 1);
    CA_ASSERT_EQ(k.got[2], 3);
    CA_ASSERT_EQ(k.got[3], 5);
    CA_ASSERT_EQ(k.got[4], 6);
    CA_ASSERT_EQ(k.got[5], 8);
    CA_ASSERT_EQ(k.got[6], 9);
    CA_ASSERT_EQ(in.frames, 7);
    CA_ASSERT_EQ(in.corrupt, 4);
    CA_ASSERT_RC(in.status, CA_OK); /* the end frame came */

    /* The stream is cut inside a frame, with no end frame: the frames
    ** before come, the stump is counted, and the end closes the channel. */
    n = 0;
    for (v = 0; v < 3; v++)
        n += hand_frame(b + n, 1, &v, sizeof v);
    n -= 3;
    feed(b, n, &in, &k);
    CA_ASSERT_EQ(k.n, 2);
    CA_ASSERT_EQ(in.corrupt, 1);
    CA_ASSERT_EQ(in.skipped, 11);
    CA_ASSERT_RC(in.status, CA_CLOSED);
}

/* Closes a descriptor once a block has ended (its result channel says). */
typedef struct closer {
    ca_go go;
    ca_chan *res;
    int fd, v;
} closer;

static int closer_fn(ca_go *g)
{
    closer *c = (closer *)g;

    GO_BEGIN(g);
    TAKE(g, c->res, &c->v);
    close(c->fd);
    GO_END(g);
}

/* The consumer on the far side closes its channel: the bridge in ends,
** the descriptor is closed, the bridge out finds the reader gone and
** closes its own channel, and the producer learns it from its PUT. */
static void bridge_close_backwards(void)
{
    ca_sched s;
    lane l;
    closer c;
    int sv[2];

    if (!usable())
        return;
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    lane_init(&l, 1000, 1000000, 0);
    l.c.stop_after = 10;
    memset(&c, 0, sizeof c);
    c.fd = sv[1]; /* once the bridge in ended, its side hangs up */
    CA_ASSERT_RC(ca_go_result(&l.in.go, sizeof(int), &c.res), CA_OK);
    CA_ASSERT_RC(ca_go_start(&s, &c.go, closer_fn), CA_OK);
    lane_start(&l, &s, sv[0], sv[1]);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_free(c.res), CA_OK);
    CA_ASSERT_EQ(l.c.i, 10);
    CA_ASSERT_RC(l.in.status, CA_CLOSED);
    CA_ASSERT_RC(l.out.status, CA_CLOSED);
    CA_ASSERT_RC(l.p.status, CA_CLOSED);
    CU_ASSERT(l.p.i < 1000000);
    /* Every value the producer put was delivered, or is counted lost. */
    CU_ASSERT(l.out.lost >= 1);
    CA_ASSERT_EQ(l.out.frames + l.out.lost, l.p.i);
    CA_ASSERT_RC(ca_closed(l.from), 1);
    CA_ASSERT_EQ(l.c.bad, 0);
    lane_free(&l);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(sv[0]);
}

static void bridge_bad_input(void)
{
    ca_bridge b;
    ca_chan *ch, dead;
    unsigned char buf[CA_BRIDGE_BUF(sizeof(int))];
    int dbuf[1], p[2];

    memset(&b, 0, sizeof b);
    CA_ASSERT_RC(ca_chan_init(&dead, CA_FIXED, 1, sizeof(int), dbuf,
                              sizeof dbuf), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&dead), CA_OK);
    CA_ASSERT_RC(ca_bridge_out(NULL, NULL, &dead, 0, buf, sizeof buf),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, 0, NULL, buf, sizeof buf), CA_EINVAL);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, -1, &dead, buf, sizeof buf),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, 0, &dead, NULL, sizeof buf),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, 0, &dead, buf, sizeof buf),
                 CA_EBADCHAN);
    if (!usable())
        return;
    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 1, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_bridge_out(&b, NULL, ch, 0, buf, sizeof buf - 1),
                 CA_ERANGE);
    CA_ASSERT_EQ(pipe(p), 0);
    close(p[0]);
    close(p[1]);
    CA_ASSERT_RC(ca_bridge_out(&b, NULL, ch, p[0], buf, sizeof buf), CA_EIO);
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, p[0], ch, buf, sizeof buf), CA_OK);
    CA_ASSERT_RC(ca_bridge_in(&b, NULL, p[0], ch, buf, sizeof buf), CA_EBUSY);
    close(p[1]); /* end of file: the bridge ends, and closes ch */
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(b.status, CA_CLOSED);
    CA_ASSERT_RC(ca_closed(ch), 1);
    close(p[0]);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
}

static const ca_test tests[] = {
    {"bridge_duplex", bridge_duplex},
    {"bridge_duplex_pool", bridge_duplex_pool},
    {"bridge_large_pipe", bridge_large_pipe},
    {"bridge_corruption", bridge_corruption},
    {"bridge_close_backwards", bridge_close_backwards},
    {"bridge_bad_input", bridge_bad_input},
    {NULL, NULL}};

#else /* no malloc: a bridge starts, and ends at its first wait with
      ** CA_ENOTSUP (WAIT_FD's limit), closing its channel */

static void bridge_without_malloc(void)
{
    ca_sched s;
    ca_bridge b;
    ca_chan ch;
    int cbuf[1], p[2];
    unsigned char buf[CA_BRIDGE_BUF(sizeof(int))];

    CA_ASSERT_EQ(pipe(p), 0);
    memset(&b, 0, sizeof b);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_FIXED, 1, sizeof(int), cbuf,
                              sizeof cbuf), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_bridge_in(&b, &s, p[0], &ch, buf, sizeof buf), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(b.status, CA_ENOTSUP);
    CA_ASSERT_RC(ca_closed(&ch), 1);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    close(p[0]);
    close(p[1]);
}

static const ca_test tests[] = {
    {"bridge_without_malloc", bridge_without_malloc},
    {NULL, NULL}};

#endif

CA_TEST_MAIN("bridge", tests)
