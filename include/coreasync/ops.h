/*
** coreasync/ops.h: the connectors of core.async (pipe, split, merge,
** take, reduce, into, onto-chan, to-chan, mult, pub), each a go block
** written with the public DSL. See ca_ops(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_OPS_H
#define COREASYNC_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <coreasync/config.h>
#include <coreasync/chan.h>
#include <coreasync/go.h>
#include <coreasync/sched.h>
#include <coreasync/xf.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * # Connectors
 *
 * Each connector is one go block (its state struct begins with `ca_go`)
 * started on scheduler `s` (NULL: the default one), on a pool if `s` has
 * one. The rules common to all of them:
 *
 * - **Storage.** Every connector runs in storage you give (its `_state`
 *   struct, a scratch value `val` of the element size, arrays) and then
 *   never allocates: that is the form for a build without malloc. Pass
 *   NULL instead and, in a build with malloc, the connector allocates it
 *   and frees it when it ends (a build without malloc refuses NULL with
 *   `CA_ENOTSUP`). Storage you give must stay valid until the connector
 *   has ended: its go block finished (ca_go_result() on `&state->go`
 *   tells when).
 * - **Channels.** A connector takes a reference on every channel it uses
 *   (ca_chan_retain) and releases it when done with it, so you may
 *   release yours as soon as the call returns. It closes only what its
 *   man page says.
 * - **Errors.** `CA_EINVAL` for a NULL argument that may not be NULL,
 *   channels of different element sizes, a NULL `val` for elements that
 *   are not empty, a `_state` whose block still runs (`CA_EBUSY`);
 *   `CA_EBADCHAN` for a channel that is not live; `CA_ERANGE` for too
 *   many references on a channel or a count out of range; `CA_ENOMEM`.
 *   A refused call changes nothing. An op that fails inside the block
 *   (GO_ERROR) ends the connector as if its source had closed, and its
 *   code is kept in `state->status`.
 */

/** A predicate on one value (ca_split): non-zero for "true". */
typedef int (*ca_pred_fn)(const void *val, void *ud);

/** One step of a reduction (ca_reduce): folds `*val` into `*acc` in
 * place; returns 0 to go on, non-zero to stop early (core.async's
 * `reduced`), which leaves the source open and undrained. */
typedef int (*ca_reduce_fn)(void *acc, const void *val, void *ud);

/* ---------------------------------------------------------------- pipe */

typedef struct ca_pipe_state {
    ca_go go;               /* first member                               */
    ca_chan *from, *to;
    void *val;              /* scratch: one element                       */
    int close_to;
    int status;             /* CA_OK, or the code of an op that failed    */
} ca_pipe_state;

/**
 * core.async's `pipe`: copies every value of `from` into `to`. When
 * `from` closes, closes `to` if `close_to`. When `to` closes, stops and
 * leaves `from` open (as core.async's docstring promises).
 */
int ca_pipe(ca_pipe_state *st, ca_sched *s, ca_chan *from, ca_chan *to,
            int close_to, void *val);

/* --------------------------------------------------------------- split */

typedef struct ca_split_state {
    ca_go go;
    ca_chan *from, *t, *f;
    ca_pred_fn pred;
    void *ud;
    void *val;
    int status;
} ca_split_state;

/**
 * core.async's `split`: each value of `from` goes to `t` when
 * `pred(val, ud)` is non-zero, else to `f`. When `from` closes, closes
 * both; when a put finds its output closed, stops and leaves the other
 * output open. `pred` runs in the go block: quick, never blocking.
 */
int ca_split(ca_split_state *st, ca_sched *s, ca_pred_fn pred, void *ud,
             ca_chan *from, ca_chan *t, ca_chan *f, void *val);

/* --------------------------------------------------------------- merge */

typedef struct ca_merge_state {
    ca_go go;
    ca_alt *cases;          /* one take per input still open              */
    size_t n;               /* inputs still open                          */
    ca_chan *out;
    void *val;
    int status;
} ca_merge_state;

