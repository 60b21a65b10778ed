/*
** internal.h: what the library's files share and users never see.
** Not installed. MIT licence, see COPYING.
**
** The files of src/ form layers, and a file calls only into its own layer
** or those below it (no circle):
**
**   platform.c port/ lock.c alloc.c        the machine (port.h)
**   side.c                                 fields kept beside structs
**   trace.c                                the event trace (--enable-trace)
**   error.c
**   chan.c async.c isr.c                   channels and their waiters
**   xf.c                                   transforms on channels
**   timer.c                                the timer heap
**   result.c                               a go block's result channel
**   sched.c                                run queue, park/wake, the loop
**   alts.c timeout.c                       ALTS; timeout channels
**   go.c blocking.c                        the DSL's calls, blocking calls
**   diag.c                                 reports and dumps (stdio)
**   ops/                                   the connectors: the public API,
**                                          plus what ops/ops.h names
**
** A lower layer that must reach a higher one does it through a pointer the
** higher one gave it: a waiter's waker (chan.c), a timer's waker
** (timer.c).
*/
#ifndef CA_INTERNAL_H
#define CA_INTERNAL_H

#include <stddef.h>

/* Invariants of the protocols, checked in builds configured with
** --enable-debug (CI's sanitizer builds are), free otherwise. */
#if defined(CA_DEBUG) && CA_DEBUG
#include <assert.h>
#define CA_ASSERT(x) assert(x)
#else
#define CA_ASSERT(x) ((void)0)
#endif

/* The ring's bounds (coreasync/chan.h), checked as every invariant is. */
#define CA__RING_CHECK(x) CA_ASSERT(x)
#include <coreasync.h>

#include "lock.h"

#define CA_CONTAINER_OF(ptr, type, member)                                   \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Misuse a release build cannot refuse (misuse.c): with --enable-debug,
** ca__misuse prints "coreasync: CALL: WHAT (PTR)" on stderr and aborts.
** CA__FREED: is p storage the library freed (a ca_chan_new channel after
** its last ca_chan_free, a ca_go_new block after its end)? Release builds
** compile both to nothing. */
#if defined(CA_DEBUG) && CA_DEBUG
void ca__misuse(const char *call, const char *what, const void *p);
#if CA_HAVE_MALLOC
void ca__freed_add(const void *p);
void ca__freed_forget(const void *p);
int ca__freed_has(const void *p);
#define CA__FREED_ADD(p) ca__freed_add(p)
#define CA__FREED_FORGET(p) ca__freed_forget(p)
#define CA__CHECK_FREED(p, call, what)                                       \
    (ca__freed_has(p) ? ca__misuse((call), (what), (p)) : (void)0)
#else /* nothing is freed by the library */
#define CA__FREED_ADD(p) ((void)0)
#define CA__FREED_FORGET(p) ((void)0)
#define CA__CHECK_FREED(p, call, what) ((void)(call))
#endif
#endif
/* A parameter naming the public call, for the messages: a debug build's
** internal checks take it, a release build's do not (it pays nothing). */
#if defined(CA_DEBUG) && CA_DEBUG
#define CA__CALLER , const char *call
#define CA__CALLER_NAME , __func__
#define CA__CALLER_PASS , call
#else
#define CA__CALLER
#define CA__CALLER_NAME
#define CA__CALLER_PASS
#endif
#if !defined(CA__FREED_ADD)
#define CA__FREED_ADD(p) ((void)0)
#define CA__FREED_FORGET(p) ((void)0)
#define CA__CHECK_FREED(p, call, what) ((void)0)
#endif
#define CA__FREED_CHAN "channel used after its last ca_chan_free"
#define CA__FREED_GO "go block of ca_go_new used after it finished and was freed"

/* A hot path (chan.c's ca__go_take and ca__go_put, sched.c's run queue)
** is one call: what it uses is inlined, except in a build for size (-Os),
** where the compiler decides, and in one without optimisation (-O0:
** debuggers, and coverage, which would count each branch once per place
** it is inlined). */
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif
/* TINY: the few pieces of the go-block round trip that are inlined even
** for size (queue links, the word copy, the run queue, the wake): a call
** costs more instructions than they hold, and on a Cortex-M3 at -Os they
** take the ping-pong round trip from 465 to 399 instructions (issue 7's
** budget is 400) for 224 bytes of the minimal image (make size-report).
** A build for size (CA_CONFIG_SMALL) leaves them to the compiler too. */
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !CA_CONFIG_SMALL
#define TINY static inline __attribute__((always_inline))
#else
#define TINY static inline
#endif
/* OUTLINE: a path kept out of a hot one's way (its registers and frame
** are not the hot path's), where speed counts; a build for size leaves it
** to the compiler, which inlines a function called once. */
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#define OUTLINE static __attribute__((noinline))
#else
#define OUTLINE static
#endif
/* ALIGNED: an entry point of the round trip, started on a cache line of
** its own in a build for speed. Where they fall in the 64-byte lines
** otherwise moves with any code linked before them, and moved their time
** with it: d9fb5d3's 40 lines of alts.c took W1 without threads from 30
** to 36 ns at the same 275 instructions. */
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#define ALIGNED __attribute__((aligned(64)))
#else
#define ALIGNED
#endif
#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
/* A hint of the usual value of x, which a build for size goes without. */
#if CA_CONFIG_SMALL
#define EXPECT(x, v) (x)
#else
#define EXPECT(x, v) __builtin_expect((x), (v))
#endif
#define COLD static __attribute__((noinline, cold))
#define NOINLINE static __attribute__((noinline))
#else
#define UNLIKELY(x) (x)
#define EXPECT(x, v) (x)
#define COLD static
#define NOINLINE static
#endif

