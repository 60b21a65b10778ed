/*
** model.c: the reference the fuzzer holds the library to, written from
** chan.h, alts.h, go.h and SPEC section 2 alone: a channel is a buffer of
** value numbers and two FIFO queues of who waits; a put meets the oldest
** take, a take the buffer first and then the oldest put; close ends the
** takes and leaves the puts; a promise keeps its first value. Completions
** are woken in the order they happened, after the call's own work, and
** a call that completes at once runs its own callback last (async.c's
** order). Go blocks are waiters too: one that completes records its
** outcome, which the library's block reports when it runs. MIT licence,
** see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "fuzz.h"

/* Who waits: an op number, or FZ_OPS + a block number. */
typedef struct m_wait {
    int who, alt;
    uint32_t val;
} m_wait;

typedef struct m_chan {
    int slot, kind, closed, heap;
    unsigned cap, esize, refs;
    uint32_t buf[FZ_CAP];
    unsigned head, count;
    m_wait puts[FZ_QMAX], takes[FZ_QMAX];
    unsigned nputs, ntakes;
} m_chan;

typedef struct m_block {
    fz_block_state st;
    fz_cmd cmd;
    int timer;          /* a SLEEP or deadline case is pending            */
    uint32_t deadline;
    int dcase;          /* the deadline case, or -1 for SLEEP             */
} m_block;

typedef struct m_done {
    int who, alt, status;
    uint32_t val;
} m_done;

typedef struct m_wl {
    m_done d[FZ_QMAX];
    int n;
} m_wl;

typedef struct m_state {
    fz_side side;
    m_chan ch[FZ_CHANS];
    m_block blk[FZ_BLOCKS];
    int pending[FZ_OPS];
    unsigned opchan[FZ_OPS];
    uint32_t now;
} m_state;

static m_state M;

static int full(const m_chan *c)
{
    if (c->kind == CA_UNBUFFERED)
        return 1;
    if (c->kind == CA_FIXED)
        return c->count >= c->cap;
    return 0;
}

static void buf_add(m_chan *c, uint32_t v)
{
    if (c->count == c->cap) {
        if (c->kind == CA_DROPPING || c->kind == CA_PROMISE)
            return;
        if (c->kind == CA_SLIDING) {
            c->head = (c->head + 1) % c->cap;
            c->count--;
        }
    }
    c->buf[(c->head + c->count) % c->cap] = fz_mask(v, c->esize);
    c->count++;
}

static uint32_t buf_remove(m_chan *c)
{
    uint32_t v = c->buf[c->head];

    if (c->kind != CA_PROMISE) {
        c->head = (c->head + 1) % c->cap;
        c->count--;
    }
    return v;
}

static m_wait q_pop(m_wait *q, unsigned *n)
{
    m_wait w = q[0];

    memmove(q, q + 1, (*n - 1) * sizeof *q);
    (*n)--;
    return w;
}

static void q_push(m_wait *q, unsigned *n, m_wait w)
{
    if (*n == FZ_QMAX)
        fz_fail("model: queue overflow");
    q[(*n)++] = w;
}

/* Drops every waiter of block b from every queue (its ALTS lost). */
static void drop_block(int b)
{
    int k;
    unsigned i, j;

    for (k = 0; k < FZ_CHANS; k++) {
        m_chan *c = &M.ch[k];
        for (i = j = 0; i < c->nputs; i++)
            if (c->puts[i].who != FZ_OPS + b)
                c->puts[j++] = c->puts[i];
        c->nputs = j;
        for (i = j = 0; i < c->ntakes; i++)
            if (c->takes[i].who != FZ_OPS + b)
                c->takes[j++] = c->takes[i];
        c->ntakes = j;
    }
    M.blk[b].timer = 0;
}

static void complete(m_wl *wl, m_wait w, int status, uint32_t val)
{
    if (w.who >= FZ_OPS)
        drop_block(w.who - FZ_OPS); /* its siblings can never complete */
    if (wl->n == FZ_QMAX)
        fz_fail("model: wake list overflow");
    wl->d[wl->n].who = w.who;
    wl->d[wl->n].alt = w.alt;
    wl->d[wl->n].status = status;
    wl->d[wl->n].val = val;
    wl->n++;
}

