/*
** sched.c: the scheduler: run queue, run loop, wake-ups, deadlock reports.
** MIT licence, see COPYING.
**
** Invariants:
** - A live go block is in exactly one place: the run queue (READY), the
**   timer heap (SLEEP), a channel's queue (parked in TAKE or PUT), the
**   queues of all its ALTS cases, or running. Only that place refers to
**   it, besides the list of live blocks kept for reports.
** - Whoever completes the operation a block waits in puts it on the run
**   queue, once; a block never runs on two threads at once, because only
**   the thread that drives the scheduler pops the queue.
** - The scheduler's lock is never held while a channel's is taken: timers
**   that must touch channels (timeouts) are closed after it is released.
*/
#include <string.h>

#include "internal.h"
#include "platform.h"

/* ------------------------------------------------------------------ queue
** The run queue belongs to the thread that drives the scheduler, and takes
** no lock: a go block woken by another go block, by a timer or by the
** driver itself (the common case, and the hot path of every channel
** hand-off) goes straight there. Other threads put what they wake in the
** inbox, under the lock, and kick the driver if it sleeps; the driver
** moves the inbox into the run queue when it runs dry. */

/* The scheduler this thread drives, if any. */
#if CA_HAVE_THREADS
static __thread ca_sched *driving_here;
#define ON_DRIVER(s) (driving_here == (s))
#else
static ca_sched *driving_here;
#define ON_DRIVER(s) ((void)(s), 1)
#endif

static ca_go *go_of(ca_waiter *w)
{
    return CA_CONTAINER_OF(w, ca_go, u.w);
}

/* Appends the list first..last (linked through u.w.next, last's link
** NULL) to the queue head/tail: one block, or a whole other queue. */
static void append(ca_go **head, ca_go **tail, ca_go *first, ca_go *last)
{
    if (*tail != NULL)
        (*tail)->u.w.next = &first->u.w;
    else
        *head = first;
    *tail = last;
}

void ca__ready_local(ca_sched *s, ca_go *g)
{
    g->u.w.next = NULL;
    append(&s->head, &s->tail, g, g);
    s->nready++;
    g->u.w.state |= CA__G_READY;
}

#if CA_HAVE_THREADS
static void ready_inbox_locked(ca_sched *s, ca_go *g)
{
    g->u.w.next = NULL;
    append(&s->ihead, &s->itail, g, g);
    /* Atomic, because the driver peeks at it without the lock. */
    __atomic_store_n(&s->ninbox, s->ninbox + 1, __ATOMIC_RELAXED);
    g->u.w.state |= CA__G_READY;
}

/* Moves the inbox to the end of the run queue (driver only). */
static void drain_inbox(ca_sched *s)
{
    if (__atomic_load_n(&s->ninbox, __ATOMIC_RELAXED) == 0)
        return;
    CA__SLOCK(s);
    if (s->ihead != NULL) {
        append(&s->head, &s->tail, s->ihead, s->itail);
        s->nready += s->ninbox;
        s->ihead = s->itail = NULL;
        __atomic_store_n(&s->ninbox, 0, __ATOMIC_RELAXED);
    }
    CA__SUNLOCK(s);
}
#else
#define drain_inbox(s) ((void)(s))
#endif

/* Makes g ready, from any thread. */
static void ready(ca_sched *s, ca_go *g)
{
#if CA_HAVE_THREADS
    if (!ON_DRIVER(s)) {
        CA__SLOCK(s);
        ready_inbox_locked(s, g);
        CA__SUNLOCK(s);
        ca__sched_kick(s);
        return;
    }
#endif
    ca__ready_local(s, g);
}

static ca_go *pop(ca_sched *s)
{
    ca_go *g = s->head;

    if (g == NULL)
        return NULL;
    s->head = g->u.w.next != NULL ? go_of(g->u.w.next) : NULL;
    if (s->head == NULL)
        s->tail = NULL;
    s->nready--;
    g->u.w.state &= (unsigned char)~CA__G_READY;
    return g;
}