/* A hint to start loading the cache line at p, which the thread will
** read soon (a bad address is harmless: a hint never faults). A Cortex-M
** has no data cache to fill, and a compiler without the builtin no hint. */
#if defined(__GNUC__) &&                                                     \
    !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* A layout assumption, checked when the library compiles (C99 has no
** _Static_assert: a negative array size is the error). */
#define CA_STATIC_ASSERT(name, cond)                                         \
    typedef char ca__static_assert_##name[(cond) ? 1 : -1]

/* (The channel flags CA__CH_* are in coreasync/chan.h: go.h reads them.) */
#define CA__XF_HDR(ch) ((ca__xf_hdr *)(void *)((ch)->buf - CA__XF_HDR_SIZE))
#define CA__KIND(ch) ((ch)->flags & CA__CH_KIND)

/* Waiters completed under a channel lock, to be woken after it is
** released (SPEC 2.10: callbacks never run under a channel lock). Linked
** through ca_waiter.next, in completion order. */
typedef struct ca__wakelist {
    ca_waiter *head;
    ca_waiter **tail;
} ca__wakelist;

#define CA__WAKELIST_INIT(wl) ((wl)->head = NULL, (wl)->tail = &(wl)->head)

/* Wakes the waiters of wl, in order: inline where a hot path wakes
** (chan.c's ops, an ALTS that completes at once: the call cost W3 7
** instructions a message), out of line as ca__wake_all elsewhere. */
HOT void ca__wake_list(ca__wakelist *wl)
{
    ca_waiter *w = wl->head, *next;

    /* A wake-up may free or reuse its waiter: read the link first. */
    for (; w != NULL; w = next) {
        next = w->next;
        w->waker->wake(w->waker, w);
    }
}
void ca__wake_all(ca__wakelist *wl);

/* The channel's locked core, for the layers above it (async ops, go
** blocks, alts, blocking calls). The caller holds CA__LOCK(ch) and has
** checked that the channel is live.
**
** put/take: complete now if possible, returning CA_OK or CA_CLOSED, with
** any counterpart waiters that completed appended to wl; CA_AGAIN if the
** operation would have to wait. enqueue (ca__enqueue_pinned_locked, an
** ALTS case's, below): queue w (its val, waker and the CA__W_TAKE bit set
** by the caller); CA_OK or CA_EFULL. dequeue: take w
** out of the queue if it is still there; returns 1 if it was (nobody came)
** and 0 if it had completed (its wake is on its way) or was dropped as a
** stale alts case. */
int ca__put_locked(ca_chan *ch, const void *src, ca__wakelist *wl);
/* The whole of one put or take: checks, lock, try, queue w if it must
** wait (never, when w is NULL), unlock, wake. Returns CA_OK or CA_CLOSED
** when done now, CA__PARK when w waits, CA_AGAIN (w NULL), or an error. */
int ca__chan_op(ca_chan *ch, void *val, ca_waiter *w, int take);
/* (ca__go_take and ca__go_put, in go.h, are the same plus w->status = the
** outcome when it completes at once: the go-block macros call them. When
** one parks, it returns with the channel still locked, for the scheduler
** to unlock once the block's function has returned: see sched.c.) */
int ca__take_locked(ca_chan *ch, void *dst, ca__wakelist *wl);
int ca__alts_take_fast(ca_waiter *self, ca_chan *ch, void *dst);
void ca__close_locked(ca_chan *ch, ca__wakelist *wl);
int ca__dequeue_locked(ca_chan *ch, ca_waiter *w);

