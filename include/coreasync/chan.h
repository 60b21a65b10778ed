/*
** coreasync/chan.h: channels, their buffers, and the operations that never
** park: offer, poll, close, and put and take with a callback.
** See ca_chan(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_CHAN_H
#define COREASYNC_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include <coreasync/config.h>
#include <coreasync/error.h>
#include <coreasync/waiter.h>

/* CA__ALONE(): true while the process has one thread, when nothing can
** race the thread that runs and a channel needs no atomic (src/lock.h
** says what the library then skips). glibc says so for the price of a
** load: __libc_single_threaded turns false in pthread_create, and glibc
** never turns it back. Without it, or under ThreadSanitizer, the run that
** proves the locks right (every lock is taken there), it is 0; a build
** without threads is always alone (an interrupt is not a thread: what it
** touches is flagged, CA__CH_ISR). CA__HAVE_ALONE: whether it can ever be
** true. */
#if !CA_HAVE_THREADS
#define CA__HAVE_ALONE 1
#define CA__ALONE() 1
#else
#if defined(__SANITIZE_THREAD__)
#define CA__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CA__TSAN 1
#endif
#endif
#if !defined(CA__TSAN) && !defined(CA__HAVE_ALONE)
#if defined(HAVE_SYS_SINGLE_THREADED_H) /* configure's answer, in src/ */
#define CA__HAVE_ALONE 1
#elif defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#define CA__HAVE_ALONE 1
#endif
#endif
#endif
#if !defined(CA__HAVE_ALONE)
#define CA__HAVE_ALONE 0
#endif
#if CA__HAVE_ALONE
#include <sys/single_threaded.h>
#define CA__ALONE() (__libc_single_threaded != 0)
#else
#define CA__ALONE() 0
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A channel carries values of one fixed size, copied in and copied out, as
 * Go's channels and FreeRTOS queues do: neither side can change what the
 * other holds. A pointer is a value too; what it points to changes hands
 * with the message.
 *
 * The buffer kind decides what a put does when nobody is taking:
 *
 * | kind            | capacity | when the buffer is full                 |
 * |-----------------|----------|-----------------------------------------|
 * | `CA_UNBUFFERED` | 0        | every put waits for a taker (rendezvous)|
 * | `CA_FIXED`      | >= 1     | the put waits                           |
 * | `CA_DROPPING`   | >= 1     | the put succeeds, the new value is lost |
 * | `CA_SLIDING`    | >= 1     | the put succeeds, the oldest is lost    |
 * | `CA_PROMISE`    | 1        | the first value is kept for ever: every |
 * |                 |          | take gets it, later puts are dropped    |
 *
 * Closing a channel is not an error and not a value: a take reports
 * `CA_OK` with a value or `CA_CLOSED` without one, so no value is stolen
 * to mean "end".
 */
typedef enum ca_buf_kind {
    CA_UNBUFFERED = 1,
    CA_FIXED,
    CA_DROPPING,
    CA_SLIDING,
    CA_PROMISE
} ca_buf_kind;

/** The largest element size, in bytes (Go has the same limit): send a
 * pointer to anything bigger. */
#define CA_MAX_ELEM_SIZE 65535u

/** The largest capacity, in elements (65535 in a build with
 * `CA_CONFIG_COMPACT`, see config.h). */
#if CA_CONFIG_COMPACT
#define CA_MAX_CAPACITY 0xffffu
#else
#define CA_MAX_CAPACITY 0x7fffffffu
#endif

/** The largest number of references to one channel (ca_chan_retain). */
#define CA_MAX_REFS 65535u

typedef struct ca_chan ca_chan;

/**
 * A channel. The struct is public so that it can live in your storage
 * (static, on a stack, inside another struct); its fields are private.
 *
 * Invariants, which every operation keeps:
 * - At most one of `takers` and `putters` holds waiters that could be
 *   matched with each other: a put that finds a taker hands over at once,
 *   and a take that finds a putter takes at once. (Both queues can be
 *   non-empty only for one alts call that waits to put and to take on the
 *   same channel; it never matches itself.)
 * - Takers wait only while the buffer is empty; putters wait only while it
 *   is full (so only on `CA_UNBUFFERED` and `CA_FIXED` channels).
 * - Puts that wait when the channel is closed stay queued and are
 *   delivered to later takes, as in core.async.
 */
