/*
** chan.c: the channel: its ring buffer, its two queues of waiters, close,
** and the operations that never park. MIT licence, see COPYING.
**
** Everything that moves a value happens under the channel's lock and ends
** with a list of waiters to wake; they are woken only after the lock is
** released, so a wake-up (a callback, a go block made runnable, a thread
** signalled) may itself use the channel. A value is copied once on its way
** from a putter to a waiting taker (the direct hand-off), and once in and
** once out when it rests in the buffer.
*/
#include <string.h>

#include "internal.h"

/* The hot path is one call, ca__go_take or ca__go_put (ca__chan_op for
** the other callers): everything it uses is inlined (internal.h's HOT). */

/* ------------------------------------------------------------------ queues
** A queue is circular and doubly linked through the waiters; the channel
** holds its head. Removal from the middle is O(1): an alts call removes its
** losing cases from every channel it waited on. */

/* (The order of the stores: between w's two links comes a store that
** may, for all the compiler knows, hit the first, so that it writes each
** link with a move. GCC 12 at -O2 otherwise pairs them into one vector
** store, and hoists the pairing of the values above the fast path's
** branches, where most TAKEs and PUTs pay for it without parking: W1 +6
** instructions per round trip, W4 +3 per hop.) */
TINY void q_push(ca_waiter **q, ca_waiter *w)
{
    ca_waiter *h = *q, *t;

    if (EXPECT(h == NULL, 1)) { /* the first waiter, the usual one */
        w->next = w;
        *q = w;
        w->prev = w;
    } else {
        t = h->prev;
        w->prev = t;
        h->prev = w;
        w->next = h;
        t->next = w;
    }
}

TINY void q_remove(ca_waiter **q, ca_waiter *w)
{
    if (EXPECT(w->next == w, 1)) { /* one waiter, the usual queue */
        *q = NULL;
    } else {
        w->prev->next = w->next;
        w->next->prev = w->prev;
        if (*q == w)
            *q = w->next;
    }
}

/* Waiters queued on channels that interrupts touch (internal.h). */
static size_t isr_waiting;
#if !CA_HAVE_THREADS
const ca__isr_hooks *ca__isr; /* installed by ca_chan_set_isr (lock.h) */
#if CA_CONFIG_SMALL
void ca__chan_lock(const ca_chan *ch)
{
    if (ch->flags & CA__CH_ISR)
        ca__isr->enter();
}

void ca__chan_unlock(const ca_chan *ch)
{
    if (ch->flags & CA__CH_ISR)
        ca__isr->leave();
}
#endif
#endif

#if CA_HAVE_THREADS
#define ISR_COUNT(d) __atomic_add_fetch(&isr_waiting, (size_t)(d), __ATOMIC_SEQ_CST)
#else
/* Changed only inside the critical section, read outside: volatile. */
#define ISR_COUNT(d) (*(volatile size_t *)&isr_waiting += (size_t)(d))
#endif

size_t ca__isr_waiting(void)
{
#if CA_HAVE_THREADS
    return __atomic_load_n(&isr_waiting, __ATOMIC_SEQ_CST);
#else
    return *(volatile size_t *)&isr_waiting;
#endif
}

/* Takes w out of its queue; `take` is its CA__W_TAKE bit, and `isr`
** whether ch may be declared for interrupts: the fast path knows both
** without reading them. */
TINY void unqueue_from(ca_chan *ch, ca_waiter *w, int take, int isr)
{
    CA_ASSERT(isr || !(ch->flags & CA__CH_ISR));
    if (isr && UNLIKELY(ch->flags & CA__CH_ISR))
        ISR_COUNT(-1);
    CA_ASSERT(w->flags & CA__W_QUEUED);
    CA_ASSERT(!(w->flags & CA__W_TAKE) == !take);
    if (take) {
        q_remove(&ch->takers, w);
        ch->ntakers--;
    } else {
        q_remove(&ch->putters, w);
        ch->nputters--;
    }
    w->flags &= (unsigned char)~CA__W_QUEUED;
}

HOT void unqueue(ca_chan *ch, ca_waiter *w)
{
    unqueue_from(ch, w, (w->flags & CA__W_TAKE) != 0, 1);
}

/* Pops the first waiter of a queue that can still complete, claiming its
** alts group if it has one. Stale waiters met on the way are dropped; the
** alts call that owns them finds them unqueued and leaves them alone.
** (`plain`: no claim byte can carry CA__CLAIM_CS, lock.h; `isr`: ch may
** be declared for interrupts, as for unqueue_from.) */
HOT ca_waiter *q_claim_from(ca_chan *ch, ca_waiter **q, int plain, int isr)
{
    ca_waiter *w;

    while ((w = *q) != NULL) {
        /* Two calls of one thing: -Os keeps unqueue out of line, where
        ** unqueue_from(..., isr) would be inlined here (+112 B on M3). */
        if (isr)
            unqueue(ch, w);
        else
            unqueue_from(ch, w, (w->flags & CA__W_TAKE) != 0, 0);
        if (!(w->flags & CA__W_ALT) ||
            (plain ? ca__claim_plain(w->u.claim) : ca__claim(w->u.claim)))
            return w;
    }
    return NULL;
}

HOT ca_waiter *q_claim_(ca_chan *ch, ca_waiter **q, int plain)
{
    return q_claim_from(ch, q, plain, 1);
}
#define q_claim(ch, q) q_claim_((ch), (q), 0)

/* Drops every stale waiter, so that only live ones count towards the
** pending limit (core.async cleans up before it checks, too). Only an
** ALTS case goes stale, and each one queued here pins the channel until
** its owner cleans up: with no pin there is nothing to drop, and an op
** refused at the limit does not walk the 1,024 that wait. */
static void purge(ca_chan *ch, ca_waiter **q)
{
    ca_waiter *w = *q, *next;
    size_t n = (q == &ch->takers) ? ch->ntakers : ch->nputters;

    if (ch->pins == 0) {
#if defined(CA_DEBUG) && CA_DEBUG
        for (; n > 0; n--, w = w->next)
            CA_ASSERT(!(w->flags & CA__W_ALT)); /* queued, so pinned */
#endif
        return;
    }
    for (; n > 0; n--, w = next) {
        next = w->next;
        if (ca__stale(w))
            unqueue(ch, w);
    }
}

