/*
** ops/take_n.c: core.async's `take` (the combinator), one go block that
** passes the first n values and closes its output. MIT licence, see
** COPYING.
*/
#include "ops.h"

static int take_n_fn(ca_go *g)
{
    ca_take_n_state *p = (ca_take_n_state *)g;

    GO_BEGIN(g);
    while (p->n > 0) {
        TAKE_BYTES(g, p->from, p->val);
        if (GO_CLOSED(g))
            break;
        PUT_BYTES(g, p->out, p->val);
        if (GO_CLOSED(g))
            break;              /* nobody wants the rest */
        p->n--;
    }
    p->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
    (void)ca_close(p->out);
    (void)ca_chan_free(p->from);
    (void)ca_chan_free(p->out);
    GO_END(g);
}

int ca_take_n(ca_take_n_state *st, ca_sched *s, ca_chan *from, size_t n,
              ca_chan *out, void *val)
{
    ca_chan *chs[2];
    size_t e1, e2;
    void *tail;
    int rc;

    chs[0] = from;
    chs[1] = out;
    if ((rc = ca__ops_elem(from, &e1)) != CA_OK ||
        (rc = ca__ops_put_elem(out, &e2)) != CA_OK)
        return rc;
    if (e1 != e2 || from == out || CA__OPS_NEED_VAL(st, val, e1))
        return CA_EINVAL;
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st, val ? 0 : e1,
                            &tail, chs, 2)) != CA_OK)
        return rc;
    st->from = from;
    st->out = out;
    st->n = n;
    st->val = val ? val : tail;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, take_n_fn);
}