struct ca_chan {
    ca_waiter *takers;      /* head of the queue of waiting takes         */
    ca_waiter *putters;     /* head of the queue of waiting puts          */
    unsigned char *buf;     /* ring of cap * elem_size bytes, or NULL     */
#if !CA_HAVE_MALLOC         /* else in a table beside it (src/side.c):    */
    const char *name;       /* for diagnostics; NULL when unnamed         */
#endif
#if CA_CONFIG_COMPACT
    uint16_t cap, head, count; /* as below, in a 32-byte channel          */
#else
    uint32_t cap;           /* elements the ring holds                    */
    uint32_t head;          /* index of the oldest element                */
    uint32_t count;         /* elements in the ring                       */
#endif
    uint16_t elem_size;     /* bytes per value, 0 allowed                 */
    uint16_t ntakers;       /* length of the takers queue                 */
    uint16_t nputters;      /* length of the putters queue                */
    uint16_t refs;          /* references (ca_chan_retain, ca_chan_free)  */
#if CA_CONFIG_COMPACT
    unsigned char pins;     /* ALTS cases queued here whose owner has not */
#else                       /* cleaned up: they keep the storage alive    */
    uint16_t pins;
#endif
    unsigned char flags;    /* ca_buf_kind and CA__CH_* (below)           */
#if CA_HAVE_THREADS
    unsigned char lock;     /* spin lock; see src/lock.h                  */
#endif
};

/* Internal, not API: what the inline part of go.h's TAKE and PUT reads of
** a channel in your code (a value into or out of a ring, as getc reads
** FILE's buffer), and so part of the ABI as the struct is: the flag bits,
** the ring's index arithmetic, and the test for a process of one thread.
** The library's own code uses these same definitions (src/internal.h).
**
** Channel flags: the low bits hold the buffer kind. A channel is live from
** init to destroy; storage that is zeroed, or was destroyed, has no LIVE
** bit and every operation refuses it with CA_EBADCHAN. */
#define CA__CH_KIND 0x07
#define CA__CH_LIVE 0x08
#define CA__CH_CLOSED 0x10
#define CA__CH_OWNED 0x20 /* ca_chan_new allocated it: the last free frees */
#define CA__CH_DYING 0x40 /* released for good while pinned: the last     */
                          /* unpin frees it                               */
/* The flags byte is full, and DYING is only ever set on a channel that is
** no longer LIVE: a live channel uses the same bit to say that a transform
** header (ca__xf_hdr) sits in front of its ring, and that xf.c does its
** puts and takes (issue 9). */
#define CA__CH_XF 0x40
/* Declared with ca_chan_set_isr() (an interrupt handler, or in a threaded
** build another thread, calls ca_offer_isr/ca_poll_isr). */
#define CA__CH_ISR 0x80

/* The type of a ring's indices (cap, head, count), for arithmetic the
** compiler does in their own width. */
#if CA_CONFIG_COMPACT
typedef uint16_t ca__ring_ix;
#else
typedef uint32_t ca__ring_ix;
#endif

/* The library's build checks the ring's bounds here (CA_ASSERT); your
** code's does not. */
#if !defined(CA__RING_CHECK)
#define CA__RING_CHECK(x) ((void)0)
#endif

/* The address of slot `at` of ch's ring (at < cap), which has storage
** unless its values have no bytes: the buffer, then, which may be NULL
** (and NULL + 0 is UB). Tested on the size, not on the pointer: a caller
** that passes the size as a constant (the fast paths) has no test.
** A ring of no slots (unbuffered) has no storage either, and is never
** asked for a slot: it never holds a value. */
static inline unsigned char *ca__ring_at(const ca_chan *ch, uint32_t at,
                                         size_t elem_size)
{
    if (elem_size == 0)
        return ch->buf;
    CA__RING_CHECK(ch->buf != NULL && at < ch->cap);
    return ch->buf + at * elem_size;
}

