/*
** coreasync/shorthand.h: shorter ways to write the usual things: a go
** body that names its own struct, a loop over a channel, a spawn that
** allocates the struct, a typed channel. See ca_shorthand(3).
** MIT licence, see COPYING.
*/
#ifndef COREASYNC_SHORTHAND_H
#define COREASYNC_SHORTHAND_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <coreasync/alts.h>
#include <coreasync/chan.h>
#include <coreasync/go.h>
#include <coreasync/sched.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Each of these is a plain macro over the functions of go.h and chan.h:
 * nothing here can do what those cannot, it only takes fewer lines and no
 * cast. They assume the convention of every example: your struct's first
 * member is the header, named `go` (`ca_go go;`), and GCC and Clang
 * refuse at compile time a struct where it is not.
 *
 * | shorthand                            | stands for                      |
 * |--------------------------------------|---------------------------------|
 * | `GO_STATE(name, fields)`             | `struct name { ca_go go; fields }` |
 * | `GO_BEGIN_SELF(g, type, p)`          | `type *p = (type *)g; GO_BEGIN(g)` |
 * | `TAKE_EACH(g, ch, dst) body`         | `for (;;) { TAKE(g, ch, dst); if (GO_CLOSED(g)) break; body }` |
 * | `CA_GO_SPAWN(s, type, fn, .f = v...)`| ca_go_new(), fill it, ca_go_start() |
 * | `CA_CHAN_NEW(&ch, type, cap)`        | ca_chan_new() of `sizeof(type)`, `CA_FIXED` (0: unbuffered) |
 * | `ALTS_OF(g, cases, flags, CASE...)`  | fill `cases` with the ca_alt_*() calls, then ALTS |
 */

/* The header must come first and be called `go`: ca_go_new() puts it at
** the start of what it allocates, and GO_BEGIN_SELF finds your struct
** there. */
#define CA__GO_FIRST(type)                                                   \
    CA__CHECK(CA_GO_STRUCT_MUST_BEGIN_WITH_CA_GO_GO, offsetof(type, go) != 0)

/** Declares `struct name`, a go block's struct: the header first, named
 * `go`, then `fields`, declarations each ending in `;`:
 * `GO_STATE(filter, ca_chan *in, *out; int prime, n;);` */
#define CA_GO_STATE(name, ...)                                               \
    struct name {                                                            \
        ca_go go;                                                            \
        __VA_ARGS__                                                          \
    }

/** Opens a go body, as GO_BEGIN does, and declares `p`, a `type *` that
 * points at the struct around `g`. */
#define CA_GO_BEGIN_SELF(g, type, p)                                         \
    type *const p =                                                          \
        CA__CAST(type *, CA__CAST(void *, (g) + CA__GO_FIRST(type)));        \
    CA_GO_BEGIN(g)

/* The body of TAKE_EACH is reached by a jump into the `else` branch, so
** that the macro can both run the TAKE first and leave the body as the
** statement that follows it (one label per line, like the op's). */
#define CA__EACH_BODY CA__CAT(ca__each_body_, __LINE__)

/** Go's `for v := range ch`: takes from `ch` into `*dst` and runs the
 * statement that follows for each value, until the channel is closed and
 * drained. It is a parking op (the TAKE of each turn), so everything in
 * go.h's WARNINGS holds for it. `break` and `continue` work as in any
 * loop. After the loop, GO_ERROR(g) tells an error (the TAKE was
 * refused, e.g. for a size mismatch) from the end of the stream. */
#define CA_TAKE_EACH(g, ch, dst)                                             \
    for (;;)                                                                 \
        if (1) {                                                             \
            CA_TAKE(g, ch, dst);                                             \
            if (CA_GO_CLOSED(g))                                             \
                break;                                                       \
            goto CA__EACH_BODY;                                              \
        } else                                                               \
            CA__EACH_BODY:

