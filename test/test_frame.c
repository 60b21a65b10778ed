/*
** test_frame.c: the bridge's frame codec alone (ca_frame_encode and the
** decoder), with no descriptor and no malloc, so that it runs on the
** boards too: frames checked against the format written out by hand,
** fed a byte at a time and in every chunk size, every single-bit damage
** of a frame dropped and counted with the stream found again, noise and
** cut frames, the largest value, bad input. MIT licence, see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

/* CRC-32 as the page describes it, bit by bit (not the library's way). */
static uint32_t crc_ref(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    int k;

    while (n-- > 0) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* A frame from the documentation alone. */
static size_t hand_frame(unsigned char *f, int type, const void *v,
                         uint32_t len)
{
    uint32_t c;
    int k;

    f[0] = 0xca;
    f[1] = (unsigned char)type;
    for (k = 0; k < 4; k++)
        f[2 + k] = (unsigned char)(len >> (8 * k));
    if (len > 0)
        memcpy(f + 6, v, len);
    c = crc_ref(f + 1, 5 + len);
    for (k = 0; k < 4; k++)
        f[6 + len + k] = (unsigned char)(c >> (8 * k));
    return 10 + len;
}

/* Payloads that look like frame headers, so that a resync after damage
** meets false syncs: value i is CA 01 04 i. */
static void word(unsigned char *v, unsigned i)
{
    v[0] = 0xca;
    v[1] = 0x01;
    v[2] = 0x04;
    v[3] = (unsigned char)i;
}

/* What a decoder gave: the last byte of each value, and the end. */
typedef struct got {
    unsigned char v[64];
    unsigned n;
    int ended;
} got;

/* Feeds bytes in chunks of `chunk` (0: a byte at a time, checking that a
** frame comes out exactly at its last byte, not before), collecting
** values of 4 bytes whose first three are word()'s. */
static void run(ca_frame_decoder *d, const unsigned char *s, size_t n,
                size_t chunk, got *out)
{
    size_t at = 0;
    void *v;
    int k, type;
    unsigned char want[4];

    memset(out, 0, sizeof *out);
    while (at < n) {
        k = ca_frame_feed(d, s + at, chunk == 0 ? 1 : (n - at < chunk ? n - at : chunk));
        CU_ASSERT(k >= 1);
        if (k < 1)
            return;
        at += (size_t)k;
        while ((type = ca_frame_next(d, &v)) > 0) {
            CA_ASSERT_EQ(out->ended, 0); /* nothing after the end */
            if (type == CA_FRAME_END) {
                out->ended = 1;
                continue;
            }
            CA_ASSERT_EQ(type, CA_FRAME_VALUE);
            word(want, ((unsigned char *)v)[3]);
            CA_ASSERT_EQ(memcmp(v, want, 4), 0);
            if (out->n < sizeof out->v)
                out->v[out->n] = ((unsigned char *)v)[3];
            out->n++;
        }
        CA_ASSERT_EQ(type, 0);
    }
}

/* The encoder writes what the page describes, in place or copied. */
static void frame_format(void)
{
    unsigned char a[32], b[32], v[4];
    size_t n, m;

    CA_ASSERT_EQ(crc_ref((const unsigned char *)"123456789", 9),
                 0xcbf43926u);
    word(v, 7);
    m = hand_frame(b, CA_FRAME_VALUE, v, 4);
    memset(a, 0, sizeof a);
    CA_ASSERT_RC(ca_frame_encode(a, sizeof a, CA_FRAME_VALUE, v, 4, &n),
                 CA_OK);
    CA_ASSERT_EQ(n, m);
    CA_ASSERT_EQ(memcmp(a, b, m), 0);
    /* The value already where the frame wants it: framed in place. */
    memset(a, 0, sizeof a);
    memcpy(a + CA_FRAME_HEADER, v, 4);
    CA_ASSERT_RC(ca_frame_encode(a, 14, CA_FRAME_VALUE, a + CA_FRAME_HEADER,
                                 4, &n), CA_OK);
    CA_ASSERT_EQ(memcmp(a, b, m), 0);
    /* Overlapping the header: moved, not smeared. */
    memcpy(a + 1, v, 4);
    CA_ASSERT_RC(ca_frame_encode(a, 14, CA_FRAME_VALUE, a + 1, 4, &n),
                 CA_OK);
    CA_ASSERT_EQ(memcmp(a, b, m), 0);
    m = hand_frame(b, CA_FRAME_END, NULL, 0);
    CA_ASSERT_RC(ca_frame_encode(a, 10, CA_FRAME_END, NULL, 0, &n), CA_OK);
    CA_ASSERT_EQ(n, 10);
    CA_ASSERT_EQ(memcmp(a, b, m), 0);
}

/* A stream of `k` values (word(i)) and an end frame, from the encoder. */
static size_t stream(unsigned char *s, unsigned k)
{
    unsigned char v[4];
    size_t n = 0, m;
    unsigned i;

    for (i = 0; i < k; i++) {
        word(v, i);
        CA_ASSERT_RC(ca_frame_encode(s + n, 14, CA_FRAME_VALUE, v, 4, &m),
                     CA_OK);
        n += m;
    }
    CA_ASSERT_RC(ca_frame_encode(s + n, 10, CA_FRAME_END, NULL, 0, &m),
                 CA_OK);
    return n + m;
}

/* Byte at a time, and every chunk size up to more than two frames, with
** the smallest buffer and a roomy one: every value, in order, once. */
static void frame_chunks(void)
{
    unsigned char s[20 * 14 + 10], buf[64];
    ca_frame_decoder d;
    got g;
    size_t n = stream(s, 20), chunk, size;
    unsigned i;

    for (size = CA_BRIDGE_BUF(4); size <= sizeof buf; size += 50) {
        for (chunk = 0; chunk <= 31; chunk++) {
            CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, size, 4), CA_OK);
            run(&d, s, n, chunk, &g);
            CA_ASSERT_EQ(g.n, 20);
            for (i = 0; i < 20 && i < g.n; i++)
                CA_ASSERT_EQ(g.v[i], i);
            CA_ASSERT_EQ(g.ended, 1);
            CA_ASSERT_EQ(d.frames, 20);
            CA_ASSERT_EQ(d.corrupt, 0);
            CA_ASSERT_EQ(d.skipped, 0);
        }
    }
}

