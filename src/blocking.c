/*
** blocking.c: put, take and alts that wait in the calling thread.
** MIT licence, see COPYING.
**
** The caller's stack frame holds the waiter and a `done` flag that its
** waker sets. While the operation waits, the caller drives the default
** scheduler, so that go blocks (and timers) that can complete it run; when
** nothing can run any more and nobody outside holds a reference to the
** scheduler, the operation can never complete: it is taken back out of
** its queue and the call reports CA_EDEADLOCK. If another thread is
** already driving the default scheduler, the caller just waits for its
** wake-up instead.
*/
#include "internal.h"
#include "platform.h"

typedef struct frame {
    ca_waiter w;            /* the op, or the claim byte of an alts       */
    ca_waker waker;
    ca_sched *s;
    volatile int done;
} frame;

static void frame_wake(ca_waker *self, ca_waiter *w)
{
    frame *f = CA_CONTAINER_OF(self, frame, waker);
    ca_sched *s = f->s; /* f may be gone as soon as done is set */

    if (w != &f->w) { /* an alts case won: it becomes the frame's result */
        f->w.index = w->index;
        f->w.status = w->status;
    }
#if CA_HAVE_THREADS
    __atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
#else
    f->done = 1;
#endif
    ca__sched_kick(s);
}

/* Runs under the scheduler's lock: an alts deadline of a blocked thread. */
void ca__frame_alt_fire(ca_sched *s, ca_timer *t)
{
    ca_alt *c = CA__ALT_OF_TIMER(t);
    frame *f = CA_CONTAINER_OF(c->p.claim, frame, w.claim);

    (void)s;
    if (!ca__claim(c->p.claim))
        return;
    f->w.index = c->index;
    f->w.status = CA_OK;
#if CA_HAVE_THREADS
    __atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
#else
    f->done = 1;
#endif
    /* The driver is this thread, or is woken by the kick after unlock. */
}

static void frame_init(frame *f)
{
    f->waker.wake = frame_wake;
    f->w.waker = &f->waker;
    f->w.status = CA_OK;
    f->w.index = 0;
    f->done = 0;
    f->s = ca_sched_default();
}

/* Waits until f->done: drives the default scheduler, or, if another
** thread drives it, waits for the wake-up. */
static int wait_done(frame *f)
{
    int rc;

    for (;;) {
        rc = ca__sched_drive(f->s, &f->done);
        if (rc != CA_EBUSY)
            return CA__LOAD(f->done) ? CA_OK : rc;
        /* Someone else drives: sleep until kicked, then look again. */
        ca__platform_idle(f->s, 10, &f->done, 0);
        if (CA__LOAD(f->done))
            return CA_OK;
    }
}

static int chan_blocking(ca_chan *ch, void *val, int take)
{
    frame f;
    int rc;

    if (ca__in_sched())
        return CA_EPERM;
    frame_init(&f);
    rc = ca__chan_op(ch, val, &f.w, take);
    if (rc != CA__PARK)
        return rc;
    rc = wait_done(&f);
    if (rc == CA_OK)
        return f.w.status;
    /* Nothing can complete it: take it back, unless it completed just
    ** now (then its completion stands). */
    CA__LOCK(ch);
    ca__dequeue_locked(ch, &f.w);
    CA__UNLOCK(ch);
    return CA__LOAD(f.done) ? f.w.status : rc;
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
    size_t i = 0;
    uint32_t rng;
    int rc, status = CA_OK;

    if (index == NULL)
        return CA_EINVAL;
    if (ca__in_sched())
        return CA_EPERM;
    frame_init(&f);
    rng = seed_rng();
    rc = ca__alts_start(cases, n, flags, f.s, &f.waker, &f.w.claim,
                        CA__T_ALT_FRAME, &rng, &i, &status);
    if (rc == CA_OK) {
        *index = i;
        return status;
    }
    if (rc != CA__PARK)
        return rc;
    rc = wait_done(&f);
    ca__alts_end(cases, n, f.s);
    if (!CA__LOAD(f.done))
        return rc; /* deadlock: nothing won, nothing is left queued */
    *index = f.w.index;
    return f.w.status;
}
