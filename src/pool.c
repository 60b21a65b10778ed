/*
** pool.c: a scheduler's workers, core.async's dispatch pool.
** MIT licence, see COPYING.
**
** ca_sched_start(s, n) starts n threads that run s's go blocks and fire
** its timers until ca_sched_stop(s). The design, and why:
**
** - Each worker has its own run queue. A block woken by a worker (by the
**   block it runs: the hot path of every channel hand-off) goes to that
**   worker's queue, so a ping-pong stays on one core and its cache, and
**   no two workers fight over one queue's lock. A block woken by any
**   other thread goes to the scheduler's inbox.
** - A worker takes from its own queue first, then its share of the inbox
**   (n / workers + 1, as Go's global run queue), then half of another
**   worker's queue, trying each once from a random one (work stealing).
**   Stealing keeps every worker busy while anyone has surplus; the share
**   keeps one worker from taking the whole inbox.
** - The block a worker's block wakes runs next on that worker (Go's
**   runnext, bounded), out of thieves' reach while that worker goes on
**   running blocks; an idle worker takes it once the worker stalls in
**   one step (sched.c, above spin). A worker that queues more
**   than it runs next while another worker idles wakes one (Go's wakep);
**   a worker out of work first looks for some for about 3 us (Go's
**   spinning M: no wake-up to pay; HOP 650 -> 200 ns, and 17,600 ->
**   590 ns when the host is slow to wake an idle core), then counts
**   itself idle, looks once more, and sleeps on the scheduler's
**   condition variable. That handshake (platform.c,
**   ca__pool_spill) loses no wake-up, and nothing polls.
** - A worker whose blocks keep finding their locks taken turns shy: it
**   leaves a few queued blocks to their owner instead of fighting it over
**   the same channel from another core (W9: 4x faster). sched.c argues
**   both rules, with the numbers, above runnext.
** - Each queue has a one-byte spin lock, taken by its owner and by
**   thieves: owners almost never meet a thief, and a lock-free deque
**   (Chase-Lev) would cost a fence on every pop for that rare case.
** - Timers: every worker fires those due at the top of each batch; an
**   idle worker sleeps until the next deadline; firing is one at a time.
** - A pool's deadlock (every worker idle, nothing queued, no timer, no
**   reference, no thread inside a blocking call) is reported once, with
**   the who-waits-where dump on stderr. The workers go on waiting: an
**   outside thread may still complete something.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "platform.h"

#if CA_HAVE_THREADS && CA_HAVE_MALLOC

/* core.async's pool size; COREASYNC_POOL_SIZE overrides it. */
#define CA__POOL_DEFAULT 8u

static unsigned default_size(void)
{
    const char *env = getenv("COREASYNC_POOL_SIZE");
    unsigned long n;
    char *end;

    if (env == NULL || *env == '\0')
        return CA__POOL_DEFAULT;
    n = strtoul(env, &end, 10);
    if (*end != '\0' || n == 0 || n > CA_POOL_MAX)
        return CA__POOL_DEFAULT; /* ignored, as core.async ignores junk */
    return (unsigned)n;
}

static void report(ca_sched *s)
{
    fprintf(stderr, "coreasync: deadlock: every worker of the pool is "
                    "idle, no timer is pending, and nothing outside holds a "
                    "reference; these go blocks wait for ever:\n");
    (void)ca_sched_dump(s, stderr);
}

/* Running pools, for nudge: guarded by pools_mu. */
static pthread_mutex_t pools_mu = PTHREAD_MUTEX_INITIALIZER;
static ca__pool *pools;

/* A thread just blocked (ca__park_nudge): a pool whose workers are all
** idle checked for a deadlock when it fell idle, with this thread still
** running; one of its workers looks again. */
static void nudge(void)
{
    ca__pool *p;

    pthread_mutex_lock(&pools_mu);
    for (p = pools; p != NULL; p = p->next)
        if ((unsigned)__atomic_load_n(&p->s->nidle, __ATOMIC_SEQ_CST) ==
            p->n) {
            __atomic_store_n(&p->checked, 0, __ATOMIC_RELAXED);
            ca__sched_kick_one(p->s);
        }
    pthread_mutex_unlock(&pools_mu);
}

