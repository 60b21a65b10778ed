/*
** coreasync/bridge.h: channels over a byte stream (a pipe, a socket, a
** serial line), value by value as checked frames. See ca_bridge(3).
** MIT licence, see COPYING.
*/
#ifndef COREASYNC_BRIDGE_H
#define COREASYNC_BRIDGE_H

#include <stddef.h>

#include <coreasync/go.h>
#include <coreasync/stream.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Two processes, or a host and a board, share a channel: on one side
 * ca_bridge_out() takes values from a channel and writes them to a
 * descriptor, on the other ca_bridge_in() reads them and puts them on a
 * channel of the same element size. For both directions, one of each on
 * each side (a socket carries both).
 *
 * # The frame, byte by byte
 *
 * | offset     | size | content                                         |
 * |------------|------|-------------------------------------------------|
 * | 0          | 1    | 0xCA, the sync byte                             |
 * | 1          | 1    | type: 0x01 a value, 0x02 the end of the stream  |
 * | 2          | 4    | payload length L, unsigned, little-endian       |
 * | 6          | L    | the value's bytes, as the channel holds them    |
 * | 6 + L      | 4    | CRC-32 of bytes 1 to 5 + L, little-endian       |
 *
 * The CRC is the common one (zlib's crc32, IEEE 802.3: polynomial
 * 0x04C11DB7 reflected, initial value and final xor 0xFFFFFFFF; "123456789"
 * gives 0xCBF43926). An end frame has L = 0. A value frame's L is the
 * channel's element size: the receiver takes a frame of any other length
 * for noise. Values are copied byte for byte, so both sides must agree on
 * their layout (fixed-width integers, a stated byte order, no pointers).
 *
 * # Ending, both ways
 *
 * Closing the channel given to ca_bridge_out() ends the stream: the
 * bridge writes an end frame and ends. An end frame, or the end of file,
 * closes the channel given to ca_bridge_in(). When the reader is gone
 * (EPIPE, ECONNRESET), ca_bridge_out() closes its channel, so that its
 * producers learn it, and takes the puts that were waiting there (a close
 * leaves them waiting): those values, and the one it was writing, are
 * lost, as with any stream that breaks, and counted in `lost`. Neither bridge closes the descriptor: it is yours,
 * once both bridges on it ended.
 *
 * # Corruption
 *
 * A frame whose CRC or header is wrong is dropped, never delivered: the
 * receiver skips one byte and looks for the next sync byte, so it finds
 * the frames that follow (resynchronisation). `corrupt` counts the
 * stretches of bytes dropped between two good frames (one per damaged
 * frame, or per burst of noise), `skipped` the bytes in them; an end of
 * file in the middle of a frame counts as one more. A false sync inside a
 * damaged payload can hold back the next good frame until more bytes
 * come; a CRC-32 lets through a damaged frame with odds of 2^-32.
 *
 * # Who owns what
 *
 * The bridge, the channel, the descriptor and the buffer are yours, and
 * must stay valid until the bridge has ended: its go block ends, and its
 * result channel (ca_go_result(&b->go, sizeof(int), ...), asked for
 * before you start it, or ca_go_set_result) receives `b->status`. The
 * counters are the bridge's to write while it runs: read them after that.
 * It makes its descriptor non-blocking (see ca_io_init()).
 *
 * # A board on the other end
 *
 * A board speaks the same frames through the codec below (ca_frame(3)),
 * with its UART's interrupts on byte channels; a UART has no end of
 * file, so there the end frame is the only end. See doc/firmware.md and
 * demo/firmware/bridge.c.
 */

#define CA_FRAME_SYNC 0xCA
#define CA_FRAME_VALUE 0x01
#define CA_FRAME_END 0x02
/** Bytes before the value in a frame: sync, type, length. */
#define CA_FRAME_HEADER 6u
/** Bytes a frame adds to its value: sync, type, length, CRC. */
#define CA_FRAME_OVERHEAD 10u

/*
 * # The frame codec, without a descriptor (ca_frame(3))
 *
 * The bridges below are the codec plus a descriptor. A board has no
 * descriptor: its bytes come one at a time from a receive interrupt, or
 * a DMA block, or a USB packet, and which of these differs from board to
 * board. So the codec is public on its own and the transport is the
 * user's (on a UART, two go blocks of some thirty lines each:
 * demo/firmware/bridge.c), rather than one more pair of bridges over
 * byte channels that would fit one transport and charge a channel
 * operation per byte to all. It needs no malloc, no poll and no lock,
 * and builds in every configuration. Its names are ca_frame_, the
 * format's name, not ca_bridge_, which starts go blocks.
 */

/** An incremental decoder, in your storage: bytes in, whole frames whose
 * CRC is right out. */
typedef struct ca_frame_decoder {
    unsigned long frames;   /* value frames found whole                   */
    unsigned long corrupt;  /* stretches of bytes dropped                 */
    unsigned long skipped;  /* bytes dropped                              */
    /* private */
    unsigned char *buf;
    size_t cap, elem, pos, len;
    size_t ret;             /* size of the frame handed out last, or 0    */
    int noise;              /* dropping bytes since the last good frame   */
} ca_frame_decoder;