HOT void complete(ca__wakelist *wl, ca_waiter *w, int status)
{
    CA_ASSERT(!(w->flags & (CA__W_QUEUED | CA__W_DONE)));
    w->flags |= CA__W_DONE; /* its owner may no longer take it back */
    w->status = (signed char)status;
    w->next = NULL;
    *wl->tail = w;
    wl->tail = &w->next;
}

void ca__wake_all(ca__wakelist *wl)
{
    ca__wake_list(wl);
}

/* ------------------------------------------------------------------ buffer
** The ring. Its policy (SPEC 2.6) decides only what "full" means and what
** an insert into a full ring does. */

/* A build for speed compiles fast_op (below) for the usual sizes, whose
** copy is a move: those ways then make no call and need no stack frame.
** A build for size (-Os) has one fast_op per direction, as the frame
** costs little there (a Cortex-M saves its registers in one instruction)
** and each copy costs flash. */
#if CA_CONFIG_SMALL || defined(__OPTIMIZE_SIZE__)
#define FAST_SIZES 0
#else
#define FAST_SIZES 1
#endif

/* The one copy per move. Word-sized values, the usual ones, get a copy
** the compiler can inline instead of a call into libc. */
TINY void copy(void *dst, const void *src, size_t n)
{
#if CA_CONFIG_SMALL /* the word inline, the rest one call each */
    if (n == 4)
        memcpy(dst, src, 4);
    else if (n != 0) /* an empty value may have no storage: NULL */
        memcpy(dst, src, n);
#else
    /* Fixed sizes, not sizeof(void *) and sizeof(int): those are one
    ** case value on ILP32 targets (a duplicate case). */
    switch (n) {
    case 0:
        break;
    case 4:
        memcpy(dst, src, 4);
        break;
    case 8:
        memcpy(dst, src, 8);
        break;
    default:
        memcpy(dst, src, n);
        break;
    }
#endif
}

HOT int buf_full(const ca_chan *ch)
{
    switch (CA__KIND(ch)) {
    case CA_UNBUFFERED:
        return 1;
    case CA_FIXED:
        return ch->count >= ch->cap;
    default: /* dropping, sliding and promise buffers never refuse */
        return 0;
    }
}

/* Moves head past the oldest element. */
HOT void advance(ca_chan *ch)
{
    ch->head = ca__ring_next(ch, ch->head);
    ch->count--;
}

/* The one door into the buffer: every value that enters it comes through
** here. A transform (xf.c) stands in front of it and calls it zero or more
** times per put. (`elem_size` is the channel's: the fast path passes it
** as a constant.) */
HOT void buf_add_n(ca_chan *ch, const void *src, size_t elem_size)
{
    if (ch->count == ch->cap) {
        switch (CA__KIND(ch)) {
        case CA_DROPPING:
        case CA_PROMISE: /* the first value stays for ever */
            return;
        case CA_SLIDING:
            advance(ch);
            break;
        default: /* a fixed ring is only added to when not full */
            break;
        }
    }
    copy(ca__ring_slot_n(ch, ch->count, elem_size), src, elem_size);
    ch->count++;
}

/* The oldest value out (`promise`: ch may be a promise, whose value is
** read, never consumed; the fast path, which leaves promises to the
** general one, knows that it is not). */
HOT void buf_remove_n(ca_chan *ch, void *dst, size_t elem_size, int promise)
{
    /* With the copy a move, the next head is found before it, as the
    ** copy may store anywhere (into ch->head, for all the compiler
    ** knows): no load of it again. With a call to memcpy (a build for
    ** size), after it: no register kept across the call. */
    ca__ring_ix at = ch->head, next = FAST_SIZES ? ca__ring_next(ch, at) : 0;

    copy(dst, ca__ring_at(ch, at, elem_size), elem_size);
    if (!promise || CA__KIND(ch) != CA_PROMISE) {
        ch->head = FAST_SIZES ? next : ca__ring_next(ch, ch->head);
        ch->count--;
    }
}

#if CA_CONFIG_SMALL /* no fast path passes a size: one argument less */
static void buf_add(ca_chan *ch, const void *src)
{
    buf_add_n(ch, src, ch->elem_size);
}

static void buf_remove(ca_chan *ch, void *dst)
{
    buf_remove_n(ch, dst, ch->elem_size, 1);
}
#else
#define buf_add(ch, src) buf_add_n((ch), (src), (ch)->elem_size)
#define buf_remove(ch, dst) buf_remove_n((ch), (dst), (ch)->elem_size, 1)
#endif

/* ------------------------------------------------------------------ core */

HOT int put_locked(ca_chan *ch, const void *src, ca__wakelist *wl)
{
    ca_waiter *t;

    if (UNLIKELY(ch->flags & CA__CH_XF)) /* no hand-off: see xf.c */
        return CA__XF_HDR(ch)->ops->put(ch, src, wl);
    if (ch->flags & CA__CH_CLOSED)
        return CA_CLOSED;
    if (ch->takers != NULL && CA__KIND(ch) != CA_PROMISE) {
        /* Takers wait only on an empty buffer: hand over directly. */
        if ((t = q_claim(ch, &ch->takers)) != NULL) {
            copy(t->val, src, ch->elem_size);
            complete(wl, t, CA_OK);
            return CA_OK;
        }
    }
    if (buf_full(ch))
        return CA_AGAIN;
    buf_add(ch, src);
    /* A promise serves every waiting taker from the value it keeps. */
    while (ch->count != 0 && (t = q_claim(ch, &ch->takers)) != NULL) {
        buf_remove(ch, t->val);
        complete(wl, t, CA_OK);
    }
    return CA_OK;
}

HOT int take_locked(ca_chan *ch, void *dst, ca__wakelist *wl)
{
    ca_waiter *p;

    if (UNLIKELY(ch->flags & CA__CH_XF)) /* refills run the step */
        return CA__XF_HDR(ch)->ops->take(ch, dst, wl);
    if (ch->count != 0) {
        buf_remove(ch, dst);
        /* The slot just freed goes to the oldest waiting put. */
        while (!buf_full(ch) && (p = q_claim(ch, &ch->putters)) != NULL) {
            buf_add(ch, p->val);
            complete(wl, p, CA_OK);
        }
        return CA_OK;
    }
    /* An empty buffer with waiting puts: an unbuffered rendezvous.
    ** Waiting puts survive close, so this comes before the closed test. */
    if ((p = q_claim(ch, &ch->putters)) != NULL) {
        copy(dst, p->val, ch->elem_size);
        complete(wl, p, CA_OK);
        return CA_OK;
    }
    if (ch->flags & CA__CH_CLOSED)
        return CA_CLOSED;
    return CA_AGAIN;
}