/* A transformed channel's operations (xf.c, a layer above chan.c, which
** reaches them through this table in the channel's header). Each is
** called with the lock held, where chan.c would have done the same. */
struct ca__xf_ops {
    int (*put)(ca_chan *ch, const void *src, ca__wakelist *wl);
    int (*take)(ca_chan *ch, void *dst, ca__wakelist *wl);
    void (*closed)(ca_chan *ch, ca__wakelist *wl); /* after CLOSED is set */
    int (*can_put)(ca_chan *ch);
    /* A go block's PUT that chan.c's fast path saw meet an open fixed
    ** channel, called with the lock it holds: as ca__go_put, which it
    ** is then. */
    int (*put_op)(ca_waiter *w, ca_chan *ch, const void *val, size_t size);
};
/* ca__go_put's general path, for put_op's cases that are not its own. */
int ca__xf_put_slow(ca_waiter *w, ca_chan *ch, const void *val,
                    size_t size);
/* What xf.c needs of chan.c, all under the lock: the ring's door (the
** buffer's policy applies), its exit, the first live waiter of a queue
** (claimed), and the completion of a waiter. */
void ca__buf_add_locked(ca_chan *ch, const void *src);
void ca__buf_remove_locked(ca_chan *ch, void *dst);
ca_waiter *ca__claim_locked(ca_chan *ch, int take);
void ca__complete_locked(ca__wakelist *wl, ca_waiter *w, int status);

/* The ring's arithmetic (ca__ring_at, ca__ring_slot_n, ca__ring_next) is
** in coreasync/chan.h: go.h's inline TAKE and PUT use it too. */
CA_STATIC_ASSERT(ring_ix, sizeof(ca__ring_ix) == sizeof(((ca_chan *)0)->head));
#define ca__ring_slot(ch, i) ca__ring_slot_n((ch), (i), (ch)->elem_size)

/* A transform a channel or a comp can run: a step, max_out above 0, sizes
** within CA_MAX_ELEM_SIZE. CA_OK, CA_EINVAL or CA_ERANGE (xf.c). */
int ca__xf_check(const ca_xf *xf);

/* Is a * b over max? Without a division where the compiler can tell by
** the multiplication itself: a Cortex-M0 has no divide instruction, and
** the library links in no division helper (CI checks). */
static inline int ca__mul_overflows(size_t a, size_t b, size_t max)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t p;

    return __builtin_mul_overflow(a, b, &p) || p > max;
#else
    return b != 0 && a > max / b;
#endif
}

/* Pins: an ALTS case pins its channel when it is queued (under the lock,
** in the one call that queues it; CA_EFULL past 65535, or as enqueue),
** and its owner unpins it when it cleans up (takes the lock itself, and
** frees a channel released while pinned). */
int ca__enqueue_pinned_locked(ca_chan *ch, ca_waiter *w);
/* The last unpin of a channel released for good while pinned (chan.c):
** ends it, unlocks it, and frees it if it was allocated. */
void ca__unpin_last(ca_chan *ch);
/* Inline: an ALTS that parked unpins every case when it wakes (W3's
** fan-in: four a park), and its case is most often out of its queue
** already (the next op on the channel dropped it, stale), so this is a
** lock, a count and an unlock (a call a case cost W3 7 instructions a
** message). */
HOT void ca__unpin(ca_chan *ch, ca_waiter *w)
{
    CA__LOCK(ch);
    CA_ASSERT(ch->pins != 0);
    if (w->flags & CA__W_QUEUED)
        (void)ca__dequeue_locked(ch, w);
    if (--ch->pins == 0 &&
        (ch->flags & (CA__CH_LIVE | CA__CH_DYING)) == CA__CH_DYING)
        ca__unpin_last(ch);
    else
        CA__UNLOCK(ch);
}

/* An alts case whose group was claimed through another case is stale: it
** can never complete. */
HOT int ca__stale(const ca_waiter *w)
{
    return (w->flags & CA__W_ALT) &&
           (CA__LOAD(*w->u.claim) & CA__CLAIMED) != 0;
}

/* Is there a waiter among the n of queue q that could still complete? */
HOT int ca__has_live(const ca_waiter *q, size_t n)
{
    for (; n > 0; n--, q = q->next)
        if (!ca__stale(q))
            return 1;
    return 0;
}

/* Readiness, for alts: could a put or take on ch complete right now?
** Stale alts waiters do not count. Caller holds the lock. A take's is
** inline: an ALTS asks it of each case, and W3's fan-in of every one. */
int ca__can_put_locked(ca_chan *ch);
HOT int ca__can_take_locked(const ca_chan *ch)
{
    return ch->count != 0 || ca__has_live(ch->putters, ch->nputters) ||
           (ch->flags & CA__CH_CLOSED);
}

/* ------------------------------------------------------------------ isr */

/* Waiters on channels declared with ca_chan_set_isr (chan.c counts them):
** while there are any, an interrupt may yet complete one, and a scheduler
** with nothing to run waits for it as for a ca_sched_ref. */
size_t ca__isr_waiting(void);
#if CA_HAVE_THREADS
/* ca_offer_isr/ca_poll_isr calls between their start and the delivery of
** their wakes (isr.c): with the two counts read in the order waiting,
** in flight, then the queues, a completion is never missed. */
size_t ca__isr_inflight(void);
#endif

