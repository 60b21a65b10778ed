/*
** coreasync/stream.h: reading and writing descriptors from go blocks
** (read some, read exactly, read a line, write all, accept, connect with a
** deadline). See ca_stream(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_STREAM_H
#define COREASYNC_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <coreasync/go.h>
#include <coreasync/io.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * # Why macros that park in your body, and not child go blocks
 *
 * A go block cannot call a function that parks. Each helper below could
 * have been a child go block whose result channel you TAKE, or a macro
 * that parks inside your own body on WAIT_FD. They are all macros:
 *
 * - a parked connection then costs your struct and one `ca_io`, with no
 *   second go header, no result channel and no allocation per read (a
 *   server holds thousands of idle connections: that is the point);
 * - the data moves straight between the descriptor and your storage, in
 *   the thread that runs your block (a child would add two hand-offs);
 * - the outcome is where every op leaves it: GO_STATUS(g), GO_OK,
 *   GO_CLOSED, GO_ERROR, plus the byte count in `io->n`;
 * - they work without malloc, on any scheduler, like TAKE and PUT.
 *
 * The price is the DSL's: one helper per source line, not inside a
 * `switch` of yours, and what they point at (`buf`, the `ca_io`) lives in
 * your struct. Each expands to one WAIT_FD in a loop, so ca_sched_dump(3)
 * names the helper and the line where a block waits.
 *
 * # Outcomes
 *
 * After each helper, GO_STATUS(g) == io->status:
 * - `CA_OK`: done (`io->n` bytes moved);
 * - `CA_CLOSED`: end of file, or the other end is gone (a write to a
 *   closed pipe or reset socket); `io->n` says how much moved before;
 *   nothing that was read is lost: it is in your buffer;
 * - `CA_AGAIN`: CONNECT's deadline passed;
 * - `CA_ERANGE`: READ_LINE found no newline within its maximum (the line
 *   so far is in your buffer, the rest comes with the next READ_LINE), or
 *   READ_LINE_VIEW none in the whole read-ahead storage (handed out);
 * - `CA_EIO`: a system call failed; `io->err` holds its errno;
 * - `CA_EINVAL` for bad arguments, `CA_ENOTSUP` where WAIT_FD is not
 *   supported (no poll(2), no malloc).
 *
 * ca_io_init() makes the descriptor non-blocking (O_NONBLOCK): the helpers
 * read and write until the kernel says "would block", then park. The flag
 * belongs to the open file, so a descriptor shared with another process
 * (a terminal, a pipe) is non-blocking there too.
 */

/** What the helpers keep between parks: one per descriptor, in your
 * struct. Set up with ca_io_init(). `fd`, `status`, `err` and `n` are
 * yours to read; the rest is private. */
typedef struct ca_io {
    int fd;                 /* the descriptor                             */
    int status;             /* the last helper's outcome (GO_STATUS too)  */
    int err;                /* errno behind a CA_EIO (or a timeout)       */
    /* private, up to `n` */
    unsigned char op;       /* the helper under way                       */
    unsigned char events;   /* what it waits for                          */
    unsigned char flags;    /* CA__IO_* below, and stream.c's own         */
    unsigned char spare;
    size_t n;               /* bytes the last helper moved                */
    /* private */
    union {
        unsigned char *dst;       /* where a read goes                    */
        const unsigned char *src; /* what a write sends                   */
        struct ca__io_deadline *dl; /* CONNECT's deadline, while armed    */
    } u;
    size_t len;             /* how much the op asks for                   */
    unsigned char *ra;      /* read-ahead storage (READ_LINE's, _VIEW's)  */
    uint32_t ra_cap, ra_pos, ra_end;
    uint32_t seq;           /* its descriptor's event count at its wake   */
} ca_io;