/* The address of the i-th value of ch's ring, counting from its oldest
** (i <= cap): where a put adds (i = count), and xf.c's slot for a step
** that builds its output in the ring (ca_xf_out). The oldest itself is
** ca__ring_at(head). */
static inline unsigned char *ca__ring_slot_n(const ca_chan *ch, uint32_t i,
                                             size_t elem_size)
{
    uint32_t at = ch->head + i; /* head < cap and i <= cap: no division */

    if (at >= ch->cap)
        at -= ch->cap;
    return ca__ring_at(ch, at, elem_size);
}

/* The index after `at` in ch's ring, in the index's own width: the head
** once the oldest value is out. */
static inline ca__ring_ix ca__ring_next(const ca_chan *ch, ca__ring_ix at)
{
    ca__ring_ix next = at;

    /* (++, not a cast of at + 1: C++ users' -Wold-style-cast and
    ** -Wuseless-cast see this header, and 16-bit indices -Wconversion.) */
    return ++next == ch->cap ? 0 : next;
}

/**
 * Makes a channel in your storage; never allocates. `ch` must not hold a
 * live channel (anything waiting on it would be lost).
 *
 * `kind` and `cap` must agree: 0 for `CA_UNBUFFERED`, 1 for `CA_PROMISE`,
 * at least 1 for the others. `elem_size` is the size of every value, at
 * most `CA_MAX_ELEM_SIZE`; 0 makes a channel of pure signals. `buf` holds
 * the buffered values: at least `cap * elem_size` bytes, any alignment,
 * yours until the channel is destroyed (NULL when that product is 0).
 *
 * The new channel holds one reference, yours: end it with
 * ca_chan_destroy() (or ca_chan_free(), which does the same for the last
 * reference of a channel in your storage).
 *
 * Returns `CA_OK`; `CA_EINVAL` for a NULL `ch`, an unknown kind, a
 * capacity the kind does not allow, or a NULL `buf` that should hold
 * bytes; `CA_ERANGE` for an element size or a capacity too large, or a
 * `buf_size` smaller than `cap * elem_size`.
 */
int ca_chan_init(ca_chan *ch, ca_buf_kind kind, size_t cap, size_t elem_size,
                 void *buf, size_t buf_size);

/**
 * Ends a channel made by ca_chan_init(); its storage and `buf` are yours
 * again. Refused with `CA_EBUSY` while operations wait on it or while
 * anyone else holds a reference (a queued put still owes a value to
 * someone: drain it with ca_poll() first), and while an ALTS that waited
 * on it has not yet cleaned up (a go block whose ALTS completed on another
 * case but that has not resumed yet: run the scheduler, then destroy).
 * `CA_EINVAL` for a channel made
 * by ca_chan_new() (use ca_chan_free()), `CA_EBADCHAN` for one that is not
 * live.
 */
int ca_chan_destroy(ca_chan *ch);

#if CA_HAVE_MALLOC
/**
 * Allocates and initialises a channel and its buffer, in one allocation,
 * with the allocator of ca_set_allocator(). On success `*out` is the new
 * channel, holding one reference, yours: release it with ca_chan_free().
 * Arguments and errors as ca_chan_init(), plus `CA_ENOMEM`; `*out` is set
 * to NULL on any error.
 */
int ca_chan_new(ca_chan **out, ca_buf_kind kind, size_t cap,
                size_t elem_size);
#endif

/**
 * Releases one reference. The last one ends the channel: it is destroyed,
 * and freed if ca_chan_new() made it. Releasing the last reference while
 * operations still wait on the channel is refused with `CA_EBUSY` and
 * changes nothing. `CA_EINVAL` for NULL, `CA_EBADCHAN` for a channel that
 * is not live (as from every function here that takes a channel).
 *
 * An ALTS that waited on the channel and has not cleaned up yet (its block
 * was woken through another case and has not resumed) does not count as
 * an operation that waits: the last release succeeds, the channel is no
 * longer live from then on, and ca_chan_new() storage is freed once that
 * ALTS has cleaned up. A ca_chan_init() channel in that state is refused
 * with `CA_EBUSY`, since its storage must stay valid until then.
 *
 * Channels that the library makes for you (timeouts, the result channels
 * of go blocks, the outputs of combinators) come with one reference that
 * is yours, and you release it with ca_chan_free(); the library holds its
 * own references for as long as it uses the channel.
 *
 * Closing is not releasing: a closed channel is still used by whoever
 * drains it or still tries to put. When several go blocks share a channel
 * you made, give each one that may still touch it a reference of its own
 * (ca_chan_retain) and let each release it when done.
 */