/**
 * core.async's `merge`: an ALTS over the `n` inputs `chs` forwards every
 * value to `out`; an input that closes drops out, and `out` is closed
 * once every input has closed (at once for `n` 0). The puts' outcome is
 * ignored, as in core.async: the inputs are drained even when `out` is
 * closed. `cases` is an array of `n` cases (NULL: allocated); `chs` is
 * read during the call only. `n` at most `CA_ALTS_MAX`.
 */
int ca_merge(ca_merge_state *st, ca_sched *s, ca_chan *const *chs, size_t n,
             ca_chan *out, ca_alt *cases, void *val);

/* -------------------------------------------------------------- take_n */

typedef struct ca_take_n_state {
    ca_go go;
    ca_chan *from, *out;
    size_t n;               /* values still to pass                       */
    void *val;
    int status;
} ca_take_n_state;

/**
 * core.async's `take` (ca_take_async is `take!`): passes at most `n`
 * values of `from` to `out`, then closes `out`, also when `from` closed
 * first. `from` is left open. Stops early (and closes `out`) when `out`
 * turns out closed.
 */
int ca_take_n(ca_take_n_state *st, ca_sched *s, ca_chan *from, size_t n,
              ca_chan *out, void *val);

/* --------------------------------------------------- reduce and into */

typedef struct ca_reduce_state {
    ca_go go;
    ca_chan *from, *result;
    ca_reduce_fn f;
    void *ud;
    void *acc;              /* the accumulator                            */
    size_t acc_size;
    void *val;
    int status;             /* also: what f returned to stop early        */
} ca_reduce_state;

/**
 * core.async's `reduce`: folds every value of `from` into the
 * accumulator with `f`. `acc` (`acc_size` bytes) holds the initial value
 * and is updated in place; with `st` NULL it is copied into allocated
 * storage at the call instead. When `from` closes, or when `f` returns
 * non-zero (then `from` is left open and undrained), the accumulator is
 * offered to `result` (if not NULL: a buffered channel of element size
 * `acc_size` that has room for it), which is then closed. An empty
 * source gives the initial value, and `f` is never called.
 */
int ca_reduce(ca_reduce_state *st, ca_sched *s, ca_reduce_fn f, void *ud,
              ca_chan *from, void *acc, size_t acc_size, void *val,
              ca_chan *result);

/**
 * A vector of elements for ca_into(): `data` holds `len` elements of
 * `elem_size` bytes, with room for `cap`. Fill `data` and `cap` with an
 * array of yours, or leave both 0 to let ca_into() grow it with the
 * allocator (then release it with ca_vec_free).
 */
typedef struct ca_vec {
    void *data;
    size_t len, cap, elem_size;
    int grows;              /* private: data is the library's             */
} ca_vec;

/**
 * core.async's `into`: a ca_reduce() whose step appends each value of
 * `from` to `*v` (its `elem_size` must be the channel's). It makes room
 * for a value before taking it, so none is lost: an array of yours that
 * fills up stops the reduction at once (`st->status` `CA_ERANGE`),
 * leaving `from` open with the rest (unless `from` has closed with
 * nothing left: `CA_OK`), and so does a growth that fails (`CA_ENOMEM`).
 * Without `st`, the fold is a copy's and `*v` is left as it was (so it
 * may not hold a vector grown before: `CA_EINVAL`).
 * `result`, if not NULL, receives a copy of the final `ca_vec`. Also
 * returns `CA_ERANGE` for an array with no room at all, and `CA_ENOMEM`
 * when a vector to grow cannot get its first 16.
 */
int ca_into(ca_reduce_state *st, ca_sched *s, ca_chan *from, ca_vec *v,
            void *val, ca_chan *result);

typedef struct ca_transduce_state {
    ca_go go;
    ca_chan *from, *result;
    ca_xf *xf;
    ca_reduce_fn f;
    void *ud;
    void *acc;              /* the accumulator                            */
    size_t acc_size;
    void *val;
    int status;             /* CA_OK, or the error that ended the fold    */
    int stopped;            /* what f returned to stop early, or 0        */
    unsigned char ended;    /* private: the intake, or the fold, ended    */
} ca_transduce_state;

