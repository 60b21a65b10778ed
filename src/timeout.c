/*
** timeout.c: timeout channels (core.async's `timeout`): a channel that a
** timer of the scheduler closes. MIT licence, see COPYING.
*/
#include "internal.h"

/* ------------------------------------------------------------------ chans
** A timeout channel is closed by its timer, and the timer then drops the
** reference it held. */

static void timeout_fire(ca_waker *self, ca_timer *t)
{
    ca_timeout_chan *tc = CA_CONTAINER_OF(t, ca_timeout_chan, t);

    (void)self;
    (void)ca_close(&tc->ch);
    (void)ca_chan_free(&tc->ch); /* the timer's reference */
}

static ca_waker timeout_waker = {NULL, timeout_fire};

static int start(ca_sched *s, ca_timeout_chan *tc, uint32_t ms, int owned)
{
    (void)ca_chan_init(&tc->ch, CA_UNBUFFERED, 0, 0, NULL, 0);
    tc->ch.refs = 2; /* the caller's, and the timer's until it fires */
    if (owned) /* ch is tc's first member: its last free frees tc */
        tc->ch.flags |= CA__CH_OWNED;
    CA__SLOCK(s);
    ca__timer_add_locked(s, &tc->t, ms, &timeout_waker);
    CA__SUNLOCK(s);
    ca__sched_kick(s); /* a driver asleep on another thread: wake earlier */
    return CA_OK;
}

/* Shared checks; on success s is the scheduler to use. */
static int check_(ca_sched **s, uint32_t ms CA__CALLER)
{
    if (ca__sched_live_(s CA__CALLER_PASS) != CA_OK)
        return CA_EINVAL;
    if (ms > CA_MAX_DELAY)
        return CA_ERANGE;
    if (!ca__has_clock(*s))
        return CA_ENOTSUP;
    return CA_OK;
}
#define check(s, ms) check_((s), (ms) CA__CALLER_NAME)

int ca_timeout_init(ca_sched *s, ca_timeout_chan *tc, uint32_t ms)
{
    int rc;

    if (tc == NULL)
        return CA_EINVAL;
    if ((rc = check(&s, ms)) != CA_OK)
        return rc;
    return start(s, tc, ms, 0);
}

#if CA_HAVE_MALLOC
int ca_timeout(ca_sched *s, uint32_t ms, ca_chan **out)
{
    ca_timeout_chan *tc;
    int rc;

    if (out == NULL)
        return CA_EINVAL;
    *out = NULL;
    if ((rc = check(&s, ms)) != CA_OK)
        return rc;
    if ((tc = (ca_timeout_chan *)ca__alloc(sizeof *tc)) == NULL)
        return CA_ENOMEM;
    (void)start(s, tc, ms, 1);
    *out = &tc->ch;
    return CA_OK;
}
#endif
