/*
** ops/split.c: core.async's `split`, one go block that routes each value
** by a predicate. MIT licence, see COPYING.
*/
#include "ops.h"

static int split_fn(ca_go *g)
{
    ca_split_state *p = (ca_split_state *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, p->from, p->val);
        if (GO_CLOSED(g)) {
            /* The end of the input ends both outputs. */
            (void)ca_close(p->t);
            (void)ca_close(p->f);
            break;
        }
        /* One PUT for both outputs (one resume point): the predicate
        ** picks the channel. A closed output ends the split and leaves
        ** the other one open, as in core.async. */
        PUT_BYTES(g, p->pred(p->val, p->ud) ? p->t : p->f, p->val);
        if (GO_CLOSED(g))
            break;
    }
    p->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
    (void)ca_chan_free(p->from);
    (void)ca_chan_free(p->t);
    (void)ca_chan_free(p->f);
    GO_END(g);
}

int ca_split(ca_split_state *st, ca_sched *s, ca_pred_fn pred, void *ud,
             ca_chan *from, ca_chan *t, ca_chan *f, void *val)
{
    ca_chan *chs[3];
    size_t e[3], i;
    void *tail;
    int rc;

    chs[0] = from;
    chs[1] = t;
    chs[2] = f;
    if (pred == NULL)
        return CA_EINVAL;
    for (i = 0; i < 3; i++) /* a take from the first, puts to the others */
        if ((rc = i == 0 ? ca__ops_elem(chs[i], &e[i])
                         : ca__ops_put_elem(chs[i], &e[i])) != CA_OK)
            return rc;
    if (e[1] != e[0] || e[2] != e[0] || t == f ||
        CA__OPS_NEED_VAL(st, val, e[0]))
        return CA_EINVAL;
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st, val ? 0 : e[0],
                            &tail, chs, 3)) != CA_OK)
        return rc;
    st->from = from;
    st->t = t;
    st->f = f;
    st->pred = pred;
    st->ud = ud;
    st->val = val ? val : tail;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, split_fn);
}