/* A frame comes out at its last byte, not one byte before. */
static void frame_byte_at_a_time(void)
{
    unsigned char s[2 * 14 + 10], buf[CA_BRIDGE_BUF(4)];
    ca_frame_decoder d;
    size_t n = stream(s, 2), i;
    void *v;
    int type;

    CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 4), CA_OK);
    for (i = 0; i < n; i++) {
        CA_ASSERT_EQ(ca_frame_feed(&d, s + i, 1), 1);
        type = ca_frame_next(&d, &v);
        if (i == 13 || i == 27) {
            CA_ASSERT_EQ(type, CA_FRAME_VALUE);
            CA_ASSERT_EQ(((unsigned char *)v)[3], i == 13 ? 0 : 1);
            CA_ASSERT_EQ(ca_frame_next(&d, &v), 0);
        } else if (i == n - 1) {
            CA_ASSERT_EQ(type, CA_FRAME_END);
        } else {
            CA_ASSERT_EQ(type, 0);
        }
    }
}

/* Every single-bit damage of the middle one of three frames: it never
** comes, the two around it always do, and exactly its 14 bytes are
** dropped, as one stretch. Its payload is word()'s, which holds a false
** sync with a plausible header. */
static void frame_every_bit(void)
{
    unsigned char s[3 * 14 + 10], buf[CA_BRIDGE_BUF(4)];
    ca_frame_decoder d;
    got g;
    size_t n = stream(s, 3);
    unsigned bit;

    for (bit = 0; bit < 14 * 8; bit++) {
        s[14 + bit / 8] ^= (unsigned char)(1u << (bit % 8));
        CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 4), CA_OK);
        run(&d, s, n, bit % 3 == 0 ? 0 : bit % 17, &g);
        s[14 + bit / 8] ^= (unsigned char)(1u << (bit % 8));
        CA_ASSERT_EQ(g.n, 2);
        CA_ASSERT_EQ(g.v[0], 0);
        CA_ASSERT_EQ(g.v[1], 2);
        CA_ASSERT_EQ(g.ended, 1);
        CA_ASSERT_EQ(d.frames, 2);
        CA_ASSERT_EQ(d.corrupt, 1);
        CA_ASSERT_EQ(d.skipped, 14);
    }
}

