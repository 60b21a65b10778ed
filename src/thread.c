/*
** thread.c: ca_thread, core.async's `thread`: a function on a thread of
** its own, its result delivered on a channel. MIT licence, see COPYING.
**
** The thread is detached: the channel is how the caller learns that fn
** has returned, as in core.async. Its job (the function, the argument and
** room for the result) is allocated, because it outlives the call.
*/
#include <string.h>

#include "internal.h"

#if CA_HAVE_THREADS && CA_HAVE_MALLOC

typedef struct job {
    ca_thread_fn fn;
    void *arg;
    ca_chan *ch;            /* the thread's reference to the result       */
    size_t size;
    /* followed by size bytes: the result, zeroed before fn runs */
} job;

static void *thread_main(void *arg)
{
    job *j = (job *)arg;
    ca_chan *ch = j->ch;
    void *result = j + 1;

    /* The channel holds one value and nothing else is put on it: the
    ** offer finds room, unless the caller closed it already. */
    if (j->fn(j->arg, result) == CA_OK)
        (void)ca_offer(ch, result);
    ca__free(j);
    (void)ca_close(ch);
    (void)ca_chan_free(ch);
    return NULL;
}

int ca_thread(ca_thread_fn fn, void *arg, size_t size, ca_chan **out)
{
    pthread_attr_t attr;
    pthread_t th;
    ca_chan *ch;
    job *j;
    int rc;

    if (fn == NULL || out == NULL)
        return CA_EINVAL;
    if (size > CA_MAX_ELEM_SIZE)
        return CA_ERANGE;
    if ((rc = ca_chan_new(&ch, CA_FIXED, 1, size)) != CA_OK)
        return rc;
    if ((j = (job *)ca__alloc(sizeof *j + size)) == NULL) {
        (void)ca_chan_free(ch);
        return CA_ENOMEM;
    }
    memset(j + 1, 0, size);
    j->fn = fn;
    j->arg = arg;
    j->ch = ch;
    j->size = size;
    (void)ca_chan_retain(ch); /* the thread's */
    rc = CA_ENOMEM;
    if (pthread_attr_init(&attr) == 0) {
        if (pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) ==
                0 &&
            pthread_create(&th, &attr, thread_main, j) == 0)
            rc = CA_OK;
        (void)pthread_attr_destroy(&attr);
    }
    if (rc != CA_OK) {
        ca__free(j);
        (void)ca_chan_free(ch);
        (void)ca_chan_free(ch);
        return rc;
    }
    *out = ch;
    return CA_OK;
}

#else /* no threads, or no malloc */

int ca_thread(ca_thread_fn fn, void *arg, size_t size, ca_chan **out)
{
    (void)fn;
    (void)arg;
    (void)size;
    if (out != NULL)
        *out = NULL;
    return CA_ENOTSUP;
}

#endif
