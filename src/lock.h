/*
** lock.h: the channel lock and the alts claim, the library's only
** synchronisation. Not installed. MIT licence, see COPYING.
**
** A threaded build locks each channel with a one-byte spin lock: channel
** critical sections are a few dozen instructions (one memcpy at most per
** value), far shorter than a futex round trip, and a byte keeps ca_chan
** small. A waiter that spins too long yields its CPU, so a holder that was
** preempted gets to run. A build without threads has no locks and no
** atomics at all: every macro here is empty, except on a channel that
** an interrupt handler touches (ca_chan_set_isr): the port's critical
** section locks that one.
**
** The lock and the claim are C11 atomics (<stdatomic.h>) when the compiler
** has them, GCC/Clang __atomic builtins otherwise (C99): acquire to lock
** or claim, release to unlock, which ThreadSanitizer models as a mutex.
** It sees them only in code compiled with -fsanitize=thread, though: a
** program under TSan linked with a library built without it sees the
** values cross a channel (memcpy is intercepted) but not the lock, and
** reports each copy in chan.c as a race. Build the library with
** -fsanitize=thread too (weak __tsan_acquire/__tsan_release calls here
** would cover that case, and cost about 15% on the single-thread hot path).
*/
#ifndef CA_LOCK_H
#define CA_LOCK_H

#include <coreasync/chan.h> /* CA__CH_ISR, CA__ALONE */

/* The bit of an ALTS group's claim byte that says it was claimed. */
#define CA__CLAIMED 0x01

#if CA_HAVE_THREADS

#if !defined(__GNUC__) && !defined(__clang__)
#error "a threaded build needs GCC or Clang __atomic builtins"
#endif

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L &&              \
    !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>

/* The lock and claim bytes are plain unsigned chars in the public structs
** (the headers stay C99 and C++); they are only ever accessed as the
** atomic_uchar they have the size and alignment of. */
_Static_assert(sizeof(atomic_uchar) == 1 && _Alignof(atomic_uchar) == 1,
               "atomic_uchar is not a plain byte here");
#define CA__ABYTE(p) ((atomic_uchar *)(p))
#define CA__BYTE_XCHG_ACQ(p)                                                 \
    atomic_exchange_explicit(CA__ABYTE(p), 1, memory_order_acquire)
#define CA__BYTE_LOAD_RLX(p)                                                 \
    atomic_load_explicit(CA__ABYTE(p), memory_order_relaxed)
#define CA__BYTE_CLEAR_REL(p)                                                \
    atomic_store_explicit(CA__ABYTE(p), 0, memory_order_release)
#define CA__BYTE_CAS_ACQREL(p, expect)                                       \
    atomic_compare_exchange_strong_explicit(CA__ABYTE(p), (expect), 1,      \
                                            memory_order_acq_rel,            \
                                            memory_order_acquire)
#else /* C99: the same operations as GCC/Clang builtins */
#define CA__BYTE_XCHG_ACQ(p) __atomic_exchange_n((p), 1, __ATOMIC_ACQUIRE)
#define CA__BYTE_LOAD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define CA__BYTE_CLEAR_REL(p) __atomic_store_n((p), 0, __ATOMIC_RELEASE)
#define CA__BYTE_CAS_ACQREL(p, expect)                                       \
    __atomic_compare_exchange_n((p), (expect), 1, 0, __ATOMIC_ACQ_REL,      \
                                __ATOMIC_ACQUIRE)
#endif

/* What a thread does in each turn of a spin: tells the core (and a
** hyperthread sibling) that it waits. */
static inline void ca__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
    __asm__ __volatile__("yield");
#endif
}

void ca__spin_lock_slow(unsigned char *l);

static inline void ca__spin_lock(unsigned char *l)
{
    if (CA__BYTE_XCHG_ACQ(l))
        ca__spin_lock_slow(l);
}

static inline void ca__spin_unlock(unsigned char *l)
{
    CA__BYTE_CLEAR_REL(l);
}

