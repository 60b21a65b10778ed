/*
** go.c: go blocks: starting them, their parking operations, their result
** channels. MIT licence, see COPYING.
**
** A parking op stores its site first, so the block knows where to resume
** before anyone can wake it; then it tries the operation. If it completes
** at once the block carries on in the same run, with no trip through the
** scheduler. Otherwise the block's own waiter goes into the channel's
** queue and the op answers CA__PARK: the macro returns CA_GO_PARKED, and
** whoever completes the op later puts the block back on the run queue.
*/
#include <string.h>

#include "internal.h"

/* g->result once the block has finished: its value is then at
** g->u.w.val, g->u.w.index bytes, for a result channel asked for late. */
static char finished_marker;
#define CA__FINISHED ((ca_chan *)(void *)&finished_marker)

/* Guards every g->result, so that a reference is never taken on a result
** channel while the finishing block drops its own (rare, so one lock). */
#if CA_HAVE_THREADS
static unsigned char result_lock;
#define RLOCK() ca__spin_lock(&result_lock)
#define RUNLOCK() ca__spin_unlock(&result_lock)
#else
#define RLOCK() ((void)0)
#define RUNLOCK() ((void)0)
#endif

/* ------------------------------------------------------------------ life */

int ca_go_start(ca_sched *s, ca_go *g, ca_go_fn fn)
{
    unsigned char owned;

    if (g == NULL || fn == NULL)
        return CA_EINVAL;
    if (g->u.w.state & CA__G_LIVE)
        return CA_EBUSY;
    s = CA__SCHED(s);
    owned = g->u.w.state & CA__G_OWNED;
    memset(&g->u, 0, sizeof g->u);
    g->u.w.state = (unsigned char)(CA__G_LIVE | owned);
    g->fn = fn;
    g->site = NULL;
    if (g->result == CA__FINISHED) /* a struct used before */
        g->result = NULL;
    return ca__sched_start_go(s, g);
}

#if CA_HAVE_MALLOC
int ca_go_new(ca_go **out, size_t size)
{
    ca_go *g;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    if (size < sizeof(ca_go))
        return CA_EINVAL;
    if ((g = (ca_go *)ca__alloc(size)) == NULL)
        return CA_ENOMEM;
    memset(g, 0, size);
    g->u.w.state = CA__G_OWNED;
    *out = g;
    return CA_OK;
}
#endif

ca_sched *ca_go_sched(ca_go *g)
{
    if (g == NULL || !(g->u.w.state & CA__G_LIVE))
        return NULL;
    return CA__GO_SCHED(g);
}

int ca__go_done(ca_go *g, const void *val, size_t size)
{
    if (val == NULL || size > CA_MAX_ELEM_SIZE)
        size = 0;
    g->u.w.val = (void *)(uintptr_t)val;
    g->u.w.index = (unsigned short)size;
    return CA_GO_DONE;
}

/* ------------------------------------------------------------------ result */

ca_chan *ca__result_take(ca_go *g)
{
    ca_chan *r;

    RLOCK();
    r = g->result;
    g->result = CA__FINISHED;
    RUNLOCK();
    return r == CA__FINISHED ? NULL : r;
}

void ca__result_deliver(ca_chan *r, const void *val, size_t size,
                               ca__wakelist *wl)
{
    CA__LOCK(r);
    if (r->flags & CA__CH_LIVE) {
        if (val != NULL && size == r->elem_size)
            (void)ca__put_locked(r, val, wl);
        ca__close_locked(r, wl);
    }
    CA__UNLOCK(r);
}

/* The result of a block that finished before anyone asked for it. */
static void deliver_late(ca_go *g, ca_chan *r)
{
    ca__wakelist wl;

    CA__WAKELIST_INIT(&wl);
    ca__result_deliver(r, g->u.w.val, g->u.w.index, &wl);
    ca__wake_all(&wl);
}

/* Installs r as g's result channel, with the block's reference on it
** (taken by the caller). CA_EBUSY if g has one already. */
static int attach(ca_go *g, ca_chan *r)
{
    ca_chan *cur;

    RLOCK();
    cur = g->result;
    if (cur == NULL)
        g->result = r;
    RUNLOCK();
    if (cur == NULL)
        return CA_OK;
    if (cur != CA__FINISHED)
        return CA_EBUSY;
    /* Finished: deliver now, and drop the block's reference. */
    deliver_late(g, r);
    (void)ca_chan_free(r);
    return CA_OK;
}

