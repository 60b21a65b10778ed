/*
** coreasync/alloc.h: the one allocator hook.
** See ca_set_allocator(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_ALLOC_H
#define COREASYNC_ALLOC_H

#include <stddef.h>

#include <coreasync/config.h>

#ifdef __cplusplus
extern "C" {
#endif

#if CA_HAVE_MALLOC
/**
 * The library allocates only in its conveniences, and only through this
 * function: ca_chan_new(), ca_go_new(), ca_go_result() (the result
 * channel) and ca_timeout(); everything else works on your storage.
 * `fn(ud, NULL, size)` allocates, `fn(ud, ptr, 0)` frees and returns
 * NULL. An allocation that fails returns NULL and the call
 * that needed it returns `CA_ENOMEM`, changing nothing. Passing NULL for
 * `fn` restores malloc and free.
 *
 * Set it before anything is allocated, and do not change it while
 * objects it allocated still exist: each is freed by the allocator in
 * force when it is freed. ca_set_allocator() itself is not thread-safe;
 * `fn` is, in a threaded build, called from whichever threads make and
 * free channels and go blocks, perhaps at once. What it returns must be
 * aligned as malloc's is (it holds library structs).
 */
typedef void *(*ca_alloc_fn)(void *ud, void *ptr, size_t size);

void ca_set_allocator(ca_alloc_fn fn, void *ud);
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_ALLOC_H */
