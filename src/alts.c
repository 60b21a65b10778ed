/*
** alts.c: one choice among several operations, for go blocks and for
** blocked threads alike. MIT licence, see COPYING.
**
** The shape is Go's select. With every channel of the choice locked (in
** address order, so two ALTS on the same channels cannot deadlock; a
** process with one thread and no transform among the channels, or a build
** without threads, needs no lock to look: see validate), pass 1 looks
** for cases that could complete now and completes one: the first in
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
** A queued case pins its channel (ca__enqueue_pinned_locked) until that
** clean-up: a channel whose last reference is released while a stale case
** of a block that has not resumed yet still points at it is freed only by
** the clean-up, never under the block's feet.
**
** Nothing of ours is queued during pass 1, and pass 2 only queues, so an
** ALTS cannot match its own put with its own take.
*/
#include "internal.h"

/* ------------------------------------------------------------------ cases */

#define END 0xffffu /* no next case in locking order (see "locks") */

static int set_chan_case(ca_alt *a, ca_chan *ch, void *val, int kind)
{
    if (a == NULL || ch == NULL || (val == NULL && ch->elem_size != 0))
        return CA_EINVAL;
    a->kind = (unsigned char)kind;
    a->chan = ch;
    a->u.w.val = val;
    /* Out of the kept locking order, which the next ALTS mends: the
    ** order is never read before it was written (valgrind). */
    a->p.order = END;
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
    return (unsigned)a->kind - CA__ALT_TAKE <= CA__ALT_PUT - CA__ALT_TAKE;
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

/* Is case c ready? Channel cases are looked at (under their locks), and
** the answer is kept in `state` for the draw in choose(), as it is for
** every case; a descriptor's was kept there before the locks. */
#define READY 0x80u

CA_STATIC_ASSERT(state_past_timer,
                 offsetof(ca_waiter, state) >= sizeof(ca_timer));

/* A channel case (`kind` its kind, read once by the caller). */
HOT int chan_ready(ca_alt *c, unsigned kind)
{
    int ok = kind == CA__ALT_TAKE ? ca__can_take_locked(c->chan)
                                  : ca__can_put_locked(c->chan);

    c->u.w.state = (unsigned char)(ok ? READY : 0);
    return ok;
}

HOT int ready_now(ca_alt *c)
{
    if (is_chan_case(c))
        return chan_ready(c, c->kind);
    if (c->kind == CA__ALT_FD)
        return (c->u.w.state & READY) != 0;
    c->u.w.state = 0; /* a deadline's timer leaves it free: see below */
    return 0;
}

/* ------------------------------------------------------------------ locks */

/* The channel cases in locking order: by channel address, so that two
** ALTS on the same channels cannot deadlock, and the cases that share a
** channel adjacent, in array order. The order is a list through each
** case's `p.order` (case numbers, so a copied array keeps a valid one),
** and it stays in the cases between ALTS: an ALTS whose cases still hold
** it, checked in one walk, does not sort again. */

CA_STATIC_ASSERT(alts_max_below_end, CA_ALTS_MAX <= END); /* no case is END */
/* The locking order costs no byte: the case is as large as it was when
** the order was a pointer, a waiter and four words (the firmware issue
** counts them). */
CA_STATIC_ASSERT(alt_size,
                 sizeof(ca_alt) <= sizeof(ca_waiter) + 2 * sizeof(void *) + 8);

/* a before b in locking order (two cases of one array: their addresses
** are in array order, so no case number needs writing before a sort). */
static int before(const ca_alt *a, const ca_alt *b)
{
    return (uintptr_t)a->chan < (uintptr_t)b->chan ||
           (a->chan == b->chan && (uintptr_t)a < (uintptr_t)b);
}

/* Insertion sort of a short list, on the links: for the few channels of
** a usual ALTS, fewer steps than the merge sort's calls. */
static size_t insertion_sort(ca_alt *cases, size_t list)
{
    unsigned short head = END, *at;
    size_t next;

    for (; list != END; list = next) {
        next = cases[list].p.order;
        for (at = &head; *at != END && before(&cases[*at], &cases[list]);
             at = &cases[*at].p.order)
            ;
        cases[list].p.order = *at;
        *at = (unsigned short)list;
    }
    return head;
}

/* Merge sort of the list of n cases starting at `list` (which ends with
** END), on the links: no storage, O(n log n). */
static size_t sort_by_chan(ca_alt *cases, size_t list, size_t n)
{
    unsigned short head, *tail = &head;
    size_t a, b, half = n / 2, i;

    if (n <= 8 || CA_CONFIG_SMALL) /* a build for size has no merge */
        return insertion_sort(cases, list);
    for (a = list, i = 1; i < half; i++)
        a = cases[a].p.order;
    b = cases[a].p.order;
    cases[a].p.order = END;
    a = sort_by_chan(cases, list, half);
    b = sort_by_chan(cases, b, n - half);
    while (a != END && b != END) {
        size_t *min = before(&cases[a], &cases[b]) ? &a : &b;
        *tail = (unsigned short)*min;
        tail = &cases[*min].p.order;
        *min = cases[*min].p.order;
    }
    *tail = (unsigned short)(a != END ? a : b);
    return head;
}

/* What one look at the cases found (validate). */
typedef struct prep {
    size_t head;        /* the first channel case in locking order: the  */
                        /* lowest channel address, first in the array;   */
                        /* END if there is no channel case, or until     */
                        /* find_head when validate only looked           */
    size_t nchan;       /* how many channel cases (as head)              */
    unsigned has;       /* HAS_*                                         */
    size_t ready;       /* how many channel cases validate's look, or    */
                        /* lock_all, found READY                         */
} prep;

#define HAS_TIMED 0x01    /* a deadline or descriptor case: pass 2 starts it */
#define HAS_FD 0x02       /* a descriptor case: polled before the locks   */
#define HAS_FALLBACK 0x04 /* a default case, or a deadline of 0           */
#define HAS_ISR 0x08      /* no threads: a channel an interrupt touches   */
#define HAS_DEAD 0x10     /* no threads: a channel that is not live       */
#define HAS_ODD 0x20      /* a channel validate did not look at: ODD      */
#define HAS_LOCKED 0x40   /* pass 1 locked every channel (lock_all)       */

/* What makes a channel one that validate does not look at without a lock
** (`look`): not live (an error, reported by the locked way); with
** threads, a transform, whose step is code of the user's (see below);
** without threads, one an interrupt touches: its queue may change between
** two loads (a waiter unqueued and claimed by ca_poll_isr after its
** queue's head was read, before the count was), which sent ca__has_live
** down a list that was no longer one. The section looks at it anyway. */
#define ODD (CA__CH_LIVE | (CA_HAVE_THREADS ? CA__CH_XF : CA__CH_ISR))

/* Does the order the cases hold still hold? From the first channel case
** in locking order, each link goes to a later one (one step of that is
** follows()), and the list ends after all of them: keys that only grow
** visit no case twice, so that is every channel case, sorted. Whatever
** changed in between (a case filled with another channel, switched off,
** the array copied or shortened) fails it, and costs one sort. */
static int follows(const ca_alt *cases, size_t n, const ca_alt *c,
                   size_t next)
{
    return next < n && is_chan_case(&cases[next]) && before(c, &cases[next]);
}

/* The head of the locking order and the number of channel cases (prep),
** for an ALTS that locks or queues after validate only looked. */
static void find_head(const ca_alt *cases, size_t n, prep *pp)
{
    size_t i, head = END, nchan = 0;

    for (i = 0; i < n; i++) {
        if (!is_chan_case(&cases[i]))
            continue;
        nchan++;
        if (head == END ||
            (uintptr_t)cases[i].chan < (uintptr_t)cases[head].chan)
            head = i;
    }
    pp->head = head;
    pp->nchan = nchan;
}

/* Links the channel cases in array order, and sorts them. */
static void sort_cases(ca_alt *cases, size_t n, const prep *pp)
{
    unsigned short list = END, *tail = &list;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_chan_case(&cases[i]))
            continue;
        *tail = (unsigned short)i;
        tail = &cases[i].p.order;
    }
    *tail = END;
    i = sort_by_chan(cases, list, pp->nchan);
    CA_ASSERT(i == pp->head);
    (void)i;
}