int ca_go_set_result(ca_go *g, ca_chan *ch)
{
    ca_chan_info info;
    int rc;

    if (g == NULL || ch == NULL)
        return CA_EINVAL;
    if ((rc = ca_chan_inspect(ch, &info)) != CA_OK)
        return rc;
    if (info.kind == CA_UNBUFFERED)
        return CA_EINVAL;
    if ((rc = ca_chan_retain(ch)) != CA_OK)
        return rc;
    if ((rc = attach(g, ch)) != CA_OK)
        (void)ca_chan_free(ch);
    return rc;
}

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
    if (elem_size > CA_MAX_ELEM_SIZE)
        return CA_ERANGE;
    RLOCK();
    cur = g->result;
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
    if ((rc = attach(g, r)) != CA_OK) {
        /* Someone attached one meanwhile: use theirs. */
        r->refs = 1;
        (void)ca_chan_free(r);
        return ca_go_result(g, elem_size, out);
    }
    *out = r;
    return CA_OK;
}
#endif

/* ------------------------------------------------------------------ ops */

void ca__sleep_fire(ca_sched *s, ca_timer *t)
{
    ca_go *g = CA_CONTAINER_OF(t, ca_go, u.t);

    g->u.w.state &= (unsigned char)~CA__G_SLEEP;
    g->u.w.status = CA_OK;
    ca__ready_local(s, g);
}

int ca__go_sleep(ca_go *g, uint32_t ms, const ca_go_site *site)
{
    ca_sched *s = CA__GO_SCHED(g);

    g->site = site;
    if (ms > CA_MAX_DELAY || !ca__has_clock(s)) {
        g->u.w.status = ms > CA_MAX_DELAY ? CA_ERANGE : CA_ENOTSUP;
        return g->u.w.status;
    }
    CA__SLOCK(s);
    g->u.w.state |= CA__G_SLEEP;
    g->u.t.kind = CA__T_SLEEP;
    ca__timer_add_locked(s, &g->u.t, ms);
    CA__SUNLOCK(s);
    return CA__PARK;
}

/* An ALTS deadline case of a go block came due: if no other case has
** won, it does. Runs under the scheduler's lock. */
void ca__alt_fire_go(ca_sched *s, ca_timer *t)
{
    ca_alt *c = CA__ALT_OF_TIMER(t);
    ca_go *g;

    if (!ca__claim(c->p.claim))
        return;
    g = CA_CONTAINER_OF(c->p.claim, ca_go, u.w.claim);
    g->u.w.index = c->index;
    g->u.w.status = CA_OK;
    ca__ready_local(s, g);
}

int ca__go_alts(ca_go *g, ca_alt *cases, size_t n, int flags,
                const ca_go_site *site)
{
    ca_sched *s = CA__GO_SCHED(g);
    size_t index = 0;
    int rc, status = CA_OK;

    g->site = site;
    /* Kept for reports while it waits; the winner overwrites index. */
    g->u.w.val = cases;
    g->u.w.index = (unsigned short)(n <= CA_ALTS_MAX ? n : 0);
    rc = ca__alts_start(cases, n, flags, s, &s->waker, &g->u.w.claim,
                        CA__T_ALT_GO, &s->rng, &index, &status);
    if (rc == CA__PARK)
        return CA__PARK;
    g->u.w.index = (unsigned short)index;
    g->u.w.status = (signed char)(rc == CA_OK ? status : rc);
    return rc;
}

void ca__go_alts_end(ca_go *g, ca_alt *cases, size_t n)
{
    ca__alts_end(cases, n, CA__GO_SCHED(g));
}

/* ------------------------------------------------------------------ lost */

/* GO_BEGIN's trap, in the default build: g resumed, and the switch of
** GO_BEGIN has no case for the line it parked on, because the op's
** resume point (a case label) went to a switch of the user's. The block
** cannot carry on, and ending it as GO_END would is the silent failure
** this trap exists to prevent. So it stays parked for ever, waiting on
** nothing: its status is CA_ELOST, and g->site still says which op, file
** and line it was lost at. The scheduler then reports it as it reports
** any block that can never run again (ca_sched_run returns CA_EDEADLOCK,
** ca_sched_parked and ca_sched_dump name the site), and its struct stays
** valid, so nothing it left queued (the losing cases of an ALTS) dangles.
** The fields that reports read are cleared: the channel it waited on may
** end meanwhile. */
int ca__go_lost(ca_go *g)
{
    g->u.w.status = CA_ELOST;
    g->u.w.u.chan = NULL;
    g->u.w.val = NULL;
    g->u.w.index = 0;
    return CA_GO_PARKED;
}
