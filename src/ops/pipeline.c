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
**
** Everything lives in one ca_pipeline_state and one storage area: the
** caller's (ca_pipeline_init and friends, no malloc), or one allocation
** whose head is the output block, made by ca_go_new, so that the
** scheduler frees it when that block finishes. The output block ends
** last, once every other block and thread has finished: the storage is
** then untouched, and `done` (its result channel) says so. A block that
** signals its end itself still runs code on its struct afterwards, so a
** block's end is seen through the one thing that comes after all of it,
** its result channel. The blocks end one at a time (`token`) with `link`
** as their result channel, which keeps to one result channel in use, the
** budget of a firmware build (CA_CONFIG_MAX_RESULTS), and lets a build
** with malloc reserve that one entry of its result table when the
** pipeline starts (CA_ENOMEM then, with nothing started), so that no
** block's end can run out of memory (end_in_turn).
*/
#include <string.h>

#include "ops.h"

#define MAX_WORKERS 1024u

typedef ca_pipeline_state pl;
typedef ca__pl_slot slot;

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

/* The last thing an intake or worker block does: waits its turn, then
** ends with `link` as its result channel, which the output block waits
** on; the scheduler closes it once the block is done with its struct.
** Closing it here instead would let the output block, on another worker,
** end the pipeline and free the storage under this block. So this cannot
** fail: with malloc the pipeline holds room in the table of result
** channels from its start to its end (launch, output_fn), one entry,
** since one block at a time holds the token. A tiny build has a fixed
** table and may have no result channel left (CA_EFULL): it has one
** thread, so the close here comes after nothing else. */
static void end_in_turn(ca_go *g, pl *p)
{
    int rc = ca__result_set_reserved(g, &p->link);

#if CA_CONFIG_TINY_GO
    if (rc != CA_OK)
        (void)ca_close(&p->link);
#else
    CA_ASSERT(rc == CA_OK);
    (void)rc;
#endif
}

#define END_IN_TURN(g, p)                                                    \
    do {                                                                     \
        TAKE_SIGNAL(g, &(p)->token);                                         \
        end_in_turn(g, p);                                                   \
    } while (0)

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
    ca__pl_intake *i = (ca__pl_intake *)g;
    pl *p = i->p;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &p->free, &i->idx);
        if (GO_CLOSED(g))
            break;
        /* The stop case first: once `to` closed, not one more value. */
        (void)ca_alt_take(&i->alt[0], &p->stop, NULL);
        (void)ca_alt_take(&i->alt[1], p->from, p->slots[i->idx].in);
        ALTS(g, i->alt, 2, CA_ALTS_PRIORITY);
        if (GO_ALT(g) == 0 || !GO_OK(g))
            break;
        open_slot(p, &p->slots[i->idx]);
        if (p->af == NULL)
            PUT(g, &p->jobs, &i->idx);
        PUT(g, &p->results, &i->idx);
    }
    ca_close(&p->jobs);
    ca_close(&p->results);
    END_IN_TURN(g, p);
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

static int worker_fn(ca_go *g)
{
    ca__pl_worker *w = (ca__pl_worker *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &w->p->jobs, &w->idx);
        if (GO_CLOSED(g))
            break;
        work(w->p, w->idx);
    }
    END_IN_TURN(g, w->p);
    GO_END(g);
}

#if CA_HAVE_THREADS && CA_HAVE_MALLOC
static int thread_fn(void *arg, void *result)
{
    pl *p = (pl *)arg;
    unsigned idx;

    (void)result;
    while (ca_take_blocking(&p->jobs, &idx) == CA_OK)
        work(p, idx);
    return CA_OK; /* its channel closes after: p is not touched again */
}
#endif

