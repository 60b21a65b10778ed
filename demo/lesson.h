/*
** lesson.h: the few helpers every lesson in demo/ shares, kept apart so
** that each lesson shows only its own idea.
**
** - check(): stop with a message when a library call fails. Statuses
**   (CA_OK, and the positive CA_CLOSED and CA_AGAIN) are not failures.
** - A simulated clock: lessons about time (Santa, the barber, Pike's
**   timeouts) run on it, so that what they print never depends on how
**   busy the machine is. The scheduler calls sim_idle() only when nothing
**   can run before the next timer; jumping the clock straight to that
**   timer is then the same as waiting for it, only instant. This is
**   discrete-event simulation, and it is how the lessons can print times
**   and still be checked by `make check`.
** - lesson_needs_one_thread(): lessons that show a deadlock report need
**   a process with one thread, since only then is a deadlock provable;
**   ThreadSanitizer runs a thread of its own, so there they skip;
**   and a build with CA_CONFIG_TINY_GO keeps no list of parked blocks
**   to print (ca_sched_dump answers CA_ENOTSUP), so there they skip too.
**   lesson_needs_threads(): lessons that start threads skip in a build
**   without them.
** - `--trace FILE` (demo/trace.h): lesson.h supplies main() and renames
**   the lesson's own `int main(void)` to lesson_main(), so that every
**   lesson takes the option without a line of its own.
**
** MIT licence, see COPYING.
*/
#ifndef LESSON_H
#define LESSON_H

#include <stdio.h>
#include <stdlib.h>

#include <coreasync.h>

#include "trace.h"

/* The exit status that tells test/check-demos.sh "skipped here". */
#define LESSON_SKIP 77

static inline void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s (%s)\n", what, ca_strerror(rc),
                ca_err_name(rc));
        exit(EXIT_FAILURE);
    }
}

static uint32_t sim_ms; /* the simulated time, in ms since the start */

static inline uint32_t sim_now(void *ud)
{
    (void)ud;
    return sim_ms;
}

static inline void sim_idle(void *ud, uint32_t ms)
{
    (void)ud;
    if (ms != CA_FOREVER)
        sim_ms += ms;
}

/* Puts scheduler `s` (NULL: the default one) on the simulated clock. */
static inline void sim_clock(ca_sched *s)
{
    check(ca_sched_set_clock(s, sim_now, sim_idle, NULL),
          "ca_sched_set_clock");
}

#if defined(__SANITIZE_THREAD__)
#define LESSON_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LESSON_UNDER_TSAN 1
#endif
#endif
#ifndef LESSON_UNDER_TSAN
#define LESSON_UNDER_TSAN 0
#endif

static inline void lesson_needs_one_thread(const char *name)
{
    if (LESSON_UNDER_TSAN) {
        fprintf(stderr, "%s: skipped under ThreadSanitizer, whose own "
                        "thread makes a deadlock unprovable\n", name);
        exit(LESSON_SKIP);
    }
    if (CA_CONFIG_TINY_GO) {
        fprintf(stderr, "%s: skipped with CA_CONFIG_TINY_GO, which keeps "
                        "no list of parked blocks to print\n", name);
        exit(LESSON_SKIP);
    }
}

static inline void lesson_needs_threads(const char *name)
{
    if (!CA_HAVE_THREADS) {
        fprintf(stderr, "%s: needs a build with threads\n", name);
        exit(LESSON_SKIP);
    }
}

/* The lesson's main, which takes no arguments: lesson.h's main below
** runs it once it has taken `--trace FILE` off the command line. A
** lesson that reads arguments of its own defines LESSON_OWN_MAIN before
** including this file, and calls demo_trace() itself. */
#if !defined(LESSON_OWN_MAIN)
static int lesson_main(void);

int main(int argc, char **argv)
{
    demo_trace(&argc, argv);
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--trace FILE]\n", argv[0]);
        return 2;
    }
    return lesson_main();
}

#define main lesson_main
#endif

#endif /* LESSON_H */
