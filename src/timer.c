/*
** timer.c: the scheduler's timers, a pairing heap.
** MIT licence, see COPYING.
**
** A pairing heap is a tree where every parent is due no later than its
** children, kept as child and sibling links inside the timer nodes
** themselves, so adding a timer never allocates. Adding is O(1): the new
** node and the root are compared and one becomes the other's first child.
** Taking the earliest is O(log n) amortised: the root's children are
** melded in pairs, left to right, then the pairs right to left. Cancelling
** a node detaches its subtree, melds its children and melds the result
** back under the root, also O(log n) amortised. A binary heap in an array
** would be as fast but needs storage sized for the most timers there will
** ever be, which a firmware build cannot know and a Unix build would have
** to grow with realloc.
**
** Deadlines are ticks of a 32-bit millisecond clock that wraps; `due`
** compares them by their signed difference, which is right as long as no
** two pending deadlines are more than 2^31 ms apart (CA_MAX_DELAY).
*/
#include "internal.h"

#if CA_HAVE_THREADS
#include <sched.h>
#endif

/* A node's prev is its parent if it is the first child, else its left
** sibling; the root's is NULL. A node out of the heap points at itself. */

static int before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static ca_timer *meld(ca_timer *a, ca_timer *b)
{
    ca_timer *t;

    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (before(b->deadline, a->deadline)) {
        t = a;
        a = b;
        b = t;
    }
    /* b becomes a's first child. */
    b->prev = a;
    b->next = a->child;
    if (a->child != NULL)
        a->child->prev = b;
    a->child = b;
    a->next = NULL;
    a->prev = NULL;
    return a;
}

/* Melds a list of siblings into one tree: in pairs left to right, then
** the pairs from right to left. The pairs are chained through prev, which
** is free while they wait. */
static ca_timer *merge_pairs(ca_timer *first)
{
    ca_timer *pairs = NULL, *a, *b, *rest;

    while (first != NULL) {
        a = first;
        b = a->next;
        rest = b != NULL ? b->next : NULL;
        a->next = a->prev = NULL;
        if (b != NULL)
            b->next = b->prev = NULL;
        a = meld(a, b);
        a->prev = pairs;
        pairs = a;
        first = rest;
    }
    a = NULL;
    while (pairs != NULL) {
        b = pairs;
        pairs = pairs->prev;
        b->prev = NULL;
        a = meld(a, b);
    }
    return a;
}

static int pending(const ca_timer *t)
{
    return t->prev != t;
}

void ca__timer_add_at_locked(ca_sched *s, ca_timer *t, uint32_t deadline,
                             ca_waker *waker)
{
    CA_ASSERT(waker != NULL && waker->fire != NULL);
    t->deadline = deadline;
    t->child = t->next = t->prev = NULL;
    t->waker = waker;
    s->timers = meld(s->timers, t);
    s->ntimers++;
}

void ca__timer_add_locked(ca_sched *s, ca_timer *t, uint32_t ms,
                          ca_waker *waker)
{
    /* The current tick has partly passed already: wait one more, so that
    ** ms whole milliseconds pass before it fires. */
    ca__timer_add_at_locked(s, t, ca__now(s) + ms + (ms != 0), waker);
}

static void detach(ca_sched *s, ca_timer *t)
{
    ca_timer *sub;

    CA_ASSERT(pending(t) && s->ntimers != 0);
    if (t == s->timers) {
        s->timers = merge_pairs(t->child);
    } else {
        if (t->prev->child == t)
            t->prev->child = t->next;
        else
            t->prev->next = t->next;
        if (t->next != NULL)
            t->next->prev = t->prev;
        sub = merge_pairs(t->child);
        s->timers = meld(s->timers, sub);
    }
    if (s->timers != NULL)
        s->timers->prev = NULL;
    t->child = t->next = NULL;
    t->prev = t;
    s->ntimers--;
}

void ca__timer_cancel_locked(ca_sched *s, ca_timer *t)
{
    if (pending(t))
        detach(s, t);
#if CA_HAVE_THREADS
    /* Its fire is running on the driver: the owner may reuse t only once
    ** that has returned. Fires are a few instructions long. */
    while (s->firing == t) {
        CA__SUNLOCK(s);
        sched_yield();
        CA__SLOCK(s);
    }
#else
    CA_ASSERT(s->firing != t); /* a fire never cancels its own timer */
#endif
}

/* Due timers fire one at a time, earliest first, on one thread at a
** time, each with the lock released, so that every fire may take locks of
** its own (a timeout closes its channel) and blocks woken by timers are
** made ready in deadline order, whatever kind of timer woke them. `firing` marks the
** one whose fire runs, for ca__timer_cancel_locked. */
uint32_t ca__timers_fire(ca_sched *s)
{
    uint32_t now, next = CA_FOREVER;
    ca_timer *t;

    CA__SLOCK(s);
    /* Without threads nobody fires but this thread, which is not firing
    ** (a fire cannot drive a scheduler: CA_EPERM). */
    if (CA_HAVE_THREADS && s->firing != NULL) {
        /* Another thread (a pool's worker) fires: one at a time keeps the
        ** deadline order, and `firing` means one timer. It fires every
        ** timer due before it lets go, so what is due now is its work, not
        ** ours: answering 0 would have this thread come straight back for
        ** the lock, and a loop of that can starve the firer of the lock it
        ** needs to finish (it did under valgrind, whose threads take turns
        ** on one core). The next deadline not yet due is ours to sleep to. */
        if ((t = s->timers) != NULL) {
            now = ca__now(s);
            if (before(now, t->deadline))
                next = t->deadline - now;
        }
    } else if (s->timers != NULL) {
        now = ca__now(s);
        while ((t = s->timers) != NULL && !before(now, t->deadline)) {
            detach(s, t);
            CA_ASSERT(s->firing == NULL);
            s->firing = t;
            CA__SUNLOCK(s);
            t->waker->fire(t->waker, t); /* t may be gone on return */
            CA__SLOCK(s);
            s->firing = NULL;
        }
        if (t != NULL)
            next = t->deadline - now;
    }
    CA__SUNLOCK(s);
    return next;
}