static int output_fn(ca_go *g)
{
    pl *p = (pl *)g;
    int rc; /* never across a park */

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &p->results, &p->idx);
        if (GO_CLOSED(g))
            break;
        for (;;) {
            TAKE_BYTES(g, &p->slots[p->idx].ch, p->val);
            if (GO_CLOSED(g))
                break;
            if (p->stopped)
                continue; /* `to` closed: drain, so the slot can end */
            PUT_BYTES(g, p->to, p->val);
            if (!GO_OK(g)) {
                p->stopped = 1;
                ca_close(&p->stop);
            }
        }
        (void)ca_chan_destroy(&p->slots[p->idx].ch);
        /* Room for every slot, so it never waits: its parking branch is
        ** unreachable (GCOVR_EXCL_BR_LINE, on the next line). */
        PUT(g, &p->free, &p->idx); /* GCOVR_EXCL_BR_LINE */
    }
    if (p->close && !p->aborted)
        ca_close(p->to);
    /* The others end in turn, each through `link`. The ending block's
    ** reference is gone by the time its close is seen (result.c), so the
    ** channel is this block's alone to end and set up again. */
    for (p->k = 0; p->k < p->blocks; p->k++) {
        (void)ca_offer(&p->token, NULL);
        TAKE_SIGNAL(g, &p->link);
        rc = ca_chan_destroy(&p->link);
        CA_ASSERT(rc == CA_OK);
        (void)rc;
        (void)ca_chan_init(&p->link, CA_FIXED, 1, 0, NULL, 0);
    }
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    /* Each thread's reference on the scheduler (taken with it) ends once
    ** its channel closed: a ca_sched_run() waiting for it then sees an
    ** outside source, not a deadlock. */
    for (p->k = 0; p->k < p->threads; p->k++) {
        TAKE_SIGNAL(g, p->workers[p->k].thread);
        (void)ca_chan_free(p->workers[p->k].thread);
        (void)ca_sched_unref(p->sched);
    }
#endif
    ca__result_unreserve(); /* every block has ended: launch's room back */
    (void)ca_chan_destroy(&p->link);
    (void)ca_chan_destroy(&p->token);
    (void)ca_chan_destroy(&p->jobs);
    (void)ca_chan_destroy(&p->results);
    (void)ca_chan_destroy(&p->free);
    (void)ca_chan_destroy(&p->stop);
    (void)ca_chan_free(p->to);
    (void)ca_chan_free(p->from);
    GO_RETURN(g, &p->error);
    GO_END(g);
}

/* ------------------------------------------------------------ making one */

/* Is a * b + c over (size_t)-1? Without a division where the compiler can
** tell (a Cortex-M0 has none). */
static int mul_add_overflows(size_t a, size_t b, size_t c, size_t *out)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_mul_overflow(a, b, out) ||
           __builtin_add_overflow(*out, c, out);
#else
    if (b != 0 && a > ((size_t)-1 - c) / b)
        return 1;
    *out = a * b + c;
    return 0;
#endif
}

/* What a pipeline is made of: `nslots` slots whose channels need
** `st_size` bytes each, `nworkers` workers, inputs of `in` and outputs
** of `out` bytes; `bytes` is CA_PIPELINE_STORAGE's sum, computed here
** without overflow. */
typedef struct shape {
    unsigned nslots, nworkers;
    size_t in, out, st_size, bytes;
} shape;

static int measure(shape *sh)
{
    size_t tail = 16u + CA__PL_ROUND(sh->out) +
                  (size_t)sh->nworkers * CA__PL_ROUND(sizeof(ca__pl_worker));
    size_t per = CA__PL_ROUND(sizeof(slot)) + CA__PL_ROUND(sh->in) +
                 CA__PL_ROUND(3u * sizeof(unsigned));
    size_t st;

    /* in, out <= CA_MAX_ELEM_SIZE and n <= MAX_WORKERS: only the slot
    ** channels' storage can be too big */
    if (mul_add_overflows(1, sh->st_size, per + 15u, &st) ||
        mul_add_overflows(sh->nslots, st & ~(size_t)15u, tail, &sh->bytes))
        return CA_ERANGE;
    return CA_OK;
}