static void pools_add(ca__pool *p)
{
    pthread_mutex_lock(&pools_mu);
    p->next = pools;
    pools = p;
    pthread_mutex_unlock(&pools_mu);
    __atomic_store_n(&ca__park_nudge, nudge, __ATOMIC_RELEASE);
}

static void pools_remove(ca__pool *p)
{
    ca__pool **pp;

    pthread_mutex_lock(&pools_mu);
    for (pp = &pools; *pp != NULL; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    pthread_mutex_unlock(&pools_mu);
}

static void *worker_main(void *arg)
{
    ca__worker *w = (ca__worker *)arg;

    ca__sched_work(w->q.s, &w->q);
    return NULL;
}

/* Stops the first n workers of p, which is s's, and lets s go. */
static void stop_workers(ca_sched *s, ca__pool *p, unsigned n)
{
    unsigned i;

    pools_remove(p);
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    ca__sched_kick(s);
    for (i = 0; i < n; i++)
        (void)pthread_join(p->w[i].th, NULL);
    /* From here s may be destroyed by another thread: the announcement
    ** is made while destroy must wait for it (see ca__sched_hold). */
    ca__sched_hold(s);
    CA__SLOCK(s);
    __atomic_store_n(&s->pool, NULL, __ATOMIC_RELEASE);
    CA__SUNLOCK(s);
    __atomic_store_n(&s->driving, 0, __ATOMIC_RELEASE);
    ca__sched_unhold(s, 1); /* a blocked thread may drive it now */
    ca__free(p);
}

int ca_sched_start(ca_sched *s, unsigned n)
{
    ca__pool *p;
    unsigned i;
    int idle = 0, rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    if (ca__in_sched())
        return CA_EPERM;
    if (n == 0)
        n = default_size();
    if (n > CA_POOL_MAX)
        return CA_ERANGE;
    p = (ca__pool *)ca__alloc(sizeof *p + (n - 1) * sizeof p->w[0]);
    if (p == NULL)
        return CA_ENOMEM;
    memset(p, 0, sizeof *p + (n - 1) * sizeof p->w[0]);
    p->s = s;
    p->n = n;
    p->on_stuck = report;
    for (i = 0; i < n; i++) {
        p->w[i].q.s = s;
        p->w[i].q.shared = 1;
        p->w[i].q.rng = s->q.rng ^ (0x9e3779b9u * (i + 1));
    }
    /* The pool drives s from now on: ca_sched_run, ca_sched_step and
    ** blocking calls find it driven. */
    if (!__atomic_compare_exchange_n(&s->driving, &idle, 1, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        ca__free(p);
        return CA_EBUSY;
    }
    CA__SLOCK(s);
    __atomic_store_n(&s->pool, p, __ATOMIC_RELEASE);
    CA__SUNLOCK(s);
    for (i = 0; i < n; i++)
        if (pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i]) != 0)
            break;
    if (i < n) {
        stop_workers(s, p, i);
        return CA_ENOMEM;
    }
    pools_add(p);
    /* Threads blocked on s until now just wait from here on. */
    ca__sched_kick(s);
    return CA_OK;
}

int ca_sched_stop(ca_sched *s)
{
    ca__pool *p;
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    if (ca__in_sched())
        return CA_EPERM; /* a worker would wait for itself */
    CA__SLOCK(s);
    p = s->pool;
    if (p == NULL || p->stop)
        rc = CA_EINVAL; /* no pool, or another thread stops it */
    else
        __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    CA__SUNLOCK(s);
    if (rc != CA_OK)
        return rc;
    stop_workers(s, p, p->n);
    return CA_OK;
}

#else /* no threads, or no malloc: no pool */

int ca_sched_start(ca_sched *s, unsigned n)
{
    int rc;

    (void)n;
    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    return CA_ENOTSUP;
}

int ca_sched_stop(ca_sched *s)
{
    int rc;

    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    return CA_ENOTSUP;
}

#endif