HOT int enqueue_locked(ca_chan *ch, ca_waiter *w)
{
    int take = (w->flags & CA__W_TAKE) != 0;
    ca_waiter **q = take ? &ch->takers : &ch->putters;
    uint16_t *n = take ? &ch->ntakers : &ch->nputters;

    if (*n >= CA_CONFIG_MAX_PENDING) {
        purge(ch, q);
        if (*n >= CA_CONFIG_MAX_PENDING)
            return CA_EFULL;
    }
    CA_ASSERT(!(w->flags & (CA__W_QUEUED | CA__W_DONE)));
    /* Takers wait only on an empty buffer, putters only on a full one
    ** (chan.h's invariants): anything else could have completed. */
    CA_ASSERT(take ? ch->count == 0
                   : (ch->flags & CA__CH_XF) ? !ca__can_put_locked(ch)
                                             : buf_full(ch));
    if (!(w->flags & CA__W_ALT))
        w->u.chan = ch;
    w->flags |= CA__W_QUEUED;
    q_push(q, w);
    (*n)++;
    if (UNLIKELY(ch->flags & CA__CH_ISR))
        ISR_COUNT(1);
    return CA_OK;
}

/* The same, for the other files; the ones above stay static so that
** ca__chan_op, the hot path, has them inlined. */
int ca__put_locked(ca_chan *ch, const void *src, ca__wakelist *wl)
{
    return put_locked(ch, src, wl);
}

int ca__take_locked(ca_chan *ch, void *dst, ca__wakelist *wl)
{
    return take_locked(ch, dst, wl);
}

void ca__buf_add_locked(ca_chan *ch, const void *src)
{
    buf_add(ch, src);
}

void ca__buf_remove_locked(ca_chan *ch, void *dst)
{
    buf_remove(ch, dst);
}

ca_waiter *ca__claim_locked(ca_chan *ch, int take)
{
    return q_claim(ch, take ? &ch->takers : &ch->putters);
}

void ca__complete_locked(ca__wakelist *wl, ca_waiter *w, int status)
{
    complete(wl, w, status);
}

#if defined(CA_DEBUG) && CA_DEBUG
/* Is w in one of ch's queues? Compares addresses only: w itself may be
** storage never used, which proves nothing either way. */
static int queued_here(ca_chan *ch, const ca_waiter *w)
{
    ca_waiter *q[2], *x;
    int i;

    q[0] = ch->takers;
    q[1] = ch->putters;
    for (i = 0; i < 2; i++)
        if ((x = q[i]) != NULL)
            do
                if (x == w)
                    return 1;
            while ((x = x->next) != q[i]);
    return 0;
}
#endif

/* An op that parks returns with the channel still locked: for a go
** block's op, its scheduler unlocks it once the block's function has
** returned (see sched.c: nobody can complete the waiter before); the
** other callers unlock at once. An op that parks completed nobody (a put
** or take waits only when nothing can match it), so no wake-up is left
** behind. (Four arguments: at -Os, where this is called, not inlined,
** a fifth would go through the stack on every TAKE and PUT.) */
HOT int chan_op(ca_chan *ch, void *val, ca_waiter *w, int take)
{
    ca__wakelist wl;
    int rc;

    if (ch == NULL || (val == NULL && ch->elem_size != 0))
        return CA_EINVAL;
    CA__WAKELIST_INIT(&wl);
    CA__LOCK(ch);
    if (!(ch->flags & CA__CH_LIVE))
        rc = CA_EBADCHAN;
    else if (take)
        rc = take_locked(ch, val, &wl);
    else
        rc = put_locked(ch, val, &wl);
    if (rc == CA_AGAIN && w != NULL) {
#if defined(CA_DEBUG) && CA_DEBUG
        /* Only a ca_op's can be: its owner is the user's code. */
        if (queued_here(ch, w))
            ca__misuse(take ? "ca_take_async" : "ca_put_async",
                       "ca_op queued again while it waits on this channel",
                       CA_CONTAINER_OF(w, ca_op, w));
#endif
        w->val = val;
        w->flags = take ? CA__W_TAKE : 0;
        rc = enqueue_locked(ch, w);
        if (rc == CA_OK) {
            CA_ASSERT(wl.head == NULL);
            return CA__PARK;
        }
    }
    CA__UNLOCK(ch);
    ca__wake_list(&wl);
    return rc;
}

int ca__chan_op(ca_chan *ch, void *val, ca_waiter *w, int take)
{
    int rc = chan_op(ch, val, w, take);

    if (rc == CA__PARK)
        CA__UNLOCK(ch);
    return rc;
}

/* A TAKE or PUT whose size may not be the one the channel moves (its
** element size; for a put on a channel with a transform, its input size,
** which only the lock lets us read): fine for the _BYTES forms
** (CA__ANY_SIZE); otherwise the channel's own error if it is not live (a
** zeroed one has size 0), else CA_EINVAL for a wrong size. Out of line,
** so that the hot path of ca__go_take and ca__go_put is one compare. */
COLD int size_mismatch(ca_chan *ch, size_t size, int take)
{
    int rc;

    if (size == CA__ANY_SIZE)
        return CA_OK;
    CA__LOCK(ch);
    if (!(ch->flags & CA__CH_LIVE))
        rc = CA_EBADCHAN;
    else if ((ch->flags & CA__CH_XF) && !take) /* puts carry the input */
        rc = size == CA__XF_HDR(ch)->xf->in_size ? CA_OK : CA_EINVAL;
    else
        rc = size == ch->elem_size ? CA_OK : CA_EINVAL;
    CA__UNLOCK(ch);
    return rc;
}

