/*
** coreasync/group.h: waiting for a group of go blocks or threads to end
** (Go's sync.WaitGroup). See ca_group(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_GROUP_H
#define COREASYNC_GROUP_H

#include <coreasync/chan.h>
#include <coreasync/go.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A group counts what is still running. Each member calls
 * ca_group_done() when it ends; whoever waits (GROUP_WAIT in a go block,
 * ca_group_wait_blocking() on a thread) carries on once the count is 0.
 * It is a channel underneath, closed when the count reaches 0, so it
 * also fits an ALTS: a take case on `&wg->ch` wins with `CA_CLOSED`
 * then ("all done, or a deadline").
 *
 * A group counts down once: give the number of members to
 * ca_group_init(), and add more with ca_group_add() only while some are
 * still running (after 0 it answers `CA_CLOSED`). To count again,
 * ca_group_destroy() it and init it afresh. It lives in your storage
 * and never allocates.
 */
typedef struct ca_group {
    ca_chan ch;              /* closed at 0: take from it, or ALTS on it */
    unsigned long n;         /* private: members still running            */
} ca_group;

/** A group of `n` members (0: done already). `CA_EINVAL` for NULL. */
int ca_group_init(ca_group *wg, unsigned long n);

/** `n` more members. `CA_CLOSED` when the count has already reached 0
 * (the waiters have gone on); `CA_ERANGE` when it would overflow;
 * `CA_EINVAL` for NULL; `CA_EBADCHAN` for a group that is not live. */
int ca_group_add(ca_group *wg, unsigned long n);

/** One member has ended; the last one lets the waiters go on.
 * `CA_EINVAL` for NULL or one done too many; `CA_EBADCHAN` as above. */
int ca_group_done(ca_group *wg);

/** Waits until the count is 0: blocks the calling thread, or (without
 * threads, or on the thread that drives the scheduler) runs the
 * scheduler meanwhile, as ca_take_blocking() does. `CA_OK`; its errors
 * are ca_take_blocking()'s (`CA_EDEADLOCK` when nobody left can end the
 * group, `CA_EPERM` inside a go block: use GROUP_WAIT there). */
int ca_group_wait_blocking(ca_group *wg);

/** Ends the group; its storage is yours again. `CA_EBUSY` while members
 * are still counted or someone waits; `CA_EINVAL`, `CA_EBADCHAN`. */
int ca_group_destroy(ca_group *wg);

/** In a go block: parks until the count of `wg` is 0. GO_STATUS is then
 * `CA_OK` (a group that ended counts as done, not as closed), or an
 * error such as `CA_EBADCHAN`. A parking op: go.h's WARNINGS hold. */
#define CA_GROUP_WAIT(g, wg)                                                 \
    do {                                                                     \
        CA_TAKE_SIGNAL(g, &(wg)->ch);                                        \
        if (CA_GO_STATUS(g) == CA_CLOSED)                                    \
            (g)->u.w.status = CA_OK;                                         \
    } while (0)

#if !defined(CA_NO_SHORT_NAMES)
#define GROUP_WAIT CA_GROUP_WAIT
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_GROUP_H */
