/*
** coreasync/xf.h: transforms (core.async's transducers) and channels that
** apply one to every value put. See ca_xf(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_XF_H
#define COREASYNC_XF_H

#include <stddef.h>
#include <stdint.h>

#include <coreasync/config.h>
#include <coreasync/chan.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A transform turns each input value into zero, one or several output
 * values, with state of its own: core.async's transducer. It is a struct
 * in your storage, usually the first member of a bigger one that holds
 * the state, with a step function (one input) and an optional completion
 * (the end of the stream: flush what the state still holds). Inputs are
 * `in_size` bytes and outputs `out_size` bytes, so a transform may change
 * the type: an `int` channel can feed a `struct reading` one.
 *
 * `step` and `complete` pass each output to ca_xf_emit(), at most
 * `max_out` times per call, and return what it returned when that is not
 * `CA_OK` (the next stage stopped, or failed). They return `CA_OK`,
 * `CA_XF_STOP` (core.async's `reduced`: this input's outputs stand, then
 * the stream ends), or a negative error in -1..-127 (a `CA_E...` code or
 * one of yours), which goes to the channel's error handler.
 */
typedef struct ca_xf ca_xf;
/** Where a step's outputs go: the next stage, a channel's buffer, a
 * pipeline's slot. Private: pass it on untouched. */
typedef struct ca_xf_out ca_xf_out;

/** A step's answer: the stream ends after this input's outputs. A status
 * of transforms only; no other call returns it. */
#define CA_XF_STOP 3

struct ca_xf {
    int (*step)(ca_xf *xf, const void *in, ca_xf_out *out);
    int (*complete)(ca_xf *xf, ca_xf_out *out); /* NULL: nothing to flush */
    size_t in_size, out_size; /* bytes per input and per output          */
    unsigned max_out;         /* most outputs of one step or completion  */
    ca_xf *next;              /* the next stage, set by ca_xf_comp()     */
};

/* Private. The `fn` of an output is what ca_xf_emit() calls. `slot`, when
** not NULL, is where the next output may be built in place and then
** emitted from, saving a copy (a channel's ring); any emit clears it. */
struct ca_xf_out {
    int (*fn)(ca_xf_out *self, const void *val);
    void *slot;
};

/**
 * Passes one output value (`out_size` bytes at `val`) on: to the next
 * stage's step, or into the channel's buffer. Returns `CA_OK`,
 * `CA_XF_STOP` when what follows wants no more (return it from your step),
 * an error from a later stage, `CA_ERANGE` when the step emits more than
 * its `max_out` (the value is refused), `CA_EINVAL` for a NULL `out`.
 */
int ca_xf_emit(ca_xf_out *out, const void *val);

/** The error handler of a channel with a transform: core.async's
 * ex-handler. Called under the channel's lock with the code a step or a
 * completion returned and its input (NULL for a completion); it may emit
 * substitutes on `out` (they count towards `max_out`), and returns
 * `CA_OK` to go on, or an error for the put to report. */
typedef int (*ca_xf_err_fn)(void *ud, int code, const void *in,
                            ca_xf_out *out);

/* ------------------------------------------------------------ comp */

/** Storage for a composed transform: yours, valid while it is used. */
typedef struct ca_xf_comp_t {
    ca_xf xf;             /* the composed transform: pass &c.xf           */
    ca_xf **stages;       /* private                                      */
    size_t n;             /* private                                      */
    size_t fused;         /* private                                      */
} ca_xf_comp_t;

/**
 * Composes `xfs[0]`, ..., `xfs[n-1]` into one transform, `&storage->xf`:
 * every output of stage i is the input of stage i+1 (core.async's
 * `comp`, in the order the data flows). Each stage's `out_size` must be
 * the next one's `in_size`. `max_out` of the whole is the most one input
 * or the completion can produce. The stages must outlive the storage;
 * their `next` fields are set. Returns `CA_OK`; `CA_EINVAL` for NULL
 * arguments, `n` 0, a stage without a step or with `max_out` 0, sizes
 * that do not chain; `CA_ERANGE` when `max_out` overflows.
 */
int ca_xf_comp(ca_xf **xfs, size_t n, ca_xf_comp_t *storage);

/* ------------------------------------------------------ channels */