/* A process with one thread needs no atomic to lock a channel (issue 11):
** nothing can race the thread that runs, and glibc's __libc_single_threaded
** says so for the price of a load. It turns false in pthread_create, and
** glibc never turns it back (its manual promises only that non-zero means
** one thread). Alone, a section is still marked, with a plain store,
** wherever code of the user's may run while it is held: that code may create
** the first thread, which must then find the byte held and wait. Such code
** is a transform's step (xf.c), the user's clock or allocator reached under
** an ALTS's locks or a channel's (ca_set_allocator), and whatever runs after
** a go function that parked returned with its channel locked (a wrapper of
** the user's may: go.h), until sched.c lets go. Callbacks never run under a
** channel lock (SPEC 2.10). chan.c's fast_op alone marks nothing
** (CA__TRYLOCK) unless its section outlives it (CA__MARK_HELD: a park, or a
** transform's put): nothing but the library runs between its lock and its
** unlock. (Marked in every op, the store to the channel's line cost W4 and
** W5 5% of their time.) The unlock is always the release store, a plain
** store on x86, so a lock and its unlock never disagree however the flag
** moved between them: clearing a byte nobody marked, alone, changes nothing.
** The pthread_create that flips the flag orders everything before it for the
** new thread. A debug build asserts that a section taken alone found the
** byte clear: a lock leaked by the single-threaded path shows up there, not
** only once a second thread exists (fast_op's unmarked sections end before
** it returns). An ALTS's first pass, which runs no code of the user's when
** none of its channels has a transform, takes no lock at all alone (alts.c's
** validate). test_fastpath's first test makes the first thread in each such
** section.
**
** Signal handlers are not threads: a threaded build never took
** ca_offer_isr from a handler on the thread it interrupts (the lock would
** spin for ever there), and does not now (ca_offer_isr(3)). Threads made
** with a raw clone(), or channels in memory shared between processes, are
** invisible to the flag: neither is supported (ca_chan(3)). Without
** glibc's flag the lock is always taken, and under ThreadSanitizer too:
** the run that proves the locks right takes every one, the runs without
** it keep the single-threaded path covered (CA__ALONE, coreasync/chan.h).
** go.h's inline TAKE and PUT on a ring take no lock at all alone, as
** they run no code of the user's. */
/* A debug build also keeps the channel of fast_op's open section alone,
** which has no mark to leak: the next section alone asserts it ended
** (rev15b). */
#if defined(CA_DEBUG) && CA_DEBUG
extern const struct ca_chan *ca__unmarked;
#define CA__UNMARKED(ch) ((void)(ca__unmarked = (ch)))
/* The end of fast_op's section alone, by unlock or mark (not alone,
** nothing was kept). */
#define CA__DONE_UNMARKED(ch)                                                \
    (CA__ALONE() ? (void)(CA_ASSERT(ca__unmarked == (ch)),                   \
                          ca__unmarked = NULL)                               \
                 : (void)0)
#else
#define CA__UNMARKED(ch) ((void)0)
#define CA__DONE_UNMARKED(ch) ((void)0)
#endif
#define CA__SEEN_CLEAR(l)                                                    \
    CA_ASSERT(__atomic_load_n((l), __ATOMIC_RELAXED) == 0 &&                 \
              ca__unmarked == NULL)
#define CA__MARK_LOCK(l)                                                     \
    (CA__SEEN_CLEAR(l), __atomic_store_n((l), 1, __ATOMIC_RELAXED))
#define CA__LOCK(ch)                                                         \
    (CA__ALONE() ? CA__MARK_LOCK(&(ch)->lock) : ca__spin_lock(&(ch)->lock))
#define CA__UNLOCK(ch) ca__spin_unlock(&(ch)->lock)
/* The lock if it is free, for a fast path that goes another way rather
** than wait (chan.c's fast_op): non-zero when taken. Alone, not marked:
** a section of fast_op's that outlives it marks the byte then. */
#define CA__TRYLOCK(ch)                                                      \
    (CA__ALONE() ? (CA__SEEN_CLEAR(&(ch)->lock), CA__UNMARKED(ch), 1)        \
                 : !CA__BYTE_XCHG_ACQ(&(ch)->lock))
/* (Not alone the byte is 1 already, taken by the exchange: a store of 1
** changes nothing there, and costs less than the test.) */
#define CA__MARK_HELD(ch)                                                    \
    (CA__DONE_UNMARKED(ch), __atomic_store_n(&(ch)->lock, 1, __ATOMIC_RELAXED))
