/*
** xf.c: transforms on channels (core.async's `(chan n xform ex-handler)`,
** SPEC 2.7). MIT licence, see COPYING.
**
** A transformed channel keeps sizeof(ca_chan): its transform, error
** handler and completed flag live in a header in front of its ring, in
** the caller's storage, and the CA__CH_XF flag sends its puts and takes
** here (through the header's ops table: this file is a layer above
** chan.c, which must not call up).
**
** Every put goes into the buffer, never straight to a taker: the step
** runs under the channel's lock, its outputs pass through chan.c's door
** (so a dropping or sliding buffer applies its policy to each), then the
** takers that wait are served from the buffer. A fixed channel accepts a
** put while it holds fewer than `cap` values, as core.async does; its
** ring has 2 * max_out slots more, for the surplus of one step and of the
** completion, so no output is ever lost (see CA_XF_STORAGE). That room
** lets a step build its output straight in the next free slot of a fixed
** ring (ca_xf_out's slot; the ring starts at an aligned address), which
** then only counts it.
**
** The stride of a pipeline is short: a go block's PUT on an open fixed
** channel comes here from chan.c's fast path (put_op), and its TAKE reads
** the ring there as any channel's.
**
** Two defects of core.async are fixed on purpose (SPEC 2.2, 2.4): the
** completion runs exactly once (core.async runs it on every take from a
** closed, drained channel); and when a step stops the channel, the puts
** still waiting are refused with CA_CLOSED instead of being told true
** and dropped.
*/
#include <string.h>

#include "internal.h"

/* The header is placed at the first CA__XF_ALIGN boundary of the storage:
** that must suit it. */
struct hdr_probe {
    char c;
    ca__xf_hdr h;
};
CA_STATIC_ASSERT(hdr_align, offsetof(struct hdr_probe, h) <= CA__XF_ALIGN);

/* ------------------------------------------------------------ emit */

int ca_xf_emit(ca_xf_out *out, const void *val)
{
    if (out == NULL || out->fn == NULL)
        return CA_EINVAL;
    return out->fn(out, val);
}

/* The end of the line on a channel: the ring, within the step's budget.
** A step that emits past max_out is refused rather than let overrun the
** ring. */
typedef struct chan_out {
    ca_xf_out base;
    ca_chan *ch;
    unsigned left;
} chan_out;

static int chan_emit(ca_xf_out *self, const void *val)
{
    chan_out *o = (chan_out *)self;

    if (val == NULL && o->ch->elem_size != 0)
        return CA_EINVAL;
    if (o->left == 0)
        return CA_ERANGE;
    o->left--;
    CA_ASSERT(o->ch->count < CA__XF_HDR(o->ch)->room ||
              CA__KIND(o->ch) != CA_FIXED);
    if (val != NULL && val == o->base.slot)
        o->ch->count++; /* built in place: buf_add without its copy */
    else
        ca__buf_add_locked(o->ch, val);
    o->base.slot = NULL;
    return CA_OK;
}

/* A code the waiter's status byte can carry. */
static int clamp(int rc)
{
    return rc < -127 ? CA_ERANGE : rc;
}

/* One step (in != NULL) or the completion, then the error handler if it
** failed. Returns CA_OK, CA_XF_STOP or an error. */
HOT int run(ca_chan *ch, const void *in, int finish)
{
    ca__xf_hdr *h = CA__XF_HDR(ch);
    chan_out o;
    int rc;

    o.base.fn = chan_emit;
    /* A fixed ring always has room for a step's outputs (see accepts). */
    o.base.slot = CA__KIND(ch) == CA_FIXED ? ca__ring_slot(ch, ch->count)
                                           : NULL;
    o.ch = ch;
    o.left = h->xf->max_out;
    if (finish)
        rc = h->xf->complete != NULL ? h->xf->complete(h->xf, &o.base) : CA_OK;
    else
        rc = h->xf->step(h->xf, in, &o.base);
    if (rc < 0 && h->err != NULL)
        rc = h->err(h->err_ud, rc, in, &o.base);
    if (rc > 0 && rc != CA_XF_STOP) /* not a step's answer: a bug of its */
        rc = CA_EINVAL;
    return clamp(rc);
}

/* Waiting takes get what the buffer holds (takers wait only while it is
** empty, so they come before anything it holds now). */
static void serve(ca_chan *ch, ca__wakelist *wl)
{
    ca_waiter *t;

    while (ch->count != 0 && (t = ca__claim_locked(ch, 1)) != NULL) {
        ca__buf_remove_locked(ch, t->val);
        ca__complete_locked(wl, t, CA_OK);
    }
}