/* Noise before, between and after frames (syncs in it too), a frame cut
** short, a length no value has, a frame for another element size: each
** stretch is dropped and counted, and every good frame still comes. */
static void frame_resync(void)
{
    static const unsigned char noise[] = {0x00, 0xca, 0xca, 0x01, 0x04,
                                          0x00, 0x00, 0x00, 0x55, 0xca};
    unsigned char s[256], v[8], buf[CA_BRIDGE_BUF(4) + 5];
    ca_frame_decoder d;
    got g;
    size_t n = 0;

    memcpy(s + n, noise, sizeof noise); /* 1: noise first */
    n += sizeof noise;
    word(v, 0);
    n += hand_frame(s + n, CA_FRAME_VALUE, v, 4);
    word(v, 1); /* 2: cut after 9 bytes, the next frame right behind */
    (void)hand_frame(s + n, CA_FRAME_VALUE, v, 4);
    n += 9;
    word(v, 2);
    n += hand_frame(s + n, CA_FRAME_VALUE, v, 4);
    memset(v, 0xca, sizeof v); /* 3: a frame of 8-byte values */
    n += hand_frame(s + n, CA_FRAME_VALUE, v, 8);
    word(v, 3);
    n += hand_frame(s + n, CA_FRAME_VALUE, v, 4);
    s[n] = 0xca; /* 4: a huge length */
    s[n + 1] = CA_FRAME_VALUE;
    memset(s + n + 2, 0xff, 4);
    n += 6;
    word(v, 4);
    n += hand_frame(s + n, CA_FRAME_VALUE, v, 4);
    n += hand_frame(s + n, CA_FRAME_END, NULL, 0);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 4), CA_OK);
    run(&d, s, n, 0, &g);
    CA_ASSERT_EQ(g.n, 4);
    CA_ASSERT_EQ(g.v[0], 0);
    CA_ASSERT_EQ(g.v[1], 2);
    CA_ASSERT_EQ(g.v[2], 3);
    CA_ASSERT_EQ(g.v[3], 4);
    CA_ASSERT_EQ(g.ended, 1);
    CA_ASSERT_EQ(d.corrupt, 4);
    CA_ASSERT_EQ(d.skipped, sizeof noise + 9 + 18 + 6);
    /* Noise after the end frame is the caller's to ignore; noise alone
    ** gives nothing. */
    CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 4), CA_OK);
    run(&d, noise, sizeof noise, 0, &g);
    CA_ASSERT_EQ(g.n, 0);
    CA_ASSERT_EQ(g.ended, 0);
}

/* The largest value a channel holds (smaller on a board), through the
** smallest buffer, fed in odd chunks. */
#if CA_TEST_SMALL
#define BIG 1000u
#else
#define BIG CA_MAX_ELEM_SIZE
#endif
static unsigned char big_v[BIG], big_f[BIG + 10], big_buf[BIG + 10];

static void frame_max_size(void)
{
    ca_frame_decoder d;
    size_t n, at, i;
    void *v = NULL;
    int k, type = 0;

    for (i = 0; i < BIG; i++)
        big_v[i] = (unsigned char)(i * 7u + i / 251u);
    CA_ASSERT_RC(ca_frame_encode(big_f, sizeof big_f, CA_FRAME_VALUE, big_v,
                                 BIG, &n), CA_OK);
    CA_ASSERT_EQ(n, BIG + 10);
    CA_ASSERT_EQ(crc_ref(big_f + 1, 5 + BIG),
                 (uint32_t)big_f[BIG + 6] | (uint32_t)big_f[BIG + 7] << 8 |
                     (uint32_t)big_f[BIG + 8] << 16 |
                     (uint32_t)big_f[BIG + 9] << 24);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, big_buf, sizeof big_buf, BIG),
                 CA_OK);
    for (at = 0; at < n; at += (size_t)k) {
        k = ca_frame_feed(&d, big_f + at, 997);
        CU_ASSERT(k > 0);
        if (k <= 0)
            return;
        type = ca_frame_next(&d, &v);
        CA_ASSERT_EQ(type, at + (size_t)k == n ? CA_FRAME_VALUE : 0);
    }
    CA_ASSERT_EQ(type, CA_FRAME_VALUE);
    if (type == CA_FRAME_VALUE)
        CA_ASSERT_EQ(memcmp(v, big_v, BIG), 0);
    /* A buffer one byte short of a frame of them is refused. */
    CA_ASSERT_RC(ca_frame_decoder_init(&d, big_buf, BIG + 9, BIG),
                 CA_ERANGE);
}