#if CA_HAVE_THREADS
static void unlock_all(ca_alt *cases, size_t i);

/* Locks each distinct channel once, along the order kept in the cases,
** checking it on the way as order_holds() does: an ALTS whose order
** holds walks it once. Where it breaks, what was locked is unlocked, the
** cases are sorted, and the walk starts again. With `mark`, each channel
** case is marked READY or not (ready_now) as soon as its channel is
** locked, and pp->ready counts them: pass 1 needs no walk of its own. 0
** if a channel is not live (all are locked all the same, for
** unlock_all). */
HOT int lock_walk(ca_alt *cases, size_t n, prep *pp, int mark)
{
    ca_alt *c;
    ca_chan *last;
    size_t k, ready;
    int live, sorted = 0;

    pp->ready = 0;
    if (pp->nchan == 0)
        return 1;
    (void)sorted; /* read by CA_ASSERT only */
    if (pp->nchan > 1 && cases[pp->head].p.order == END) {
        sort_cases(cases, n, pp); /* filled again: no lock to take back */
        sorted = 1;
    }
    for (;;) {
        c = &cases[pp->head];
        last = c->chan;
        CA__LOCK(last);
        live = (last->flags & CA__CH_LIVE) != 0;
        ready = mark ? (size_t)ready_now(c) : 0;
        for (k = 1; k < pp->nchan && follows(cases, n, c, c->p.order); k++) {
            c = &cases[c->p.order];
            if (c->chan != last) {
                last = c->chan;
                CA__LOCK(last);
                live &= (last->flags & CA__CH_LIVE) != 0;
            }
            if (mark)
                ready += (size_t)ready_now(c);
        }
        if (k == pp->nchan && c->p.order == END) {
            pp->ready = ready;
            return live;
        }
        CA_ASSERT(!sorted); /* a sorted order holds */
        c->p.order = END; /* what is locked ends here */
        unlock_all(cases, pp->head);
        sort_cases(cases, n, pp);
        sorted = 1;
    }
}