/**
 * Sets up `io` for descriptor `fd` and makes `fd` non-blocking. `ra`,
 * `ra_size` is read-ahead storage of yours (READ_LINE and READ_LINE_VIEW
 * need it: a line
 * ends anywhere in what one read(2) returns, and what follows the newline
 * is kept there for the next helper); NULL, 0 for none; at most 4 GiB - 1
 * of it is used. Call it again for each new descriptor, even one that
 * got the number of a closed one. `CA_EINVAL` for
 * a NULL `io`, a negative `fd`, or `ra` NULL with a size (or the
 * reverse); `CA_EIO` (errno in `io->err`) if `fd` is not open;
 * `CA_ENOTSUP` where the library has no descriptor support.
 */
int ca_io_init(ca_io *io, int fd, void *ra, size_t ra_size);

/**
 * CA_IO_BUFFERED(io): how many bytes wait in `io`'s read-ahead, read from
 * the descriptor and not handed out yet (what followed a newline). While
 * there are some, the next READ_* has data although the descriptor may
 * not be readable: a block that waits for the descriptor in an ALTS
 * (ca_alt_fd) before it reads skips that wait then (demo/chat.c).
 */
#define CA_IO_BUFFERED(io) CA__SIZE((io)->ra_end - (io)->ra_pos)

/* Internal: the calls behind the macros (exported, not API). Each start
** returns 1 when the op must wait (for io->events on io->fd), 0 when it
** is done, with GO_STATUS(g) and io->status set; resume runs it on after
** a WAIT_FD and answers the same way. */
struct sockaddr;
int ca__go_io_read(ca_go *g, ca_io *io, int op, void *buf, size_t len);
int ca__go_io_view(ca_go *g, ca_io *io);
int ca__go_io_write(ca_go *g, ca_io *io, const void *buf, size_t len);
int ca__go_io_accept(ca_go *g, ca_io *io, int *fd);
int ca__go_io_connect(ca_go *g, ca_io *io, const struct sockaddr *addr,
                      unsigned addrlen, uint32_t ms);
int ca__go_io_resume(ca_go *g, ca_io *io);
int ca__go_io_wait(ca_go *g, ca_io *io, ca__site_ref site);
#define CA__IO_SOME 1
#define CA__IO_EXACTLY 2
#define CA__IO_LINE 3
/* stream.c's own ops are 4 to 6 */
#define CA__IO_VIEW 7
/* io->flags that io.c reads (io_epoll.c's top says why): */
#define CA__IO_KNOWN 0x04   /* its descriptor's registration is current   */
#define CA__IO_DRAINED 0x20 /* the last read was short: nothing is left   */
#define CA__IO_SEQ 0x40     /* `seq` holds the count of the last wake     */

/* One parking op, WAIT_FD's, in a loop: it parks inside your body, under
** the helper's own name in reports. */
#define CA__IO_OP(g, io, name, start)                                        \
    do {                                                                     \
        if (start)                                                           \
            do {                                                             \
                CA__GO_OP(name, #io, ca__go_io_wait((g), (io), CA__SITE_REF), \
                          (void)0);                                          \
            } while (ca__go_io_resume((g), (io)));                           \
    } while (0)

/** Reads what is there, at least one byte and at most `len` (> 0), into
 * `buf`: parks until there is something. `CA_CLOSED` at end of file. */
#define CA_READ_SOME(g, io, buf, len)                                        \
    CA__IO_OP(g, io, "READ_SOME",                                            \
              ca__go_io_read((g), (io), CA__IO_SOME, (buf), (len)))

/** Reads exactly `len` bytes into `buf`. `CA_CLOSED` if the stream ends
 * first (`io->n` bytes, fewer than `len`, are in `buf`). */
#define CA_READ_EXACTLY(g, io, buf, len)                                     \
    CA__IO_OP(g, io, "READ_EXACTLY",                                         \
              ca__go_io_read((g), (io), CA__IO_EXACTLY, (buf), (len)))

/** Reads one line, up to and including its '\n', into `buf` of `max`
 * bytes, and ends it with a NUL: `io->n` is its length (NUL not counted).
 * `CA_ERANGE` when `max - 1` bytes came without a newline (they are in
 * `buf`; READ_LINE again for the rest). A last line without a newline is
 * `CA_OK`, and the next READ_LINE `CA_CLOSED`. Needs read-ahead storage
 * (ca_io_init); `CA_EINVAL` without, or for `max` 0. */
