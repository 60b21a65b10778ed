/*
** coreasync/error.h: status and error codes.
** See coreasync(3) and ca_strerror(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_ERROR_H
#define COREASYNC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Every function that can fail returns an int: `CA_OK` (0), a small positive
 * *status* that is a normal outcome, or a negative `CA_E...` *error* that
 * means the call was refused and changed nothing.
 *
 * The statuses:
 * - `CA_CLOSED`: the channel is closed (a put was refused, or a take found
 *   the channel closed and drained). Closed is not an error in core.async
 *   and is not one here: it is how a consumer learns that the stream ended.
 * - `CA_AGAIN`: a non-waiting operation (`ca_offer`, `ca_poll`) would have
 *   had to wait.
 *
 * The table is written once, as an X-macro, and generates the enum,
 * ca_strerror() and ca_err_name(). XX(name, value, message).
 */
#define CA_ERROR_MAP(XX)                                                     \
    XX(OK, 0, "success")                                                     \
    XX(CLOSED, 1, "channel closed")                                          \
    XX(AGAIN, 2, "operation would have to wait")                             \
    XX(EINVAL, -1, "invalid argument")                                       \
    XX(ENOMEM, -2, "out of memory")                                          \
    XX(EFULL, -3, "too many pending operations on one channel")              \
    XX(EBUSY, -4, "still in use (waiting operations, references, go blocks)")\
    XX(EBADCHAN, -5, "not a live channel (zeroed, or destroyed)")            \
    XX(ERANGE, -6, "size or count out of range")                             \
    XX(ENOTSUP, -7, "not supported by this build or platform")              \
    XX(EDEADLOCK, -8, "deadlock: nothing can ever complete the operation")    \
    XX(EPERM, -9, "not allowed here (a blocking call inside a go block)")   \
    XX(ELOST, -10, "go block lost: it parked inside a switch of yours")    \
    XX(EIO, -11, "a system call on a descriptor failed (see its errno)")

enum ca_status {
#define CA__ERROR_ENUM(name, value, msg) CA_##name = (value),
    CA_ERROR_MAP(CA__ERROR_ENUM)
#undef CA__ERROR_ENUM
    CA__ERROR_END_ /* not a code: keeps the list free of a trailing comma */
};

/**
 * The message for a code: "channel closed" for `CA_CLOSED`. Never NULL: an
 * unknown code gives "unknown error".
 */
const char *ca_strerror(int code);

/**
 * The name of a code as written in C: "CA_EFULL" for `CA_EFULL`. Never
 * NULL: an unknown code gives "CA_UNKNOWN".
 */
const char *ca_err_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_ERROR_H */
