/*
** ops/onto_chan.c: core.async's `onto-chan!` and `to-chan!`, one go block
** that puts the elements of a C array into a channel. MIT licence, see
** COPYING.
*/
#include <string.h>

#include "ops.h"

static int onto_fn(ca_go *g)
{
    ca_onto_state *o = (ca_onto_state *)g;

    GO_BEGIN(g);
    for (; o->i < o->n; o->i++) {
        PUT_BYTES(g, o->ch,
                  o->elem != 0 ? o->values + o->i * o->elem : NULL);
        if (GO_CLOSED(g))
            break;              /* the first refused put ends it */
    }
    o->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
    if (o->close)
        (void)ca_close(o->ch);
    if (o->done != NULL) {
        (void)ca_offer(o->done, &o->i);
        (void)ca_close(o->done);
        (void)ca_chan_free(o->done);
    }
    (void)ca_chan_free(o->ch);
    GO_END(g);
}

/* What onto_chan and to_chan share: checks done and starts the block,
** with `copy` bytes of values copied into allocated state. */
static int onto(ca_onto_state *st, ca_sched *s, ca_chan *ch,
                const void *values, size_t n, int close, ca_chan *done,
                size_t copy)
{
    ca_chan *chs[2];
    ca_chan_info di;
    size_t e;
    void *tail;
    int rc;

    chs[0] = ch;
    chs[1] = done;
    if ((rc = ca__ops_put_elem(ch, &e)) != CA_OK)
        return rc;
    if (values == NULL && n != 0 && e != 0)
        return CA_EINVAL;
    if (done != NULL) {
        if ((rc = ca_chan_inspect(done, &di)) != CA_OK ||
            (rc = ca__ops_put_elem(done, &di.elem_size)) != CA_OK)
            return rc;
        if (di.elem_size != sizeof(size_t) || di.capacity == 0 || done == ch)
            return CA_EINVAL;
    }
    if ((rc = ca__ops_begin(s, (void **)&st, sizeof *st, copy, &tail, chs,
                            2)) != CA_OK)
        return rc;
    st->ch = ch;
    st->done = done;
    st->values = tail != NULL ? memcpy(tail, values, copy) : values;
    st->elem = e;
    st->n = n;
    st->i = 0;
    st->close = close;
    st->status = CA_OK;
    return ca_go_start(s, &st->go, onto_fn);
}

int ca_onto_chan(ca_onto_state *st, ca_sched *s, ca_chan *ch,
                 const void *values, size_t n, int close, ca_chan *done)
{
    return onto(st, s, ch, values, n, close, done, 0);
}

int ca_onto_chan_blocking(ca_chan *ch, const void *values, size_t n,
                          int close, size_t *put)
{
    const unsigned char *v = (const unsigned char *)values;
    size_t e, i;
    int rc;

    if (put != NULL)
        *put = 0;
    if ((rc = ca__ops_put_elem(ch, &e)) != CA_OK)
        return rc;
    if (values == NULL && n != 0 && e != 0)
        return CA_EINVAL;
    for (i = 0; i < n; i++) {
        rc = ca_put_blocking(ch, e != 0 ? v + i * e : NULL);
        if (rc != CA_OK)
            break;
    }
    if (put != NULL)
        *put = i;
    if (rc < 0)
        return rc;              /* an error: ch is left as it is */
    if (close)
        (void)ca_close(ch);
    return CA_OK;
}

#if CA_HAVE_MALLOC
int ca_to_chan(ca_chan **out, ca_sched *s, const void *values, size_t n,
               size_t elem_size)
{
    ca_onto_state *st = NULL;
    ca_chan *ch;
    int rc;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    if (values == NULL && n != 0 && elem_size != 0)
        return CA_EINVAL;
    if (n != 0 && elem_size > ((size_t)-1 >> 1) / n)
        return CA_ERANGE;
    if ((rc = ca__ops_check(s, NULL)) != CA_OK)
        return rc;
    if (n == 0) {
        if ((rc = ca_chan_new(&ch, CA_UNBUFFERED, 0, elem_size)) != CA_OK)
            return rc;
        (void)ca_close(ch);
        *out = ch;
        return CA_OK;
    }
    if ((rc = ca_chan_new(&ch, CA_FIXED, n < 100 ? n : 100, elem_size))
        != CA_OK)
        return rc;
    if ((rc = onto(st, s, ch, values, n, 1, NULL, n * elem_size)) != CA_OK) {
        (void)ca_chan_free(ch);
        return rc;
    }
    *out = ch;
    return CA_OK;
}
#endif
