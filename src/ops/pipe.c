/*
** ops/pipe.c: core.async's `pipe`, one go block that copies a channel
** into another. MIT licence, see COPYING.
*/
#include "ops.h"

static int pipe_fn(ca_go *g)
{
    ca_pipe_state *p = (ca_pipe_state *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, p->from, p->val);
        if (GO_CLOSED(g))
            break;              /* from closed (or an error): end of input */
        PUT_BYTES(g, p->to, p->val);
        if (GO_CLOSED(g))
            break;              /* to closed: stop, leave from open        */
    }
    p->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
    /* Only the end of the input closes `to`: when `to` was closed under
    ** us there is nothing to close, and a closed `to` is how the
    ** consumer says "no more". */
    if (p->close_to)
        (void)ca_close(p->to);
    (void)ca_chan_free(p->from);
    (void)ca_chan_free(p->to);
    GO_END(g);
}

int ca_pipe(ca_pipe_state *st, ca_sched *s, ca_chan *from, ca_chan *to,
            int close_to, void *val)
{
    ca_chan *chs[2];
    size_t e1, e2;
    void *tail;
    int rc;

    chs[0] = from;
    chs[1] = to;
    if ((rc = ca__ops_elem(from, &e1)) != CA_OK ||
        (rc = ca__ops_put_elem(to, &e2)) != CA_OK)
        return rc;
    if (e1 != e2 || from == to || CA__OPS_NEED_VAL(st, val, e1))
        return CA_EINVAL;
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st, val ? 0 : e1,
                            &tail, chs, 2)) != CA_OK)
        return rc;
    st->from = from;
    st->to = to;
    st->val = val ? val : tail;
    st->close_to = close_to;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, pipe_fn);
}
