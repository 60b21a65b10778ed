/*
** alloc.c: the allocator hook behind every _new. Absent from a build
** without malloc, which then references no allocator at all.
** MIT licence, see COPYING.
*/
#include <stdlib.h>

#include "internal.h"

static void *std_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return malloc(size);
}

static ca_alloc_fn alloc_fn = std_alloc;
static void *alloc_ud;

void ca_set_allocator(ca_alloc_fn fn, void *ud)
{
    alloc_fn = fn != NULL ? fn : std_alloc;
    alloc_ud = fn != NULL ? ud : NULL;
}

void *ca__alloc(size_t size)
{
    return alloc_fn(alloc_ud, NULL, size);
}

void ca__free(void *ptr)
{
    if (ptr != NULL)
        (void)alloc_fn(alloc_ud, ptr, 0);
}