/* Pass 1's lock_walk, with the marks, out of line: inlined in
** ca__alts_start, it cost W3 more than the call (measured). park inlines
** its own, without them: that one saves W3 10 instructions a message. */
OUTLINE int lock_all(ca_alt *cases, size_t n, prep *pp)
{
    return lock_walk(cases, n, pp, 1);
}

/* Once a channel is unlocked, its cases may complete, the block be woken
** and run on another thread, and its cases be rewritten by the next
** ALTS: each channel is unlocked only after its last case was read, and
** what is read next belongs to a channel still locked. */
static void unlock_all(ca_alt *cases, size_t i)
{
    ca_chan *ch;

    while (i != END) {
        ch = cases[i].chan;
        do
            i = cases[i].p.order;
        while (i != END && cases[i].chan == ch);
        CA__UNLOCK(ch);
    }
}
#define cs_enter(isr) ((void)(isr))
#define cs_leave(isr) ((void)(isr))
#else
/* lock_walk's walk, without the locks. */
static int order_holds(const ca_alt *cases, size_t n, const prep *pp)
{
    const ca_alt *c = &cases[pp->head];
    size_t k;

    for (k = 1; k < pp->nchan; k++) {
        if (!follows(cases, n, c, c->p.order))
            return 0;
        c = &cases[c->p.order];
    }
    return c->p.order == END;
}

/* The order, for pass 2 only. */
static size_t lock_order(ca_alt *cases, size_t n, const prep *pp)
{
    if (pp->nchan != 0 && !order_holds(cases, n, pp)) {
        sort_cases(cases, n, pp);
        CA_ASSERT(order_holds(cases, n, pp));
    }
    return pp->head;
}

/* Without threads nothing is locked (liveness was seen in validate),
** except when a case is on a channel an interrupt touches: then the whole
** ALTS runs inside the critical section, and its group is claimed inside
** it too (lock.h). */
#define lock_all(cases, n, pp) ((void)(cases), (void)(n), (void)(pp), 1)
#define unlock_all(cases, i) ((void)(cases), (void)(i))
#define cs_enter(isr) ((isr) ? ca__isr->enter() : (void)0)
#define cs_leave(isr) ((isr) ? ca__isr->leave() : (void)0)
#endif

