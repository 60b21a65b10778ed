/*
** real.c: the fuzzer's calls on the library itself. Channels live in
** static slots (ca_chan_init) or on the heap (ca_chan_new); async ops
** record their callbacks in the log and run their reaction there, so the
** library is re-entered from its own callbacks; each go block waits for
** commands on a private signal channel, runs one parking op per command
** and records what it saw, so the order in which the scheduler runs
** blocks never matters to the comparison. The scheduler runs on a fake
** clock that the input moves (and that starts just before the 32-bit
** wrap). MIT licence, see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "fuzz.h"

typedef struct r_op {
    ca_op op;
    int idx, chan, take;
    unsigned esize;
    unsigned char val[FZ_ELEM], dst[FZ_ELEM];
    int pending;
} r_op;

typedef struct r_block {
    ca_go go;
    ca_chan cmdch;      /* unbuffered, element size 0: "run your command" */
    ca_chan *ch;
    ca_alt cases[FZ_CASES];
    fz_cmd cmd;
    unsigned char val[FZ_ELEM], dst[FZ_ELEM];
    unsigned char cval[FZ_CASES][FZ_ELEM], cdst[FZ_CASES][FZ_ELEM];
    unsigned esize, cesize[FZ_CASES]; /* of the channels, when issued    */
    int started, busy, status, alt;
    unsigned done;
} r_block;

typedef struct r_state {
    fz_side side;
    ca_chan store[FZ_CHANS];
    unsigned char bufs[FZ_CHANS][FZ_CAP * FZ_ELEM];
    ca_chan *ch[FZ_CHANS];
    int slot[FZ_CHANS], heap[FZ_CHANS];
    unsigned esize[FZ_CHANS];
    r_op ops[FZ_OPS];
    r_block blk[FZ_BLOCKS];
    ca_sched sched;
    uint32_t now;
} r_state;

static r_state R;

static uint32_t r_now(void *ud)
{
    return *(uint32_t *)ud;
}

/* ca_sched_run waits here only in teardown: time moves on. */
static void r_idle(void *ud, uint32_t ms)
{
    *(uint32_t *)ud += ms == CA_FOREVER ? 1 : ms;
}

static int block_fn(ca_go *g)
{
    r_block *b = (r_block *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE_SIGNAL(g, &b->cmdch);
        if (GO_CLOSED(g))
            break;
        if (b->cmd.kind == G_TAKE) {
            TAKE_BYTES(g, b->ch, b->dst);
        } else if (b->cmd.kind == G_PUT) {
            PUT_BYTES(g, b->ch, b->val);
        } else if (b->cmd.kind == G_ALTS) {
            ALTS(g, b->cases, (size_t)b->cmd.n, b->cmd.flags);
        } else {
            SLEEP(g, b->cmd.ms);
        }
        b->status = GO_STATUS(g);
        b->alt = GO_ALT(g);
        b->busy = 0;
        b->done++;
    }
    GO_END(g);
}

/* Runs the scheduler until no block is ready and no timer is due. */
static void drain(void)
{
    uint32_t next = 0;
    int i, rc;

    for (i = 0; next == 0; i++) {
        if (i == 10000)
            fz_fail("the scheduler never became idle");
        rc = ca_sched_step(&R.sched, &next);
        if (rc != CA_OK && rc != CA_EDEADLOCK)
            fz_fail("ca_sched_step returned %s", ca_err_name(rc));
    }
}

static void r_settle(fz_side *s)
{
    (void)s;
    drain();
}

static void r_cb(ca_op *op, int status)
{
    r_op *o = (r_op *)op->data;
    uint32_t v = 0;

    o->pending = 0;
    if (o->take && status == CA_OK &&
        fz_decode(o->dst, o->esize, &v) != 0)
        fz_fail("op %d: callback got a corrupted value", o->idx);
    fz_log_add(&R.side, EV_CB, o->idx, status, v);
    fz_react_run(&R.side, o->idx, o->chan);
}

static int r_open(fz_side *s, int k, int kind, unsigned cap, unsigned esize,
                  int heap)
{
    int rc;

    (void)s;
#if CA_HAVE_MALLOC
    if (heap) {
        rc = ca_chan_new(&R.ch[k], (ca_buf_kind)kind, cap, esize);
    } else
#endif
    {
        heap = 0;
        R.ch[k] = &R.store[k];
        rc = ca_chan_init(R.ch[k], (ca_buf_kind)kind, cap, esize, R.bufs[k],
                          sizeof R.bufs[k]);
    }
    if (rc == CA_OK) {
        R.slot[k] = SLOT_LIVE;
        R.heap[k] = heap;
        R.esize[k] = esize;
    }
    return rc;
}

static int r_offer(fz_side *s, int k, uint32_t v)
{
    unsigned char b[FZ_ELEM];

    (void)s;
    fz_encode(v, R.esize[k], b);
    return ca_offer(R.ch[k], R.esize[k] == 0 ? NULL : b);
}

