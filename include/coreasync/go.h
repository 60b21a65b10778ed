/*
** coreasync/go.h: go blocks, core.async's `go`, as stackless C functions.
** See ca_go(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_GO_H
#define COREASYNC_GO_H

#include <stddef.h>

#include <coreasync/alts.h>
#include <coreasync/chan.h>
#include <coreasync/timer.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * # What a go block is
 *
 * A go block is a function that can stop in the middle, waiting on a
 * channel, and later carry on from where it stopped, while other go blocks
 * run in between: core.async's `go`, Go's goroutine. Ours have no stack of
 * their own. A go function really returns when it parks, and when the
 * operation it waits for completes, the scheduler calls it again and it
 * jumps back to the line where it parked (the protothreads technique: a
 * `switch` on the line number). That makes a parked go block cost only its
 * state: the `ca_go` header below plus whatever the block keeps.
 *
 * The price is that **local variables do not survive a park**. What must
 * live across one goes in a struct of yours that begins with `ca_go`:
 *
 *     struct filter {                 // one stage of the prime sieve
 *         ca_go go;                   // first member: the header
 *         ca_chan *in, *out;          // lives across parks
 *         int prime, n;
 *     };
 *
 *     static int filter(ca_go *g)
 *     {
 *         struct filter *f = (struct filter *)g;
 *         GO_BEGIN(g);
 *         for (;;) {
 *             TAKE(g, f->in, &f->n);  // parks until a value or close
 *             if (GO_CLOSED(g))
 *                 break;
 *             if (f->n % f->prime != 0)
 *                 PUT(g, f->out, &f->n);
 *         }
 *         ca_close(f->out);
 *         GO_END(g);
 *     }
 *
 * and ca_go_start(sched, &f->go, filter) sets it going, without
 * allocating; ca_sched_run() runs everything until nothing can run.
 *
 * # The operations
 *
 * | macro                        | core.async        | parks until               |
 * |------------------------------|-------------------|---------------------------|
 * | `TAKE(g, ch, dst)`           | `<!`              | a value (into *dst) or close |
 * | `PUT(g, ch, src)`            | `>!`              | a taker or buffer took *src, or close |
 * | `ALTS(g, cases, n, flags)`   | `alts!`           | one case completes        |
 * | `SLEEP(g, ms)`               | `(<! (timeout ms))` | ms have passed          |
 * | `YIELD(g)`                   |                   | the others had a turn     |
 * | `GO_RETURN(g, &val)`         | the body's value  | (ends the block)          |
 *
 * After each one, its outcome is at hand: `GO_CLOSED(g)` is true when a
 * take got no value or a put was not accepted (the channel was closed, or
 * the call was refused with an error: `GO_STATUS(g)` tells `CA_CLOSED` from
 * a negative `CA_E...` code); `GO_ALT(g)` is the number of the case an
 * ALTS chose. A put reads `*src` when its value is handed over, and a
 * take writes `*dst` when one arrives, both possibly while the block is
 * parked: keep them in your struct.
 *
 * # WARNINGS: the limits of stackless go blocks, and their remedies
 *
 * - **Locals do not survive a park.** Any parking op returns from your
 *   function. Keep what you need afterwards in your struct.
 * - **No parking op inside a `switch` of yours** (in the default build).
 *   The op's resume point is a `case` label, and inside your `switch` it
 *   would belong to yours: the block would silently end instead of
 *   resuming. Use if/else, or build with `CA_CONFIG_COMPUTED_GOTO` (GCC
 *   and Clang), which has no such limit.
 * - **One parking op per source line.** The line number is the resume
 *   point; two ops on one line do not compile (duplicate case value).
 * - **No parking inside a function you call.** Only the go function's own
 *   body can park. Make the callee a go block of its own, start it, and
 *   TAKE from its result channel (ca_go_result), as in core.async.
 * - **No `return` of your own** between GO_BEGIN and GO_END: end with
 *   GO_END or GO_RETURN. GO_END must close the body even when every path
 *   ends in GO_RETURN: it closes the hidden switch (without it the
 *   compiler's errors make little sense).
 * - **Arguments are evaluated again on resume**: ALTS's `cases` and `n`,
 *   and the destination of TAKE (the value lands there while the block is
 *   parked): all must be in your struct, never locals.
 * - With `CA_CONFIG_COMPUTED_GOTO`, a parking op in a function you call
 *   compiles, and is undefined behaviour: the rule above still holds.
 *
 * The short names (`GO_BEGIN`, `TAKE`, ...) are aliases of `CA_GO_BEGIN`,
 * `CA_TAKE`, ...; define `CA_NO_SHORT_NAMES` before including this header
 * if they clash with yours.
 */