/* The deferred wakes (platform.c): push (under the critical section or
** lock it takes itself) and take the whole list (1 if it held any). */
void ca__pending_push(ca__wakelist *wl);
int ca__pending_take(ca__wakelist *wl);
int ca__pending_any(void);
#if CA_HAVE_THREADS
/* The scheduler kicked when a callback is deferred: the default one. */
void ca__pending_home(ca_sched *s);
#endif
/* A channel is declared for interrupts: CA_ENOTSUP without a port (no
** threads), and ca_port_set is refused from now on. */
int ca__cs_declare(void);
#if !CA_HAVE_THREADS
/* What a declaration installs as ca__isr (platform.c, lock.h). */
extern const ca__isr_hooks ca__isr_machinery;
#endif
/* async.c: is w a callback op's (user code when woken)? */
int ca__is_callback(const ca_waiter *w);

/* ------------------------------------------------------------------ sched */

/* Go-block states, in ca_go.u.w.state. LIVE and OWNED change only when the
** block starts and ends; SLEEP and READY only on the thread that drives
** its scheduler. */
#define CA__G_LIVE 0x01  /* started, not finished                        */
#define CA__G_READY 0x02 /* in the run queue or the inbox                */
#define CA__G_SLEEP 0x04 /* on its SLEEP timer                           */
#define CA__G_OWNED 0x10 /* ca_go_new allocated it: freed when done      */

/* Where a go block is in the park protocol, in ca_go.u.w.park (see
** sched.c). While its function runs, the byte also says which locks a
** parking op left held for the scheduler to release. */
#define CA__P_RUNNING 0 /* running; if its waiter is QUEUED, a TAKE or    */
                        /* PUT parked holding its channel's lock         */
#define CA__P_ALTS 2    /* running; a parked ALTS holds its channels'    */
                        /* locks, and the scheduler's if it has deadlines */
                        /* (without threads it holds nothing: go.c)      */
#define CA__P_SLEEP 3   /* running; a SLEEP holds the scheduler's lock   */
#define CA__P_LOST 4    /* running; lost its resume point (ca__go_lost): */
                        /* holds nothing, and will never be woken        */
#define CA__P_FD 7      /* running; a WAIT_FD holds the scheduler's lock */
#define CA__P_PARKED 5  /* its function returned and the locks are free  */
#define CA__P_WOKEN 6   /* woken: in the run queue or the inbox, or run  */

/* The park byte, or with CA_CONFIG_TINY_GO the top three bits of the
** state byte (the resume line took the park byte's place): both are
** changed only by the thread that drives the block's scheduler. */
#if CA_CONFIG_TINY_GO
#define CA__PARK_SHIFT 5
#define CA__GO_PARK(g) ((unsigned char)((g)->u.w.state >> CA__PARK_SHIFT))
#define CA__GO_SET_PARK(g, p)                                                \
    ((g)->u.w.state = (unsigned char)(((g)->u.w.state &                      \
                                       ((1u << CA__PARK_SHIFT) - 1)) |       \
                                      ((unsigned)(p) << CA__PARK_SHIFT)))
#else
#define CA__GO_PARK(g) ((g)->u.w.park)
#define CA__GO_SET_PARK(g, p) ((g)->u.w.park = (unsigned char)(p))
#endif

#if CA_HAVE_THREADS
#define CA__SLOCK(s) ca__spin_lock(&(s)->lock)
#define CA__SUNLOCK(s) ca__spin_unlock(&(s)->lock)
#else
#define CA__SLOCK(s) ((void)0)
#define CA__SUNLOCK(s) ((void)0)
#endif

#define CA__SCHED(s) ((s) != NULL ? (s) : ca_sched_default())

/* Thread-local state, read on every hand-off: the initial-exec model
** spares a shared library's reads a call to __tls_get_addr (it takes a
** few bytes of the static TLS that glibc keeps for dlopen as well). */
#if CA_HAVE_THREADS
#define CA__TLS __thread __attribute__((tls_model("initial-exec")))
/* How often this thread found a spin lock taken (lock.c): a pool's worker
** reads it around a batch (sched.c). */
extern CA__TLS unsigned long ca__lock_waits;
#endif

/* The hand-off slot (issue 11): a thread that drives a scheduler names it
** here (sched.c sets `waker` to its waker while it drives, NULL
** otherwise); a go block's TAKE or PUT that completes a waiter of that
** scheduler leaves the waiter in `w` instead of waking it (chan.c's
** fast_op), and the driver runs its block once the running function has
** returned, without a trip through the run queue, if nothing in the
** queue was woken before it. At most one waiter waits here, and only
** while a block's function runs; any other wake on the driver sends it
** to the run queue first, so blocks still run in the order they were
** woken (the run queue's, to the block). */
#if !CA_CONFIG_SMALL /* a build for size has no fast path to fill it */
#define CA__HANDOFF 1
typedef struct ca__handoff {
    const ca_waker *waker;  /* the driven scheduler's, or NULL           */
    ca_waiter *w;           /* completed; its wake is the driver's       */
} ca__handoff;
#if CA_HAVE_THREADS
extern CA__TLS ca__handoff ca__handoff_slot;
#else
extern ca__handoff ca__handoff_slot;
#endif
#else
#define CA__HANDOFF 0
#endif

