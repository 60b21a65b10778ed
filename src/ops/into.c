/*
** ops/into.c: core.async's `into`, a ca_reduce whose step appends to a
** vector: an array of the caller's, or one grown with the allocator. MIT
** licence, see COPYING.
*/
#include <string.h>

#include "ops.h"

/* Appends one element; a full array of the caller's ends the reduction,
** and so does a growth that fails. */
static int append(void *acc, const void *val, void *ud)
{
    ca_vec *v = (ca_vec *)acc;

    (void)ud;
    if (v->len == v->cap) {
#if CA_HAVE_MALLOC
        size_t cap = v->cap != 0 ? 2 * v->cap : 16;
        void *data;

        if (!v->grows)
            return CA_ERANGE;
        if (cap > ((size_t)-1 >> 16) || /* elements are < 2^16 bytes */
            (data = ca__alloc(cap * v->elem_size + 1)) == NULL)
            return CA_ENOMEM;
        if (v->data != NULL) {
            memcpy(data, v->data, v->len * v->elem_size);
            ca__free(v->data);
        }
        v->data = data;
        v->cap = cap;
#else
        return CA_ERANGE;
#endif
    }
    memcpy((unsigned char *)v->data + v->len * v->elem_size, val,
           v->elem_size);
    v->len++;
    return 0;
}

int ca_into(ca_reduce_state *st, ca_sched *s, ca_chan *from, ca_vec *v,
            void *val, ca_chan *result)
{
    size_t e;
    int rc;

    if (v == NULL || v->len > v->cap || (v->data == NULL) != (v->cap == 0))
        return CA_EINVAL;
    if ((rc = ca__ops_elem(from, &e)) != CA_OK)
        return rc;
    if (e != v->elem_size)
        return CA_EINVAL;
    if (v->data == NULL) {
#if CA_HAVE_MALLOC
        v->grows = 1;
#else
        return CA_ENOTSUP;
#endif
    }
    return ca_reduce(st, s, append, NULL, from, v, sizeof *v, val, result);
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
