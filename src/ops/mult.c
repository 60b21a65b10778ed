/*
** ops/mult.c: core.async's `mult`, one go block that hands every value of
** its source to all its taps.
**
** A round: take a value, snapshot the taps, start an asynchronous put to
** each (core.async's put! with a shared countdown), and park until the
** last put completes and signals the `done` channel. The puts run at
** once, so no tap waits behind another, but the next value is taken only
** after the round: the slowest tap paces them all, and delivery stays in
** lock-step after a tap is removed (ASYNC-127).
**
** The tap list changes from other threads (tap, untap) while the block
** runs, so it is guarded by the state's spin lock, never held across a
** park or a channel call that could run a callback. A slot in a round is
** never freed or reused until the block has swept it after the round:
** its ca_op may still be queued in the tap's channel until then, and the
** reference on the tap's channel is kept as long.
*/
#include <string.h>

#include "ops.h"

#define TAPPED 0x01   /* wanted: gets the next values                    */
#define INROUND 0x02  /* has a put of the current round                  */

/* One put of a round completed (or was refused): a closed tap is
** untapped, and the last completion wakes the block. */
static void count_down(ca_mult_state *m, ca_mult_slot *t, int status)
{
    int last;

    CA__OPS_LOCK(m);
    if (t != NULL && status != CA_OK)
        t->state &= (unsigned char)~TAPPED;
    last = --m->left == 0;
    CA__OPS_UNLOCK(m);
    if (last)
        (void)ca_offer(&m->done, NULL);
}

static void put_done(ca_op *op, int status)
{
    count_down((ca_mult_state *)op->data,
               CA_CONTAINER_OF(op, ca_mult_slot, op), status);
}

/* Unlinks *link's slot, releases its channel and returns the slot to the
** spare list (or frees it). Under the lock. */
static void drop(ca_mult_state *m, ca_mult_slot **link)
{
    ca_mult_slot *t = *link;

    *link = t->next;
    (void)ca_chan_free(t->ch);
#if CA_HAVE_MALLOC
    if (m->grows) {
        ca__free(t);
        return;
    }
#endif
    t->next = m->spare;
    m->spare = t;
}

/* After a round: slots untapped meanwhile leave. */
static void sweep(ca_mult_state *m)
{
    ca_mult_slot **link = &m->taps;

    CA__OPS_LOCK(m);
    while (*link != NULL) {
        (*link)->state &= (unsigned char)~INROUND;
        if ((*link)->state & TAPPED)
            link = &(*link)->next;
        else
            drop(m, link);
    }
    CA__OPS_UNLOCK(m);
}

/* The source closed: close the taps that asked for it, and end. */
static void finish(ca_mult_state *m)
{
    CA__OPS_LOCK(m);
    m->ended = 1;
    while (m->taps != NULL) {
        if (m->taps->close && (m->taps->state & TAPPED))
            (void)ca_close(m->taps->ch);
        drop(m, &m->taps);
    }
    CA__OPS_UNLOCK(m);
#if CA_HAVE_MALLOC
    if (m->val_owned)
        ca__free(m->val);
#endif
    (void)ca_chan_destroy(&m->done);
    (void)ca_chan_free(m->src);
}

static int mult_fn(ca_go *g)
{
    ca_mult_state *m = (ca_mult_state *)g;
    ca_mult_slot *t, *next;
    int rc;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, m->src, m->val);
        if (GO_CLOSED(g))
            break;
        /* The snapshot; `left` counts one more for this block, so that
        ** puts completing while the others start cannot end the round. */
        CA__OPS_LOCK(m);
        m->round = NULL;
        m->left = 1;
        for (t = m->taps; t != NULL; t = t->next)
            if (t->state & TAPPED) {
                t->state |= INROUND;
                t->round = m->round;
                m->round = t;
                m->left++;
            }
        CA__OPS_UNLOCK(m);
        for (t = m->round; t != NULL; t = next) {
            next = t->round;    /* t may be swept once its put is done */
            t->op.data = m;
            rc = ca_put_async(t->ch, &t->op, m->val, put_done);
            if (rc < 0) {       /* CA_EFULL: too many puts wait there */
                m->status = rc;
                count_down(m, t, rc);
            }
        }
        count_down(m, NULL, CA_OK);
        TAKE_SIGNAL(g, &m->done);
        if (GO_CLOSED(g))
            break;
        sweep(m);
    }
    if (GO_ERROR(g))
        m->status = GO_STATUS(g);
    finish(m);
    GO_END(g);
}