/* ------------------------------------------------------------------ alts */

/* Checks the cases before anything is locked, and readies them: what a
** previous ALTS left in them is overwritten here or in pass 2, so that
** cases can be passed again as they are. A channel case is only read
** here (pass 2 writes its waiter).
**
** With `look`, it marks the channel cases READY or not on the way, and
** pp->ready counts them: pass 1 then needs no walk of its own. Only
** where no lock is needed to look: without threads (but not on a channel
** an interrupt touches: ODD; HAS_ISR, looked at inside the section), and
** in a process with one thread (lock.h's CA__ALONE). That one has nobody
** to keep out: its channels are locked only because code of the user's
** that runs under a lock might start a thread, and pass 1 runs none
** unless a channel has a transform (its step): then HAS_ODD, and the
** locked way. */
HOT int validate(ca_alt *cases, size_t n, int flags, ca_sched *s, prep *pp,
                 int look)
{
    ca_chan *low = NULL; /* the lowest channel address so far: head's */
    size_t i, head = END, defaults = 0, nchan = 0, ready = 0;
    unsigned has = 0; /* pp's, in registers until the end */
#if !CA_HAVE_THREADS
    unsigned any = 0, all = CA__CH_LIVE; /* the channels' flags, or'ed */
                                         /* and and'ed                 */
#endif
    int rc;

    if (cases == NULL || n == 0 || (flags & ~CA_ALTS_PRIORITY) != 0)
        return CA_EINVAL;
    if (n > CA_ALTS_MAX)
        return CA_ERANGE;
    for (i = 0; i < n; i++) {
        ca_alt *c = &cases[i];
        const unsigned kind = c->kind;

        /* The usual case first, a take (W3's fan-in) before a put. */
        if (kind == CA__ALT_TAKE || kind == CA__ALT_PUT) {
            ca_chan *ch = c->chan;
            unsigned f;

            if (ch == NULL)
                return CA_EINVAL;
            /* Before any lock is taken: that would touch it already. */
            CA__CHECK_FREED(ch, "ALTS", CA__FREED_CHAN);
            /* Cases may come from an initialiser (ALTS_OF) as well as
            ** from ca_alt_take/put: checked here again. */
            if (c->u.w.val == NULL && ch->elem_size != 0)
                return CA_EINVAL;
            f = ch->flags;
#if !CA_HAVE_THREADS
            any |= f;
            all &= f;
#endif
            if (look) {
                /* The lock order's head, and the count, wait for pass 2
                ** (find_head): most ALTS that look complete at once. */
                if ((f & ODD) != CA__CH_LIVE) {
                    has |= HAS_ODD;
                    continue;
                }
                if (chan_ready(c, kind))
                    ready++;
                continue;
            }
            nchan++;
            if (low == NULL || (uintptr_t)ch < (uintptr_t)low)
                low = ch, head = i;
            continue;
        }
        c->index = (unsigned short)i; /* a deadline's fire reads it */
        switch (c->kind) {
        case CA__ALT_DEADLINE:
            if (c->ms > CA_MAX_DELAY)
                return CA_ERANGE;
            c->u.t.prev = &c->u.t; /* in no heap yet */
            c->u.w.state = 0;      /* never READY: past the timer */
            if (!ca__has_clock(s))
                return CA_ENOTSUP;
            has |= c->ms == 0 ? HAS_FALLBACK | HAS_TIMED : HAS_TIMED;
            break;
        case CA__ALT_DEFAULT:
            if (++defaults > 1)
                return CA_EINVAL;
            has |= HAS_FALLBACK;
            c->u.w.state = 0; /* not READY: it wins only as the fallback */
            break;
        case CA__ALT_FD:
            if (!(has & HAS_FD) && (rc = ca__io_prepare(s)) != CA_OK)
                return rc;
            c->u.w.flags = 0; /* owned: registered nowhere yet */
            has |= HAS_FD | HAS_TIMED;
            break;
        case CA__ALT_OFF:
            c->u.w.state = 0;
            break;
        default: /* 0 too: a zeroed case was never filled in */
            return CA_EINVAL;
        }
    }
#if !CA_HAVE_THREADS
    has |= (any & CA__CH_ISR ? HAS_ISR : 0) | (all ? 0 : HAS_DEAD);
#endif
    pp->head = head;
    pp->nchan = nchan;
    pp->has = has;
    pp->ready = ready;
    return CA_OK;
}

