/*
** blocking.c: put, take and alts that wait in the calling thread.
** MIT licence, see COPYING.
**
** The caller's stack frame holds the waiter and a `done` word that its
** waker sets. How the caller waits depends on who else can run the
** default scheduler's go blocks:
** - a pool runs them (ca_sched_start), or the scheduler has nothing to
**   run at all (no live block, no timer) and another thread has called
**   the library: the caller just waits for its own completion, spinning
**   a little, then asleep on its own word (a futex on Linux), woken by
**   its completer alone: core.async's <!!;
** - otherwise the caller drives the scheduler, so that go blocks (and
**   timers) that can complete it run, with no thread at all. When
**   nothing can run any more and nobody holds a reference, the operation
**   can never complete if no other thread has ever called the library
**   (or all that did have exited): it is taken back out of its queue and
**   the call reports CA_EDEADLOCK. If other threads may still come, that
**   is not provable: the caller waits, and drives again when kicked
**   (a completion, a block made ready). Nothing kicks when a thread
**   exits: a caller whose partners all exited waits for ever.
**
** Taking a waiter back is where a completion can be lost: a thread that
** holds no reference may complete the op between the moment the driver
** saw nothing left to run and the moment the caller locks the channel.
** The waiter's flags tell (waiter.h): still QUEUED, nobody came and it is
** taken out; DONE, the completion stands and the caller waits for its
** wake, which is the completer's last touch of this stack frame.
*/
#include "internal.h"
#include "platform.h"

typedef struct frame {
    ca_waiter w;            /* the op, or the claim byte of an alts       */
    ca_waker waker;
    ca_sched *s;
    int done;               /* 1 once woken (its completer touches f no   */
                            /* more); 2 while its owner sleeps on it, 3   */
                            /* while it waits for a kick of s (both count */
                            /* it blocked, until the completer says not)  */
} frame;

/* The frame whose owner drives the scheduler on this thread right now,
** if any: its completion on this thread needs no kick (the driver looks at
** `done` before it sleeps). */
#if CA_HAVE_THREADS
static CA__TLS frame *driving_frame;
#else
static frame *driving_frame;
#endif

/* The completer's last touch of the frame is `done`; what follows uses
** only its address (the futex wake) or the scheduler, read before. An
** owner asleep on its word (2) is woken there; any other may be driving
** the scheduler or waiting on it, and is kicked. */
static void frame_done(frame *f)
{
    ca_sched *s = f->s;
    int self = driving_frame == f, old;

    /* one completion per wait: a waiter or a claim */
    CA_ASSERT(CA__LOAD(f->done) != 1);
#if CA_HAVE_THREADS
    old = __atomic_exchange_n(&f->done, 1, __ATOMIC_SEQ_CST);
#else
    old = f->done;
    f->done = 1;
#endif
    /* An owner that waits (2: asleep on its word; 3: on the scheduler)
    ** counts as blocked until here: it is not once it is done. */
    if (old >= 2)
        ca__threads_blocked_add(-1);
#if CA_HAVE_FUTEX
    if (old == 2) {
        ca__unpark(&f->done);
        return;
    }
#endif
    if (!self)
        ca__sched_kick(s);
}

static void frame_wake(ca_waker *self, ca_waiter *w)
{
    frame *f = CA_CONTAINER_OF(self, frame, waker);

    if (w != &f->w) { /* an alts case won: it becomes the frame's result */
        f->w.index = w->index;
        f->w.status = w->status;
    }
    frame_done(f);
}

/* An alts deadline of a blocked thread came due: it wins if nothing has. */
static void frame_fire(ca_waker *self, ca_timer *t)
{
    frame *f = CA_CONTAINER_OF(self, frame, waker);
    ca_alt *c = CA__ALT_OF_TIMER(t);

    if (!ca__claim(c->p.claim))
        return;
    f->w.index = c->index;
    f->w.status = CA_OK;
    frame_done(f);
}

static void frame_init(frame *f)
{
    f->waker.wake = frame_wake;
    f->waker.fire = frame_fire;
    f->w.waker = &f->waker;
    f->w.status = CA_OK;
    f->w.index = 0;
    f->done = 0;
    f->s = ca_sched_default();
}