#define CA_READ_LINE(g, io, buf, max)                                        \
    CA__IO_OP(g, io, "READ_LINE",                                            \
              ca__go_io_read((g), (io), CA__IO_LINE, (buf), (max)))

/** Reads one line, up to and including its '\n', and leaves it where it
 * is, in the read-ahead storage: CA_IO_LINE(io) points at it and `io->n`
 * is its length. No copy, no NUL after it, and no buffer of yours (Go's
 * bufio ReadSlice). `CA_ERANGE` when the whole storage filled without a
 * newline: the line is all of it, and the next READ_LINE_VIEW goes on
 * after it. A last line without a newline is `CA_OK`, and the next one
 * `CA_CLOSED`. `CA_EINVAL` without read-ahead storage. With any other
 * outcome `io->n` is 0 and what came of a line stays in the read-ahead
 * (CA_IO_BUFFERED). */
#define CA_READ_LINE_VIEW(g, io)                                             \
    CA__IO_OP(g, io, "READ_LINE_VIEW", ca__go_io_view((g), (io)))

/** CA_IO_LINE(io): after READ_LINE_VIEW, where its line starts (`io->n`
 * bytes, inside the read-ahead storage); NULL when it ended with neither
 * `CA_OK` nor `CA_ERANGE`, or after any other helper. It and `io->n`
 * change when the next helper on `io` begins (`WRITE_ALL(g, io,
 * CA_IO_LINE(io), io->n)` sends the line); the bytes stay until the next
 * read helper or ca_io_init(). */
#define CA_IO_LINE(io) CA__CAST(char *, CA__CAST(void *, (io)->u.dst))

/** Writes all `len` bytes of `buf`, parking while the descriptor is full.
 * `CA_CLOSED` if the reader is gone (EPIPE, ECONNRESET: `io->n` bytes
 * went). Never raises SIGPIPE on a socket; on a pipe, ignore SIGPIPE in
 * your program to get `CA_CLOSED` instead of the signal. */
#define CA_WRITE_ALL(g, io, buf, len)                                        \
    CA__IO_OP(g, io, "WRITE_ALL", ca__go_io_write((g), (io), (buf), (len)))

/** Accepts a connection on the listening socket `io->fd`: parks until one
 * comes, then stores its descriptor (non-blocking, close-on-exec) in
 * `*fdp`. Connections aborted before they were accepted are skipped.
 * `CA_EIO` (errno in `io->err`: EMFILE...) when accept(2) fails. */
#define CA_ACCEPT(g, io, fdp)                                                \
    CA__IO_OP(g, io, "ACCEPT", ca__go_io_accept((g), (io), (fdp)))

/** Connects the socket `io->fd` to `addr` (`addrlen` bytes: a struct
 * sockaddr_in, _in6, _un...), parking until the connection is made,
 * refused, or `ms` milliseconds passed (`CA_FOREVER`: no deadline of
 * ours). `CA_OK`; `CA_EIO` with `io->err` (ECONNREFUSED...); `CA_AGAIN`
 * when the deadline passed (`io->err` ETIMEDOUT; the socket is shut down:
 * close it); `CA_ENOMEM` when the deadline's timer could not be
 * allocated (the socket is shut down too); `CA_ERANGE` for `ms` over
 * `CA_MAX_DELAY`; `CA_ENOTSUP` when the scheduler has no clock and `ms`
 * is not `CA_FOREVER`. */
#define CA_CONNECT(g, io, addr, addrlen, ms)                                 \
    CA__IO_OP(g, io, "CONNECT",                                              \
              ca__go_io_connect((g), (io), (addr), (addrlen), (ms)))

#if !defined(CA_NO_SHORT_NAMES)
#define READ_SOME CA_READ_SOME
#define READ_EXACTLY CA_READ_EXACTLY
#define READ_LINE CA_READ_LINE
#define READ_LINE_VIEW CA_READ_LINE_VIEW
#define WRITE_ALL CA_WRITE_ALL
#define ACCEPT CA_ACCEPT
#define CONNECT CA_CONNECT
#endif

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_STREAM_H */
