/*
** bridge.c: channels over a byte stream (bridge.h), two go blocks written
** with the public DSL and the stream helpers. MIT licence, see COPYING.
**
** The frames are frame.c's; what is here is the descriptor. Out: TAKE a
** value into the buffer, behind room for the header; frame it in place;
** WRITE_ALL the frame. In: READ_SOME straight into the decoder's buffer;
** each value it finds is PUT from there, and the decoder steps over it
** only on the next call, so a parked put always points at its value.
*/
#include "ops.h"

/* ------------------------------------------------------------------ out */

static int out_fn(ca_go *g)
{
    ca_bridge *b = (ca_bridge *)g;
    int rc;

    GO_BEGIN(g);
    for (;;) {
        TAKE_BYTES(g, b->ch, b->buf + CA_FRAME_HEADER);
        if (GO_CLOSED(g)) { /* closed (or refused): tell the reader */
            b->status = GO_ERROR(g) ? GO_STATUS(g) : CA_OK;
            rc = ca_frame_encode(b->buf, b->elem + CA_FRAME_OVERHEAD,
                                 CA_FRAME_END, NULL, 0, &b->flen);
        } else {
            rc = ca_frame_encode(b->buf, b->elem + CA_FRAME_OVERHEAD,
                                 CA_FRAME_VALUE, b->buf + CA_FRAME_HEADER,
                                 b->elem, &b->flen);
        }
        CA_ASSERT(rc == CA_OK); /* start() checked the sizes */
        (void)rc;
        WRITE_ALL(g, &b->io, b->buf, b->flen);
        if (GO_CLOSED(g)) { /* the stream broke: tell the producers */
            b->status = GO_STATUS(g);
            b->err = b->io.err;
            b->lost = b->buf[1] == CA_FRAME_VALUE;
            (void)ca_close(b->ch);
            /* Puts that wait survive a close: take them, or their
            ** blocks would wait for ever; they are counted lost. */
            while (ca_poll(b->ch, b->buf + CA_FRAME_HEADER) == CA_OK)
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

static int in_fn(ca_go *g)
{
    ca_bridge *b = (ca_bridge *)g;
    void *v = NULL;
    unsigned char *room;
    size_t n;
    int type;

    GO_BEGIN(g);
    b->status = CA_CLOSED;
    for (;;) {
        type = ca_frame_next(&b->dec, &v);
        if (type == CA_FRAME_END) {
            b->status = CA_OK;
            break;
        }
        if (type == CA_FRAME_VALUE) {
            b->buf = (unsigned char *)v; /* across the park */
            PUT_BYTES(g, b->ch, b->buf);
            if (GO_CLOSED(g)) /* its consumers closed it */
                break;
            b->frames++;
            continue;
        }
        /* More bytes first. A buffer of a whole frame always has room:
        ** a full one holds a frame the decoder took or dropped. */
        room = ca__frame_room(&b->dec, &n);
        CA_ASSERT(n > 0);
        READ_SOME(g, &b->io, room, n);
        if (GO_CLOSED(g)) {
            n = ca__frame_held(&b->dec);
            if (n > 0) { /* the stream ended inside a frame */
                b->corrupt++;
                b->skipped += n;
            }
            b->status = b->io.status;
            b->err = b->io.err;
            break;
        }
        ca__frame_fill(&b->dec, b->io.n);
    }
    b->corrupt += b->dec.corrupt;
    b->skipped += b->dec.skipped;
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
    /* Checked above: it cannot fail (the out side uses only the sizes). */
    (void)ca_frame_decoder_init(&b->dec, buf, size, info.elem_size);
    b->status = CA_OK;
    b->err = 0;
    b->frames = b->corrupt = b->skipped = b->lost = 0;
    b->ch = ch;
    b->buf = (unsigned char *)buf;
    b->elem = info.elem_size;
    b->flen = 0;
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