/* Scheduler flags. */
#define CA__S_OWN_CLOCK 0x01 /* ca_sched_set_clock gave it a clock       */
#define CA__S_LIVE 0x02      /* between ca_sched_init and ca_sched_destroy */
/* In a debug build, the other bits of a live scheduler's flags (which may
** be 16 bits wide) hold this mark: storage never initialised that happens
** to have the LIVE bit set is caught, not trusted. */
#define CA__S_MARK 0xc5a0u
#define CA__S_MARK_MASK 0xfffcu

/* The scheduler a go block belongs to, from its waker (a go block's
** waiter always points at its scheduler's waker; a sleeping block's timer
** shares that field and holds the same pointer). */
#define CA__GO_SCHED(g) CA_CONTAINER_OF((g)->u.w.waker, ca_sched, waker)
/* The function that runs g: the site of its last op names it (go.h). */
#if CA_CONFIG_TINY_GO
#define CA__GO_FN(g) ((g)->fn)
#else
#define CA__GO_FN(g) CA__SELF_LOAD((g)->site->self)
#endif

/* The scheduler's clock. */
#define ca__now(s) ((s)->now((s)->clock_ud))
#define ca__has_clock(s) ((s)->now != NULL)

#if !CA_HAVE_THREADS
/* Before a go block's first ALTS on s: its deadlines may now fire. */
void ca__sched_alts_used(ca_sched *s);
#endif
/* Starts g on s (a live scheduler). */
void ca__sched_start_go(ca_sched *s, ca_go *g);
/* Ends the running block g: it leaves the live list, its result (size
** bytes at val, copied now) is delivered and its result channel closed,
** and it is freed if ca_go_new made it. Called from inside its function
** (ca__go_done); g is not touched after the result is visible. */
void ca__sched_finish(ca_sched *s, ca_go *g, const void *val, size_t size);
/* Drives s (ca__sched_loop) if no other thread does: CA_EBUSY if one
** does, CA_EPERM from inside a go block. */
int ca__sched_drive(ca_sched *s, volatile int *stop);
#if CA_HAVE_THREADS
/* Wakes a thread waiting in ca__platform_idle on s: the driver, or a
** thread blocked in a call. */
void ca__sched_kick(ca_sched *s);
/* Around a change after which another thread may destroy s, and its kick
** (unhold with kick): s->mu, which ca_sched_destroy takes too. */
void ca__sched_hold(ca_sched *s);
void ca__sched_unhold(ca_sched *s, int kick);
/* A snapshot of s's kick count: a wait that starts with it ends at once if
** a kick came since (see platform.c). */
unsigned ca__sched_epoch(ca_sched *s);
#else /* one thread: nobody to kick, and the compiler folds what is left */
#define ca__sched_kick(s) ((void)(s))
#define ca__sched_hold(s) ((void)(s))
#define ca__sched_unhold(s, kick) ((void)(s), (void)(kick))
#define ca__sched_epoch(s) ((void)(s), 0u)
#endif

/* Non-zero on a thread that is driving a scheduler or working in a pool:
** in a go block, or in a callback run from one. */
int ca__in_sched(void);
/* Non-zero when g's function is the one running on this thread. */
int ca__sched_running(const ca_go *g);
/* The run queue this thread runs, if any: its scheduler's own while the
** thread drives it, or its worker's in a pool (sched.c's). */
#if CA_HAVE_THREADS
extern CA__TLS ca__runq *ca__sched_cur;
#else
extern ca__runq *ca__sched_cur;
#endif
/* The random state for an ALTS of a block of s, on the thread running it
** (each worker of a pool has its own): inline, as every ALTS of a go
** block asks it (the call cost W3 15 instructions a message). */
HOT uint32_t *ca__sched_rng(ca_sched *s)
{
    ca__runq *q = ca__sched_cur;

    return q != NULL && q->s == s ? &q->rng : &s->q.rng;
}

/* Non-zero while s has live blocks, timers or blocks in its inbox. */
int ca__sched_has_work(ca_sched *s);
/* CA_OK if *s (NULL: the default) is a live scheduler, else CA_EINVAL
** (a debug build aborts, naming the caller, on storage that claims to be
** live but was never initialised). */
int ca__sched_live_(ca_sched **s CA__CALLER);
#define ca__sched_live(s) ca__sched_live_((s) CA__CALLER_NAME)