/* The completion, once, when the channel is closed and no put waits. */
static void finish(ca_chan *ch, ca__wakelist *wl)
{
    ca__xf_hdr *h = CA__XF_HDR(ch);

    if (h->done || ch->nputters != 0)
        return;
    h->done = 1;
    (void)run(ch, NULL, 1); /* closed already: a STOP changes nothing */
    serve(ch, wl);
}

/* A step said STOP: puts still waiting are refused, and the channel
** closes (which runs the completion). */
static void stop(ca_chan *ch, ca__wakelist *wl)
{
    ca_waiter *p;

    while ((p = ca__claim_locked(ch, 0)) != NULL)
        ca__complete_locked(wl, p, CA_CLOSED);
    ca__close_locked(ch, wl);
}

static int accepts(ca_chan *ch)
{
    return CA__KIND(ch) != CA_FIXED || ch->count < CA__XF_HDR(ch)->cap;
}

static int xf_put(ca_chan *ch, const void *src, ca__wakelist *wl)
{
    int rc;

    if (ch->flags & CA__CH_CLOSED)
        return CA_CLOSED;
    if (src == NULL && CA__XF_HDR(ch)->xf->in_size != 0)
        return CA_EINVAL;
    if (!accepts(ch))
        return CA_AGAIN;
    rc = run(ch, src, 0);
    if (ch->takers != NULL) /* seldom, in a pipeline's stride: no call */
        serve(ch, wl);
    if (rc == CA_XF_STOP) {
        stop(ch, wl);
        rc = CA_OK; /* this put's outputs stand */
    }
    return rc;
}

/* Room was made: waiting puts go through the step, oldest first. */
static void refill(ca_chan *ch, ca__wakelist *wl)
{
    ca_waiter *p;
    int rc;

    while (accepts(ch) && (p = ca__claim_locked(ch, 0)) != NULL) {
        rc = run(ch, p->val, 0);
        ca__complete_locked(wl, p, rc == CA_XF_STOP ? CA_OK : rc);
        if (rc == CA_XF_STOP) {
            stop(ch, wl);
            return;
        }
    }
}

static int xf_take(ca_chan *ch, void *dst, ca__wakelist *wl)
{
    int got = ch->count != 0;

    if (got)
        ca__buf_remove_locked(ch, dst);
    refill(ch, wl);
    if (ch->flags & CA__CH_CLOSED)
        finish(ch, wl);
    if (!got && ch->count != 0) {
        ca__buf_remove_locked(ch, dst);
        got = 1;
    }
    serve(ch, wl);
    if (got)
        return CA_OK;
    return (ch->flags & CA__CH_CLOSED) ? CA_CLOSED : CA_AGAIN;
}

static int xf_can_put(ca_chan *ch)
{
    return (ch->flags & CA__CH_CLOSED) || accepts(ch);
}

/* A go block's PUT when chan.c's fast path found an open fixed channel
** (whose lock it holds; ca__go_put's contract): the stride of a
** pipeline stage, the step run and the put done in one frame. With no
** take waiting, its outputs serve nobody; a step that stops closes the
** channel, which may wake some. Anything else (full, takes to serve, a
** size that is not the input's) goes the general way. */
static int xf_put_op(ca_waiter *w, ca_chan *ch, const void *src, size_t size)
{
    ca__wakelist wl;
    int rc;

    CA_ASSERT((ch->flags & (CA__CH_LIVE | CA__CH_CLOSED | CA__CH_XF |
                            CA__CH_ISR)) == (CA__CH_LIVE | CA__CH_XF) &&
              CA__KIND(ch) == CA_FIXED);
    if (ch->takers != NULL || !accepts(ch) ||
        CA__XF_HDR(ch)->xf->in_size != size) {
        CA__UNLOCK(ch);
        return ca__xf_put_slow(w, ch, src, size);
    }
    rc = run(ch, src, 0);
    if (rc == CA_OK) {
        CA__UNLOCK(ch);
    } else {
        CA__WAKELIST_INIT(&wl);
        if (rc == CA_XF_STOP) {
            stop(ch, &wl);
            rc = CA_OK; /* this put's outputs stand */
        }
        CA__UNLOCK(ch);
        ca__wake_all(&wl);
    }
    w->status = (signed char)rc;
    if (rc == CA_OK)
        CA__TRACE(ca__trace_op(ch, 0, rc));
    return rc;
}

