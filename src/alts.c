/*
** alts.c: one choice among several operations, for go blocks and for
** blocked threads alike. MIT licence, see COPYING.
**
** The shape is Go's select. With every channel of the choice locked (in
** address order, so two ALTS on the same channels cannot deadlock), pass 1
** looks for cases that could complete now and completes one: the first in
** array order with CA_ALTS_PRIORITY, else one drawn at random among the
** ready ones, each with the same chance. Nothing ready: a default case (or
** a deadline of 0) wins; failing that, pass 2 queues one waiter per
** channel case, all sharing the caller's claim byte, starts the deadline
** timers, and the locks are released. The first completion to claim the
** byte wins; every other case is stale from then on, and the caller takes
** them all out of their queues when it wakes (ca__alts_end), so nothing is
** left behind.
**
** Nothing of ours is queued during pass 1, and pass 2 only queues, so an
** ALTS cannot match its own put with its own take.
*/
#include "internal.h"

/* ------------------------------------------------------------------ cases */

static int set_chan_case(ca_alt *a, ca_chan *ch, void *val, int kind)
{
    if (a == NULL || ch == NULL || (val == NULL && ch->elem_size != 0))
        return CA_EINVAL;
    a->kind = (unsigned char)kind;
    a->chan = ch;
    a->u.w.val = val;
    return CA_OK;
}

int ca_alt_take(ca_alt *a, ca_chan *ch, void *dst)
{
    return set_chan_case(a, ch, dst, CA__ALT_TAKE);
}

int ca_alt_put(ca_alt *a, ca_chan *ch, const void *val)
{
    return set_chan_case(a, ch, (void *)(uintptr_t)val, CA__ALT_PUT);
}

int ca_alt_deadline(ca_alt *a, uint32_t ms)
{
    if (a == NULL)
        return CA_EINVAL;
    if (ms > CA_MAX_DELAY)
        return CA_ERANGE;
    a->kind = CA__ALT_DEADLINE;
    a->chan = NULL;
    a->ms = ms;
    a->u.t.prev = &a->u.t; /* not in any heap yet */
    return CA_OK;
}

int ca_alt_default(ca_alt *a)
{
    if (a == NULL)
        return CA_EINVAL;
    a->kind = CA__ALT_DEFAULT;
    a->chan = NULL;
    return CA_OK;
}

int ca_alt_off(ca_alt *a)
{
    if (a == NULL)
        return CA_EINVAL;
    a->kind = CA__ALT_OFF;
    a->chan = NULL;
    return CA_OK;
}

static int is_chan_case(const ca_alt *a)
{
    return a->kind == CA__ALT_TAKE || a->kind == CA__ALT_PUT;
}

uint32_t ca__rand(uint32_t *state)
{
    uint32_t x = *state; /* xorshift32: cheap, and plenty for fairness */

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x != 0 ? x : 0x9e3779b9u;
    return *state;
}

/* ------------------------------------------------------------------ locks */

#if CA_HAVE_THREADS
/* Sorts the channel cases into a list by channel address (merge sort on
** the `order` links: no storage, O(n log n)). */
static ca_alt *sort_by_chan(ca_alt *list, size_t n)
{
    ca_alt *a, *b, *head = NULL, **tail = &head;
    size_t half = n / 2, i;

    if (n < 2)
        return list;
    for (a = list, i = 1; i < half; i++)
        a = a->p.order;
    b = a->p.order;
    a->p.order = NULL;
    a = sort_by_chan(list, half);
    b = sort_by_chan(b, n - half);
    while (a != NULL && b != NULL) {
        ca_alt **min = (uintptr_t)a->chan <= (uintptr_t)b->chan ? &a : &b;
        *tail = *min;
        tail = &(*min)->p.order;
        *min = (*min)->p.order;
    }
    *tail = a != NULL ? a : b;
    return head;
}

static ca_alt *lock_order(ca_alt *cases, size_t n)
{
    ca_alt *list = NULL, **tail = &list;
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        if (!is_chan_case(&cases[i]))
            continue;
        *tail = &cases[i];
        tail = &cases[i].p.order;
        m++;
    }
    *tail = NULL;
    return sort_by_chan(list, m);
}

/* Locks each distinct channel once, in address order. */
static void lock_all(ca_alt *order)
{
    ca_chan *last = NULL;

    for (; order != NULL; order = order->p.order)
        if (order->chan != last) {
            CA__LOCK(order->chan);
            last = order->chan;
        }
}

static void unlock_all(ca_alt *order)
{
    ca_chan *last = NULL;

    for (; order != NULL; order = order->p.order)
        if (order->chan != last) {
            CA__UNLOCK(order->chan);
            last = order->chan;
        }
}
#else
#define lock_order(cases, n) ((void)(cases), (void)(n), (ca_alt *)NULL)
#define lock_all(order) ((void)(order))
#define unlock_all(order) ((void)(order))
#endif

/* ------------------------------------------------------------------ alts */