#if CA_HAVE_THREADS
/* A pool (pool.c): its workers, each with a run queue. The fields the
** queue code needs from any thread (how many idle) are in ca_sched, which
** outlives the pool. */
typedef struct ca__worker {
    ca__runq q;
    struct ca_go *next;      /* runnext: the block it woke last (sched.c); */
                             /* atomic: an idle worker may take it        */
    unsigned long runs;      /* blocks taken to run (thieves read it)     */
    unsigned nexts;          /* runs in a row taken from `next`           */
    unsigned char shy;       /* its last batch met contended locks        */
    pthread_t th;
} ca__worker;

typedef struct ca__pool {
    ca_sched *s;             /* whose                                     */
    struct ca__pool *next;   /* in the list of running pools (pool.c)     */
    unsigned n;              /* workers                                   */
    volatile int stop;       /* ca_sched_stop: workers leave              */
    int checked;             /* looked for a deadlock since it last ran   */
    int nkeen;               /* idle workers that are not shy (sched.c)   */
    void (*on_stuck)(ca_sched *s); /* reports a deadlock                  */
    ca__worker w[1];         /* n of them (allocated to size)             */
} ca__pool;

/* Non-zero while s has a pool. */
int ca__sched_pooled(ca_sched *s);
/* A worker's life: runs s's blocks from q, then from the inbox, then from
** the other workers' queues; fires timers; sleeps when nothing is left;
** returns once the pool's `stop` is set, its queue moved to the inbox. */
void ca__sched_work(ca_sched *s, ca__runq *q);
/* After a block was queued for a pool: wakes one idle worker, if any. */
void ca__pool_spill(ca_sched *s);
/* Wakes one thread waiting in ca__platform_idle on s. */
void ca__sched_kick_one(ca_sched *s);
#else
#define ca__sched_pooled(s) ((void)(s), 0)
#endif

/* Threads (platform.c). A deadlock is provable only when no other
** thread could end it: ca__threads_maybe is cheap and says whether the
** process may have another thread (it has ever created one, or cannot
** tell); ca__threads_count costs a few microseconds and says how many it
** has now (-1: cannot tell); ca__threads_alone says it has one. */
#if CA_HAVE_THREADS
int ca__threads_maybe(void);
int ca__threads_count(void);
int ca__threads_alone(void);
/* Threads waiting inside a blocking call right now, with nothing to run. */
void ca__threads_blocked_add(int d);
int ca__threads_blocked(void);
unsigned ca__threads_blocked_gen(void);
#else /* one thread, constants the compiler folds */
#define ca__threads_maybe() 0
#define ca__threads_count() 1
#define ca__threads_alone() 1
#define ca__threads_blocked_add(d) ((void)(d))
#define ca__threads_blocked() 0
#define ca__threads_blocked_gen() 0u
#endif

/* Timers: the pairing heap. Caller holds the scheduler lock. A timer
** added with a delay fires once ms whole milliseconds have passed (one
** tick more than ms); one added at a deadline fires on that tick. */
void ca__timer_add_locked(ca_sched *s, ca_timer *t, uint32_t ms,
                          ca_waker *waker);
void ca__timer_add_at_locked(ca_sched *s, ca_timer *t, uint32_t deadline,
                             ca_waker *waker);
/* Takes t out of the heap; if it is firing right now (on the driver,
** unlocked), waits until its fire has returned. Caller holds the lock,
** which this may release and take again while it waits. */
void ca__timer_cancel_locked(ca_sched *s, ca_timer *t);
/* Fires every timer due now, one at a time in deadline order, each with
** the lock released; returns the ms until the next one, or CA_FOREVER. */
uint32_t ca__timers_fire(ca_sched *s);

/* ------------------------------------------------------------------ io */

/* Blocks waiting on descriptors (io.c). ca__io_waiting: any (caller holds
** s's lock); ca__io_poll: polls them for up to ms (0: a look; the wait
** ends at once if s was kicked after `epoch` was read) and wakes those
** ready; returns how many, or -1 if it did not poll (none wait, or
** another thread polls them now). ca__io_free: at destroy. */
typedef struct ca__io ca__io;
#if defined(HAVE_POLL) && CA_HAVE_MALLOC
int ca__io_waiting(ca_sched *s);
int ca__io_poll(ca_sched *s, uint32_t ms, unsigned epoch);
void ca__io_free(ca_sched *s);
#else /* no descriptors to wait on: nothing in the scheduler's loop */
#define ca__io_waiting(s) ((void)(s), 0)
#define ca__io_poll(s, ms, epoch) ((void)(s), (void)(ms), (void)(epoch), -1)
#define ca__io_free(s) ((void)(s))
#endif
#if defined(HAVE_POLL) && CA_HAVE_MALLOC
/* One thread's wait on one descriptor (ca_wait_fd_blocking's core):
** CA_OK with *revents, CA_AGAIN when ms ran out, CA_ENOTSUP. */
int ca__io_wait_one(int fd, int events, uint32_t ms, int *revents);
/* For ALTS descriptor cases: make s's io state (CA_ENOMEM, CA_ENOTSUP);
** is fd ready now (1, with *revents); register a waiter (its claim, and
** where its events go, set: see io.c); take one back, waiting for a poll
** that may hold it to end. The last two with s's lock held. */
int ca__io_prepare(ca_sched *s);
int ca__io_ready_now(int fd, int events, int *revents);
void ca__io_register_locked(ca_sched *s, ca_waiter *w);
void ca__io_cancel_locked(ca_sched *s, ca_waiter *w);
#else /* refused where the compiler sees it: ALTS keeps no fd code */
#define ca__io_wait_one(fd, events, ms, revents)                             \
    ((void)(fd), (void)(events), (void)(ms), (void)(revents), CA_ENOTSUP)
