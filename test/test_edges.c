/*
** test_edges.c: the connectors' and the stream helpers' edges (issue 12,
** item 5): an output that closes under a connector, calls on a connector
** that is running or has ended, read-ahead that a later read consumes,
** and each failure of the system calls behind the stream helpers, as the
** status the user gets. Scheduler driven on this thread. MIT licence, see
** COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <coreasync.h>

#include "ca_test.h"

static ca_sched S;

static void run(void)
{
    CA_ASSERT_RC(ca_sched_run(&S), CA_OK);
}

/* Runs what is ready until nothing is (blocks left parked, waiting for
** what the test does next, make a step report a deadlock: fine here). */
static void settle(void)
{
    uint32_t next = 0;
    int rc;

    do {
        rc = ca_sched_step(&S, &next);
        if (rc != CA_OK && rc != CA_EDEADLOCK)
            CA_ASSERT_RC(rc, CA_OK);
    } while (rc == CA_OK && next == 0);
}

/* ------------------------------------------------ outputs that close */

static int is_odd(const void *val, void *ud)
{
    (void)ud;
    return *(const int *)val & 1;
}

/* split stops at the first put that finds its output closed, and leaves
** the source and the other output open. */
static void split_stops_on_closed_output(void)
{
    ichan from, t, f;
    ca_split_state st;
    int v;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&t, CA_UNBUFFERED, 0);
    ichan_init(&f, CA_FIXED, 8);
    memset(&st, 0, sizeof st);
    CA_ASSERT_RC(ca_split(&st, &S, is_odd, NULL, &from.ch, &t.ch, &f.ch,
                          &v), CA_OK);
    settle(); /* parks on the take */
    OFFER(&from.ch, 2);
    settle();
    POLL_EQ(&f.ch, 2);
    CA_ASSERT_RC(ca_close(&t.ch), CA_OK);
    OFFER(&from.ch, 3); /* odd: its put finds t closed */
    OFFER(&from.ch, 4);
    run();
    CA_ASSERT_EQ(ca_go_sched(&st.go) == NULL, 1); /* ended */
    CA_ASSERT_RC(st.status, CA_OK);
    CA_ASSERT_RC(ca_poll(&f.ch, &v), CA_AGAIN); /* open, 4 not passed on */
    POLL_EQ(&from.ch, 4);
    CA_ASSERT_RC(ca_closed(&from.ch), 0);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&f.ch), CA_OK);
}

/* take_n ends early when its output is closed, and leaves the source
** with what it did not take. */
static void take_n_stops_on_closed_output(void)
{
    ichan from, out;
    ca_take_n_state st;
    int v;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&out, CA_UNBUFFERED, 0);
    OFFER(&from.ch, 1);
    OFFER(&from.ch, 2);
    CA_ASSERT_RC(ca_close(&out.ch), CA_OK);
    memset(&st, 0, sizeof st);
    CA_ASSERT_RC(ca_take_n(&st, &S, &from.ch, 5, &out.ch, &v), CA_OK);
    run();
    POLL_EQ(&from.ch, 2);
    CA_ASSERT_RC(ca_poll(&out.ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
}

/* ------------------------------------------------- the mix's admin */

static void mix_edges(void)
{
    ca_mix_state m;
    ca_mix_slot slots[2];
    ca_alt cases[3];
    ichan out, a;
    struct {
        ca_chan ch;
        short buf[2];
    } sh;
    int v;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    ichan_init(&out, CA_UNBUFFERED, 0);
    ichan_init(&a, CA_FIXED, 8);
    CA_ASSERT_RC(ca_chan_init(&sh.ch, CA_FIXED, 2, sizeof(short), sh.buf,
                              sizeof sh.buf), CA_OK);
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_mix(&m, &S, &out.ch, &v, slots, cases, 2), CA_OK);
    /* inputs of another size, or the output itself: refused */
    CA_ASSERT_RC(ca_mix_admix(&m, &sh.ch), CA_EINVAL);
    CA_ASSERT_RC(ca_mix_admix(&m, &out.ch), CA_EINVAL);
    CA_ASSERT_RC(ca_mix_admix(&m, &a.ch), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix(&m, &sh.ch), CA_OK); /* never in: fine */
    settle();
    CA_ASSERT_RC(ca_close(&out.ch), CA_OK);
    OFFER(&a.ch, 5); /* read; its put finds out closed: the mix ends */
    OFFER(&a.ch, 6);
    settle();
    CA_ASSERT_EQ(ca_go_sched(&m.go) == NULL, 1);
    /* ended: admin calls change nothing, new inputs are refused */
    CA_ASSERT_RC(ca_mix_admix(&m, &a.ch), CA_CLOSED);
    CA_ASSERT_RC(ca_mix_unmix(&m, &a.ch), CA_OK);
    CA_ASSERT_RC(ca_mix_solo_mode(&m, CA_MIX_PAUSE), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&m), CA_OK);
    POLL_EQ(&a.ch, 6); /* the input stays, with what was not read */
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sh.ch), CA_OK);
}