int ca_chan_free(ca_chan *ch);

/**
 * Takes one more reference, for a second owner that will call
 * ca_chan_free(). `CA_ERANGE` past `CA_MAX_REFS`; `CA_EINVAL` for NULL,
 * `CA_EBADCHAN` for a channel that is not live.
 */
int ca_chan_retain(ca_chan *ch);

/**
 * Names the channel for diagnostics (deadlock reports, ca_chan_inspect).
 * The string is not copied: it must outlive the channel (a literal is
 * usual). NULL removes the name. `CA_OK`, `CA_EINVAL` for a NULL `ch`,
 * `CA_EBADCHAN`; `CA_ENOMEM` when the table that holds the names (beside
 * the channels, in a build with malloc) could not grow.
 */
int ca_chan_set_name(ca_chan *ch, const char *name);

/** What ca_chan_inspect() reports: a snapshot, stale as soon as it
 * returns if other threads use the channel. */
typedef struct ca_chan_info {
    const char *name;       /* NULL when unnamed                          */
    ca_buf_kind kind;
    size_t elem_size;
    size_t capacity;        /* 0 unbuffered, 1 promise                    */
    size_t count;           /* values in the buffer                       */
    size_t pending_puts;    /* puts waiting (they survive close)          */
    size_t pending_takes;   /* takes waiting                              */
    size_t refs;            /* references held                            */
    int closed;             /* 1 once ca_close() ran                      */
} ca_chan_info;

/** Fills `*info`. `CA_EINVAL` for NULL arguments, `CA_EBADCHAN` for a
 * channel that is not live. */
int ca_chan_inspect(ca_chan *ch, ca_chan_info *info);

/**
 * Puts a copy of `*val` (`elem_size` bytes; `val` may be NULL when that is
 * 0) if that needs no waiting: a waiting take receives it, or the buffer
 * accepts it (a dropping or sliding buffer always does, possibly losing a
 * value). Never queues. core.async's `offer!`.
 *
 * Returns `CA_OK` when accepted, `CA_AGAIN` when it would have to wait,
 * `CA_CLOSED` when the channel is closed (the value is not used);
 * `CA_EINVAL` for a NULL `ch`, or a NULL `val` with a non-zero element
 * size; `CA_EBADCHAN` for a channel that is not live.
 */
int ca_offer(ca_chan *ch, const void *val);

/**
 * Takes a value into `*dst` if one is there now: from the buffer, or from
 * a waiting put. Never queues. core.async's `poll!`.
 *
 * Returns `CA_OK` with a value, `CA_AGAIN` when none is there yet,
 * `CA_CLOSED` when the channel is closed and drained (core.async returns
 * nil for both of the last two; we tell them apart); errors as ca_offer().
 */
int ca_poll(ca_chan *ch, void *dst);

/**
 * Declares that an interrupt handler (or, in a build with threads, another
 * thread) will call ca_offer_isr() or ca_poll_isr() on this channel. Call
 * it before the interrupt is enabled; the declaration lasts until the
 * storage is initialised again. Only declared channels pay for the
 * critical section: without threads, every operation on them masks
 * interrupts through the port (port.h) for a few dozen instructions.
 * While operations wait on a declared channel, an idle scheduler waits
 * for the interrupt (as if a ca_sched_ref() were held) instead of
 * reporting `CA_EDEADLOCK`.
 *
 * Returns `CA_OK` (also when already declared); `CA_EINVAL` for NULL;
 * `CA_EBADCHAN` for a channel that is not live; `CA_ENOTSUP` in a build
 * without threads that has no port (ca_port_set).
 */
int ca_chan_set_isr(ca_chan *ch);