/* Wakes a go block whose take or put completed, or one of whose ALTS
** cases did (then the case's number and status become the block's). */
static void sched_wake(ca_waker *self, ca_waiter *w)
{
    ca_sched *s = CA_CONTAINER_OF(self, ca_sched, waker);
    ca_go *g;

    if (w->flags & CA__W_ALT) {
        g = CA_CONTAINER_OF(w->u.claim, ca_go, u.w.claim);
        g->u.w.index = w->index;
        g->u.w.status = w->status;
    } else {
        g = go_of(w);
    }
    ready(s, g);
}

/* ------------------------------------------------------------------ life */

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

int ca__sched_start_go(ca_sched *s, ca_go *g)
{
    g->u.w.waker = &s->waker;
    CA__SLOCK(s);
    live_add_locked(s, g);
    CA__SUNLOCK(s);
    ready(s, g);
    return CA_OK;
}

int ca_sched_init(ca_sched *s)
{
    if (s == NULL)
        return CA_EINVAL;
    memset(s, 0, sizeof *s);
    s->waker.wake = sched_wake;
    s->rng = 0x9e3779b9u ^ (uint32_t)(uintptr_t)s;
    ca__platform_clock(&s->now, &s->idle);
#if CA_HAVE_THREADS
    if (ca__platform_wait_init(s) != 0)
        return CA_ENOMEM;
#endif
    return CA_OK;
}

static ca_sched default_sched;