int ca_mult(ca_mult_state *m, ca_sched *s, ca_chan *src, void *val,
            ca_mult_slot *slots, size_t max)
{
    size_t e, i;
    int rc;

    if (m == NULL || (slots == NULL && max != 0))
        return CA_EINVAL;
    if ((rc = ca__ops_elem(src, &e)) != CA_OK)
        return rc;
    if ((rc = ca__ops_check(s, &m->go)) != CA_OK)
        return rc;
#if !CA_HAVE_MALLOC
    if (slots == NULL || (val == NULL && e != 0))
        return CA_ENOTSUP;
#endif
    if ((rc = ca_chan_retain(src)) != CA_OK)
        return rc;
    /* all but the header, which may carry a result channel of yours */
    memset((unsigned char *)m + sizeof m->go, 0, sizeof *m - sizeof m->go);
#if CA_HAVE_MALLOC
    if (val == NULL && e != 0) {
        if ((val = ca__alloc(e)) == NULL) {
            (void)ca_chan_free(src);
            return CA_ENOMEM;
        }
        m->val_owned = 1;
    }
#endif
    (void)ca_chan_init(&m->done, CA_FIXED, 1, 0, NULL, 0);
    for (i = max; i-- > 0;) {
        slots[i].next = m->spare;
        m->spare = &slots[i];
    }
    m->grows = slots == NULL;
    m->src = src;
    m->val = val;
    m->elem = e;
    return ca_go_start(s, &m->go, mult_fn);
}

/* The slot of ch in the tap list, as a link to it; NULL if none. Under
** the lock. */
static ca_mult_slot **find(ca_mult_state *m, ca_chan *ch)
{
    ca_mult_slot **link;

    for (link = &m->taps; *link != NULL; link = &(*link)->next)
        if ((*link)->ch == ch)
            return link;
    return NULL;
}

int ca_mult_tap(ca_mult_state *m, ca_chan *ch, int close)
{
    ca_mult_slot **link, *t = NULL;
    size_t e;
    int rc;

    if (m == NULL)
        return CA_EINVAL;
    if ((rc = ca__ops_put_elem(ch, &e)) != CA_OK)
        return rc;
    if (e != m->elem || ch == m->src)
        return CA_EINVAL;
    if ((rc = ca_chan_retain(ch)) != CA_OK)
        return rc;
#if CA_HAVE_MALLOC
    /* Allocated before the lock, given back if not needed. */
    if (m->grows && (t = (ca_mult_slot *)ca__alloc(sizeof *t)) == NULL) {
        (void)ca_chan_free(ch);
        return CA_ENOMEM;
    }
#endif
    CA__OPS_LOCK(m);
    if (m->ended) {
        rc = CA_CLOSED;
    } else if ((link = find(m, ch)) != NULL) {
        (*link)->state |= TAPPED; /* again, or still in a round */
        (*link)->close = close != 0;
        rc = CA_EBUSY;            /* not a new tap: undo below */
    } else if (t == NULL && (t = m->spare) == NULL) {
        rc = CA_ERANGE;
    } else {
        if (t == m->spare)
            m->spare = t->next;
        memset(t, 0, sizeof *t);
        t->ch = ch;
        t->close = close != 0;
        t->state = TAPPED;
        t->next = m->taps;
        m->taps = t;
        t = NULL;
        rc = CA_OK;
    }
    CA__OPS_UNLOCK(m);
    if (rc != CA_OK) {
        (void)ca_chan_free(ch);
#if CA_HAVE_MALLOC
        if (m->grows)
            ca__free(t);
#endif
    }
    return rc == CA_EBUSY ? CA_OK : rc;
}

/* Untaps the slot at *link: at once, unless a round still uses it. */
static void untap(ca_mult_state *m, ca_mult_slot **link)
{
    (*link)->state &= (unsigned char)~TAPPED;
    if (!((*link)->state & INROUND))
        drop(m, link);
}

int ca_mult_untap(ca_mult_state *m, ca_chan *ch)
{
    ca_mult_slot **link;

    if (m == NULL || ch == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(m);
    if ((link = find(m, ch)) != NULL)
        untap(m, link);
    CA__OPS_UNLOCK(m);
    return CA_OK;
}

int ca_mult_untap_all(ca_mult_state *m)
{
    ca_mult_slot **link;

    if (m == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(m);
    for (link = &m->taps; *link != NULL;) {
        ca_mult_slot *t = *link;

        untap(m, link);
        if (*link == t)
            link = &t->next;
    }
    CA__OPS_UNLOCK(m);
    return CA_OK;
}