/* Carves the storage (aligned to 16 first) into the slots, their inputs
** and channels' storage, the workers, the three rings, the scratch. */
static void carve(pl *p, const shape *sh, void *storage)
{
    unsigned char *m = (unsigned char *)storage;
    size_t ring;
    unsigned k;

    m += (16u - ((uintptr_t)m & 15u)) & 15u;
    p->slots = (slot *)(void *)m;
    m += (size_t)sh->nslots * CA__PL_ROUND(sizeof(slot));
    for (k = 0; k < sh->nslots; k++) {
        p->slots[k].in = m;
        m += CA__PL_ROUND(sh->in);
        p->slots[k].st = m;
        m += CA__PL_ROUND(sh->st_size);
    }
    /* go blocks start zeroed; the storage may hold anything */
    p->workers = (ca__pl_worker *)(void *)m;
    memset(m, 0, (size_t)sh->nworkers * CA__PL_ROUND(sizeof(ca__pl_worker)));
    m += (size_t)sh->nworkers * CA__PL_ROUND(sizeof(ca__pl_worker));
    /* The three rings together: ROUND(3 * nslots * sizeof k) is at most
    ** nslots * ROUND(3 * sizeof k), the macro's share. */
    ring = sh->nslots * sizeof k;
    (void)ca_chan_init(&p->jobs, CA_FIXED, sh->nslots, sizeof k, m, ring);
    (void)ca_chan_init(&p->results, CA_FIXED, sh->nslots, sizeof k,
                       m + ring, ring);
    (void)ca_chan_init(&p->free, CA_FIXED, sh->nslots, sizeof k,
                       m + 2u * ring, ring);
    m += CA__PL_ROUND(3u * ring);
    p->val = m;
    (void)ca_chan_init(&p->stop, CA_UNBUFFERED, 0, 0, NULL, 0);
    (void)ca_chan_init(&p->token, CA_FIXED, 1, 0, NULL, 0);
    (void)ca_chan_init(&p->link, CA_FIXED, 1, 0, NULL, 0);
    for (k = 0; k < sh->nslots; k++)
        (void)ca_offer(&p->free, &k);
}

/* The size a put on ch carries: a transformed channel takes its input. */
static size_t put_size(ca_chan *ch)
{
    size_t size = 0;

    (void)ca__ops_put_elem(ch, &size);
    return size;
}

/* The checks every form makes, and the shape of the pipeline. `threads`:
** the workers are threads. */
static int check(shape *sh, unsigned n, ca_chan *to, ca_xf *xf,
                 ca_pipeline_af af, ca_chan *from, ca_sched **sched)
{
    ca_chan_info ti, fi;
    int rc;

    if (to == NULL || from == NULL || n == 0 || (xf == NULL && af == NULL))
        return CA_EINVAL;
    if (n > MAX_WORKERS)
        return CA_ERANGE;
    if ((rc = ca__sched_live(sched)) != CA_OK)
        return rc;
    if ((rc = ca_chan_inspect(to, &ti)) != CA_OK ||
        (rc = ca_chan_inspect(from, &fi)) != CA_OK)
        return rc;
    sh->in = fi.elem_size;
    sh->out = put_size(to);
    if (xf != NULL) {
        if (xf->step == NULL || xf->max_out == 0 ||
            xf->in_size != fi.elem_size || xf->out_size != sh->out)
            return CA_EINVAL;
        /* ca_chan_init_xf's limit; then CA_XF_STORAGE without overflow */
        if (xf->max_out > (CA_MAX_CAPACITY - 1u) / 2u ||
            mul_add_overflows(1u + 2u * (size_t)xf->max_out, xf->out_size,
                              CA__XF_HDR_SIZE + CA__XF_ALIGN,
                              &sh->st_size))
            return CA_ERANGE;
        sh->nslots = n + 1; /* n at work, one more being delivered */
        sh->nworkers = n;
    } else {
        sh->st_size = sh->out;
        sh->nslots = n; /* a slot per operation in flight: exactly n */
        sh->nworkers = 0;
    }
    return measure(sh);
}

static int check_done(ca_chan *done, ca_chan *to, ca_chan *from)
{
    ca_chan_info di;
    size_t size;
    int rc;

    if (done == NULL || done == to || done == from)
        return CA_EINVAL;
    if ((rc = ca_chan_inspect(done, &di)) != CA_OK ||
        (rc = ca__ops_put_elem(done, &size)) != CA_OK)
        return rc;
    if (size != sizeof(int) || di.capacity == 0)
        return CA_EINVAL;
    return CA_OK;
}