/* Private: the front of a transformed channel's storage, which keeps
** sizeof(ca_chan) unchanged. */
typedef struct ca__xf_hdr {
    const struct ca__xf_ops *ops;
    ca_xf *xf;
    ca_xf_err_fn err;
    void *err_ud;
    uint32_t cap;          /* puts are accepted below this count         */
    uint32_t room;         /* slots of the ring                          */
    unsigned char done;    /* the completion has run                     */
} ca__xf_hdr;

#define CA__XF_ALIGN 16u
/* The header's bytes, rounded up so that the ring after it starts at a
** CA__XF_ALIGN boundary: a step may build its output there in place. */
#define CA__XF_HDR_SIZE                                                      \
    ((sizeof(ca__xf_hdr) + CA__XF_ALIGN - 1u) / CA__XF_ALIGN * CA__XF_ALIGN)

/**
 * The bytes of storage a channel with a transform needs: a small header
 * and the ring. A `CA_FIXED` ring holds `cap + 2 * max_out` outputs:
 * core.async accepts a put while the buffer holds fewer than `cap`
 * values and lets an expanding transform push the count past `cap`; a
 * ring in your storage cannot grow, so it keeps room for one step's
 * outputs and for the completion's. Dropping and sliding rings hold
 * `cap`; a promise 1. Any alignment.
 */
#define CA_XF_STORAGE(cap, max_out, out_size)                                \
    (CA__XF_HDR_SIZE + CA__XF_ALIGN +                                        \
     (CA__SIZE(cap) + 2u * CA__SIZE(max_out)) * CA__SIZE(out_size))

/**
 * Makes a channel in your storage whose puts go through `xf`
 * (core.async's `(chan n xform ex-handler)`). Puts carry `xf->in_size`
 * bytes and takes `xf->out_size`. Every put runs the step under the
 * channel's lock, on the thread that puts (or, for a put that waited, on
 * the one whose take made room): keep it short, and never use the
 * channel from inside it.
 *
 * `kind` is `CA_FIXED`, `CA_DROPPING`, `CA_SLIDING` or `CA_PROMISE`: a
 * transform needs a buffer. A fixed channel accepts a put while it holds
 * fewer than `cap` values; dropping and sliding buffers apply their
 * policy to each output. `storage` holds `CA_XF_STORAGE(cap, xf->max_out,
 * xf->out_size)` bytes, yours (as `xf` and `err_ud`) until the channel
 * is destroyed.
 *
 * `err` (may be NULL) gets a step's or the completion's error; without
 * it the put returns the error (a waiting put completes with it).
 * When a step returns `CA_XF_STOP`, the channel closes after that
 * input's outputs: later puts get `CA_CLOSED`, and so do puts that were
 * waiting. The completion runs exactly once, when the channel is closed
 * and no put waits.
 *
 * Returns `CA_OK`; `CA_EINVAL` for NULL `ch`, `storage` or `xf`, a step
 * missing, `max_out` 0, `CA_UNBUFFERED` or an unknown kind, a capacity
 * the kind refuses; `CA_ERANGE` for sizes past `CA_MAX_ELEM_SIZE` or a
 * `storage_size` too small.
 */
int ca_chan_init_xf(ca_chan *ch, ca_buf_kind kind, size_t cap, void *storage,
                    size_t storage_size, ca_xf *xf, ca_xf_err_fn err,
                    void *err_ud);

#if CA_HAVE_MALLOC
/** ca_chan_init_xf() in one allocation; release it with ca_chan_free().
 * Errors as ca_chan_init_xf(), plus `CA_ENOMEM`; `*out` NULL on error. */
int ca_chan_new_xf(ca_chan **out, ca_buf_kind kind, size_t cap, ca_xf *xf,
                   ca_xf_err_fn err, void *err_ud);
#endif

/* ---------------------------------------------------- the standard ones
** Each is an init function on a struct of yours, whose first member is
** the ca_xf to pass on (&m.xf). Those marked "stateful" count or hold
** values between inputs: give each channel its own. Init returns CA_OK,
** or CA_EINVAL for NULL arguments or sizes 0 where a value is needed,
** CA_ERANGE for sizes past CA_MAX_ELEM_SIZE. */

/** Writes the output for one input; returns CA_OK or an error. */
typedef int (*ca_xf_map_fn)(void *ud, const void *in, void *out);
/** A test on one value: non-zero keeps it (filter), drops it (remove). */
typedef int (*ca_xf_pred_fn)(void *ud, const void *val);

