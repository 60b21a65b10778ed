/*
** go.c: go blocks: starting and ending them, and the parking operations
** the DSL's macros call. MIT licence, see COPYING.
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

/* ------------------------------------------------------------------ life */

int ca_go_start(ca_sched *s, ca_go *g, ca_go_fn fn)
{
    unsigned char owned;
#if !CA_CONFIG_TINY_GO
    unsigned char result;
#endif

    if (g == NULL || fn == NULL)
        return CA_EINVAL;
    CA__FREED_FORGET(g); /* a block again, whatever it was */
    if (g->u.w.state & CA__G_LIVE)
        return CA_EBUSY;
    if (ca__sched_live(&s) != CA_OK)
        return CA_EINVAL; /* never initialised, or destroyed */
    owned = g->u.w.state & CA__G_OWNED;
#if !CA_CONFIG_TINY_GO
    result = g->u.w.result; /* a result channel asked for before the start */
#endif
    memset(&g->u, 0, sizeof g->u);
    g->u.w.state = (unsigned char)(CA__G_LIVE | owned);
#if CA_CONFIG_TINY_GO
    g->fn = fn;
#else
    g->u.w.u.go_fn = fn;
    g->site = &ca__go_fresh;
    g->u.w.result = result;
    ca__result_reset(g);
#endif
    ca__sched_start_go(s, g);
    return CA_OK;
}

#if !CA_CONFIG_TINY_GO
/* A block's first step (see ca__go_fresh in go.h): its function is still
** where ca_go_start() left it. */
static int first_step(ca_go *g)
{
    return g->u.w.u.go_fn(g);
}

static ca_go_fn first_self = first_step;
/* NULL label: a file built with CA_CONFIG_COMPUTED_GOTO starts its
** blocks at the top, whatever the library was built with. */
const ca_go_site ca__go_fresh = {"", "", "START", "", &first_self, 0, NULL};

/* GO_BEGIN's slow path: the first start of a block on this body, or one
** with another function than the last (see go.h). The first store wins;
** a body started under two functions (two wrappers of it, or one and the
** body itself) would resume blocks through the wrong one: a misuse that
** a release build cannot refuse with a code, which keeps the last. */
void ca__go_learn(ca_go *g, ca_go_fn *self)
{
    ca_go_fn fn = g->u.w.u.go_fn, seen = NULL;

    CA_ASSERT(g->site == &ca__go_fresh);
#if CA_HAVE_THREADS
    if (__atomic_compare_exchange_n(self, &seen, fn, 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED) ||
        seen == fn)
        return;
    __atomic_store_n(self, fn, __ATOMIC_RELAXED);
#else
    seen = *self;
    *self = fn;
    if (seen == NULL)
        return;
#endif
#if defined(CA_DEBUG) && CA_DEBUG
    ca__misuse("GO_BEGIN", "one go body started under two functions (a "
                           "block resumes through its body's only one)",
               g);
#endif
}
#endif

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
    CA__FREED_FORGET(g);
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

/* The block ends inside its own function, whose frame still holds the
** value: it is copied into the result channel now (GO_RETURN of a local's
** address is fine), and the block is finished before its function has
** returned, so that nothing touches it once its result is visible. For a
** result channel asked for later, the pointer is kept (then it must point
** into the block's struct, see ca_go_result). */
int ca__go_done(ca_go *g, const void *val, size_t size)
{
    if (val == NULL || size > CA_MAX_ELEM_SIZE)
        size = 0;
    g->u.w.val = (void *)(uintptr_t)val;
    g->u.w.index = (unsigned short)size;
    ca__sched_finish(CA__GO_SCHED(g), g, val, size);
    return CA_GO_DONE;
}

/* ------------------------------------------------------------------ ops */

/* The timer of a SLEEP lies over the block's waiter: its `waker` must be
** the waiter's (both hold the scheduler's waker, so CA__GO_SCHED works on
** a sleeping block), and it must end there, leaving the owner's fields
** that follow (state, park) alone. A target where this fails to compile
** needs another place for the timer. */
CA_STATIC_ASSERT(timer_waker_on_waiter_waker,
                 offsetof(ca_timer, waker) == offsetof(ca_waiter, waker));
CA_STATIC_ASSERT(timer_ends_at_waiter_waker,
                 sizeof(ca_timer) == offsetof(ca_waiter, waker) +
                                         sizeof(ca_waker *));
/* A go block in ALTS keeps its case count where a waiter keeps its
** channel. */
CA_STATIC_ASSERT(alts_count_fits, sizeof(unsigned long) >= sizeof(uint16_t));
/* The header's budget (config.h), and the state bits that leave the top
** three of their byte to the park. */
#if CA_CONFIG_TINY_GO
CA_STATIC_ASSERT(tiny_go_is_32, sizeof(void *) != 4 || sizeof(ca_go) == 32);
CA_STATIC_ASSERT(park_fits_state,
                 CA__G_OWNED < (1u << CA__PARK_SHIFT) &&
                     CA__P_WOKEN < (1u << (8 - CA__PARK_SHIFT)));
#endif