/* Fills p (zeroed, checked), carves the storage, takes the references and
** starts the blocks (threads first). On an error nothing runs, except
** after threads started: then the pipeline ends at once (aborted), and
** the error is returned while it does. */
static int launch(pl *p, const shape *sh, void *storage, ca_chan *to,
                  ca_xf *xf, ca_pipeline_af af, void *ud, ca_chan *from,
                  int close, ca_xf_err_fn ex, ca_sched *sched, ca_chan *done,
                  int threads)
{
    unsigned k;
    int rc = CA_OK;

    if ((rc = ca_chan_retain(to)) != CA_OK)
        return rc;
    if ((rc = ca_chan_retain(from)) != CA_OK) {
        (void)ca_chan_free(to);
        return rc;
    }
    /* Room for the blocks' ends (end_in_turn), then `done` as the output
    ** block's result channel. */
    rc = ca__result_reserve();
    if (rc == CA_OK && done != NULL &&
        (rc = ca_go_set_result(&p->go, done)) != CA_OK)
        ca__result_unreserve();
    if (rc != CA_OK) {
#if CA_HAVE_MALLOC
        /* The table beside the blocks could not grow (result.c): told
        ** through `done` as a thread's CA_ENOMEM is, whoever waits there
        ** learns it. */
        if (rc == CA_ENOMEM && done != NULL) {
            (void)ca_offer(done, &rc);
            (void)ca_close(done);
        }
#endif
        (void)ca_chan_free(to);
        (void)ca_chan_free(from);
        return rc;
    }
    carve(p, sh, storage);
    p->to = to;
    p->from = from;
    p->sched = sched;
    p->xf = xf;
    p->ex = ex;
    p->ex_ud = ud;
    p->af = af;
    p->af_ud = ud;
    p->close = close;
    p->out_size = sh->out;
    p->st_size = sh->st_size;
    p->nslots = sh->nslots;
    p->nworkers = sh->nworkers;
    p->intake.p = p;
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    for (k = 0; threads && k < sh->nworkers; k++) {
        (void)ca_sched_ref(sched); /* live: checked */
        if ((rc = ca_thread(thread_fn, p, 0, &p->workers[k].thread)) !=
            CA_OK) {
            (void)ca_sched_unref(sched);
            break;
        }
        p->threads++;
    }
    if (rc != CA_OK) {
        /* The started threads end with `jobs` closed; the output block
        ** waits for them and reports. */
        p->aborted = 1;
        p->error = rc;
        ca_close(&p->jobs);
        ca_close(&p->results);
        (void)ca_go_start(sched, &p->go, output_fn);
        return rc;
    }
#else
    (void)threads;
#endif
    p->blocks = 1; /* the intake */
    (void)ca_go_start(sched, &p->intake.go, intake_fn);
    for (k = 0; !threads && k < sh->nworkers; k++) {
        p->workers[k].p = p;
        (void)ca_go_start(sched, &p->workers[k].go, worker_fn);
        p->blocks++;
    }
    (void)ca_go_start(sched, &p->go, output_fn);
    return CA_OK;
}

/* The caller's-storage forms: checks, then launch. */
static int init(pl *p, void *storage, size_t storage_size, unsigned n,
                ca_chan *to, ca_xf *xf, ca_pipeline_af af, void *ud,
                ca_chan *from, int close, ca_xf_err_fn ex, ca_sched *sched,
                ca_chan *done, int threads)
{
    shape sh;
    int rc;

    if (p == NULL || storage == NULL)
        return CA_EINVAL;
    if ((rc = check(&sh, n, to, xf, af, from, &sched)) != CA_OK ||
        (rc = check_done(done, to, from)) != CA_OK)
        return rc;
    if (storage_size < sh.bytes)
        return CA_EINVAL;
    if (ca_go_sched(&p->go) != NULL)
        return CA_EBUSY;
    memset(p, 0, sizeof *p);
    return launch(p, &sh, storage, to, xf, af, ud, from, close, ex, sched,
                  done, threads);
}