/* Marks every case READY or not; returns how many are. */
static size_t mark_ready(ca_alt *cases, size_t n)
{
    size_t i, ready = 0;

    for (i = 0; i < n; i++)
        ready += (size_t)ready_now(&cases[i]);
    return ready;
}

/* Pass 1: the case to complete now, or n if none is ready, from the
** `ready` cases marked READY: the first in array order with
** CA_ALTS_PRIORITY, else one drawn among them, each with the same chance
** (no draw when one alone is ready). */
static size_t choose(ca_alt *cases, size_t n, size_t ready, int flags,
                     unsigned has, uint32_t *rng)
{
    size_t i;

    if (ready != 0) {
        if (ready > 1 && !(flags & CA_ALTS_PRIORITY))
            ready = rand_below(rng, ready);
        else
            ready = 0;
        for (i = 0;; i++)
            if ((cases[i].u.w.state & READY) && ready-- == 0)
                return i;
    }
    if (!(has & HAS_FALLBACK))
        return n;
    for (i = 0; i < n; i++)
        if (cases[i].kind == CA__ALT_DEFAULT ||
            (cases[i].kind == CA__ALT_DEADLINE && cases[i].ms == 0))
            return i;
    return n;
}

/* Pass 2 for one case: its waiter goes into its channel's queue and pins
** the channel until ca__alts_end. */
static int enqueue_case(ca_alt *cases, size_t i, ca_waker *waker,
                        unsigned char *claim)
{
    ca_alt *c = &cases[i];
    ca_waiter *w = &c->u.w;

    w->waker = waker;
    w->u.claim = claim;
    w->index = (unsigned short)i;
    w->flags = (unsigned char)(CA__W_ALT |
                               (c->kind == CA__ALT_TAKE ? CA__W_TAKE : 0));
    return ca__enqueue_pinned_locked(c->chan, w);
}

#if defined(__OPTIMIZE_SIZE__) || CA_CONFIG_SMALL
#define FOR_SIZE 1
#else
#define FOR_SIZE 0
#endif

/* Pass 2: queues every channel case. The first case queued on a channel
** is the first that channel serves, so the cases that share a channel
** (adjacent in the order) are queued starting from a random one of them,
** unless CA_ALTS_PRIORITY: then in array order. */
static int enqueue_all(ca_alt *cases, size_t head, int flags, uint32_t *rng,
                       ca_waker *waker, unsigned char *claim)
{
    size_t group, end, c, first, k, r;
    int rc;

    for (group = head; group != END; group = end) {
        end = cases[group].p.order;
        if (!FOR_SIZE &&
            (end == END || cases[end].chan != cases[group].chan)) {
            /* Alone on its channel, the usual: no walk of a group (and
            ** enqueue_case writes its flags before it can fail). A build
            ** for size goes the group's way (32 bytes). */
            if ((rc = enqueue_case(cases, group, waker, claim)) != CA_OK)
                goto fail;
            continue;
        }
        /* Queued rotated: a case may be taken back before its turn. */
        for (k = 0, end = group;
             end != END && cases[end].chan == cases[group].chan;
             end = cases[end].p.order) {
            cases[end].u.w.flags = 0; /* owned: in no queue yet */
            k++;
        }
        r = (flags & CA_ALTS_PRIORITY) ? 0 : rand_below(rng, k);
        for (first = group; r > 0; r--)
            first = cases[first].p.order;
        /* first .. end, then group .. first: the group, rotated. */
        for (c = first; c != end; c = cases[c].p.order)
            if ((rc = enqueue_case(cases, c, waker, claim)) != CA_OK)
                goto fail;
        for (c = group; c != first; c = cases[c].p.order)
            if ((rc = enqueue_case(cases, c, waker, claim)) != CA_OK)
                goto fail;
    }
    return CA_OK;
fail:
    /* Take back every case queued so far: those that are QUEUED, up to
    ** this group's end (the groups after it were not cleared yet; nothing
    ** completes while we hold the locks). */
    for (c = head; c != end; c = cases[c].p.order)
        if (ca__dequeue_locked(cases[c].chan, &cases[c].u.w))
            cases[c].chan->pins--;
    return rc;
}

