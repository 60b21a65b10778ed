/*
** xforms.c: the standard transforms (core.async's map, filter, remove,
** keep, take, drop, take-while, partition-all, partition-by, dedupe,
** mapcat), each a step over a struct of the caller's, and their
** composition (comp). They know nothing of channels: they call
** ca_xf_emit and pass its answer on. MIT licence, see COPYING.
*/
#include <limits.h>
#include <string.h>

#include "ops.h"

static int sizes_ok(size_t in, size_t out)
{
    return in <= CA_MAX_ELEM_SIZE && out <= CA_MAX_ELEM_SIZE;
}

static void set(ca_xf *xf, int (*step)(ca_xf *, const void *, ca_xf_out *),
                int (*complete)(ca_xf *, ca_xf_out *), size_t in, size_t out,
                unsigned max_out)
{
    xf->step = step;
    xf->complete = complete;
    xf->in_size = in;
    xf->out_size = out;
    xf->max_out = max_out;
    xf->next = NULL;
}

/* ------------------------------------------------------------ map */

/* The output is built on the stack, then emitted (or straight in a
** channel's ring, out->slot, whose slots are as aligned: CA__XF_HDR_SIZE):
** up to CA_MAX_ELEM_SIZE would be too much for a small stack, so map and
** keep stop at SMALL bytes, and a larger output is emitted by a mapcat
** from storage of the caller's. */
#define SMALL 256
typedef union small {
    unsigned char b[SMALL];
    long double ld; /* aligned for any type the function writes */
    void *p;
    uint64_t u;
} small;

static int map_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_map_t *m = (ca_xf_map_t *)xf;
    small v;
    void *to = out->slot != NULL ? out->slot : v.b;
    int rc = m->fn(m->ud, in, to);

    return rc != CA_OK ? rc : ca_xf_emit(out, to);
}

int ca_xf_map(ca_xf_map_t *m, ca_xf_map_fn fn, void *ud, size_t in_size,
              size_t out_size)
{
    if (m == NULL || fn == NULL)
        return CA_EINVAL;
    if (!sizes_ok(in_size, out_size) || out_size > SMALL)
        return CA_ERANGE;
    set(&m->xf, map_step, NULL, in_size, out_size, 1);
    m->fn = fn;
    m->ud = ud;
    return CA_OK;
}

static int keep_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_keep_t *k = (ca_xf_keep_t *)xf;
    small v;
    void *to = out->slot != NULL ? out->slot : v.b;
    int rc = k->fn(k->ud, in, to);

    if (rc == 1)
        return ca_xf_emit(out, to);
    return rc; /* 0: nothing, CA_OK; or an error */
}

int ca_xf_keep(ca_xf_keep_t *k, ca_xf_keep_fn fn, void *ud, size_t in_size,
               size_t out_size)
{
    if (k == NULL || fn == NULL)
        return CA_EINVAL;
    if (!sizes_ok(in_size, out_size) || out_size > SMALL)
        return CA_ERANGE;
    set(&k->xf, keep_step, NULL, in_size, out_size, 1);
    k->fn = fn;
    k->ud = ud;
    return CA_OK;
}

/* ------------------------------------------------ filter, remove, take-while */

static int filter_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_filter_t *f = (ca_xf_filter_t *)xf;

    if ((f->pred(f->ud, in) != 0) == f->keep)
        return ca_xf_emit(out, in);
    return CA_OK;
}

static int take_while_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_filter_t *f = (ca_xf_filter_t *)xf;

    if (f->pred(f->ud, in) == 0)
        return CA_XF_STOP;
    return ca_xf_emit(out, in);
}

static int pred_init(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud,
                     size_t size, int keep,
                     int (*step)(ca_xf *, const void *, ca_xf_out *))
{
    if (f == NULL || pred == NULL)
        return CA_EINVAL;
    if (!sizes_ok(size, size))
        return CA_ERANGE;
    set(&f->xf, step, NULL, size, size, 1);
    f->pred = pred;
    f->ud = ud;
    f->keep = keep;
    return CA_OK;
}

int ca_xf_filter(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud, size_t size)
{
    return pred_init(f, pred, ud, size, 1, filter_step);
}