int ca_pipeline_init(ca_pipeline_state *p, void *storage, size_t storage_size,
                     unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from,
                     int close, ca_xf_err_fn ex, void *ex_ud, ca_sched *sched,
                     ca_chan *done)
{
    if (xf == NULL)
        return CA_EINVAL;
    return init(p, storage, storage_size, n, to, xf, NULL, ex_ud, from,
                close, ex, sched, done, 0);
}

int ca_pipeline_blocking_init(ca_pipeline_state *p, void *storage,
                              size_t storage_size, unsigned n, ca_chan *to,
                              ca_xf *xf, ca_chan *from, int close,
                              ca_xf_err_fn ex, void *ex_ud, ca_sched *sched,
                              ca_chan *done)
{
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    if (xf == NULL)
        return CA_EINVAL;
    return init(p, storage, storage_size, n, to, xf, NULL, ex_ud, from,
                close, ex, sched, done, 1);
#else
    (void)p, (void)storage, (void)storage_size, (void)n, (void)to, (void)xf;
    (void)from, (void)close, (void)ex, (void)ex_ud, (void)sched, (void)done;
    return CA_ENOTSUP;
#endif
}

int ca_pipeline_async_init(ca_pipeline_state *p, void *storage,
                           size_t storage_size, unsigned n, ca_chan *to,
                           ca_pipeline_af af, void *ud, ca_chan *from,
                           int close, ca_sched *sched, ca_chan *done)
{
    if (af == NULL)
        return CA_EINVAL;
    return init(p, storage, storage_size, n, to, NULL, af, ud, from, close,
                NULL, sched, done, 0);
}

#if CA_HAVE_MALLOC
/* An allocated pipeline that could not start: its output block, made by
** ca_go_new, is freed by running it (there is no other way). */
static int empty_fn(ca_go *g)
{
    GO_BEGIN(g);
    GO_END(g);
}

/* The allocating forms: the state and its storage in one block whose
** head is the output block, which the scheduler frees when it ends. */
static int start(unsigned n, ca_chan *to, ca_xf *xf, ca_pipeline_af af,
                 void *ud, ca_chan *from, int close, ca_xf_err_fn ex,
                 ca_sched *sched, ca_chan **done, int threads)
{
    size_t head = ca__ops_align(sizeof(pl));
    ca_chan *d = NULL;
    ca_go *g;
    shape sh;
    int rc;

    if (done != NULL)
        *done = NULL;
    if ((rc = check(&sh, n, to, xf, af, from, &sched)) != CA_OK)
        return rc;
    if (sh.bytes > (size_t)-1 - head)
        return CA_ERANGE;
    if (done != NULL &&
        (rc = ca_chan_new(&d, CA_FIXED, 1, sizeof(int))) != CA_OK)
        return rc;
    if ((rc = ca_go_new(&g, head + sh.bytes)) != CA_OK) {
        (void)ca_chan_free(d);
        return rc;
    }
    rc = launch((pl *)(void *)g, &sh, (unsigned char *)g + head, to, xf, af,
                ud, from, close, ex, sched, d, threads);
    if (rc != CA_OK && !((pl *)(void *)g)->aborted)
        (void)ca_go_start(sched, g, empty_fn);
    if (rc != CA_OK && d != NULL) {
        (void)ca_chan_free(d);
        d = NULL;
    }
    if (done != NULL)
        *done = d;
    return rc;
}

int ca_pipeline(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from, int close,
                ca_xf_err_fn ex, void *ex_ud, ca_sched *sched, ca_chan **done)
{
    if (xf == NULL) {
        if (done != NULL)
            *done = NULL;
        return CA_EINVAL;
    }
    return start(n, to, xf, NULL, ex_ud, from, close, ex, sched, done, 0);
}

int ca_pipeline_blocking(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from,
                         int close, ca_xf_err_fn ex, void *ex_ud,
                         ca_sched *sched, ca_chan **done)
{
#if CA_HAVE_THREADS
    if (xf == NULL) {
        if (done != NULL)
            *done = NULL;
        return CA_EINVAL;
    }
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
    if (af == NULL) {
        if (done != NULL)
            *done = NULL;
        return CA_EINVAL;
    }
    return start(n, to, NULL, af, ud, from, close, NULL, sched, done, 0);
}
#endif /* CA_HAVE_MALLOC */