/* A full buffer takes what fits; the rest goes in once the frame in it
** has been taken. */
static void frame_full_buffer(void)
{
    unsigned char s[2 * 14 + 10], buf[CA_BRIDGE_BUF(4)];
    ca_frame_decoder d;
    size_t n = stream(s, 2);
    void *v;

    CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 4), CA_OK);
    CA_ASSERT_EQ(ca_frame_feed(&d, s, n), 14);
    CA_ASSERT_EQ(ca_frame_feed(&d, s + 14, n - 14), 0);
    CA_ASSERT_EQ(ca_frame_next(&d, &v), CA_FRAME_VALUE);
    CA_ASSERT_EQ(((unsigned char *)v)[3], 0);
    CA_ASSERT_EQ(ca_frame_feed(&d, s + 14, n - 14), 14);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), CA_FRAME_VALUE);
    CA_ASSERT_EQ(ca_frame_feed(&d, s + 28, n - 28), 10);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), CA_FRAME_END);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), 0);
    CA_ASSERT_EQ(ca_frame_feed(&d, s, 0), 0);
}

/* Values of no bytes (a channel of signals): told from the end by type. */
static void frame_zero_size(void)
{
    unsigned char s[30], buf[CA_BRIDGE_BUF(0)];
    ca_frame_decoder d;
    size_t n, m;

    CA_ASSERT_RC(ca_frame_encode(s, 10, CA_FRAME_VALUE, NULL, 0, &n), CA_OK);
    CA_ASSERT_RC(ca_frame_encode(s + n, 10, CA_FRAME_VALUE, NULL, 0, &m),
                 CA_OK);
    n += m;
    CA_ASSERT_RC(ca_frame_encode(s + n, 10, CA_FRAME_END, NULL, 0, &m),
                 CA_OK);
    n += m;
    CA_ASSERT_RC(ca_frame_decoder_init(&d, buf, sizeof buf, 0), CA_OK);
    CA_ASSERT_EQ(ca_frame_feed(&d, s, n), 10);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), CA_FRAME_VALUE);
    CA_ASSERT_EQ(ca_frame_feed(&d, s + 10, n - 10), 10);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), CA_FRAME_VALUE);
    CA_ASSERT_EQ(ca_frame_feed(&d, s + 20, n - 20), 10);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), CA_FRAME_END);
    CA_ASSERT_EQ(d.frames, 2);
}

static void frame_bad_input(void)
{
    unsigned char out[32], v[4] = {1, 2, 3, 4};
    ca_frame_decoder d, zero;
    size_t n = 99;

    memset(&zero, 0, sizeof zero);
    CA_ASSERT_RC(ca_frame_encode(NULL, 32, CA_FRAME_VALUE, v, 4, &n),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 32, CA_FRAME_VALUE, v, 4, NULL),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 32, CA_FRAME_VALUE, NULL, 4, &n),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 32, 0, v, 4, &n), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 32, 3, v, 4, &n), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 32, CA_FRAME_END, v, 4, &n),
                 CA_EINVAL);
    CA_ASSERT_RC(ca_frame_encode(out, 13, CA_FRAME_VALUE, v, 4, &n),
                 CA_ERANGE);
    CA_ASSERT_RC(ca_frame_encode(out, (size_t)-1, CA_FRAME_VALUE, v,
                                 (size_t)CA_MAX_ELEM_SIZE + 1, &n),
                 CA_ERANGE);
    CA_ASSERT_EQ(n, 99); /* untouched by a refusal */
    CA_ASSERT_RC(ca_frame_decoder_init(NULL, out, sizeof out, 4), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, NULL, sizeof out, 4), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, out, 13, 4), CA_ERANGE);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, out, (size_t)-1,
                                       (size_t)CA_MAX_ELEM_SIZE + 1),
                 CA_ERANGE);
    CA_ASSERT_RC(ca_frame_feed(NULL, v, 1), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_feed(&zero, v, 1), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_next(NULL, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_next(&zero, NULL), CA_EINVAL);
    CA_ASSERT_RC(ca_frame_decoder_init(&d, out, sizeof out, 4), CA_OK);
    CA_ASSERT_RC(ca_frame_feed(&d, NULL, 1), CA_EINVAL);
    CA_ASSERT_EQ(ca_frame_feed(&d, NULL, 0), 0);
    CA_ASSERT_EQ(ca_frame_next(&d, NULL), 0);
}

static const ca_test tests[] = {
    {"frame_format", frame_format},
    {"frame_chunks", frame_chunks},
    {"frame_byte_at_a_time", frame_byte_at_a_time},
    {"frame_every_bit", frame_every_bit},
    {"frame_resync", frame_resync},
    {"frame_max_size", frame_max_size},
    {"frame_full_buffer", frame_full_buffer},
    {"frame_zero_size", frame_zero_size},
    {"frame_bad_input", frame_bad_input},
    {NULL, NULL}};

CA_TEST_MAIN("frame", tests)