int ca_xf_remove(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud, size_t size)
{
    return pred_init(f, pred, ud, size, 0, filter_step);
}

int ca_xf_take_while(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud,
                     size_t size)
{
    return pred_init(f, pred, ud, size, 1, take_while_step);
}

/* ------------------------------------------------------------ take, drop */

/* Once it has passed n values it stops at once, without emitting: a
** completion upstream may still push values into a stopped take. */
static int take_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_take_t *t = (ca_xf_take_t *)xf;
    int rc;

    if (t->seen >= t->n)
        return CA_XF_STOP;
    t->seen++;
    rc = ca_xf_emit(out, in);
    return rc == CA_OK && t->seen == t->n ? CA_XF_STOP : rc;
}

static int drop_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_drop_t *d = (ca_xf_drop_t *)xf;

    if (d->seen < d->n) {
        d->seen++;
        return CA_OK;
    }
    return ca_xf_emit(out, in);
}

static int count_init(ca_xf_take_t *t, uint64_t n, size_t size,
                      int (*step)(ca_xf *, const void *, ca_xf_out *))
{
    if (t == NULL)
        return CA_EINVAL;
    if (!sizes_ok(size, size))
        return CA_ERANGE;
    set(&t->xf, step, NULL, size, size, 1);
    t->n = n;
    t->seen = 0;
    return CA_OK;
}

int ca_xf_take(ca_xf_take_t *t, uint64_t n, size_t size)
{
    return count_init(t, n, size, take_step);
}

int ca_xf_drop(ca_xf_drop_t *d, uint64_t n, size_t size)
{
    return count_init(d, n, size, drop_step);
}

/* ------------------------------------------------------------ partitions */

/* The group under construction is the output itself: a uint32_t count,
** then n slots. */
static unsigned char *group_slot(ca_xf_partition_t *p, uint32_t i)
{
    return p->buf + sizeof(uint32_t) + (size_t)i * p->size;
}

static int flush(ca_xf_partition_t *p, ca_xf_out *out)
{
    uint32_t count = p->count;

    if (count == 0)
        return CA_OK;
    p->count = 0; /* before the emit: a completion that failed is not redone */
    memcpy(p->buf, &count, sizeof count);
    /* Slots past count hold an older group's values: zero them, so that an
    ** output never carries stale bytes. */
    memset(group_slot(p, count), 0, (size_t)(p->n - count) * p->size);
    return ca_xf_emit(out, p->buf);
}

static int partition_add(ca_xf_partition_t *p, const void *in, ca_xf_out *out)
{
    int rc = CA_OK;

    if (p->count == p->n)
        rc = flush(p, out);
    if (rc != CA_OK)
        return rc;
    memcpy(group_slot(p, p->count++), in, p->size);
    if (p->count == p->n && p->key == NULL)
        return flush(p, out);
    return CA_OK;
}

static int partition_all_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    return partition_add((ca_xf_partition_t *)xf, in, out);
}

static int partition_by_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_partition_t *p = (ca_xf_partition_t *)xf;
    unsigned char *now = p->keys + p->key_size;
    int rc = p->key(p->ud, in, now);

    if (rc != CA_OK)
        return rc;
    if (p->count != 0 && memcmp(p->keys, now, p->key_size) != 0 &&
        (rc = flush(p, out)) != CA_OK)
        return rc;
    memcpy(p->keys, now, p->key_size);
    return partition_add(p, in, out);
}

static int partition_complete(ca_xf *xf, ca_xf_out *out)
{
    return flush((ca_xf_partition_t *)xf, out);
}

static int partition_init(ca_xf_partition_t *p, uint32_t n, size_t size,
                          size_t extra, void *buf, size_t buf_size)
{
    size_t out_size;

    if (p == NULL || buf == NULL || n == 0)
        return CA_EINVAL;
    /* Both below 2^16 here, so their product fits in 32 bits: no division
    ** (a Cortex-M0 would call a helper for it). */
    if (size > CA_MAX_ELEM_SIZE || n > CA_MAX_ELEM_SIZE ||
        (uint32_t)n * (uint32_t)size > CA_MAX_ELEM_SIZE - sizeof(uint32_t))
        return CA_ERANGE;
    out_size = sizeof(uint32_t) + (size_t)n * size;
    if (buf_size < out_size + extra)
        return CA_ERANGE;
    memset(p, 0, sizeof *p);
    /* A step adds one value and may flush the group before it: one
    ** output; the completion flushes one. */
    set(&p->xf, partition_all_step, partition_complete, size, out_size, 1);
    p->buf = (unsigned char *)buf;
    p->n = n;
    p->size = size;
    return CA_OK;
}

