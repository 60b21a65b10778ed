/*
** ops/reduce.c: core.async's `reduce`, one go block that folds a channel
** into an accumulator and delivers it when the channel closes (or when
** the step asks to stop early). MIT licence, see COPYING.
*/
#include <string.h>

#include "ops.h"

static int reduce_fn(ca_go *g)
{
    ca_reduce_state *r = (ca_reduce_state *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, r->from, r->val);
        if (GO_CLOSED(g)) {
            if (GO_ERROR(g))
                r->status = GO_STATUS(g);
            break;
        }
        /* core.async's `reduced`: stop here, leaving the rest of the
        ** source to whoever else reads it. */
        if ((r->status = r->f(r->acc, r->val, r->ud)) != 0)
            break;
    }
    if (r->result != NULL) {
        /* Checked buffered and empty of ours at the start: the offer only
        ** fails if someone else filled it, which the man page forbids. */
        (void)ca_offer(r->result, r->acc);
        (void)ca_close(r->result);
        (void)ca_chan_free(r->result);
    }
    (void)ca_chan_free(r->from);
    GO_END(g);
}

int ca_reduce(ca_reduce_state *st, ca_sched *s, ca_reduce_fn f, void *ud,
              ca_chan *from, void *acc, size_t acc_size, void *val,
              ca_chan *result)
{
    ca_chan *chs[2];
    ca_chan_info ri;
    size_t e, vsize;
    void *tail;
    int rc;

    chs[0] = from;
    chs[1] = result;
    if (f == NULL || (acc == NULL && acc_size != 0))
        return CA_EINVAL;
    if ((rc = ca__ops_elem(from, &e)) != CA_OK)
        return rc;
    if (result != NULL) {
        if ((rc = ca_chan_inspect(result, &ri)) != CA_OK ||
            (rc = ca__ops_put_elem(result, &ri.elem_size)) != CA_OK)
            return rc;
        if (ri.elem_size != acc_size || ri.capacity == 0 || result == from)
            return CA_EINVAL;
    }
    if (CA__OPS_NEED_VAL(st, val, e))
        return CA_EINVAL;
    /* Allocated: the value, then a copy of the accumulator. */
    vsize = ca__ops_align(e);
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st,
                            st != NULL ? 0 : vsize + acc_size, &tail, chs,
                            2)) != CA_OK)
        return rc;
    if (tail != NULL) {
        val = tail;
        void *init = acc;

        acc = (unsigned char *)tail + vsize;
        if (acc_size != 0) /* memcpy from NULL is undefined, even of 0 */
            memcpy(acc, init, acc_size);
    }
    st->from = from;
    st->result = result;
    st->f = f;
    st->ud = ud;
    st->acc = acc;
    st->acc_size = acc_size;
    st->val = val;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, reduce_fn);
}