/* Descriptors are looked at (a poll(2) each, a system call) before any
** lock is taken: `state` keeps what came, with READY. How many are. */
OUTLINE size_t poll_fds(ca_alt *cases, size_t n)
{
    size_t i, ready = 0;

    for (i = 0; i < n; i++) {
        int re = 0;
        if (cases[i].kind != CA__ALT_FD)
            continue;
        cases[i].u.w.state = 0;
        if (ca__io_ready_now((int)(cases[i].ms >> 2), (int)(cases[i].ms & 3u),
                             &re)) {
            cases[i].u.w.state = (unsigned char)(READY | (unsigned)re);
            ready++;
        }
    }
    return ready;
}

/* What a go block's held ALTS (threads only) leaves in its waiter for
** ca__alts_unlock, so that the release walks no case: `index` keeps the
** lock order's head, `status` (free while it waits) these bits. Read
** before the first lock is let go, after which a case may win and write
** both. */
#define HELD_TIMERS 0x01 /* the scheduler's lock is held too            */
#define HELD_FDS 0x02    /* and descriptors were registered             */

/* Pass 2, out of the way of pass 1 (most ALTS in a loop complete at
** once): queues every case, starts the deadlines, and lets go of the
** locks unless a go block's scheduler does (`hold`). */
OUTLINE int park(ca_alt *cases, size_t n, int flags, ca_sched *s,
                 ca_waiter *self, uint32_t *rng, prep *pp)
{
    /* A go block's waiter has its scheduler's waker (sched.c). Its ALTS
    ** parks with its locks held, for the scheduler, with threads (see
    ** sched.c); a blocked thread's lets go of them here. Without threads
    ** nobody can complete a case before the function has returned but an
    ** interrupt, whose wake waits for the next turn anyway: the ALTS lets
    ** go of its section itself. */
    const int go = self->waker == &s->waker, hold = go && CA_HAVE_THREADS;
    const int isr = (pp->has & HAS_ISR) != 0;
    unsigned char *claim = &self->claim;
    ca_waker *waker = self->waker, *deadline = go ? &s->alt_waker : waker;
    size_t i, head;
    unsigned held = 0;
    int rc;

#if CA_HAVE_THREADS
    if (!(pp->has & HAS_LOCKED)) {
        /* Pass 1 looked without locks; pass 2 parks, whose protocol
        ** (sched.c) keeps the locks until the block's function returned.
        ** Live when validate looked, and nothing ran since. */
        find_head(cases, n, pp);
        rc = lock_walk(cases, n, pp, 0);
        CA_ASSERT(rc);
    }
    head = pp->head;
    CA__STORE(*claim, 0);
#else
    *claim = (unsigned char)(isr ? CA__CLAIM_CS : 0);
    find_head(cases, n, pp);
    head = lock_order(cases, n, pp);
#endif
    if ((rc = enqueue_all(cases, head, flags, rng, waker, claim)) != CA_OK) {
        unlock_all(cases, head);
        cs_leave(isr);
        self->status = (signed char)rc;
        return rc;
    }
    for (i = 0; (pp->has & HAS_TIMED) && i < n; i++) {
        ca_alt *c = &cases[i];
        if (c->kind != CA__ALT_DEADLINE && c->kind != CA__ALT_FD)
            continue;
        if (!held)
            CA__SLOCK(s);
        held |= HELD_TIMERS;
        if (c->kind == CA__ALT_DEADLINE) {
            c->p.claim = claim;
            ca__timer_add_locked(s, &c->u.t, c->ms, deadline);
        } else {
            /* Its poller wakes it as a channel wakes a case. */
            held |= HELD_FDS;
            c->u.w.waker = waker;
            c->u.w.u.claim = claim;
            c->u.w.index = c->index;
            c->u.w.flags = CA__W_ALT;
            ca__io_register_locked(s, &c->u.w);
        }
    }
    if (hold) {
        self->index = (unsigned short)head;
        self->status = (signed char)held;
        return CA__PARK;
    }
    if (held)
        CA__SUNLOCK(s);
    unlock_all(cases, head);
    cs_leave(isr);
    if (held)
        ca__sched_kick(s); /* a driver on another thread sleeps too long */
    return CA__PARK;
}