/* --------------------------------------------- mult and pub's admin */

static uintptr_t by_value(const void *val, void *ud)
{
    (void)ud;
    return (uintptr_t)*(const int *)val;
}

static void mult_pub_edges(void)
{
    ca_mult_state m;
    ca_mult_slot slot;
    ca_pub_state p;
    ca_topic t;
    ca_mult_slot tslot;
    ichan src, psrc, tch, sub;
    struct {
        ca_chan ch;
        short buf[2];
    } sh;
    int v, tv;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    ichan_init(&src, CA_FIXED, 8);
    ichan_init(&psrc, CA_FIXED, 8);
    ichan_init(&tch, CA_FIXED, 8);
    ichan_init(&sub, CA_FIXED, 8);
    CA_ASSERT_RC(ca_chan_init(&sh.ch, CA_FIXED, 2, sizeof(short), sh.buf,
                              sizeof sh.buf), CA_OK);
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_mult(&m, &S, &src.ch, &v, &slot, 1), CA_OK);
    CA_ASSERT_RC(ca_mult_tap(&m, &src.ch, 0), CA_EINVAL); /* its source */
    CA_ASSERT_RC(ca_mult_tap(&m, &sh.ch, 0), CA_EINVAL);  /* its size */
    CA_ASSERT_RC(ca_close(&src.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_mult_tap(&m, &sub.ch, 0), CA_CLOSED); /* ended */

    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_pub(&p, &S, &psrc.ch, by_value, NULL, NULL, &v),
                 CA_OK);
    CA_ASSERT_RC(ca_pub_topic(&p, &t, 1, &sh.ch, &tv, &tslot, 1),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_pub_topic(&p, &t, 1, &psrc.ch, &tv, &tslot, 1),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_pub_sub(&p, 1, &psrc.ch, 0), CA_EINVAL);
    CA_ASSERT_RC(ca_pub_unsub(&p, 9, &sub.ch), CA_OK); /* no such topic */
    CA_ASSERT_RC(ca_pub_topic(&p, &t, 1, &tch.ch, &tv, &tslot, 1), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 1, &sub.ch, 0), CA_OK);
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_EBUSY); /* its blocks run */
    OFFER(&psrc.ch, 1);
    settle();
    POLL_EQ(&sub.ch, 1);
    CA_ASSERT_RC(ca_close(&psrc.ch), CA_OK);
    settle();
    CA_ASSERT_RC(ca_pub_topic(&p, &t, 2, &tch.ch, &tv, &tslot, 1),
                 CA_CLOSED);
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&src.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&psrc.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&tch.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sub.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sh.ch), CA_OK);
}

/* ------------------------------------ signals and allocated forms */