/**
 * core.async's `transduce`: each value of `from` (of `xf->in_size`
 * bytes) goes through the transform `xf`, and each of its outputs
 * (`xf->out_size` bytes) is folded into the accumulator with `f`, as
 * ca_reduce() does. When `from` closes, or when `f` returns non-zero
 * (kept in `stopped`; `from` is then left open and undrained) or the
 * step returns `CA_XF_STOP` (the same, but its completion's outputs are
 * still folded), the transform's completion runs once, and the accumulator
 * is offered to `result` as ca_reduce() does, which is then closed.
 * `acc`, `acc_size`, `val`, `result` and the allocating form (`st`
 * NULL) are ca_reduce()'s. `xf` is the caller's, used by this block
 * alone until it ends (a stateful transform must not serve another).
 *
 * A step or a completion that returns an error ends the fold: `f` is
 * called no more, the completion still runs once (its outputs are
 * dropped), `status` keeps the code, and `result` is closed without a
 * value. The same for an error of the take itself.
 *
 * Errors as ca_reduce(), and `CA_EINVAL` for a NULL `xf`, one without a
 * step or with `max_out` 0, or one whose `in_size` is not `from`'s
 * element size.
 */
int ca_transduce(ca_transduce_state *st, ca_sched *s, ca_xf *xf,
                 ca_reduce_fn f, void *ud, ca_chan *from, void *acc,
                 size_t acc_size, void *val, ca_chan *result);

#if CA_HAVE_MALLOC
/** Frees what ca_into() grew, and empties `v`. `CA_EINVAL` for NULL. */
int ca_vec_free(ca_vec *v);
#endif

/* -------------------------------------------------- onto_chan, to_chan */

typedef struct ca_onto_state {
    ca_go go;
    ca_chan *ch, *done;
    const unsigned char *values;
    size_t elem;            /* bytes per value                            */
    size_t n, i;            /* values, and how many were put              */
    int close;
    int status;
} ca_onto_state;

/**
 * core.async's `onto-chan!`: puts the `n` values of the array `values`
 * (elements of `ch`'s size) into `ch` one by one, stopping at the first
 * refused put (a closed `ch`), then closes `ch` if `close`. The array is
 * read as the puts happen: keep it valid until the end. `done`, if not
 * NULL (a buffered channel of `size_t`), receives how many values were
 * put, and is then closed.
 */
int ca_onto_chan(ca_onto_state *st, ca_sched *s, ca_chan *ch,
                 const void *values, size_t n, int close, ca_chan *done);

/**
 * core.async's `onto-chan!!`: the same puts from the calling thread, with
 * ca_put_blocking() (run it on a thread of yours, or with ca_thread()),
 * never from a go block (`CA_EPERM`). Returns when done, with the number
 * of values put in `*put` (may be NULL): `CA_OK`, also when a put was
 * refused by a closed `ch`, or the first error of ca_put_blocking().
 */
int ca_onto_chan_blocking(ca_chan *ch, const void *values, size_t n,
                          int close, size_t *put);

#if CA_HAVE_MALLOC
/**
 * core.async's `to-chan!`: a new channel (a fixed buffer of min(n, 100),
 * unbuffered and closed at once when `n` is 0) that gives the `n` values
 * of `values` (copied at the call) and then closes. `*out` is yours to
 * release with ca_chan_free(); NULL on error.
 */
int ca_to_chan(ca_chan **out, ca_sched *s, const void *values, size_t n,
               size_t elem_size);
#endif

/* ---------------------------------------------------------------- mult */

/** One tap of a mult: private. */
typedef struct ca_mult_slot {
    ca_op op;               /* the put of the current value               */
    ca_chan *ch;
    struct ca_mult_slot *next, *round;
    unsigned char close, state;
} ca_mult_slot;

typedef struct ca_mult_state {
    ca_go go;
    ca_chan *src;
    void *val;
    ca_chan done;           /* signalled when a round has been taken      */
    ca_mult_slot *taps;     /* tapped (and untapped, still in a round)    */
    ca_mult_slot *spare;    /* your slots not in use                      */
    ca_mult_slot *round;    /* the taps the current value goes to         */
    size_t left;            /* puts of the round not completed yet        */
    size_t elem;            /* bytes per value                            */
    int status;
    unsigned char lock, grows, ended, val_owned;
} ca_mult_state;

