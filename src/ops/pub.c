/*
** ops/pub.c: core.async's `pub`, one go block that routes each value to
** its topic's channel, and a mult per topic (ops/mult.c) that hands it to
** the topic's subs.
**
** Topics are only ever added while the pub lives (ca_pub_destroy removes
** them), so a topic pointer read under the lock stays valid without it.
*/
#include <string.h>

#include "ops.h"

/* The topic named `topic`, or NULL. Under the lock. */
static ca_topic *find(ca_pub_state *p, uintptr_t topic)
{
    ca_topic *t;

    for (t = p->topics; t != NULL && t->topic != topic; t = t->next)
        ;
    return t;
}

static int pub_fn(ca_go *g)
{
    ca_pub_state *p = (ca_pub_state *)g;
    ca_topic *t;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, p->src, p->val);
        if (GO_CLOSED(g))
            break;
        CA__OPS_LOCK(p);
        p->cur = find(p, p->topic_fn(p->val, p->ud));
        CA__OPS_UNLOCK(p);
        if (p->cur == NULL)
            continue;           /* nobody subscribed to it: dropped */
        /* A full topic blocks the pub. A topic channel closed under us
        ** refuses the value, which is dropped. */
        PUT_BYTES(g, p->cur->ch, p->val);
        if (GO_ERROR(g))
            break;
    }
    if (GO_ERROR(g))
        p->status = GO_STATUS(g);
    CA__OPS_LOCK(p);
    p->ended = 1;
    for (t = p->topics; t != NULL; t = t->next)
        (void)ca_close(t->ch);  /* its mult closes the `close` subs */
    CA__OPS_UNLOCK(p);
    (void)ca_chan_free(p->src);
    GO_END(g);
}

int ca_pub(ca_pub_state *p, ca_sched *s, ca_chan *src, ca_topic_fn topic_fn,
           ca_topic_buf_fn buf_fn, void *ud, void *val)
{
    size_t e;
    int rc;

    if (p == NULL || topic_fn == NULL)
        return CA_EINVAL;
    if ((rc = ca__ops_elem(src, &e)) != CA_OK)
        return rc;
    if (val == NULL && e != 0)
        return CA_EINVAL;
    if ((rc = ca__ops_check(s, &p->go)) != CA_OK ||
        (rc = ca_chan_retain(src)) != CA_OK)
        return rc;
    memset((unsigned char *)p + sizeof p->go, 0, sizeof *p - sizeof p->go);
    p->src = src;
    p->topic_fn = topic_fn;
    p->buf_fn = buf_fn;
    p->ud = ud;
    p->val = val;
    p->s = s;
    p->elem = e;
    return ca_go_start(s, &p->go, pub_fn);
}

/* Adds t, whose channel is retained, and starts its mult. Under the
** lock. */
static int add(ca_pub_state *p, ca_topic *t, void *val,
               ca_mult_slot *slots, size_t max)
{
    int rc;

    memset(&t->mult, 0, sizeof t->mult);
    if ((rc = ca_mult(&t->mult, p->s, t->ch, val, slots, max)) != CA_OK)
        return rc;
    t->next = p->topics;
    p->topics = t;
    return CA_OK;
}

int ca_pub_topic(ca_pub_state *p, ca_topic *t, uintptr_t topic,
                 ca_chan *ch, void *val, ca_mult_slot *slots, size_t max)
{
    size_t e;
    int rc;

    if (p == NULL || t == NULL)
        return CA_EINVAL;
    if ((rc = ca__ops_put_elem(ch, &e)) != CA_OK)
        return rc;
    if (e != p->elem || ch == p->src)
        return CA_EINVAL;
    if ((rc = ca_chan_retain(ch)) != CA_OK)
        return rc;
    CA__OPS_LOCK(p);
    if (p->ended)
        rc = CA_CLOSED;
    else if (find(p, topic) != NULL)
        rc = CA_EBUSY;
    else {
        t->ch = ch;
        t->topic = topic;
        t->owned = 0;
        rc = add(p, t, val, slots, max);
    }
    CA__OPS_UNLOCK(p);
    if (rc != CA_OK)
        (void)ca_chan_free(ch);
    return rc;
}

/* Makes a topic on demand. Under the lock. */
static int make(ca_pub_state *p, uintptr_t topic, ca_topic **out)
{
#if CA_HAVE_MALLOC
    ca_topic *t;
    size_t cap = p->buf_fn != NULL ? p->buf_fn(topic, p->ud) : 0;
    int rc;

    if ((t = (ca_topic *)ca__alloc(sizeof *t)) == NULL)
        return CA_ENOMEM;
    memset(t, 0, sizeof *t);
    if ((rc = ca_chan_new(&t->ch, cap != 0 ? CA_FIXED : CA_UNBUFFERED, cap,
                          p->elem)) != CA_OK) {
        ca__free(t);
        return rc;
    }
    t->topic = topic;
    t->owned = 1;
    if ((rc = add(p, t, NULL, NULL, 0)) != CA_OK) {
        (void)ca_chan_free(t->ch);
        ca__free(t);
        return rc;
    }
    *out = t;
    return CA_OK;
#else
    (void)p;
    (void)topic;
    (void)out;
    return CA_ENOTSUP;
#endif
}

int ca_pub_sub(ca_pub_state *p, uintptr_t topic, ca_chan *ch, int close)
{
    ca_topic *t;
    int rc = CA_OK;

    if (p == NULL || ch == NULL)
        return CA_EINVAL;
    if (ch == p->src)
        return CA_EINVAL;
    CA__OPS_LOCK(p);
    if (p->ended)
        rc = CA_CLOSED;
    else if ((t = find(p, topic)) == NULL)
        rc = make(p, topic, &t);
    CA__OPS_UNLOCK(p);
    return rc != CA_OK ? rc : ca_mult_tap(&t->mult, ch, close);
}

int ca_pub_unsub(ca_pub_state *p, uintptr_t topic, ca_chan *ch)
{
    ca_topic *t;

    if (p == NULL || ch == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(p);
    t = find(p, topic);
    CA__OPS_UNLOCK(p);
    return t != NULL ? ca_mult_untap(&t->mult, ch) : CA_OK;
}

int ca_pub_unsub_all(ca_pub_state *p, const uintptr_t *topic)
{
    ca_topic *t;

    if (p == NULL)
        return CA_EINVAL;
    CA__OPS_LOCK(p);
    t = p->topics;
    CA__OPS_UNLOCK(p);
    for (; t != NULL; t = t->next)
        if (topic == NULL || t->topic == *topic)
            (void)ca_mult_untap_all(&t->mult);
    return CA_OK;
}

int ca_pub_destroy(ca_pub_state *p)
{
    ca_topic *t;

    if (p == NULL)
        return CA_EINVAL;
    if (ca_go_sched(&p->go) != NULL)
        return CA_EBUSY;
    for (t = p->topics; t != NULL; t = t->next)
        if (ca_go_sched(&t->mult.go) != NULL)
            return CA_EBUSY;
    while ((t = p->topics) != NULL) {
        p->topics = t->next;
        (void)ca_chan_free(t->ch);
#if CA_HAVE_MALLOC
        if (t->owned)
            ca__free(t);
#endif
    }
    return CA_OK;
}
