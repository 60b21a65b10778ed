/*
** pipeline.c: core.async's pipeline, pipeline-blocking and pipeline-async
** (SPEC 3), written as go blocks in the public DSL. MIT licence, see
** COPYING.
**
** The shape is core.async's. An intake block takes a value from `from`
** into a free *slot*, hands the slot to the workers (`jobs`) and, in the
** same order, to the output block (`results`). A worker runs the value
** through the transform on the slot's own channel (put, then close: the
** completion runs per value, as core.async's fresh channel per job). The
** output block takes the slots in input order and forwards each one's
** values to `to`, then frees the slot. So the order is the input's
** whichever worker finishes first, and the slots bound what is in
** flight.
**
** Fixed on purpose (SPEC 3): the pipeline stops when `to` closes (the
** intake also waits on a `stop` channel, which the output block closes);
** pipeline-async keeps at most n operations in flight (it has n slots, and
** a slot is free only once its result channel closed and drained).
*/
#include <string.h>

#include "../internal.h"

#if CA_HAVE_MALLOC

#define MAX_WORKERS 1024u

typedef struct slot {
    ca_chan ch;           /* the value's outputs                          */
    unsigned char *in;    /* the value taken from `from`                  */
    unsigned char *st;    /* ch's storage                                 */
} slot;

typedef struct pl {
    ca_chan *to, *from, *done;
    ca_chan *jobs, *results, *free, *stop; /* slot numbers; stop: signal */
    ca_xf *xf;            /* NULL for pipeline-async                       */
    ca_xf_err_fn ex;
    void *ex_ud;
    ca_pipeline_af af;
    void *af_ud;
    int close, error;
    unsigned refs;        /* go blocks and threads not yet ended          */
    unsigned nslots;
    size_t in_size, out_size, st_size;
    slot *slots;
} pl;

/* Each block and thread lets go of the pipeline when it ends; the last
** one reports and frees it. */
static void release(pl *p)
{
    unsigned left;
    int err;

#if CA_HAVE_THREADS
    left = __atomic_sub_fetch(&p->refs, 1u, __ATOMIC_ACQ_REL);
#else
    left = --p->refs;
#endif
    if (left != 0)
        return;
    err = p->error;
    (void)ca_offer(p->done, &err);
    (void)ca_close(p->done);
    (void)ca_chan_free(p->done);
    (void)ca_chan_free(p->jobs);
    (void)ca_chan_free(p->results);
    (void)ca_chan_free(p->free);
    (void)ca_chan_free(p->stop);
    (void)ca_chan_free(p->to);
    (void)ca_chan_free(p->from);
    ca__free(p);
}

static void note_error(pl *p, int rc)
{
#if CA_HAVE_THREADS
    int none = CA_OK;
    (void)__atomic_compare_exchange_n(&p->error, &none, rc, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
#else
    if (p->error == CA_OK)
        p->error = rc;
#endif
}

/* ------------------------------------------------------------ the blocks */

typedef struct intake {
    ca_go go;
    pl *p;
    unsigned idx;
    ca_alt alt[2];
} intake;

/* Starts a slot's work: a fresh channel for the value's outputs, and the
** async operation itself for pipeline-async (which has no workers). */
static void open_slot(pl *p, slot *s)
{
    int rc;

    if (p->xf != NULL) {
        rc = ca_chan_init_xf(&s->ch, CA_FIXED, 1, s->st, p->st_size, p->xf,
                             p->ex, p->ex_ud);
    } else {
        rc = ca_chan_init(&s->ch, CA_FIXED, 1, p->out_size, s->st,
                          p->st_size);
    }
    CA_ASSERT(rc == CA_OK); /* checked when the pipeline was made */
    (void)rc;
    if (p->af != NULL)
        p->af(p->af_ud, s->in, &s->ch);
}

static int intake_fn(ca_go *g)
{
    intake *i = (intake *)g;
    pl *p = i->p;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, p->free, &i->idx);
        if (GO_CLOSED(g))
            break;
        /* The stop case first: once `to` closed, not one more value. */
        (void)ca_alt_take(&i->alt[0], p->stop, NULL);
        (void)ca_alt_take(&i->alt[1], p->from, p->slots[i->idx].in);
        ALTS(g, i->alt, 2, CA_ALTS_PRIORITY);
        if (GO_ALT(g) == 0 || !GO_OK(g))
            break;
        open_slot(p, &p->slots[i->idx]);
        if (p->af == NULL)
            PUT(g, p->jobs, &i->idx);
        PUT(g, p->results, &i->idx);
    }
    ca_close(p->jobs);
    ca_close(p->results);
    release(p);
    GO_END(g);
}

/* One value through the transform: the step runs in the put, the
** completion in the close. */
static void work(pl *p, unsigned idx)
{
    slot *s = &p->slots[idx];
    int rc = ca_offer(&s->ch, s->in);

    if (rc < 0)
        note_error(p, rc);
    ca_close(&s->ch);
}