static int put_locked(m_chan *c, uint32_t v, m_wl *wl)
{
    if (c->closed)
        return CA_CLOSED;
    if (c->ntakes != 0 && c->kind != CA_PROMISE) {
        complete(wl, q_pop(c->takes, &c->ntakes), CA_OK, fz_mask(v, c->esize));
        return CA_OK;
    }
    if (full(c))
        return CA_AGAIN;
    buf_add(c, v);
    while (c->count != 0 && c->ntakes != 0)
        complete(wl, q_pop(c->takes, &c->ntakes), CA_OK, buf_remove(c));
    return CA_OK;
}

static int take_locked(m_chan *c, uint32_t *v, m_wl *wl)
{
    m_wait p;

    if (c->count != 0) {
        *v = buf_remove(c);
        while (!full(c) && c->nputs != 0) {
            p = q_pop(c->puts, &c->nputs);
            buf_add(c, p.val);
            complete(wl, p, CA_OK, 0);
        }
        return CA_OK;
    }
    if (c->nputs != 0) {
        p = q_pop(c->puts, &c->nputs);
        *v = fz_mask(p.val, c->esize);
        complete(wl, p, CA_OK, 0);
        return CA_OK;
    }
    return c->closed ? CA_CLOSED : CA_AGAIN;
}

static void finish_block(int b, int status, int alt, uint32_t val)
{
    fz_block_state *st = &M.blk[b].st;

    st->busy = 0;
    st->done++;
    st->status = status;
    st->alt = alt;
    st->val = val;
    M.blk[b].timer = 0;
}

static void wake_all(fz_side *s, m_wl *wl)
{
    int i;

    for (i = 0; i < wl->n; i++) {
        m_done *d = &wl->d[i];
        if (d->who >= FZ_OPS) {
            finish_block(d->who - FZ_OPS, d->status, d->alt, d->val);
            continue;
        }
        M.pending[d->who] = 0;
        fz_log_add(s, EV_CB, d->who, d->status, d->val);
        fz_react_run(s, d->who, (int)M.opchan[d->who]);
    }
}

/* The checks every channel call makes first. */
static int gate(int k)
{
    return M.ch[k].slot == SLOT_LIVE ? CA_OK : CA_EBADCHAN;
}

static int m_open(fz_side *s, int k, int kind, unsigned cap, unsigned esize,
                  int heap)
{
    m_chan *c = &M.ch[k];

    (void)s;
    memset(c, 0, sizeof *c);
    c->slot = SLOT_LIVE;
    c->kind = kind;
    c->cap = cap;
    c->esize = esize;
    c->refs = 1;
    c->heap = heap;
    return CA_OK;
}

static int m_offer(fz_side *s, int k, uint32_t v)
{
    m_wl wl;
    int rc;

    if ((rc = gate(k)) != CA_OK)
        return rc;
    wl.n = 0;
    rc = put_locked(&M.ch[k], v, &wl);
    wake_all(s, &wl);
    return rc;
}

static int m_poll(fz_side *s, int k, uint32_t *v)
{
    m_wl wl;
    int rc;

    *v = 0;
    if ((rc = gate(k)) != CA_OK)
        return rc;
    wl.n = 0;
    rc = take_locked(&M.ch[k], v, &wl);
    wake_all(s, &wl);
    return rc;
}

static int m_async(fz_side *s, int k, int op, uint32_t v, int take)
{
    m_chan *c = &M.ch[k];
    m_wl wl;
    m_wait w;
    uint32_t got = 0;
    int rc;

    if ((rc = gate(k)) != CA_OK)
        return rc;
    wl.n = 0;
    rc = take ? take_locked(c, &got, &wl) : put_locked(c, v, &wl);
    M.opchan[op] = (unsigned)k;
    if (rc == CA_AGAIN) {
        w.who = op;
        w.alt = -1;
        w.val = v;
        if (take)
            q_push(c->takes, &c->ntakes, w);
        else
            q_push(c->puts, &c->nputs, w);
        M.pending[op] = 1;
        return CA_OK;
    }
    wake_all(s, &wl);
    fz_log_add(s, EV_CB, op, rc, take ? got : 0);
    fz_react_run(s, op, k);
    return take ? CA_OK : rc;
}

static int m_put_async(fz_side *s, int k, int op, uint32_t v)
{
    return m_async(s, k, op, v, 0);
}

