/*
** sched.c: the scheduler: run queue, the park/wake protocol, the loop.
** MIT licence, see COPYING.
**
** # The park/wake protocol
**
** A go block parks in three steps: its op stores the resume point
** (g->site), queues the block's waiter on a channel (or its timer in the
** heap, or its ALTS cases everywhere), and its function returns
** CA_GO_PARKED. A block must become runnable only once BOTH its function
** has returned and it has been woken; a completer on another thread must
** never make it ready while its function still runs on this one.
**
** As Go's gopark releases the channel's lock only after the goroutine is
** off its stack, a parking op here returns with the locks it queued under
** still held: the channel's for TAKE and PUT, every case's channel's (and
** the scheduler's, for deadline cases) for ALTS, the scheduler's for
** SLEEP. Nobody can complete the waiter, or fire the timer, while they
** are held. run_one releases them once the function has returned
** (release_parked); from then on the block may be woken, on any thread.
** The handshake costs no atomic operation beyond the locks the op took
** anyway.
**
** g->u.w.park follows the protocol: RUNNING while the function runs, or
** what a parking op left held (ALTS, SLEEP; LOST holds nothing; a TAKE
** or PUT leaves RUNNING, and its own waiter QUEUED on the locked channel);
** then, in a build with --enable-debug, PARKED once it returned and the
** locks are released and WOKEN when a waker made it ready, every step
** asserting the one before. A block is woken once per park (a channel
** completes a waiter once, an ALTS group is claimed once).
**
** Where a woken block goes: the run queue belongs to the thread that
** drives the scheduler, and takes no lock. A block woken on that thread
** (by another block, a timer, a callback the driver runs: the hot path of
** every channel hand-off) goes straight there. A block woken on any other
** thread goes to the inbox, under the lock, followed by a kick; the driver
** moves the inbox into the run queue when it runs dry.
**
** The hand-off slot (issue 11, internal.h) shortens the driver's hot
** case: a TAKE or PUT that completes a waiter of a block of this
** scheduler leaves it in the slot, and once the waker's function has
** returned, the woken block runs straight away if the run queue is empty,
** else it joins the queue's end. Any other wake on the driver while the
** slot is full sends the slot's block to the queue first. So blocks run
** in exactly the order the run queue alone would give them (fairness is
** unchanged: a pair of blocks handing off to each other runs back to back
** only while nothing else is ready, and a batch still ends after
** CA__TIMER_BATCH runs for the timers, the inbox and the descriptors);
** what it saves is the queue's push and pop and the waker's indirect
** call: W1 467 -> 323 instructions per round trip with the rest of the
** fast path's work. When the queue is not empty, the slot's block joins
** its end and its head comes off in one step (rotate: W5 -7%), and a
** batch that ends before running that head puts it back first (unpop).
**
** # Sleeping without losing a wake-up
**
** The driver sleeps (ca__platform_idle) only when nothing is ready, and
** every event that could change its mind kicks: a wake from another
** thread, a timer added from another thread, the last ca_sched_unref, a
** driver letting go. Each kick bumps s->epoch; the driver reads the epoch
** BEFORE it looks at its queues, timers and references, and its wait
** returns at once if the epoch moved since. There is no polling: a lost
** kick hangs, and the tests are built so that it would.
**
** # Invariants
** - A live go block is in exactly one place: running, the run queue or
**   the inbox (READY), the driver's hand-off slot (woken while another
**   block runs: its waiter DONE, not READY), taken by run_ready to run
**   next (between two runs, READY cleared: unpop returns it to the
**   queue's front if the batch ends first), the timer heap (SLEEP), a
**   channel's queue (TAKE, PUT), or the queues and the timer heap of its
**   ALTS cases (a deadline case's timer is in the heap as well). Only
**   that place refers to it, besides the list of live blocks kept for
**   reports.
** - The scheduler's lock is never held while a channel's is taken, nor
**   while a timer fires.
** - A block's result becomes visible (its result channel closed) only
**   after the block left the live list and the scheduler touches it no
**   more: whoever sees the result may free the block's struct.
*/
#include <string.h>
#if CA_HAVE_THREADS
#include <sched.h>
#endif

#include "internal.h"
#include "platform.h"

/* The run queue this thread runs, if any (internal.h). */
#if CA_HAVE_THREADS
CA__TLS ca__runq *ca__sched_cur;
#else
ca__runq *ca__sched_cur;
#endif

/* The block whose function runs on this thread, if any (run_one), for a
** report made from inside it (ca__sched_running). It knows this thread's
** block only: on a pool, a block running on another worker is reported
** at its last park, as ca_sched_parked(3) says. Kept here rather than
** in a bit of the block's state: the bit's set and clear cost a load and
** two stores of the state byte per run, which the compiler could no
** longer merge with the queue's (W1 -10 instructions per round trip). */
#if CA_HAVE_THREADS
static CA__TLS ca_go *running;
#else
static ca_go *running;
#endif

static ca_go *go_of(ca_waiter *w)
{
    return CA_CONTAINER_OF(w, ca_go, u.w);
}

/* ------------------------------------------------------------------ queue */

/* Appends the list first..last (linked through u.w.next, last's link
** NULL) to the queue head/tail: one block, or a whole other queue. */
HOT void append(ca_go **head, ca_go **tail, ca_go *first, ca_go *last)
{
    if (*tail != NULL)
        (*tail)->u.w.next = &first->u.w;
    else
        *head = first;
    *tail = last;
}

/* A pool's queues are locked: their owner pushes and pops, idle workers
** steal. A driver's queue is its alone and takes no lock. (QLOCK_ and
** QUNLOCK_ take q->shared as pop reads it once: the compiler must assume
** that the store of a block's state byte in between may change it, and
** would read it again, on the hot path of every block run from the
** queue.) */
#if CA_HAVE_THREADS
#define QSHARED(q) ((q)->shared)
#define QLOCK_(q, sh) ((sh) ? ca__spin_lock(&(q)->lock) : (void)0)
#define QUNLOCK_(q, sh) ((sh) ? ca__spin_unlock(&(q)->lock) : (void)0)
#define QSET_N(q, v) __atomic_store_n(&(q)->n, (v), __ATOMIC_RELAXED)
#else
#define QSHARED(q) ((void)(q), 0)
#define QLOCK_(q, sh) ((void)(sh))
#define QUNLOCK_(q, sh) ((void)(sh))
#define QSET_N(q, v) ((q)->n = (v))
#endif
#define QLOCK(q) QLOCK_((q), QSHARED(q))
#define QUNLOCK(q) QUNLOCK_((q), QSHARED(q))

#if CA_HAVE_THREADS
/* The pool's paths stay out of line: a driver's hand-off (W1) does not
** carry them. */
#define POOL_PATH static __attribute__((noinline))
POOL_PATH void spill(ca_sched *s, size_t n);
POOL_PATH void kick_keen(ca_sched *s);
#endif

