/*
** ops/transduce.c: core.async's `transduce`, one go block that runs each
** value of a channel through a transform and folds the outputs into an
** accumulator with a reducing function, then runs the transform's
** completion once and delivers the accumulator. MIT licence, see COPYING.
**
** core.async wraps the reducing function in the transducer and reduces;
** here the transform's outputs go straight to `f` through a ca_xf_out on
** the block's stack: a step runs between two TAKEs, never across a park,
** so nothing of it has to outlive the call.
*/
#include <string.h>

#include "ops.h"

/* What has ended (st->ended): the intake, when the transform stopped (its
** completion may still flush into f, as a Clojure `take` before a
** `partition-all` does); the fold too, when f stopped or an error came
** (every output is then refused with CA_XF_STOP and reaches nothing). */
#define NO_INPUT 1u
#define NO_FOLD 3u

/* Where the transform's outputs go: the reducing function. */
typedef struct fold_out {
    ca_xf_out base;
    ca_transduce_state *t;
} fold_out;

static int fold(ca_xf_out *self, const void *val)
{
    ca_transduce_state *t = ((fold_out *)self)->t;
    int rc;

    if (t->ended == NO_FOLD)
        return CA_XF_STOP;
    if ((rc = t->f(t->acc, val, t->ud)) != 0) {
        t->ended = NO_FOLD; /* core.async's `reduced`: this output counted */
        t->stopped = rc;
        return CA_XF_STOP;
    }
    return CA_OK;
}

/* One step, or the completion; a step's error, or an answer that is not
** a transform's, ends the fold with that code. */
static void run(ca_transduce_state *t, const void *in, int finish)
{
    fold_out o;
    int rc = CA_OK;

    o.base.fn = fold;
    o.base.slot = NULL;
    o.t = t;
    if (!finish)
        rc = t->xf->step(t->xf, in, &o.base);
    else if (t->xf->complete != NULL)
        rc = t->xf->complete(t->xf, &o.base);
    if (rc == CA_XF_STOP || rc == CA_OK) {
        if (rc == CA_XF_STOP)
            t->ended |= NO_INPUT;
        return;
    }
    t->ended = NO_FOLD;
    if (t->status == CA_OK)
        t->status = rc > 0 ? CA_EINVAL : rc;
}

static int transduce_fn(ca_go *g)
{
    ca_transduce_state *t = (ca_transduce_state *)g;

    GO_BEGIN(g);
    while (!t->ended) {
        TAKE_BYTES(g, t->from, t->val);
        if (GO_CLOSED(g)) {
            if (GO_ERROR(g)) {
                t->status = GO_STATUS(g);
                t->ended = NO_FOLD;
            }
            break;
        }
        run(t, t->val, 0);
    }
    /* Once, whatever ended the fold: the stream is over for the
    ** transform (core.async calls `(f ret)` after the reduce). */
    run(t, NULL, 1);
    if (t->result != NULL) {
        /* Checked buffered and empty of ours at the start. A fold that
        ** failed delivers nothing: the close alone tells. */
        if (t->status == CA_OK)
            (void)ca_offer(t->result, t->acc);
        (void)ca_close(t->result);
        (void)ca_chan_free(t->result);
    }
    (void)ca_chan_free(t->from);
    GO_END(g);
}

int ca_transduce(ca_transduce_state *st, ca_sched *s, ca_xf *xf,
                 ca_reduce_fn f, void *ud, ca_chan *from, void *acc,
                 size_t acc_size, void *val, ca_chan *result)
{
    ca_chan *chs[2];
    ca_chan_info ri;
    size_t e, vsize;
    void *tail;
    int rc;

    chs[0] = from;
    chs[1] = result;
    if (xf == NULL || xf->step == NULL || xf->max_out == 0 || f == NULL ||
        (acc == NULL && acc_size != 0))
        return CA_EINVAL;
    if ((rc = ca__ops_elem(from, &e)) != CA_OK)
        return rc;
    if (e != xf->in_size)
        return CA_EINVAL;
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
        void *init = acc;

        val = tail;
        acc = (unsigned char *)tail + vsize;
        if (acc_size != 0) /* memcpy from NULL is undefined, even of 0 */
            memcpy(acc, init, acc_size);
    }
    st->from = from;
    st->result = result;
    st->xf = xf;
    st->f = f;
    st->ud = ud;
    st->acc = acc;
    st->acc_size = acc_size;
    st->val = val;
    st->status = st->stopped = CA_OK;
    st->ended = 0;
    return ca_go_start(s, &st->go, transduce_fn);
}