#if CA_HAVE_THREADS
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static void default_init(void)
{
    (void)ca_sched_init(&default_sched);
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

int ca_sched_destroy(ca_sched *s)
{
    int rc = CA_OK;

    if (s == NULL || s == &default_sched)
        return CA_EINVAL;
    CA__SLOCK(s);
    if (s->nlive != 0 || s->ntimers != 0 || s->due != NULL)
        rc = CA_EBUSY;
    CA__SUNLOCK(s);
    if (rc != CA_OK)
        return rc;
#if CA_HAVE_THREADS
    ca__platform_wait_destroy(s);
#endif
    memset(s, 0, sizeof *s);
    return CA_OK;
}

int ca_sched_set_clock(ca_sched *s, uint32_t (*now)(void *ud),
                       void (*idle)(void *ud, uint32_t ms), void *ud)
{
    int rc = CA_OK;

    if (now == NULL)
        return CA_EINVAL;
    s = CA__SCHED(s);
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

uint32_t ca__now(ca_sched *s)
{
    return s->now(s->clock_ud);
}

uint32_t ca_sched_now(ca_sched *s)
{
    s = CA__SCHED(s);
    return s->now != NULL ? ca__now(s) : 0;
}

int ca__has_clock(ca_sched *s)
{
    return s->now != NULL;
}

int ca_sched_ref(ca_sched *s)
{
    s = CA__SCHED(s);
    CA__SLOCK(s);
    s->refs++;
    CA__SUNLOCK(s);
    return CA_OK;
}

int ca_sched_unref(ca_sched *s)
{
    int rc = CA_OK;

    s = CA__SCHED(s);
    CA__SLOCK(s);
    if (s->refs == 0)
        rc = CA_EINVAL;
    else
        s->refs--;
    CA__SUNLOCK(s);
    ca__sched_kick(s); /* the driver may now have a deadlock to report */
    return rc;
}

/* ------------------------------------------------------------------ run */

/* A go block, or a callback it or a timer set off, runs on a thread that
** drives a scheduler: such code must never wait for the scheduler. */
int ca__in_sched(void)
{
    return driving_here != NULL;
}

/* Ends a block: delivers its result, forgets it, frees it if we made it.
** Once it leaves the live list its owner may reuse it, so everything is
** read first, and wake-ups (which may run code that frees it) come last. */
static void finish(ca_sched *s, ca_go *g)
{
    ca__wakelist wl;
    ca_chan *r;
    int owned = (g->u.w.state & CA__G_OWNED) != 0;

    CA__WAKELIST_INIT(&wl);
    r = ca__result_take(g);
    if (r != NULL)
        ca__result_deliver(r, g->u.w.val, g->u.w.index, &wl);
    CA__SLOCK(s);
    live_remove_locked(s, g);
    g->u.w.state = 0;
    CA__SUNLOCK(s);
#if CA_HAVE_MALLOC
    if (owned)
        ca__free(g);
#else
    (void)owned;
#endif
    ca__wake_all(&wl);
    if (r != NULL)
        (void)ca_chan_free(r);
}

static void run_one(ca_sched *s, ca_go *g)
{
    int rc;

    s->running = g;
    rc = g->fn(g);
    s->running = NULL;
    if (rc == CA_GO_PARKED)
        return; /* whoever completes its op makes it ready again */
    if (rc == CA_GO_YIELDED) {
        ca__ready_local(s, g);
        return;
    }
    finish(s, g);
}

/* Fires the due timers; returns the ms until the next one. */
static uint32_t fire_timers(ca_sched *s)
{
    uint32_t next = CA_FOREVER;
    size_t before;
    int due;

    CA__SLOCK(s);
    before = s->ntimers;
    if (before != 0)
        next = ca__timers_fire_locked(s, ca__now(s));
    due = s->due != NULL;
    before -= s->ntimers;
    CA__SUNLOCK(s);
    if (due)
        ca__timers_after_unlock(s);
    if (before != 0)
        ca__sched_kick(s); /* a deadline may have ended a blocked thread's wait */
    return next;
}

/* Runs at most `budget` ready blocks (fewer if *stop turns non-zero);
** returns how many ran. */
static size_t run_ready(ca_sched *s, size_t budget, volatile int *stop)
{
    size_t ran = 0;
    ca_go *g;

    while (ran < budget && (stop == NULL || !CA__LOAD(*stop))) {
        if ((g = pop(s)) == NULL) {
            drain_inbox(s);
            if ((g = pop(s)) == NULL)
                break;
        }
        run_one(s, g);
        ran++;
    }
    return ran;
}

/* How many blocks run between two looks at the clock. */
#define CA__TIMER_BATCH 64

int ca__sched_loop(ca_sched *s, volatile int *stop)
{
    uint32_t next;
    int idle;

    for (;;) {
        next = fire_timers(s);
        if (run_ready(s, CA__TIMER_BATCH, stop) != 0)
            continue;
        if (stop != NULL && CA__LOAD(*stop))
            return CA_OK;
        CA__SLOCK(s);
        idle = s->nready == 0 && s->ninbox == 0;
        if (idle && s->ntimers == 0 && s->refs == 0) {
            /* Nothing can ever run again. */
            size_t live = s->nlive;
            CA__SUNLOCK(s);
            if (stop != NULL)
                return CA_EDEADLOCK;
            return live == 0 ? CA_OK : CA_EDEADLOCK;
        }
        CA__SUNLOCK(s);
        if (idle && next != 0)
            ca__platform_idle(s, next, stop, 1);
    }
}

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
    drain_inbox(s);
#endif
    driving_here = s;
    return CA_OK;
}

static void drive_end(ca_sched *s)
{
#if CA_HAVE_THREADS
    /* Leave nothing in the run queue, which no thread owns from now on:
    ** whoever drives next finds it in the inbox. */
    CA__SLOCK(s);
    if (s->head != NULL) {
        append(&s->ihead, &s->itail, s->head, s->tail);
        __atomic_store_n(&s->ninbox, s->ninbox + s->nready, __ATOMIC_RELAXED);
        s->head = s->tail = NULL;
        s->nready = 0;
    }
    CA__SUNLOCK(s);
    driving_here = NULL;
    __atomic_store_n(&s->driving, 0, __ATOMIC_RELEASE);
    ca__sched_kick(s); /* a blocked thread may want to drive now */
#else
    (void)s;
    driving_here = NULL;
#endif
}

int ca__sched_drive(ca_sched *s, volatile int *stop)
{
    int rc = drive_begin(s);

    if (rc != CA_OK)
        return rc;
    rc = ca__sched_loop(s, stop);
    drive_end(s);
    return rc;
}

int ca_sched_run(ca_sched *s)
{
    int rc;

    s = CA__SCHED(s);
    /* A thread in a blocking call may be driving it for the moment: wait
    ** for it to let go, then take over. */
    while ((rc = ca__sched_drive(s, NULL)) == CA_EBUSY)
        ca__platform_idle(s, 10, NULL, 0);
    return rc;
}

int ca_sched_step(ca_sched *s, uint32_t *next_ms)
{
    uint32_t next;
    size_t budget;
    int rc;

    s = CA__SCHED(s);
    if ((rc = drive_begin(s)) != CA_OK)
        return rc;
    fire_timers(s);
    drain_inbox(s);
    budget = s->nready; /* each block ready now runs at most once */
    run_ready(s, budget, NULL);
    next = fire_timers(s);
    CA__SLOCK(s);
    if (s->nready != 0 || s->ninbox != 0)
        next = 0;
    else if (s->nlive != 0 && s->ntimers == 0 && s->refs == 0)
        rc = CA_EDEADLOCK;
    CA__SUNLOCK(s);
    drive_end(s);
    if (next_ms != NULL)
        *next_ms = next;
    return rc;
}

/* ------------------------------------------------------------------ report */

int ca_sched_parked(ca_sched *s, void (*fn)(const ca_parked *p, void *ud),
                    void *ud)
{
    ca_parked p;
    ca_go *g;
    size_t i;
    int n = 0;

    s = CA__SCHED(s);
    if (fn == NULL)
        return CA_EINVAL;
    g = s->live;
    for (i = 0; i < s->nlive; i++, g = g->next) {
        if (g->site == NULL || g == s->running ||
            (g->u.w.state & (CA__G_READY | CA__G_SLEEP)))
            continue;
        memset(&p, 0, sizeof p);
        p.func = g->site->func;
        p.file = g->site->file;
        p.line = g->site->line;
        p.op = g->site->op;
        p.expr = g->site->expr;
        if (strcmp(p.op, "ALTS") == 0) {
            p.cases = (const ca_alt *)g->u.w.val;
            p.ncases = g->u.w.index;
        } else {
            p.chan = g->u.w.u.chan;
        }
        fn(&p, ud);
        n++;
    }
    return n;
}

static void print_chan(FILE *out, const ca_chan *ch)
{
    if (ch->name != NULL)
        fprintf(out, "\"%s\"", ch->name);
    else
        fprintf(out, "%p", (const void *)ch);
}

static void dump_one(const ca_parked *p, void *ud)
{
    FILE *out = (FILE *)ud;
    size_t i, shown = 0;

    fprintf(out, "  %s (%s:%u) parked in %s(%s)", p->func, p->file, p->line,
            p->op, p->expr);
    if (p->chan != NULL) {
        fprintf(out, " on channel ");
        print_chan(out, p->chan);
    }
    for (i = 0; i < p->ncases; i++) {
        const ca_alt *c = &p->cases[i];
        if (c->kind != CA__ALT_TAKE && c->kind != CA__ALT_PUT)
            continue;
        fprintf(out, "%s%s ", shown++ ? ", " : " on ",
                c->kind == CA__ALT_TAKE ? "take" : "put");
        print_chan(out, c->chan);
    }
    fputc('\n', out);
}

int ca_sched_dump(ca_sched *s, FILE *out)
{
    if (out == NULL)
        return CA_EINVAL;
    return ca_sched_parked(s, dump_one, out);
}