#if CA_HAVE_MALLOC
/* Counts the signals it folds: a zero-size accumulator, state in ud. */
static int count_signal(void *acc, const void *val, void *ud)
{
    (void)acc;
    (void)val;
    ++*(int *)ud;
    return 0;
}
#endif

/* Connectors over channels of element size 0 (signals) need no value
** storage, and their allocated forms (NULL state) none either. */
static void signals_through_connectors(void)
{
    ca_chan a, b, out, res;
    ca_chan *chs[2];
    ca_merge_state mst;
    ca_alt cases[2];
    ca_chan_info i;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&a, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&b, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&out, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&res, CA_FIXED, 1, 0, NULL, 0), CA_OK);
    chs[0] = &a;
    chs[1] = &b;
    memset(&mst, 0, sizeof mst);
    CA_ASSERT_RC(ca_merge(&mst, &S, chs, 2, &out, cases, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&a, NULL), CA_OK);
    CA_ASSERT_RC(ca_offer(&b, NULL), CA_OK);
    CA_ASSERT_RC(ca_close(&a), CA_OK);
    CA_ASSERT_RC(ca_close(&b), CA_OK);
    run();
    CA_ASSERT_RC(ca_chan_inspect(&out, &i), CA_OK);
    CA_ASSERT_EQ(i.count, 2);
    CA_ASSERT_EQ(i.closed, 1);
#if CA_HAVE_MALLOC
    {
        int counted = 0;

        /* reduce, allocated, with no accumulator: folds the two signals */
        CA_ASSERT_RC(ca_reduce(NULL, &S, count_signal, &counted, &out, NULL,
                               0, NULL, &res), CA_OK);
        run();
        CA_ASSERT_EQ(counted, 2);
        CA_ASSERT_RC(ca_poll(&res, NULL), CA_OK); /* the (empty) result */
        CA_ASSERT_RC(ca_poll(&res, NULL), CA_CLOSED);
    }
#endif
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&a), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&b), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&res), CA_OK);
}

#if CA_HAVE_MALLOC
/* split's allocated form keeps its value in its own state. */
static void split_allocated(void)
{
    ichan from, t, f;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    ichan_init(&from, CA_FIXED, 8);
    ichan_init(&t, CA_FIXED, 8);
    ichan_init(&f, CA_FIXED, 8);
    OFFER(&from.ch, 1);
    OFFER(&from.ch, 2);
    CA_ASSERT_RC(ca_close(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_split(NULL, &S, is_odd, NULL, &from.ch, &t.ch, &f.ch,
                          NULL), CA_OK);
    run();
    POLL_EQ(&t.ch, 1);
    POLL_EQ(&f.ch, 2);
    CA_ASSERT_RC(ca_closed(&t.ch), 1);
    CA_ASSERT_RC(ca_closed(&f.ch), 1);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&from.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&t.ch), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&f.ch), CA_OK);
}

