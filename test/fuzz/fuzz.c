/*
** fuzz.c: the fuzzer's driver. It decodes the input into steps (open a
** channel, offer, poll, put and take with a callback that may re-enter
** the library, close, ask closed?, retain, free, destroy, give a go block
** a TAKE, PUT, ALTS or SLEEP, move the clock), runs each step on the
** library and then on the model, and compares them after every step. The
** entry point is libFuzzer's; replay.c calls it without libFuzzer.
** MIT licence, see COPYING.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_data;
static size_t in_size, in_pos;
static unsigned step_no;

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    size_t i;

    fprintf(stderr, "fuzz: divergence at step %u: ", step_no);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nfuzz: reproducer (%lu bytes, hex): ",
            (unsigned long)in_size);
    for (i = 0; i < in_size; i++)
        fprintf(stderr, "%02x", in_data[i]);
    fprintf(stderr, "\n");
    abort();
}

uint32_t fz_mask(uint32_t v, unsigned n)
{
    if (n >= 4)
        return v;
    return n == 0 ? 0 : v & ((1u << (8 * n)) - 1);
}

static unsigned char tail_byte(uint32_t v, unsigned i)
{
    return (unsigned char)(v * 31u + i * 7u + 1u);
}

void fz_encode(uint32_t v, unsigned n, unsigned char *out)
{
    unsigned i;

    for (i = 0; i < n; i++)
        out[i] = i < 4 ? (unsigned char)(v >> (8 * i)) : tail_byte(v, i);
}

int fz_decode(const unsigned char *in, unsigned n, uint32_t *v)
{
    unsigned i;

    *v = 0;
    for (i = 0; i < n && i < 4; i++)
        *v |= (uint32_t)in[i] << (8 * i);
    for (; i < n; i++)
        if (in[i] != tail_byte(*v, i))
            return -1;
    return 0;
}

void fz_log_add(fz_side *s, int type, int who, int status, uint32_t val)
{
    fz_event *e;

    if (s->log.n == FZ_LOG) {
        s->log.overflow = 1;
        return;
    }
    e = &s->log.ev[s->log.n++];
    e->type = type;
    e->who = who;
    e->status = status;
    e->val = val;
}

static int live(fz_side *s, int k)
{
    fz_chan_state st;

    s->chan_state(s, k, &st);
    return st.slot == SLOT_LIVE;
}

void fz_react_run(fz_side *s, int op, int k)
{
    fz_react *r = &s->react[op];
    uint32_t v = 0;
    int rc = -100; /* skipped: the channel is gone */

    if (!s->reacting)
        return;
    switch (r->kind) {
    case RE_AGAIN:
        if (r->budget == 0)
            return;
        r->budget--;
        if (r->chan) /* a take again, into the same op */
            rc = s->take_async(s, k, op);
        else
            rc = s->put_async(s, k, op, s->next_val++);
        break;
    case RE_OFFER:
        if (live(s, r->chan))
            rc = s->offer(s, r->chan, s->next_val++);
        break;
    case RE_POLL:
        if (live(s, r->chan))
            rc = s->poll(s, r->chan, &v);
        break;
    case RE_CLOSE:
        if (live(s, r->chan))
            rc = s->close(s, r->chan);
        break;
    default:
        return;
    }
    fz_log_add(s, EV_RC, op, rc, v);
}

static unsigned next(void)
{
    return in_pos < in_size ? in_data[in_pos++] : 0;
}

/* One decoded step, run on either side. */
enum {
    S_OPEN, S_OFFER, S_POLL, S_PUT_ASYNC, S_TAKE_ASYNC, S_CLOSE, S_CLOSED,
    S_RETAIN, S_RELEASE, S_DESTROY, S_GO, S_ADVANCE, S_KINDS
};

typedef struct fz_step {
    int kind, k, op, b, cap, esize, bufkind, heap;
    fz_react react;
    fz_cmd cmd;
    uint32_t ms;
} fz_step;

static int run1(fz_side *s, const fz_step *st, int hint, uint32_t *v)
{
    *v = 0;
    switch (st->kind) {
    case S_OPEN:
        return s->open(s, st->k, st->bufkind, (unsigned)st->cap,
                       (unsigned)st->esize, st->heap);
    case S_OFFER:
        return s->offer(s, st->k, s->next_val++);
    case S_POLL:
        return s->poll(s, st->k, v);
    case S_PUT_ASYNC:
        s->react[st->op] = st->react;
        return s->put_async(s, st->k, st->op, s->next_val++);
    case S_TAKE_ASYNC:
        s->react[st->op] = st->react;
        s->react[st->op].chan = st->react.kind == RE_AGAIN ? 1 : st->react.chan;
        return s->take_async(s, st->k, st->op);
    case S_CLOSE:
        return s->close(s, st->k);
    case S_CLOSED:
        return s->closed(s, st->k);
    case S_RETAIN:
        return s->retain(s, st->k);
    case S_RELEASE:
        return s->release(s, st->k);
    case S_DESTROY:
        return s->destroy(s, st->k);
    case S_GO:
        return s->go(s, st->b, &st->cmd, hint);
    default:
        return s->advance(s, st->ms);
    }
}

