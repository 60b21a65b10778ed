/*
** ops/common.c: argument checks, references and storage that every
** connector needs alike. MIT licence, see COPYING.
*/
#include "ops.h"

int ca__ops_check(ca_sched *s, ca_go *st)
{
    if (!(CA__SCHED(s)->flags & CA__S_LIVE))
        return CA_EINVAL;
    if (st != NULL && ca_go_sched(st) != NULL)
        return CA_EBUSY;
    return CA_OK;
}

int ca__ops_elem(ca_chan *ch, size_t *elem)
{
    ca_chan_info i;
    int rc = ca_chan_inspect(ch, &i);

    if (rc == CA_OK && elem != NULL)
        *elem = i.elem_size;
    return rc;
}

int ca__ops_put_elem(ca_chan *ch, size_t *elem)
{
    int rc = ca__ops_elem(ch, elem);

    if (rc == CA_OK) {
        CA__LOCK(ch); /* the flags byte also holds CLOSED, set by others */
        if (ch->flags & CA__CH_XF)
            *elem = CA__XF_HDR(ch)->xf->in_size;
        CA__UNLOCK(ch);
    }
    return rc;
}

int ca__ops_retain(ca_chan *const *chs, size_t n)
{
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        if (chs[i] == NULL)
            continue;
        if ((rc = ca_chan_retain(chs[i])) != CA_OK) {
            ca__ops_release(chs, i);
            return rc;
        }
    }
    return CA_OK;
}

void ca__ops_release(ca_chan *const *chs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (chs[i] != NULL)
            (void)ca_chan_free(chs[i]);
}

size_t ca__ops_align(size_t size)
{
    union max_align { void *p; long long l; double d; long double ld; };
    size_t a = sizeof(union max_align);

    /* a power of two (the sizes of scalars are): no division, which
    ** ARMv6-M lacks */
    return (size + a - 1) & ~(a - 1);
}

int ca__ops_state(void **st, size_t st_size, size_t extra, void **tail)
{
    *tail = NULL;
    if (*st != NULL)
        return CA_OK;
#if CA_HAVE_MALLOC
    {
        ca_go *g;
        size_t head = ca__ops_align(st_size);
        int rc;

        if (extra > (size_t)-1 - head)
            return CA_ERANGE;
        if ((rc = ca_go_new(&g, head + extra)) != CA_OK)
            return rc;
        *st = g;
        if (extra != 0)
            *tail = (unsigned char *)g + head;
        return CA_OK;
    }
#else
    (void)st_size;
    (void)extra;
    return CA_ENOTSUP;
#endif
}

int ca__ops_begin(ca_sched *s, void **st, size_t st_size, size_t extra,
                  void **tail, ca_chan *const *chs, size_t n)
{
    int rc;

    if ((rc = ca__ops_check(s, (ca_go *)*st)) != CA_OK ||
        (rc = ca__ops_retain(chs, n)) != CA_OK)
        return rc;
    if ((rc = ca__ops_state(st, st_size, extra, tail)) != CA_OK)
        ca__ops_release(chs, n);
    return rc;
}