/* take(0) lets nothing through: the first put closes the channel. */
static void xf_take_zero(void)
{
    ca_xf_take_t tk;
    ca_chan *ch;
    int v = 1;

    CA_ASSERT_RC(ca_xf_take(&tk, 0, sizeof(int)), CA_OK);
    CA_ASSERT_RC(ca_chan_new_xf(&ch, CA_FIXED, 2, &tk.xf, NULL, NULL),
                 CA_OK);
    CA_ASSERT_RC(ca_offer(ch, &v), CA_OK);
    CA_ASSERT_RC(ca_poll(ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_offer(ch, &v), CA_CLOSED);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
}
#endif

#if CA_HAVE_MALLOC
static uintptr_t topic_zero(const void *val, void *ud)
{
    (void)val;
    (void)ud;
    return 0;
}

/* Signals (element size 0) from an array that need not exist, through a
** pub and a mix that need no value storage. */
static void signals_without_storage(void)
{
    ca_chan *src, z, sub, out;
    ca_pub_state p;
    ca_mix_state m;
    ca_chan_info i;
    size_t put = 0;
    int k;

    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    CA_ASSERT_RC(ca_to_chan(&src, &S, NULL, 3, 0), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&sub, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    memset(&p, 0, sizeof p);
    CA_ASSERT_RC(ca_pub(&p, &S, src, topic_zero, NULL, NULL, NULL), CA_OK);
    CA_ASSERT_RC(ca_pub_sub(&p, 0, &sub, 1), CA_OK);
    run();
    for (k = 0; k < 3; k++)
        CA_ASSERT_RC(ca_poll(&sub, NULL), CA_OK);
    CA_ASSERT_RC(ca_poll(&sub, NULL), CA_CLOSED);
    CA_ASSERT_RC(ca_pub_destroy(&p), CA_OK);
    CA_ASSERT_RC(ca_chan_free(src), CA_OK);

    CA_ASSERT_RC(ca_chan_init(&z, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_onto_chan_blocking(&z, NULL, 2, 0, &put), CA_OK);
    CA_ASSERT_EQ(put, 2);
    CA_ASSERT_RC(ca_chan_init(&out, CA_FIXED, 4, 0, NULL, 0), CA_OK);
    memset(&m, 0, sizeof m);
    CA_ASSERT_RC(ca_mix(&m, &S, &out, NULL, NULL, NULL, 0), CA_OK);
    CA_ASSERT_RC(ca_mix_admix(&m, &z), CA_OK);
    settle();
    CA_ASSERT_RC(ca_chan_inspect(&out, &i), CA_OK);
    CA_ASSERT_EQ(i.count, 2); /* both signals mixed through */
    CA_ASSERT_RC(ca_close(&out), CA_OK);
    CA_ASSERT_RC(ca_close(&z), CA_OK);
    CA_ASSERT_RC(ca_mix_unmix_all(&m), CA_OK);
    run();
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&z), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&out), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&sub), CA_OK);
}
#endif

/* --------------------------------------------------------- streams */

#if CA_HAVE_MALLOC /* WAIT_FD needs it */

/* One stream op of the test's choosing on io, its status kept. */
enum { OP_SOME, OP_EXACTLY, OP_LINE, OP_WRITE, OP_ACCEPT, OP_CONNECT };

typedef struct streamer {
    ca_go go;
    ca_io *io;
    int op;
    void *buf;
    size_t len;
    const struct sockaddr *addr;
    unsigned addrlen;
    uint32_t ms;
    int fd, status;
} streamer;

static int streamer_fn(ca_go *g)
{
    streamer *s = (streamer *)g;

    GO_BEGIN(g);
    switch (s->op) {
    case OP_SOME:
        READ_SOME(g, s->io, s->buf, s->len);
        break;
    case OP_EXACTLY:
        READ_EXACTLY(g, s->io, s->buf, s->len);
        break;
    case OP_LINE:
        READ_LINE(g, s->io, s->buf, s->len);
        break;
    case OP_WRITE:
        WRITE_ALL(g, s->io, s->buf, s->len);
        break;
    case OP_ACCEPT:
        ACCEPT(g, s->io, s->buf);
        break;
    default:
        CONNECT(g, s->io, s->addr, s->addrlen, s->ms);
        break;
    }
    s->status = GO_STATUS(g);
    GO_END(g);
}

/* Runs one op to its end on S; returns its status. */
static int stream_op(ca_io *io, int op, void *buf, size_t len)
{
    streamer st;

    memset(&st, 0, sizeof st);
    st.io = io;
    st.op = op;
    st.buf = buf;
    st.len = len;
    st.status = -100;
    CA_ASSERT_RC(ca_go_start(&S, &st.go, streamer_fn), CA_OK);
    run();
    return st.status;
}

