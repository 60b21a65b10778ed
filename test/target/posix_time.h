/*
** posix_time.h: the two POSIX time calls a few test sources make
** (clock_gettime, nanosleep), declared for a bare-metal libc that leaves
** them out (picolibc declares them only where _POSIX_TIMERS is set).
** runner.c defines them on SysTick. The build force-includes this header
** in every test source (-include). MIT licence, see COPYING.
*/
#ifndef CA_TARGET_POSIX_TIME_H
#define CA_TARGET_POSIX_TIME_H

#include <sys/types.h>
#include <time.h>

#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)
#endif

int clock_gettime(clockid_t clock_id, struct timespec *tp);
int nanosleep(const struct timespec *rqtp, struct timespec *rmtp);

#endif /* CA_TARGET_POSIX_TIME_H */
