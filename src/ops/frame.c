/*
** frame.c: the bridge's frame format on its own (bridge.h): an encoder
** and an incremental decoder over caller storage, with no descriptor, no
** allocation and no wait, so that a board's UART and a host's socket
** speak the same frames. MIT licence, see COPYING.
**
** The decoder holds the bytes fed but not yet used in buf[pos, len). A
** frame is looked for from pos: a sync byte, a header that fits (a value
** of exactly `elem` bytes, or an end with none), then the CRC. Anything
** else drops one byte and the search goes on from the next, which is the
** resynchronisation. A frame found stays where it is until the next call
** (`ret` is its size), so the value handed out is never copied and a go
** block may park with a pointer to it; only then is it stepped over.
** Room is made by moving what is held to the front, and only when the
** tail is full: a byte at a time costs a copy per buffer, not per byte.
*/
#include <limits.h>
#include <string.h>

#include "ops.h"

CA_STATIC_ASSERT(frame_overhead, CA_FRAME_HEADER + 4u == CA_FRAME_OVERHEAD);

/* CRC-32 (IEEE, reflected), four bits at a time: a 64-byte table, small
** enough for a board, and fast enough for a serial line or a socket. */
static uint32_t crc32(const unsigned char *p, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
        0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
        0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
    uint32_t c = 0xffffffffu;

    while (n-- > 0) {
        c ^= *p++;
        c = (c >> 4) ^ t[c & 15u];
        c = (c >> 4) ^ t[c & 15u];
    }
    return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int ca_frame_encode(void *out, size_t size, int type, const void *value,
                    size_t len, size_t *flen)
{
    unsigned char *f = (unsigned char *)out;

    if (out == NULL || flen == NULL || (value == NULL && len > 0) ||
        (type != CA_FRAME_VALUE && type != CA_FRAME_END) ||
        (type == CA_FRAME_END && len > 0))
        return CA_EINVAL;
    if (len > CA_MAX_ELEM_SIZE || size < len + CA_FRAME_OVERHEAD)
        return CA_ERANGE;
    /* A value already in place (the bridge takes it there) is not moved;
    ** one elsewhere in out may overlap the header. */
    if (len > 0 && f + CA_FRAME_HEADER != value)
        memmove(f + CA_FRAME_HEADER, value, len);
    f[0] = CA_FRAME_SYNC;
    f[1] = (unsigned char)type;
    put32(f + 2, (uint32_t)len);
    put32(f + CA_FRAME_HEADER + len,
          crc32(f + 1, CA_FRAME_HEADER - 1 + len));
    *flen = len + CA_FRAME_OVERHEAD;
    return CA_OK;
}

int ca_frame_decoder_init(ca_frame_decoder *d, void *buf, size_t size,
                          size_t elem_size)
{
    if (d == NULL || buf == NULL)
        return CA_EINVAL;
    if (elem_size > CA_MAX_ELEM_SIZE || size < elem_size + CA_FRAME_OVERHEAD)
        return CA_ERANGE;
    memset(d, 0, sizeof *d);
    d->buf = (unsigned char *)buf;
    d->cap = size;
    d->elem = elem_size;
    return CA_OK;
}

/* Steps over the frame handed out last, then moves what is held to the
** front if fewer than `want` bytes fit behind it. */
static void make_room(ca_frame_decoder *d, size_t want)
{
    d->pos += d->ret;
    d->ret = 0;
    CA_ASSERT(d->pos <= d->len && d->len <= d->cap);
    if (d->cap - d->len < want && d->pos > 0) {
        memmove(d->buf, d->buf + d->pos, d->len - d->pos);
        d->len -= d->pos;
        d->pos = 0;
    }
}

unsigned char *ca__frame_room(ca_frame_decoder *d, size_t *n)
{
    make_room(d, d->cap);
    *n = d->cap - d->len;
    return d->buf + d->len;
}

void ca__frame_fill(ca_frame_decoder *d, size_t n)
{
    CA_ASSERT(n <= d->cap - d->len);
    d->len += n;
}

size_t ca__frame_held(const ca_frame_decoder *d)
{
    return d->len - d->pos - d->ret;
}

int ca_frame_feed(ca_frame_decoder *d, const void *bytes, size_t n)
{
    size_t k;

    if (d == NULL || d->buf == NULL || (bytes == NULL && n > 0))
        return CA_EINVAL;
    if (n > (size_t)INT_MAX)
        n = (size_t)INT_MAX;
    make_room(d, n);
    k = d->cap - d->len < n ? d->cap - d->len : n;
    if (k > 0)
        memcpy(d->buf + d->len, bytes, k);
    d->len += k;
    return (int)k;
}

/* Drops the byte at pos, counting the stretch it starts. */
static void drop(ca_frame_decoder *d)
{
    d->pos++;
    d->skipped++;
    if (!d->noise) {
        d->noise = 1;
        d->corrupt++;
    }
}

int ca_frame_next(ca_frame_decoder *d, void **value)
{
    unsigned char *f;
    uint32_t plen;
    size_t flen;

    if (d == NULL || d->buf == NULL)
        return CA_EINVAL;
    d->pos += d->ret;
    d->ret = 0;
    for (;;) {
        CA_ASSERT(d->pos <= d->len && d->len <= d->cap);
        while (d->pos < d->len && d->buf[d->pos] != CA_FRAME_SYNC)
            drop(d);
        if (d->len - d->pos < CA_FRAME_HEADER)
            return 0;
        f = d->buf + d->pos;
        plen = get32(f + 2);
        if (!((f[1] == CA_FRAME_VALUE && plen == d->elem) ||
              (f[1] == CA_FRAME_END && plen == 0))) {
            drop(d);
            continue;
        }
        flen = CA_FRAME_OVERHEAD + plen;
        if (d->len - d->pos < flen)
            return 0; /* fits: cap holds a whole frame of either kind */
        if (get32(f + CA_FRAME_HEADER + plen) !=
            crc32(f + 1, CA_FRAME_HEADER - 1 + plen)) {
            drop(d);
            continue;
        }
        d->noise = 0;
        d->ret = flen;
        if (f[1] == CA_FRAME_VALUE)
            d->frames++;
        if (value != NULL)
            *value = f + CA_FRAME_HEADER;
        return f[1];
    }
}
