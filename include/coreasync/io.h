/*
** coreasync/io.h: go blocks that wait on file descriptors. See ca_io(3).
** MIT licence, see COPYING.
*/
#ifndef COREASYNC_IO_H
#define COREASYNC_IO_H

#include <stdint.h>

#include <coreasync/go.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A go block can park until a file descriptor (a socket, a pipe, a
 * terminal, a serial port) is ready, as it parks on a channel:
 *
 *     WAIT_FD(g, f->sock, CA_FD_READ);
 *     if (GO_FD_EVENTS(g) & CA_FD_READ)
 *         n = read(f->sock, f->buf, sizeof f->buf);   // does not block
 *
 * While blocks wait on descriptors, the scheduler's idle wait is on them
 * (and on a pipe of its own, so that a wake-up from another thread still
 * ends it), with the next timer's deadline as its timeout: epoll(7) where
 * it exists (only the ready ones come back), poll(2) elsewhere or with
 * --disable-epoll; a busy scheduler looks at them, without waiting, once
 * per batch of blocks. On a pool one worker at a time waits there, the
 * others on the scheduler's condition variable; a block made ready by a
 * descriptor runs on the worker that saw it. A block waiting on a
 * descriptor counts as something that can still happen: its scheduler
 * never reports a deadlock while one waits.
 *
 * The descriptor should be non-blocking (O_NONBLOCK) if a read or write
 * after the wake could find less than poll(2) promised (another reader,
 * a socket's spurious readiness). Descriptors are level-triggered: a block
 * that waits again on a descriptor with unread data wakes at once.
 *
 * Do not close a descriptor while a block waits on it (with epoll that
 * block would never wake; ca_io(3)), nor use such a scheduler in a
 * child made by fork().
 *
 * Hosted builds with poll(2) only (configure says "io: yes"); elsewhere
 * WAIT_FD ends at once with `CA_ENOTSUP`.
 */

/** Events: what to wait for (READ, WRITE), and what happened (all four). */
#define CA_FD_READ 0x01  /* data to read, a connection to accept, or EOF */
#define CA_FD_WRITE 0x02 /* room to write                                */
#define CA_FD_HUP 0x04   /* the other end hung up (reported, not asked)  */
#define CA_FD_ERR 0x08   /* an error, or not an open descriptor          */

/* The op behind WAIT_FD; use the macro. */
int ca__go_wait_fd(ca_go *g, int fd, int events, ca__site_ref site);

/**
 * WAIT_FD(g, fd, events): parks the block until `fd` is ready for one of
 * `events` (CA_FD_READ, CA_FD_WRITE or both), or hung up, or in error.
 * Then GO_STATUS(g) is `CA_OK` and GO_FD_EVENTS(g) holds what happened
 * (READ, WRITE, HUP, ERR bits; an error and a hang-up are reported there,
 * never lost). Does not park when the descriptor is ready already.
 * GO_STATUS(g) is `CA_EINVAL` for a negative fd or no valid event,
 * `CA_ENOMEM` when the scheduler's poll set could not grow, `CA_ENOTSUP`
 * where there is no poll(2) or no malloc.
 */
#define CA_WAIT_FD(g, fd, events)                                            \
    CA__GO_OP("WAIT_FD", #fd,                                                \
              ca__go_wait_fd((g), (fd), (events), CA__SITE_REF), (void)0)
#define CA_GO_FD_EVENTS(g) CA__CAST(int, (g)->u.w.index)

#if !defined(CA_NO_SHORT_NAMES)
#define WAIT_FD CA_WAIT_FD
#define GO_FD_EVENTS CA_GO_FD_EVENTS
#endif

/**
 * The same for a plain thread: waits until `fd` is ready for one of
 * `events`, or `ms` milliseconds passed (`CA_FOREVER`: no limit). Returns
 * `CA_OK` with what happened in `*revents` (may be NULL), `CA_AGAIN` when
 * the time ran out (`*revents` 0); `CA_EINVAL` for a negative fd or no
 * valid event; `CA_EPERM` from a go block or a callback a scheduler runs
 * (park with WAIT_FD there); `CA_ENOTSUP` where there is no poll(2).
 */
int ca_wait_fd_blocking(int fd, int events, uint32_t ms, int *revents);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_IO_H */
