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
#include <coreasync/sched.h>
#include <coreasync/xf.h>

#ifdef __cplusplus
extern "C" {
#endif

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

/** An asynchronous operation of ca_pipeline_async(): starts work on `in`
 * (`from`'s element size) and returns at once; the work puts its results
 * on `res` (of `to`'s element size, buffer 1, so from a go block, a
 * thread or ca_put_async) and then closes it, after which it must not
 * touch `res` again. */
typedef void (*ca_pipeline_af)(void *ud, const void *in, ca_chan *res);

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