/**
 * core.async's `mult`: every value of `src` is put into every tap at
 * once, and the next value is taken only when every tap has taken this
 * one: the slowest tap paces them all. With no tap, values are dropped.
 * A tap found closed is untapped; a tap made during a round misses its
 * value. When `src` closes, the taps made with `close` are closed, and
 * the mult ends (later taps are refused with `CA_CLOSED`).
 *
 * `slots` holds `max` taps (NULL: one allocated per tap, no maximum).
 * `m` must stay valid until the mult has ended and no call on it runs.
 */
int ca_mult(ca_mult_state *m, ca_sched *s, ca_chan *src, void *val,
            ca_mult_slot *slots, size_t max);

/** Taps `ch` (of `src`'s element size); `close`: close it when the
 * source closes. Tapping a channel twice keeps one tap (with the new
 * `close`). `CA_ERANGE` when `max` taps are in use; `CA_CLOSED` once the
 * mult has ended. */
int ca_mult_tap(ca_mult_state *m, ca_chan *ch, int close);

/** Untaps `ch`; its reference is released once a round in flight (if
 * any) is over. `CA_OK` also when it was not tapped. */
int ca_mult_untap(ca_mult_state *m, ca_chan *ch);

/** Untaps every channel. */
int ca_mult_untap_all(ca_mult_state *m);

/* ----------------------------------------------------------------- pub */

/** The topic of a value (ca_pub): any number, or a pointer cast to one. */
typedef uintptr_t (*ca_topic_fn)(const void *val, void *ud);

/** The buffer of a topic made on demand by ca_pub_sub(): its capacity,
 * 0 for an unbuffered topic channel (core.async's default). */
typedef size_t (*ca_topic_buf_fn)(uintptr_t topic, void *ud);

/** A topic of a pub: a channel and a mult over it. Private fields. */
typedef struct ca_topic {
    ca_mult_state mult;     /* the subs are its taps                      */
    ca_chan *ch;            /* the topic's channel                        */
    uintptr_t topic;
    struct ca_topic *next;
    int owned;              /* made by ca_pub_sub: freed by ca_pub_destroy */
} ca_topic;

typedef struct ca_pub_state {
    ca_go go;
    ca_chan *src;
    ca_topic_fn topic_fn;
    ca_topic_buf_fn buf_fn;
    void *ud;               /* for topic_fn and buf_fn                    */
    void *val;
    ca_sched *s;
    ca_topic *topics;
    ca_topic *cur;          /* where the value in hand goes               */
    size_t elem;
    int status;
    unsigned char lock, ended;
} ca_pub_state;

/**
 * core.async's `pub`: each value of `src` goes to the topic
 * `topic_fn(val, ud)` names, through that topic's channel, to every
 * channel subscribed to it (a mult per topic). A value whose topic has no
 * channel is dropped. The pub puts into a topic channel and waits: a
 * topic whose buffer is full blocks the whole pub. When `src` closes,
 * every topic channel is closed, and through them the subs made with
 * `close`.
 *
 * Topics are declared with ca_pub_topic() (your storage, your channel,
 * any buffer), or made by ca_pub_sub() on first use, with an allocated
 * channel of `buf_fn(topic, ud)` elements (`buf_fn` NULL: unbuffered).
 * `p` must stay valid until ca_pub_destroy() has succeeded.
 */
int ca_pub(ca_pub_state *p, ca_sched *s, ca_chan *src, ca_topic_fn topic_fn,
           ca_topic_buf_fn buf_fn, void *ud, void *val);

/** Declares `topic` in storage of yours: `t`, its channel `ch` (of the
 * source's element size, any buffer), and its mult's `val`, `slots` and
 * `max` as ca_mult(). `CA_EBUSY` for a topic already there; `CA_CLOSED`
 * once the pub has ended. */
int ca_pub_topic(ca_pub_state *p, ca_topic *t, uintptr_t topic,
                 ca_chan *ch, void *val, ca_mult_slot *slots, size_t max);

/** Subscribes `ch` to `topic` (ca_mult_tap on its mult), making the topic
 * if it is not there (`CA_ENOTSUP` in a build without malloc). */