/* Checks the cases before anything is locked. */
static int validate(ca_alt *cases, size_t n, ca_sched *s)
{
    size_t i, defaults = 0;

    if (cases == NULL || n == 0)
        return CA_EINVAL;
    if (n > CA_ALTS_MAX)
        return CA_ERANGE;
    for (i = 0; i < n; i++) {
        switch (cases[i].kind) {
        case CA__ALT_TAKE:
        case CA__ALT_PUT:
            if (cases[i].chan == NULL)
                return CA_EINVAL;
            break;
        case CA__ALT_DEADLINE:
            if (cases[i].ms > CA_MAX_DELAY)
                return CA_ERANGE;
            if (!ca__has_clock(s))
                return CA_ENOTSUP;
            break;
        case CA__ALT_DEFAULT:
            if (++defaults > 1)
                return CA_EINVAL;
            break;
        case CA__ALT_OFF:
            break;
        default:
            return CA_EINVAL;
        }
        cases[i].index = (unsigned short)i;
    }
    return CA_OK;
}

/* Pass 1: the case to complete now, or n if none is ready. */
static size_t choose(ca_alt *cases, size_t n, int flags, uint32_t *rng)
{
    size_t i, pick = n, ready = 0;

    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        int ok;

        if (c->kind == CA__ALT_TAKE)
            ok = ca__can_take_locked(c->chan);
        else if (c->kind == CA__ALT_PUT)
            ok = ca__can_put_locked(c->chan);
        else
            continue;
        if (!ok)
            continue;
        if (flags & CA_ALTS_PRIORITY)
            return i;
        /* Reservoir sampling: the k-th ready case replaces the pick with
        ** probability 1/k, so each ready case wins with the same chance. */
        if (ca__rand(rng) % ++ready == 0)
            pick = i;
    }
    if (pick != n)
        return pick;
    for (i = 0; i < n; i++)
        if (cases[i].kind == CA__ALT_DEFAULT ||
            (cases[i].kind == CA__ALT_DEADLINE && cases[i].ms == 0))
            return i;
    return n;
}

static int any_live(ca_alt *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (is_chan_case(&cases[i]) && !(cases[i].chan->flags & CA__CH_LIVE))
            return 0;
    return 1;
}

/* Pass 2 undone: takes out the waiters queued so far (locks held). */
static void unqueue_upto(ca_alt *cases, size_t upto)
{
    size_t i;

    for (i = 0; i < upto; i++)
        if (is_chan_case(&cases[i]))
            ca__dequeue_locked(cases[i].chan, &cases[i].u.w);
}

int ca__alts_start(ca_alt *cases, size_t n, int flags, ca_sched *s,
                   ca_waker *waker, unsigned char *claim,
                   unsigned char deadline_kind,
                   uint32_t *rng, size_t *index, int *status)
{
    ca__wakelist wl;
    ca_alt *order;
    size_t i, pick;
    int rc;

    if ((rc = validate(cases, n, s)) != CA_OK)
        return rc;
    CA__WAKELIST_INIT(&wl);
    order = lock_order(cases, n);
    lock_all(order);
    if (!any_live(cases, n)) {
        unlock_all(order);
        return CA_EBADCHAN;
    }
    /* A counterpart seen ready may be claimed meanwhile by its own alts
    ** group on a channel we do not hold: then choose again. */
    while ((pick = choose(cases, n, flags, rng)) != n) {
        ca_alt *c = &cases[pick];
        if (c->kind == CA__ALT_TAKE)
            rc = ca__take_locked(c->chan, c->u.w.val, &wl);
        else if (c->kind == CA__ALT_PUT)
            rc = ca__put_locked(c->chan, c->u.w.val, &wl);
        else
            rc = CA_OK; /* default, or a deadline already passed */
        if (rc == CA_AGAIN)
            continue;
        unlock_all(order);
        ca__wake_all(&wl);
        *index = pick;
        *status = rc;
        return CA_OK;
    }
    /* Pass 2: wait on every case. */
    CA__STORE(*claim, 0);
    for (i = 0; i < n; i++) {
        ca_waiter *w = &cases[i].u.w;
        if (!is_chan_case(&cases[i]))
            continue;
        w->waker = waker;
        w->u.claim = claim;
        w->index = (unsigned short)i;
        w->flags = (unsigned char)(CA__W_ALT | (cases[i].kind == CA__ALT_TAKE
                                                    ? CA__W_TAKE
                                                    : 0));
        if ((rc = ca__enqueue_locked(cases[i].chan, w)) != CA_OK) {
            unqueue_upto(cases, i);
            unlock_all(order);
            return rc;
        }
    }
    CA__SLOCK(s);
    for (i = 0; i < n; i++) {
        if (cases[i].kind != CA__ALT_DEADLINE)
            continue;
        cases[i].p.claim = claim;
        cases[i].u.t.kind = deadline_kind;
        ca__timer_add_locked(s, &cases[i].u.t, cases[i].ms);
    }
    CA__SUNLOCK(s);
    unlock_all(order);
    return CA__PARK;
}

void ca__alts_end(ca_alt *cases, size_t n, ca_sched *s)
{
    size_t i;
    int timers = 0;

    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        if (is_chan_case(c)) {
            CA__LOCK(c->chan);
            ca__dequeue_locked(c->chan, &c->u.w);
            CA__UNLOCK(c->chan);
        } else if (c->kind == CA__ALT_DEADLINE) {
            timers = 1;
        }
    }
    if (!timers)
        return;
    /* Under the lock, so a deadline firing right now has either won or
    ** not started: the cases are ours again once this returns. */
    CA__SLOCK(s);
    for (i = 0; i < n; i++)
        if (cases[i].kind == CA__ALT_DEADLINE)
            ca__timer_cancel_locked(s, &cases[i].u.t);
    CA__SUNLOCK(s);
}