typedef struct worker {
    ca_go go;
    pl *p;
    unsigned idx;
} worker;

static int worker_fn(ca_go *g)
{
    worker *w = (worker *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, w->p->jobs, &w->idx);
        if (GO_CLOSED(g))
            break;
        work(w->p, w->idx);
    }
    release(w->p);
    GO_END(g);
}

#if CA_HAVE_THREADS
static int thread_fn(void *arg, void *result)
{
    pl *p = (pl *)arg;
    unsigned idx;

    (void)result;
    while (ca_take_blocking(p->jobs, &idx) == CA_OK)
        work(p, idx);
    release(p);
    return CA_OK;
}
#endif

typedef struct output {
    ca_go go;
    pl *p;
    unsigned idx;
    int stopped;
    unsigned char val[1]; /* out_size bytes, allocated with the block */
} output;

static int output_fn(ca_go *g)
{
    output *o = (output *)g;
    pl *p = o->p;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, p->results, &o->idx);
        if (GO_CLOSED(g))
            break;
        for (;;) {
            TAKE_BYTES(g, &p->slots[o->idx].ch, o->val);
            if (GO_CLOSED(g))
                break;
            if (o->stopped)
                continue; /* `to` closed: drain, so the slot can end */
            PUT_BYTES(g, p->to, o->val);
            if (!GO_OK(g)) {
                o->stopped = 1;
                ca_close(p->stop);
            }
        }
        (void)ca_chan_destroy(&p->slots[o->idx].ch);
        /* Room for every slot, so it never waits: its parking branch is
        ** unreachable (GCOVR_EXCL_BR_LINE, on the next line). */
        PUT(g, p->free, &o->idx); /* GCOVR_EXCL_BR_LINE */
    }
    if (p->close)
        ca_close(p->to);
    release(p);
    GO_END(g);
}

/* ------------------------------------------------------------ making one */

/* The size a put on ch carries: a transformed channel takes its input. */
static size_t put_size(ca_chan *ch)
{
    size_t size;

    CA__LOCK(ch);
    size = (ch->flags & CA__CH_XF) ? CA__XF_HDR(ch)->xf->in_size
                                   : ch->elem_size;
    CA__UNLOCK(ch);
    return size;
}

/* Allocates the pipeline with its slots, and its channels. */
static int make(pl **out, unsigned nslots, ca_chan *to, ca_chan *from,
                size_t st_size)
{
    size_t in = from->elem_size, each = sizeof(slot) + in + st_size, bytes;
    unsigned char *mem;
    unsigned k;
    pl *p;
    int rc = CA_OK;

    bytes = sizeof(pl) + (size_t)nslots * each;
    if ((p = (pl *)ca__alloc(bytes)) == NULL)
        return CA_ENOMEM;
    memset(p, 0, bytes);
    p->slots = (slot *)(void *)(p + 1);
    mem = (unsigned char *)(p->slots + nslots);
    for (k = 0; k < nslots; k++, mem += in + st_size) {
        p->slots[k].in = mem;
        p->slots[k].st = mem + in;
    }
    p->nslots = nslots;
    p->in_size = in;
    p->out_size = to->elem_size;
    p->st_size = st_size;
    if ((rc = ca_chan_new(&p->jobs, CA_FIXED, nslots, sizeof k)) != CA_OK ||
        (rc = ca_chan_new(&p->results, CA_FIXED, nslots, sizeof k)) != CA_OK ||
        (rc = ca_chan_new(&p->free, CA_FIXED, nslots, sizeof k)) != CA_OK ||
        (rc = ca_chan_new(&p->stop, CA_UNBUFFERED, 0, 0)) != CA_OK ||
        (rc = ca_chan_new(&p->done, CA_FIXED, 1, sizeof(int))) != CA_OK) {
        (void)ca_chan_free(p->jobs);
        (void)ca_chan_free(p->results);
        (void)ca_chan_free(p->free);
        (void)ca_chan_free(p->stop);
        ca__free(p);
        return rc;
    }
    for (k = 0; k < nslots; k++)
        (void)ca_offer(p->free, &k);
    *out = p;
    return CA_OK;
}

