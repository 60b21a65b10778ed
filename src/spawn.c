/*
** spawn.c: starting a go block in a struct the library allocates and
** fills from yours (CA_GO_SPAWN). MIT licence, see COPYING.
*/
#include <string.h>

#include "internal.h"

#if CA_HAVE_MALLOC
int ca_go_spawn(ca_sched *s, ca_go_fn fn, const void *init, size_t size)
{
    ca_go *g;
    int rc;

    if (fn == NULL || size < sizeof(ca_go))
        return CA_EINVAL;
    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc; /* checked first: nothing to undo */
    if ((rc = ca_go_new(&g, size)) != CA_OK)
        return rc;
    /* The header stays as ca_go_new made it (zeroed, marked for freeing):
    ** only the user's fields are copied. */
    if (init != NULL)
        memcpy((char *)g + sizeof *g, (const char *)init + sizeof *g,
               size - sizeof *g);
    if ((rc = ca_go_start(s, g, fn)) != CA_OK)
        ca__free(g); /* s was destroyed meanwhile: never started */
    return rc;
}
#endif