int ca_xf_partition_all(ca_xf_partition_t *p, uint32_t n, size_t size,
                        void *buf, size_t buf_size)
{
    return partition_init(p, n, size, 0, buf, buf_size);
}

int ca_xf_partition_by(ca_xf_partition_t *p, ca_xf_map_fn key, void *ud,
                       size_t key_size, uint32_t n, size_t size, void *buf,
                       size_t buf_size)
{
    size_t out_size = sizeof(uint32_t) + (size_t)n * size;
    int rc;

    if (key == NULL)
        return CA_EINVAL;
    if (key_size > CA_MAX_ELEM_SIZE)
        return CA_ERANGE;
    if ((rc = partition_init(p, n, size, 2 * key_size, buf, buf_size)) !=
        CA_OK)
        return rc;
    /* A step may flush on a new key and again when the group fills. */
    p->xf.step = partition_by_step;
    p->xf.max_out = 2;
    p->key = key;
    p->ud = ud;
    p->key_size = key_size;
    p->keys = p->buf + out_size;
    return CA_OK;
}

/* ------------------------------------------------------------ dedupe */

static int dedupe_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_dedupe_t *d = (ca_xf_dedupe_t *)xf;

    if (d->have && memcmp(d->last, in, xf->in_size) == 0)
        return CA_OK;
    memcpy(d->last, in, xf->in_size);
    d->have = 1;
    return ca_xf_emit(out, in);
}

int ca_xf_dedupe(ca_xf_dedupe_t *d, size_t size, void *last)
{
    if (d == NULL || (last == NULL && size != 0))
        return CA_EINVAL;
    if (!sizes_ok(size, size))
        return CA_ERANGE;
    set(&d->xf, dedupe_step, NULL, size, size, 1);
    d->last = (unsigned char *)last;
    d->have = 0;
    return CA_OK;
}

/* ------------------------------------------------------------ mapcat */

static int mapcat_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_mapcat_t *m = (ca_xf_mapcat_t *)xf;

    return m->fn(m->ud, in, out);
}

int ca_xf_mapcat(ca_xf_mapcat_t *m, ca_xf_mapcat_fn fn, void *ud,
                 size_t in_size, size_t out_size, unsigned max_out)
{
    if (m == NULL || fn == NULL || max_out == 0)
        return CA_EINVAL;
    if (!sizes_ok(in_size, out_size))
        return CA_ERANGE;
    set(&m->xf, mapcat_step, NULL, in_size, out_size, max_out);
    m->fn = fn;
    m->ud = ud;
    return CA_OK;
}

/* ------------------------------------------------------------ comp */

/* Where stage i's outputs go: stage i+1's step, or after the last stage
** the composed transform's own output. Built on the stack per call, so
** the composed transform keeps no pointer to a caller's output (one comp
** may serve several channels). */
typedef struct stage_out {
    ca_xf_out base;
    ca_xf *next;          /* NULL after the last stage                    */
    ca_xf_out *final;
} stage_out;

static int stage_emit(ca_xf_out *self, const void *val)
{
    stage_out *o = (stage_out *)self, down;

    if (o->next == NULL)
        return ca_xf_emit(o->final, val);
    down.base.fn = stage_emit;
    down.base.slot = NULL;
    down.next = o->next->next;
    down.final = o->final;
    return o->next->step(o->next, val, &down.base);
}

/* Map, filter, remove and keep emit at most one output, at once, keep no
** state and have no completion: a run of them is a loop over the value,
** each stage a call of the user's function, without an emit, a frame of
** its own or an output object per stage. */
static int fusable(const ca_xf *s)
{
    return s->step == map_step || s->step == filter_step ||
           s->step == keep_step;
}