#define ca__io_prepare(s) ((void)(s), CA_ENOTSUP)
#define ca__io_ready_now(fd, events, revents)                                \
    ((void)(fd), (void)(events), (void)(revents), 0)
#define ca__io_register_locked(s, w) ((void)(s), (void)(w))
#define ca__io_cancel_locked(s, w) ((void)(s), (void)(w))
#endif
/* A stream helper's wait ended: what io.c keeps in the ca_io from it. */
void ca__io_woke(ca_go *g, ca_io *io);

/* ------------------------------------------------------------------ result */

/* A finished block's result channel (NULL if none), which it gives up;
** and the delivery of a value of `size` bytes into it, closing it, which
** also drops the block's reference unless it is the last: see result.c.
** Returns 1 when the caller must still release that last reference (with
** ca_chan_free, once the wakes in wl are done), and for a channel that is
** no longer live, whose release then just answers CA_EBADCHAN. */
ca_chan *ca__result_take(ca_go *g);
/* Forgets the result state of a struct that ran a block before. */
void ca__result_reset(ca_go *g);
int ca__result_deliver(ca_chan *r, const void *val, size_t size,
                       ca__wakelist *wl);
/* With CA_CONFIG_TINY_GO the scheduler reaches result.c through a hook
** that the first result channel installs (NULL until then): a program
** that never asks for one links none of it. take, deliver, then release
** the block's last reference, if deliver says so, once the wakes are
** done. */
typedef struct ca__result_ops {
    ca_chan *(*take)(ca_go *g);
    int (*deliver)(ca_chan *r, const void *val, size_t size,
                   ca__wakelist *wl);
    int (*release)(ca_chan *r);
} ca__result_ops;
#if CA_CONFIG_TINY_GO
extern const ca__result_ops *ca__results;
#endif
/* Room for one result channel promised ahead, so that a later
** ca__result_set_reserved (ca_go_set_result into that room) cannot fail
** for want of memory; the room comes back when that block ends, and the
** promise is kept until ca__result_unreserve. CA_ENOMEM when the table
** cannot grow. Only a build with malloc and without CA_CONFIG_TINY_GO
** can fail there: without malloc a block holds its result itself, and
** a tiny build's fixed table has no promises (its answer is CA_EFULL,
** on one thread). */
#if !CA_CONFIG_TINY_GO && CA_HAVE_MALLOC
int ca__result_reserve(void);
void ca__result_unreserve(void);
int ca__result_set_reserved(ca_go *g, ca_chan *ch);
#else
#define ca__result_reserve() CA_OK
#define ca__result_unreserve() ((void)0)
#define ca__result_set_reserved(g, ch) ca_go_set_result((g), (ch))
#endif

/* ------------------------------------------------------------------ alts */

/* Runs an ALTS, on scheduler s, for the owner of waiter `self`: a go
** block (self->waker is s's: its deadlines get s's alt_waker) or a
** blocked thread (self->waker wakes it for every case), with random
** state `rng`. self->claim is the group's claim byte (zeroed here).
** Returns CA_OK when a case completed at once (its number and status
** in self->index and self->status), CA__PARK when every case now
** waits, or a negative error, also in self->status (nothing left
** waiting). With threads a go block's CA__PARK comes with every lock the
** ALTS took still held, for ca__alts_unlock to release (its scheduler
** does). Few arguments, all in registers: a go block's ALTS passes what
** its block already holds. */
int ca__alts_start(ca_alt *cases, size_t n, int flags, ca_sched *s,
                   ca_waiter *self, uint32_t *rng);
