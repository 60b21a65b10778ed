/*
** coreasync/alts.h: choosing between operations (core.async's alts!).
** See ca_alts(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_ALTS_H
#define COREASYNC_ALTS_H

#include <stddef.h>
#include <stdint.h>

#include <coreasync/chan.h>
#include <coreasync/timer.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An ALTS waits on several operations at once and completes exactly one of
 * them. Each operation is a *case* in an array of `ca_alt` that you fill
 * with the ca_alt_*() functions, once (see "Reusing cases" below):
 *
 * - ca_alt_take(): take from a channel into `*dst`;
 * - ca_alt_put(): put `*val` into a channel; a put to a closed channel is
 *   ready at once and wins with status `CA_CLOSED`;
 * - ca_alt_deadline(): wins when `ms` milliseconds have passed and nothing
 *   else has; it needs neither a channel nor an allocation;
 * - ca_alt_default(): wins at once if no other case is ready right now;
 * - ca_alt_off(): a case that never wins (a hole you can fill later, like
 *   a nil channel in Go's select);
 * - ca_alt_fd(): wins when a file descriptor is ready (io.h), so that
 *   "data on the socket, a message on a channel, or a deadline" is one
 *   ALTS.
 *
 * When several cases are ready, one is chosen at random, each with the
 * same chance, unless `CA_ALTS_PRIORITY` is given: then the first ready
 * case in array order wins. A deadline of 0 and a default case win only
 * when no channel case is ready. When none is ready and the ALTS waits,
 * its cases are queued in a random order too (as core.async registers
 * them), so that of several cases on one channel each is as likely to be
 * served first; with `CA_ALTS_PRIORITY`, in array order.
 *
 * Every case must be filled in: a zeroed `ca_alt` is refused with
 * `CA_EINVAL`, as are flags other than `CA_ALTS_PRIORITY`.
 *
 * The result is the number of the winning case and its status (`CA_OK`;
 * `CA_CLOSED` for a take from a closed, drained channel or a put to a
 * closed one). Cases that lose leave nothing behind in any channel, so an
 * ALTS in a loop never runs into the pending-operation limit.
 *
 * One ALTS never matches its own put with its own take on the same
 * channel (as in Go): it waits for someone else. The same channel may
 * appear in several cases.
 *
 * In a go block use the ALTS macro (go.h); elsewhere ca_alts_blocking()
 * (blocking.h). The cases must stay valid, and unchanged, while the ALTS
 * waits: keep them in your go block's struct.
 *
 * Reusing cases: the same array may be passed to ALTS after ALTS as it
 * is, with no ca_alt_*() call in between. Fill a case again only when
 * its operation changes: another channel, `dst` or `val` (ca_alt_take,
 * ca_alt_put), switched off (ca_alt_off, e.g. once its channel closed)
 * or on again. A put reads `*val` when it happens, so a new value goes
 * into `*val`, not into the case; a deadline counts from the start of
 * each ALTS. The ALTS keeps the order in which it locks the cases'
 * channels in the cases (as case numbers: a copied array keeps it), and
 * while it still holds, the next ALTS checks it in one look at each
 * channel case instead of sorting them again; a case filled again, even
 * with the same channel, makes it sort once more. ALTS_OF (shorthand.h)
 * fills its cases anew each time.
 *
 * A channel may be released (ca_chan_free) as soon as no case of a
 * waiting ALTS can still complete on it, even while the block whose ALTS
 * won elsewhere has not resumed yet: the library keeps the channel's
 * storage until that block has cleaned up.
 */
typedef struct ca_alt {
    union {
        ca_waiter w;        /* a channel case's place in the queue        */
        ca_timer t;         /* a deadline case's timer                    */
    } u;
    ca_chan *chan;          /* the channel of a take or put case          */
    union {
        unsigned short order; /* a channel case: the number of the next   */
                              /* in locking order; kept between ALTS      */
        unsigned char *claim; /* a deadline case: its group's claim byte  */
    } p;                    /* private                                    */
    uint32_t ms;            /* a deadline case's delay                    */
    unsigned short index;   /* private: a deadline or descriptor case's   */
                            /* number in the array                        */
    unsigned char kind;     /* private: CA__ALT_*                         */
} ca_alt;

/** Options of an ALTS. */
#define CA_ALTS_PRIORITY 0x01 /* the first ready case wins, not a random one */

/** The most cases one ALTS takes. */
#define CA_ALTS_MAX 65535u

/** A take case: `*dst` receives `ch`'s element size in bytes. `CA_EINVAL`
 * for a NULL `a` or `ch`, or a NULL `dst` on a channel whose elements are
 * not empty. */
int ca_alt_take(ca_alt *a, ca_chan *ch, void *dst);

/** A put case: `*val` is read when the put happens, so it must stay valid
 * while the ALTS waits. `CA_EINVAL` as ca_alt_take(). */
int ca_alt_put(ca_alt *a, ca_chan *ch, const void *val);

/** A deadline case: wins after `ms` milliseconds, counted from the start
 * of the ALTS. `CA_ERANGE` for `ms` over `CA_MAX_DELAY`. */
int ca_alt_deadline(ca_alt *a, uint32_t ms);

/** A default case: wins at once when no other case is ready. At most one
 * per ALTS. */
int ca_alt_default(ca_alt *a);

/** A case that never wins. */
int ca_alt_off(ca_alt *a);

/** A descriptor case: wins when `fd` is ready for one of `events`
 * (CA_FD_READ, CA_FD_WRITE: io.h), hangs up or is in error; what happened
 * is stored in `*revents` (may be NULL) when it wins. Its status is
 * `CA_OK`. Ready cases of every kind are chosen among alike (a descriptor
 * that is ready now competes with the channel cases that are). The ALTS
 * returns `CA_ENOTSUP` where there is no poll(2) or no malloc.
 * `CA_EINVAL` for a NULL `a`, a negative `fd` or no valid event. */
int ca_alt_fd(ca_alt *a, int fd, int events, int *revents);

/* 0 is no kind: a zeroed case is refused, not taken as "off". */
#define CA__ALT_TAKE 1
#define CA__ALT_PUT 2
#define CA__ALT_DEADLINE 3
#define CA__ALT_DEFAULT 4
#define CA__ALT_OFF 5
#define CA__ALT_FD 6

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_ALTS_H */
