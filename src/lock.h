/*
** lock.h: the channel lock and the alts claim, the library's only
** synchronisation. Not installed. MIT licence, see COPYING.
**
** A threaded build locks each channel with a one-byte spin lock: channel
** critical sections are a few dozen instructions (one memcpy at most per
** value), far shorter than a futex round trip, and a byte keeps ca_chan
** small. A waiter that spins too long yields its CPU, so a holder that was
** preempted gets to run. A build without threads has no locks and no
** atomics at all: every macro here is empty.
*/
#ifndef CA_LOCK_H
#define CA_LOCK_H

#include <coreasync/config.h>

#if CA_HAVE_THREADS

#if !defined(__GNUC__) && !defined(__clang__)
#error "a threaded build needs GCC or Clang __atomic builtins"
#endif

void ca__spin_lock_slow(unsigned char *l);

static inline void ca__spin_lock(unsigned char *l)
{
    if (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        ca__spin_lock_slow(l);
}

static inline void ca__spin_unlock(unsigned char *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#define CA__LOCK(ch) ca__spin_lock(&(ch)->lock)
#define CA__UNLOCK(ch) ca__spin_unlock(&(ch)->lock)
#define CA__LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define CA__STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* Claims an alts group: the first caller gets 1, every later one 0. */
static inline int ca__claim(unsigned char *claim)
{
    unsigned char open = 0;
    return __atomic_compare_exchange_n(claim, &open, 1, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

#else /* !CA_HAVE_THREADS */

#define CA__LOCK(ch) ((void)0)
#define CA__UNLOCK(ch) ((void)0)
#define CA__LOAD(x) (x)
#define CA__STORE(x, v) ((x) = (v))

static inline int ca__claim(unsigned char *claim)
{
    if (*claim)
        return 0;
    *claim = 1;
    return 1;
}

#endif /* CA_HAVE_THREADS */

#endif /* CA_LOCK_H */