static int r_poll(fz_side *s, int k, uint32_t *v)
{
    unsigned char b[FZ_ELEM];
    int rc;

    (void)s;
    memset(b, 0xee, sizeof b);
    *v = 0;
    rc = ca_poll(R.ch[k], R.esize[k] == 0 ? NULL : b);
    if (rc == CA_OK && fz_decode(b, R.esize[k], v) != 0)
        fz_fail("poll on %d got a corrupted value", k);
    return rc;
}

static int r_async(int k, int idx, uint32_t v, int take)
{
    r_op *o = &R.ops[idx];
    int rc;

    o->idx = idx;
    o->chan = k;
    o->esize = R.esize[k];
    o->take = take;
    o->op.data = o;
    o->pending = 1;
    fz_encode(v, o->esize, o->val);
    memset(o->dst, 0xee, sizeof o->dst);
    rc = take ? ca_take_async(R.ch[k], &o->op, o->dst, r_cb)
              : ca_put_async(R.ch[k], &o->op, o->val, r_cb);
    if (rc < 0)
        o->pending = 0; /* refused: the callback never runs */
    return rc;
}

static int r_put_async(fz_side *s, int k, int op, uint32_t v)
{
    (void)s;
    return r_async(k, op, v, 0);
}

static int r_take_async(fz_side *s, int k, int op)
{
    (void)s;
    return r_async(k, op, 0, 1);
}

static int r_close(fz_side *s, int k)
{
    (void)s;
    return ca_close(R.ch[k]);
}

static int r_closed(fz_side *s, int k)
{
    (void)s;
    return ca_closed(R.ch[k]);
}

static int r_retain(fz_side *s, int k)
{
    (void)s;
    return ca_chan_retain(R.ch[k]);
}

/* After the last reference the slot is gone (heap) or dead (ours). */
static void ended(int k)
{
    ca_chan_info info;

    if (R.heap[k]) {
        R.slot[k] = SLOT_EMPTY;
        R.ch[k] = NULL;
    } else if (ca_chan_inspect(R.ch[k], &info) == CA_EBADCHAN) {
        R.slot[k] = SLOT_DEAD;
    }
}

static int r_release(fz_side *s, int k)
{
    ca_chan_info info;
    int rc, last;

    (void)s;
    last = ca_chan_inspect(R.ch[k], &info) == CA_OK && info.refs == 1;
    rc = ca_chan_free(R.ch[k]);
    if (rc == CA_OK && last)
        ended(k);
    return rc;
}

static int r_destroy(fz_side *s, int k)
{
    int rc;

    (void)s;
    rc = ca_chan_destroy(R.ch[k]);
    if (rc == CA_OK)
        ended(k);
    return rc;
}

static int r_go(fz_side *s, int bi, const fz_cmd *cmd, int hint)
{
    r_block *b = &R.blk[bi];
    int i, rc;

    (void)s;
    (void)hint;
    b->cmd = *cmd;
    b->ch = R.ch[cmd->chan];
    b->esize = R.esize[cmd->chan];
    fz_encode(cmd->val, R.esize[cmd->chan], b->val);
    memset(b->dst, 0xee, sizeof b->dst);
    for (i = 0; i < cmd->n; i++) {
        const fz_case *c = &cmd->cases[i];
        ca_chan *ch = R.ch[c->chan];
        memset(b->cdst[i], 0xee, FZ_ELEM);
        b->cesize[i] = R.esize[c->chan];
        if (c->kind == C_TAKE) {
            rc = ca_alt_take(&b->cases[i], ch, b->cdst[i]);
        } else if (c->kind == C_PUT) {
            fz_encode(c->val, R.esize[c->chan], b->cval[i]);
            rc = ca_alt_put(&b->cases[i], ch, b->cval[i]);
        } else if (c->kind == C_DEADLINE) {
            rc = ca_alt_deadline(&b->cases[i], c->ms);
        } else if (c->kind == C_DEFAULT) {
            rc = ca_alt_default(&b->cases[i]);
        } else {
            rc = ca_alt_off(&b->cases[i]);
        }
        if (rc != CA_OK)
            fz_fail("block %d: case %d refused: %s", bi, i, ca_err_name(rc));
    }
    b->busy = 1;
    if ((rc = ca_offer(&b->cmdch, NULL)) != CA_OK)
        fz_fail("block %d did not wait for a command: %s", bi,
                ca_err_name(rc));
    drain();
    return CA_OK;
}

static int r_advance(fz_side *s, uint32_t ms)
{
    (void)s;
    R.now += ms;
    drain();
    return CA_OK;
}

static void r_chan_state(fz_side *s, int k, fz_chan_state *o)
{
    ca_chan_info info;
    int rc;

    (void)s;
    memset(o, 0, sizeof *o);
    o->slot = R.slot[k];
    if (R.slot[k] != SLOT_LIVE)
        return;
    if ((rc = ca_chan_inspect(R.ch[k], &info)) != CA_OK)
        fz_fail("inspect %d: %s", k, ca_err_name(rc));
    o->kind = (int)info.kind;
    o->closed = info.closed;
    o->cap = (unsigned)info.capacity;
    o->esize = (unsigned)info.elem_size;
    o->count = (unsigned)info.count;
    o->puts = (unsigned)info.pending_puts;
    o->takes = (unsigned)info.pending_takes;
    o->refs = (unsigned)info.refs;
}