#define CA__TRYUNLOCK(ch) (CA__DONE_UNMARKED(ch), CA__UNLOCK(ch))
/* Flags of any type published under no lock (a claim byte, a done flag):
** the builtins are type-generic, C11's atomic_load needs an _Atomic type. */
#define CA__LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define CA__STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* Claims an alts group: the first caller gets 1, every later one 0. */
static inline int ca__claim(unsigned char *claim)
{
    unsigned char open = 0;

    if (CA__ALONE()) { /* as CA__LOCK: one thread needs no atomic */
        if (*claim)
            return 0;
        *claim = CA__CLAIMED;
        return 1;
    }
    return CA__BYTE_CAS_ACQREL(claim, &open);
}
#define ca__claim_plain ca__claim /* (see the build without threads) */

#else /* !CA_HAVE_THREADS */

/* One thread, and interrupt handlers: a channel declared with
** ca_chan_set_isr() is locked by the port's critical section (nested by a
** count, platform.c); every other channel needs nothing. The bit stays
** set from the declaration until the storage is initialised again, so a
** lock and its unlock always agree.
**
** The section, and the deferred wakes it guards, are reached through
** hooks that ca_chan_set_isr() installs (ca__isr, platform.c): a
** program that declares no channel links none of that machinery, and
** until one is declared no channel carries the bit. */
struct ca__wakelist;
typedef struct ca__isr_hooks {
    void (*enter)(void);                     /* ca__cs_enter               */
    void (*leave)(void);                     /* ca__cs_leave               */
    int (*claim)(unsigned char *claim);      /* ca__claim_cs               */
    int (*take)(struct ca__wakelist *wl);    /* ca__pending_take           */
    int (*any)(void);                        /* ca__pending_any            */
} ca__isr_hooks;
extern const ca__isr_hooks *ca__isr;         /* NULL until a declaration   */
void ca__cs_enter(void);
void ca__cs_leave(void);
/* A build for size tests the bit in one function (chan.c), not inline at
** each of the two dozen places that lock: a call more per section, and
** about 80 bytes less in the smallest image on a Cortex-M3. */
#if CA_CONFIG_SMALL
struct ca_chan;
void ca__chan_lock(const struct ca_chan *ch);
void ca__chan_unlock(const struct ca_chan *ch);
#define CA__LOCK(ch) ca__chan_lock(ch)
#define CA__UNLOCK(ch) ca__chan_unlock(ch)
#else
#define CA__LOCK(ch) (((ch)->flags & CA__CH_ISR) ? ca__isr->enter() : (void)0)
#define CA__UNLOCK(ch) (((ch)->flags & CA__CH_ISR) ? ca__isr->leave() : (void)0)
#endif
/* The fast path's (chan.c): nothing to take. It serves only a channel
** that needs no section, whose bit an interrupt never changes
** (ca_chan_set_isr runs on the thread), and tests the bit in the compare
** of the flags it makes anyway, before it reads anything else: a
** channel with the bit goes the general way from there. */
#define CA__TRYLOCK(ch) ((void)(ch), 1)
#define CA__TRYUNLOCK(ch) ((void)(ch)) /* what TRYLOCK took: nothing */
#define CA__MARK_HELD(ch) ((void)(ch))
#define CA__LOAD(x) (x)
#define CA__STORE(x, v) ((x) = (v))

/* An ALTS group with a case on such a channel may be claimed from a
** handler: its claim byte carries CA__CLAIM_CS, and it is claimed inside
** the critical section (platform.c). Others are claimed with a plain
** test-and-set. */
#define CA__CLAIM_CS 0x02
int ca__claim_cs(unsigned char *claim);

/* The test-and-set alone: for a claim byte that cannot carry
** CA__CLAIM_CS (no channel was declared yet: ca__isr is NULL). */
static inline int ca__claim_plain(unsigned char *claim)
{
    if (*claim)
        return 0;
    *claim = CA__CLAIMED;
    return 1;
}

static inline int ca__claim(unsigned char *claim)
{
    if (*claim & CA__CLAIM_CS)
        return ca__isr->claim(claim);
    return ca__claim_plain(claim);
}

#endif /* CA_HAVE_THREADS */

#endif /* CA_LOCK_H */