/* Everything the fast path below leaves to the general path, out of
** line so that the fast path keeps a small frame. */
NOINLINE int waiter_op_slow(ca_waiter *w, ca_chan *ch, const void *val,
                           size_t size, int take)
{
    int rc;

    /* chan_op tests ch for NULL again, and the compiler folds the two
    ** tests. A take's val is where the value goes: the TAKE macros made
    ** sure that it is writable, and passed it as const only to share this
    ** function with PUT. A put of the element size may still be wrong: a
    ** transform's input size may differ (its step would read past the
    ** value). */
    if (ch != NULL && UNLIKELY(size != ch->elem_size || !take) &&
        (rc = size_mismatch(ch, size, take)) != CA_OK) {
        w->status = (signed char)rc;
        return rc;
    }
    rc = chan_op(ch, (void *)(uintptr_t)val, w, take);
    if (rc != CA__PARK)
        w->status = (signed char)rc;
    if (rc == CA_OK || rc == CA_CLOSED)
        CA__TRACE(ca__trace_op(ch, take, rc));
    return rc;
}

int ca__xf_put_slow(ca_waiter *w, ca_chan *ch, const void *val,
                    size_t size)
{
    return waiter_op_slow(w, ch, val, size, 0);
}

/* The fast path of a go block's TAKE or PUT (issue 11): the cases that
** make up nearly every operation of a running program, each done with the
** same steps as in take_locked, put_locked and enqueue_locked (it calls
** them, or the small HOT pieces they are made of: one source for each
** rule) but without what the general path needs for the rare cases: the
** wake list (at most one waiter completes here), the transform,
** interrupt, closed and promise tests (one compare of the flags, below;
** a put on a fixed channel with a transform has a fast path of its own,
** xf.c's put_op),
** the kind switches (each case names the kinds it serves). An alts case
** at the head of the queue (W3's fan-in: a consumer's ALTS waits on every
** producer's channel) is claimed here by q_claim, the general path's own
** claim loop, which drops the stale cases in front of it; when all were
** stale, the op goes on as on an empty queue (W3's other producers, which
** find the consumer's losing cases).
**
** Every way out is a return or a tail call (the general path, a wake, a
** transform's put_op): none needs a register kept across a call, so the
** common ways (a hand-off, a park, a ring's slot) need no stack frame,
** and a contended lock goes the general way rather than wait here.
** Returns as ca__go_take: CA__PARK with the channel locked (as chan_op),
** or the outcome, in w->status too.
**
** The flags a fast op needs: live, neither closed nor for interrupts,
** without a transform (a take from its ring needs none: see below), and
** no promise, whose value is read, never consumed and serves every
** taker: rare in a loop, it goes the general way, and neither the ring's
** take nor a hand-off has a kind to test. All in the one compare that
** tests the flags: the kind plus 3 carries into LIVE's bit for a promise
** alone (5 + 3 = 8), which clears it. A channel that is not live has no
** kind (zeroed, or cleared by its end), so the carry cannot set LIVE. */
#define FAST_FLAGS (CA__CH_LIVE | CA__CH_CLOSED | CA__CH_XF | CA__CH_ISR)
#define TAKE_FLAGS (CA__CH_LIVE | CA__CH_CLOSED | CA__CH_ISR)
#define FAST_OK(flags, mask)                                                 \
    ((((flags) + (CA__CH_LIVE - CA_PROMISE)) & (mask)) == CA__CH_LIVE)
/* go.h's inline TAKE and PUT compile these values into the user's code:
** a change is a change of the ABI (configure.ac: bump current, zero age),
** which this assert makes a deliberate one. */
CA_STATIC_ASSERT(inline_abi, CA__CH_KIND == 0x07 && CA__CH_LIVE == 0x08 &&
                                 CA__CH_CLOSED == 0x10 &&
                                 CA__CH_OWNED == 0x20 && CA__CH_XF == 0x40 &&
                                 CA__CH_ISR == 0x80 && CA_FIXED == 2);

CA_STATIC_ASSERT(fast_none_kinds, CA_UNBUFFERED < CA_FIXED &&
                                      CA_DROPPING > CA_FIXED &&
                                      CA_SLIDING > CA_FIXED);
CA_STATIC_ASSERT(fast_ok_kinds,
                 CA__CH_LIVE == CA__CH_KIND + 1 && CA_PROMISE <= CA__CH_KIND &&
                     CA_UNBUFFERED < CA_PROMISE && CA_FIXED < CA_PROMISE &&
                     CA_DROPPING < CA_PROMISE && CA_SLIDING < CA_PROMISE);

/* Without threads CA__TRYLOCK takes nothing, and leaves the test of
** CA__CH_ISR (a channel an interrupt touches needs the section) to the
** compare of the flags (lock.h). */
CA_STATIC_ASSERT(fast_flags_isr,
                 (FAST_FLAGS & CA__CH_ISR) && (TAKE_FLAGS & CA__CH_ISR));

/* A build for speed tests the two usual kinds first, each with one
** compare of the whole flags byte, with OWNED set, which no op reads: the
** flags of FAST_OK's mask with the kind, a transform's bit clear in both
** directions (the kind's rules below do not hold with a transform). Each
** kind then has a fast_op of its own (inlined, with the kind a constant),
** which knows it without a test. The others, and a transform's ring in
** a take, pass FAST_ANY (as every op of a build for size does): the
** kind is read where it matters. */
#define FAST_IS(flags, kind) ((flags) == (CA__CH_OWNED | CA__CH_LIVE | (kind)))
#define FAST_ANY 0u
CA_STATIC_ASSERT(fast_is_flags,
                 (FAST_FLAGS | CA__CH_KIND | CA__CH_OWNED) == 0xff &&
                     CA_UNBUFFERED != FAST_ANY && CA_FIXED != FAST_ANY);

#if CA_HAVE_THREADS && defined(CA_DEBUG) && CA_DEBUG
const struct ca_chan *ca__unmarked; /* lock.h: one thread writes it */
#endif

#if !CA_CONFIG_SMALL /* a build for size has the general path alone */

#if CA_HAVE_THREADS
CA__TLS ca__handoff ca__handoff_slot;
#else
ca__handoff ca__handoff_slot;
#endif

/* The op happened. */
TINY int fast_ok(ca_waiter *w, ca_chan *ch, int take)
{
    (void)ch;
    (void)take;
    w->status = CA_OK;
    CA__TRACE(ca__trace_op(ch, take, CA_OK));
    return CA_OK;
}

/* The general path decides, from the start: nothing was changed. */
TINY int fast_slow(ca_waiter *w, ca_chan *ch, void *val, int take)
{
    CA__TRYUNLOCK(ch);
    return waiter_op_slow(w, ch, val, ch->elem_size, take);
}

