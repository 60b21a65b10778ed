/*
** result.c: a go block's result channel (what core.async's `go` returns),
** made on demand, so that a block whose result nobody wants pays nothing
** for it: with malloc the channels are in a table here keyed by the
** block (side.c), and the block keeps one byte of state in its waiter's
** spare room (a million parked blocks paid 8 bytes each for a NULL
** pointer: issue 11, W6); without malloc, one pointer in the block; with
** CA_CONFIG_TINY_GO, a fixed table here, and the scheduler reaches this
** file only through the hook that the first result channel installs.
** MIT licence, see COPYING.
*/
#include <string.h>

#include "internal.h"

/* g->result once the block has finished: its value is then at
** g->u.w.val, g->u.w.index bytes, for a result channel asked for late. */
static char finished_marker;
#define CA__FINISHED ((ca_chan *)(void *)&finished_marker)

#if CA_CONFIG_TINY_GO
/* The blocks that have a result channel, and theirs. A block is in it
** from the first attach until it ends. */
static struct {
    ca_go *g;
    ca_chan *r;
} table[CA_CONFIG_MAX_RESULTS];

/* What stands for g->result: its channel while it has one, FINISHED once
** it ran to its end (and its struct still holds a function: a block that
** was never started has none), NULL otherwise. */
static ca_chan *result_of(ca_go *g)
{
    size_t i;

    for (i = 0; i < CA_CONFIG_MAX_RESULTS; i++)
        if (table[i].g == g)
            return table[i].r;
    return !(g->u.w.state & CA__G_LIVE) && g->fn != NULL ? CA__FINISHED
                                                         : NULL;
}

/* Gives g the channel r: CA_EFULL when the table is full (there are no
** promises of room here: see ca__result_reserve). */
static int result_set(ca_go *g, ca_chan *r, int promised)
{
    size_t i;

    (void)promised;
    for (i = 0; i < CA_CONFIG_MAX_RESULTS; i++) {
        if (table[i].g == NULL) {
            table[i].g = g;
            table[i].r = r;
            return CA_OK;
        }
    }
    return CA_EFULL;
}

/* The scheduler's hook (internal.h): g ends; its channel leaves the
** table. */
static ca_chan *take(ca_go *g)
{
    size_t i;
    ca_chan *r;

    for (i = 0; i < CA_CONFIG_MAX_RESULTS; i++) {
        if (table[i].g == g) {
            r = table[i].r;
            table[i].g = NULL;
            table[i].r = NULL;
            return r;
        }
    }
    return NULL;
}

static const ca__result_ops ops = {take, ca__result_deliver, ca_chan_free};
const ca__result_ops *ca__results;
#define HOOK() (ca__results = &ops)
#elif CA_HAVE_MALLOC
/* g->u.w.result, changed only under the lock below (and by ca_go_start,
** before anyone else may see the block): */
#define R_NONE 0 /* no result channel                                      */
#define R_HAS 1  /* its channel is in the table                            */
#define R_DONE 2 /* ran to its end (the FINISHED of the other builds)      */
#define R_LENT 3 /* its channel is in the table, in room promised ahead     */
static ca__side table;

static ca_chan *result_of(ca_go *g)
{
    if (g->u.w.result == R_DONE)
        return CA__FINISHED;
    return g->u.w.result != R_NONE ? (ca_chan *)ca__side_get(&table, g)
                                   : NULL;
}

/* Gives g the channel r, into the table's promised room if `promised`
** (which cannot fail), else CA_ENOMEM when the table cannot grow. */
static int result_set(ca_go *g, ca_chan *r, int promised)
{
    int rc = CA_OK;

    if (promised)
        ca__side_put_reserved(&table, g, r);
    else
        rc = ca__side_put(&table, g, r);
    if (rc == CA_OK)
        g->u.w.result = promised ? R_LENT : R_HAS;
    return rc;
}
#define HOOK() ((void)0)
#else
#define result_of(g) ((g)->result)
#define result_set(g, r, promised) ((void)(promised), (g)->result = (r), CA_OK)
#define HOOK() ((void)0)
#endif

/* Guards every block's result (g->result, its state byte and the table),
** so that a reference is never taken on a result channel while the
** finishing block drops its own (rare, so one lock). */
#if CA_HAVE_THREADS
static unsigned char result_lock;
#define RLOCK() ca__spin_lock(&result_lock)
#define RUNLOCK() ca__spin_unlock(&result_lock)
#else
#define RLOCK() ((void)0)
#define RUNLOCK() ((void)0)
#endif

/* ------------------------------------------------------------------ result */

#if !CA_CONFIG_TINY_GO && CA_HAVE_MALLOC
ca_chan *ca__result_take(ca_go *g)
{
    ca_chan *r = NULL;

    RLOCK();
    if (g->u.w.result == R_HAS)
        r = (ca_chan *)ca__side_del(&table, g);
    else if (g->u.w.result == R_LENT)
        r = (ca_chan *)ca__side_del_reserved(&table, g);
    CA_ASSERT(r != NULL || g->u.w.result == R_NONE ||
              g->u.w.result == R_DONE);
    g->u.w.result = R_DONE;
    RUNLOCK();
    return r;
}

