/*
** trace.c: the event trace (ca_trace), built with --enable-trace only.
** MIT licence, see COPYING.
**
** It sits under every other layer: the channel and the scheduler call
** into it through CA__TRACE (internal.h), and it calls nothing of the
** library's, only reads the structs it is given. Events are written
** under one mutex, which is a leaf: it is taken while a channel's lock
** is held (a park is written before the scheduler releases what the op
** left locked, so that its wake can only come after it) and takes no
** other lock. The block running on each thread is kept in a
** thread-local pointer, for the `by=` of what it sets off.
*/
#include <string.h>
#if CA_HAVE_THREADS
#include <pthread.h>
#endif

#include "internal.h"

int ca__trace_on;

static FILE *out;
static unsigned long seq;      /* events written: the trace's clock    */
static unsigned nthreads;      /* thread numbers given out             */

#if CA_HAVE_THREADS
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static CA__TLS const ca_go *running;
static CA__TLS unsigned thread_no;
#define LOCK() pthread_mutex_lock(&mu)
#define UNLOCK() pthread_mutex_unlock(&mu)
#else
static const ca_go *running;
static unsigned thread_no;
#define LOCK() ((void)0)
#define UNLOCK() ((void)0)
#endif

int ca_trace(FILE *f)
{
    LOCK();
    if (out != NULL)
        fflush(out);
    out = f;
    if (f != NULL)
        fputs("# coreasync trace 1\n", f);
#if CA_HAVE_THREADS
    __atomic_store_n(&ca__trace_on, f != NULL, __ATOMIC_RELAXED);
#else
    ca__trace_on = f != NULL;
#endif
    UNLOCK();
    return CA_OK;
}

/* Starts an event line, or answers 0 (and leaves the lock alone) when
** the trace was stopped meanwhile. Caller holds the lock. */
static int begin(const char *event)
{
    if (out == NULL)
        return 0;
    fprintf(out, "%lu %s", ++seq, event);
    return 1;
}

/* Each field is written with the space in front of it. */
static void put_go(const char *key, const ca_go *g)
{
    fprintf(out, " %sg%lx", key, (unsigned long)(uintptr_t)g);
}

/* Who acts on this thread: the block it runs, or the thread itself. */
static void put_actor(const char *key)
{
    if (running != NULL) {
        put_go(key, running);
        return;
    }
    if (thread_no == 0)
        thread_no = ++nthreads;
    fprintf(out, " %st%u", key, thread_no);
}

static void put_chan(const char *key, const ca_chan *ch)
{
    char name[CA__NAME_COPY];
    const char *s = ch != NULL ? ca__chan_name_copy(ch, name, sizeof name)
                               : "";

    if (*s == '\0') {
        fprintf(out, " %sc%lx", key, (unsigned long)(uintptr_t)ch);
        return;
    }
    fprintf(out, " %s\"", key);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
    fputc('"', out);
}

void ca__trace_spawn(const ca_go *g)
{
    LOCK();
    if (begin("spawn")) {
        put_go("", g);
        put_actor("by=");
        fputc('\n', out);
    }
    UNLOCK();
}

void ca__trace_run(const ca_go *g)
{
    running = g;
}

/* What a parked block waits on, as diag.c's dump tells it. */
static void put_waits(const ca_go *g)
{
    const ca_alt *c;
    size_t i, n;

    if (strcmp(CA__GO_SITE_OF(g)->op, "ALTS") == 0) {
        c = (const ca_alt *)g->u.w.val;
        n = (size_t)g->u.w.u.n;
        for (i = 0; c != NULL && i < n; i++)
            if (c[i].kind == CA__ALT_TAKE || c[i].kind == CA__ALT_PUT)
                put_chan(c[i].kind == CA__ALT_TAKE ? "on=take:" : "on=put:",
                         c[i].chan);
    } else if (g->u.w.flags & CA__W_QUEUED) {
        put_chan(g->u.w.flags & CA__W_TAKE ? "on=take:" : "on=put:",
                 g->u.w.u.chan);
    }
}

void ca__trace_ran(const ca_go *g, int rc)
{
    const ca_go_site *site;

    running = NULL;
    if (rc != CA_GO_PARKED && rc != CA_GO_YIELDED)
        return; /* done: written by ca__trace_done, g may be gone */
    LOCK();
    if ((site = CA__GO_SITE_OF(g)) != NULL && begin("park")) {
        put_go("", g);
        fprintf(out, " func=%s at=%s:%u op=%s", site->func, site->file,
                site->line, g->u.w.park == CA__P_LOST ? "LOST" : site->op);
        if (rc == CA_GO_PARKED)
            put_waits(g);
        fputc('\n', out);
    }
    UNLOCK();
}

/* A block woken: by the completion of its waiter w (for an ALTS, the
** case's), or by its timer (w NULL). */
void ca__trace_wake(const ca_go *g, const ca_waiter *w)
{
    const ca_chan *ch = NULL;
    const ca_alt *c;
    int take = 0;

    if (w != NULL && (w->flags & CA__W_ALT)) {
        c = CA_CONTAINER_OF(w, ca_alt, u.w);
        ch = c->chan;
        take = c->kind == CA__ALT_TAKE;
    } else if (w != NULL) {
        ch = w->u.chan;
        take = (w->flags & CA__W_TAKE) != 0;
    }
    LOCK();
    if (begin("wake")) {
        put_go("", g);
        if (w == NULL) {
            fputs(" by=timer\n", out);
        } else {
            put_actor("by=");
            put_chan("chan=", ch);
            fprintf(out, " op=%s status=%s\n", take ? "take" : "put",
                    w->status == CA_OK ? "ok" : "closed");
            if (w->status == CA_OK && begin("send")) {
                put_chan("", ch);
                if (take) {
                    put_actor("from=");
                    put_go("to=", g);
                } else {
                    put_go("from=", g);
                    put_actor("to=");
                }
                fputc('\n', out);
            }
        }
    }
    UNLOCK();
}

void ca__trace_op(const ca_chan *ch, int take, int status)
{
    LOCK();
    if (running != NULL && begin(take ? "take" : "put")) {
        put_go("", running);
        put_chan("chan=", ch);
        fprintf(out, " status=%s\n", status == CA_OK ? "ok" : "closed");
    }
    UNLOCK();
}

void ca__trace_close(const ca_chan *ch)
{
    LOCK();
    if (begin("close")) {
        put_chan("", ch);
        put_actor("by=");
        fputc('\n', out);
    }
    UNLOCK();
}

void ca__trace_done(const ca_go *g)
{
    LOCK();
    if (begin("done")) {
        put_go("", g);
        fputc('\n', out);
    }
    UNLOCK();
}