static int connect_op(ca_io *io, const void *addr, unsigned len,
                      uint32_t ms)
{
    streamer st;

    memset(&st, 0, sizeof st);
    st.io = io;
    st.op = OP_CONNECT;
    st.addr = (const struct sockaddr *)addr;
    st.addrlen = len;
    st.ms = ms;
    st.status = -100;
    CA_ASSERT_RC(ca_go_start(&S, &st.go, streamer_fn), CA_OK);
    run();
    return st.status;
}

static int usable(void)
{
    int ev;

    (void)signal(SIGPIPE, SIG_IGN);
    return ca_wait_fd_blocking(0, CA_FD_READ, 0, &ev) != CA_ENOTSUP;
}

/* What READ_LINE read past its newline is what the next reads get, in
** pieces as small as they ask for, before the descriptor is read again. */
static void stream_read_ahead_feeds_reads(void)
{
    ca_io io;
    char ra[16], buf[16];
    int sv[2];

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_EQ(write(sv[0], "ab\ncdefgh", 9), 9);
    CA_ASSERT_RC(ca_io_init(&io, sv[1], ra, sizeof ra), CA_OK);
    CA_ASSERT_RC(stream_op(&io, OP_LINE, buf, sizeof buf), CA_OK);
    CA_ASSERT_EQ(strcmp(buf, "ab\n"), 0);
    memset(buf, 0, sizeof buf);
    CA_ASSERT_RC(stream_op(&io, OP_SOME, buf, 2), CA_OK); /* 2 of 6 */
    CA_ASSERT_EQ(io.n, 2);
    CA_ASSERT_EQ(memcmp(buf, "cd", 2), 0);
    CA_ASSERT_EQ(write(sv[0], "ij", 2), 2);
    memset(buf, 0, sizeof buf);
    CA_ASSERT_RC(stream_op(&io, OP_EXACTLY, buf, 6), CA_OK); /* 4 + 2 */
    CA_ASSERT_EQ(memcmp(buf, "efghij", 6), 0);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

typedef struct big_wait {
    ca_go go;
    int status;
} big_wait;

static int big_wait_fn(ca_go *g)
{
    GO_BEGIN(g);
    WAIT_FD(g, 0x40000000, CA_FD_READ);
    ((big_wait *)g)->status = GO_STATUS(g);
    GO_END(g);
}

/* Refused arguments: CA_EINVAL as the op's status, nothing read. */
static void stream_bad_arguments(void)
{
    ca_io io, plain;
    char ra[4], buf[4];
    int sv[2], fd;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    CA_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CA_ASSERT_RC(ca_io_init(&io, sv[1], ra, sizeof ra), CA_OK);
    CA_ASSERT_RC(ca_io_init(&plain, sv[1], NULL, 0), CA_OK);
    CA_ASSERT_RC(stream_op(NULL, OP_SOME, buf, 1), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&io, OP_SOME, NULL, 1), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&io, OP_EXACTLY, buf, 0), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&plain, OP_LINE, buf, sizeof buf), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&io, OP_WRITE, NULL, 1), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&io, OP_WRITE, NULL, 0), CA_OK); /* nothing */
    CA_ASSERT_RC(stream_op(NULL, OP_ACCEPT, &fd, 0), CA_EINVAL);
    CA_ASSERT_RC(stream_op(&io, OP_ACCEPT, NULL, 0), CA_EINVAL);
    CA_ASSERT_RC(connect_op(NULL, buf, 1, CA_FOREVER), CA_EINVAL);
    CA_ASSERT_RC(connect_op(&io, NULL, 1, CA_FOREVER), CA_EINVAL);
    CA_ASSERT_RC(connect_op(&io, buf, 0, CA_FOREVER), CA_EINVAL);
    CA_ASSERT_RC(connect_op(&io, buf, 1, CA_MAX_DELAY + 1u), CA_ERANGE);
    {
        /* WAIT_FD itself: a descriptor past what a wait encodes */
        big_wait b;
        memset(&b, 0, sizeof b);
        CA_ASSERT_RC(ca_go_start(&S, &b.go, big_wait_fn), CA_OK);
        run();
        CA_ASSERT_RC(b.status, CA_EINVAL);
    }
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
    close(sv[0]);
    close(sv[1]);
}