/* (`pool`: q may be a pool's. A driver's own queue, which is not, is
** pushed with push_own: no test of the flag, which the compiler would
** otherwise read again after each store.) */
TINY void push_(ca__runq *q, ca_go *g, int pool)
{
    size_t n;

    CA_ASSERT(!(g->u.w.state & CA__G_READY));
    CA_ASSERT(pool || !QSHARED(q));
    g->u.w.next = NULL;
    QLOCK_(q, pool && QSHARED(q));
    g->u.w.state |= CA__G_READY;
    append(&q->head, &q->tail, g, g);
    n = q->n + 1;
    QSET_N(q, n);
    QUNLOCK_(q, pool && QSHARED(q));
#if CA_HAVE_THREADS
    /* More ready here than this worker runs next: an idle worker may as
    ** well come and steal (Go's wakep; see spill). */
    if (n > 1 && pool && q->shared)
        spill(q->s, n);
#endif
}
#define push(q, g) push_((q), (g), 1)
#define push_own(q, g) push_((q), (g), 0)

TINY ca_go *pop(ca__runq *q)
{
    int shared = QSHARED(q);
    ca_go *g;

    QLOCK_(q, shared);
    if ((g = q->head) != NULL) {
        q->head = g->u.w.next != NULL ? go_of(g->u.w.next) : NULL;
        if (q->head == NULL)
            q->tail = NULL;
        QSET_N(q, q->n - 1);
        CA_ASSERT((g->u.w.state & (CA__G_READY | CA__G_LIVE)) ==
                  (CA__G_READY | CA__G_LIVE));
        g->u.w.state &= (unsigned char)~CA__G_READY;
    }
    QUNLOCK_(q, shared);
    return g;
}

#if CA__HANDOFF
/* The block the hand-off slot held joins the end of q, a driver's own
** queue that is not empty, and q's head leaves it to run next: a push and
** a pop in one, without counting one in and one out, nor the tests of a
** pool's queue and of an empty one (W5's sieve, whose values in flight
** keep the queue from running dry, does this on nearly every run). */
TINY ca_go *rotate(ca__runq *q, ca_go *g)
{
    ca_go *h = q->head;

    CA_ASSERT(h != NULL && q->n != 0 && !QSHARED(q));
    CA_ASSERT(!(g->u.w.state & CA__G_READY));
    CA_ASSERT((h->u.w.state & (CA__G_READY | CA__G_LIVE)) ==
              (CA__G_READY | CA__G_LIVE));
    g->u.w.next = NULL;
    q->tail->u.w.next = &g->u.w; /* h's own link, if h is alone */
    q->tail = g;
    /* (A byte's store, which may hit q, between the two: GCC would pair
    ** them in a vector, for two instructions more.) */
    g->u.w.state |= CA__G_READY;
    q->head = go_of(h->u.w.next);
    /* The block that runs after h: its header loads while h runs (W5's
    ** sieve, whose thousands of blocks outgrow the L1 cache, otherwise
    ** starts each run on a miss; a hint for its user fields, a line
    ** further, or for the channel it parked on gained nothing more, nor
    ** one in pop, where W6's blocks come from: no gain in its time). */
    PREFETCH(q->head);
    h->u.w.state &= (unsigned char)~CA__G_READY;
    return h;
}

/* A build for size pushes g, and the loop's next turn pops the head: the
** rotate above, inlined, cost the Cortex-M3 ping-pong (which never
** rotates: its queue is empty) 18 instructions a round trip, and out of
** line 4, for the registers it takes around the hand-off. */
#if defined(__OPTIMIZE_SIZE__)
#define ROTATE(q, g) (push_own((q), (g)), (ca_go *)NULL)
#else
#define ROTATE(q, g) rotate((q), (g))
#endif

/* Undoes a pop: g, taken from the head of q, a driver's own queue, goes
** back there (a batch that ends before it runs). */
TINY void unpop(ca__runq *q, ca_go *g)
{
    CA_ASSERT(!QSHARED(q) && !(g->u.w.state & CA__G_READY));
    g->u.w.next = q->head != NULL ? &q->head->u.w : NULL;
    if (q->head == NULL)
        q->tail = g;
    q->head = g;
    QSET_N(q, q->n + 1);
    g->u.w.state |= CA__G_READY;
}
#endif

#if CA_HAVE_THREADS
/*
** A pool's worker: runnext, and shy workers. W9 (2 producers and 2
** consumers over one buffered channel, pool of 2) ran at 62-66 ns/msg
** against Go's 26, and at 11.6 on a pool of 1: 97% of its time went to
** the channel lock's cache line moving between the two cores. Those
** blocks gain nothing from a second core; they need to stay on one.
**
** - runnext (Go's): the block that a worker's block wakes runs next on
**   that worker, before its queue, and no thief takes it; the one it
**   displaces joins the queue. A hand-off pair stays on one core and its
**   cache. It is bounded: after RUNNEXT_MAX runs in a row from the slot
**   the queue's head runs, so two blocks that keep waking each other
**   cannot starve the rest of the queue.
** - Shy workers: each worker counts the spin locks it found taken
**   (ca__lock_waits, lock.c) over a batch. More than two waits per block
**   run (plus a few, for noise) means its blocks spent the batch fighting
**   another core over the same locks: it turns shy until a batch without
**   that. A shy worker takes from another's queue only once it holds
**   SHY_MIN blocks or more (a backlog, not the next few hand-offs), and
**   while idle it is counted in nidle only, not in p->nkeen.
** - Waking (Go's wakep): a worker whose queue holds a block beyond what
**   it runs next (one behind a runnext, or two) wakes a keen idle worker;
**   SHY_MIN or more wake any. Both follow the handshake of
**   ca__pool_spill: the idle worker counts itself, fences, then looks at
**   the queues it may take from (pool_empty).
**
** Without contention nothing changes but runnext (and the spin below): a
** keen worker steals and is woken as before. Measured: release builds, medians of 5 runs
** interleaved with the code before and with Go (GOMAXPROCS=2), each run
** under chrt -f 1 so that this 2-core machine, busy with other jobs,
** looks quiet (a pool of 1 then does W9 in 11.3 ns, as on a quiet one):
**
**                 before      after       Go
**   W9 ns/msg       77.6        9.7         46.5       (4.8x faster than Go)
**   W9 ns/msg       67.7        11.6        26.5       (quieter host, older base)
**   W1 ns           26.1        25.3                   (no pool; see ready)
**   HOP ns          17,341      475                    (see spin)
**
** Runnext with shy workers that still took from a queue of two left W9
** at 68-77: two queued is W9's normal state (5,400 such wakes a run,
** each a steal). Contention, not queue length, tells blocks that should
** share a core from blocks that should not.
*/
#define RUNNEXT_MAX 64
#define SHY_MIN 4

static ca__worker *worker_of(ca__runq *q)
{
    return CA_CONTAINER_OF(q, ca__worker, q);
}

/* The fewest blocks a queue must hold for worker q to take from it. */
#define POOL_MIN(q) ((size_t)(worker_of(q)->shy ? SHY_MIN : 1))