#if CA_HAVE_MALLOC
/**
 * Allocates a go block's struct (as ca_go_new), copies into it
 * everything of `*init` that follows the header (`size` bytes in all;
 * NULL `init`: all zero), and starts it running `fn` on `s` (NULL: the
 * default scheduler). The scheduler frees the struct when the block
 * ends. Returns `CA_OK`; `CA_EINVAL` for a NULL `fn`, a `size` under
 * `sizeof(ca_go)`, or a scheduler that is not live; `CA_ENOMEM`.
 * Nothing is allocated when it fails.
 */
int ca_go_spawn(ca_sched *s, ca_go_fn fn, const void *init, size_t size);

/** Starts `fn` on a new `type`, its fields given as designated
 * initialisers (at least one; the header is left out):
 * `CA_GO_SPAWN(NULL, struct worker, worker, .in = ch, .id = 3)`. */
#define CA_GO_SPAWN(s, type, fn, ...)                                        \
    ca_go_spawn((s), (fn), &(type){__VA_ARGS__},                             \
                sizeof(type) + CA__GO_FIRST(type))

/** A channel of `type` values (so that TAKE and PUT of a `type` fit it):
 * `cap` of them buffered, or unbuffered for 0. As ca_chan_new(). */
#define CA_CHAN_NEW(out, type, cap)                                          \
    ca_chan_new((out), (cap) != 0 ? CA_FIXED : CA_UNBUFFERED, (cap),        \
                sizeof(type))
#endif

/** ALTS cases as one initialiser list. Each CA_CASE_* is a `ca_alt`
 * value; ALTS_OF copies them into `cases`, an array in your block's
 * struct (at least as long: checked when it compiles), and runs the ALTS:
 *
 *     ALTS_OF(g, f->cases, 0, CA_CASE_TAKE(f->in, &f->v),
 *             CA_CASE_DEADLINE(50));
 *
 * The ALTS checks the cases as ca_alt_take() and the others would:
 * `CA_EINVAL` for a NULL channel or destination, `CA_ERANGE` for a delay
 * past `CA_MAX_DELAY`, in GO_STATUS(g). The cases are new every time, so
 * the ALTS sorts their channels every time: a loop over the same
 * channels fills its cases once and calls ALTS (alts.h, "Reusing
 * cases"). */
#define CA_CASE_TAKE(ch, dst)                                                \
    {.u.w.val = (void *)(dst), .chan = (ch), .kind = CA__ALT_TAKE}
#define CA_CASE_PUT(ch, val)                                                 \
    {.u.w.val = (void *)(uintptr_t)(const void *)(val), .chan = (ch),       \
     .kind = CA__ALT_PUT}
#define CA_CASE_DEADLINE(ms_) {.ms = (uint32_t)(ms_), .kind = CA__ALT_DEADLINE}
#define CA_CASE_DEFAULT() {.kind = CA__ALT_DEFAULT}
#define CA_CASE_OFF() {.kind = CA__ALT_OFF}

/* The cases, as a compound literal (C99), and how many. */
#define CA__CASES(...) ((const ca_alt[]){__VA_ARGS__})
#define CA__NCASES(...) (sizeof CA__CASES(__VA_ARGS__) / sizeof(ca_alt))

/* The copy is made before the ALTS and never on resume: the resume point
** is the ALTS's own, inside this block. */
#define CA_ALTS_OF(g, cases, flags, ...)                                     \
    do {                                                                     \
        (void)sizeof(char[sizeof(cases) >= sizeof CA__CASES(__VA_ARGS__)    \
                              ? 1                                            \
                              : -1]);                                        \
        memcpy((cases), CA__CASES(__VA_ARGS__), sizeof CA__CASES(__VA_ARGS__)); \
        CA_ALTS((g), (cases), CA__NCASES(__VA_ARGS__), (flags));            \
    } while (0)

#if !defined(CA_NO_SHORT_NAMES)
#define GO_STATE CA_GO_STATE
#define GO_BEGIN_SELF CA_GO_BEGIN_SELF
#define TAKE_EACH CA_TAKE_EACH
#define ALTS_OF CA_ALTS_OF
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_SHORTHAND_H */
