/*
** ops/merge.c: core.async's `merge`, one go block that forwards whatever
** any input gives, through an ALTS over the inputs still open. MIT
** licence, see COPYING.
*/
#include "ops.h"

static int merge_fn(ca_go *g)
{
    ca_merge_state *m = (ca_merge_state *)g;
    size_t i;

    GO_BEGIN(g);
    while (m->n > 0) {
        /* The cases are filled anew before every ALTS (alts.h); each
        ** remembers its channel, and all share one destination, since
        ** only one of them completes. */
        for (i = 0; i < m->n; i++)
            (void)ca_alt_take(&m->cases[i], m->cases[i].chan, m->val);
        ALTS(g, m->cases, m->n, 0);
        if (GO_ERROR(g))
            break;
        if (GO_CLOSED(g)) {
            /* That input is over: its case leaves (the last one takes its
            ** place) and so does our reference on it. */
            i = (size_t)GO_ALT(g);
            (void)ca_chan_free(m->cases[i].chan);
            m->cases[i].chan = m->cases[--m->n].chan;
            continue;
        }
        /* Whether out took it is ignored, as in core.async: the inputs
        ** drain even when nobody reads out any more. */
        PUT_BYTES(g, m->out, m->val);
        if (GO_ERROR(g))
            break;
    }
    m->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
    while (m->n > 0)            /* only after an error */
        (void)ca_chan_free(m->cases[--m->n].chan);
    (void)ca_close(m->out);
    (void)ca_chan_free(m->out);
    GO_END(g);
}

int ca_merge(ca_merge_state *st, ca_sched *s, ca_chan *const *chs, size_t n,
             ca_chan *out, ca_alt *cases, void *val)
{
    size_t e, ei, i, extra = 0;
    void *tail;
    int rc;

    if (chs == NULL && n != 0)
        return CA_EINVAL;
    if (n > CA_ALTS_MAX)
        return CA_ERANGE;
    if ((rc = ca__ops_put_elem(out, &e)) != CA_OK)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = ca__ops_elem(chs[i], &ei)) != CA_OK)
            return rc;
        if (ei != e || chs[i] == out)
            return CA_EINVAL;
    }
    if (st != NULL && ((cases == NULL && n != 0) || (val == NULL && e != 0)))
        return CA_EINVAL;
    if (st == NULL)
        extra = ca__ops_align(n * sizeof *cases) + e;
    if ((rc = ca__ops_retain(chs, n)) != CA_OK)
        return rc;
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st, extra, &tail, &out,
                            1)) != CA_OK) {
        ca__ops_release(chs, n);
        return rc;
    }
    if (tail != NULL) {
        cases = (ca_alt *)tail;
        val = (unsigned char *)tail + ca__ops_align(n * sizeof *cases);
    }
    for (i = 0; i < n; i++)
        cases[i].chan = chs[i];
    st->cases = cases;
    st->n = n;
    st->out = out;
    st->val = val;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, merge_fn);
}
