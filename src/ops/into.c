/*
** ops/into.c: core.async's `into`, a ca_reduce whose step appends to a
** vector: an array of the caller's, or one grown with the allocator. MIT
** licence, see COPYING.
*/
#include <string.h>

#include "ops.h"

#if CA_HAVE_MALLOC
/* Room for one more element of a grown vector (16, then twice as many). */
static int grow(ca_vec *v)
{
    size_t cap = v->cap != 0 ? 2 * v->cap : 16;
    void *data;

    if (cap > ((size_t)-1 >> 16) || /* elements are < 2^16 bytes */
        (data = ca__alloc(cap * v->elem_size + 1)) == NULL)
        return CA_ENOMEM;
    if (v->data != NULL) {
        memcpy(data, v->data, v->len * v->elem_size);
        ca__free(v->data);
    }
    v->data = data;
    v->cap = cap;
    return CA_OK;
}
#endif

/* Has `from` (ud) closed with nothing left to take, ever? */
static int drained(void *from)
{
    ca_chan_info i;

    return ca_chan_inspect((ca_chan *)from, &i) == CA_OK && i.closed &&
           i.count == 0 && i.pending_puts == 0;
}

/* Appends one element, then makes room for the next before it is taken:
** a value taken with nowhere to go would be lost. So a full array of the
** caller's ends the reduction at once (unless `from`, ud, has nothing
** more to give: then the take that follows ends it as a close), and so
** does a growth that fails. */
static int append(void *acc, const void *val, void *ud)
{
    ca_vec *v = (ca_vec *)acc;

    CA_ASSERT(v->len < v->cap);
    memcpy((unsigned char *)v->data + v->len * v->elem_size, val,
           v->elem_size);
    if (++v->len < v->cap)
        return 0;
#if CA_HAVE_MALLOC
    if (v->grows)
        return grow(v);
#endif
    return drained(ud) ? 0 : CA_ERANGE;
}

int ca_into(ca_reduce_state *st, ca_sched *s, ca_chan *from, ca_vec *v,
            void *val, ca_chan *result)
{
    /* Without st, ca_reduce folds into a copy of *v in its own storage,
    ** and *v stays as it was: what is allocated here is the copy's. A
    ** vector grown before would have one buffer with two owners then. */
    ca_vec copy, *acc;
    size_t e;
    int rc, fresh = v != NULL && v->data == NULL;

    if (v == NULL || v->len > v->cap || (v->data == NULL) != (v->cap == 0) ||
        (st == NULL && v->grows && !fresh))
        return CA_EINVAL;
    if ((rc = ca__ops_elem(from, &e)) != CA_OK)
        return rc;
    if (e != v->elem_size)
        return CA_EINVAL;
    copy = *v;
    acc = st != NULL ? v : &copy;
    if (acc->len == acc->cap) { /* room for the first value, or the next */
#if CA_HAVE_MALLOC
        if (fresh)
            acc->grows = 1;
        if (!acc->grows)
            return CA_ERANGE;
        if ((rc = grow(acc)) != CA_OK) {
            if (fresh)
                acc->grows = 0; /* refused: as it was */
            return rc;
        }
#else
        return fresh ? CA_ENOTSUP : CA_ERANGE;
#endif
    }
    rc = ca_reduce(st, s, append, from, from, acc, sizeof *acc, val, result);
#if CA_HAVE_MALLOC
    if (rc != CA_OK && fresh)
        (void)ca_vec_free(acc); /* nothing allocated when it fails */
#endif
    return rc;
}

#if CA_HAVE_MALLOC
int ca_vec_free(ca_vec *v)
{
    if (v == NULL)
        return CA_EINVAL;
    if (v->grows && v->data != NULL)
        ca__free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
    v->grows = 0;
    return CA_OK;
}
#endif
