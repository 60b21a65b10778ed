/*
** ca_helpers.c: the test helpers several test files share (ca_test.h),
** apart from the runner, so that the on-target runner (test/target/)
** links the same ones. MIT licence, see COPYING.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#if CA_HAVE_THREADS
#include <time.h>
#endif

void ichan_init(ichan *c, ca_buf_kind kind, size_t cap)
{
    CA_ASSERT_RC(ca_chan_init(&c->ch, kind, cap, sizeof(int),
                              cap != 0 ? c->buf : NULL, sizeof c->buf),
                 CA_OK);
}

void rec_cb(ca_op *op, int status)
{
    rec *r = (rec *)op->data;

    r->calls++;
    r->status = status;
}

void held_begin(ca_sched *s)
{
    CA_ASSERT_RC(ca_sched_init(s), CA_OK);
    CA_ASSERT_RC(ca_sched_ref(s), CA_OK);
}

void held_settle(ca_sched *s)
{
    uint32_t next;
    int rc;

    do
        rc = ca_sched_step(s, &next);
    while (rc == CA_OK && next == 0);
    CA_ASSERT_RC(rc, CA_OK);
}

void held_end(ca_sched *s)
{
    CA_ASSERT_RC(ca_sched_unref(s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(s), CA_OK);
}

uint32_t fake_now(void *ud)
{
    return ((fake_clock *)ud)->now;
}

void fake_idle(void *ud, uint32_t ms)
{
    fake_clock *c = (fake_clock *)ud;

    c->idles++;
    c->now += ms == CA_FOREVER ? 1u : ms;
}

int taker_fn(ca_go *g)
{
    taker *t = (taker *)g;

    GO_BEGIN(g);
    if (t->nap != 0)
        SLEEP(g, t->nap);
    TAKE(g, t->ch, &t->v);
    t->status = GO_STATUS(g);
    GO_END(g);
}

void taker_init(taker *t, ca_chan *ch, uint32_t nap)
{
    memset(t, 0, sizeof *t);
    t->ch = ch;
    t->nap = nap;
    t->v = -1;
    t->status = -100;
}

int putter_fn(ca_go *g)
{
    putter *p = (putter *)g;

    GO_BEGIN(g);
    if (p->nap != 0)
        SLEEP(g, p->nap);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->v = p->first + p->i;
        PUT(g, p->ch, &p->v);
        p->status = GO_STATUS(g);
    }
    if (p->close_after)
        (void)ca_close(p->ch);
    GO_END(g);
}

void putter_init(putter *p, ca_chan *ch, int first, int n, uint32_t nap,
                 int close_after)
{
    memset(p, 0, sizeof *p);
    p->ch = ch;
    p->first = first;
    p->n = n;
    p->nap = nap;
    p->close_after = close_after;
    p->status = -100;
}

#if CA_HAVE_THREADS
void *outside_thread(void *arg)
{
    outside *o = (outside *)arg;
    struct timespec ts = {0, 20 * 1000000L};

    nanosleep(&ts, NULL);
    if (o->blocking)
        o->rc = ca_put_blocking(o->ch, &o->v);
    else
        o->rc = ca_offer(o->ch, &o->v);
    o->unref_rc = ca_sched_unref(o->s);
    return NULL;
}
#endif
