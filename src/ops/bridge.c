/*
** bridge.c: channels over a byte stream (bridge.h), two go blocks written
** with the public DSL and the stream helpers. MIT licence, see COPYING.
**
** Out: TAKE a value into the buffer, behind room for the header; write
** the header and CRC around it; WRITE_ALL the frame. In: the buffer holds
** bytes read but not yet used, from `pos` to `len`; a frame is looked for
** there (sync, a header that fits this channel, the CRC), and its value is
** PUT straight from the buffer, which is compacted only once the put is
** done, so a parked put always points at its value.
*/
#include <string.h>

#include "../internal.h"

#define HDR 6u /* sync, type, length */
CA_STATIC_ASSERT(frame_overhead, HDR + 4u == CA_FRAME_OVERHEAD);

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

/* Wraps the value already at buf + HDR into a frame; its size. */
static size_t frame(unsigned char *buf, int type, size_t len)
{
    buf[0] = CA_FRAME_SYNC;
    buf[1] = (unsigned char)type;
    put32(buf + 2, (uint32_t)len);
    put32(buf + HDR + len, crc32(buf + 1, HDR - 1 + len));
    return HDR + len + 4;
}

/* ------------------------------------------------------------------ out */

static int out_fn(ca_go *g)
{
    ca_bridge *b = (ca_bridge *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, b->ch, b->buf + HDR);
        if (GO_CLOSED(g)) { /* closed (or refused): tell the reader */
            b->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
            b->flen = frame(b->buf, CA_FRAME_END, 0);
        } else {
            b->flen = frame(b->buf, CA_FRAME_VALUE, b->elem);
        }
        WRITE_ALL(g, &b->io, b->buf, b->flen);
        if (GO_CLOSED(g)) { /* the stream broke: tell the producers */
            b->status = GO_STATUS(g);
            b->err = b->io.err;
            b->lost = b->buf[1] == CA_FRAME_VALUE;
            (void)ca_close(b->ch);
            /* Puts that wait survive a close: take them, or their
            ** blocks would wait for ever; they are counted lost. */
            while (ca_poll(b->ch, b->buf + HDR) == CA_OK)
                b->lost++;
            break;
        }
        if (b->buf[1] == CA_FRAME_END)
            break;
        b->frames++;
    }
    GO_RETURN(g, &b->status);
    GO_END(g);
}

/* ------------------------------------------------------------------- in */

/* Drops the byte at pos, counting the stretch it starts. */
static void drop(ca_bridge *b)
{
    b->pos++;
    b->skipped++;
    if (!b->noise) {
        b->noise = 1;
        b->corrupt++;
    }
}

/* Looks for a good frame in buf[pos, len): 1 with it at pos (flen bytes),
** 0 when more bytes must come first. */
static int find(ca_bridge *b)
{
    const unsigned char *f;
    uint32_t plen;

    for (;;) {
        CA_ASSERT(b->pos <= b->len && b->len <= b->cap);
        while (b->pos < b->len && b->buf[b->pos] != CA_FRAME_SYNC)
            drop(b);
        if (b->len - b->pos < HDR)
            return 0;
        f = b->buf + b->pos;
        plen = get32(f + 2);
        if (!((f[1] == CA_FRAME_VALUE && plen == b->elem) ||
              (f[1] == CA_FRAME_END && plen == 0))) {
            drop(b);
            continue;
        }
        b->flen = HDR + plen + 4;
        if (b->len - b->pos < b->flen)
            return 0;
        if (get32(f + HDR + plen) != crc32(f + 1, HDR - 1 + plen)) {
            drop(b);
            continue;
        }
        b->noise = 0;
        return 1;
    }
}

static int in_fn(ca_go *g)
{
    ca_bridge *b = (ca_bridge *)g;

    GO_BEGIN(g);
    b->status = CA_CLOSED;
    for (;;) {
        if (find(b)) {
            if (b->buf[b->pos + 1] == CA_FRAME_END) {
                b->status = CA_OK;
                break;
            }
            PUT_BYTES(g, b->ch, b->buf + b->pos + HDR);
            if (GO_CLOSED(g)) /* its consumers closed it */
                break;
            b->frames++;
            b->pos += b->flen;
            continue;
        }
        /* Keep what is left of a frame at the front, and read on. A
        ** buffer of a whole frame always has room: a full one holds a
        ** frame that find() took or dropped. */
        CA_ASSERT(b->len - b->pos < b->cap);
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
        READ_SOME(g, &b->io, b->buf + b->len, b->cap - b->len);
        if (GO_CLOSED(g)) {
            if (b->len > 0) { /* the stream ended inside a frame */
                b->corrupt++;
                b->skipped += b->len;
            }
            b->status = b->io.status;
            b->err = b->io.err;
            break;
        }
        b->len += b->io.n;
    }
    (void)ca_close(b->ch);
    GO_RETURN(g, &b->status);
    GO_END(g);
}

/* ---------------------------------------------------------------- start */

static int start(ca_bridge *b, ca_sched *s, ca_chan *ch, int fd, void *buf,
                 size_t size, ca_go_fn fn)
{
    ca_chan_info info;
    int rc;

    if (b == NULL || ch == NULL || fd < 0 || buf == NULL)
        return CA_EINVAL;
    if ((rc = ca_chan_inspect(ch, &info)) != CA_OK)
        return rc;
    if (size < CA_BRIDGE_BUF(info.elem_size))
        return CA_ERANGE;
    if (b->go.u.w.state & CA__G_LIVE)
        return CA_EBUSY;
    if ((rc = ca__sched_live(&s)) != CA_OK)
        return rc;
    if ((rc = ca_io_init(&b->io, fd, NULL, 0)) != CA_OK) {
        b->err = b->io.err;
        return rc;
    }
    b->status = CA_OK;
    b->err = 0;
    b->frames = b->corrupt = b->skipped = b->lost = 0;
    b->ch = ch;
    b->buf = (unsigned char *)buf;
    b->cap = size;
    b->elem = info.elem_size;
    b->pos = b->len = b->flen = 0;
    b->noise = 0;
    return ca_go_start(s, &b->go, fn);
}

int ca_bridge_out(ca_bridge *b, ca_sched *s, ca_chan *from, int fd,
                  void *buf, size_t size)
{
    return start(b, s, from, fd, buf, size, out_fn);
}

int ca_bridge_in(ca_bridge *b, ca_sched *s, int fd, ca_chan *to, void *buf,
                 size_t size)
{
    return start(b, s, to, fd, buf, size, in_fn);
}