typedef struct ca_go ca_go;

/** A go function: it returns whatever its GO_* macros return. */
typedef int (*ca_go_fn)(ca_go *g);

/** What a go function returns to the scheduler (the macros do it). */
enum {
    CA_GO_PARKED = 1, /* waiting in an operation; it will be woken       */
    CA_GO_YIELDED,    /* runnable: run the others first                  */
    CA_GO_DONE        /* finished                                        */
};

/** Where a go block parks: one static record per parking op in the
 * source, so that a parked block costs one pointer for its resume point,
 * its file, line, function, and the op it waits in. */
typedef struct ca_go_site {
    const char *file;       /* __FILE__                                   */
    const char *func;       /* __func__: the go block's name              */
    const char *op;         /* "TAKE", "PUT", "ALTS", "SLEEP", "YIELD"    */
    const char *expr;       /* the channel or cases argument, as written  */
    unsigned line;          /* __LINE__: the resume point                 */
#if CA_CONFIG_COMPUTED_GOTO
    void *label;            /* the resume point as a label address        */
#endif
} ca_go_site;

/**
 * The go-block header: the first member of your struct. Zero it (or let
 * it be static) before the first ca_go_start(). Private fields; use the
 * macros and functions below.
 */
struct ca_go {
    union {
        ca_waiter w;        /* the take or put it waits in; the outcome   */
        ca_timer t;         /* or the timer it sleeps on                  */
    } u;
    ca_go_fn fn;            /* its function                               */
    ca_chan *result;        /* result channel, made on demand             */
    ca_go *prev, *next;     /* its scheduler's list of live blocks        */
    const ca_go_site *site; /* where it parked last; NULL before it ran   */
};

/**
 * Starts go block `g` running `fn` on scheduler `s` (NULL: the default
 * scheduler). Never allocates, and never runs `fn` before returning: the
 * block starts when the scheduler next runs, even when ca_go_start() is
 * called from inside another go block (as core.async's `go` does).
 *
 * `g` (and the struct around it) must stay valid until the block has
 * finished; then it may be started again. Returns `CA_OK`, `CA_EINVAL`
 * for NULL arguments, `CA_EBUSY` if `g` was started and has not finished.
 */
int ca_go_start(ca_sched *s, ca_go *g, ca_go_fn fn);

#if CA_HAVE_MALLOC
/**
 * Allocates a zeroed go-block struct of `size` bytes (at least
 * `sizeof(ca_go)`) for you to fill and pass to ca_go_start(). The
 * scheduler frees it when the block finishes, so ask for its result
 * channel (ca_go_result) before you start it if you want one. A block you
 * never start is never freed: there is no call for that, so start what
 * you allocate. `CA_EINVAL`, `CA_ENOMEM`; `*out` is NULL on error.
 */
int ca_go_new(ca_go **out, size_t size);
#endif