static int comp_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    ca_xf_comp_t *c = (ca_xf_comp_t *)xf;
    small v[2]; /* a map's input and output may not overlap: alternate */
    const void *cur = in;
    unsigned char *to;
    size_t i;
    stage_out o;
    int rc;

    for (i = 0; i < c->fused; i++) {
        ca_xf *s = c->stages[i];

        to = cur == v[0].b ? v[1].b : v[0].b;
        if (i + 1 == c->n && out->slot != NULL)
            to = (unsigned char *)out->slot; /* the ring: no copy to it */
        if (s->step == filter_step) {
            ca_xf_filter_t *f = (ca_xf_filter_t *)s;

            if ((f->pred(f->ud, cur) != 0) != f->keep)
                return CA_OK;
            continue;
        }
        if (s->step == map_step) {
            ca_xf_map_t *m = (ca_xf_map_t *)s;

            if ((rc = m->fn(m->ud, cur, to)) != CA_OK)
                return rc;
        } else {
            ca_xf_keep_t *k = (ca_xf_keep_t *)s;

            if ((rc = k->fn(k->ud, cur, to)) != 1)
                return rc; /* 0: nothing, CA_OK; or an error */
        }
        cur = to;
    }
    if (i == c->n)
        return ca_xf_emit(out, cur);
    o.base.fn = stage_emit;
    o.base.slot = NULL;
    o.next = c->stages[i]->next;
    o.final = out;
    return c->stages[i]->step(c->stages[i], cur, &o.base);
}

/* Each stage's completion in flow order, its outputs through the stages
** after it, which complete after it: transducer order. A stage that
** stopped does not stop the completions after it (they flush). */
static int comp_complete(ca_xf *xf, ca_xf_out *out)
{
    ca_xf_comp_t *c = (ca_xf_comp_t *)xf;
    size_t i;
    int rc, first = CA_OK;

    for (i = 0; i < c->n; i++) {
        stage_out o;
        ca_xf *s = c->stages[i];

        if (s->complete == NULL)
            continue;
        o.base.fn = stage_emit;
        o.base.slot = NULL;
        o.next = s->next;
        o.final = out;
        rc = s->complete(s, &o.base);
        if (rc < 0 && first == CA_OK)
            first = rc;
    }
    return first;
}

static int mul_ok(unsigned *acc, unsigned m)
{
    if (ca__mul_overflows(*acc, m, UINT_MAX))
        return 0;
    *acc *= m;
    return 1;
}

int ca_xf_comp(ca_xf **xfs, size_t n, ca_xf_comp_t *c)
{
    unsigned prod = 1, fin = 0; /* after stage i: one step's, completion's */
    size_t i;
    int rc;

    if (xfs == NULL || n == 0 || c == NULL)
        return CA_EINVAL;
    for (i = 0; i < n; i++) {
        if ((rc = ca__xf_check(xfs[i])) != CA_OK)
            return rc;
        if (i > 0 && xfs[i - 1]->out_size != xfs[i]->in_size)
            return CA_EINVAL;
    }
    /* From the last stage back: a step of stage i yields max_out_i inputs
    ** to what follows; the completion of i, max_out_i more, then the
    ** completions after it. */
    for (i = n; i-- > 0;) {
        unsigned m = xfs[i]->max_out, f = 0;

        if (xfs[i]->complete != NULL && (f = m, !mul_ok(&f, prod)))
            return CA_ERANGE;
        if (f > UINT_MAX - fin || !mul_ok(&prod, m))
            return CA_ERANGE;
        fin += f;
    }
    memset(c, 0, sizeof *c);
    for (i = 0; i < n; i++)
        xfs[i]->next = i + 1 < n ? xfs[i + 1] : NULL;
    while (c->fused < n && fusable(xfs[c->fused]))
        c->fused++;
    c->xf.step = comp_step;
    c->xf.complete = comp_complete;
    c->xf.in_size = xfs[0]->in_size;
    c->xf.out_size = xfs[n - 1]->out_size;
    c->xf.max_out = prod > fin ? prod : fin;
    c->stages = xfs;
    c->n = n;
    return CA_OK;
}
