/*
** coreasync/blocking.h: put, take and alts that wait in the calling
** thread (core.async's >!!, <!! and alts!!). See ca_blocking(3).
** MIT licence, see COPYING.
*/
#ifndef COREASYNC_BLOCKING_H
#define COREASYNC_BLOCKING_H

#include <stddef.h>

#include <coreasync/alts.h>
#include <coreasync/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * These calls wait until their operation completes, for code that is not
 * a go block: `main`, a test, a callback of another library.
 *
 * When the default scheduler has a pool, or nothing to run and the
 * process may have other threads, they just wait for their completer
 * (core.async's <!!): two threads talk through them with no reference.
 * Otherwise they drive the default scheduler while they wait, so a `main`
 * can talk to go blocks on it with no thread at all. They return
 * `CA_EDEADLOCK` only when that is provable: they drove the default
 * scheduler to a standstill (no go block can run, no timer, no
 * ca_sched_ref()) and the process has one thread (see sched.h); the
 * channel is then left as it was. In any other case they wait: a call with
 * nothing to drive, in a process whose other threads have all exited,
 * hangs.
 *
 * Called from inside a go block (or from a callback that a scheduler
 * runs) they return `CA_EPERM` at once: a go block must park (TAKE, PUT,
 * ALTS), never block its scheduler. That is core.async's most common
 * misuse, refused here every time.
 */

/** Puts `*val`. `CA_OK` once taken or buffered, `CA_CLOSED` if the
 * channel is closed; errors as ca_put_async(), plus `CA_EDEADLOCK` and
 * `CA_EPERM`. */
int ca_put_blocking(ca_chan *ch, const void *val);

/** Takes into `*dst`: `CA_OK` with a value, `CA_CLOSED` when the channel
 * is closed and drained; errors as ca_put_blocking(). `dst` (and `val`
 * above) may be NULL on a channel whose element size is 0. */
int ca_take_blocking(ca_chan *ch, void *dst);

/**
 * Completes exactly one of `cases` (see alts.h) and returns its status
 * (`CA_OK`, `CA_CLOSED`) with its number in `*index`; or an error:
 * `CA_EINVAL` for bad cases or flags (see alts.h), `CA_ERANGE` for too
 * many cases or too long a deadline, `CA_ENOTSUP` for a deadline without a
 * clock, `CA_EBADCHAN`, `CA_EFULL` (a channel with `CA_CONFIG_MAX_PENDING`
 * ops waiting already, or with 65535 ALTS cases not yet cleaned up, 255
 * with `CA_CONFIG_COMPACT`),
 * `CA_EDEADLOCK`, `CA_EPERM`. `CA_EDEADLOCK` means that no case happened:
 * a case completed by another thread just as the call gave up is
 * returned as a success.
 * `flags`: `CA_ALTS_PRIORITY` or 0.
 */
int ca_alts_blocking(ca_alt *cases, size_t n, int flags, size_t *index);

/** What ca_thread() runs: writes its result (the channel's element size)
 * at `result`, zeroed before the call, and returns `CA_OK` to deliver it,
 * anything else to deliver nothing. */
typedef int (*ca_thread_fn)(void *arg, void *result);

/**
 * Runs `fn(arg, result)` on a new thread, core.async's `thread`, and sets
 * `*out` to a channel of element size `size` that receives its result
 * (when `fn` returns `CA_OK`) and is then closed. The channel is yours:
 * ca_chan_free() it when done, before or after the thread ends. The
 * thread is detached; the channel is how you learn that it is over.
 * `CA_EINVAL` for a NULL `fn` or `out`; `CA_ERANGE` for `size` over
 * `CA_MAX_ELEM_SIZE`; `CA_ENOMEM` when the thread or its memory could not
 * be had; `CA_ENOTSUP` in a build without threads or without malloc.
 */
int ca_thread(ca_thread_fn fn, void *arg, size_t size, ca_chan **out);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_BLOCKING_H */