/* What the system refuses is CA_EIO, with its errno in io.err. */
static void stream_system_errors(void)
{
    ca_io io;
    char buf[4];
    int fd, p[2], s;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    /* a read of a directory */
    CU_ASSERT_FATAL((fd = open(".", O_RDONLY)) >= 0);
    CA_ASSERT_RC(ca_io_init(&io, fd, NULL, 0), CA_OK);
    CA_ASSERT_RC(stream_op(&io, OP_SOME, buf, sizeof buf), CA_EIO);
    CA_ASSERT_EQ(io.err, EISDIR);
    close(fd);
    /* a write to the read end of a pipe */
    CA_ASSERT_EQ(pipe(p), 0);
    CA_ASSERT_RC(ca_io_init(&io, p[0], NULL, 0), CA_OK);
    CA_ASSERT_RC(stream_op(&io, OP_WRITE, "x", 1), CA_EIO);
    CA_ASSERT_EQ(io.err, EBADF);
    close(p[0]);
    close(p[1]);
    /* an accept on a socket that does not listen */
    CU_ASSERT_FATAL((s = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
    CA_ASSERT_RC(ca_io_init(&io, s, NULL, 0), CA_OK);
    CA_ASSERT_RC(stream_op(&io, OP_ACCEPT, &fd, 0), CA_EIO);
    CA_ASSERT_EQ(io.err, EINVAL);
    close(s);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
}

/* A local connect ends at once: made (a listener) or refused (none). */
static void stream_connect_at_once(void)
{
    struct sockaddr_un a;
    ca_io io;
    unsigned len;
    int l, c;

    if (!usable())
        return;
    CA_ASSERT_RC(ca_sched_init(&S), CA_OK);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    /* the abstract namespace (Linux): nothing to clean up; the pid keeps
    ** suites that run at once apart */
    len = (unsigned)sizeof a.sun_family + 1u +
          (unsigned)snprintf(a.sun_path + 1, sizeof a.sun_path - 1,
                             "coreasync-edges-%ld", (long)getpid());
    CU_ASSERT_FATAL((l = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
    CU_ASSERT_FATAL((c = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
    CA_ASSERT_RC(ca_io_init(&io, c, NULL, 0), CA_OK);
    CA_ASSERT_RC(connect_op(&io, &a, len, CA_FOREVER), CA_EIO);
    CA_ASSERT_EQ(io.err, ECONNREFUSED);
    close(c);
    if (bind(l, (struct sockaddr *)&a, (socklen_t)len) == 0 &&
        listen(l, 1) == 0) {
        CU_ASSERT_FATAL((c = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
        CA_ASSERT_RC(ca_io_init(&io, c, NULL, 0), CA_OK);
        CA_ASSERT_RC(connect_op(&io, &a, len, 1000), CA_OK);
        close(c);
    }
    close(l);
    CA_ASSERT_RC(ca_sched_destroy(&S), CA_OK);
}
#endif

static const ca_test tests[] = {
    {"split_stops_on_closed_output", split_stops_on_closed_output},
    {"take_n_stops_on_closed_output", take_n_stops_on_closed_output},
    {"mix_edges", mix_edges},
    {"mult_pub_edges", mult_pub_edges},
    {"signals_through_connectors", signals_through_connectors},
#if CA_HAVE_MALLOC
    {"split_allocated", split_allocated},
    {"xf_take_zero", xf_take_zero},
    {"signals_without_storage", signals_without_storage},
#endif
#if CA_HAVE_MALLOC
    {"stream_read_ahead_feeds_reads", stream_read_ahead_feeds_reads},
    {"stream_bad_arguments", stream_bad_arguments},
    {"stream_system_errors", stream_system_errors},
    {"stream_connect_at_once", stream_connect_at_once},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("edges", tests)
