/*
** misuse.c: misuse of the API that a release build cannot refuse with a
** code, caught in a build configured with --enable-debug: a message on
** stderr naming the call, then abort(), as a failed CA_ASSERT does (see
** coreasync(3), MISUSE). A release build compiles none of it.
** MIT licence, see COPYING.
**
** A release build refuses what it can tell from memory it owns (zeroed or
** destroyed storage, a block still running). What is left needs memory
** the caller may no longer own, so the checks here read none of it:
**
** - storage the library freed (a ca_chan_new channel's last ca_chan_free,
**   a ca_go_new block's end) is remembered by address, before the free,
**   in a table that forgets an address as soon as the library makes a
**   channel or a block there again. Remembering before freeing matters:
**   once freed, another thread's allocation may get the same address and
**   forget it, and that must come after.
** - the table is a cache: 4 addresses per bucket, the oldest overwritten,
**   so a pointer freed long ago may no longer be known (ASan and valgrind
**   catch those). Its slots are read and written with relaxed atomics in
**   threaded builds: a lock here would order the threads of every test
**   and hide their races from TSan.
*/
#include <stdint.h>

#include "internal.h"

#if defined(CA_DEBUG) && CA_DEBUG
#include <stdio.h>
#include <stdlib.h>

void ca__misuse(const char *call, const char *what, const void *p)
{
    fprintf(stderr, "coreasync: %s: %s (%p)\n", call, what, p);
    fflush(stderr);
    abort();
}

#if CA_HAVE_MALLOC
#define BUCKETS 1024u /* a power of two */
#define WAYS 4u

static const void *freed[BUCKETS][WAYS];
static unsigned char next_way[BUCKETS];

#if CA_HAVE_THREADS
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define BUMP(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#else
#define LOAD(x) (x)
#define STORE(x, v) ((x) = (v))
#define BUMP(x) ((x)++)
#endif

static unsigned bucket(const void *p)
{
    uintptr_t a = (uintptr_t)p >> 4; /* allocations are 16-byte aligned */

    return (unsigned)((a ^ (a >> 10) ^ (a >> 20)) & (BUCKETS - 1));
}

void ca__freed_add(const void *p)
{
    unsigned b = bucket(p);

    STORE(freed[b][BUMP(next_way[b]) % WAYS], p);
}

void ca__freed_forget(const void *p)
{
    unsigned b = bucket(p), i;

    for (i = 0; i < WAYS; i++)
        if (LOAD(freed[b][i]) == p)
            STORE(freed[b][i], NULL);
}

int ca__freed_has(const void *p)
{
    unsigned b = bucket(p), i;

    if (p == NULL)
        return 0;
    for (i = 0; i < WAYS; i++)
        if (LOAD(freed[b][i]) == p)
            return 1;
    return 0;
}
#endif /* CA_HAVE_MALLOC */
#else
/* ISO C wants something in every translation unit. */
typedef int ca__misuse_release_build;
#endif /* CA_DEBUG */