NOINLINE int wake_ok(ca_waiter *t)
{
    t->waker->wake(t->waker, t);
    return CA_OK;
}

/* The wake of the one waiter fast_op completed, its op done: left in the
** hand-off slot when this thread drives its block's scheduler and the
** slot is free (internal.h). Otherwise woken now; a wake on the driver
** sends the slot's block to the run queue first (sched.c's ready). A
** trace wants the wake while the waker runs, to draw its arrow from it:
** no slot then. */
#if CA_CONFIG_TRACE
#define TRACING() CA__TRACE_ON()
#else
#define TRACING() 0
#endif
TINY int fast_wake(ca_waiter *t)
{
    ca__handoff *h = &ca__handoff_slot;

    if (t->waker != h->waker || h->w != NULL || TRACING())
        return wake_ok(t);
    h->w = t;
    return CA_OK;
}

/* fast_op on a queue with no live waiter (empty, or its stale cases just
** dropped): a take parks; a put goes into a fixed ring with room, else
** parks. Inlined where each way reaches it, so that neither keeps
** registers for the other. */
TINY int fast_none(ca_waiter *w, ca_chan *ch, void *val, int take,
                   size_t size, unsigned kind)
{
    if (take) {
        if (ch->ntakers >= CA_CONFIG_MAX_PENDING)
            return fast_slow(w, ch, val, take);
        w->val = val;
        w->flags = CA__W_TAKE | CA__W_QUEUED;
        w->u.chan = ch;
        q_push(&ch->takers, w);
        ch->ntakers++;
        CA__MARK_HELD(ch); /* past the go function: see lock.h */
        return CA__PARK;
    }
    if (kind == FAST_ANY)
        kind = CA__KIND(ch);
    if (kind == CA_FIXED) {
        if (ch->count < ch->cap) {
            buf_add_n(ch, val, size);
            CA__TRYUNLOCK(ch);
            return fast_ok(w, ch, take);
        }
    } else if (kind > CA_FIXED) { /* dropping, sliding: never refuse one */
        return fast_slow(w, ch, val, take);
    }
    /* (Tested so, one compare serves both tests: the only kind under
    ** CA_FIXED is CA_UNBUFFERED, and a promise never comes here.) */
    CA_ASSERT(kind == CA_FIXED || kind == CA_UNBUFFERED);
    if (ch->nputters >= CA_CONFIG_MAX_PENDING)
        return fast_slow(w, ch, val, take);
    CA_ASSERT(buf_full(ch)); /* putters wait only on a full ring */
    w->val = val;
    w->flags = CA__W_QUEUED;
    w->u.chan = ch;
    q_push(&ch->putters, w);
    ch->nputters++;
    CA__MARK_HELD(ch);
    return CA__PARK;
}

/* fast_op's hand-off to t, a waiter it took out of the queue: the copy,
** complete() without a list to append to, the wake. */
TINY int fast_give(ca_waiter *w, ca_chan *ch, ca_waiter *t, void *val,
                   int take, size_t size)
{
    /* Marked before the copy, which may store anywhere: the flags just
    ** written by the unqueue are then changed in one store. */
    CA_ASSERT(!(t->flags & (CA__W_QUEUED | CA__W_DONE)));
    t->flags |= CA__W_DONE;
    t->status = CA_OK;
    if (take)
        copy(val, t->val, size);
    else
        copy(t->val, val, size);
    CA__TRYUNLOCK(ch);
    /* A trace records the woken block's wake and send before the waker's
    ** op, as the general path does (tools/coreasync-trace.c draws by it). */
    if (TRACING()) {
        (void)wake_ok(t);
        return fast_ok(w, ch, take);
    }
    (void)fast_ok(w, ch, take);
    return fast_wake(t);
}

/* fast_op on a queue with an alts case at its head. */
TINY int fast_claim(ca_waiter *w, ca_chan *ch, void *val, int take,
                    size_t size, int plain, unsigned kind)
{
    /* ch is not for interrupts: the claim loop's unqueue needs no test
    ** of it, but a build for size keeps the one unqueue it calls. */
    ca_waiter *t = q_claim_from(ch, take ? &ch->putters : &ch->takers,
                                plain, !FAST_SIZES);

    if (t == NULL) /* all were stale */
        return fast_none(w, ch, val, take, size, kind);
    return fast_give(w, ch, t, val, take, size);
}

#if CA_HAVE_THREADS
#define FAST_CLAIM(w, ch, val, take, size, kind)                             \
    fast_claim(w, ch, val, take, size, 1, kind)
#else
/* Without threads a claim may be a call, once a channel was declared for
** interrupts (a case on one is claimed inside the section, lock.h): that
** way out of line, so that the others keep no frame for it. */
NOINLINE int fast_claim_call(ca_waiter *w, ca_chan *ch, void *val, int take)
{
    return fast_claim(w, ch, val, take, ch->elem_size, 0, FAST_ANY);
}
#if FAST_SIZES
#define FAST_CLAIM(w, ch, val, take, size, kind)                             \
    (ca__isr == NULL ? fast_claim(w, ch, val, take, size, 1, kind)           \
                     : fast_claim_call(w, ch, val, take))
#else
#define FAST_CLAIM(w, ch, val, take, size, kind)                             \
    fast_claim_call(w, ch, val, take)
#endif
#endif

/* fast_op's take, past the flags (`kind`: see FAST_IS). */
TINY int fast_take(ca_waiter *w, ca_chan *ch, void *val, size_t size,
                   unsigned kind)
{
    ca_waiter *t = ch->putters;

    /* A transform's ring gives its values as any ring: its step runs on
    ** puts, and on the refills of waiting puts, which go the general way
    ** (below: a put waits only while the ring holds values, see xf.c's
    ** accepts). An unbuffered ring never holds one. */
    if (kind != CA_UNBUFFERED && ch->count != 0) {
        /* A waiting put would refill the slot: the general way. */
        if (t != NULL)
            return fast_slow(w, ch, val, 1);
        buf_remove_n(ch, val, size, 0);
        CA__TRYUNLOCK(ch);
        return fast_ok(w, ch, 1);
    }
    if (t == NULL)
        return fast_none(w, ch, val, 1, size, kind);
    CA_ASSERT(!(ch->flags & CA__CH_XF) || (t->flags & CA__W_ALT));
    if (UNLIKELY(t->flags & CA__W_ALT)) {
        if (ch->flags & CA__CH_XF) /* the step runs on its refills */
            return fast_slow(w, ch, val, 1);
        return FAST_CLAIM(w, ch, val, 1, size, kind);
    }
    unqueue_from(ch, t, 0, 0);
    return fast_give(w, ch, t, val, 1, size);
}

