/*
** ops/ops.h: what the connectors of src/ops/ share. Not installed. MIT
** licence, see COPYING.
**
** The connectors sit above every layer of src/internal.h and call only
** the public API, with exceptions kept here: the scheduler's
** liveness (so that an allocating call can refuse a bad scheduler before
** it allocates a block that could then never be started, hence never
** freed), the allocator hook, the size a transformed channel's puts carry, and
** the spin lock that guards the tap lists
** of mult against the calls that change them from other threads; and,
** from internal.h, the room a pipeline reserves for its blocks' result
** channel (ca__result_reserve), so that their ends cannot fail.
*/
#ifndef CA_OPS_OPS_H
#define CA_OPS_OPS_H

#include "../internal.h"

/* Refuses a bad call before it changes anything: the scheduler is live
** and st's block is not running. */
int ca__ops_check(ca_sched *s, ca_go *st);

/* The element size of a live channel, into *elem (may be NULL). */
int ca__ops_elem(ca_chan *ch, size_t *elem);

/* The size of a value put into ch: its element size, or its transform's
** input size (ca_chan_init_xf), which is what a put carries there. */
int ca__ops_put_elem(ca_chan *ch, size_t *elem);

/* Retains the n channels (NULLs skipped), all or none. */
int ca__ops_retain(ca_chan *const *chs, size_t n);
void ca__ops_release(ca_chan *const *chs, size_t n);

/* Round a size up so that what follows it is aligned for any type. */
size_t ca__ops_align(size_t size);

/* The state of a connector: *st if not NULL, else a block of st_size
** bytes plus extra bytes (at *tail) from ca_go_new, which the scheduler
** frees when the block ends. *tail is NULL when extra is 0. */
int ca__ops_state(void **st, size_t st_size, size_t extra, void **tail);

/* All of the above for a connector about to start: checks s and *st
** (a ca_go first), retains the n channels and finds the state; on
** failure nothing is retained or allocated. */
int ca__ops_begin(ca_sched *s, void **st, size_t st_size, size_t extra,
                  void **tail, ca_chan *const *chs, size_t n);

/* The connector's storage rule for a NULL scratch value. */
#define CA__OPS_NEED_VAL(st, val, elem)                                      \
    ((st) != NULL && (val) == NULL && (elem) != 0)

#if CA_HAVE_THREADS
#define CA__OPS_LOCK(m) ca__spin_lock(&(m)->lock)
#define CA__OPS_UNLOCK(m) ca__spin_unlock(&(m)->lock)
#else
#define CA__OPS_LOCK(m) ((void)(m))
#define CA__OPS_UNLOCK(m) ((void)(m))
#endif

/* The bridge in reads straight into its decoder (frame.c): the room
** behind what it holds (made at the front; at least a byte once
** ca_frame_next said 0), then n bytes are there; what it holds, not
** counting a frame handed out. */
unsigned char *ca__frame_room(ca_frame_decoder *d, size_t *n);
void ca__frame_fill(ca_frame_decoder *d, size_t n);
size_t ca__frame_held(const ca_frame_decoder *d);

#endif /* CA_OPS_OPS_H */