static const struct ca__xf_ops xf_ops = {xf_put, xf_take, finish, xf_can_put,
                                         xf_put_op};

/* ------------------------------------------------------------ init */

int ca__xf_check(const ca_xf *xf)
{
    if (xf == NULL || xf->step == NULL || xf->max_out == 0)
        return CA_EINVAL;
    if (xf->in_size > CA_MAX_ELEM_SIZE || xf->out_size > CA_MAX_ELEM_SIZE)
        return CA_ERANGE;
    return CA_OK;
}

/* Checks what a channel with a transform needs, except its storage, and
** gives the slots of its ring and their bytes. */
static int check(ca_buf_kind kind, size_t cap, const ca_xf *xf, size_t *room,
                 size_t *bytes)
{
    int rc;

    if (kind == CA_UNBUFFERED) /* as core.async: a transform needs a buffer */
        return CA_EINVAL;
    if ((rc = ca__xf_check(xf)) != CA_OK)
        return rc;
    if (kind == CA_FIXED || kind == CA_DROPPING || kind == CA_SLIDING) {
        if (cap == 0)
            return CA_EINVAL;
        if (cap > CA_MAX_CAPACITY)
            return CA_ERANGE;
    } else if (kind != CA_PROMISE || cap != 1) {
        return CA_EINVAL;
    }
    *room = cap;
    if (kind == CA_FIXED) {
        if (xf->max_out > (CA_MAX_CAPACITY - cap) / 2)
            return CA_ERANGE;
        *room = cap + 2u * (size_t)xf->max_out;
    }
    if (ca__mul_overflows(*room, xf->out_size,
                          (size_t)-1 - CA__XF_HDR_SIZE - CA__XF_ALIGN))
        return CA_ERANGE;
    *bytes = CA__XF_HDR_SIZE + CA__XF_ALIGN + *room * xf->out_size;
    return CA_OK;
}

int ca_chan_init_xf(ca_chan *ch, ca_buf_kind kind, size_t cap, void *storage,
                    size_t storage_size, ca_xf *xf, ca_xf_err_fn err,
                    void *err_ud)
{
    unsigned char *base;
    ca__xf_hdr *h;
    size_t room, bytes, pad;
    int rc;

    if (ch == NULL || storage == NULL)
        return CA_EINVAL;
    if ((rc = check(kind, cap, xf, &room, &bytes)) != CA_OK)
        return rc;
    if (storage_size < bytes) /* CA_XF_STORAGE: the header, its padding */
        return CA_ERANGE;
    pad = (CA__XF_ALIGN - (size_t)((uintptr_t)storage % CA__XF_ALIGN)) %
          CA__XF_ALIGN;
    base = (unsigned char *)storage + pad;
    h = (ca__xf_hdr *)(void *)base;
    rc = ca_chan_init(ch, kind, room, xf->out_size, base + CA__XF_HDR_SIZE,
                      room * xf->out_size);
    /* GCOVR_EXCL_START: check() made sure that this init cannot fail. */
    if (rc != CA_OK)
        return rc;
    /* GCOVR_EXCL_STOP */
    memset(h, 0, sizeof *h);
    h->ops = &xf_ops;
    h->xf = xf;
    h->err = err;
    h->err_ud = err_ud;
    h->cap = (uint32_t)cap;
    h->room = (uint32_t)room;
    /* Even for outputs of size 0: the header is found from it. */
    ch->buf = base + CA__XF_HDR_SIZE;
    ch->flags |= CA__CH_XF;
    return rc;
}

#if CA_HAVE_MALLOC
int ca_chan_new_xf(ca_chan **out, ca_buf_kind kind, size_t cap, ca_xf *xf,
                   ca_xf_err_fn err, void *err_ud)
{
    ca_chan *ch;
    size_t room, bytes;
    int rc;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    if ((rc = check(kind, cap, xf, &room, &bytes)) != CA_OK)
        return rc;
    if (bytes > (size_t)-1 - sizeof *ch)
        return CA_ERANGE;
    if ((ch = (ca_chan *)ca__alloc(sizeof *ch + bytes)) == NULL)
        return CA_ENOMEM;
    rc = ca_chan_init_xf(ch, kind, cap, ch + 1, bytes, xf, err, err_ud);
    CA_ASSERT(rc == CA_OK);
    ch->flags |= CA__CH_OWNED;
    *out = ch;
    return rc;
}
#endif