int ca_pub_sub(ca_pub_state *p, uintptr_t topic, ca_chan *ch, int close);

/** Unsubscribes `ch` from `topic`. `CA_OK` also when it was not. */
int ca_pub_unsub(ca_pub_state *p, uintptr_t topic, ca_chan *ch);

/** Unsubscribes everything from `*topic`, or from every topic when
 * `topic` is NULL. The topics stay, with their channels. */
int ca_pub_unsub_all(ca_pub_state *p, const uintptr_t *topic);

/**
 * Ends a pub whose blocks have all finished (its source closed, and every
 * topic drained): frees the topics ca_pub_sub() made and releases the
 * channels of declared topics. `CA_EBUSY` while a block still runs.
 */
int ca_pub_destroy(ca_pub_state *p);

/* ----------------------------------------------------------------- mix */

/** What ca_mix_toggle() sets for an input (core.async's attributes). */
#define CA_MIX_MUTE 0x01    /* read, but its values are dropped           */
#define CA_MIX_PAUSE 0x02   /* not read                                   */
#define CA_MIX_SOLO 0x04    /* while any input is soloed, only soloed     */
                            /* inputs are heard (solo mode, below)        */

/** One input of a mix: private. */
typedef struct ca_mix_slot {
    ca_chan *ch;
    struct ca_mix_slot *next;
    unsigned char flags, gone;
} ca_mix_slot;

typedef struct ca_mix_state {
    ca_go go;
    ca_chan *out;
    void *val;
    ca_chan change;         /* a sliding buffer of one signal: rebuild    */
    ca_alt *cases;          /* change, then the inputs read               */
    size_t ncases, max;     /* cases in the ALTS; room in `cases`         */
    ca_mix_slot *inputs;
    ca_mix_slot *spare;
    size_t elem;
    int status;
    unsigned char lock, grows, ended, val_owned, solo_mode;
} ca_mix_state;

/**
 * core.async's `mix`: an ALTS over the inputs forwards their values to
 * `out`. Which inputs are read and which heard (forwarded) follows each
 * one's `CA_MIX_*` flags: an input is heard when it is soloed, or when
 * none is soloed and it is not muted; it is read when it is not paused,
 * except that with solo mode `CA_MIX_PAUSE` and an input soloed, only
 * the soloed ones are read. (As in core.async's code, a soloed input
 * that is also paused is not read in mute mode.) Values read and not
 * heard are dropped. An input that closes leaves the mix. The mix never
 * closes `out`; it ends when a put finds `out` closed, or, once `out` is
 * closed, at the next admin call (an idle mix has nothing else to wake
 * it).
 *
 * `slots` holds `max` inputs and `cases` `max + 1` ALTS cases (both NULL:
 * allocated and grown as inputs come). `m` must stay valid until the mix
 * has ended.
 */
int ca_mix(ca_mix_state *m, ca_sched *s, ca_chan *out, void *val,
           ca_mix_slot *slots, ca_alt *cases, size_t max);

/** Adds `ch` (of `out`'s element size) with no flag; an input already
 * there keeps its flags. `CA_ERANGE` when `max` inputs are in; `CA_CLOSED`
 * once the mix has ended. */
int ca_mix_admix(ca_mix_state *m, ca_chan *ch);

/** Removes `ch`; `CA_OK` also when it was not in. A value the mix took
 * from it just before is dropped. */
int ca_mix_unmix(ca_mix_state *m, ca_chan *ch);

/** Removes every input. */
int ca_mix_unmix_all(ca_mix_state *m);

/** Sets the flags in `mask` of input `ch` to those of `set` (adding `ch`
 * first if it is not in, as core.async's toggle does). `CA_EINVAL` for
 * bits other than `CA_MIX_*`. */
int ca_mix_toggle(ca_mix_state *m, ca_chan *ch, unsigned mask, unsigned set);

/** What soloing does to the other inputs: `CA_MIX_MUTE` (the default:
 * they are read and dropped) or `CA_MIX_PAUSE` (they are not read).
 * `CA_EINVAL` for anything else. */
int ca_mix_solo_mode(ca_mix_state *m, unsigned mode);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_OPS_H */