static int run(fz_side *s, const fz_step *st, int hint, uint32_t *v)
{
    int rc = run1(s, st, hint, v);

    s->settle(s);
    return rc;
}

static const unsigned esizes[4] = {0, 1, 4, 24};

/* Decodes the next step against the model's state (which says what may
** be done: a heap channel that was freed must never be touched again, an
** op that waits must not be reused). 0 when the step is to be skipped. */
static int decode(fz_side *m, fz_step *st)
{
    fz_chan_state cs;
    fz_block_state bs;
    unsigned a = next(), b = next();
    int i, j, deadline = 0, deflt = 0, any = 0;

    memset(st, 0, sizeof *st);
    st->kind = (int)(a % S_KINDS);
    st->k = (int)(b % FZ_CHANS);
    m->chan_state(m, st->k, &cs);
    switch (st->kind) {
    case S_OPEN:
        if (cs.slot == SLOT_LIVE)
            return 0;
        st->bufkind = 1 + (int)((b >> 2) % 5);
        st->cap = st->bufkind == CA_UNBUFFERED ? 0
                  : st->bufkind == CA_PROMISE  ? 1
                                               : 1 + (int)((b >> 5) % FZ_CAP);
        a = next();
        st->esize = (int)esizes[a % 4];
        st->heap = CA_HAVE_MALLOC && ((a >> 2) & 1);
        return 1;
    case S_PUT_ASYNC:
    case S_TAKE_ASYNC:
        a = next();
        st->op = (int)(a % FZ_OPS);
        if (m->op_pending(m, st->op))
            return 0;
        a = next();
        st->react.kind = (int)(a % RE_KINDS);
        st->react.chan = (int)((a >> 3) % FZ_CHANS);
        st->react.budget = (int)((a >> 5) & 3);
        if (st->kind == S_PUT_ASYNC && st->react.kind == RE_AGAIN)
            st->react.chan = 0;
        break;
    case S_GO:
        st->b = (int)((b >> 2) % FZ_BLOCKS);
        m->block_state(m, st->b, &bs);
        if (bs.busy)
            return 0;
        a = next();
        st->cmd.kind = (int)(a % G_KINDS);
        st->cmd.chan = st->k;
        st->cmd.ms = next() % 64;
        if (st->cmd.kind == G_SLEEP)
            return 1;
        if (st->cmd.kind != G_ALTS) {
            if (cs.slot == SLOT_EMPTY)
                return 0;
            st->cmd.val = 0x1000000u + 4u * step_no;
            return 1;
        }
        st->cmd.n = 1 + (int)((a >> 2) % FZ_CASES);
        st->cmd.flags = (a >> 4) & 1 ? CA_ALTS_PRIORITY : 0;
        for (i = 0; i < st->cmd.n; i++) {
            fz_case *c = &st->cmd.cases[i];
            a = next();
            c->kind = (int)(a % 5);
            c->chan = (int)((a >> 3) % FZ_CHANS);
            c->ms = next() % 64;
            if (c->kind == C_TAKE || c->kind == C_PUT) {
                m->chan_state(m, c->chan, &cs);
                if (cs.slot != SLOT_LIVE)
                    c->kind = C_OFF;
                /* Cases on one channel are queued in a random order
                ** unless CA_ALTS_PRIORITY: keep one per channel. */
                for (j = 0; j < i && !st->cmd.flags; j++)
                    if ((st->cmd.cases[j].kind == C_TAKE ||
                         st->cmd.cases[j].kind == C_PUT) &&
                        st->cmd.cases[j].chan == c->chan)
                        c->kind = C_OFF;
            }
            /* Two deadlines due at one tick fire in either order; one
            ** default at most (alts.h). */
            if (c->kind == C_DEADLINE && deadline++)
                c->kind = C_OFF;
            if (c->kind == C_DEFAULT && deflt++)
                c->kind = C_OFF;
            if (c->kind == C_PUT)
                c->val = 0x1000000u + 4u * step_no + 1u + (uint32_t)i;
            any |= c->kind != C_OFF;
        }
        if (!any) { /* a block that can never resume could never end */
            st->cmd.cases[0].kind = C_DEADLINE;
            st->cmd.cases[0].ms = 1;
        }
        return 1;
    case S_ADVANCE:
        st->ms = b % 80;
        return 1;
    default:
        break;
    }
    return cs.slot != SLOT_EMPTY;
}