static int cas_done(frame *f, int from, int to)
{
#if CA_HAVE_THREADS
    return __atomic_compare_exchange_n(&f->done, &from, to, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
#else
    if (f->done != from)
        return 0;
    f->done = to;
    return 1;
#endif
}

/* Waits until f->done (see the top of this file). Returns CA_OK once
** done, or the error that ended a drive: CA_EDEADLOCK when nothing can
** complete the op, provably. While it only waits (nothing to run), the
** thread counts as blocked, for a pool's deadlock report. */
static int wait_done(frame *f)
{
    ca_sched *s = f->s;
    unsigned epoch;
    int rc;

    for (;;) {
        epoch = ca__sched_epoch(s);
        if (CA__LOAD(f->done))
            return CA_OK;
#if CA_HAVE_FUTEX
        if (ca__sched_pooled(s) ||
            (!ca__sched_has_work(s) && ca__threads_maybe())) {
            ca__park(&f->done);
            return CA_OK;
        }
#endif
        driving_frame = f;
        rc = ca__sched_drive(s, &f->done);
        driving_frame = NULL;
        if (CA__LOAD(f->done))
            return CA_OK;
        if (rc == CA_EDEADLOCK && ca__threads_alone())
            return rc;
        if (rc != CA_EBUSY && rc != CA_EDEADLOCK)
            return rc;
        /* Another thread drives s (it lets go with a kick), or other
        ** threads may yet complete the op: wait for a kick. */
        if (cas_done(f, 0, 3)) {
            /* Blocked from here (see ca__park), until the completer
            ** finds 3 or this thread takes it back; the completer's kick
            ** ends the wait (epoch read above). */
            ca__threads_blocked_add(1);
#if CA_HAVE_THREADS
            if (__atomic_load_n(&ca__park_nudge, __ATOMIC_ACQUIRE) != NULL)
                ca__park_nudge();
#endif
            ca__platform_idle(s, CA_FOREVER, NULL, 0, epoch);
            if (cas_done(f, 3, 0))
                ca__threads_blocked_add(-1); /* not done: count out */
        }
    }
}

/* The owner found its waiter completed when it tried to take it back: the
** completer calls the waker right after releasing the channel's lock, and
** f must stay until it has. */
static void wait_woken(frame *f)
{
#if CA_HAVE_THREADS
    unsigned epoch;

    for (;;) {
        epoch = ca__sched_epoch(f->s);
        if (CA__LOAD(f->done))
            return;
        ca__platform_idle(f->s, CA_FOREVER, &f->done, 0, epoch);
    }
#else
    (void)f;
    CA_ASSERT(f->done); /* one thread: the wake ran inside the completion */
#endif
}

static int chan_blocking(ca_chan *ch, void *val, int take)
{
    frame f;
    int rc, back;

    CA__CHECK_FREED(ch, take ? "ca_take_blocking" : "ca_put_blocking",
                    CA__FREED_CHAN);
    if (ca__in_sched())
        return CA_EPERM;
    frame_init(&f);
    rc = ca__chan_op(ch, val, &f.w, take);
    if (rc != CA__PARK)
        return rc;
    rc = wait_done(&f);
    if (rc == CA_OK)
        return f.w.status;
    /* Nothing can complete it: take it back, unless someone completed it
    ** meanwhile; then that completion stands and its wake is on its way. */
    CA__LOCK(ch);
    back = ca__dequeue_locked(ch, &f.w);
    CA__UNLOCK(ch);
    if (back)
        return rc;
    wait_woken(&f);
    return f.w.status;
}

int ca_put_blocking(ca_chan *ch, const void *val)
{
    return chan_blocking(ch, (void *)(uintptr_t)val, 0);
}

int ca_take_blocking(ca_chan *ch, void *dst)
{
    return chan_blocking(ch, dst, 1);
}

static uint32_t seed_rng(void)
{
    static uint32_t counter = 0x2545f491u;
#if CA_HAVE_THREADS
    return __atomic_add_fetch(&counter, 0x9e3779b9u, __ATOMIC_RELAXED);
#else
    return counter += 0x9e3779b9u;
#endif
}

int ca_alts_blocking(ca_alt *cases, size_t n, int flags, size_t *index)
{
    frame f;
    uint32_t rng;
    int rc, won;

    if (index == NULL)
        return CA_EINVAL;
    if (ca__in_sched())
        return CA_EPERM;
    frame_init(&f);
    rng = seed_rng();
    rc = ca__alts_start(cases, n, flags, f.s, &f.w, &rng);
    if (rc == CA_OK) {
        *index = f.w.index;
        return f.w.status;
    }
    if (rc != CA__PARK)
        return rc;
    rc = wait_done(&f);
    won = ca__alts_end(cases, n, f.s, &f.w.claim);
    if (rc != CA_OK) {
        if (!won)
            return rc; /* deadlock: nothing won, nothing is left queued */
        wait_woken(&f); /* a case won just now: that stands */
    }
    *index = f.w.index;
    return f.w.status;
}

int ca_wait_fd_blocking(int fd, int events, uint32_t ms, int *revents)
{
    int ignored;

    if (revents == NULL)
        revents = &ignored;
    *revents = 0;
    if (fd < 0 || (events & (CA_FD_READ | CA_FD_WRITE)) == 0 ||
        (events & ~(CA_FD_READ | CA_FD_WRITE)) != 0)
        return CA_EINVAL;
    if (ca__in_sched())
        return CA_EPERM; /* a go block parks with WAIT_FD */
    return ca__io_wait_one(fd, events, ms, revents);
}
