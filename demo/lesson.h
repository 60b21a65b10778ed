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
**   ThreadSanitizer runs a thread of its own, so there they skip.
**
** MIT licence, see COPYING.
*/
#ifndef LESSON_H
#define LESSON_H

#include <stdio.h>
#include <stdlib.h>

#include <coreasync.h>

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
}

#endif /* LESSON_H */