/**
 * Writes a frame of `type` (CA_FRAME_VALUE or CA_FRAME_END) carrying the
 * `len` bytes at `value` into `out` (`size` bytes, at least
 * `len + CA_FRAME_OVERHEAD`), and its size into `*flen`. `value` may
 * already be at `out + CA_FRAME_HEADER` (nothing is copied then). Returns
 * `CA_OK`; `CA_EINVAL` for a NULL `out` or `flen`, a NULL `value` with
 * `len` > 0, another type, or an end frame with `len` > 0; `CA_ERANGE`
 * when `len` is over `CA_MAX_ELEM_SIZE` or the frame does not fit.
 */
int ca_frame_encode(void *out, size_t size, int type, const void *value,
                    size_t len, size_t *flen);

/**
 * Makes `d` a decoder of frames whose values have `elem_size` bytes (a
 * value frame of any other length is noise), holding bytes in `buf`
 * (`size` bytes, at least CA_BRIDGE_BUF(elem_size)). Returns `CA_OK`;
 * `CA_EINVAL` for NULL `d` or `buf`; `CA_ERANGE` when `elem_size` is over
 * `CA_MAX_ELEM_SIZE` or `size` is too small.
 */
int ca_frame_decoder_init(ca_frame_decoder *d, void *buf, size_t size,
                          size_t elem_size);

/**
 * Gives the decoder up to `n` bytes from `bytes`; returns how many it
 * took (fewer than `n` when its buffer is full: call ca_frame_next()
 * until it returns 0, then feed the rest), or `CA_EINVAL` for a NULL or
 * uninitialised `d` or a NULL `bytes` with `n` > 0. At most INT_MAX at a
 * time. Ends the life of the value ca_frame_next() handed out last.
 */
int ca_frame_feed(ca_frame_decoder *d, const void *bytes, size_t n);

/**
 * The next good frame in what was fed: `CA_FRAME_VALUE` with `*value`
 * (if `value` is not NULL) at its `elem_size` bytes, `CA_FRAME_END`, or 0
 * when more bytes must come first. Damaged frames and noise before it
 * are dropped and counted. The value stays in the decoder's buffer, and
 * `*value` valid, until the next call on `d`. `CA_EINVAL` for a NULL or
 * uninitialised `d`.
 */
int ca_frame_next(ca_frame_decoder *d, void **value);
/** The smallest buffer a bridge takes for values of `elem_size` bytes
 * (ca_bridge_in reads fewer times with more). */
#define CA_BRIDGE_BUF(elem_size)                                             \
    (CA__SIZE(elem_size) + CA_FRAME_OVERHEAD)

/** One direction of a bridge, in your storage. */
typedef struct ca_bridge {
    ca_go go;               /* first member: the bridge is a go block     */
    int status;             /* how it ended (ca_bridge(3)); its result    */
    int err;                /* errno behind a CA_EIO                      */
    unsigned long frames;   /* value frames written, or received whole    */
    unsigned long corrupt;  /* (in) stretches of bytes dropped            */
    unsigned long skipped;  /* (in) bytes dropped                         */
    unsigned long lost;     /* (out) values taken, never written (below)  */
    /* private */
    ca_io io;
    ca_chan *ch;
    unsigned char *buf;     /* (out) the frame; (in) the value put        */
    size_t elem, flen;      /* (out) value and frame sizes                */
    ca_frame_decoder dec;   /* (in) the bytes read, the frames found      */
} ca_bridge;

/**
 * Starts a go block on `s` (NULL: the default scheduler) that takes each
 * value from `from` and writes it to `fd` as a frame, until `from` is
 * closed (then an end frame goes, `status` `CA_OK`) or the stream breaks
 * (`CA_CLOSED` when the reader is gone, `CA_EIO` with `err`; `from` is
 * closed then). `buf`, `size`: at least CA_BRIDGE_BUF(element size)
 * bytes of yours. Returns `CA_OK`; `CA_EINVAL` for NULL arguments, a
 * negative `fd` or a scheduler that is not live; `CA_EBADCHAN`;
 * `CA_ERANGE` for a buffer too small; `CA_EBUSY` for a bridge still
 * running; `CA_EIO` when `fd` is not open; `CA_ENOTSUP` without
 * descriptor support.
 */
int ca_bridge_out(ca_bridge *b, ca_sched *s, ca_chan *from, int fd,
                  void *buf, size_t size);

/**
 * Starts a go block on `s` that reads frames from `fd` and puts each good
 * value on `to`, until an end frame (`status` `CA_OK`), the end of file
 * (`CA_CLOSED`), a read error (`CA_EIO`), or `to` is closed by its
 * consumers (`CA_CLOSED`); it closes `to` when it ends. Corrupt frames are
 * dropped and counted. Arguments and errors as ca_bridge_out().
 */
int ca_bridge_in(ca_bridge *b, ca_sched *s, int fd, ca_chan *to, void *buf,
                 size_t size);

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_BRIDGE_H */