/* fast_op's put, past the flags (`kind`: see FAST_IS). */
TINY int fast_put(ca_waiter *w, ca_chan *ch, void *val, size_t size,
                  unsigned kind)
{
    /* Takers wait only on an empty ring: a fixed one that holds values
    ** has none to read. */
    ca_waiter *t = kind == CA_FIXED && ch->count != 0 ? NULL : ch->takers;

    CA_ASSERT(t == ch->takers);
    if (t == NULL)
        return fast_none(w, ch, val, 0, size, kind);
    if (UNLIKELY(t->flags & CA__W_ALT))
        return FAST_CLAIM(w, ch, val, 0, size, kind);
    unqueue_from(ch, t, 1, 0);
    return fast_give(w, ch, t, val, 0, size);
}

/* A put on a fixed ring with a transform: xf.c's fast path, called
** with the channel still locked; marked first, alone, for its step. */
TINY int fast_xf_put(ca_waiter *w, ca_chan *ch, void *val)
{
    CA__MARK_HELD(ch);
    return CA__XF_HDR(ch)->ops->put_op(w, ch, val, ch->elem_size);
}

HOT int fast_op(ca_waiter *w, ca_chan *ch, void *val, int take, size_t size)
{
    unsigned flags;

    if (UNLIKELY(!CA__TRYLOCK(ch)))
        return waiter_op_slow(w, ch, val, ch->elem_size, take);
    /* FAST_OK's carry needs it: a dead promise would pass for live. */
    CA_ASSERT((ch->flags & CA__CH_LIVE) || !(ch->flags & CA__CH_KIND));
    /* (OWNED set for FAST_IS, which a build for size has not got; not in
    ** FAST_OK's mask.) */
    flags = ch->flags | (FAST_SIZES ? CA__CH_OWNED : 0);
    if (take) {
        /* (A stream's ring first: W2. A transform's fixed ring is told
        ** from the rare kinds in the same way: W10xf.) */
        if (FAST_SIZES && FAST_IS(flags, CA_FIXED))
            return fast_take(w, ch, val, size, CA_FIXED);
        if (FAST_SIZES && FAST_IS(flags, CA_UNBUFFERED))
            return fast_take(w, ch, val, size, CA_UNBUFFERED);
        if (FAST_SIZES && FAST_IS(flags, CA__CH_XF | CA_FIXED))
            return fast_take(w, ch, val, size, FAST_ANY);
        if (UNLIKELY(!FAST_OK(flags, TAKE_FLAGS)))
            return fast_slow(w, ch, val, take);
        return fast_take(w, ch, val, size, FAST_ANY);
    }
    /* (A rendezvous first: the unbuffered hand-off, W1 and W4.) */
    if (FAST_SIZES && FAST_IS(flags, CA_UNBUFFERED))
        return fast_put(w, ch, val, size, CA_UNBUFFERED);
    if (FAST_SIZES && FAST_IS(flags, CA_FIXED))
        return fast_put(w, ch, val, size, CA_FIXED);
    if (FAST_SIZES && FAST_IS(flags, CA__CH_XF | CA_FIXED))
        return fast_xf_put(w, ch, val);
    if (UNLIKELY(!FAST_OK(flags, FAST_FLAGS))) {
        /* (A build for size's way to it: one for speed went above.) */
        if (!FAST_SIZES && FAST_IS(flags | CA__CH_OWNED, CA__CH_XF | CA_FIXED))
            return fast_xf_put(w, ch, val);
        return fast_slow(w, ch, val, take);
    }
    return fast_put(w, ch, val, size, FAST_ANY);
}

#if FAST_SIZES
/* fast_op for the other sizes (a call to memcpy, and a frame). */
NOINLINE int fast_op_sized(ca_waiter *w, ca_chan *ch, void *val, int take)
{
    return fast_op(w, ch, val, take, ch->elem_size);
}
#endif
#endif

/* The go blocks' TAKE and PUT (go.h): one body, inlined into two entry
** points so that fast_op is compiled once for each direction. `fit`: the
** caller, go.h's inline part, tested what the first test here tests. */
TINY int go_op(ca_waiter *w, ca_chan *ch, const void *val, size_t size,
              int take, int fit)
{
    CA__CHECK_FREED(ch, "PUT or TAKE in a go block", CA__FREED_CHAN);
    CA_ASSERT(!fit || (ch != NULL && size == ch->elem_size && val != NULL));
    (void)fit; /* a build for size has no fast path to skip them on */
    /* An empty value has no storage to point at: the general path checks
    ** a NULL one against the size. A build for size has no fast path. */
#if !CA_CONFIG_SMALL
    if (fit || (ch != NULL && size == ch->elem_size && val != NULL)) {
        void *v = (void *)(uintptr_t)val;

#if FAST_SIZES
        if (size == 8)
            return fast_op(w, ch, v, take, 8);
        if (size == 4)
            return fast_op(w, ch, v, take, 4);
        return fast_op_sized(w, ch, v, take);
#else
        return fast_op(w, ch, v, take, size);
#endif
    }
#endif
    return waiter_op_slow(w, ch, val, size, take);
}

int ca__go_take(ca_waiter *w, ca_chan *ch, void *dst, size_t size)
{
    return go_op(w, ch, dst, size, 1, 0);
}

int ca__go_put(ca_waiter *w, ca_chan *ch, const void *src, size_t size)
{
    return go_op(w, ch, src, size, 0, 0);
}

/* An ALTS's take on the case it drew, alone, holding no lock (alts.c):
** ready, so it completes at once, its outcome in self->status. */
#if !defined(__OPTIMIZE_SIZE__) && !CA_CONFIG_SMALL
int ca__alts_take_fast(ca_waiter *self, ca_chan *ch, void *dst)
{
    int rc = go_op(self, ch, dst, ch->elem_size, 1, 0);

    CA_ASSERT(rc != CA__PARK);
    return rc;
}
#endif