static void compare(fz_side *r, fz_side *m, int rc_r, int rc_m, uint32_t v_r,
                    uint32_t v_m)
{
    int i;

    if (rc_r != rc_m)
        fz_fail("returned %s (%d), model says %s (%d)", ca_err_name(rc_r),
                rc_r, ca_err_name(rc_m), rc_m);
    if (v_r != v_m)
        fz_fail("value %lu, model says %lu", (unsigned long)v_r,
                (unsigned long)v_m);
    if (r->log.overflow || m->log.overflow)
        fz_fail("event log overflow");
    for (i = 0; i < r->log.n && i < m->log.n; i++) {
        fz_event *a = &r->log.ev[i], *b = &m->log.ev[i];
        if (a->type != b->type || a->who != b->who ||
            a->status != b->status || a->val != b->val)
            fz_fail("event %d: %s of op %d: %d val %lu; model: %s of op %d: "
                    "%d val %lu",
                    i, a->type == EV_CB ? "callback" : "nested call", a->who,
                    a->status, (unsigned long)a->val,
                    b->type == EV_CB ? "callback" : "nested call", b->who,
                    b->status, (unsigned long)b->val);
    }
    if (r->log.n != m->log.n)
        fz_fail("%d events, model says %d", r->log.n, m->log.n);
    if (r->next_val != m->next_val)
        fz_fail("values drawn differ");
    for (i = 0; i < FZ_CHANS; i++) {
        fz_chan_state a, b;
        r->chan_state(r, i, &a);
        m->chan_state(m, i, &b);
        if (memcmp(&a, &b, sizeof a) != 0)
            fz_fail("channel %d: slot %d kind %d closed %d cap %u esize %u "
                    "count %u puts %u takes %u refs %u; model: slot %d kind "
                    "%d closed %d cap %u esize %u count %u puts %u takes %u "
                    "refs %u",
                    i, a.slot, a.kind, a.closed, a.cap, a.esize, a.count,
                    a.puts, a.takes, a.refs, b.slot, b.kind, b.closed, b.cap,
                    b.esize, b.count, b.puts, b.takes, b.refs);
    }
    for (i = 0; i < FZ_OPS; i++)
        if (r->op_pending(r, i) != m->op_pending(m, i))
            fz_fail("op %d pending %d, model says %d", i,
                    r->op_pending(r, i), m->op_pending(m, i));
    for (i = 0; i < FZ_BLOCKS; i++) {
        fz_block_state a, b;
        r->block_state(r, i, &a);
        m->block_state(m, i, &b);
        if (a.busy != b.busy || a.done != b.done ||
            (!a.busy && a.done &&
             (a.status != b.status || a.alt != b.alt || a.val != b.val)))
            fz_fail("block %d: busy %d done %u status %d alt %d val %lu; "
                    "model: busy %d done %u status %d alt %d val %lu",
                    i, a.busy, a.done, a.status, a.alt, (unsigned long)a.val,
                    b.busy, b.done, b.status, b.alt, (unsigned long)b.val);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_side *r, *m;
    fz_step st;
    fz_block_state bs;
    uint32_t t0, v_r, v_m;
    int rc_r, rc_m, hint, trace = getenv("FUZZ_TRACE") != NULL;

    in_data = data;
    in_size = size;
    in_pos = 0;
    step_no = 0;
    /* Start at most 1020 ms before the 32-bit tick wraps. */
    t0 = 0xffffffffu - 4u * next();
    r = fz_real_side(t0);
    m = fz_model_side(t0);
    while (in_pos < in_size) {
        step_no++;
        if (!decode(m, &st))
            continue;
        r->log.n = m->log.n = 0;
        if (trace)
            fprintf(stderr, "step %u: kind %d k %d op %d react %d/%d/%d b %d "
                    "cmd %d n %d flags %d cases %d:%d %d:%d %d:%d ms %lu\n",
                    step_no, st.kind, st.k, st.op, st.react.kind,
                    st.react.chan, st.react.budget, st.b, st.cmd.kind,
                    st.cmd.n, st.cmd.flags, st.cmd.cases[0].kind,
                    st.cmd.cases[0].chan, st.cmd.cases[1].kind,
                    st.cmd.cases[1].chan, st.cmd.cases[2].kind,
                    st.cmd.cases[2].chan,
                    (unsigned long)(st.kind == S_GO ? st.cmd.ms : st.ms));
        rc_r = run(r, &st, -1, &v_r);
        hint = -1;
        if (st.kind == S_GO) {
            r->block_state(r, st.b, &bs);
            hint = bs.alt;
        }
        rc_m = run(m, &st, hint, &v_m);
        if (trace) {
            int i;
            fprintf(stderr, "  rc %d/%d val %lu/%lu events", rc_r, rc_m,
                    (unsigned long)v_r, (unsigned long)v_m);
            for (i = 0; i < m->log.n; i++)
                fprintf(stderr, " %d:%d:%d:%lu", m->log.ev[i].type,
                        m->log.ev[i].who, m->log.ev[i].status,
                        (unsigned long)m->log.ev[i].val);
            fprintf(stderr, "\n");
        }
        compare(r, m, rc_r, rc_m, v_r, v_m);
    }
    r->teardown(r);
    return 0;
}