static int m_take_async(fz_side *s, int k, int op)
{
    return m_async(s, k, op, 0, 1);
}

static int m_close(fz_side *s, int k)
{
    m_chan *c = &M.ch[k];
    m_wl wl;
    int rc;

    if ((rc = gate(k)) != CA_OK)
        return rc;
    wl.n = 0;
    if (!c->closed) {
        c->closed = 1;
        while (c->ntakes != 0)
            complete(&wl, q_pop(c->takes, &c->ntakes), CA_CLOSED, 0);
    }
    wake_all(s, &wl);
    return CA_OK;
}

static int m_closed(fz_side *s, int k)
{
    int rc;

    (void)s;
    if ((rc = gate(k)) != CA_OK)
        return rc;
    return M.ch[k].closed;
}

static int m_retain(fz_side *s, int k)
{
    int rc;

    (void)s;
    if ((rc = gate(k)) != CA_OK)
        return rc;
    M.ch[k].refs++;
    return CA_OK;
}

/* The last reference ends the channel, unless something waits on it. */
static int end(m_chan *c)
{
    if (c->nputs + c->ntakes != 0)
        return CA_EBUSY;
    c->slot = c->heap ? SLOT_EMPTY : SLOT_DEAD;
    c->refs = 0;
    return CA_OK;
}

static int m_release(fz_side *s, int k)
{
    m_chan *c = &M.ch[k];
    int rc;

    (void)s;
    if ((rc = gate(k)) != CA_OK)
        return rc;
    if (c->refs > 1) {
        c->refs--;
        return CA_OK;
    }
    return end(c);
}

static int m_destroy(fz_side *s, int k)
{
    m_chan *c = &M.ch[k];
    int rc;

    (void)s;
    if ((rc = gate(k)) != CA_OK)
        return rc;
    if (c->heap)
        return CA_EINVAL;
    if (c->refs > 1)
        return CA_EBUSY;
    return end(c);
}

/* Could case cs complete now? (alts.c: can_take / can_put) */
static int ready(const fz_case *cs)
{
    const m_chan *c = &M.ch[cs->chan];

    if (cs->kind == C_TAKE)
        return c->count != 0 || c->nputs != 0 || c->closed;
    if (cs->kind == C_PUT)
        return c->closed || !full(c) || c->ntakes != 0;
    return 0;
}

static int fallback(const fz_case *cs)
{
    return cs->kind == C_DEFAULT || (cs->kind == C_DEADLINE && cs->ms == 0);
}

static int due(uint32_t deadline)
{
    return (int32_t)(M.now - deadline) >= 0;
}

/* Fires every due timer (ca_sched_step does so before it runs blocks).
** Each wakes one block, so their order does not matter here. */
static void fire(void)
{
    int b;

    for (b = 0; b < FZ_BLOCKS; b++) {
        m_block *mb = &M.blk[b];
        if (mb->st.busy && mb->timer && due(mb->deadline)) {
            int alt = mb->dcase;
            drop_block(b);
            finish_block(b, CA_OK, alt < 0 ? 0 : alt, 0);
        }
    }
}

static int go_alts(fz_side *s, int b, const fz_cmd *cmd, int hint)
{
    m_block *mb = &M.blk[b];
    m_wl wl;
    m_wait w;
    int i, first = -1, fb = -1, pick, rc;
    uint32_t got = 0;

    for (i = 0; i < cmd->n; i++) {
        if (ready(&cmd->cases[i]) && first < 0)
            first = i;
        if (fallback(&cmd->cases[i]) && fb < 0)
            fb = i;
    }
    if (first >= 0) {
        pick = (cmd->flags & CA_ALTS_PRIORITY) ? first : hint;
        if (pick < 0 || pick >= cmd->n || !ready(&cmd->cases[pick]))
            fz_fail("ALTS chose case %d, which is not ready (first ready %d)",
                    hint, first);
    } else {
        pick = fb;
    }
    if (pick >= 0) {
        const fz_case *cs = &cmd->cases[pick];
        wl.n = 0;
        rc = CA_OK;
        if (cs->kind == C_TAKE)
            rc = take_locked(&M.ch[cs->chan], &got, &wl);
        else if (cs->kind == C_PUT)
            rc = put_locked(&M.ch[cs->chan], cs->val, &wl);
        if (rc == CA_AGAIN)
            fz_fail("model: a ready case could not complete");
        finish_block(b, rc, pick, got);
        wake_all(s, &wl);
        return CA_OK;
    }
    mb->dcase = -1;
    for (i = 0; i < cmd->n; i++) {
        const fz_case *cs = &cmd->cases[i];
        m_chan *c = &M.ch[cs->chan];
        w.who = FZ_OPS + b;
        w.alt = i;
        w.val = cs->val;
        if (cs->kind == C_TAKE)
            q_push(c->takes, &c->ntakes, w);
        else if (cs->kind == C_PUT)
            q_push(c->puts, &c->nputs, w);
        else if (cs->kind == C_DEADLINE) {
            mb->timer = 1;
            mb->dcase = i;
            mb->deadline = M.now + cs->ms + (cs->ms != 0);
        }
    }
    return CA_OK;
}

