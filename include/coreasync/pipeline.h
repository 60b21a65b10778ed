/*
** coreasync/pipeline.h: parallel stages that keep their output in input
** order: core.async's pipeline, pipeline-blocking and pipeline-async.
** See ca_pipeline(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_PIPELINE_H
#define COREASYNC_PIPELINE_H

#include <stddef.h>

#include <coreasync/config.h>
#include <coreasync/chan.h>
#include <coreasync/go.h>
#include <coreasync/sched.h>
#include <coreasync/alts.h>
#include <coreasync/xf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An asynchronous operation of ca_pipeline_async(): starts work on `in`
 * (`from`'s element size) and returns at once; the work puts its results
 * on `res` (of `to`'s element size, buffer 1, so from a go block, a
 * thread or ca_put_async) and then closes it, after which it must not
 * touch `res` again. */
typedef void (*ca_pipeline_af)(void *ud, const void *in, ca_chan *res);

/* ------------------------------------------------- caller's storage
** The state of a pipeline: the blocks, channels and slots of the
** allocating forms below, in a struct and a storage area of yours, so
** that a build without malloc has pipelines too. Every field is
** private. */

/* Private: one value in flight, and its outputs. */
typedef struct ca__pl_slot {
    ca_chan ch;
    unsigned char *in, *st;
} ca__pl_slot;

struct ca_pipeline_state;

/* Private: a worker, a go block or a thread. */
typedef struct ca__pl_worker {
    ca_go go;
    struct ca_pipeline_state *p;
    ca_chan *thread;
    unsigned idx;
} ca__pl_worker;

/* Private: the block that takes from `from`. */
typedef struct ca__pl_intake {
    ca_go go;
    struct ca_pipeline_state *p;
    unsigned idx;
    ca_alt alt[2];
} ca__pl_intake;

typedef struct ca_pipeline_state {
    ca_go go;                /* the output block                          */
    ca__pl_intake intake;
    ca_chan jobs, results, free, stop, token, link;
    ca_chan *to, *from;
    ca_sched *sched;
    ca_xf *xf;
    ca_xf_err_fn ex;
    void *ex_ud;
    ca_pipeline_af af;
    void *af_ud;
    ca__pl_slot *slots;
    ca__pl_worker *workers;
    unsigned char *val;
    size_t out_size, st_size;
    unsigned nslots, nworkers, threads, blocks, k, idx;
    int close, error, stopped, aborted;
} ca_pipeline_state;

/* Private: the rounding of each part of the storage. */
#define CA__PL_ROUND(x) ((CA__SIZE(x) + 15u) & ~CA__SIZE(15u))

/**
 * The bytes of `storage` that ca_pipeline_init() and
 * ca_pipeline_blocking_init() need for `n` workers, inputs of `in_size`
 * bytes (`from`'s element size) and a transform of `max_out` outputs of
 * `out_size` bytes a step: n + 1 slots, each with its input and a
 * channel with the transform (CA_XF_STORAGE(1, max_out, out_size)), n
 * workers, and the rings of three channels of slot numbers.
 */
#define CA_PIPELINE_STORAGE(n, in_size, out_size, max_out)                   \
    (16u +                                                                   \
     (CA__SIZE(n) + 1u) *                                                    \
         (CA__PL_ROUND(sizeof(ca__pl_slot)) + CA__PL_ROUND(in_size) +        \
          CA__PL_ROUND(CA_XF_STORAGE(1u, (max_out), (out_size))) +           \
          CA__PL_ROUND(3u * sizeof(unsigned))) +                             \
     CA__SIZE(n) * CA__PL_ROUND(sizeof(ca__pl_worker)) +                     \
     CA__PL_ROUND(out_size))

/** The bytes of `storage` that ca_pipeline_async_init() needs: n slots,
 * each with its input and a result channel of one `out_size` value. */
#define CA_PIPELINE_ASYNC_STORAGE(n, in_size, out_size)                      \
    (16u +                                                                   \
     CA__SIZE(n) *                                                           \
         (CA__PL_ROUND(sizeof(ca__pl_slot)) + CA__PL_ROUND(in_size) +        \
          CA__PL_ROUND(out_size) + CA__PL_ROUND(3u * sizeof(unsigned))) +    \
     CA__PL_ROUND(out_size))

/**
 * ca_pipeline() in your storage: `p` (a ca_pipeline_state) and
 * `storage`, `storage_size` bytes of any alignment, at least
 * `CA_PIPELINE_STORAGE(n, from's element size, xf->out_size,
 * xf->max_out)`. No allocation: a build without malloc runs it (on a
 * single scheduler, its workers take turns).
 *
 * `done` is required: a buffered channel of `int` of yours. It receives
 * the status (as ca_pipeline()'s) and is closed once every block of the
 * pipeline has ended and neither `p` nor `storage` is touched again:
 * from then on they are yours, to reuse or free. The pipeline holds a
 * reference on `done`, `to` and `from` until then.
 *
 * Errors as ca_pipeline(), and `CA_EINVAL` for NULL `p` or `storage`, a
 * `storage_size` too small, a NULL or unbuffered `done`, one that is not
 * of `int`, or `done` that is `to` or `from`; `CA_EBUSY` while `p` still
 * runs a pipeline; `CA_ERANGE` for a `max_out` whose storage would not
 * fit in a `size_t`. On an error nothing was started.
 */
