/*
** trace.h: `--trace FILE`, which every demo accepts as its first
** arguments: the run's events go to FILE (see ca_trace(3)), for
** coreasync-trace(1) to draw:
**
**     demo/prodcons --trace run.trace && coreasync-trace run.trace > run.svg
**
** It needs a library configured with --enable-trace; elsewhere the demo
** says so and exits with status 2. MIT licence, see COPYING.
*/
#ifndef DEMO_TRACE_H
#define DEMO_TRACE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

/* Takes `--trace FILE` out of argv, if it comes first, and starts the
** trace. The stream is left open: exit() flushes it. */
static inline void demo_trace(int *argc, char **argv)
{
    int i;

    if (*argc < 2 || strcmp(argv[1], "--trace") != 0)
        return;
    if (*argc < 3) {
        fprintf(stderr, "%s: --trace needs a file name\n", argv[0]);
        exit(2);
    }
#if CA_CONFIG_TRACE
    {
        FILE *f = fopen(argv[2], "w");
        if (f == NULL || ca_trace(f) != CA_OK) {
            perror(argv[2]);
            exit(EXIT_FAILURE);
        }
    }
#else
    fprintf(stderr, "%s: no trace in this build (configure --enable-trace)\n",
            argv[0]);
    exit(2);
#endif
    for (i = 3; i <= *argc; i++) /* argv[argc] is NULL: moved too */
        argv[i - 2] = argv[i];
    *argc -= 2;
}

#endif /* DEMO_TRACE_H */
