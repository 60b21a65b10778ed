/*
** side.c: fields that few structs ever set, kept beside them in a table
** keyed by the struct's address instead of inside every struct: a
** channel's name here, a go block's result channel in result.c (issue
** 11, W6: a million parked blocks with their channels paid 16 bytes each
** for two pointers that were NULL). Needs malloc; a build without it
** keeps the fields in the structs (chan.h, go.h). MIT licence, see COPYING.
**
** The table is open addressing with linear probing, and a removal shifts
** the entries after it back (no tombstones), so a lookup never walks
** further than the run its key hashes into. It grows at 3/4 full and
** shrinks to nothing when emptied: a program that names one channel for
** a while keeps no memory afterwards. It has no lock of its own; each
** user guards its table.
**
** Room can be promised ahead (ca__side_reserve): an entry put into a
** promise cannot fail, which a caller needs where running out of memory
** has no good answer (a pipeline's blocks ending, ops/pipeline.c). The
** table keeps room for its entries and its promises together:
** (n + spare) * 4 <= cap * 3 whenever either is non-zero.
*/
#include <stdint.h>

#include "internal.h"

#if CA_HAVE_MALLOC

/* Fibonacci hashing of the address: its low bits are alignment zeros, the
** product's high bits mix all of them. */
static size_t slot_of(const void *key, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

    return (size_t)(h >> 32) & (cap - 1);
}

static size_t find(const ca__side *t, const void *key)
{
    size_t i = slot_of(key, t->cap);

    while (t->e[i].key != NULL && t->e[i].key != key)
        i = (i + 1) & (t->cap - 1);
    return i;
}

void *ca__side_get(const ca__side *t, const void *key)
{
    return t->n == 0 ? NULL : t->e[find(t, key)].val;
}

static int resize(ca__side *t, size_t cap)
{
    ca__side_entry *old = t->e;
    size_t i, oldcap = t->cap;

    if (cap > (size_t)-1 / sizeof *t->e)
        return CA_ENOMEM;
    if ((t->e = (ca__side_entry *)ca__alloc(cap * sizeof *t->e)) == NULL) {
        t->e = old;
        return CA_ENOMEM;
    }
    t->cap = cap;
    for (i = 0; i < cap; i++) {
        t->e[i].key = NULL;
        t->e[i].val = NULL;
    }
    for (i = 0; i < oldcap; i++)
        if (old[i].key != NULL)
            t->e[find(t, old[i].key)] = old[i];
    ca__free(old);
    return CA_OK;
}

/* Gives the memory back once nothing is in the table or promised. */
static void shrink(ca__side *t)
{
    if (t->n == 0 && t->spare == 0) {
        ca__free(t->e);
        t->e = NULL;
        t->cap = 0;
    }
}

/* Room for one more entry or promise. */
static int room(ca__side *t)
{
    if ((t->n + t->spare + 1) * 4 > t->cap * 3)
        return resize(t, t->cap != 0 ? t->cap * 2 : 8);
    return CA_OK;
}

static void insert(ca__side *t, const void *key, void *val)
{
    size_t i = find(t, key);

    CA_ASSERT(t->e[i].key == NULL);
    t->e[i].key = key;
    t->e[i].val = val;
    t->n++;
    CA_ASSERT((t->n + t->spare) * 4 <= t->cap * 3);
}

int ca__side_put(ca__side *t, const void *key, void *val)
{
    size_t i;
    int rc;

    CA_ASSERT(key != NULL && val != NULL);
    if (t->n != 0 && t->e[i = find(t, key)].key != NULL) {
        t->e[i].val = val; /* a new value needs no room */
        return CA_OK;
    }
    if ((rc = room(t)) != CA_OK)
        return rc;
    insert(t, key, val);
    return CA_OK;
}

int ca__side_reserve(ca__side *t)
{
    int rc = room(t);

    if (rc == CA_OK)
        t->spare++;
    return rc;
}

void ca__side_unreserve(ca__side *t)
{
    CA_ASSERT(t->spare != 0);
    t->spare--;
    shrink(t);
}

void ca__side_put_reserved(ca__side *t, const void *key, void *val)
{
    CA_ASSERT(key != NULL && val != NULL && t->spare != 0);
    t->spare--;
    insert(t, key, val);
}

void *ca__side_del_reserved(ca__side *t, const void *key)
{
    t->spare++; /* first: the table must not shrink under the promise */
    return ca__side_del(t, key);
}

void *ca__side_del(ca__side *t, const void *key)
{
    size_t i, j, home;
    void *val;

    if (t->n == 0 || t->e[i = find(t, key)].key == NULL)
        return NULL;
    val = t->e[i].val;
    /* Backward shift: an entry after the hole moves into it unless its
    ** home slot lies (cyclically) after the hole, where a lookup starting
    ** at home would never see it. */
    for (j = i;;) {
        t->e[i].key = NULL;
        t->e[i].val = NULL;
        for (;;) {
            j = (j + 1) & (t->cap - 1);
            if (t->e[j].key == NULL)
                goto done;
            home = slot_of(t->e[j].key, t->cap);
            if (((j - home) & (t->cap - 1)) >= ((j - i) & (t->cap - 1)))
                break;
        }
        t->e[i] = t->e[j];
        i = j;
    }
done:
    t->n--;
    shrink(t);
    return val;
}

/* ------------------------------------------------------------------ names */

/* Every channel's name. Taken under a channel's lock (ca_chan_set_name,
** the end of a channel) and under none (reports): never the other way. */
static ca__side names;
size_t ca__named; /* names.n, read without the lock by CA__CHAN_NAME_DROP */
#if CA_HAVE_THREADS
static unsigned char names_lock;
#define NLOCK() ca__spin_lock(&names_lock)
#define NUNLOCK() ca__spin_unlock(&names_lock)
#define PUBLISH() __atomic_store_n(&ca__named, names.n, __ATOMIC_RELAXED)
#else
#define NLOCK() ((void)0)
#define NUNLOCK() ((void)0)
#define PUBLISH() (ca__named = names.n)
#endif

const char *ca__chan_name(const ca_chan *ch)
{
    const char *name;

    NLOCK();
    name = (const char *)ca__side_get(&names, ch);
    NUNLOCK();
    return name;
}

const char *ca__chan_name_copy(const ca_chan *ch, char *buf, size_t n)
{
    NLOCK();
    (void)ca__name_cut(buf, (const char *)ca__side_get(&names, ch), n);
    NUNLOCK();
    return buf;
}

int ca__chan_name_set(const ca_chan *ch, const char *name)
{
    int rc = CA_OK;

    NLOCK();
    if (name == NULL)
        (void)ca__side_del(&names, ch);
    else
        rc = ca__side_put(&names, ch, (void *)(uintptr_t)name);
    PUBLISH();
    NUNLOCK();
    return rc;
}

void ca__chan_name_drop(const ca_chan *ch)
{
    (void)ca__chan_name_set(ch, NULL);
}

#endif /* CA_HAVE_MALLOC */