int ca_pipeline_init(ca_pipeline_state *p, void *storage, size_t storage_size,
                     unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from,
                     int close, ca_xf_err_fn ex, void *ex_ud, ca_sched *sched,
                     ca_chan *done);

/**
 * ca_pipeline_blocking() in your storage, sized as ca_pipeline_init().
 * Its `n` threads still come from ca_thread(), which allocates: this
 * form saves the pipeline's own allocations only. If a thread cannot
 * start, it returns `CA_ENOMEM` with the pipeline already ending: the
 * threads it started stop, and `done` receives `CA_ENOMEM` and closes
 * when they have (only then are `p` and `storage` yours again); nothing
 * was taken from `from`. `CA_ENOTSUP` in a build without threads or
 * without malloc. Other errors as ca_pipeline_init().
 */
int ca_pipeline_blocking_init(ca_pipeline_state *p, void *storage,
                              size_t storage_size, unsigned n, ca_chan *to,
                              ca_xf *xf, ca_chan *from, int close,
                              ca_xf_err_fn ex, void *ex_ud, ca_sched *sched,
                              ca_chan *done);

/**
 * ca_pipeline_async() in your storage: `storage_size` at least
 * `CA_PIPELINE_ASYNC_STORAGE(n, from's element size, to's put size)`;
 * `done` as ca_pipeline_init(). Errors as ca_pipeline_init().
 */
int ca_pipeline_async_init(ca_pipeline_state *p, void *storage,
                           size_t storage_size, unsigned n, ca_chan *to,
                           ca_pipeline_af af, void *ud, ca_chan *from,
                           int close, ca_sched *sched, ca_chan *done);

#if CA_HAVE_MALLOC
/**
 * Takes each value from `from`, runs `xf` on it in one of `n` workers
 * (go blocks on `sched`, NULL the default: n of them run at once when
 * `sched` has a pool), and puts its outputs on `to` in input order. Each
 * value is put on a fresh channel with the transform and that channel is
 * closed, as core.async does, so the completion runs after every value:
 * give it a stateless transform (map, filter, mapcat, keep, remove), and
 * one whose step may run on n threads at once.
 *
 * `ex(ex_ud, code, in, out)` (may be NULL) gets a step's error and may
 * emit substitutes, which take the failed value's place in the output.
 * When `from` closes, `to` is closed if `close` is non-zero. When `to`
 * closes, the pipeline stops taking from `from` (leaving it open) and
 * ends: values it had taken and not delivered are dropped.
 *
 * `*done` (if `done` is not NULL) gets a channel of `int`, yours to
 * ca_chan_free(): it receives `CA_OK`, or the first error a step
 * returned that no handler took (that value gave no output), and closes
 * once every go block of the pipeline has ended. The pipeline holds
 * references to `to` and `from` until then.
 *
 * Returns `CA_OK`; `CA_EINVAL` for NULL `to`, `xf` or `from`, `n` 0, or
 * element sizes that do not match `xf` (`from`'s takes, `to`'s puts) or
 * a scheduler that is not live; `CA_ERANGE` for `n` over 1024; `CA_ENOMEM`;
 * `CA_EBADCHAN`. On an error nothing was started.
 */
int ca_pipeline(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from, int close,
                ca_xf_err_fn ex, void *ex_ud, ca_sched *sched, ca_chan **done);

/**
 * ca_pipeline() with `n` threads as its workers (ca_thread), for steps
 * that block or compute for long; intake and output are go blocks on
 * `sched`. `CA_ENOTSUP` in a build without threads.
 */
int ca_pipeline_blocking(unsigned n, ca_chan *to, ca_xf *xf, ca_chan *from,
                         int close, ca_xf_err_fn ex, void *ex_ud,
                         ca_sched *sched, ca_chan **done);

/**
 * Calls `af` for each value of `from`, with exactly `n` operations in
 * flight at most (an operation is in flight from its call to the close
 * of its `res`: core.async lets more run), and puts their results on `to`
 * in input order. `close`, the stop when `to` closes, `done` and the
 * errors are as ca_pipeline() (`done` receives `CA_OK`).
 */
int ca_pipeline_async(unsigned n, ca_chan *to, ca_pipeline_af af, void *ud,
                      ca_chan *from, int close, ca_sched *sched,
                      ca_chan **done);
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_PIPELINE_H */
