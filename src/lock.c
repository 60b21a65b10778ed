/*
** lock.c: the contended path of the channel spin lock. Only in a build
** with threads. MIT licence, see COPYING.
*/
#include <sched.h>

#include "internal.h"

CA__TLS unsigned long ca__lock_waits;

/* Spin on a plain read, so waiting CPUs share the cache line instead of
** bouncing it, and yield after a while, so that a holder that lost its CPU
** can finish. */
void ca__spin_lock_slow(unsigned char *l)
{
    int spins;

    ca__lock_waits++;
    for (;;) {
        for (spins = 0; spins < 100; spins++) {
            if (!CA__BYTE_LOAD_RLX(l) && !CA__BYTE_XCHG_ACQ(l))
                return;
            ca__cpu_relax();
        }
        sched_yield();
    }
}
