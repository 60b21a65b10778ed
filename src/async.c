/*
** async.c: put and take with a callback (core.async's put! and take!).
** MIT licence, see COPYING.
**
** A ca_op is a waiter plus a callback, in the caller's storage. An op that
** completes at once runs its callback on the caller before returning, as
** core.async does by default (on-caller? true); one that has to wait is
** queued, and its callback runs on whichever thread completes it, after
** that thread has released the channel's lock.
*/
#include "internal.h"

static void op_wake(ca_waker *self, ca_waiter *w)
{
    ca_op *op = CA_CONTAINER_OF(w, ca_op, w);

    (void)self;
    if (op->cb != NULL)
        op->cb(op, w->status);
}

/* One waker serves every op: the op is found from its waiter. */
static ca_waker op_waker = {op_wake, NULL};

int ca__is_callback(const ca_waiter *w)
{
    return w->waker == &op_waker;
}

static int start(ca_chan *ch, ca_op *op, void *val, ca_op_cb cb, int take)
{
    int rc;

    if (op == NULL)
        return CA_EINVAL;
    CA__CHECK_FREED(ch, take ? "ca_take_async" : "ca_put_async",
                    CA__FREED_CHAN);
    op->cb = cb;
    op->w.waker = &op_waker;
    rc = ca__chan_op(ch, val, &op->w, take);
    /* Once queued, op belongs to the channel: another thread may already
    ** have completed it, and its callback may have freed it. */
    if (rc == CA__PARK)
        return CA_OK;
    if (rc >= 0 && cb != NULL)
        cb(op, rc);
    if (take && rc == CA_CLOSED)
        rc = CA_OK;
    return rc;
}

int ca_put_async(ca_chan *ch, ca_op *op, const void *val, ca_op_cb cb)
{
    /* The value is only read; the waiter's one pointer serves both ways. */
    return start(ch, op, (void *)(uintptr_t)val, cb, 0);
}

int ca_take_async(ca_chan *ch, ca_op *op, void *dst, ca_op_cb cb)
{
    return start(ch, op, dst, cb, 1);
}