static void r_block_state(fz_side *s, int bi, fz_block_state *o)
{
    r_block *b = &R.blk[bi];
    const unsigned char *from = NULL;
    unsigned esize = 0;

    (void)s;
    memset(o, 0, sizeof *o);
    o->busy = b->busy;
    o->done = b->done;
    o->status = b->status;
    /* GO_ALT means something only after an ALTS that did not fail. */
    o->alt = b->cmd.kind == G_ALTS && b->status >= 0 ? b->alt : 0;
    if (b->done == 0 || b->busy || b->status != CA_OK)
        return;
    if (b->cmd.kind == G_TAKE) {
        from = b->dst;
        esize = b->esize;
    } else if (b->cmd.kind == G_ALTS && b->alt >= 0 && b->alt < b->cmd.n &&
               b->cmd.cases[b->alt].kind == C_TAKE) {
        from = b->cdst[b->alt];
        esize = b->cesize[b->alt];
    }
    if (from != NULL && fz_decode(from, esize, &o->val) != 0)
        fz_fail("block %d got a corrupted value", bi);
}

static int r_op_pending(fz_side *s, int op)
{
    (void)s;
    return R.ops[op].pending;
}

/* Ends everything, so that a leak or a lost block shows: close every
** channel, drain the puts that wait, let the blocks end, release every
** reference, and destroy the scheduler. */
static void r_teardown(fz_side *s)
{
    ca_chan_info info;
    int k, i, rc;
    uint32_t v;

    s->reacting = 0;
    for (k = 0; k < FZ_CHANS; k++) {
        if (R.slot[k] != SLOT_LIVE)
            continue;
        if ((rc = ca_close(R.ch[k])) != CA_OK)
            fz_fail("teardown: close %d: %s", k, ca_err_name(rc));
        for (i = 0; i < FZ_QMAX + FZ_CAP + 1; i++)
            if (r_poll(s, k, &v) != CA_OK)
                break;
    }
    for (i = 0; i < FZ_BLOCKS; i++)
        if (R.blk[i].started)
            (void)ca_close(&R.blk[i].cmdch);
    if ((rc = ca_sched_run(&R.sched)) != CA_OK)
        fz_fail("teardown: ca_sched_run: %s", ca_err_name(rc));
    for (i = 0; i < FZ_OPS; i++)
        if (R.ops[i].pending)
            fz_fail("teardown: op %d still pending", i);
    for (k = 0; k < FZ_CHANS; k++) {
        if (R.slot[k] != SLOT_LIVE)
            continue;
        if ((rc = ca_chan_inspect(R.ch[k], &info)) != CA_OK)
            fz_fail("teardown: inspect %d: %s", k, ca_err_name(rc));
        for (i = (int)info.refs; i > 0; i--)
            if ((rc = ca_chan_free(R.ch[k])) != CA_OK)
                fz_fail("teardown: free %d: %s", k, ca_err_name(rc));
    }
    for (i = 0; i < FZ_BLOCKS; i++)
        if (R.blk[i].started &&
            (rc = ca_chan_destroy(&R.blk[i].cmdch)) != CA_OK)
            fz_fail("teardown: block channel: %s", ca_err_name(rc));
    if ((rc = ca_sched_destroy(&R.sched)) != CA_OK)
        fz_fail("teardown: ca_sched_destroy: %s", ca_err_name(rc));
}

fz_side *fz_real_side(uint32_t t0)
{
    int i, rc;

    memset(&R, 0, sizeof R);
    R.now = t0;
    if ((rc = ca_sched_init(&R.sched)) != CA_OK ||
        (rc = ca_sched_set_clock(&R.sched, r_now, r_idle, &R.now)) != CA_OK)
        fz_fail("scheduler: %s", ca_err_name(rc));
    for (i = 0; i < FZ_BLOCKS; i++) {
        r_block *b = &R.blk[i];
        if (ca_chan_init(&b->cmdch, CA_UNBUFFERED, 0, 0, NULL, 0) != CA_OK ||
            ca_go_start(&R.sched, &b->go, block_fn) != CA_OK)
            fz_fail("block %d would not start", i);
        b->started = 1;
    }
    drain(); /* every block now waits for its first command */
    R.side.name = "library";
    R.side.open = r_open;
    R.side.offer = r_offer;
    R.side.poll = r_poll;
    R.side.put_async = r_put_async;
    R.side.take_async = r_take_async;
    R.side.close = r_close;
    R.side.closed = r_closed;
    R.side.retain = r_retain;
    R.side.release = r_release;
    R.side.destroy = r_destroy;
    R.side.go = r_go;
    R.side.advance = r_advance;
    R.side.settle = r_settle;
    R.side.chan_state = r_chan_state;
    R.side.block_state = r_block_state;
    R.side.op_pending = r_op_pending;
    R.side.teardown = r_teardown;
    R.side.impl = &R;
    R.side.reacting = 1;
    return &R.side;
}