/* Releases what a go block's held ALTS holds, from what it left in the
** block's waiter `self` (alts.c). */
void ca__alts_unlock(ca_waiter *self, ca_sched *s);
/* After a parked ALTS was woken, or its owner gives up: takes every case
** out of its channel, unpins the channels and cancels the deadline
** timers. Returns 1 if a case had won (its wake is delivered or on its
** way), 0 if none had and none can any more. */
int ca__alts_end(ca_alt *cases, size_t n, ca_sched *s, unsigned char *claim);
/* The case that hosts a deadline timer. */
#define CA__ALT_OF_TIMER(t) CA_CONTAINER_OF((t), ca_alt, u.t)

uint32_t ca__rand(uint32_t *state);

/* ------------------------------------------------------------------ trace */

/* The event trace (trace.c, ca_trace(3)): one CA__TRACE per event site,
** a load and a branch while the trace is off, and nothing at all in a
** library configured without --enable-trace. */
#if CA_CONFIG_TRACE
extern int ca__trace_on;
void ca__trace_spawn(const ca_go *g);
void ca__trace_run(const ca_go *g);         /* its function starts     */
void ca__trace_ran(const ca_go *g, int rc); /* ...and returned rc      */
void ca__trace_wake(const ca_go *g, const ca_waiter *w);
void ca__trace_op(const ca_chan *ch, int take, int status);
void ca__trace_close(const ca_chan *ch);
void ca__trace_done(const ca_go *g);
#if CA_HAVE_THREADS
#define CA__TRACE_ON() __atomic_load_n(&ca__trace_on, __ATOMIC_RELAXED)
#else
#define CA__TRACE_ON() ca__trace_on
#endif
#define CA__TRACE(call) (CA__TRACE_ON() ? (call) : (void)0)
#else
#define CA__TRACE(call) ((void)0)
#endif

#if CA_HAVE_MALLOC
void *ca__alloc(size_t size);
void ca__free(void *ptr);
#endif

/* ------------------------------------------------------------------ side */

/* Channel names. Dropped wherever a channel begins or ends, which costs a
** load while no channel has a name. A report (trace, dump) prints a copy,
** ca__chan_name_copy: its owner may free a name as soon as the channel has
** ended, and a report on another thread may still be naming it then (a
** wake traced after a result channel's close, for one). The copy is cut
** to fit buf, and "" when the channel has no name. */
#define CA__NAME_COPY 64
static inline const char *ca__name_cut(char *buf, const char *name, size_t n)
{
    size_t i = 0;

    for (; name != NULL && i + 1 < n && name[i] != '\0'; i++)
        buf[i] = name[i];
    buf[i] = '\0';
    return buf;
}

/* Fields few structs set, in tables keyed by the struct's address
** (side.c); a build without malloc keeps them in the structs. */
#if CA_HAVE_MALLOC
typedef struct ca__side_entry {
    const void *key; /* NULL: a free slot */
    void *val;
} ca__side_entry;
typedef struct ca__side {
    ca__side_entry *e; /* cap slots, a power of two; NULL when empty */
    size_t cap, n;
    size_t spare; /* room promised and not yet used (ca__side_reserve) */
} ca__side;
void *ca__side_get(const ca__side *t, const void *key);
int ca__side_put(ca__side *t, const void *key, void *val); /* CA_ENOMEM */
void *ca__side_del(ca__side *t, const void *key);          /* its value */
/* Room for one entry promised ahead (CA_ENOMEM), and given up; a put into
** a promise, which cannot fail, and the removal of that entry, which
** keeps its room promised. */
int ca__side_reserve(ca__side *t);
void ca__side_unreserve(ca__side *t);
void ca__side_put_reserved(ca__side *t, const void *key, void *val);
void *ca__side_del_reserved(ca__side *t, const void *key);

/* Channel names, in a table (ca__chan_name_copy: see above). */
const char *ca__chan_name_copy(const ca_chan *ch, char *buf, size_t n);
const char *ca__chan_name(const ca_chan *ch);
int ca__chan_name_set(const ca_chan *ch, const char *name); /* NULL: drop */
void ca__chan_name_drop(const ca_chan *ch);
extern size_t ca__named;
#if CA_HAVE_THREADS
#define CA__NAMED() __atomic_load_n(&ca__named, __ATOMIC_RELAXED)
#else
#define CA__NAMED() ca__named
#endif
#define CA__CHAN_NAME_DROP(ch)                                               \
    (CA__NAMED() != 0 ? ca__chan_name_drop(ch) : (void)0)
#define CA__CHAN_NAME_FORGET(ch)                                             \
    (CA__NAMED() != 0 ? ca__chan_name_set((ch), NULL) : CA_OK)
#else
#define ca__chan_name(ch) ((ch)->name)
#define ca__chan_name_copy(ch, buf, n) ca__name_cut((buf), (ch)->name, (n))
#define ca__chan_name_set(ch, nm) ((ch)->name = (nm), CA_OK)
#define CA__CHAN_NAME_DROP(ch) ((void)0)
#define CA__CHAN_NAME_FORGET(ch) CA_OK
#endif

#endif /* CA_INTERNAL_H */