typedef struct ca_xf_map_t {
    ca_xf xf;
    ca_xf_map_fn fn;
    void *ud;
} ca_xf_map_t;
/** `fn(ud, in, out)` for each input: one output of `out_size` bytes, at
 * most 256 (`CA_ERANGE`: emit larger outputs from a mapcat). */
int ca_xf_map(ca_xf_map_t *m, ca_xf_map_fn fn, void *ud, size_t in_size,
              size_t out_size);

typedef struct ca_xf_filter_t {
    ca_xf xf;
    ca_xf_pred_fn pred;
    void *ud;
    int keep;
} ca_xf_filter_t;
/** Passes the values for which `pred` is non-zero. */
int ca_xf_filter(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud,
                 size_t size);
/** Passes the values for which `pred` is zero. */
int ca_xf_remove(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud,
                 size_t size);

/** `fn(ud, in, out)` returns 1 with an output, 0 for none (core.async's
 * keep: nil means nothing), or an error. */
typedef int (*ca_xf_keep_fn)(void *ud, const void *in, void *out);
typedef struct ca_xf_keep_t {
    ca_xf xf;
    ca_xf_keep_fn fn;
    void *ud;
} ca_xf_keep_t;
int ca_xf_keep(ca_xf_keep_t *k, ca_xf_keep_fn fn, void *ud, size_t in_size,
               size_t out_size);

/** Stateful: passes the first `n` values, then stops (`n` 0: stops at
 * the first input, passing nothing). */
typedef struct ca_xf_take_t {
    ca_xf xf;
    uint64_t n, seen;
} ca_xf_take_t;
int ca_xf_take(ca_xf_take_t *t, uint64_t n, size_t size);

/** Stateful: drops the first `n` values, passes the rest. */
typedef ca_xf_take_t ca_xf_drop_t;
int ca_xf_drop(ca_xf_drop_t *d, uint64_t n, size_t size);

/** Passes values while `pred` holds, then stops at the first that fails
 * (which is not passed). */
int ca_xf_take_while(ca_xf_filter_t *f, ca_xf_pred_fn pred, void *ud,
                     size_t size);

/** Stateful: groups values by `n`; the completion flushes a short group.
 * An output is a `uint32_t` count followed by `n` values of `size` bytes
 * (only `count` of them meaningful): `sizeof(uint32_t) + n * size`
 * bytes, which must not pass `CA_MAX_ELEM_SIZE`. `buf` holds that many
 * bytes, yours while the transform lives. */
typedef struct ca_xf_partition_t {
    ca_xf xf;
    unsigned char *buf;
    uint32_t n, count;
    size_t size;
    ca_xf_map_fn key;     /* partition_by: writes a value's key         */
    void *ud;
    size_t key_size;
    unsigned char *keys;  /* partition_by: this group's key, the new one */
} ca_xf_partition_t;
int ca_xf_partition_all(ca_xf_partition_t *p, uint32_t n, size_t size,
                        void *buf, size_t buf_size);
/** Stateful: a group ends when `key(ud, value, key_out)` (a `key_size`
 * byte key, compared with memcmp) changes, or after `n` values (a group
 * longer than `n` is cut there). Output as partition_all; `buf` holds
 * `sizeof(uint32_t) + n * size + 2 * key_size` bytes. */
int ca_xf_partition_by(ca_xf_partition_t *p, ca_xf_map_fn key, void *ud,
                       size_t key_size, uint32_t n, size_t size, void *buf,
                       size_t buf_size);

/** Stateful: drops a value equal (memcmp) to the one before it. `last`
 * holds `size` bytes. */
typedef struct ca_xf_dedupe_t {
    ca_xf xf;
    unsigned char *last;
    int have;
} ca_xf_dedupe_t;
int ca_xf_dedupe(ca_xf_dedupe_t *d, size_t size, void *last);

/** `fn(ud, in, out, emit)` emits up to `max_out` outputs for each input
 * through `emit(out, value)` (ca_xf_emit), returning what it returned
 * when that is not `CA_OK`. core.async's mapcat. */
typedef int (*ca_xf_mapcat_fn)(void *ud, const void *in, ca_xf_out *out);
typedef struct ca_xf_mapcat_t {
    ca_xf xf;
    ca_xf_mapcat_fn fn;
    void *ud;
} ca_xf_mapcat_t;
int ca_xf_mapcat(ca_xf_mapcat_t *m, ca_xf_mapcat_fn fn, void *ud,
                 size_t in_size, size_t out_size, unsigned max_out);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_XF_H */