/* The budget of a parked block with its own channel (issue 11, W6: at
** most 128 bytes with a long of the user's, against Go's 2.9 KB), on an
** LP64 target with threads and malloc. It was 88 + 56; what went, and
** what was weighed and kept (bench/bench W6; instructions by callgrind):
** - a channel's name and a block's result channel (8 + 8) are set on few
**   structs: they live in tables beside them (side.c, result.c); the
**   result's state is a spare byte of the waiter, so the block's end
**   pays one test of it, under the lock it took before;
** - `fn` (8): the site a block parked at names it, through a cell per go
**   body (`self`) that GO_BEGIN fills when a block starts; before its
**   first op the block's site is ca__go_fresh and its function waits in
**   the waiter's union. A resume loads two more pointers (W1: 481 -> 483
**   instructions a round trip); the price is a rule, one function per go
**   body (ca_go(3)). A per-(scheduler, function) record reached through
**   the waker would have kept wrappers free but made ca_go_start
**   allocate;
** - the live list (16) stays doubly linked: a block must leave it in
**   O(1) when it ends, and its struct may be freed at once, so neither a
**   singly linked list (the predecessor is unknown) nor lazy removal will
**   do, and a per-scheduler array costs its 8 bytes a block in memory
**   anyway, plus an index in the block;
** - ca_waiter (48) and ca_chan (48) have no pointer to spare: their
**   small fields fill their last 8 and 24 bytes.
** So 72 + 48, and 128 in W6. */
#if CA_HAVE_THREADS && CA_HAVE_MALLOC && !CA_CONFIG_COMPACT &&              \
    !CA_CONFIG_TINY_GO
CA_STATIC_ASSERT(w6_go_budget, sizeof(void *) != 8 || sizeof(ca_go) <= 72);
CA_STATIC_ASSERT(w6_chan_budget,
                 sizeof(void *) != 8 || sizeof(ca_chan) <= 48);
CA_STATIC_ASSERT(w6_waiter_budget,
                 sizeof(void *) != 8 || sizeof(ca_waiter) <= 48);
#endif

/* SLEEP and SLEEP_UNTIL: the block's timer goes into the heap at
** `deadline`, or (`until` 0) `deadline` ms from now. */
static int sleep_on_timer(ca_go *g, uint32_t deadline, int until,
                          ca__site_ref site)
{
    ca_sched *s = CA__GO_SCHED(g);
    int32_t ahead;

    CA__GO_SET_SITE(g, site);
    if (!until && deadline > CA_MAX_DELAY) {
        g->u.w.status = CA_ERANGE;
        return CA_ERANGE;
    }
    if (!ca__has_clock(s)) {
        g->u.w.status = CA_ENOTSUP;
        return CA_ENOTSUP;
    }
    if (until) {
        /* Signed distance on the wrapping tick: due already, or ahead. */
        ahead = (int32_t)(deadline - ca__now(s));
        if (ahead <= 0) {
            g->u.w.status = CA_OK; /* carries on at once, no park */
            return CA_OK;
        }
        if ((uint32_t)ahead > CA_MAX_DELAY) {
            g->u.w.status = CA_ERANGE;
            return CA_ERANGE;
        }
    }
    CA__SLOCK(s); /* released by the scheduler once the function returned */
    g->u.w.state |= CA__G_SLEEP;
    if (until)
        ca__timer_add_at_locked(s, &g->u.t, deadline, &s->waker);
    else
        ca__timer_add_locked(s, &g->u.t, deadline, &s->waker);
    CA__GO_SET_PARK(g, CA__P_SLEEP);
    return CA__PARK;
}

int ca__go_sleep(ca_go *g, uint32_t ms, ca__site_ref site)
{
    return sleep_on_timer(g, ms, 0, site);
}

int ca__go_sleep_until(ca_go *g, uint32_t tick, ca__site_ref site)
{
    return sleep_on_timer(g, tick, 1, site);
}

int ca__go_alts(ca_go *g, ca_alt *cases, size_t n, int flags,
                ca__site_ref site)
{
    ca_sched *s = CA__GO_SCHED(g);
    int rc;

    CA__GO_SET_SITE(g, site);
    /* The epilogue and the reports find the cases here, so that the
    ** macro's arguments are never evaluated again on resume. */
    g->u.w.val = cases;
    g->u.w.u.n = (unsigned long)n;
#if !CA_HAVE_THREADS
    ca__sched_alts_used(s);
#endif
    /* The case chosen at once and its status land in g->u.w (alts.c),
    ** which knows a block's waiter by its waker: its scheduler's. */
    rc = ca__alts_start(cases, n, flags, s, &g->u.w, ca__sched_rng(s));
    if (rc == CA__PARK)
        CA__GO_SET_PARK(g, CA__P_ALTS); /* its locks are the scheduler's */
    return rc;
}

void ca__go_alts_end(ca_go *g)
{
    (void)ca__alts_end((ca_alt *)g->u.w.val, (size_t)g->u.w.u.n,
                       CA__GO_SCHED(g), &g->u.w.claim);
}

/* ------------------------------------------------------------------ lost */

/* GO_BEGIN's trap, in the default build: g resumed, and the switch of
** GO_BEGIN has no case for the line it parked on, because the op's
** resume point (a case label) went to a switch of the user's. The block
** cannot carry on, and ending it as GO_END would is the silent failure
** this trap exists to prevent. So it stays parked for ever, waiting on
** nothing: its status is CA_ELOST, and g->site still says which op, file
** and line it was lost at. The scheduler then reports it as it reports
** any block that can never run again, with its own code (ca_sched_run
** returns CA_ELOST; ca_sched_parked and ca_sched_dump name the site), and
** its struct stays valid, so nothing it left queued (the losing cases of
** an ALTS) dangles.
** The fields that reports read are cleared: the channel it waited on may
** end meanwhile. */
int ca__go_lost(ca_go *g)
{
    g->u.w.status = CA_ELOST;
    g->u.w.u.chan = NULL;
    g->u.w.val = NULL;
    g->u.w.index = 0;
    CA__GO_SET_PARK(g, CA__P_LOST); /* parked holding nothing, never woken */
    return CA_GO_PARKED;
}
