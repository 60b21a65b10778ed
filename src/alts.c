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
** timers, and the locks are released. Cases that share a channel are
** queued from a random one of them (SPEC 2.10: core.async registers its
** waiting ops in a fresh random order), so none is always served first.
** The first completion to claim the byte wins; every other case is stale
** from then on, and the caller takes them all out of their queues when it
** wakes (ca__alts_end), so nothing is left behind.
**
** A queued case pins its channel (ca__pin_locked) until that clean-up: a
** channel whose last reference is released while a stale case of a block
** that has not resumed yet still points at it is freed only by the
** clean-up, never under the block's feet.
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

int ca_alt_fd(ca_alt *a, int fd, int events, int *revents)
{
    if (a == NULL || fd < 0 || fd > 0x3fffffff ||
        (events & (CA_FD_READ | CA_FD_WRITE)) == 0 ||
        (events & ~(CA_FD_READ | CA_FD_WRITE)) != 0)
        return CA_EINVAL;
    a->kind = CA__ALT_FD;
    a->chan = NULL;
    a->ms = ((uint32_t)fd << 2) | (uint32_t)events; /* as io.c reads it */
    a->u.w.val = revents;
    a->u.w.flags = 0;
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

/* A number below k (at most CA_ALTS_MAX, 16 bits), from the top 16 bits
** of a draw scaled by k: a 16 x 16 bit product and a shift, where % would
** call the C library's division on cores without a divider (Cortex-M0).
** Each value comes out with a chance within 1/65536 of 1/k. */
static size_t rand_below(uint32_t *rng, size_t k)
{
    CA_ASSERT(k != 0 && k <= 0xffffu);
    return (size_t)(((ca__rand(rng) >> 16) * (uint32_t)k) >> 16);
}

/* ------------------------------------------------------------------ locks */

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

#if CA_HAVE_THREADS
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

/* Once a channel is unlocked, its cases may complete, the block be woken
** and run on another thread, and its cases be rewritten by the next
** ALTS: each channel is unlocked only after its last case was read, and
** what is read next belongs to a channel still locked. */
static void unlock_all(ca_alt *order)
{
    ca_chan *ch;

    while (order != NULL) {
        ch = order->chan;
        do
            order = order->p.order;
        while (order != NULL && order->chan == ch);
        CA__UNLOCK(ch);
    }
}
#define isr_group(cases, n) 0
#define cs_enter(isr) ((void)(isr))
#define cs_leave(isr) ((void)(isr))
#else
#define lock_all(order) ((void)(order))
#define unlock_all(order) ((void)(order))

/* Without threads nothing is locked, except when a case is on a channel
** an interrupt touches: then the whole ALTS runs inside the critical
** section, and its group is claimed inside it too (lock.h). */
static int isr_group(const ca_alt *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (is_chan_case(&cases[i]) && (cases[i].chan->flags & CA__CH_ISR))
            return 1;
    return 0;
}
#define cs_enter(isr) ((isr) ? ca__isr->enter() : (void)0)
#define cs_leave(isr) ((isr) ? ca__isr->leave() : (void)0)
#endif

/* ------------------------------------------------------------------ alts */

/* Checks the cases before anything is locked. */
static int validate(ca_alt *cases, size_t n, int flags, ca_sched *s)
{
    size_t i, defaults = 0, fds = 0;
    int rc;

    if (cases == NULL || n == 0 || (flags & ~CA_ALTS_PRIORITY) != 0)
        return CA_EINVAL;
    if (n > CA_ALTS_MAX)
        return CA_ERANGE;
    for (i = 0; i < n; i++) {
        switch (cases[i].kind) {
        case CA__ALT_TAKE:
        case CA__ALT_PUT:
            if (cases[i].chan == NULL)
                return CA_EINVAL;
            /* Before any lock is taken: that would touch it already. */
            CA__CHECK_FREED(cases[i].chan, "ALTS", CA__FREED_CHAN);
            /* Cases may come from an initialiser (ALTS_OF) as well as
            ** from ca_alt_take/put: checked here again. */
            if (cases[i].u.w.val == NULL && cases[i].chan->elem_size != 0)
                return CA_EINVAL;
            cases[i].u.w.flags = 0; /* owned: in no queue yet */
            break;
        case CA__ALT_DEADLINE:
            if (cases[i].ms > CA_MAX_DELAY)
                return CA_ERANGE;
            cases[i].u.t.prev = &cases[i].u.t; /* in no heap yet */
            if (!ca__has_clock(s))
                return CA_ENOTSUP;
            break;
        case CA__ALT_DEFAULT:
            if (++defaults > 1)
                return CA_EINVAL;
            break;
        case CA__ALT_FD:
            if (!fds++ && (rc = ca__io_prepare(s)) != CA_OK)
                return rc;
            cases[i].u.w.flags = 0; /* owned: registered nowhere yet */
            break;
        case CA__ALT_OFF:
            break;
        default: /* 0 too: a zeroed case was never filled in */
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
        else if (c->kind == CA__ALT_FD)
            ok = c->u.w.state != 0; /* looked at before the locks */
        else
            continue;
        if (!ok)
            continue;
        if (flags & CA_ALTS_PRIORITY)
            return i;
        /* Reservoir sampling: the k-th ready case replaces the pick with
        ** probability 1/k, so each ready case wins with the same chance. */
        if (rand_below(rng, ++ready) == 0)
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

/* Pass 2 for one case: its waiter goes into its channel's queue and pins
** the channel until ca__alts_end. */
static int enqueue_case(ca_alt *c, ca_waker *waker, unsigned char *claim)
{
    ca_waiter *w = &c->u.w;
    int rc;

    w->waker = waker;
    w->u.claim = claim;
    w->index = c->index;
    w->flags = (unsigned char)(CA__W_ALT |
                               (c->kind == CA__ALT_TAKE ? CA__W_TAKE : 0));
    if ((rc = ca__pin_locked(c->chan)) != CA_OK)
        return rc;
    if ((rc = ca__enqueue_locked(c->chan, w)) != CA_OK)
        c->chan->pins--;
    return rc;
}

/* Pass 2: queues every channel case. The first case queued on a channel
** is the first that channel serves, so the cases that share a channel
** (adjacent in `order`) are queued starting from a random one of them,
** unless CA_ALTS_PRIORITY: then in array order. */
static int enqueue_all(ca_alt *order, int flags, uint32_t *rng,
                       ca_waker *waker, unsigned char *claim)
{
    ca_alt *group, *end, *c, *first;
    size_t k, r;
    int rc;

    for (group = order; group != NULL; group = end) {
        for (k = 0, end = group; end != NULL && end->chan == group->chan;
             end = end->p.order)
            k++;
        r = (flags & CA_ALTS_PRIORITY) || k == 1 ? 0 : rand_below(rng, k);
        for (first = group; r > 0; r--)
            first = first->p.order;
        /* first .. end, then group .. first: the group, rotated. */
        for (c = first; c != end; c = c->p.order)
            if ((rc = enqueue_case(c, waker, claim)) != CA_OK)
                goto fail;
        for (c = group; c != first; c = c->p.order)
            if ((rc = enqueue_case(c, waker, claim)) != CA_OK)
                goto fail;
    }
    return CA_OK;
fail:
    /* Take back every case queued so far: those that are QUEUED (validate
    ** cleared the flags of all, and nothing completes while we hold the
    ** locks). */
    for (c = order; c != NULL; c = c->p.order)
        if (ca__dequeue_locked(c->chan, &c->u.w))
            c->chan->pins--;
    return rc;
}

int ca__alts_start(ca_alt *cases, size_t n, int flags, ca_sched *s,
                   ca_waker *waker, ca_waker *deadline, unsigned char *claim,
                   uint32_t *rng, size_t *index, int *status, int hold)
{
    ca__wakelist wl;
    ca_alt *order;
    size_t i, pick;
    int rc, timers = 0, isr;

    if ((rc = validate(cases, n, flags, s)) != CA_OK)
        return rc;
    /* Descriptors are looked at (a poll(2) each, a system call) before
    ** any lock is taken: `state` keeps what came, with bit 0x80 for
    ** "ready". */
    for (i = 0; i < n; i++) {
        int re = 0;
        if (cases[i].kind != CA__ALT_FD)
            continue;
        cases[i].u.w.state = 0;
        if (ca__io_ready_now((int)(cases[i].ms >> 2), (int)(cases[i].ms & 3u),
                             &re))
            cases[i].u.w.state = (unsigned char)(0x80u | (unsigned)re);
    }
    CA__WAKELIST_INIT(&wl);
    /* Without threads nothing is locked: the order is needed only to
    ** queue, in pass 2. */
    order = CA_HAVE_THREADS ? lock_order(cases, n) : NULL;
    isr = isr_group(cases, n);
    cs_enter(isr);
    lock_all(order);
    if (!any_live(cases, n)) {
        unlock_all(order);
        cs_leave(isr);
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
        else if (c->kind == CA__ALT_FD) {
            if (c->u.w.val != NULL)
                *(int *)c->u.w.val = c->u.w.state & 0x7f;
            rc = CA_OK;
        } else
            rc = CA_OK; /* default, or a deadline already passed */
        if (rc == CA_AGAIN)
            continue;
        unlock_all(order);
        cs_leave(isr);
        ca__wake_all(&wl);
        *index = pick;
        *status = rc;
        return CA_OK;
    }
    /* Pass 2: wait on every case. */
#if CA_HAVE_THREADS
    CA__STORE(*claim, 0);
#else
    *claim = (unsigned char)(isr ? CA__CLAIM_CS : 0);
    order = lock_order(cases, n);
#endif
    if ((rc = enqueue_all(order, flags, rng, waker, claim)) != CA_OK) {
        unlock_all(order);
        cs_leave(isr);
        return rc;
    }
    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        if (c->kind != CA__ALT_DEADLINE && c->kind != CA__ALT_FD)
            continue;
        if (!timers)
            CA__SLOCK(s);
        timers = 1;
        if (c->kind == CA__ALT_DEADLINE) {
            c->p.claim = claim;
            ca__timer_add_locked(s, &c->u.t, c->ms, deadline);
        } else {
            /* Its poller wakes it as a channel wakes a case. */
            c->u.w.waker = waker;
            c->u.w.u.claim = claim;
            c->u.w.index = c->index;
            c->u.w.flags = CA__W_ALT;
            ca__io_register_locked(s, &c->u.w);
        }
    }
    if (hold)
        return CA__PARK;
    if (timers)
        CA__SUNLOCK(s);
    unlock_all(order);
    cs_leave(isr);
    if (timers)
        ca__sched_kick(s); /* a driver on another thread sleeps too long */
    return CA__PARK;
}

/* Releases what a held ALTS (hold) still holds. The lock order's head is
** the channel case with the lowest channel address, the first of them in
** array order (the sort is stable); the order links are still in place. */
void ca__alts_unlock(ca_alt *cases, size_t n, ca_sched *s)
{
    ca_alt *head = NULL;
    size_t i;
    int timers = 0, isr, fds = 0;

    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        if (c->kind == CA__ALT_DEADLINE || c->kind == CA__ALT_FD) {
            timers = 1;
            fds |= c->kind == CA__ALT_FD;
        } else if (is_chan_case(c) &&
                 (head == NULL || (uintptr_t)c->chan < (uintptr_t)head->chan))
            head = c;
    }
    isr = isr_group(cases, n);
    if (timers)
        CA__SUNLOCK(s);
    unlock_all(head); /* the last touch of the cases (see there) */
    cs_leave(isr);
    /* A poller asleep on another thread does not watch the new
    ** descriptors yet: the kick ends its wait. */
    if (fds)
        ca__sched_kick(s);
    (void)s;
}

int ca__alts_end(ca_alt *cases, size_t n, ca_sched *s, unsigned char *claim)
{
    size_t i;
    int timers = 0;

    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        if (c->kind == CA__ALT_TAKE || c->kind == CA__ALT_PUT)
            ca__unpin(c->chan, &c->u.w); /* may free a released channel */
        else if (c->kind == CA__ALT_DEADLINE || c->kind == CA__ALT_FD)
            timers = 1;
    }
    if (timers) {
        /* Under the lock, waiting for a fire or a poll that runs right
        ** now: the cases are ours again once this returns. */
        CA__SLOCK(s);
        for (i = 0; i < n; i++)
            if (cases[i].kind == CA__ALT_DEADLINE)
                ca__timer_cancel_locked(s, &cases[i].u.t);
            else if (cases[i].kind == CA__ALT_FD)
                ca__io_cancel_locked(s, &cases[i].u.w);
        CA__SUNLOCK(s);
    }
    return (CA__LOAD(*claim) & CA__CLAIMED) != 0;
}