ALIGNED int ca__alts_start(ca_alt *cases, size_t n, int flags,
                           ca_sched *s, ca_waiter *self, uint32_t *rng)
{
    ca__wakelist wl;
    prep pp;
    size_t pick, ready = 0, head = END;
    int rc, isr;
#if CA_HAVE_THREADS
    int look;

    /* Two copies of the loop, so that neither tests `look` per case. */
    look = CA__ALONE();
    rc = look ? validate(cases, n, flags, s, &pp, 1)
              : validate(cases, n, flags, s, &pp, 0);
#else
    rc = validate(cases, n, flags, s, &pp, 1);
#endif
    if (rc != CA_OK)
        goto refused;
    if (pp.has & HAS_FD)
        ready = poll_fds(cases, n);
    CA__WAKELIST_INIT(&wl);
    isr = (pp.has & HAS_ISR) != 0;
    cs_enter(isr);
#if CA_HAVE_THREADS
    if (!look || (pp.has & HAS_ODD)) {
        if (look)
            find_head(cases, n, &pp);
        head = pp.head;
        pp.has |= HAS_LOCKED;
        if (!lock_all(cases, n, &pp)) {
            unlock_all(cases, head);
            rc = CA_EBADCHAN;
            goto refused;
        }
    } /* else none: see validate */
    ready += pp.ready;
#else
    /* Without threads nothing is locked: the order is needed only to
    ** queue, in pass 2. */
    if (pp.has & HAS_DEAD) {
        cs_leave(isr);
        rc = CA_EBADCHAN;
        goto refused;
    }
    if (isr) /* validate looked before the section */
        ready = mark_ready(cases, n);
    else
        ready += pp.ready;
#endif
    /* A counterpart seen ready may be claimed meanwhile by its own alts
    ** group on a channel we do not hold: then choose again. */
    while ((pick = choose(cases, n, ready, flags, pp.has, rng)) != n) {
        ca_alt *c = &cases[pick];
#if !FOR_SIZE
        /* Nothing held (alone, no interrupt's channel): a go block's TAKE
        ** does the rest, which, the case ready, completes at once, and
        ** leaves the woken put in the hand-off slot (W3 608 -> 583
        ** instructions a message). Not in a build for size, whose
        ** images have fast_op's hand-off once, in go_op. */
        if (c->kind == CA__ALT_TAKE && !(pp.has & (HAS_LOCKED | HAS_ISR))) {
            self->index = (unsigned short)pick;
            (void)ca__alts_take_fast(self, c->chan, c->u.w.val);
            return CA_OK;
        }
#endif
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
        if (rc == CA_AGAIN) {
            ready = mark_ready(cases, n);
            continue;
        }
        if (pp.has & HAS_LOCKED)
            unlock_all(cases, head);
        cs_leave(isr);
        ca__wake_list(&wl);
        self->index = (unsigned short)pick;
        self->status = (signed char)rc;
        return CA_OK;
    }
    return park(cases, n, flags, s, self, rng, &pp);
refused:
    self->status = (signed char)rc;
    return rc;
}

/* Releases what a held ALTS (hold) still holds, from what park left in
** the block's waiter. */
void ca__alts_unlock(ca_waiter *self, ca_sched *s)
{
    const unsigned held = (unsigned char)self->status;
    const size_t head = self->index;
    /* Read before the scheduler's lock goes: from then on a deadline's
    ** fire or the poller may claim the ALTS and wake the block, which,
    ** when no channel lock holds it back (no channel case), may run its
    ** next ALTS or end and be freed on another thread. */
    ca_alt *const cases = (ca_alt *)self->val;

    if (held & HELD_TIMERS)
        CA__SUNLOCK(s);
    /* the last touch of the cases (see there) */
    unlock_all(cases, head);
    /* A poller asleep on another thread does not watch the new
    ** descriptors yet: the kick ends its wait. */
    if (held & HELD_FDS)
        ca__sched_kick(s);
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