/* (For size, the general entry points, without a fast_op of their own.) */
#if !CA_CONFIG_SMALL
ALIGNED int ca__go_take_word(ca_waiter *w, ca_chan *ch, void *dst)
{
#if FAST_SIZES
    return go_op(w, ch, dst, sizeof(void *), 1, 0);
#else
    return ca__go_take(w, ch, dst, sizeof(void *));
#endif
}

ALIGNED int ca__go_put_word(ca_waiter *w, ca_chan *ch, const void *src)
{
#if FAST_SIZES
    return go_op(w, ch, src, sizeof(void *), 0, 0);
#else
    return ca__go_put(w, ch, src, sizeof(void *));
#endif
}

/* (A build for size tests again: a call for a test, with no frame.) */
ALIGNED int ca__go_take_fit(ca_waiter *w, ca_chan *ch, void *dst)
{
#if FAST_SIZES
    return go_op(w, ch, dst, sizeof(void *), 1, 1);
#else
    return ca__go_take_word(w, ch, dst);
#endif
}

ALIGNED int ca__go_put_fit(ca_waiter *w, ca_chan *ch, const void *src)
{
#if FAST_SIZES
    return go_op(w, ch, src, sizeof(void *), 0, 1);
#else
    return ca__go_put_word(w, ch, src);
#endif
}
#endif

HOT int dequeue_locked(ca_chan *ch, ca_waiter *w)
{
    if (!(w->flags & CA__W_QUEUED))
        return 0;
    unqueue(ch, w);
    return 1;
}

int ca__dequeue_locked(ca_chan *ch, ca_waiter *w)
{
    return dequeue_locked(ch, w);
}

/* The largest count the pins field holds (config.h, CA_CONFIG_COMPACT). */
#define PINS_MAX (CA_CONFIG_COMPACT ? 255u : 65535u)
CA_STATIC_ASSERT(pins_max,
                 PINS_MAX == (1ul << (8 * sizeof(((ca_chan *)0)->pins))) - 1);

int ca__enqueue_pinned_locked(ca_chan *ch, ca_waiter *w)
{
    int rc;

    if (ch->pins == PINS_MAX)
        return CA_EFULL;
    if ((rc = enqueue_locked(ch, w)) == CA_OK)
        ch->pins++;
    return rc;
}

void ca__unpin_last(ca_chan *ch)
{
    /* Released for good while a case pinned it: end it now. */
    const int gone = (ch->flags & CA__CH_OWNED) != 0;

    CA_ASSERT(ch->pins == 0 && ch->ntakers == 0 && ch->nputters == 0);
    ch->flags &= CA__CH_ISR;
    CA__UNLOCK(ch);
#if CA_HAVE_MALLOC
    if (gone)
        ca__free(ch);
#else
    (void)gone;
#endif
}

int ca__can_put_locked(ca_chan *ch)
{
    if (ch->flags & CA__CH_XF)
        return CA__XF_HDR(ch)->ops->can_put(ch);
    return (ch->flags & CA__CH_CLOSED) || !buf_full(ch) ||
           ca__has_live(ch->takers, ch->ntakers);
}

/* ------------------------------------------------------------------ life */

int ca_chan_init(ca_chan *ch, ca_buf_kind kind, size_t cap, size_t elem_size,
                 void *buf, size_t buf_size)
{
    size_t bytes;

    if (ch == NULL)
        return CA_EINVAL;
    switch (kind) {
    case CA_UNBUFFERED:
        if (cap != 0)
            return CA_EINVAL;
        break;
    case CA_PROMISE:
        if (cap != 1)
            return CA_EINVAL;
        break;
    case CA_FIXED:
    case CA_DROPPING:
    case CA_SLIDING:
        if (cap == 0)
            return CA_EINVAL;
        break;
    default:
        return CA_EINVAL;
    }
    if (elem_size > CA_MAX_ELEM_SIZE || cap > CA_MAX_CAPACITY)
        return CA_ERANGE;
    if (elem_size != 0 && cap > (size_t)-1 / elem_size)
        return CA_ERANGE;
    bytes = cap * elem_size;
    if (bytes != 0 && buf == NULL)
        return CA_EINVAL;
    if (buf_size < bytes)
        return CA_ERANGE;

    CA__FREED_FORGET(ch); /* a channel again, whatever it was */
    memset(ch, 0, sizeof *ch);
    ch->buf = bytes != 0 ? (unsigned char *)buf : NULL;
    ch->cap = (uint32_t)cap; /* at most CA_MAX_CAPACITY: fits */
    ch->elem_size = (uint16_t)elem_size;
    ch->refs = 1;
    ch->flags = (unsigned char)(CA__CH_LIVE | kind);
    /* Storage of a channel never destroyed may have left a name; last,
    ** so that it costs a load and a tail call at most. */
    return CA__CHAN_NAME_FORGET(ch);
}

#if CA_HAVE_MALLOC
int ca_chan_new(ca_chan **out, ca_buf_kind kind, size_t cap, size_t elem_size)
{
    ca_chan probe, *ch;
    size_t bytes;
    int rc;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    /* Validate with a dry run on the stack before allocating anything. */
    rc = ca_chan_init(&probe, kind, cap, elem_size, &probe, (size_t)-1);
    if (rc != CA_OK)
        return rc;
    bytes = cap * elem_size;
    if (bytes > (size_t)-1 - sizeof *ch)
        return CA_ERANGE;
    if ((ch = (ca_chan *)ca__alloc(sizeof *ch + bytes)) == NULL)
        return CA_ENOMEM;
    (void)ca_chan_init(ch, kind, cap, elem_size, ch + 1, bytes);
    ch->flags |= CA__CH_OWNED;
    *out = ch;
    return CA_OK;
}
#endif

/* Ends a live channel whose lock the caller holds, if nothing waits.
** Stale ALTS cases do not count as waiting, but while any pins it, its
** storage must outlive their owners' clean-up: storage of ours is then
** freed by the last unpin (CA_OK, *later set), storage of the user's is
** refused (CA_EBUSY). */
static int end_locked(ca_chan *ch, int *later)
{
    purge(ch, &ch->takers);
    purge(ch, &ch->putters);
    if (ch->ntakers != 0 || ch->nputters != 0)
        return CA_EBUSY;
    CA__CHAN_NAME_DROP(ch);
    if (ch->pins != 0) {
        if (!(ch->flags & CA__CH_OWNED))
            return CA_EBUSY;
        ch->flags = (unsigned char)(CA__CH_OWNED | CA__CH_DYING |
                                    (ch->flags & CA__CH_ISR));
        ch->refs = 0;
        *later = 1;
        return CA_OK;
    }
    ch->flags &= CA__CH_ISR; /* dead; still locked like a live one */
    return CA_OK;
}