#if CA_HAVE_MALLOC
/**
 * The block's result channel (what core.async's `go` returns), made the
 * first time someone asks: a block whose result nobody wants pays nothing
 * for it. When the block ends with GO_RETURN(g, &val), a copy of `val`
 * (which must be `elem_size` bytes) is put there and the channel is
 * closed; when it ends with GO_END, or with a value of another size, the
 * channel is just closed.
 *
 * `*out` gets a reference that is yours (release it with ca_chan_free).
 * Until the block finishes, every call gives a new reference to the same
 * channel, and an `elem_size` different from an earlier call's is refused.
 * Asking after the block has finished still works, but each such call
 * gets a channel of its own, already holding the result and closed (the
 * value is read from your struct, which must still hold it).
 *
 * `CA_EINVAL` for NULL arguments or a mismatched `elem_size`, `CA_ERANGE`
 * for an `elem_size` over `CA_MAX_ELEM_SIZE`, `CA_ENOMEM`.
 */
int ca_go_result(ca_go *g, size_t elem_size, ca_chan **out);
#endif

/**
 * Uses `ch`, a channel of yours, as the block's result channel (the way
 * to have one without malloc). It must have a buffer, so that the result
 * never waits: when the block ends it offers its value there (a full
 * fixed buffer drops it) and then closes `ch`, so do not share `ch` with
 * anything else. The block holds a reference until then. `CA_EBUSY` if
 * the block already has a result channel; `CA_EINVAL` for NULL arguments
 * or an unbuffered `ch`; `CA_EBADCHAN`, `CA_ERANGE` as ca_chan_retain().
 */
int ca_go_set_result(ca_go *g, ca_chan *ch);

/** The scheduler `g` runs on, e.g. to start children from inside a block
 * with ca_go_start(ca_go_sched(g), ...). NULL before it was started and
 * after it has finished. */
ca_sched *ca_go_sched(ca_go *g);

/* ------------------------------------------------------------------ DSL */

/** The outcome of the last op: `CA_OK`, `CA_CLOSED`, or a `CA_E...` code. */
#define CA_GO_STATUS(g) ((int)(g)->u.w.status)

/** True when the last TAKE got no value, PUT was not accepted, or ALTS
 * chose a take or put that did not happen (closed, or an error). */
#define CA_GO_CLOSED(g) ((g)->u.w.status != CA_OK)

/** The number of the case the last ALTS chose (meaningless when the ALTS
 * failed with an error: check GO_STATUS first). */
#define CA_GO_ALT(g) ((int)(g)->u.w.index)

/* Internal: the calls behind the macros, and their "parked" answer. The
 * shared library exports them (they are called from your code) but they
 * are not part of the API. */
#define CA__PARK 0x70
int ca__waiter_op(ca_waiter *w, ca_chan *ch, const void *val, int take);
int ca__go_alts(ca_go *g, ca_alt *cases, size_t n, int flags,
                const ca_go_site *site);
void ca__go_alts_end(ca_go *g, ca_alt *cases, size_t n);
int ca__go_sleep(ca_go *g, uint32_t ms, const ca_go_site *site);
int ca__go_done(ca_go *g, const void *val, size_t size);

#define CA__CAT2(a, b) a##b
#define CA__CAT(a, b) CA__CAT2(a, b)

#if !CA_CONFIG_COMPUTED_GOTO
/* Portable resume points: GO_BEGIN opens a switch on the line where the
 * block parked, and every parking op leaves a `case __LINE__:` behind it.
 * The label sits in an `if (0)` block, so straight-line code never falls
 * into it (no -Wimplicit-fallthrough). */
#define CA__GO_SITE(op, expr)                                                \
    static const ca_go_site ca__site = {__FILE__, __func__, op, expr,       \
                                        __LINE__}
#define CA_GO_BEGIN(g)                                                       \
    switch ((g)->site != NULL ? (g)->site->line : 0u) {                      \
    case 0:
#define CA__GO_RESUME(stmt)                                                  \
    if (0) {                                                                 \
    case __LINE__:                                                           \
        stmt;                                                                \
    }
#define CA_GO_END(g)                                                         \
    }                                                                        \
    return ca__go_done((g), NULL, 0)