/* A worker's queue holds n blocks beyond the one it runs next: wakes an
** idle worker that may take from it, if any. */
POOL_PATH void spill(ca_sched *s, size_t n)
{
    if (n >= SHY_MIN) {
        ca__pool_spill(s); /* any idle worker */
        return;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* as in ca__pool_spill */
    kick_keen(s);
}

/* Wakes a keen idle worker, if any (the caller published its block, then
** fenced). */
POOL_PATH void kick_keen(ca_sched *s)
{
    int keen;

    if ((keen = __atomic_load_n(&s->pool->nkeen, __ATOMIC_SEQ_CST)) == 0)
        return;
    if (keen == __atomic_load_n(&s->nidle, __ATOMIC_RELAXED))
        ca__sched_kick_one(s);
    else
        ca__sched_kick(s); /* one signal might go to a shy one */
}

/* A worker's block woke g: g runs next here. The slot is swapped, not
** stored: an idle worker may have taken its last block (take_next). */
POOL_PATH void runnext(ca__runq *q, ca_go *g)
{
    ca__worker *w = worker_of(q);
    ca_go *old;

    CA_ASSERT(!(g->u.w.state & CA__G_READY));
    g->u.w.state |= CA__G_READY;
    old = __atomic_exchange_n(&w->next, g, __ATOMIC_SEQ_CST);
    if (old != NULL) {
        old->u.w.state &= (unsigned char)~CA__G_READY;
        push(q, old); /* which spills from two on */
        if (__atomic_load_n(&q->n, __ATOMIC_RELAXED) == 1)
            spill(q->s, 1);
    } else if (__atomic_load_n(&q->n, __ATOMIC_RELAXED) != 0) {
        /* Should this step stall, an idle worker must come and look (see
        ** spin); the exchange was the fence of the handshake. A shy one
        ** is left asleep, as for a short queue (it would come for every
        ** hand-off of W9's blocks) ... */
        kick_keen(q->s);
    } else if (__atomic_load_n(&q->s->nidle, __ATOMIC_SEQ_CST) != 0) {
        /* ... unless the slot is all this worker has to give. */
        ca__sched_kick_one(q->s);
    }
}

/* What worker q runs next: runnext, unless it ran RUNNEXT_MAX in a row
** from there and the queue (which a thief may empty meanwhile) has one.
** Each block taken counts in w->runs: the sign, for a thief, that the
** step which filled the slot has ended. */
POOL_PATH ca_go *worker_next(ca__runq *q)
{
    ca__worker *w = worker_of(q);
    ca_go *g = NULL;

    if (__atomic_load_n(&w->next, __ATOMIC_RELAXED) == NULL ||
        w->nexts >= RUNNEXT_MAX) {
        w->nexts = 0;
        g = pop(q);
    }
    if (g == NULL &&
        (g = __atomic_exchange_n(&w->next, NULL, __ATOMIC_ACQUIRE)) != NULL) {
        w->nexts++;
        g->u.w.state &= (unsigned char)~CA__G_READY;
    }
    if (g != NULL)
        __atomic_store_n(&w->runs, w->runs + 1, __ATOMIC_RELAXED);
    return g;
}

/* An idle worker q takes the block in v's slot, if it is still there:
** v ran nothing while q watched (the step that woke it runs long, or
** waits for it). Returns 1 if it got it, now in q's queue. */
static int take_next(ca__runq *q, ca__worker *v)
{
    ca_go *g = __atomic_load_n(&v->next, __ATOMIC_RELAXED);

    if (g == NULL || !__atomic_compare_exchange_n(&v->next, &g, NULL, 0,
                                                  __ATOMIC_ACQ_REL,
                                                  __ATOMIC_RELAXED))
        return 0;
    g->u.w.state &= (unsigned char)~CA__G_READY;
    push(q, g);
    return 1;
}
#define NEXT_READY(q) ((q)->shared ? worker_next(q) : pop(q))
#else
#define NEXT_READY(q) pop(q)
#endif

#if CA_HAVE_THREADS
static void ready_inbox_locked(ca_sched *s, ca_go *g)
{
    CA_ASSERT(!(g->u.w.state & CA__G_READY));
    g->u.w.next = NULL;
    append(&s->ihead, &s->itail, g, g);
    /* Atomic, because drivers peek at it without the lock. */
    __atomic_store_n(&s->ninbox, s->ninbox + 1, __ATOMIC_RELAXED);
    g->u.w.state |= CA__G_READY;
}

/* Moves blocks from the inbox to the end of q: all of them for a
** scheduler's driver; for a pool's worker, its share (Go's globrunqget),
** so that one worker does not take what the others could run. */
static void drain_inbox(ca_sched *s, ca__runq *q)
{
    size_t n, take, i;
    ca_go *first, *last;

    if (__atomic_load_n(&s->ninbox, __ATOMIC_RELAXED) == 0)
        return;
    CA__SLOCK(s);
    if ((n = s->ninbox) == 0) {
        CA__SUNLOCK(s);
        return;
    }
    first = s->ihead;
    if (!q->shared) {
        take = n;
        last = s->itail;
    } else {
        take = n / s->pool->n + 1;
        if (take > n)
            take = n;
        for (last = first, i = 1; i < take; i++)
            last = go_of(last->u.w.next);
    }
    s->ihead = last->u.w.next != NULL ? go_of(last->u.w.next) : NULL;
    if (s->ihead == NULL)
        s->itail = NULL;
    last->u.w.next = NULL;
    __atomic_store_n(&s->ninbox, n - take, __ATOMIC_RELAXED);
    CA__SUNLOCK(s);
    QLOCK(q);
    append(&q->head, &q->tail, first, last);
    QSET_N(q, q->n + take);
    QUNLOCK(q);
}

/* An idle worker takes half of another's queue (at least one block),
** trying each other worker once, from a random one; only from a queue
** of POOL_MIN blocks or more. Returns 1 if it got any. */
static int steal(ca_sched *s, ca__runq *q)
{
    ca__pool *p = s->pool;
    unsigned i, k, start = ca__rand(&q->rng) % p->n;
    size_t min = POOL_MIN(q);
    ca__runq *v;
    ca_go *first, *last;
    size_t n, take;

    for (k = 0; k < p->n; k++) {
        i = (start + k) % p->n;
        v = &p->w[i].q;
        if (v == q || __atomic_load_n(&v->n, __ATOMIC_RELAXED) < min)
            continue;
        ca__spin_lock(&v->lock);
        n = v->n;
        if (n < min) {
            ca__spin_unlock(&v->lock);
            continue;
        }
        take = (n + 1) / 2;
        first = last = v->head;
        for (n = 1; n < take; n++)
            last = go_of(last->u.w.next);
        v->head = last->u.w.next != NULL ? go_of(last->u.w.next) : NULL;
        if (v->head == NULL)
            v->tail = NULL;
        last->u.w.next = NULL;
        QSET_N(v, v->n - take);
        ca__spin_unlock(&v->lock);
        QLOCK(q);
        append(&q->head, &q->tail, first, last);
        QSET_N(q, q->n + take);
        QUNLOCK(q);
        return 1;
    }
    return 0;
}
#else
#define drain_inbox(s, q) ((void)(s), (void)(q))
#endif

#if CA_HAVE_THREADS
/* ready's other cases, out of line: a pool's worker woke g (runnext), or
** a thread that does not run s did (the inbox). */
POOL_PATH void ready_far(ca_sched *s, ca__runq *q, ca_go *g)
{
    if (q != NULL && q->s == s) {
        runnext(q, g);
        return;
    }
    /* Alone in the process (lock.h), nobody else can run s, sleep on it,
    ** poll for it or destroy it: the inbox is all it takes, without the
    ** four atomics and the fence below (a ca_go_start before
    ** ca_sched_run, W6 and W7's spawns: about 25 ns each). */
    if (CA__ALONE()) {
        CA__MARK_LOCK(&s->lock);
        ready_inbox_locked(s, g);
        CA__SUNLOCK(s);
        return;
    }
    /* Counted in flight: once the block is in the inbox it may run,
    ** finish, and its owner destroy s, while this thread still kicks;
    ** destroy waits for the count to drop. */
    __atomic_add_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
    CA__SLOCK(s);
    ready_inbox_locked(s, g);
    CA__SUNLOCK(s);
    /* One thread is enough to run it: a pool's idle worker, or whoever
    ** drives s (or waits to). */
    if (ca__sched_pooled(s))
        ca__pool_spill(s);
    else
        ca__sched_kick(s);
    __atomic_sub_fetch(&s->inflight, 1, __ATOMIC_RELEASE);
}
#endif

#if CA__HANDOFF
NOINLINE void handoff_flush(ca__runq *q);
#define HANDOFF_FLUSH(q)                                                     \
    (UNLIKELY(ca__handoff_slot.w != NULL) ? handoff_flush(q) : (void)0)
#else
#define HANDOFF_FLUSH(q) ((void)0)
#endif

/* Makes g ready, from any thread. */
TINY void ready(ca_sched *s, ca_go *g)
{
    ca__runq *q = ca__sched_cur;

#if CA_HAVE_THREADS
    if (q == NULL || q->s != s || q->shared) {
        ready_far(s, q, g);
        return;
    }
#else
    /* One thread: s's own queue, whoever drives (another scheduler's
    ** block may be the waker). */
    q = &s->q;
#endif
    /* A block left in the hand-off slot was woken before g: it goes
    ** first, to the driver's own queue. */
    HANDOFF_FLUSH(ca__sched_cur);
    push_own(q, g);
}

/* ------------------------------------------------------------------ wake */

/* A waker's half of the protocol (see the top of this file): the block
** has returned and released its locks, or its waiter could not have been
** completed. */
TINY void wake_go(ca_sched *s, ca_go *g)
{
    CA_ASSERT(CA__GO_PARK(g) == CA__P_PARKED);
#if defined(CA_DEBUG)
    CA__GO_SET_PARK(g, CA__P_WOKEN);
#endif
    ready(s, g);
}

/* The block whose take or put completed, or one of whose ALTS cases did
** (then the case's number and status become the block's): woken, but in
** no queue yet. */
TINY ca_go *woken(ca_waiter *w)
{
    ca_go *g;

    if (w->flags & CA__W_ALT) {
        g = CA_CONTAINER_OF(w->u.claim, ca_go, u.w.claim);
        g->u.w.index = w->index;
        g->u.w.status = w->status;
    } else {
        g = go_of(w);
    }
    CA__TRACE(ca__trace_wake(g, w));
    CA_ASSERT(CA__GO_PARK(g) == CA__P_PARKED);
#if defined(CA_DEBUG)
    CA__GO_SET_PARK(g, CA__P_WOKEN);
#endif
    return g;
}

static void sched_wake(ca_waker *self, ca_waiter *w)
{
    ready(CA_CONTAINER_OF(self, ca_sched, waker), woken(w));
}

#if CA__HANDOFF
/* The block in the hand-off slot, taken out of it: the next to run, or
** NULL. */
TINY ca_go *handoff_take(void)
{
    ca_waiter *w = ca__handoff_slot.w;

    if (w == NULL)
        return NULL;
    ca__handoff_slot.w = NULL;
    return woken(w);
}

/* Sends the block in the hand-off slot to the end of q, this driver's
** queue: another block was woken after it. */
NOINLINE void handoff_flush(ca__runq *q)
{
    push_own(q, handoff_take());
}
#endif

/* A go block's SLEEP is over. Its timer lies over its waiter and shares
** the waker field, so s->waker fires it. */
static void sleep_fire(ca_waker *self, ca_timer *t)
{
    ca_sched *s = CA_CONTAINER_OF(self, ca_sched, waker);
    ca_go *g = CA_CONTAINER_OF(t, ca_go, u.t);

    g->u.w.state &= (unsigned char)~CA__G_SLEEP;
    g->u.w.status = CA_OK;
    CA__TRACE(ca__trace_wake(g, NULL));
    wake_go(s, g);
}

/* A go block's ALTS deadline case came due: it wins if no other case has. */
static void alt_fire(ca_waker *self, ca_timer *t)
{
    ca_sched *s = CA_CONTAINER_OF(self, ca_sched, alt_waker);
    ca_alt *c = CA__ALT_OF_TIMER(t);
    ca_go *g;

    if (!ca__claim(c->p.claim))
        return;
    g = CA_CONTAINER_OF(c->p.claim, ca_go, u.w.claim);
    g->u.w.index = c->index;
    g->u.w.status = CA_OK;
    CA__TRACE(ca__trace_wake(g, NULL));
    wake_go(s, g);
}

#if !CA_HAVE_THREADS
/* Without threads a scheduler learns to fire ALTS deadlines when its
** blocks first run an ALTS (go.c), so that a program without one does not
** link alt_fire. (With threads another thread's ALTS could race the
** store: ca_sched_init sets it.) */
void ca__sched_alts_used(ca_sched *s)
{
    s->alt_waker.fire = alt_fire;
}
#endif

/* ------------------------------------------------------------------ life */

/* A block's result channel, through result.c's hook where it has one
** (internal.h). */
#if CA_CONFIG_TINY_GO
#define RESULTS ca__results
#define RESULT_TAKE(g) (RESULTS != NULL ? RESULTS->take(g) : NULL)
#else
static const ca__result_ops results = {ca__result_take, ca__result_deliver,
                                       ca_chan_free};
#define RESULTS (&results)
#define RESULT_TAKE(g) ca__result_take(g)
#endif

/* The live blocks, for reports; with CA_CONFIG_TINY_GO only counted. */
#if CA_CONFIG_TINY_GO
#define live_add_locked(s, g) ((void)(g), (s)->nlive++)
#define live_remove_locked(s, g) ((void)(g), (s)->nlive--)
#else
static void live_add_locked(ca_sched *s, ca_go *g)
{
    if (s->live == NULL) {
        g->next = g->prev = g;
        s->live = g;
    } else {
        g->next = s->live;
        g->prev = s->live->prev;
        s->live->prev->next = g;
        s->live->prev = g;
    }
    s->nlive++;
}

static void live_remove_locked(ca_sched *s, ca_go *g)
{
    if (g->next == g) {
        s->live = NULL;
    } else {
        g->prev->next = g->next;
        g->next->prev = g->prev;
        if (s->live == g)
            s->live = g->next;
    }
    g->next = g->prev = NULL;
    s->nlive--;
}
#endif

void ca__sched_start_go(ca_sched *s, ca_go *g)
{
    g->u.w.waker = &s->waker;
#if defined(CA_DEBUG)
    CA__GO_SET_PARK(g, CA__P_PARKED); /* parked at its start, and woken now */
#else
    CA__GO_SET_PARK(g, CA__P_RUNNING);
#endif
    CA__SLOCK(s);
    live_add_locked(s, g);
    CA__SUNLOCK(s);
    CA__TRACE(ca__trace_spawn(g));
    wake_go(s, g);
}

void ca__sched_finish(ca_sched *s, ca_go *g, const void *val, size_t size)
{
    ca__wakelist wl;
    ca_chan *r;
    int owned = (g->u.w.state & CA__G_OWNED) != 0, last = 0;

    CA_ASSERT(g->u.w.state & CA__G_LIVE);
    CA__TRACE(ca__trace_done(g));
    r = RESULT_TAKE(g);
    CA__SLOCK(s);
    live_remove_locked(s, g);
    g->u.w.state = 0;
    CA__SUNLOCK(s);
    /* The value is read while the block's function is still on the stack
    ** and its struct still ours: a local is fine. */
    CA__WAKELIST_INIT(&wl);
    if (r != NULL)
        last = RESULTS->deliver(r, val, size, &wl);
#if CA_HAVE_MALLOC
    if (owned) {
        CA__FREED_ADD(g); /* before: the address may be reused at once */
        ca__free(g);
    }
#else
    (void)owned;
#endif
    ca__wake_all(&wl);
    if (last)
        (void)RESULTS->release(r);
}

int ca_sched_init(ca_sched *s)
{
    if (s == NULL)
        return CA_EINVAL;
    memset(s, 0, sizeof *s);
    s->waker.wake = sched_wake;
    s->waker.fire = sleep_fire;
#if CA_HAVE_THREADS
    s->alt_waker.fire = alt_fire;
#endif
    s->q.s = s;
    s->io_wake = -1;
    s->q.rng = 0x9e3779b9u ^ (uint32_t)(uintptr_t)s;
    ca__platform_clock(&s->now, &s->idle);
#if CA_HAVE_THREADS
    if (ca__platform_wait_init(s) != 0)
        return CA_ENOMEM;
#endif
#if defined(CA_DEBUG) && CA_DEBUG
    s->flags = CA__S_LIVE | CA__S_MARK;
#else
    s->flags = CA__S_LIVE;
#endif
    return CA_OK;
}

static ca_sched default_sched;

#if CA_HAVE_THREADS
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_init(void)
{
    (void)ca_sched_init(&default_sched);
    ca__pending_home(&default_sched);
}
#else
static int default_ready;
#endif

ca_sched *ca_sched_default(void)
{
#if CA_HAVE_THREADS
    (void)pthread_once(&default_once, default_init);
#else
    if (!default_ready) {
        (void)ca_sched_init(&default_sched);
        default_ready = 1;
    }
#endif
    return &default_sched;
}

/* Every call that takes a scheduler starts here: NULL is the default
** one; storage that was never initialised, or was destroyed, is refused. */
/* The debug mark lives in bits a release build leaves clear: no field is
** added for it, and it needs 16 of them. */
CA_STATIC_ASSERT(sched_mark_fits,
                 sizeof(((ca_sched *)0)->flags) >= 2 &&
                     (CA__S_MARK & (CA__S_LIVE | CA__S_OWN_CLOCK)) == 0);

int ca__sched_live_(ca_sched **s CA__CALLER)
{
    *s = CA__SCHED(*s);
#if defined(CA_DEBUG) && CA_DEBUG
    if (((*s)->flags & CA__S_LIVE) &&
        ((*s)->flags & CA__S_MARK_MASK) != CA__S_MARK)
        ca__misuse(call, "scheduler never initialised (ca_sched_init)", *s);
#endif
    return ((*s)->flags & CA__S_LIVE) ? CA_OK : CA_EINVAL;
}

int ca_sched_destroy(ca_sched *s)
{
    int rc = CA_OK;

    if (s == NULL || s == &default_sched)
        return CA_EINVAL;
    if (ca__sched_live(&s) != CA_OK)
        return CA_EINVAL;
    CA__SLOCK(s);
    if (s->nlive != 0 || s->ntimers != 0 || s->refs != 0)
        rc = CA_EBUSY;
#if CA_HAVE_THREADS
    if (__atomic_load_n(&s->driving, __ATOMIC_ACQUIRE))
        rc = CA_EBUSY; /* a thread is inside ca_sched_run or _step */
#endif
    if (rc == CA_OK)
        s->flags = 0;
    CA__SUNLOCK(s);
    if (rc != CA_OK)
        return rc;
    ca__io_free(s);
#if CA_HAVE_THREADS
    /* A waker on another thread may still be kicking it (see ready): a
    ** few instructions. */
    while (__atomic_load_n(&s->inflight, __ATOMIC_ACQUIRE) != 0)
        sched_yield();
    /* An unref or a driver letting go may still be announcing it. */
    ca__sched_hold(s);
    ca__sched_unhold(s, 0);
    ca__platform_wait_destroy(s);
#endif
    memset(s, 0, sizeof *s);
    return CA_OK;
}

int ca_sched_set_clock(ca_sched *s, uint32_t (*now)(void *ud),
                       void (*idle)(void *ud, uint32_t ms), void *ud)
{
    int rc;

    if (now == NULL)
        return CA_EINVAL;
    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    CA__SLOCK(s);
    if (s->ntimers != 0) {
        rc = CA_EBUSY;
    } else {
        s->now = now;
        s->idle = idle;
        s->clock_ud = ud;
        s->flags |= CA__S_OWN_CLOCK;
    }
    CA__SUNLOCK(s);
    return rc;
}

uint32_t ca_sched_now(ca_sched *s)
{
    if (ca__sched_live(&s) != CA_OK || !ca__has_clock(s))
        return 0;
    return ca__now(s);
}

int ca_sched_ref(ca_sched *s)
{
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    CA__SLOCK(s);
    s->refs++;
    CA__SUNLOCK(s);
    return CA_OK;
}

int ca_sched_unref(ca_sched *s)
{
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    /* Once refs drops, the driver may return and s be destroyed: the kick
    ** (the driver may now have a deadlock to report, or be done) is made
    ** while destroy must wait for it. */
    ca__sched_hold(s);
    CA__SLOCK(s);
    if (s->refs == 0)
        rc = CA_EINVAL;
    else
        s->refs--;
    CA__SUNLOCK(s);
    ca__sched_unhold(s, 1);
    return rc;
}

/* ------------------------------------------------------------------ run */

/* A go block, or a callback it or a timer set off, runs on a thread that
** drives a scheduler or works in a pool: such code must never wait for a
** scheduler. */
int ca__in_sched(void)
{
    return ca__sched_cur != NULL;
}

int ca__sched_running(const ca_go *g)
{
    return g == running;
}

/* The runner's half: the function of a parked block has returned, so
** the locks its op left held may go, and with them the block may be woken
** (see the top of this file). */
static void release_parked(ca_sched *s, ca_go *g)
{
    unsigned char held;

    /* The hot case: a TAKE or PUT parked, and its own waiter is in the
    ** channel's queue (no other op queues it; nobody can have taken it
    ** out, since this thread holds the lock). It costs no store: PARKED
    ** and WOKEN are recorded only in debug builds, to be asserted. */
    if (EXPECT((g->u.w.flags & CA__W_QUEUED) != 0, 1)) {
        CA_ASSERT(CA__GO_PARK(g) == CA__P_RUNNING);
#if defined(CA_DEBUG)
        CA__GO_SET_PARK(g, CA__P_PARKED); /* before anyone can see the waiter */
#endif
        CA__UNLOCK(g->u.w.u.chan);
        return;
    }
    held = CA__GO_PARK(g);
#if defined(CA_DEBUG)
    CA__GO_SET_PARK(g, CA__P_PARKED);
#else
    CA__GO_SET_PARK(g, CA__P_RUNNING); /* what the next run starts with */
#endif
    switch (held) {
    case CA__P_ALTS:
#if CA_HAVE_THREADS
        ca__alts_unlock(&g->u.w, s);
#endif
        break;
    case CA__P_SLEEP:
        CA__SUNLOCK(s);
        break;
    case CA__P_FD:
        /* No kick: the io backend told a poller asleep on another thread
        ** (ca__io_park_locked), and this thread polls once idle. */
        CA__SUNLOCK(s);
        break;
    case CA__P_LOST:
        s->nlost++; /* its scheduler's runs end with CA_ELOST */
        break;
    default:
        /* CA_GO_PARKED with no parking op behind it (written by hand, or
        ** an op's answer passed on late): nothing will ever wake it. It
        ** is lost, and reported so. */
        g->u.w.status = CA_ELOST;
        s->nlost++;
        break;
    }
}

/* Runs g; returns the block to run next, taken from the hand-off slot
** or, when q holds blocks woken before the slot's, from q's head (the slot's
** then joins q's end: the run queue's order either way), else NULL. */
HOT ca_go *run_one(ca_sched *s, ca__runq *q, ca_go *g)
{
    int rc;

    /* A release build leaves park at RUNNING between runs (see
    ** release_parked); a debug build steps it through PARKED and WOKEN. */
#if defined(CA_DEBUG)
    CA_ASSERT(CA__GO_PARK(g) == CA__P_WOKEN);
    CA__GO_SET_PARK(g, CA__P_RUNNING);
#endif
    /* Never two at once on a thread: nothing that runs blocks can be
    ** called from one (ca__in_sched). A block never runs on two threads
    ** at once: it is in one queue at a time, and made ready only once its
    ** function has returned (the debug build's park states assert it). */
    CA_ASSERT(running == NULL);
    running = g;
    CA__TRACE(ca__trace_run(g));
    rc = CA__GO_FN(g)(g);
    running = NULL;
    CA__TRACE(ca__trace_ran(g, rc)); /* a park before its locks go */
    switch (EXPECT(rc, CA_GO_PARKED)) { /* the common answer, tested first */
    case CA_GO_DONE: /* finished inside, in ca__go_done: g may be gone */
        break;
    case CA_GO_PARKED:
        release_parked(s, g);
        break;
    case CA_GO_YIELDED:
#if defined(CA_DEBUG)
        CA__GO_SET_PARK(g, CA__P_WOKEN);
#endif
        HANDOFF_FLUSH(q); /* woken before g yielded */
        push(q, g);
        break;
    default: /* not a go function's answer: end the block */
        ca__sched_finish(s, g, NULL, 0);
        break;
    }
#if CA__HANDOFF
    /* (Only a driver fills the slot: q is its own. Its count is tested,
    ** not its head, which GCC would then keep in a register for rotate,
    ** and the test is marked unlikely, which keeps the slot's block in the
    ** register the loop runs from: without both W1 and W4 cost 1 or 2
    ** instructions more a run, in one build or the other.) */
    if ((g = handoff_take()) != NULL && EXPECT(q->n != 0, 0))
        g = ROTATE(q, g);
    return g;
#else
    return NULL;
#endif
}

/* Runs at most `budget` ready blocks from q (fewer if *stop turns
** non-zero); returns how many ran. A pool's worker whose queue and share
** of the inbox are empty steals from the others. */
ALIGNED static size_t run_ready(ca_sched *s, ca__runq *q,
                                size_t budget, volatile int *stop)
{
    size_t left = budget; /* counted down: one register, no compare */
    ca_go *g = NULL;

    /* Once a batch, not only when the run queue runs dry: blocks that
    ** keep each other busy (a YIELD loop) must not starve those woken
    ** from other threads. */
    drain_inbox(s, q);
    while (left != 0 && (stop == NULL || !CA__LOAD(*stop))) {
        /* The block the last one woke, straight (see run_one), or the
        ** queue's. (Expected there: otherwise GCC computes the count this
        ** returns before the test, 2 instructions a run from the queue,
        ** W6 --disable-threads 421 -> 427 with rotate.) */
        if (g == NULL && EXPECT((g = NEXT_READY(q)) == NULL, 0)) {
            drain_inbox(s, q);
            if ((g = pop(q)) == NULL) {
#if CA_HAVE_THREADS
                if (!q->shared || !steal(s, q) || (g = pop(q)) == NULL)
                    break;
#else
                break;
#endif
            }
        }
        g = run_one(s, q, g);
        left--;
    }
#if CA__HANDOFF
    if (g != NULL) /* its turn is the next batch's, first: a driver's q */
        unpop(q, g);
#endif
    return budget - left;
}

/* The deferred wakes: without threads, through the hooks that exist once
** a channel was declared for interrupts (lock.h); none are due before. */
#if CA_HAVE_THREADS
#define PENDING_TAKE(wl) ca__pending_take(wl)
#define PENDING_ANY() ca__pending_any()
#else
#define PENDING_TAKE(wl) (ca__isr != NULL && ca__isr->take(wl))
#define PENDING_ANY() (ca__isr != NULL && ca__isr->any())
#endif

/* Wakes what ca_offer_isr and ca_poll_isr deferred (isr.c), here on the
** driver: blocks go to the run queue, callbacks run. */
static void drain_pending(void)
{
    ca__wakelist wl;

    if (PENDING_TAKE(&wl))
        ca__wake_all(&wl);
}

/* May an interrupt (or a thread in ca_offer_isr) still wake something?
** Read before the queues, in this order (isr.c says why). 2: only a
** call in flight on another thread, which kicks nobody when it ends
** having completed nobody: wait for its end by yielding, not asleep. */
static int isr_busy(void)
{
    if (ca__isr_waiting() != 0)
        return 1;
#if CA_HAVE_THREADS
    if (ca__isr_inflight() != 0)
        return ca__pending_any() ? 1 : 2;
#endif
    return PENDING_ANY();
}

/* What a run reports when blocks remain and none can ever run again. */
static int stuck(ca_sched *s)
{
    return s->nlost != 0 ? CA_ELOST : CA_EDEADLOCK;
}

/* How many blocks run between two looks at the clock. */
#define CA__TIMER_BATCH 64

/* Drives s until *stop becomes non-zero (a blocking call) or, with a NULL
** stop, until nothing can run again (ca_sched_run). */
static int loop(ca_sched *s, volatile int *stop)
{
    uint32_t next;
    unsigned epoch;
    int idle, busy;

    for (;;) {
        /* Read before anything is looked at: a kick from here on ends
        ** the wait below at once (see the top of this file). */
        epoch = ca__sched_epoch(s);
        next = ca__timers_fire(s);
        drain_pending();
        (void)ca__io_poll(s, 0, epoch); /* a look, once a batch */
        if (run_ready(s, &s->q, CA__TIMER_BATCH, stop) != 0)
            continue;
        if (stop != NULL && CA__LOAD(*stop))
            return CA_OK;
        busy = isr_busy();
        CA__SLOCK(s);
        idle = s->q.n == 0 && s->ninbox == 0;
        if (idle && s->ntimers == 0 && s->refs == 0 && !busy &&
            !ca__io_waiting(s)) {
            /* Nothing here can ever run again: done, or a deadlock if no
            ** other thread is alive to end it (a blocking call decides
            ** that for itself). */
            size_t live = s->nlive;
            CA__SUNLOCK(s);
            if (stop != NULL)
                return CA_EDEADLOCK;
            if (live == 0)
                return CA_OK;
            if (ca__threads_alone())
                return stuck(s);
            next = CA_FOREVER;
        } else {
            CA__SUNLOCK(s);
        }
#if CA_HAVE_THREADS
        if (idle && busy == 2) {
            sched_yield(); /* it never blocks, and ends soon */
            continue;
        }
#endif
        if (idle && next != 0 && ca__io_poll(s, next, epoch) < 0)
            ca__platform_idle(s, next, stop, 1, epoch);
    }
}

#if CA_HAVE_THREADS
/* Moves what is left in q to the inbox, which every thread that may run
** s looks at (a queue that no thread runs any more). Caller holds s's
** lock. */
static void leave_queue(ca_sched *s, ca__runq *q)
{
    QLOCK(q);
    if (q->head != NULL) {
        append(&s->ihead, &s->itail, q->head, q->tail);
        __atomic_store_n(&s->ninbox, s->ninbox + q->n, __ATOMIC_RELAXED);
        q->head = q->tail = NULL;
        QSET_N(q, 0);
    }
    QUNLOCK(q);
}
#endif

/* Claims the right to drive s for this thread. */
static int drive_begin(ca_sched *s)
{
    if (ca__in_sched())
        return CA_EPERM;
#if CA_HAVE_THREADS
    {
        int idle = 0;
        if (!__atomic_compare_exchange_n(&s->driving, &idle, 1, 0,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return CA_EBUSY;
    }
#endif
    ca__sched_cur = &s->q;
#if CA__HANDOFF
    CA_ASSERT(ca__handoff_slot.w == NULL);
    ca__handoff_slot.waker = &s->waker;
#endif
    drain_inbox(s, &s->q);
    return CA_OK;
}

static void drive_end(ca_sched *s)
{
#if CA__HANDOFF
    CA_ASSERT(ca__handoff_slot.w == NULL);
    ca__handoff_slot.waker = NULL;
#endif
#if CA_HAVE_THREADS
    /* Leave nothing in the run queue, which no thread owns from now on:
    ** whoever drives next finds it in the inbox. Once `driving` drops, s
    ** may be destroyed: the kick (a blocked thread may want to drive now)
    ** is made while destroy must wait for it. */
    ca__sched_hold(s);
    CA__SLOCK(s);
    leave_queue(s, &s->q);
    CA__SUNLOCK(s);
    ca__sched_cur = NULL;
    __atomic_store_n(&s->driving, 0, __ATOMIC_RELEASE);
    ca__sched_unhold(s, 1);
#else
    (void)s;
    ca__sched_cur = NULL;
#endif
}

int ca__sched_drive(ca_sched *s, volatile int *stop)
{
    int rc = drive_begin(s);

    if (rc != CA_OK)
        return rc;
    rc = loop(s, stop);
    drive_end(s);
    return rc;
}

int ca_sched_run(ca_sched *s)
{
    unsigned epoch;
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    /* A thread in a blocking call may be driving it for the moment: wait
    ** for it to let go (drive_end kicks), then take over. Without threads
    ** nobody else can be driving it. */
    for (;;) {
        epoch = ca__sched_epoch(s);
        if ((rc = ca__sched_drive(s, NULL)) != CA_EBUSY || !CA_HAVE_THREADS)
            return rc;
        if (ca__sched_pooled(s))
            return CA_EBUSY; /* its workers drive it until ca_sched_stop */
        ca__platform_idle(s, CA_FOREVER, NULL, 0, epoch);
    }
}

/* Something a driver could run, now or later: live blocks (parked ones
** may be woken by a thread that drives no scheduler), timers, the inbox. */
int ca__sched_has_work(ca_sched *s)
{
    int work;

    CA__SLOCK(s);
    work = s->nlive != 0 || s->ntimers != 0 || s->ninbox != 0 ||
           ca__io_waiting(s);
    CA__SUNLOCK(s);
    return work;
}

#if CA_HAVE_THREADS
int ca__sched_pooled(ca_sched *s)
{
    return __atomic_load_n(&s->pool, __ATOMIC_ACQUIRE) != NULL;
}

/* Some worker but q (NULL: any) holds a block in its runnext slot; for
** a shy worker, one with nothing queued besides (see runnext). */
static int slot_filled(ca__pool *p, ca__runq *q, int shy)
{
    unsigned i;

    for (i = 0; i < p->n; i++)
        if (&p->w[i].q != q &&
            __atomic_load_n(&p->w[i].next, __ATOMIC_RELAXED) != NULL &&
            (!shy || __atomic_load_n(&p->w[i].q.n, __ATOMIC_RELAXED) == 0))
            return 1;
    return 0;
}

/* Nothing in the pool that a worker may take: the inbox empty, and no
** queue holding `min` blocks or more (POOL_MIN). */
static int pool_empty(ca_sched *s, size_t min)
{
    ca__pool *p = s->pool;
    unsigned i;

    if (__atomic_load_n(&s->ninbox, __ATOMIC_RELAXED) != 0 ||
        ca__pending_any())
        return 0;
    for (i = 0; i < p->n; i++)
        if (__atomic_load_n(&p->w[i].q.n, __ATOMIC_RELAXED) >= min)
            return 0;
    return 1;
}

/* A pool's deadlock, as Go sees one: every worker idle, nothing queued,
** no timer, no reference, and every other thread of the process waiting
** inside a blocking call. Caller is idle (counted in s->nidle). The
** thread count costs a few microseconds: it is read once per time the
** pool falls idle (p->checked). */
static int pool_stuck(ca_sched *s)
{
    ca__pool *p = s->pool;
    int stuck, n, blocked;
    unsigned gen;

    if ((unsigned)__atomic_load_n(&s->nidle, __ATOMIC_SEQ_CST) != p->n ||
        __atomic_exchange_n(&p->checked, 1, __ATOMIC_ACQ_REL))
        return 0;
    CA__SLOCK(s);
    stuck = s->nlive != 0 && s->ntimers == 0 && s->refs == 0 &&
            s->ninbox == 0 && !ca__io_waiting(s);
    CA__SUNLOCK(s);
    if (!stuck || !pool_empty(s, 1))
        return 0;
    /* The blocked count first, then the threads: a thread made after the
    ** first reading shows in the second. Either changing in between
    ** (the generation) voids the answer. */
    gen = ca__threads_blocked_gen();
    blocked = ca__threads_blocked();
    n = ca__threads_count();
    if (n <= 0 || blocked < 0 || (unsigned)n != p->n + (unsigned)blocked ||
        ca__threads_blocked_gen() != gen)
        return 0;
    /* The readings above were taken one after another: they describe one
    ** moment only if nothing ran in between. A worker that ran a batch
    ** cleared `checked`; one running now is not idle; a timer added or a
    ** block woken shows in the counts. */
    if (!__atomic_load_n(&p->checked, __ATOMIC_ACQUIRE) ||
        (unsigned)__atomic_load_n(&s->nidle, __ATOMIC_SEQ_CST) != p->n)
        return 0;
    CA__SLOCK(s);
    stuck = s->ntimers == 0 && s->refs == 0 && s->ninbox == 0;
    CA__SUNLOCK(s);
    if (!stuck || !pool_empty(s, 1))
        return 0;
    /* A block in a slot is ready too: an idle worker's own poll or timer
    ** may have put one in its slot just before it counted itself idle. */
    return !slot_filled(p, NULL, 0);
}

/* About 3 us where a pause takes 25 ns (this machine's AMD EPYC); the
** measured gain was the same as with 12 us. */
#define SPIN_LOOKS 16

/* A block in a worker's runnext slot is out of thieves' reach while
** that worker runs (a hand-off pair stays on one core), but not once it
** stalls: the step that woke the block runs long, or waits for it. A
** spinning worker watches one filled slot; if its owner takes no block
** for STALL_LOOKS looks (about 1.5 us; Go waits 3 us), it takes the
** block (Go's runnext steal). So that one watches: filling an empty slot
** wakes an idle worker, and an idle worker does not sleep while a slot is
** filled (ca__sched_work's last look). A shy worker does both only for a
** slot whose worker has nothing queued besides, as it leaves short queues
** alone: woken for every hand-off of W9's blocks, it cost W9 5x. With
** that rule W9 and HOP stay where they were (medians of 5 interleaved
** runs under chrt -f 1: W9 10.0 -> 10.6 ns/msg, HOP 716 -> 705 ns). */
#define STALL_LOOKS 8

/* Returns 1 once there is something worker q may take (or took from a
** stalled worker's slot), or the pool stops; 0 after SPIN_LOOKS looks
** found nothing. */
static int spin(ca_sched *s, ca__runq *q)
{
    ca__pool *p = s->pool;
    ca__worker *v = NULL;
    unsigned long runs = 0;
    unsigned i, j, since = 0;

    for (i = 0; i < SPIN_LOOKS; i++) {
        for (j = 0; j < 8; j++)
            ca__cpu_relax();
        if (!pool_empty(s, POOL_MIN(q)) || CA__LOAD(p->stop))
            return 1;
        if (v != NULL &&
            __atomic_load_n(&v->runs, __ATOMIC_RELAXED) == runs) {
            if (i - since >= STALL_LOOKS && take_next(q, v))
                return 1;
            continue;
        }
        for (v = NULL, j = 0; j < p->n && v == NULL; j++)
            if (&p->w[j].q != q &&
                __atomic_load_n(&p->w[j].next, __ATOMIC_RELAXED) != NULL) {
                v = &p->w[j];
                runs = __atomic_load_n(&v->runs, __ATOMIC_RELAXED);
                since = i;
            }
    }
    return 0;
}

#if defined(CA_DEBUG)
/* Debug builds only: called by a worker that found nothing to run, just
** before it counts itself idle, so that a test can make a block ready in
** that window (test_wakeups). Exported (the ca__go_ prefix) for the test. */
extern void (*ca__go_idle_hook)(ca_sched *s);
void (*ca__go_idle_hook)(ca_sched *s);
#endif

void ca__sched_work(ca_sched *s, ca__runq *q)
{
    ca__pool *p = s->pool;
    ca__worker *w = worker_of(q);
    unsigned long waits;
    uint32_t next;
    unsigned epoch;
    size_t ran;
    int keen;

    ca__sched_cur = q;
    for (;;) {
        epoch = ca__sched_epoch(s);
        next = ca__timers_fire(s);
        drain_pending(); /* callbacks deferred by ca_offer_isr */
        (void)ca__io_poll(s, 0, epoch); /* unless another worker polls */
        waits = ca__lock_waits;
        if ((ran = run_ready(s, q, CA__TIMER_BATCH, &p->stop)) != 0) {
            w->shy = ca__lock_waits - waits > 2 * ran + 8;
            /* It moved: the next time it falls idle is worth a look. */
            if (__atomic_load_n(&p->checked, __ATOMIC_RELAXED))
                __atomic_store_n(&p->checked, 0, __ATOMIC_RELAXED);
            continue;
        }
        if (CA__LOAD(p->stop))
            break;
        /* Go's spinning M: a few microseconds of looking before it counts
        ** in as idle. A block readied meanwhile is taken at once; its
        ** waker, seeing no idle worker, makes no system call to kick one
        ** (HOP: 650 -> 200 ns; 17,600 -> 590 when the host is slow to
        ** wake an idle core). */
        if (spin(s, q))
            continue;
#if defined(CA_DEBUG)
        {
            void (*hook)(ca_sched *) =
                __atomic_load_n(&ca__go_idle_hook, __ATOMIC_ACQUIRE);
            if (hook != NULL)
                hook(s);
        }
#endif
        /* Count in as idle, then look once more: a push that came before
        ** is seen now, one that comes after sees us idle and kicks (see
        ** ca__pool_spill and spill). */
        keen = !w->shy;
        __atomic_add_fetch(&s->nidle, 1, __ATOMIC_SEQ_CST);
        if (keen)
            __atomic_add_fetch(&p->nkeen, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* store, then loads */
        if (!pool_empty(s, POOL_MIN(q)) || slot_filled(p, q, !keen)) {
            if (keen)
                __atomic_sub_fetch(&p->nkeen, 1, __ATOMIC_SEQ_CST);
            __atomic_sub_fetch(&s->nidle, 1, __ATOMIC_SEQ_CST);
            continue;
        }
        if (next == CA_FOREVER && pool_stuck(s))
            p->on_stuck(s);
        /* One idle worker polls the descriptors, if blocks wait on any;
        ** the others (or all, if none) wait for a kick or a timer. */
        if (next != 0 && ca__io_poll(s, next, epoch) < 0)
            ca__platform_idle(s, next, &p->stop, CA__IDLE_WORKER, epoch);
        if (keen)
            __atomic_sub_fetch(&p->nkeen, 1, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&s->nidle, 1, __ATOMIC_SEQ_CST);
    }
    { /* for leave_queue */
        ca_go *g = __atomic_exchange_n(&w->next, NULL, __ATOMIC_ACQUIRE);
        if (g != NULL) {
            g->u.w.state &= (unsigned char)~CA__G_READY;
            push(q, g);
        }
    }
    CA__SLOCK(s);
    leave_queue(s, q);
    CA__SUNLOCK(s);
    ca__sched_cur = NULL;
}
#endif

int ca_sched_step(ca_sched *s, uint32_t *next_ms)
{
    uint32_t next;
    size_t budget;
    int rc, busy;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    if ((rc = drive_begin(s)) != CA_OK)
        return rc;
    (void)ca__timers_fire(s);
    drain_pending();
    (void)ca__io_poll(s, 0, 0);
    drain_inbox(s, &s->q);
    budget = s->q.n; /* each block ready now runs at most once */
    run_ready(s, &s->q, budget, NULL);
    next = ca__timers_fire(s);
    busy = isr_busy();
    CA__SLOCK(s);
    if (s->q.n != 0 || s->ninbox != 0 || PENDING_ANY())
        next = 0;
    else if (s->nlive != 0 && s->ntimers == 0 && s->refs == 0 && !busy &&
             !ca__io_waiting(s) && ca__threads_alone())
        rc = stuck(s);
    CA__SUNLOCK(s);
    drive_end(s);
    if (next_ms != NULL)
        *next_ms = next;
    return rc;
}

int ca_sched_idle(ca_sched *s, uint32_t next_ms)
{
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    if (ca__in_sched())
        return CA_EPERM; /* it would put its own driver to sleep */
    if (next_ms != 0)
        ca__platform_sleep(s, next_ms);
    return CA_OK;
}