/* Checks, makes and starts a pipeline: `threads` workers as threads, or
** `blocks` as go blocks (pipeline-async has none: its intake calls af). */
static int start(unsigned n, ca_chan *to, ca_xf *xf, ca_pipeline_af af,
                 void *ud, ca_chan *from, int close, ca_xf_err_fn ex,
                 ca_sched *sched, ca_chan **done, int threads)
{
    unsigned nslots, workers = 0, k;
    ca_chan_info ti, fi;
    size_t st_size;
    ca_go *g[2 + MAX_WORKERS];
    unsigned ng = 0;
    pl *p = NULL;
    int rc;

    if (done != NULL)
        *done = NULL;
    if (to == NULL || from == NULL || n == 0 || (xf == NULL && af == NULL))
        return CA_EINVAL;
    if (n > MAX_WORKERS)
        return CA_ERANGE;
    if ((rc = ca__sched_live(&sched)) != CA_OK)
        return rc;
    if ((rc = ca_chan_inspect(to, &ti)) != CA_OK ||
        (rc = ca_chan_inspect(from, &fi)) != CA_OK)
        return rc;
    if (xf != NULL) {
        if (xf->step == NULL || xf->max_out == 0 ||
            xf->in_size != fi.elem_size || xf->out_size != put_size(to))
            return CA_EINVAL;
        st_size = CA_XF_STORAGE(1, xf->max_out, xf->out_size);
        nslots = n + 1; /* n at work, one more being delivered */
        workers = n;
    } else {
        st_size = put_size(to);
        nslots = n; /* a slot per operation in flight: exactly n */
    }
    if ((rc = make(&p, nslots, to, from, st_size)) != CA_OK)
        return rc;
    p->out_size = put_size(to);
    p->to = to;
    p->from = from;
    p->xf = xf;
    p->ex = ex;
    p->ex_ud = ud;
    p->af = af;
    p->af_ud = ud;
    p->close = close;
    if ((rc = ca_chan_retain(to)) != CA_OK ||
        (rc = ca_chan_retain(from)) != CA_OK) {
        if (rc == CA_OK)
            (void)ca_chan_free(to);
        p->to = p->from = NULL;
        p->refs = 1;
        release(p);
        return rc;
    }
    /* Every block is allocated before any starts, and the threads come
    ** first: a failure leaves nothing half-connected. */
    rc = ca_go_new(&g[ng++], sizeof(intake));
    if (rc == CA_OK)
        rc = ca_go_new(&g[ng++], sizeof(output) + p->out_size);
    for (k = 0; rc == CA_OK && !threads && k < workers; k++)
        rc = ca_go_new(&g[ng++], sizeof(worker));
    if (rc != CA_OK)
        ng--; /* the one that failed is NULL */
    p->refs = 1 + ng; /* ours, until every worker is started */
#if CA_HAVE_THREADS
    for (k = 0; rc == CA_OK && threads && k < workers; k++) {
        ca_chan *r;
        __atomic_add_fetch(&p->refs, 1u, __ATOMIC_ACQ_REL);
        if ((rc = ca_thread(thread_fn, p, 0, &r)) != CA_OK)
            __atomic_sub_fetch(&p->refs, 1u, __ATOMIC_ACQ_REL);
        else
            (void)ca_chan_free(r);
    }
#endif
    if (rc != CA_OK) {
        /* Blocks made by ca_go_new are freed by running: run them empty.
        ** Threads already started end with `jobs` closed. */
        for (k = 0; k < ng; k++) {
            ((worker *)(void *)g[k])->p = p;
            (void)ca_go_start(sched, g[k], worker_fn);
        }
        ca_close(p->jobs);
        release(p);
        return rc;
    }
    if (done != NULL) {
        (void)ca_chan_retain(p->done); /* the first of 65535: cannot fail */
        *done = p->done;
    }
    ((intake *)(void *)g[0])->p = p;
    ((output *)(void *)g[1])->p = p;
    for (k = 2; k < ng; k++)
        ((worker *)(void *)g[k])->p = p;
    (void)ca_go_start(sched, g[0], intake_fn);
    (void)ca_go_start(sched, g[1], output_fn);
    for (k = 2; k < ng; k++)
        (void)ca_go_start(sched, g[k], worker_fn);
    release(p);
    return CA_OK;
}

int ca_pipeline(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from, int close,
                ca_xf_err_fn ex, void *ex_ud, ca_sched *sched, ca_chan **done)
{
    if (xf == NULL)
        return CA_EINVAL;
    return start(n, to, xf, NULL, ex_ud, from, close, ex, sched, done, 0);
}

int ca_pipeline_blocking(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from,
                         int close, ca_xf_err_fn ex, void *ex_ud,
                         ca_sched *sched, ca_chan **done)
{
#if CA_HAVE_THREADS
    if (xf == NULL)
        return CA_EINVAL;
    return start(n, to, xf, NULL, ex_ud, from, close, ex, sched, done, 1);
#else
    (void)n, (void)to, (void)xf, (void)from, (void)close, (void)ex;
    (void)ex_ud, (void)sched;
    if (done != NULL)
        *done = NULL;
    return CA_ENOTSUP;
#endif
}

int ca_pipeline_async(unsigned n, ca_chan *to, ca_pipeline_af af, void *ud,
                      ca_chan *from, int close, ca_sched *sched,
                      ca_chan **done)
{
    if (af == NULL)
        return CA_EINVAL;
    return start(n, to, NULL, af, ud, from, close, NULL, sched, done, 0);
}

#else
/* A build without malloc has no pipelines (ISO C wants a declaration). */
typedef int ca__no_pipelines;
#endif /* CA_HAVE_MALLOC */
