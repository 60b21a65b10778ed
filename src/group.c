/*
** group.c: a count of running members over a channel that closes at 0
** (Go's WaitGroup). MIT licence, see COPYING.
**
** The waiting is the channel's: a waiter takes from it and the close at
** 0 releases every one, so a group needs no waiter list, no lock of its
** own and no scheduler support. The count alone is shared between
** threads, and moves by compare-and-swap, never below 0 and never up
** again from 0: the close happens once.
*/
#include "internal.h"

#if CA_HAVE_THREADS
#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define CAS(p, old, new)                                                     \
    __atomic_compare_exchange_n((p), &(old), (new), 0, __ATOMIC_ACQ_REL,     \
                                __ATOMIC_ACQUIRE)
#else
#define LOAD(p) (*(p))
#define CAS(p, old, new) (*(p) = (new), 1)
#endif

int ca_group_init(ca_group *wg, unsigned long n)
{
    int rc;

    if (wg == NULL)
        return CA_EINVAL;
    if ((rc = ca_chan_init(&wg->ch, CA_UNBUFFERED, 0, 0, NULL, 0)) != CA_OK)
        return rc;
    wg->n = n;
    return n == 0 ? ca_close(&wg->ch) : CA_OK;
}

/* Moves the count by +n or -1; the move to 0 closes the channel. */
static int move(ca_group *wg, unsigned long n, int up)
{
    unsigned long old, new;
    int closed;

    if (wg == NULL)
        return CA_EINVAL;
    if ((closed = ca_closed(&wg->ch)) < 0)
        return closed; /* not a live group */
    do {
        old = LOAD(&wg->n);
        if (up && old == 0)
            return CA_CLOSED;
        if (up && n > (unsigned long)-1 - old)
            return CA_ERANGE;
        if (!up && old == 0)
            return CA_EINVAL;
        new = up ? old + n : old - 1;
    } while (!CAS(&wg->n, old, new));
    return new == 0 ? ca_close(&wg->ch) : CA_OK;
}

int ca_group_add(ca_group *wg, unsigned long n)
{
    return move(wg, n, 1);
}

int ca_group_done(ca_group *wg)
{
    return move(wg, 0, 0);
}

int ca_group_wait_blocking(ca_group *wg)
{
    int rc;

    if (wg == NULL)
        return CA_EINVAL;
    rc = ca_take_blocking(&wg->ch, NULL);
    return rc == CA_CLOSED ? CA_OK : rc;
}

int ca_group_destroy(ca_group *wg)
{
    int closed;

    if (wg == NULL)
        return CA_EINVAL;
    if ((closed = ca_closed(&wg->ch)) < 0)
        return closed;
    if (LOAD(&wg->n) != 0)
        return CA_EBUSY;
    return ca_chan_destroy(&wg->ch);
}