static int m_go(fz_side *s, int b, const fz_cmd *cmd, int hint)
{
    m_block *mb = &M.blk[b];
    m_chan *c = &M.ch[cmd->chan];
    m_wl wl;
    m_wait w;
    uint32_t got = 0;
    int rc;

    fire();
    mb->cmd = *cmd;
    mb->st.busy = 1;
    if (cmd->kind == G_ALTS) {
        rc = go_alts(s, b, cmd, hint);
    } else if (cmd->kind == G_SLEEP) {
        mb->timer = 1;
        mb->dcase = -1;
        mb->deadline = M.now + cmd->ms + (cmd->ms != 0);
        rc = CA_OK;
    } else if ((rc = gate(cmd->chan)) != CA_OK) {
        finish_block(b, rc, 0, 0);
        rc = CA_OK;
    } else {
        int take = cmd->kind == G_TAKE;
        wl.n = 0;
        rc = take ? take_locked(c, &got, &wl) : put_locked(c, cmd->val, &wl);
        if (rc == CA_AGAIN) {
            w.who = FZ_OPS + b;
            w.alt = 0;
            w.val = cmd->val;
            if (take)
                q_push(c->takes, &c->ntakes, w);
            else
                q_push(c->puts, &c->nputs, w);
        } else {
            finish_block(b, rc, 0, got);
            wake_all(s, &wl);
        }
        rc = CA_OK;
    }
    fire();
    return rc;
}

static int m_advance(fz_side *s, uint32_t ms)
{
    (void)s;
    M.now += ms;
    fire();
    return CA_OK;
}

static void m_settle(fz_side *s)
{
    (void)s;
    fire();
}

static void m_chan_state(fz_side *s, int k, fz_chan_state *o)
{
    m_chan *c = &M.ch[k];

    (void)s;
    memset(o, 0, sizeof *o);
    o->slot = c->slot;
    if (c->slot != SLOT_LIVE)
        return;
    o->kind = c->kind;
    o->closed = c->closed;
    o->cap = c->cap;
    o->esize = c->esize;
    o->count = c->count;
    o->puts = c->nputs;
    o->takes = c->ntakes;
    o->refs = c->refs;
}

static void m_block_state(fz_side *s, int b, fz_block_state *o)
{
    (void)s;
    *o = M.blk[b].st;
}

static int m_op_pending(fz_side *s, int op)
{
    (void)s;
    return M.pending[op];
}

static void m_teardown(fz_side *s)
{
    (void)s;
}

fz_side *fz_model_side(uint32_t t0)
{
    memset(&M, 0, sizeof M);
    M.now = t0;
    M.side.name = "model";
    M.side.open = m_open;
    M.side.offer = m_offer;
    M.side.poll = m_poll;
    M.side.put_async = m_put_async;
    M.side.take_async = m_take_async;
    M.side.close = m_close;
    M.side.closed = m_closed;
    M.side.retain = m_retain;
    M.side.release = m_release;
    M.side.destroy = m_destroy;
    M.side.go = m_go;
    M.side.advance = m_advance;
    M.side.settle = m_settle;
    M.side.chan_state = m_chan_state;
    M.side.block_state = m_block_state;
    M.side.op_pending = m_op_pending;
    M.side.teardown = m_teardown;
    M.side.impl = &M;
    M.side.reacting = 1;
    return &M.side;
}
