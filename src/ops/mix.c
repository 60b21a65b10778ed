/*
** ops/mix.c: core.async's `mix`, one go block that forwards what its
** inputs give, through an ALTS over the inputs it reads plus a `change`
** channel that every admin call signals, so that the read set is built
** anew after each change.
**
** The input list changes from other threads, under the state's lock. A
** slot is freed (or reused) only by the block, while it is not parked:
** an admin call only marks it gone, since the ALTS the block waits in
** may still hold a case on its channel.
*/
#include <string.h>

#include "ops.h"

#define FLAGS (CA_MIX_MUTE | CA_MIX_PAUSE | CA_MIX_SOLO)

/* Unlinks and frees (or spares) the slot at *link. Under the lock. */
static void drop(ca_mix_state *m, ca_mix_slot **link)
{
    ca_mix_slot *t = *link;

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

static int any_solo(ca_mix_state *m)
{
    ca_mix_slot *t;

    for (t = m->inputs; t != NULL; t = t->next)
        if (t->flags & CA_MIX_SOLO)
            return 1;
    return 0;
}

#if CA_HAVE_MALLOC
/* Room for n cases (the block only, while not parked). */
static int grow(ca_mix_state *m, size_t n)
{
    size_t cap = m->max != 0 ? m->max : 16;
    ca_alt *c;

    while (cap < n)
        cap *= 2;
    if ((c = (ca_alt *)ca__alloc(cap * sizeof *c)) == NULL)
        return CA_ENOMEM;
    ca__free(m->cases);
    m->cases = c;
    m->max = cap;
    return CA_OK;
}
#endif

/* The read set: the change case, then every input that is read. Frees
** the slots of gone inputs first. Under the lock. */
static void rebuild(ca_mix_state *m)
{
    ca_mix_slot **link, *t;
    int solo = any_solo(m), pause_mode = m->solo_mode == CA_MIX_PAUSE;
    size_t n = 1;

    for (link = &m->inputs; *link != NULL;) {
        if ((*link)->gone)
            drop(m, link);
        else {
            link = &(*link)->next;
            n++;
        }
    }
#if CA_HAVE_MALLOC
    if (m->grows && n > m->max && grow(m, n) != CA_OK)
        m->status = CA_ENOMEM; /* reads the first ones only */
#endif
    (void)ca_alt_take(&m->cases[0], &m->change, NULL);
    m->ncases = 1;
    for (t = m->inputs; t != NULL && m->ncases < m->max; t = t->next)
        if (solo && pause_mode ? (t->flags & CA_MIX_SOLO) != 0
                               : !(t->flags & CA_MIX_PAUSE))
            (void)ca_alt_take(&m->cases[m->ncases++], t->ch, m->val);
}

/* Whether a value taken from ch is forwarded; an input that closed
** leaves. Under the lock. */
static int heard(ca_mix_state *m, ca_chan *ch, int closed)
{
    ca_mix_slot *t;

    for (t = m->inputs; t != NULL && t->ch != ch; t = t->next)
        ;
    if (t == NULL || t->gone)
        return 0;
    if (closed) {
        t->gone = 1;
        return 0;
    }
    return (t->flags & CA_MIX_SOLO) ||
           (!(t->flags & CA_MIX_MUTE) && !any_solo(m));
}

static int mix_fn(ca_go *g)
{
    ca_mix_state *m = (ca_mix_state *)g;
    int fwd;

    GO_BEGIN(g);
    for (;;) {
        CA__OPS_LOCK(m);
        rebuild(m);
        CA__OPS_UNLOCK(m);
        if (ca_closed(m->out) == 1)
            break;              /* closed while we were idle */
        ALTS(g, m->cases, m->ncases, 0);
        if (GO_ERROR(g))
            break;
        if (GO_ALT(g) == 0)
            continue;           /* a change: read anew */
        CA__OPS_LOCK(m);
        fwd = heard(m, m->cases[GO_ALT(g)].chan, GO_CLOSED(g));
        CA__OPS_UNLOCK(m);
        if (!fwd)
            continue;
        PUT_BYTES(g, m->out, m->val);
        if (GO_CLOSED(g))
            break;              /* out closed: the mix ends */
    }
    m->status = GO_ERROR(g) ? GO_STATUS(g) : m->status;
    CA__OPS_LOCK(m);
    m->ended = 1;
    while (m->inputs != NULL)
        drop(m, &m->inputs);
    CA__OPS_UNLOCK(m);
#if CA_HAVE_MALLOC
    if (m->grows)
        ca__free(m->cases);
    if (m->val_owned)
        ca__free(m->val);
#endif
    (void)ca_chan_destroy(&m->change);
    (void)ca_chan_free(m->out);
    GO_END(g);
}

int ca_mix(ca_mix_state *m, ca_sched *s, ca_chan *out, void *val,
           ca_mix_slot *slots, ca_alt *cases, size_t max)
{
    size_t e, i;
    int rc;

    if (m == NULL || (slots == NULL) != (cases == NULL) ||
        (slots == NULL && max != 0))
        return CA_EINVAL;
    if (max >= CA_ALTS_MAX)
        return CA_ERANGE;
    if ((rc = ca__ops_put_elem(out, &e)) != CA_OK ||
        (rc = ca__ops_check(s, &m->go)) != CA_OK)
        return rc;
#if !CA_HAVE_MALLOC
    if (slots == NULL || (val == NULL && e != 0))
        return CA_ENOTSUP;
#endif
    if ((rc = ca_chan_retain(out)) != CA_OK)
        return rc;
    memset((unsigned char *)m + sizeof m->go, 0, sizeof *m - sizeof m->go);
#if CA_HAVE_MALLOC
    if (val == NULL && e != 0) {
        if ((val = ca__alloc(e)) == NULL) {
            (void)ca_chan_free(out);
            return CA_ENOMEM;
        }
        m->val_owned = 1;
    }
    if (slots == NULL &&
        (cases = (ca_alt *)ca__alloc(16 * sizeof *cases)) == NULL) {
        if (m->val_owned)
            ca__free(val);
        (void)ca_chan_free(out);
        return CA_ENOMEM;
    }
#endif
    (void)ca_chan_init(&m->change, CA_SLIDING, 1, 0, NULL, 0);
    for (i = max; i-- > 0;) {
        slots[i].next = m->spare;
        m->spare = &slots[i];
    }
    m->grows = slots == NULL;
    m->cases = cases;
    m->max = slots == NULL ? 16 : max + 1;
    m->out = out;
    m->val = val;
    m->elem = e;
    m->solo_mode = CA_MIX_MUTE;
    return ca_go_start(s, &m->go, mix_fn);
}

/* Every admin call ends by waking the block, under the lock so that it
** never signals a mix that has ended (its `change` is destroyed then). */
static void changed(ca_mix_state *m)
{
    (void)ca_offer(&m->change, NULL);
}

static ca_mix_slot *find(ca_mix_state *m, ca_chan *ch)
{
    ca_mix_slot *t;

    for (t = m->inputs; t != NULL && t->ch != ch; t = t->next)
        ;
    return t;
}

int ca_mix_toggle(ca_mix_state *m, ca_chan *ch, unsigned mask, unsigned set)
{
    ca_mix_slot *t, *fresh = NULL;
    size_t e;
    int rc;

    if (m == NULL || ((mask | set) & ~(unsigned)FLAGS) != 0)
        return CA_EINVAL;
    if ((rc = ca__ops_elem(ch, &e)) != CA_OK)
        return rc;
    if (e != m->elem || ch == m->out)
        return CA_EINVAL;
    if ((rc = ca_chan_retain(ch)) != CA_OK)
        return rc;
#if CA_HAVE_MALLOC
    if (m->grows &&
        (fresh = (ca_mix_slot *)ca__alloc(sizeof *fresh)) == NULL) {
        (void)ca_chan_free(ch);
        return CA_ENOMEM;
    }
#endif
    CA__OPS_LOCK(m);
    if (m->ended) {
        rc = CA_CLOSED;
    } else if ((t = find(m, ch)) != NULL) {
        t->gone = 0;            /* in again, if it was on its way out */
        rc = CA_EBUSY;          /* not a new input: undo below */
    } else if (fresh == NULL && (fresh = m->spare) == NULL) {
        rc = CA_ERANGE;
    } else {
        if (fresh == m->spare)
            m->spare = fresh->next;
        t = fresh;
        fresh = NULL;
        memset(t, 0, sizeof *t);
        t->ch = ch;
        t->next = m->inputs;
        m->inputs = t;
        rc = CA_OK;
    }
    if (rc == CA_OK || rc == CA_EBUSY) {
        t->flags = (unsigned char)((t->flags & ~mask) | (set & mask));
        changed(m);
    }
    CA__OPS_UNLOCK(m);
    if (rc != CA_OK) {
        (void)ca_chan_free(ch);
#if CA_HAVE_MALLOC
        if (m->grows)
            ca__free(fresh);
#endif
    }
    return rc == CA_EBUSY ? CA_OK : rc;
}

int ca_mix_admix(ca_mix_state *m, ca_chan *ch)
{
    return ca_mix_toggle(m, ch, 0, 0);
}

int ca_mix_unmix(ca_mix_state *m, ca_chan *ch)
{
    ca_mix_slot *t;

    if (m == NULL || ch == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(m);
    if (!m->ended && (t = find(m, ch)) != NULL) {
        t->gone = 1;
        changed(m);
    }
    CA__OPS_UNLOCK(m);
    return CA_OK;
}

int ca_mix_unmix_all(ca_mix_state *m)
{
    ca_mix_slot *t;

    if (m == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(m);
    if (!m->ended) {
        for (t = m->inputs; t != NULL; t = t->next)
            t->gone = 1;
        changed(m);
    }
    CA__OPS_UNLOCK(m);
    return CA_OK;
}

int ca_mix_solo_mode(ca_mix_state *m, unsigned mode)
{
    if (m == NULL || (mode != CA_MIX_MUTE && mode != CA_MIX_PAUSE))
        return CA_EINVAL;
    CA__OPS_LOCK(m);
    if (!m->ended) {
        m->solo_mode = (unsigned char)mode;
        changed(m);
    }
    CA__OPS_UNLOCK(m);
    return CA_OK;
}
