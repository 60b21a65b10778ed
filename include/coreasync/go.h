/*
** coreasync/go.h: go blocks, core.async's `go`, as stackless C functions.
** See ca_go(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_GO_H
#define COREASYNC_GO_H

#include <stddef.h>
#include <string.h> /* memcpy: the inline part of TAKE and PUT */

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
 *         int prime, n, err;
 *     };
 *
 *     static int filter(ca_go *g)
 *     {
 *         struct filter *f = (struct filter *)g;
 *         GO_BEGIN(g);
 *         for (;;) {
 *             TAKE(g, f->in, &f->n);  // parks until a value or close
 *             if (GO_CLOSED(g))       // no value: closed, or an error
 *                 break;
 *             if (f->n % f->prime != 0) {
 *                 PUT(g, f->out, &f->n);
 *                 if (GO_CLOSED(g))   // not taken: closed, or an error
 *                     break;
 *             }
 *         }
 *         if (GO_ERROR(g))            // which? an error is not the end
 *             f->err = GO_STATUS(g);  // of the stream: keep it, report it
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
 * | `TAKE_BYTES(g, ch, buf)`     | `<!`              | as TAKE, into a `void *` buffer |
 * | `PUT_BYTES(g, ch, buf)`      | `>!`              | as PUT, from a `void *` buffer |
 * | `TAKE_SIGNAL(g, ch)`         | `<!`              | as TAKE, on element size 0 |
 * | `PUT_SIGNAL(g, ch)`          | `>!`              | as PUT, on element size 0 |
 * | `ALTS(g, cases, n, flags)`   | `alts!`           | one case completes        |
 * | `SLEEP(g, ms)`               | `(<! (timeout ms))` | ms have passed          |
 * | `SLEEP_UNTIL(g, tick)`       |                   | the clock reaches tick    |
 * | `YIELD(g)`                   |                   | the others had a turn     |
 * | `GO_RETURN(g, &val)`         | the body's value  | (ends the block)          |
 *
 * A put reads `*src` when its value is handed over, and a take writes
 * `*dst` when one arrives, both possibly while the block is parked: keep
 * them in your struct.
 *
 * # Element sizes
 *
 * TAKE and PUT pass the size of `*dst` and `*src`, and a channel refuses
 * a value of another size than its elements' with `CA_EINVAL` (the op
 * does nothing, and the block does not park): a TAKE into a `short` from
 * a channel of `int` is an error, not a write past the short. With GCC
 * and Clang, a TAKE into a `const` destination, and a TAKE or PUT
 * through a `void *` (whose size the macro cannot know) or NULL, do not
 * compile, and the error names the rule. For `void *` buffers, TAKE_BYTES
 * and PUT_BYTES skip the check: the buffer must hold an element. For
 * channels of element size 0, which carry nothing but the fact of a put
 * (a timeout, a "done" signal), TAKE_SIGNAL and PUT_SIGNAL.
 *
 * # Outcomes
 *
 * After each op, GO_STATUS(g) is its code, and three tests read it:
 *
 * | test          | GO_STATUS(g) is      | the op...                         |
 * |---------------|----------------------|-----------------------------------|
 * | `GO_OK(g)`    | `CA_OK`              | happened: a value came, a put was taken |
 * | `GO_CLOSED(g)`| anything else        | did not: the channel was closed, or an error |
 * | `GO_ERROR(g)` | a negative `CA_E...` | was refused with an error, and did nothing |
 *
 * GO_CLOSED means "no value" on purpose, not "CA_CLOSED only": a loop
 * that breaks on it never uses a value that did not come, whatever the
 * reason, and ends instead of spinning when an op is refused every time.
 * (Were it true for a close alone, every loop written as
 * `if (GO_CLOSED(g)) break;` would carry on after an error with a stale
 * or half-written value.) What it does not tell is why; GO_ERROR does,
 * after the loop, as ferror() does after a read loop: an error is a bug
 * (`CA_EINVAL`, `CA_EBADCHAN`) or an overload (`CA_EFULL`), never the end
 * of the stream. `GO_ALT(g)` is the number of the case an ALTS chose.
 *
 * # WARNINGS: the limits of stackless go blocks, and their remedies
 *
 * - **Locals do not survive a park.** Any parking op returns from your
 *   function. Keep what you need afterwards in your struct.
 * - **No parking op inside a `switch` of yours** (in the default build).
 *   The op's resume point is a `case` label, and inside your `switch` it
 *   belongs to yours: when the block resumes, GO_BEGIN's switch has no
 *   case for it. The block is then *lost*: it stays parked for ever with
 *   GO_STATUS `CA_ELOST`, so the scheduler cannot finish: ca_sched_run()
 *   and ca_sched_step() return `CA_ELOST` where they would have returned
 *   `CA_EDEADLOCK`, and ca_sched_dump() names the op, its file and line. Use if/else, or build with `CA_CONFIG_COMPUTED_GOTO` (GCC
 *   and Clang), which has no such limit.
 * - **One parking op per source line.** The line number is the resume
 *   point; two ops on one line do not compile (duplicate case value).
 * - **No parking inside a function you call.** Only the go function's own
 *   body, between GO_BEGIN and GO_END, can park: anywhere else a parking
 *   op does not compile, in either variant, and the compiler's complaint
 *   is an undeclared `CA_PARKING_OP_OUTSIDE_GO_BODY`. Make the callee a go
 *   block of its own, start it, and TAKE from its result channel
 *   (ca_go_result), as in core.async.
 * - **No `return` of your own** between GO_BEGIN and GO_END: end with
 *   GO_END or GO_RETURN. GO_END must close the body even when every path
 *   ends in GO_RETURN: it closes the block that GO_BEGIN opens (without
 *   it the compiler's errors make little sense).
 * - **What an op points at must outlive the park**: ALTS's `cases` (the
 *   library keeps the pointer and the count while the block waits, and
 *   cleans them up on resume), the destination of TAKE (the value lands
 *   there while the block is parked) and the source of PUT: all in your
 *   struct, never locals.
 * - **One function per go body.** A parked block keeps no pointer to its
 *   function: the site it parked at names it, learned by GO_BEGIN when a
 *   block starts. Start a body always through the same function (itself,
 *   or always the same wrapper); started both ways, blocks resume through
 *   whichever started last (--enable-debug aborts there, naming GO_BEGIN).
 *   Not a rule with CA_CONFIG_TINY_GO, which keeps the function.
 * - **Return what the macros return, at once.** A parking op returns from
 *   your function with the channel (or the ALTS's channels) still locked,
 *   and the scheduler unlocks them once your function has returned, so
 *   that nobody can wake the block while it still runs. A wrapper that
 *   calls a go function and works on after it parked runs with those
 *   locks held; one that touches the channel deadlocks. Returning
 *   `CA_GO_PARKED` with no parking op behind it loses the block
 *   (`CA_ELOST`, as below).
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
 * its file, line, function, the op it waits in, and the function to call
 * to resume it. */
typedef struct ca_go_site {
    const char *file;       /* __FILE__                                   */
    const char *func;       /* __func__: the go block's name              */
    const char *op;         /* "TAKE", "PUT", "ALTS", "SLEEP", "YIELD",   */
                            /* "SLEEP_UNTIL"                              */
    const char *expr;       /* the channel or cases argument, as written  */
    ca_go_fn *self;         /* the function started on this body: set by  */
                            /* GO_BEGIN when a block starts (ca_go(3))    */
    unsigned line;          /* __LINE__: the resume point                 */
    void *label;            /* the resume point as a label address; NULL  */
                            /* where the switch resumes (a file may choose */
                            /* either, so every file's sites have it)     */
} ca_go_site;

/**
 * The go-block header: the first member of your struct. Zero it (or let
 * it be static) before the first ca_go_start(). Private fields; use the
 * macros and functions below.
 */
struct ca_go {
    union {
        ca_waiter w;        /* the take or put it waits in; the outcome;  */
                            /* with CA_CONFIG_TINY_GO, u.w.line is where  */
                            /* it parked last (0 before it ran)           */
        ca_timer t;         /* or the timer it sleeps on                  */
    } u;
#if CA_CONFIG_TINY_GO
    ca_go_fn fn;            /* its function                               */
#else
    const ca_go_site *site; /* where it parked last, whose `self` names   */
                            /* its function; before its first op, the     */
                            /* start (its function is then in u.w.u)      */
#if !CA_HAVE_MALLOC         /* else in a table beside it (src/result.c)   */
    ca_chan *result;        /* result channel, made on demand             */
#endif
    ca_go *prev, *next;     /* its scheduler's list of live blocks        */
#endif
};

/**
 * Starts go block `g` running `fn` on scheduler `s` (NULL: the default
 * scheduler). Never allocates, and never runs `fn` before returning: the
 * block starts when the scheduler next runs, even when ca_go_start() is
 * called from inside another go block (as core.async's `go` does).
 *
 * `g` (and the struct around it) must stay valid until the block has
 * finished; then it may be started again. Returns `CA_OK`, `CA_EINVAL`
 * for NULL arguments or a scheduler that is not live (never initialised,
 * or destroyed), `CA_EBUSY` if `g` was started and has not finished.
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
 * for an `elem_size` over `CA_MAX_ELEM_SIZE`, `CA_ENOMEM`; `CA_EFULL`
 * with CA_CONFIG_TINY_GO when CA_CONFIG_MAX_RESULTS blocks already have
 * a result channel (config.h).
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
 * or an unbuffered `ch`; `CA_EBADCHAN`, `CA_ERANGE` as ca_chan_retain();
 * `CA_EFULL` as ca_go_result(); `CA_ENOMEM` in a build with malloc, where
 * result channels live in a table beside the blocks, when it could not
 * grow.
 */
int ca_go_set_result(ca_go *g, ca_chan *ch);

/** The scheduler `g` runs on, e.g. to start children from inside a block
 * with ca_go_start(ca_go_sched(g), ...). NULL before it was started and
 * after it has finished. */
ca_sched *ca_go_sched(ca_go *g);

/* ------------------------------------------------------------------ DSL */

/** The outcome of the last op: `CA_OK`, `CA_CLOSED`, or a `CA_E...` code
 * (negative). `CA_OK` before the first op. */
#define CA_GO_STATUS(g) CA__CAST(int, (g)->u.w.status)

/** True when the last op did what it says: TAKE got a value, PUT was
 * accepted, the case ALTS chose happened, SLEEP slept. */
#define CA_GO_OK(g) ((g)->u.w.status == CA_OK)

/** True when the last op did *not* happen, for either reason: the channel
 * was closed (`CA_CLOSED`) or the op was refused with an error
 * (GO_ERROR). It is `!GO_OK(g)`: after a TAKE, "no value". A loop that
 * breaks on it never uses a value that did not arrive; GO_ERROR then
 * tells an error from the end of the stream. */
#define CA_GO_CLOSED(g) ((g)->u.w.status != CA_OK)

/** True when the last op was refused with an error (GO_STATUS is a
 * negative `CA_E...` code): a bug in the program (`CA_EINVAL` for a size
 * mismatch or a NULL channel, `CA_EBADCHAN`), or `CA_EFULL`. The op did
 * nothing and the block did not park. */
#define CA_GO_ERROR(g) ((g)->u.w.status < 0)

/** The number of the case the last ALTS chose (meaningless when the ALTS
 * failed with an error: check GO_ERROR first). */
#define CA_GO_ALT(g) CA__CAST(int, (g)->u.w.index)

/* Internal: the calls behind the macros, and their "parked" answer. The
 * shared library exports them (they are called from your code) but they
 * are not part of the API.
 *
 * ca__go_take, ca__go_put: one TAKE or PUT. `size` is the size of the
 * value as the macro knows it: the channel refuses (CA_EINVAL) one that
 * is not its element size, unless it is CA__ANY_SIZE (the _BYTES forms).
 * Two functions of four arguments rather than one with a direction flag:
 * each is specialised for its direction, and a fifth argument would be
 * passed on the stack on 32-bit ARM.
 * ca__go_lost: GO_BEGIN's trap for a resume point it cannot find. */
#define CA__PARK 0x70
#define CA__ANY_SIZE CA__CAST(size_t, -1)
int ca__go_take(ca_waiter *w, ca_chan *ch, void *dst, size_t size);
int ca__go_put(ca_waiter *w, ca_chan *ch, const void *src, size_t size);
/* ca__go_take_word, ca__go_put_word: the same for a value of a pointer's
** size (a long, a pointer), the usual one, which the macros pick when
** they compile: the entry needs no size to test, and copies with a move.
** Not in a build for size (CA_CONFIG_SMALL), whose image has the general
** entry points alone. */
#if !CA_CONFIG_SMALL
int ca__go_take_word(ca_waiter *w, ca_chan *ch, void *dst);
int ca__go_put_word(ca_waiter *w, ca_chan *ch, const void *src);
/* ca__go_take_fit, ca__go_put_fit: the same, for a caller that has
** tested what they would test first (the inline part below): ch and the
** value's pointer are not NULL and the element is a word. Each unbuffered
** op pays those tests once, not once in the user's code and again in
** the library's. */
int ca__go_take_fit(ca_waiter *w, ca_chan *ch, void *dst);
int ca__go_put_fit(ca_waiter *w, ca_chan *ch, const void *src);
#endif
int ca__go_lost(ca_go *g);
/* Where a parking op is, as the ops pass it: its site record, or with
 * CA_CONFIG_TINY_GO its line alone (config.h). */
#if CA_CONFIG_TINY_GO
typedef unsigned ca__site_ref;
#define CA__SITE_REF __LINE__
#define CA__GO_SET_SITE(g, ref)                                              \
    ((g)->u.w.line = CA__CAST(unsigned short, ref))
#else
typedef const ca_go_site *ca__site_ref;
#define CA__SITE_REF (&ca__site)
#define CA__GO_SET_SITE(g, ref) ((g)->site = (ref))
/* Before its first op, a block's site is this one: line 0 (GO_BEGIN's
 * start), no label, and a function that calls the one ca_go_start() left
 * in u.w.u.go_fn. An op replaces it before anyone can wake the block. */
extern const ca_go_site ca__go_fresh;
/* Where it parked last, or NULL before its first op (the start is the
 * only site of line 0: tested so, it needs no link to go.c's layer). */
#define CA__GO_SITE_OF(g)                                                    \
    ((g)->site->line != 0 ? (g)->site : (const ca_go_site *)0)
/* GO_BEGIN, when a block starts: the body's `self` (one per go function,
 * which its sites point at) learns the function the block was started
 * with, so that a parked block needs no field for it. The first start
 * sets it; after that this is a load and a compare. */
#if defined(__GNUC__) && CA_HAVE_THREADS
#define CA__SELF_LOAD(cell) __atomic_load_n((cell), __ATOMIC_RELAXED)
#else
#define CA__SELF_LOAD(cell) (*(cell))
#endif
void ca__go_learn(ca_go *g, ca_go_fn *self);
#define CA__GO_LEARN(g, cell)                                                \
    (CA__SELF_LOAD(cell) != (g)->u.w.u.go_fn ? ca__go_learn((g), (cell))     \
                                             : (void)0)
#endif

/* The word's commonest case, inline in your code as getc reads FILE's
** buffer: a value into or out of a ring (a fixed buffer, live, open,
** without a transform, not for interrupts) whose other side has no
** waiter, with room for a put and a value for a take. That needs no
** call: the ring's own arithmetic (chan.h), the copy, the status. All
** else (a hand-off, a park, the other kinds, a full or empty ring) is
** the call, as before, which decides from the start. With threads, only
** in a process of one thread (CA__ALONE): nothing can race it there, so
** it takes no lock, and it runs no code of the user's that could make a
** thread meanwhile. The library's own out-of-line path takes the same
** decisions (src/chan.c's fast_op). Nor does it store the op's site,
** which only a block that parks needs (the way to the call stores it).
**
** Not in a build for size (CA_CONFIG_SMALL, or your code at -Os: each
** TAKE and PUT site would grow), nor in one with the trace (whose events
** the call records), nor at -O0 (nothing is inlined there). Defining
** CA__GO_INLINE as 0 or 1 before including coreasync.h decides for a
** file (test/test_inline.c forces it on, to run it in every build). */
#if !CA_CONFIG_SMALL && !defined(CA__GO_INLINE)
#if !CA_CONFIG_TRACE && defined(__GNUC__) && defined(__OPTIMIZE__) &&      \
    !defined(__OPTIMIZE_SIZE__) && CA__HAVE_ALONE
#define CA__GO_INLINE 1
#else
#define CA__GO_INLINE 0
#endif
#endif

#if !CA_CONFIG_SMALL && CA__GO_INLINE
/* A debug build of the library, and the tests built with it, define
** CA_DEBUG: a lock byte found held then takes the call, whose check
** (src/lock.h's CA__MARK_LOCK) reports the lock leaked. */
#if CA_HAVE_THREADS && defined(CA_DEBUG) && CA_DEBUG
#define CA__GO_UNLOCKED(ch) ((ch)->lock == 0)
#else
#define CA__GO_UNLOCKED(ch) 1
#endif
/* A test's count of the ops the inline part did (test/test_inline.c). */
#if !defined(CA__GO_INLINE_HIT)
#define CA__GO_INLINE_HIT(take) ((void)0)
#endif

/* ch, not NULL and a channel of words, is a ring the inline part may
** use. First what sends an unbuffered channel, the usual other one, to
** the call at once: it has no ring storage, and `buf`, set by the init,
** may be read without the lock. Told unlikely, so that the compiler makes
** the way to the call the straight one, which every unbuffered op takes.
** Then alone: with another thread, no field the lock guards may be read
** without it. The flags in one compare: the kind, LIVE, and neither
** CLOSED, XF nor ISR (OWNED, set for a channel of ca_chan_new, does not
** matter). */
static inline int ca__go_ring(const ca_chan *ch)
{
    return __builtin_expect(!!ch->buf, 0) && CA__ALONE() &&
           (ch->flags | CA__CH_OWNED) ==
               (CA__CH_OWNED | CA__CH_LIVE | CA_FIXED) &&
           CA__GO_UNLOCKED(ch);
}

/* The value is copied through a local (a register): read before the
** ring or the destination is written, as either may be anywhere for all
** the compiler knows, and the ring's fields are stored from registers.
** What the first test passes, the fit entry need not test again; what it
** refuses (a NULL, a size not the channel's, a freed channel's garbage)
** the word entry reports.
** (Pointers tested as truth values and counts stepped with ++ and --, no
** NULL and no casts: C++ users' -Wzero-as-null-pointer-constant,
** -Wold-style-cast and -Wuseless-cast see this code.) */
static inline int ca__go_take_inline(ca_go *g, ca__site_ref site,
                                     ca_chan *ch, void *dst)
{
    if (!ch || !dst || ch->elem_size != sizeof(void *)) {
        CA__GO_SET_SITE(g, site);
        return ca__go_take_word(&g->u.w, ch, dst);
    }
    if (ca__go_ring(ch) && ch->count != 0 &&
        !ch->putters) { /* a waiting put would refill the slot */
        ca__ring_ix at = ch->head, count = ch->count;
        unsigned char v[sizeof(void *)];

        memcpy(v, ca__ring_at(ch, at, sizeof v), sizeof v);
        ch->head = ca__ring_next(ch, at);
        ch->count = --count;
        memcpy(dst, v, sizeof v);
        g->u.w.status = CA_OK;
        CA__GO_INLINE_HIT(1);
        return CA_OK;
    }
    CA__GO_SET_SITE(g, site);
    return ca__go_take_fit(&g->u.w, ch, dst);
}

static inline int ca__go_put_inline(ca_go *g, ca__site_ref site,
                                    ca_chan *ch, const void *src)
{
    if (!ch || !src || ch->elem_size != sizeof(void *)) {
        CA__GO_SET_SITE(g, site);
        return ca__go_put_word(&g->u.w, ch, src);
    }
    if (ca__go_ring(ch) && ch->count < ch->cap && !ch->takers) {
        ca__ring_ix count = ch->count;
        unsigned char v[sizeof(void *)];

        memcpy(v, src, sizeof v);
        memcpy(ca__ring_slot_n(ch, count, sizeof v), v, sizeof v);
        ch->count = ++count;
        g->u.w.status = CA_OK;
        CA__GO_INLINE_HIT(0);
        return CA_OK;
    }
    CA__GO_SET_SITE(g, site);
    return ca__go_put_fit(&g->u.w, ch, src);
}
#define CA__GO_TAKE_WORD ca__go_take_inline
#define CA__GO_PUT_WORD ca__go_put_inline
#elif !CA_CONFIG_SMALL
#define CA__GO_TAKE_WORD(g, site, ch, dst)                                   \
    (CA__GO_SET_SITE(g, site), ca__go_take_word(&(g)->u.w, (ch), (dst)))
#define CA__GO_PUT_WORD(g, site, ch, src)                                    \
    (CA__GO_SET_SITE(g, site), ca__go_put_word(&(g)->u.w, (ch), (src)))
#endif

/* The calls behind TAKE and PUT, each with the op's site, which the call
** stores before it can park (the inline part needs none). */
#define CA__GO_TAKE_ANY(g, site, ch, buf, size)                              \
    (CA__GO_SET_SITE(g, site), ca__go_take(&(g)->u.w, (ch), (buf), (size)))
#define CA__GO_PUT_ANY(g, site, ch, buf, size)                               \
    (CA__GO_SET_SITE(g, site), ca__go_put(&(g)->u.w, (ch), (buf), (size)))
#if !CA_CONFIG_SMALL
#define CA__GO_TAKE(g, site, ch, dst, size)                                  \
    ((size) == sizeof(void *) ? CA__GO_TAKE_WORD(g, site, ch, dst)           \
                              : CA__GO_TAKE_ANY(g, site, ch, dst, size))
#define CA__GO_PUT(g, site, ch, src, size)                                   \
    ((size) == sizeof(void *) ? CA__GO_PUT_WORD(g, site, ch, src)            \
                              : CA__GO_PUT_ANY(g, site, ch, src, size))
#else
#define CA__GO_TAKE CA__GO_TAKE_ANY
#define CA__GO_PUT CA__GO_PUT_ANY
#endif

int ca__go_alts(ca_go *g, ca_alt *cases, size_t n, int flags,
                ca__site_ref site);
void ca__go_alts_end(ca_go *g);
int ca__go_sleep(ca_go *g, uint32_t ms, ca__site_ref site);
int ca__go_sleep_until(ca_go *g, uint32_t tick, ca__site_ref site);
int ca__go_done(ca_go *g, const void *val, size_t size);

#define CA__CAT2(a, b) a##b
#define CA__CAT(a, b) CA__CAT2(a, b)

/* The go body's marker. GO_BEGIN declares it, as an enum constant (which
 * no compiler calls unused), in a block that GO_END closes; every parking
 * op refers to it. An op anywhere else (in a function you call, before
 * GO_BEGIN, after GO_END) then fails to compile in both variants, and the
 * compiler's "undeclared identifier" names the rule. The op's check is a
 * declaration that comes before its site record, so that this is the
 * first error, not one about the site's `ca__go_self`. */
#define CA__GO_BODY_MARKER                                                   \
    enum { CA_PARKING_OP_OUTSIDE_GO_BODY = 0 }
#define CA__IN_GO_BODY()                                                     \
    enum { CA__CAT(ca__in_go_body_, __LINE__) =                              \
               CA_PARKING_OP_OUTSIDE_GO_BODY }

#if !CA_CONFIG_COMPUTED_GOTO
/* Portable resume points: GO_BEGIN opens a switch on the line where the
 * block parked, and every parking op leaves a `case __LINE__:` behind it.
 * The label sits in an `if (0)` block, so straight-line code never falls
 * into it (no -Wimplicit-fallthrough). A line that has no case in this
 * switch (the op's label went to a switch of yours) lands on the
 * `default:`, which reports the block lost (see ca_go(3), WARNINGS).
 * CA_CONFIG_TINY_GO keeps the line alone, in 16 bits: an op past line
 * 65535 does not compile (a division by zero in a constant). */
#if CA_CONFIG_TINY_GO
#define CA__GO_SITE(op, expr)                                                \
    enum { ca__site_line_fits = 1 / (__LINE__ <= 65535) }
#define CA__GO_LINE(g) ((g)->u.w.line)
#else
#define CA__GO_SITE(op, expr)                                                \
    static const ca_go_site ca__site = {__FILE__, __func__, op, expr,       \
                                        &ca__go_self, __LINE__, CA__NULL}
#define CA__GO_LINE(g) ((g)->site->line)
#define CA__GO_SELF static ca_go_fn ca__go_self
#define CA__GO_START(g) CA__GO_LEARN(g, &ca__go_self)
#endif
#if !defined(CA__GO_SELF)
#define CA__GO_SELF enum { ca__go_no_self = 0 }
#define CA__GO_START(g) ((void)0)
#endif
#define CA_GO_BEGIN(g)                                                       \
    switch (CA__GO_LINE(g)) {                                                \
        CA__GO_BODY_MARKER;                                                  \
        CA__GO_SELF;                                                         \
    default:                                                                 \
        return ca__go_lost(g);                                               \
    case 0:                                                                  \
        CA__GO_START(g);
#define CA__GO_RESUME(stmt)                                                  \
    if (0) {                                                                 \
    case __LINE__:                                                           \
        stmt;                                                                \
    }
#define CA_GO_END(g)                                                         \
    }                                                                        \
    return ca__go_done((g), CA__NULL, 0)
#else
/* GCC/Clang labels as values: the resume point is a label's address, so a
 * parking op may sit inside a switch of yours. __extension__ and a
 * diagnostic pragma keep -Wpedantic quiet about the extension, for your
 * code too. GO_BEGIN opens a block, as the switch does in the portable
 * variant, and GO_END closes it: the marker's scope is the body. */
#define CA__GO_SITE(op, expr)                                                \
    static const ca_go_site ca__site = {__FILE__, __func__, op, expr,       \
                                        &ca__go_self, __LINE__,              \
                                        __extension__ &&CA__CAT(ca__resume_, \
                                                                __LINE__)}
/* The label at the top has its address taken so that a block with no
 * parking op still has one (clang refuses an indirect goto without). */
#define CA_GO_BEGIN(g)                                                       \
    {                                                                        \
        CA__GO_BODY_MARKER;                                                  \
        static ca_go_fn ca__go_self;                                         \
        do {                                                                 \
            _Pragma("GCC diagnostic push")                                  \
            _Pragma("GCC diagnostic ignored \"-Wpedantic\"")                \
            static void *const ca__go_top = &&ca__go_top_label;              \
            (void)ca__go_top;                                                \
            if ((g)->site->label != CA__NULL)                                \
                goto *(g)->site->label;                                      \
            _Pragma("GCC diagnostic pop")                                   \
        } while (0);                                                         \
        CA__GO_LEARN(g, &ca__go_self);                                       \
    ca__go_top_label:
#define CA__GO_RESUME(stmt)                                                  \
    if (0) {                                                                 \
        CA__CAT(ca__resume_, __LINE__) :                                     \
            stmt;                                                            \
    }
#define CA_GO_END(g)                                                         \
    }                                                                        \
    return ca__go_done((g), CA__NULL, 0)
#endif

/* What TAKE and PUT pass as the size of the value, checked where the
 * compiler can: GCC and Clang refuse at compile time a TAKE whose
 * destination is const, and a TAKE or PUT through a `void *` (or NULL),
 * whose size the macro cannot know. The error names the rule: it is a
 * bit-field of that name with a negative width. Other compilers, and
 * C++, get the size alone (and must diagnose `sizeof` of void
 * themselves); a TAKE into const is still refused there, by ca__go_take's
 * `void *` parameter. */
#if defined(__GNUC__) && !defined(__cplusplus)
#define CA__CHECK(rule, bad)                                                 \
    (0 * sizeof(struct { int rule : 1 - 2 * !!(bad); }))
#define CA__CONST_TARGET(p)                                                  \
    __builtin_types_compatible_p(__typeof__(&*(p)), const __typeof__(*(p)) *)
#define CA__VOID_TARGET(p) __builtin_types_compatible_p(__typeof__(*(p)), void)
#else
#define CA__CHECK(rule, bad) 0
#endif
#define CA__TAKE_SIZE(dst)                                                   \
    (CA__CHECK(CA_TAKE_DESTINATION_IS_CONST, CA__CONST_TARGET(dst)) +        \
     CA__CHECK(CA_TAKE_DESTINATION_IS_VOID_USE_TAKE_BYTES_OR_TAKE_SIGNAL,    \
               CA__VOID_TARGET(dst)) +                                       \
     sizeof *(dst))
#define CA__PUT_SIZE(src)                                                    \
    (CA__CHECK(CA_PUT_SOURCE_IS_VOID_USE_PUT_BYTES_OR_PUT_SIGNAL,            \
               CA__VOID_TARGET(src)) +                                       \
     sizeof *(src))
#define CA__TAKE_BYTES_SIZE(buf)                                             \
    (CA__ANY_SIZE +                                                          \
     CA__CHECK(CA_TAKE_BYTES_BUFFER_IS_CONST, CA__CONST_TARGET(buf)))

/* Every parking op: its site record, the call that may park (it may use
 * ca__site), and the statement that runs on resume. */
#define CA__GO_OP(op, expr, call, resume)                                    \
    do {                                                                     \
        CA__IN_GO_BODY();                                                    \
        CA__GO_SITE(op, expr);                                               \
        if ((call) == CA__PARK)                                              \
            return CA_GO_PARKED;                                             \
        CA__GO_RESUME(resume)                                                \
    } while (0)

/* The site is stored first: once its waiter is queued, the block may be
 * woken (on another thread) at any moment. */
#define CA__GO_CHAN(g, ch, val, size, fn, op)                                \
    CA__GO_OP(op, #ch, fn(g, CA__SITE_REF, (ch), (val), (size)), (void)0)

/* TAKE and PUT check that the value's type has the channel's element
 * size (CA_EINVAL otherwise, without parking); the _BYTES forms skip the
 * check, for `void *` buffers of the right size; the _SIGNAL forms are
 * for channels of element size 0. */
#define CA_TAKE(g, ch, dst)                                                  \
    CA__GO_CHAN(g, ch, dst, CA__TAKE_SIZE(dst), CA__GO_TAKE, "TAKE")
#define CA_PUT(g, ch, src)                                                   \
    CA__GO_CHAN(g, ch, src, CA__PUT_SIZE(src), CA__GO_PUT, "PUT")
#define CA_TAKE_BYTES(g, ch, buf)                                            \
    CA__GO_CHAN(g, ch, buf, CA__TAKE_BYTES_SIZE(buf), CA__GO_TAKE_ANY, "TAKE")
#define CA_PUT_BYTES(g, ch, buf)                                             \
    CA__GO_CHAN(g, ch, buf, CA__ANY_SIZE, CA__GO_PUT_ANY, "PUT")
#define CA_TAKE_SIGNAL(g, ch)                                                \
    CA__GO_CHAN(g, ch, CA__NULL, 0, CA__GO_TAKE_ANY, "TAKE")
#define CA_PUT_SIGNAL(g, ch)                                                 \
    CA__GO_CHAN(g, ch, CA__NULL, 0, CA__GO_PUT_ANY, "PUT")

#define CA_ALTS(g, cases, n, flags)                                          \
    CA__GO_OP("ALTS", #cases,                                                \
              ca__go_alts((g), (cases), (n), (flags), CA__SITE_REF),         \
              ca__go_alts_end(g))

#define CA_SLEEP(g, ms)                                                      \
    CA__GO_OP("SLEEP", #ms, ca__go_sleep((g), (ms), CA__SITE_REF), (void)0)

/** Parks until the scheduler's clock reaches `tick`, a value on its
 * wrapping millisecond tick (ca_sched_now() gives the current one): an
 * absolute deadline. SLEEP(g, ms) waits at least ms from now, so a loop
 * of them drifts by the time its body takes and by the partial first
 * tick (a 10 ms loop runs at 11 ms); a loop that adds its period to the
 * last deadline and sleeps until it does not drift:
 *
 *     f->next = ca_sched_now(ca_go_sched(g));
 *     for (;;) {
 *         f->next += 10;               // every 10 ms, for ever
 *         SLEEP_UNTIL(g, f->next);
 *         sample(f);
 *     }
 *
 * A tick already reached (a late turn) carries on at once, without
 * parking, so a loop that fell behind catches up. GO_STATUS is `CA_OK`;
 * `CA_ERANGE` for a tick more than `CA_MAX_DELAY` ahead, `CA_ENOTSUP`
 * when the scheduler has no clock. */
#define CA_SLEEP_UNTIL(g, tick)                                              \
    CA__GO_OP("SLEEP_UNTIL", #tick,                                          \
              ca__go_sleep_until((g), (tick), CA__SITE_REF), (void)0)

#define CA_YIELD(g)                                                          \
    do {                                                                     \
        CA__IN_GO_BODY();                                                    \
        CA__GO_SITE("YIELD", "");                                            \
        CA__GO_SET_SITE(g, CA__SITE_REF);                                    \
        return CA_GO_YIELDED;                                                \
        CA__GO_RESUME((void)0)                                               \
    } while (0)

/** Ends the block with a result: a copy of `*(val)` goes to its result
 * channel, if it has one, taken when GO_RETURN runs, so `val` may point
 * at a local. The block has finished when its result can be seen: whoever
 * takes it may free the block's struct. A result channel asked for only
 * after the block finished reads `*(val)` then: for that, `val` must
 * point into your struct. */
#define CA_GO_RETURN(g, val) return ca__go_done((g), (val), sizeof *(val))

#if !defined(CA_NO_SHORT_NAMES)
#define GO_BEGIN CA_GO_BEGIN
#define GO_END CA_GO_END
#define GO_RETURN CA_GO_RETURN
#define GO_STATUS CA_GO_STATUS
#define GO_OK CA_GO_OK
#define GO_CLOSED CA_GO_CLOSED
#define GO_ERROR CA_GO_ERROR
#define GO_ALT CA_GO_ALT
#define TAKE CA_TAKE
#define PUT CA_PUT
#define TAKE_BYTES CA_TAKE_BYTES
#define PUT_BYTES CA_PUT_BYTES
#define TAKE_SIGNAL CA_TAKE_SIGNAL
#define PUT_SIGNAL CA_PUT_SIGNAL
#define ALTS CA_ALTS
#define SLEEP CA_SLEEP
#define SLEEP_UNTIL CA_SLEEP_UNTIL
#define YIELD CA_YIELD
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_GO_H */