/* One promise of room per caller: a pipeline holds one while it runs,
** and its blocks, ending one at a time, each put their result there. */
int ca__result_reserve(void)
{
    int rc;

    RLOCK();
    rc = ca__side_reserve(&table);
    RUNLOCK();
    return rc;
}

void ca__result_unreserve(void)
{
    RLOCK();
    ca__side_unreserve(&table);
    RUNLOCK();
}

void ca__result_reset(ca_go *g)
{
    if (g->u.w.result == R_DONE) /* a struct used before */
        g->u.w.result = R_NONE;
}
#elif !CA_CONFIG_TINY_GO
ca_chan *ca__result_take(ca_go *g)
{
    ca_chan *r;

    RLOCK();
    r = g->result;
    g->result = CA__FINISHED;
    RUNLOCK();
    return r == CA__FINISHED ? NULL : r;
}

void ca__result_reset(ca_go *g)
{
    if (g->result == CA__FINISHED) /* a struct used before */
        g->result = NULL;
}
#endif

/* The block's reference goes in the critical section of the close: whoever
** sees the channel closed (woken by it, or arriving later) finds only the
** references that are not the block's, and may end or reuse the channel
** at once. pipeline.c's output block does, with no retry loop. The last
** reference is the caller's to release, after the wakes: ending the
** channel here would end it under the waiters the wakes still name. */
int ca__result_deliver(ca_chan *r, const void *val, size_t size,
                       ca__wakelist *wl)
{
    int dropped = 0;

    CA__LOCK(r);
    if (r->flags & CA__CH_LIVE) {
        if (val != NULL && size == r->elem_size)
            (void)ca__put_locked(r, val, wl);
        ca__close_locked(r, wl);
        CA_ASSERT(r->refs != 0); /* the block's own, at least */
        if (r->refs > 1) {
            r->refs--;
            dropped = 1;
        }
    }
    CA__UNLOCK(r);
    return !dropped;
}

/* The result of a block that finished before anyone asked for it. */
static void deliver_late(ca_go *g, ca_chan *r)
{
    ca__wakelist wl;
    int last;

    CA__WAKELIST_INIT(&wl);
    last = ca__result_deliver(r, g->u.w.val, g->u.w.index, &wl);
    ca__wake_all(&wl);
    if (last)
        (void)ca_chan_free(r);
}

/* Installs r as g's result channel, with the block's reference on it
** (taken by the caller), into promised room if `promised`. CA_EBUSY if g
** has one already. */
static int attach(ca_go *g, ca_chan *r, int promised)
{
    ca_chan *cur;
    int rc = CA_OK;

    RLOCK();
    cur = result_of(g);
    if (cur == NULL)
        rc = result_set(g, r, promised);
    RUNLOCK();
    if (cur == NULL) {
        if (rc == CA_OK)
            HOOK();
        return rc;
    }
    if (cur != CA__FINISHED)
        return CA_EBUSY;
    /* Finished: deliver now, which drops the block's reference. */
    deliver_late(g, r);
    return CA_OK;
}

static int set_result(ca_go *g, ca_chan *ch, int promised)
{
    ca_chan_info info;
    int rc;

    if (g == NULL || ch == NULL)
        return CA_EINVAL;
    CA__CHECK_FREED(g, "ca_go_set_result", CA__FREED_GO);
    if ((rc = ca_chan_inspect(ch, &info)) != CA_OK)
        return rc;
    if (info.kind == CA_UNBUFFERED)
        return CA_EINVAL;
    if ((rc = ca_chan_retain(ch)) != CA_OK)
        return rc;
    if ((rc = attach(g, ch, promised)) != CA_OK)
        (void)ca_chan_free(ch);
    return rc;
}

int ca_go_set_result(ca_go *g, ca_chan *ch)
{
    return set_result(g, ch, 0);
}

#if !CA_CONFIG_TINY_GO && CA_HAVE_MALLOC
int ca__result_set_reserved(ca_go *g, ca_chan *ch)
{
    return set_result(g, ch, 1);
}
#endif

#if CA_HAVE_MALLOC
int ca_go_result(ca_go *g, size_t elem_size, ca_chan **out)
{
    ca_chan *r, *cur;
    int rc;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    if (g == NULL)
        return CA_EINVAL;
    CA__CHECK_FREED(g, "ca_go_result", CA__FREED_GO);
    if (elem_size > CA_MAX_ELEM_SIZE)
        return CA_ERANGE;
    RLOCK();
    cur = result_of(g);
    if (cur != NULL && cur != CA__FINISHED) {
        rc = cur->elem_size != elem_size ? CA_EINVAL : ca_chan_retain(cur);
        RUNLOCK();
        if (rc == CA_OK)
            *out = cur;
        return rc;
    }
    RUNLOCK();
    if ((rc = ca_chan_new(&r, CA_FIXED, 1, elem_size)) != CA_OK)
        return rc;
    (void)ca_chan_retain(r); /* the block's reference */
    if ((rc = attach(g, r, 0)) != CA_OK) {
        r->refs = 1;
        (void)ca_chan_free(r);
        /* Someone attached one meanwhile: use theirs. */
        return rc == CA_EBUSY ? ca_go_result(g, elem_size, out) : rc;
    }
    *out = r;
    return CA_OK;
}
#endif