/* Every call on a channel starts here: NULL is CA_EINVAL, a channel that
** is not live CA_EBADCHAN; otherwise the lock is held on return. */
static int lock_live_(ca_chan *ch CA__CALLER)
{
    if (ch == NULL)
        return CA_EINVAL;
    CA__CHECK_FREED(ch, call, CA__FREED_CHAN);
    CA__LOCK(ch);
    if (!(ch->flags & CA__CH_LIVE)) {
        CA__UNLOCK(ch);
        return CA_EBADCHAN;
    }
    return CA_OK;
}
#define lock_live(ch) lock_live_((ch) CA__CALLER_NAME)

int ca_chan_destroy(ca_chan *ch)
{
    int rc = lock_live(ch), later = 0;

    if (rc != CA_OK)
        return rc;
    if (ch->flags & CA__CH_OWNED)
        rc = CA_EINVAL;
    else if (ch->refs > 1)
        rc = CA_EBUSY;
    else
        rc = end_locked(ch, &later);
    CA__UNLOCK(ch);
    return rc;
}

int ca_chan_free(ca_chan *ch)
{
    int rc = lock_live(ch), owned = 0, later = 0;

    if (rc != CA_OK)
        return rc;
    if (ch->refs > 1) {
        ch->refs--;
    } else {
        owned = (ch->flags & CA__CH_OWNED) != 0;
        rc = end_locked(ch, &later);
    }
    CA__UNLOCK(ch);
#if CA_HAVE_MALLOC
    if (rc == CA_OK && owned)
        CA__FREED_ADD(ch); /* now, even if the last unpin frees it */
    if (rc == CA_OK && owned && !later)
        ca__free(ch);
#else
    (void)owned;
#endif
    return rc;
}

int ca_chan_retain(ca_chan *ch)
{
    int rc = lock_live(ch);

    if (rc != CA_OK)
        return rc;
    if (ch->refs >= CA_MAX_REFS)
        rc = CA_ERANGE;
    else
        ch->refs++;
    CA__UNLOCK(ch);
    return rc;
}

int ca_chan_set_name(ca_chan *ch, const char *name)
{
    int rc = lock_live(ch);

    if (rc != CA_OK)
        return rc;
    rc = ca__chan_name_set(ch, name);
    CA__UNLOCK(ch);
    return rc;
}

int ca_chan_set_isr(ca_chan *ch)
{
    int rc = lock_live(ch);

    if (rc != CA_OK)
        return rc;
    if (!(ch->flags & CA__CH_ISR) && (rc = ca__cs_declare()) == CA_OK) {
        ISR_COUNT(ch->ntakers + ch->nputters); /* counted from now on */
#if !CA_HAVE_THREADS
        ca__isr = &ca__isr_machinery; /* before any channel has the bit */
#endif
    }
#if CA_HAVE_THREADS
    if (rc == CA_OK)
        ch->flags |= CA__CH_ISR;
    CA__UNLOCK(ch);
#else
    /* No interrupt uses it yet, so nothing was locked: set the bit after
    ** the unlock, which would otherwise leave a section never entered. */
    CA__UNLOCK(ch);
    if (rc == CA_OK)
        ch->flags |= CA__CH_ISR;
#endif
    return rc;
}

int ca_chan_inspect(ca_chan *ch, ca_chan_info *info)
{
    int rc = info == NULL ? CA_EINVAL : lock_live(ch);

    if (rc != CA_OK)
        return rc;
    purge(ch, &ch->takers);
    purge(ch, &ch->putters);
    info->name = ca__chan_name(ch);
    info->kind = (ca_buf_kind)CA__KIND(ch);
    info->elem_size = ch->elem_size;
    info->capacity = CA__KIND(ch) == CA_UNBUFFERED ? 0 : ch->cap;
    if (ch->flags & CA__CH_XF) /* the ring also holds a step's surplus */
        info->capacity = CA__XF_HDR(ch)->cap;
    info->count = ch->count;
    info->pending_puts = ch->nputters;
    info->pending_takes = ch->ntakers;
    info->refs = ch->refs;
    info->closed = (ch->flags & CA__CH_CLOSED) != 0;
    CA__UNLOCK(ch);
    return CA_OK;
}

/* ------------------------------------------------------------------ ops */

int ca_offer(ca_chan *ch, const void *val)
{
    CA__CHECK_FREED(ch, "ca_offer", CA__FREED_CHAN);
    return ca__chan_op(ch, (void *)(uintptr_t)val, NULL, 0);
}

int ca_poll(ca_chan *ch, void *dst)
{
    CA__CHECK_FREED(ch, "ca_poll", CA__FREED_CHAN);
    return ca__chan_op(ch, dst, NULL, 1);
}

void ca__close_locked(ca_chan *ch, ca__wakelist *wl)
{
    ca_waiter *t;

    if (ch->flags & CA__CH_CLOSED)
        return;
    ch->flags |= CA__CH_CLOSED;
    if (ch->flags & CA__CH_XF) { /* the completion, and who it serves */
        purge(ch, &ch->putters);
        CA__XF_HDR(ch)->ops->closed(ch, wl);
    }
    /* Takers wait only on an empty buffer, so each ends closed. Waiting
    ** puts stay: they will be delivered. */
    while ((t = q_claim(ch, &ch->takers)) != NULL)
        complete(wl, t, CA_CLOSED);
}

int ca_close(ca_chan *ch)
{
    ca__wakelist wl;
    int rc = lock_live(ch);

    if (rc != CA_OK)
        return rc;
    CA__WAKELIST_INIT(&wl);
    ca__close_locked(ch, &wl);
    CA__UNLOCK(ch);
    CA__TRACE(ca__trace_close(ch)); /* before the wakes it sets off */
    ca__wake_all(&wl);
    return CA_OK;
}

int ca_closed(ca_chan *ch)
{
    int rc = lock_live(ch);

    if (rc != CA_OK)
        return rc;
    rc = (ch->flags & CA__CH_CLOSED) != 0;
    CA__UNLOCK(ch);
    return rc;
}