#else
/* GCC/Clang labels as values: the resume point is a label's address, so a
 * parking op may sit inside a switch of yours. __extension__ and a
 * diagnostic pragma keep -Wpedantic quiet about the extension, for your
 * code too. */
#define CA__GO_SITE(op, expr)                                                \
    static const ca_go_site ca__site = {__FILE__, __func__, op, expr,       \
                                        __LINE__,                            \
                                        __extension__ &&CA__CAT(ca__resume_, \
                                                                __LINE__)}
/* The label at the top has its address taken so that a block with no
 * parking op still has one (clang refuses an indirect goto without). */
#define CA_GO_BEGIN(g)                                                       \
    do {                                                                     \
        _Pragma("GCC diagnostic push")                                      \
        _Pragma("GCC diagnostic ignored \"-Wpedantic\"")                    \
        static void *const ca__go_top = &&ca__go_top_label;                  \
        (void)ca__go_top;                                                    \
        if ((g)->site != NULL)                                               \
            goto *(g)->site->label;                                          \
        _Pragma("GCC diagnostic pop")                                       \
    } while (0);                                                             \
    ca__go_top_label:
#define CA__GO_RESUME(stmt)                                                  \
    if (0) {                                                                 \
        CA__CAT(ca__resume_, __LINE__) :                                     \
            stmt;                                                            \
    }
#define CA_GO_END(g) return ca__go_done((g), NULL, 0)
#endif

/* The site is stored first: once its waiter is queued, the block may be
 * woken (on another thread) at any moment. */
#define CA__GO_CHAN(g, ch, val, take, op)                                    \
    do {                                                                     \
        CA__GO_SITE(op, #ch);                                                \
        (g)->site = &ca__site;                                               \
        if (ca__waiter_op(&(g)->u.w, (ch), (val), (take)) == CA__PARK)       \
            return CA_GO_PARKED;                                             \
        CA__GO_RESUME((void)0)                                               \
    } while (0)

#define CA_TAKE(g, ch, dst) CA__GO_CHAN(g, ch, dst, 1, "TAKE")
#define CA_PUT(g, ch, src) CA__GO_CHAN(g, ch, src, 0, "PUT")

#define CA_ALTS(g, cases, n, flags)                                          \
    do {                                                                     \
        CA__GO_SITE("ALTS", #cases);                                         \
        if (ca__go_alts((g), (cases), (n), (flags), &ca__site) == CA__PARK)  \
            return CA_GO_PARKED;                                             \
        CA__GO_RESUME(ca__go_alts_end((g), (cases), (n)))                    \
    } while (0)

#define CA_SLEEP(g, ms)                                                      \
    do {                                                                     \
        CA__GO_SITE("SLEEP", #ms);                                           \
        if (ca__go_sleep((g), (ms), &ca__site) == CA__PARK)                  \
            return CA_GO_PARKED;                                             \
        CA__GO_RESUME((void)0)                                               \
    } while (0)

#define CA_YIELD(g)                                                          \
    do {                                                                     \
        CA__GO_SITE("YIELD", "");                                            \
        (g)->site = &ca__site;                                               \
        return CA_GO_YIELDED;                                                \
        CA__GO_RESUME((void)0)                                               \
    } while (0)

/** Ends the block with a result: a copy of `*(val)` goes to its result
 * channel, if it has one. `val` must point into your struct (it is read
 * again if the result channel is asked for later). */
#define CA_GO_RETURN(g, val) return ca__go_done((g), (val), sizeof *(val))

#if !defined(CA_NO_SHORT_NAMES)
#define GO_BEGIN CA_GO_BEGIN
#define GO_END CA_GO_END
#define GO_RETURN CA_GO_RETURN
#define GO_STATUS CA_GO_STATUS
#define GO_CLOSED CA_GO_CLOSED
#define GO_ALT CA_GO_ALT
#define TAKE CA_TAKE
#define PUT CA_PUT
#define ALTS CA_ALTS
#define SLEEP CA_SLEEP
#define YIELD CA_YIELD
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_GO_H */