/**
 * ca_offer() for an interrupt handler: puts `*val` if a waiting take or
 * buffer room accepts it now, and never waits or queues. Every wake-up it
 * causes is deferred to the next turn of a scheduler (ca_sched_step(),
 * ca_sched_run(), a blocking call that drives): no user code runs in the
 * handler. Safe while the main loop is anywhere inside the library.
 *
 * Returns `CA_OK`, `CA_AGAIN` (refused: nobody takes and the buffer is
 * full), `CA_CLOSED`, or the errors of ca_offer(), plus `CA_EPERM` for a
 * live channel not declared with ca_chan_set_isr(). In a build with
 * threads it may be called from any thread, but it is not
 * async-signal-safe there.
 */
int ca_offer_isr(ca_chan *ch, const void *val);

/**
 * ca_poll() for an interrupt handler: takes a buffered value, or one from
 * a waiting put, into `*dst` if there is one now. Deferral, returns and
 * errors as ca_offer_isr() (`CA_AGAIN`: nothing there; `CA_CLOSED`: closed
 * and drained).
 */
int ca_poll_isr(ca_chan *ch, void *dst);

/**
 * Closes the channel: puts from now on report `CA_CLOSED`; waiting takes
 * complete with `CA_CLOSED`; puts that were already waiting stay queued and
 * will be delivered (they report `CA_OK`); takes keep draining the buffer
 * and then report `CA_CLOSED` for ever. Closing a closed channel does
 * nothing and returns `CA_OK`. core.async's `close!`. `CA_EINVAL` for
 * NULL, `CA_EBADCHAN` for a channel that is not live.
 */
int ca_close(ca_chan *ch);

/** 1 if the channel is closed, 0 if open; `CA_EINVAL` for NULL,
 * `CA_EBADCHAN` for a channel that is not live. */
int ca_closed(ca_chan *ch);

typedef struct ca_op ca_op;

/** Called once when an asynchronous put or take completes, with `CA_OK`
 * or `CA_CLOSED`. It runs with no lock held and may use the channel, and
 * may reuse or free its `ca_op`. */
typedef void (*ca_op_cb)(ca_op *op, int status);

/**
 * One asynchronous put or take (core.async's `put!`/`take!`), in your
 * storage. It must stay valid, and so must the value or destination it
 * points to, until its callback has run.
 */
struct ca_op {
    void *data;             /* yours, untouched by the library            */
    ca_waiter w;            /* private                                    */
    ca_op_cb cb;            /* private                                    */
};

/**
 * Puts `*val` and calls `cb(op, status)` once the put completes. If it can
 * complete at once (a waiting take, room in the buffer, or a closed
 * channel) `cb` runs before ca_put_async() returns; otherwise the put
 * waits in the channel's queue, reading `*val` when a take arrives, and
 * `cb` runs on whichever thread completes it. `cb` may be NULL: the put
 * then completes silently. `op` and `*val` must still stay valid until
 * it has, and without a callback nothing tells you when: keep them for as
 * long as the channel lives, or pass a callback.
 *
 * Returns `CA_OK` (done, or queued), `CA_CLOSED` when the channel was
 * already closed (`cb` has run with `CA_CLOSED`), or an error, in which
 * case `cb` never runs: `CA_EINVAL` for NULL arguments, `CA_EBADCHAN`,
 * `CA_EFULL` when `CA_CONFIG_MAX_PENDING` puts already wait.
 */
int ca_put_async(ca_chan *ch, ca_op *op, const void *val, ca_op_cb cb);

/**
 * Takes a value into `*dst` and calls `cb(op, status)` once it is there
 * (`CA_OK`) or the channel turned out closed and drained (`CA_CLOSED`).
 * Runs `cb` before returning if it can complete at once; `cb` may be
 * NULL. Returns `CA_OK` (also when the channel turned out closed: the
 * callback says so), or an error after which `cb` never runs, as
 * ca_put_async() (`CA_EFULL` when `CA_CONFIG_MAX_PENDING` takes wait).
 */
int ca_take_async(ca_chan *ch, ca_op *op, void *dst, ca_op_cb cb);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_CHAN_H */
