/*
** test_badinput.c: the bad-input table (issue 12, item 4). Every public
** function, each bad argument it can get, and the code it must return,
** as one X-macro table; each row becomes a CUnit test that runs on a
** fresh fixture (a live, a closed, a destroyed and a zeroed channel, a
** live and a zeroed scheduler, a go block) and then checks that the
** fixture is as it was. test/check-badinput.sh fails when an exported
** function has no row. A row marked XFAIL documents a known defect: it
** passes while the defect is there and fails once it is fixed (then
** drop the mark). MIT licence, see COPYING.
*/
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

typedef struct fx {
    ca_chan live, closed, dead, zero, unbuf, tmp;
    int buf[4], cbuf[1], tbuf[4];
    ca_sched s, zs;
    ca_go g;
    ca_op op;
    ca_alt alt[2];
    ca_timeout_chan tc;
    int v;
    /* the connectors' states (ops.h) */
    ca_pipe_state pipe;
    ca_split_state split;
    ca_merge_state merge;
    ca_take_n_state take_n;
    ca_reduce_state reduce;
    ca_transduce_state transduce;
    ca_xf xf;
    ca_onto_state onto;
    ca_mult_state mult;
    ca_pub_state pub;
    ca_topic topic;
    ca_mix_state mix;
    ca_mix_slot mix_slot;
    ca_vec vec;
    ca_chan *chs[2];
} fx;

static fx F;
static ca_bridge BX; /* never started: every row refuses it */
static ca_frame_decoder DX; /* never initialised: every row refuses it */
static size_t FN;

static int nop_fn(ca_go *g)
{
    GO_BEGIN(g);
    GO_END(g);
}

static uint32_t zero_clock(void *ud)
{
    (void)ud;
    return 0;
}

static void setup(void)
{
    memset(&F, 0, sizeof F);
    CA_ASSERT_RC(ca_chan_init(&F.live, CA_FIXED, 1, sizeof(int), F.buf,
                              sizeof F.buf), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&F.closed, CA_FIXED, 1, sizeof(int), F.cbuf,
                              sizeof F.cbuf), CA_OK);
    CA_ASSERT_RC(ca_close(&F.closed), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&F.dead, CA_FIXED, 1, sizeof(int), F.tbuf,
                              sizeof F.tbuf), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&F.dead), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&F.unbuf, CA_UNBUFFERED, 0, sizeof(int), NULL,
                              0), CA_OK);
    CA_ASSERT_RC(ca_sched_init(&F.s), CA_OK);
    F.v = 7;
}

/* Every refusal "changes nothing": the fixture is still what it was. */
static void check_and_teardown(void)
{
    ca_chan_info i;

    CA_ASSERT_RC(ca_chan_inspect(&F.live, &i), CA_OK);
    CA_ASSERT_EQ(i.count + i.pending_puts + i.pending_takes, 0);
    CA_ASSERT_EQ(i.refs, 1);
    CA_ASSERT_EQ(i.closed, 0);
    CA_ASSERT_RC(ca_chan_inspect(&F.unbuf, &i), CA_OK);
    CA_ASSERT_EQ(i.pending_puts + i.pending_takes, 0);
    CA_ASSERT_RC(ca_closed(&F.closed), 1);
    CA_ASSERT_RC(ca_chan_inspect(&F.dead, &i), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_inspect(&F.zero, &i), CA_EBADCHAN);
    CA_ASSERT_RC(ca_chan_destroy(&F.live), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&F.closed), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&F.unbuf), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&F.s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&F.s), CA_OK);
}

/* ------------------------------------------- rows that need a context */

/* Retains up to CA_MAX_REFS, tries once more, and releases them again. */
static int retain_past_max(void)
{
    unsigned i;
    int rc;

    for (i = 1; i < CA_MAX_REFS; i++)
        if ((rc = ca_chan_retain(&F.live)) != CA_OK)
            return rc;
    rc = ca_chan_retain(&F.live);
    for (i = 1; i < CA_MAX_REFS; i++)
        (void)ca_chan_free(&F.live);
    return rc;
}

/* Queues CA_CONFIG_MAX_PENDING puts (or takes) on the unbuffered
** channel, tries one more, and takes them back by completing them. */
static ca_op many[CA_CONFIG_MAX_PENDING];
static int many_v[CA_CONFIG_MAX_PENDING];

static int pending_past_max(int take)
{
    ca_op extra;
    int i, rc = CA_OK, v = 0;

    for (i = 0; i < CA_CONFIG_MAX_PENDING && rc == CA_OK; i++)
        rc = take ? ca_take_async(&F.unbuf, &many[i], &many_v[i], NULL)
                  : ca_put_async(&F.unbuf, &many[i], &many_v[i], NULL);
    if (rc == CA_OK)
        rc = take ? ca_take_async(&F.unbuf, &extra, &v, NULL)
                  : ca_put_async(&F.unbuf, &extra, &v, NULL);
    for (i = 0; i < CA_CONFIG_MAX_PENDING; i++)
        if ((take ? ca_offer(&F.unbuf, &v) : ca_poll(&F.unbuf, &v)) != CA_OK)
            break;
    return rc;
}

/* An ALTS whose second case finds CA_CONFIG_MAX_PENDING takes waiting:
** refused, and its first case, queued already, taken back. */
static int alts_full(void)
{
    size_t idx;
    int i, rc = CA_OK, v = 0, w;

    for (i = 0; i < CA_CONFIG_MAX_PENDING && rc == CA_OK; i++)
        rc = ca_take_async(&F.unbuf, &many[i], &many_v[i], NULL);
    memset(F.alt, 0, sizeof F.alt);
    CA_ASSERT_RC(ca_alt_take(&F.alt[0], &F.live, &w), CA_OK);
    CA_ASSERT_RC(ca_alt_take(&F.alt[1], &F.unbuf, &w), CA_OK);
    if (rc == CA_OK)
        rc = ca_alts_blocking(F.alt, 2, CA_ALTS_PRIORITY, &idx);
    CHECK_PENDING(&F.live, 0, 0);
    for (i = 0; i < CA_CONFIG_MAX_PENDING; i++)
        if (ca_offer(&F.unbuf, &v) != CA_OK)
            break;
    return rc;
}

/* A result channel that cannot take the block's reference. */
static int set_result_past_max(void)
{
    unsigned i;
    int rc;

    for (i = 1; i < CA_MAX_REFS; i++)
        (void)ca_chan_retain(&F.live);
    rc = ca_go_set_result(&F.g, &F.live);
    for (i = 1; i < CA_MAX_REFS; i++)
        (void)ca_chan_free(&F.live);
    return rc;
}

/* A channel with a waiting take: destroy or release must refuse. */
static int with_waiting_take(int (*end)(ca_chan *))
{
    int rc, v = 1;

    CA_ASSERT_RC(ca_take_async(&F.live, &F.op, &F.v, NULL), CA_OK);
    rc = end(&F.live);
    CA_ASSERT_RC(ca_offer(&F.live, &v), CA_OK);
    return rc;
}

static int with_extra_ref(void)
{
    int rc;

    CA_ASSERT_RC(ca_chan_retain(&F.live), CA_OK);
    rc = ca_chan_destroy(&F.live);
    CA_ASSERT_RC(ca_chan_free(&F.live), CA_OK);
    return rc;
}

static int sched_with_block(void)
{
    CA_ASSERT_RC(ca_go_start(&F.s, &F.g, nop_fn), CA_OK);
    return ca_sched_destroy(&F.s); /* the block runs in teardown */
}

static int sched_with_ref(void)
{
    int rc;

    CA_ASSERT_RC(ca_sched_ref(&F.s), CA_OK);
    rc = ca_sched_destroy(&F.s);
    CA_ASSERT_RC(ca_sched_unref(&F.s), CA_OK);
    return rc;
}

static int go_started_twice(void)
{
    CA_ASSERT_RC(ca_go_start(&F.s, &F.g, nop_fn), CA_OK);
    return ca_go_start(&F.s, &F.g, nop_fn);
}

static int clock_with_timer(void)
{
    int rc;

    CA_ASSERT_RC(ca_timeout_init(&F.s, &F.tc, 0), CA_OK);
    rc = ca_sched_set_clock(&F.s, zero_clock, NULL, NULL);
    CA_ASSERT_RC(ca_sched_run(&F.s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&F.tc.ch), CA_OK);
    return rc;
}

static int set_result_twice(void)
{
    ca_chan r1, r2;
    int b1[1], b2[1], rc;

    CA_ASSERT_RC(ca_chan_init(&r1, CA_FIXED, 1, sizeof(int), b1, sizeof b1),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&r2, CA_FIXED, 1, sizeof(int), b2, sizeof b2),
                 CA_OK);
    CA_ASSERT_RC(ca_go_set_result(&F.g, &r1), CA_OK);
    rc = ca_go_set_result(&F.g, &r2);
    CA_ASSERT_RC(ca_go_start(&F.s, &F.g, nop_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&F.s), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r1), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&r2), CA_OK);
    return rc;
}

static int alts_with(int kind0, int kind1, size_t n, int flags)
{
    size_t idx;
    int v;

    /* kinds: 0 zeroed, 1 take on live, 2 default, 3 take on dead */
    int kinds[2];
    size_t i;

    kinds[0] = kind0;
    kinds[1] = kind1;
    memset(F.alt, 0, sizeof F.alt);
    for (i = 0; i < 2; i++) {
        if (kinds[i] == 1)
            CA_ASSERT_RC(ca_alt_take(&F.alt[i], &F.live, &v), CA_OK);
        else if (kinds[i] == 2)
            CA_ASSERT_RC(ca_alt_default(&F.alt[i]), CA_OK);
        else if (kinds[i] == 3)
            CA_ASSERT_RC(ca_alt_take(&F.alt[i], &F.dead, &v), CA_OK);
    }
    return ca_alts_blocking(F.alt, n, flags, &idx);
}

#if CA_HAVE_MALLOC
static int chan_new_sets_null(void)
{
    ca_chan *ch = &F.tmp;
    int rc = ca_chan_new(&ch, CA_FIXED, 0, sizeof(int));

    return rc == CA_EINVAL && ch == NULL ? CA_EINVAL : CA_OK;
}

static int free_heap_with_destroy(void)
{
    ca_chan *ch;
    int rc;

    CA_ASSERT_RC(ca_chan_new(&ch, CA_FIXED, 1, sizeof(int)), CA_OK);
    rc = ca_chan_destroy(ch);
    CA_ASSERT_RC(ca_chan_free(ch), CA_OK);
    return rc;
}

static int result_size_mismatch(void)
{
    ca_chan *r1, *r2 = NULL;
    int rc;

    CA_ASSERT_RC(ca_go_result(&F.g, sizeof(int), &r1), CA_OK);
    rc = ca_go_result(&F.g, sizeof(short), &r2);
    CA_ASSERT_RC(ca_go_start(&F.s, &F.g, nop_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&F.s), CA_OK);
    CA_ASSERT_RC(ca_chan_free(r1), CA_OK);
    return rc;
}
#endif

/* ------------------------------------------------------------ the table
** ROW(function, case, expression, expected code) */
/* NULL reads the default scheduler's clock: between two readings of that
** clock (the tick may move between calls on a slow machine). */
static int now_null_is_default(void)
{
    uint32_t a = ca_sched_now(ca_sched_default());
    uint32_t b = ca_sched_now(NULL);
    uint32_t c = ca_sched_now(ca_sched_default());

    return (uint32_t)(b - a) <= (uint32_t)(c - a);
}

/* A port with no critical section: refused. */
static int port_without_enter(void)
{
    static ca_port p;

    p = ca_port_posix;
    p.enter = NULL;
    return ca_port_set(&p);
}

/* A ca_thread function that is never run (its call is refused). */
static int thread_nop(void *arg, void *result)
{
    (void)arg;
    (void)result;
    return CA_OK;
}

/* Functions the connectors call, never called here: refused before. */
static int no_pred(const void *val, void *ud)
{
    (void)val;
    (void)ud;
    return 0;
}

static int no_reduce(void *acc, const void *val, void *ud)
{
    (void)acc;
    (void)val;
    (void)ud;
    return 0;
}

static uintptr_t no_topic(const void *val, void *ud)
{
    (void)val;
    (void)ud;
    return 0;
}

/* A ca_vec of short, fed from the fixture's int channel. */
static int into_wrong_size(void)
{
    short arr[2];

    F.vec.data = arr;
    F.vec.cap = 2;
    F.vec.elem_size = sizeof(short);
    return ca_into(&F.reduce, &F.s, &F.live, &F.vec, &F.v, NULL);
}

/* A transform for ca_transduce's rows, never run: refused before. */
static int no_step(ca_xf *xf, const void *in, ca_xf_out *out)
{
    (void)xf;
    (void)in;
    (void)out;
    return CA_OK;
}

/* ca_transduce from the live int channel, with F.xf made of `in_size`,
** `max_out` and a step or none. */
static int transduce_xf(size_t in_size, unsigned max_out, int step)
{
    F.xf.step = step ? no_step : NULL;
    F.xf.in_size = in_size;
    F.xf.out_size = sizeof(int);
    F.xf.max_out = max_out;
    return ca_transduce(&F.transduce, &F.s, &F.xf, no_reduce, NULL, &F.live,
                        &F.v, sizeof F.v, &F.v, NULL);
}

/* ca_transduce with a good transform and the arguments given. */
static int transduce_args(ca_sched *s, ca_reduce_fn f, ca_chan *from,
                          void *acc, void *val, ca_chan *result)
{
    F.xf.step = no_step;
    F.xf.in_size = F.xf.out_size = sizeof(int);
    F.xf.max_out = 1;
    return ca_transduce(&F.transduce, s, &F.xf, f, NULL, from, acc,
                        sizeof F.v, val, result);
}

/* The connectors (issue 9): ROW(function, case, expression, code). */
#define BAD_OPS(ROW)                                                         \
    ROW(ca_pipe, null_from, ca_pipe(&F.pipe, &F.s, NULL, &F.unbuf, 1, &F.v), CA_EINVAL) \
    ROW(ca_pipe, destroyed, ca_pipe(&F.pipe, &F.s, &F.dead, &F.unbuf, 1, &F.v), CA_EBADCHAN) \
    ROW(ca_pipe, zeroed_sched, ca_pipe(&F.pipe, &F.zs, &F.live, &F.unbuf, 1, &F.v), CA_EINVAL) \
    ROW(ca_pipe, same_chan, ca_pipe(&F.pipe, &F.s, &F.live, &F.live, 1, &F.v), CA_EINVAL) \
    ROW(ca_pipe, null_val, ca_pipe(&F.pipe, &F.s, &F.live, &F.unbuf, 1, NULL), CA_EINVAL) \
    ROW(ca_split, null_pred, ca_split(&F.split, &F.s, NULL, NULL, &F.live, &F.unbuf, &F.closed, &F.v), CA_EINVAL) \
    ROW(ca_split, same_outputs, ca_split(&F.split, &F.s, no_pred, NULL, &F.live, &F.unbuf, &F.unbuf, &F.v), CA_EINVAL) \
    ROW(ca_split, zeroed, ca_split(&F.split, &F.s, no_pred, NULL, &F.zero, &F.unbuf, &F.closed, &F.v), CA_EBADCHAN) \
    ROW(ca_merge, null_chs, ca_merge(&F.merge, &F.s, NULL, 2, &F.unbuf, F.alt, &F.v), CA_EINVAL) \
    ROW(ca_merge, too_many, ca_merge(&F.merge, &F.s, F.chs, (size_t)CA_ALTS_MAX + 1, &F.unbuf, F.alt, &F.v), CA_ERANGE) \
    ROW(ca_merge, destroyed_out, ca_merge(&F.merge, &F.s, NULL, 0, &F.dead, NULL, &F.v), CA_EBADCHAN) \
    ROW(ca_take_n, destroyed, ca_take_n(&F.take_n, &F.s, &F.dead, 1, &F.unbuf, &F.v), CA_EBADCHAN) \
    ROW(ca_take_n, same_chan, ca_take_n(&F.take_n, &F.s, &F.live, 1, &F.live, &F.v), CA_EINVAL) \
    ROW(ca_reduce, null_f, ca_reduce(&F.reduce, &F.s, NULL, NULL, &F.live, &F.v, sizeof F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_reduce, unbuffered_result, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, &F.unbuf), CA_EINVAL) \
    ROW(ca_transduce, null_xf, ca_transduce(&F.transduce, &F.s, NULL, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_transduce, xf_no_step, transduce_xf(sizeof(int), 1, 0), CA_EINVAL) \
    ROW(ca_transduce, xf_max_out_0, transduce_xf(sizeof(int), 0, 1), CA_EINVAL) \
    ROW(ca_transduce, xf_wrong_in_size, transduce_xf(sizeof(short), 1, 1), CA_EINVAL) \
    ROW(ca_transduce, null_f, transduce_args(&F.s, NULL, &F.live, &F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_transduce, null_from, transduce_args(&F.s, no_reduce, NULL, &F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_transduce, destroyed_from, transduce_args(&F.s, no_reduce, &F.dead, &F.v, &F.v, NULL), CA_EBADCHAN) \
    ROW(ca_transduce, zeroed_from, transduce_args(&F.s, no_reduce, &F.zero, &F.v, &F.v, NULL), CA_EBADCHAN) \
    ROW(ca_transduce, zeroed_sched, transduce_args(&F.zs, no_reduce, &F.live, &F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_transduce, null_acc, transduce_args(&F.s, no_reduce, &F.live, NULL, &F.v, NULL), CA_EINVAL) \
    ROW(ca_transduce, null_val, transduce_args(&F.s, no_reduce, &F.live, &F.v, NULL, NULL), CA_EINVAL) \
    ROW(ca_transduce, unbuffered_result, transduce_args(&F.s, no_reduce, &F.live, &F.v, &F.v, &F.unbuf), CA_EINVAL) \
    ROW(ca_transduce, result_is_from, transduce_args(&F.s, no_reduce, &F.live, &F.v, &F.v, &F.live), CA_EINVAL) \
    ROW(ca_transduce, destroyed_result, transduce_args(&F.s, no_reduce, &F.live, &F.v, &F.v, &F.dead), CA_EBADCHAN) \
    ROW(ca_into, null_vec, ca_into(&F.reduce, &F.s, &F.live, NULL, &F.v, NULL), CA_EINVAL) \
    ROW(ca_into, wrong_size, into_wrong_size(), CA_EINVAL) \
    ROW(ca_onto_chan, null_values, ca_onto_chan(&F.onto, &F.s, &F.live, NULL, 2, 1, NULL), CA_EINVAL) \
    ROW(ca_onto_chan, unbuffered_done, ca_onto_chan(&F.onto, &F.s, &F.live, &F.v, 1, 1, &F.unbuf), CA_EINVAL) \
    ROW(ca_onto_chan, zeroed_sched, ca_onto_chan(&F.onto, &F.zs, &F.live, &F.v, 1, 1, NULL), CA_EINVAL) \
    ROW(ca_onto_chan_blocking, destroyed, ca_onto_chan_blocking(&F.dead, &F.v, 1, 1, NULL), CA_EBADCHAN) \
    ROW(ca_onto_chan_blocking, deadlock, ca_onto_chan_blocking(&F.unbuf, &F.v, 1, 0, NULL), CA_EDEADLOCK) \
    ROW(ca_mult, null, ca_mult(NULL, &F.s, &F.live, &F.v, NULL, 0), CA_EINVAL) \
    ROW(ca_mult, destroyed, ca_mult(&F.mult, &F.s, &F.dead, &F.v, NULL, 0), CA_EBADCHAN) \
    ROW(ca_mult, max_without_slots, ca_mult(&F.mult, &F.s, &F.live, &F.v, NULL, 3), CA_EINVAL) \
    ROW(ca_mult_tap, null, ca_mult_tap(NULL, &F.live, 0), CA_EINVAL) \
    ROW(ca_mult_tap, destroyed, ca_mult_tap(&F.mult, &F.dead, 0), CA_EBADCHAN) \
    ROW(ca_mult_untap, null, ca_mult_untap(NULL, &F.live), CA_EINVAL) \
    ROW(ca_mult_untap_all, null, ca_mult_untap_all(NULL), CA_EINVAL) \
    ROW(ca_pub, null, ca_pub(NULL, &F.s, &F.live, no_topic, NULL, NULL, &F.v), CA_EINVAL) \
    ROW(ca_pub, null_topic_fn, ca_pub(&F.pub, &F.s, &F.live, NULL, NULL, NULL, &F.v), CA_EINVAL) \
    ROW(ca_pub, destroyed, ca_pub(&F.pub, &F.s, &F.dead, no_topic, NULL, NULL, &F.v), CA_EBADCHAN) \
    ROW(ca_pub_topic, null, ca_pub_topic(NULL, &F.topic, 0, &F.live, &F.v, NULL, 0), CA_EINVAL) \
    ROW(ca_pub_topic, destroyed, ca_pub_topic(&F.pub, &F.topic, 0, &F.dead, &F.v, NULL, 0), CA_EBADCHAN) \
    ROW(ca_pub_sub, null, ca_pub_sub(NULL, 0, &F.live, 0), CA_EINVAL) \
    ROW(ca_pub_unsub, null, ca_pub_unsub(NULL, 0, &F.live), CA_EINVAL) \
    ROW(ca_pub_unsub_all, null, ca_pub_unsub_all(NULL, NULL), CA_EINVAL) \
    ROW(ca_pub_destroy, null, ca_pub_destroy(NULL), CA_EINVAL) \
    ROW(ca_mix, null, ca_mix(NULL, &F.s, &F.live, &F.v, NULL, NULL, 0), CA_EINVAL) \
    ROW(ca_mix, slots_without_cases, ca_mix(&F.mix, &F.s, &F.live, &F.v, &F.mix_slot, NULL, 1), CA_EINVAL) \
    ROW(ca_mix, destroyed, ca_mix(&F.mix, &F.s, &F.dead, &F.v, NULL, NULL, 0), CA_EBADCHAN) \
    ROW(ca_mix_admix, null, ca_mix_admix(NULL, &F.live), CA_EINVAL) \
    ROW(ca_mix_admix, destroyed, ca_mix_admix(&F.mix, &F.dead), CA_EBADCHAN) \
    ROW(ca_mix_unmix, null, ca_mix_unmix(NULL, &F.live), CA_EINVAL) \
    ROW(ca_mix_unmix_all, null, ca_mix_unmix_all(NULL), CA_EINVAL) \
    ROW(ca_mix_toggle, bad_flags, ca_mix_toggle(&F.mix, &F.live, 0x80, 0), CA_EINVAL) \
    ROW(ca_mix_solo_mode, bad_mode, ca_mix_solo_mode(&F.mix, CA_MIX_SOLO), CA_EINVAL)

#define BAD_CORE(ROW)                                                        \
    ROW(ca_chan_init, null, ca_chan_init(NULL, CA_FIXED, 1, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, kind_0, ca_chan_init(&F.tmp, (ca_buf_kind)0, 1, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, kind_99, ca_chan_init(&F.tmp, (ca_buf_kind)99, 1, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, unbuffered_cap_1, ca_chan_init(&F.tmp, CA_UNBUFFERED, 1, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, promise_cap_2, ca_chan_init(&F.tmp, CA_PROMISE, 2, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, fixed_cap_0, ca_chan_init(&F.tmp, CA_FIXED, 0, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, sliding_cap_0, ca_chan_init(&F.tmp, CA_SLIDING, 0, 4, F.tbuf, 16), CA_EINVAL) \
    ROW(ca_chan_init, elem_too_big, ca_chan_init(&F.tmp, CA_FIXED, 1, CA_MAX_ELEM_SIZE + 1, F.tbuf, 16), CA_ERANGE) \
    ROW(ca_chan_init, cap_too_big, ca_chan_init(&F.tmp, CA_FIXED, (size_t)CA_MAX_CAPACITY + 1, 0, NULL, 0), CA_ERANGE) \
    ROW(ca_chan_init, null_buf, ca_chan_init(&F.tmp, CA_FIXED, 1, 4, NULL, 4), CA_EINVAL) \
    ROW(ca_chan_init, small_buf, ca_chan_init(&F.tmp, CA_FIXED, 4, 4, F.tbuf, 15), CA_ERANGE) \
    ROW(ca_chan_init, huge_product, ca_chan_init(&F.tmp, CA_FIXED, CA_MAX_CAPACITY, CA_MAX_ELEM_SIZE, F.tbuf, 16), CA_ERANGE) \
    ROW(ca_chan_destroy, null, ca_chan_destroy(NULL), CA_EINVAL) \
    ROW(ca_chan_destroy, destroyed, ca_chan_destroy(&F.dead), CA_EBADCHAN) \
    ROW(ca_chan_destroy, zeroed, ca_chan_destroy(&F.zero), CA_EBADCHAN) \
    ROW(ca_chan_destroy, other_ref, with_extra_ref(), CA_EBUSY) \
    ROW(ca_chan_destroy, waiting_take, with_waiting_take(ca_chan_destroy), CA_EBUSY) \
    ROW(ca_chan_free, null, ca_chan_free(NULL), CA_EINVAL) \
    ROW(ca_chan_free, destroyed, ca_chan_free(&F.dead), CA_EBADCHAN) \
    ROW(ca_chan_free, zeroed, ca_chan_free(&F.zero), CA_EBADCHAN) \
    ROW(ca_chan_free, waiting_take, with_waiting_take(ca_chan_free), CA_EBUSY) \
    ROW(ca_chan_retain, null, ca_chan_retain(NULL), CA_EINVAL) \
    ROW(ca_chan_retain, destroyed, ca_chan_retain(&F.dead), CA_EBADCHAN) \
    ROW(ca_chan_retain, zeroed, ca_chan_retain(&F.zero), CA_EBADCHAN) \
    ROW(ca_chan_retain, past_max, retain_past_max(), CA_ERANGE) \
    ROW(ca_chan_set_name, null, ca_chan_set_name(NULL, "x"), CA_EINVAL) \
    ROW(ca_chan_set_name, destroyed, ca_chan_set_name(&F.dead, "x"), CA_EBADCHAN) \
    ROW(ca_chan_inspect, null, ca_chan_inspect(NULL, NULL), CA_EINVAL) \
    ROW(ca_chan_inspect, null_info, ca_chan_inspect(&F.live, NULL), CA_EINVAL) \
    ROW(ca_chan_inspect, destroyed, ca_chan_inspect(&F.dead, (ca_chan_info *)F.tbuf), CA_EBADCHAN) \
    ROW(ca_offer, null, ca_offer(NULL, &F.v), CA_EINVAL) \
    ROW(ca_offer, null_val, ca_offer(&F.live, NULL), CA_EINVAL) \
    ROW(ca_offer, destroyed, ca_offer(&F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_offer, zeroed, ca_offer(&F.zero, &F.v), CA_EBADCHAN) \
    ROW(ca_offer, closed, ca_offer(&F.closed, &F.v), CA_CLOSED) \
    ROW(ca_offer, no_taker, ca_offer(&F.unbuf, &F.v), CA_AGAIN) \
    ROW(ca_poll, null, ca_poll(NULL, &F.v), CA_EINVAL) \
    ROW(ca_poll, null_dst, ca_poll(&F.live, NULL), CA_EINVAL) \
    ROW(ca_poll, destroyed, ca_poll(&F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_poll, zeroed, ca_poll(&F.zero, &F.v), CA_EBADCHAN) \
    ROW(ca_poll, closed_drained, ca_poll(&F.closed, &F.v), CA_CLOSED) \
    ROW(ca_poll, empty, ca_poll(&F.live, &F.v), CA_AGAIN) \
    ROW(ca_close, null, ca_close(NULL), CA_EINVAL) \
    ROW(ca_close, destroyed, ca_close(&F.dead), CA_EBADCHAN) \
    ROW(ca_close, zeroed, ca_close(&F.zero), CA_EBADCHAN) \
    ROW(ca_close, twice, ca_close(&F.closed), CA_OK) \
    ROW(ca_closed, null, ca_closed(NULL), CA_EINVAL) \
    ROW(ca_closed, destroyed, ca_closed(&F.dead), CA_EBADCHAN) \
    ROW(ca_put_async, null, ca_put_async(NULL, &F.op, &F.v, NULL), CA_EINVAL) \
    ROW(ca_put_async, null_op, ca_put_async(&F.live, NULL, &F.v, NULL), CA_EINVAL) \
    ROW(ca_put_async, null_val, ca_put_async(&F.live, &F.op, NULL, NULL), CA_EINVAL) \
    ROW(ca_put_async, destroyed, ca_put_async(&F.dead, &F.op, &F.v, NULL), CA_EBADCHAN) \
    ROW(ca_put_async, closed, ca_put_async(&F.closed, &F.op, &F.v, NULL), CA_CLOSED) \
    ROW(ca_put_async, pending_limit, pending_past_max(0), CA_EFULL) \
    ROW(ca_take_async, null, ca_take_async(NULL, &F.op, &F.v, NULL), CA_EINVAL) \
    ROW(ca_take_async, null_op, ca_take_async(&F.live, NULL, &F.v, NULL), CA_EINVAL) \
    ROW(ca_take_async, null_dst, ca_take_async(&F.live, &F.op, NULL, NULL), CA_EINVAL) \
    ROW(ca_take_async, destroyed, ca_take_async(&F.dead, &F.op, &F.v, NULL), CA_EBADCHAN) \
    ROW(ca_take_async, pending_limit, pending_past_max(1), CA_EFULL) \
    ROW(ca_alt_take, null, ca_alt_take(NULL, &F.live, &F.v), CA_EINVAL) \
    ROW(ca_alt_take, null_chan, ca_alt_take(F.alt, NULL, &F.v), CA_EINVAL) \
    ROW(ca_alt_take, null_dst, ca_alt_take(F.alt, &F.live, NULL), CA_EINVAL) \
    ROW(ca_alt_put, null, ca_alt_put(NULL, &F.live, &F.v), CA_EINVAL) \
    ROW(ca_alt_put, null_chan, ca_alt_put(F.alt, NULL, &F.v), CA_EINVAL) \
    ROW(ca_alt_put, null_val, ca_alt_put(F.alt, &F.live, NULL), CA_EINVAL) \
    ROW(ca_alt_deadline, null, ca_alt_deadline(NULL, 1), CA_EINVAL) \
    ROW(ca_alt_deadline, too_long, ca_alt_deadline(F.alt, CA_MAX_DELAY + 1), CA_ERANGE) \
    ROW(ca_alt_default, null, ca_alt_default(NULL), CA_EINVAL) \
    ROW(ca_alt_off, null, ca_alt_off(NULL), CA_EINVAL) \
    ROW(ca_alts_blocking, null, ca_alts_blocking(NULL, 1, 0, NULL), CA_EINVAL) \
    ROW(ca_alts_blocking, none, alts_with(1, 1, 0, 0), CA_EINVAL) \
    ROW(ca_alts_blocking, zeroed_case, alts_with(1, 0, 2, 0), CA_EINVAL) \
    ROW(ca_alts_blocking, bad_flags, alts_with(1, 2, 2, 0x80), CA_EINVAL) \
    ROW(ca_alts_blocking, two_defaults, alts_with(2, 2, 2, 0), CA_EINVAL) \
    ROW(ca_alts_blocking, too_many, alts_with(1, 1, (size_t)CA_ALTS_MAX + 1, 0), CA_ERANGE) \
    ROW(ca_alts_blocking, destroyed, alts_with(3, 1, 2, 0), CA_EBADCHAN) \
    ROW(ca_alts_blocking, deadlock, alts_with(1, 1, 1, 0), CA_EDEADLOCK) \
    ROW(ca_alts_blocking, pending_limit, alts_full(), CA_EFULL) \
    ROW(ca_put_blocking, null, ca_put_blocking(NULL, &F.v), CA_EINVAL) \
    ROW(ca_put_blocking, null_val, ca_put_blocking(&F.live, NULL), CA_EINVAL) \
    ROW(ca_put_blocking, destroyed, ca_put_blocking(&F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_put_blocking, closed, ca_put_blocking(&F.closed, &F.v), CA_CLOSED) \
    ROW(ca_put_blocking, deadlock, ca_put_blocking(&F.unbuf, &F.v), CA_EDEADLOCK) \
    ROW(ca_take_blocking, null, ca_take_blocking(NULL, &F.v), CA_EINVAL) \
    ROW(ca_take_blocking, null_dst, ca_take_blocking(&F.live, NULL), CA_EINVAL) \
    ROW(ca_take_blocking, destroyed, ca_take_blocking(&F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_take_blocking, closed, ca_take_blocking(&F.closed, &F.v), CA_CLOSED) \
    ROW(ca_take_blocking, deadlock, ca_take_blocking(&F.live, &F.v), CA_EDEADLOCK) \
    ROW(ca_sched_init, null, ca_sched_init(NULL), CA_EINVAL) \
    ROW(ca_sched_destroy, zeroed, ca_sched_destroy(&F.zs), CA_EINVAL) \
    ROW(ca_sched_destroy, default, ca_sched_destroy(ca_sched_default()), CA_EINVAL) \
    ROW(ca_sched_destroy, live_block, sched_with_block(), CA_EBUSY) \
    ROW(ca_sched_destroy, ref_held, sched_with_ref(), CA_EBUSY) \
    ROW(ca_sched_default, none, ca_sched_default() != NULL, 1) \
    ROW(ca_sched_set_clock, null_now, ca_sched_set_clock(&F.s, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_sched_set_clock, zeroed, ca_sched_set_clock(&F.zs, zero_clock, NULL, NULL), CA_EINVAL) \
    ROW(ca_sched_set_clock, timer_pending, clock_with_timer(), CA_EBUSY) \
    ROW(ca_sched_now, zeroed, (int)ca_sched_now(&F.zs), 0) \
    ROW(ca_sched_run, zeroed, ca_sched_run(&F.zs), CA_EINVAL) \
    ROW(ca_sched_step, zeroed, ca_sched_step(&F.zs, NULL), CA_EINVAL) \
    ROW(ca_sched_ref, zeroed, ca_sched_ref(&F.zs), CA_EINVAL) \
    ROW(ca_sched_unref, zeroed, ca_sched_unref(&F.zs), CA_EINVAL) \
    ROW(ca_sched_unref, none_held, ca_sched_unref(&F.s), CA_EINVAL) \
    ROW(ca_sched_parked, zeroed, ca_sched_parked(&F.zs, NULL, NULL), CA_EINVAL) \
    ROW(ca_sched_dump, zeroed, ca_sched_dump(&F.zs, stderr), CA_EINVAL) \
    ROW(ca_go_start, null, ca_go_start(&F.s, NULL, nop_fn), CA_EINVAL) \
    ROW(ca_go_start, null_fn, ca_go_start(&F.s, &F.g, NULL), CA_EINVAL) \
    ROW(ca_go_start, zeroed_sched, ca_go_start(&F.zs, &F.g, nop_fn), CA_EINVAL) \
    ROW(ca_go_start, twice, go_started_twice(), CA_EBUSY) \
    ROW(ca_go_set_result, null, ca_go_set_result(NULL, &F.live), CA_EINVAL) \
    ROW(ca_go_set_result, null_chan, ca_go_set_result(&F.g, NULL), CA_EINVAL) \
    ROW(ca_go_set_result, unbuffered, ca_go_set_result(&F.g, &F.unbuf), CA_EINVAL) \
    ROW(ca_go_set_result, destroyed, ca_go_set_result(&F.g, &F.dead), CA_EBADCHAN) \
    ROW(ca_go_set_result, twice, set_result_twice(), CA_EBUSY) \
    ROW(ca_go_set_result, refs_past_max, set_result_past_max(), CA_ERANGE) \
    ROW(ca_go_sched, not_started, ca_go_sched(&F.g) == NULL, 1) \
    ROW(ca_go_sched, null, ca_go_sched(NULL) == NULL, 1) \
    ROW(ca_sched_parked, null_fn, ca_sched_parked(&F.s, NULL, NULL), CA_EINVAL) \
    ROW(ca_sched_dump, null_out, ca_sched_dump(&F.s, NULL), CA_EINVAL) \
    ROW(ca_sched_now, null_is_default, now_null_is_default(), 1)          \
    ROW(ca_timeout_init, null, ca_timeout_init(&F.s, NULL, 1), CA_EINVAL) \
    ROW(ca_timeout_init, zeroed_sched, ca_timeout_init(&F.zs, &F.tc, 1), CA_EINVAL) \
    ROW(ca_timeout_init, too_long, ca_timeout_init(&F.s, &F.tc, CA_MAX_DELAY + 1), CA_ERANGE) \
    ROW(ca_chan_set_isr, null, ca_chan_set_isr(NULL), CA_EINVAL)          \
    ROW(ca_chan_set_isr, destroyed, ca_chan_set_isr(&F.dead), CA_EBADCHAN) \
    ROW(ca_offer_isr, null, ca_offer_isr(NULL, &F.v), CA_EINVAL)          \
    ROW(ca_offer_isr, undeclared, ca_offer_isr(&F.live, &F.v), CA_EPERM)  \
    ROW(ca_offer_isr, destroyed, ca_offer_isr(&F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_poll_isr, null, ca_poll_isr(NULL, &F.v), CA_EINVAL)            \
    ROW(ca_poll_isr, undeclared, ca_poll_isr(&F.live, &F.v), CA_EPERM)    \
    ROW(ca_poll_isr, destroyed, ca_poll_isr(&F.dead, &F.v), CA_EBADCHAN)  \
    ROW(ca_port_set, null, ca_port_set(NULL), CA_EINVAL)                  \
    ROW(ca_port_set, no_enter, port_without_enter(), CA_EINVAL)           \
    ROW(ca_port_get, posix_default, ca_port_get() == &ca_port_posix, 1)   \
    ROW(ca_port_posix, has_hooks, ca_port_posix.enter != NULL && ca_port_posix.leave != NULL, 1) \
    ROW(ca_sched_idle, zeroed, ca_sched_idle(&F.zs, 0), CA_EINVAL)        \
    ROW(ca_alt_fd, null, ca_alt_fd(NULL, 0, CA_FD_READ, NULL), CA_EINVAL) \
    ROW(ca_alt_fd, negative_fd, ca_alt_fd(F.alt, -1, CA_FD_READ, NULL), CA_EINVAL) \
    ROW(ca_alt_fd, no_event, ca_alt_fd(F.alt, 0, 0, NULL), CA_EINVAL)      \
    ROW(ca_alt_fd, bad_event, ca_alt_fd(F.alt, 0, CA_FD_ERR, NULL), CA_EINVAL) \
    ROW(ca_wait_fd_blocking, negative_fd, ca_wait_fd_blocking(-1, CA_FD_READ, 0, NULL), CA_EINVAL) \
    ROW(ca_wait_fd_blocking, no_event, ca_wait_fd_blocking(0, 0, 0, NULL), CA_EINVAL) \
    ROW(ca_wait_fd_blocking, bad_event, ca_wait_fd_blocking(0, CA_FD_HUP, 0, NULL), CA_EINVAL) \
    ROW(ca_wait_fd_blocking, extra_event, ca_wait_fd_blocking(0, CA_FD_READ | CA_FD_HUP, 0, NULL), CA_EINVAL) \
    ROW(ca_io_init, null, ca_io_init(NULL, 0, NULL, 0), CA_EINVAL)      \
    ROW(ca_io_init, negative_fd, ca_io_init(&BX.io, -1, NULL, 0), CA_EINVAL) \
    ROW(ca_io_init, storage_no_size, ca_io_init(&BX.io, 0, F.buf, 0), CA_EINVAL) \
    ROW(ca_io_init, size_no_storage, ca_io_init(&BX.io, 0, NULL, 4), CA_EINVAL) \
    ROW(ca_bridge_out, null, ca_bridge_out(NULL, &F.s, &F.live, 0, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_out, null_chan, ca_bridge_out(&BX, &F.s, NULL, 0, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_out, negative_fd, ca_bridge_out(&BX, &F.s, &F.live, -1, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_out, null_buf, ca_bridge_out(&BX, &F.s, &F.live, 0, NULL, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_out, destroyed, ca_bridge_out(&BX, &F.s, &F.dead, 0, F.buf, sizeof F.buf), CA_EBADCHAN) \
    ROW(ca_bridge_out, zeroed_chan, ca_bridge_out(&BX, &F.s, &F.zero, 0, F.buf, sizeof F.buf), CA_EBADCHAN) \
    ROW(ca_bridge_out, small_buf, ca_bridge_out(&BX, &F.s, &F.live, 0, F.buf, CA_BRIDGE_BUF(sizeof(int)) - 1), CA_ERANGE) \
    ROW(ca_bridge_out, zeroed_sched, ca_bridge_out(&BX, &F.zs, &F.live, 0, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_in, null, ca_bridge_in(NULL, &F.s, 0, &F.live, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_in, null_chan, ca_bridge_in(&BX, &F.s, 0, NULL, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_in, negative_fd, ca_bridge_in(&BX, &F.s, -1, &F.live, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_bridge_in, destroyed, ca_bridge_in(&BX, &F.s, 0, &F.dead, F.buf, sizeof F.buf), CA_EBADCHAN) \
    ROW(ca_bridge_in, small_buf, ca_bridge_in(&BX, &F.s, 0, &F.live, F.buf, 1), CA_ERANGE) \
    ROW(ca_bridge_in, zeroed_sched, ca_bridge_in(&BX, &F.zs, 0, &F.live, F.buf, sizeof F.buf), CA_EINVAL) \
    ROW(ca_frame_encode, null, ca_frame_encode(NULL, sizeof F.buf, CA_FRAME_VALUE, &F.v, sizeof F.v, &FN), CA_EINVAL) \
    ROW(ca_frame_encode, null_size, ca_frame_encode(F.buf, sizeof F.buf, CA_FRAME_VALUE, &F.v, sizeof F.v, NULL), CA_EINVAL) \
    ROW(ca_frame_encode, null_value, ca_frame_encode(F.buf, sizeof F.buf, CA_FRAME_VALUE, NULL, sizeof F.v, &FN), CA_EINVAL) \
    ROW(ca_frame_encode, bad_type, ca_frame_encode(F.buf, sizeof F.buf, 7, &F.v, sizeof F.v, &FN), CA_EINVAL) \
    ROW(ca_frame_encode, end_with_value, ca_frame_encode(F.buf, sizeof F.buf, CA_FRAME_END, &F.v, sizeof F.v, &FN), CA_EINVAL) \
    ROW(ca_frame_encode, small_out, ca_frame_encode(F.buf, sizeof F.v + CA_FRAME_OVERHEAD - 1, CA_FRAME_VALUE, &F.v, sizeof F.v, &FN), CA_ERANGE) \
    ROW(ca_frame_encode, too_long, ca_frame_encode(F.buf, (size_t)-1, CA_FRAME_VALUE, &F.v, CA_MAX_ELEM_SIZE + 1, &FN), CA_ERANGE) \
    ROW(ca_frame_decoder_init, null, ca_frame_decoder_init(NULL, F.buf, sizeof F.buf, 4), CA_EINVAL) \
    ROW(ca_frame_decoder_init, null_buf, ca_frame_decoder_init(&DX, NULL, sizeof F.buf, 4), CA_EINVAL) \
    ROW(ca_frame_decoder_init, small_buf, ca_frame_decoder_init(&DX, F.buf, CA_BRIDGE_BUF(4) - 1, 4), CA_ERANGE) \
    ROW(ca_frame_decoder_init, elem_too_big, ca_frame_decoder_init(&DX, F.buf, (size_t)-1, CA_MAX_ELEM_SIZE + 1), CA_ERANGE) \
    ROW(ca_frame_feed, null, ca_frame_feed(NULL, F.buf, 1), CA_EINVAL) \
    ROW(ca_frame_feed, zeroed, ca_frame_feed(&DX, F.buf, 1), CA_EINVAL) \
    ROW(ca_frame_next, null, ca_frame_next(NULL, NULL), CA_EINVAL) \
    ROW(ca_frame_next, zeroed, ca_frame_next(&DX, NULL), CA_EINVAL) \
    ROW(ca_strerror, unknown, strcmp(ca_strerror(12345), "unknown error"), 0) \
    ROW(ca_err_name, unknown, strcmp(ca_err_name(12345), "CA_UNKNOWN"), 0)

#if CA_HAVE_MALLOC
#define BAD_MALLOC(ROW)                                                      \
    ROW(ca_chan_new, null, ca_chan_new(NULL, CA_FIXED, 1, 4), CA_EINVAL)    \
    ROW(ca_chan_new, bad_cap_sets_null, chan_new_sets_null(), CA_EINVAL)    \
    ROW(ca_chan_new, elem_too_big, ca_chan_new((ca_chan **)&F.alt, CA_FIXED, 1, CA_MAX_ELEM_SIZE + 1), CA_ERANGE) \
    ROW(ca_chan_destroy, heap_channel, free_heap_with_destroy(), CA_EINVAL) \
    ROW(ca_go_new, null, ca_go_new(NULL, sizeof(ca_go)), CA_EINVAL)         \
    ROW(ca_go_new, too_small, ca_go_new((ca_go **)&F.alt, sizeof(ca_go) - 1), CA_EINVAL) \
    ROW(ca_go_result, null, ca_go_result(NULL, 4, (ca_chan **)&F.alt), CA_EINVAL) \
    ROW(ca_go_result, null_out, ca_go_result(&F.g, 4, NULL), CA_EINVAL)     \
    ROW(ca_go_result, elem_too_big, ca_go_result(&F.g, CA_MAX_ELEM_SIZE + 1, (ca_chan **)&F.alt), CA_ERANGE) \
    ROW(ca_go_result, size_mismatch, result_size_mismatch(), CA_EINVAL)     \
    ROW(ca_timeout, null, ca_timeout(&F.s, 1, NULL), CA_EINVAL)             \
    ROW(ca_timeout, too_long, ca_timeout(&F.s, CA_MAX_DELAY + 1, (ca_chan **)&F.alt), CA_ERANGE) \
    ROW(ca_timeout, zeroed_sched, ca_timeout(&F.zs, 1, (ca_chan **)&F.alt), CA_EINVAL) \
    ROW(ca_set_allocator, none, (ca_set_allocator(NULL, NULL), 0), 0)    \
    ROW(ca_to_chan, null_out, ca_to_chan(NULL, &F.s, &F.v, 1, sizeof F.v), CA_EINVAL) \
    ROW(ca_to_chan, null_values, ca_to_chan((ca_chan **)&F.alt, &F.s, NULL, 1, sizeof F.v), CA_EINVAL) \
    ROW(ca_vec_free, null, ca_vec_free(NULL), CA_EINVAL)
#else
#define BAD_MALLOC(ROW)
#endif

/* The pool and ca_thread: real with threads and malloc, else refused. */
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
#define BAD_POOL(ROW)                                                        \
    ROW(ca_sched_start, zeroed, ca_sched_start(&F.zs, 1), CA_EINVAL)        \
    ROW(ca_sched_start, too_many, ca_sched_start(&F.s, CA_POOL_MAX + 1), CA_ERANGE) \
    ROW(ca_sched_stop, zeroed, ca_sched_stop(&F.zs), CA_EINVAL)             \
    ROW(ca_sched_stop, no_pool, ca_sched_stop(&F.s), CA_EINVAL)             \
    ROW(ca_thread, null_fn, ca_thread(NULL, NULL, 4, (ca_chan **)&F.alt), CA_EINVAL) \
    ROW(ca_thread, null_out, ca_thread(thread_nop, NULL, 4, NULL), CA_EINVAL) \
    ROW(ca_thread, elem_too_big, ca_thread(thread_nop, NULL, CA_MAX_ELEM_SIZE + 1, (ca_chan **)&F.alt), CA_ERANGE)
#else
#define BAD_POOL(ROW)                                                        \
    ROW(ca_sched_start, zeroed, ca_sched_start(&F.zs, 1), CA_EINVAL)        \
    ROW(ca_sched_start, no_threads, ca_sched_start(&F.s, 1), CA_ENOTSUP)    \
    ROW(ca_sched_stop, zeroed, ca_sched_stop(&F.zs), CA_EINVAL)             \
    ROW(ca_sched_stop, no_threads, ca_sched_stop(&F.s), CA_ENOTSUP)         \
    ROW(ca_thread, no_threads, ca_thread(thread_nop, NULL, 4, (ca_chan **)&F.alt), CA_ENOTSUP)
#endif

/* ---- transforms and pipelines (issue 9, xf9): their fixtures and rows. */
static int bx_fn(void *ud, const void *in, void *out)
{
    (void)ud;
    memcpy(out, in, sizeof(int));
    return CA_OK;
}

static int bx_cat(void *ud, const void *in, ca_xf_out *out)
{
    (void)ud;
    return ca_xf_emit(out, in);
}

static ca_xf_map_t bx_map;
static ca_xf_comp_t bx_comp;
static ca_xf_filter_t bx_filter;
static ca_xf_take_t bx_take;
static ca_xf_partition_t bx_part;
static ca_xf_dedupe_t bx_dedupe;
static ca_xf_mapcat_t bx_mapcat;
static ca_xf_keep_t bx_keep;
static unsigned char bx_st[CA_XF_STORAGE(1, 1, sizeof(int))];

/* A valid int map, then a channel made with it. */
static ca_xf *bx_xf(void)
{
    (void)ca_xf_map(&bx_map, bx_fn, NULL, sizeof(int), sizeof(int));
    return &bx_map.xf;
}

/* The same map with one field broken (1: no step, 2: max_out 0, 3: input
** size, 4: output size), for the checks of a pipeline. */
static ca_xf bx_broken;

static ca_xf *bx_xf_broken(int which)
{
    bx_broken = *bx_xf();
    if (which == 1)
        bx_broken.step = NULL;
    else if (which == 2)
        bx_broken.max_out = 0;
    else if (which == 3)
        bx_broken.in_size = 8;
    else if (which == 5)
        bx_broken.in_size = CA_MAX_ELEM_SIZE + 1;
    else
        bx_broken.out_size = 8;
    return &bx_broken;
}

static ca_xf_out bx_out_nofn;

/* ca_xf_comp of one stage. */
static int bx_comp1(ca_xf *xf)
{
    ca_xf *xfs[1];

    xfs[0] = xf;
    return ca_xf_comp(xfs, 1, &bx_comp);
}

static int bx_init_cap(ca_buf_kind kind, size_t cap)
{
    return ca_chan_init_xf(&F.tmp, kind, cap, bx_st, sizeof bx_st, bx_xf(),
                           NULL, NULL);
}

static int bx_pred(void *ud, const void *val)
{
    (void)ud;
    return *(const int *)val != 0;
}

static int bx_init(ca_chan *ch, ca_buf_kind kind, size_t size, ca_xf *xf)
{
    return ca_chan_init_xf(ch, kind, 1, bx_st, size, xf, NULL, NULL);
}

#define BAD_XF(ROW)                                                          \
    ROW(ca_xf_emit, null, ca_xf_emit(NULL, &F.v), CA_EINVAL)                \
    ROW(ca_xf_comp, null, ca_xf_comp(NULL, 1, &bx_comp), CA_EINVAL)         \
    ROW(ca_xf_comp, zero, ca_xf_comp((ca_xf **)&F.alt, 0, &bx_comp), CA_EINVAL) \
    ROW(ca_chan_init_xf, null, bx_init(NULL, CA_FIXED, sizeof bx_st, bx_xf()), CA_EINVAL) \
    ROW(ca_chan_init_xf, unbuffered, bx_init(&F.tmp, CA_UNBUFFERED, sizeof bx_st, bx_xf()), CA_EINVAL) \
    ROW(ca_chan_init_xf, null_xf, bx_init(&F.tmp, CA_FIXED, sizeof bx_st, NULL), CA_EINVAL) \
    ROW(ca_chan_init_xf, small, bx_init(&F.tmp, CA_FIXED, 8, bx_xf()), CA_ERANGE) \
    ROW(ca_xf_map, null, ca_xf_map(NULL, bx_fn, NULL, 4, 4), CA_EINVAL)     \
    ROW(ca_xf_map, too_big, ca_xf_map(&bx_map, bx_fn, NULL, 4, 257), CA_ERANGE) \
    ROW(ca_xf_filter, null_pred, ca_xf_filter(&bx_filter, NULL, NULL, 4), CA_EINVAL) \
    ROW(ca_xf_remove, null_pred, ca_xf_remove(&bx_filter, NULL, NULL, 4), CA_EINVAL) \
    ROW(ca_xf_take_while, null_pred, ca_xf_take_while(&bx_filter, NULL, NULL, 4), CA_EINVAL) \
    ROW(ca_xf_keep, null_fn, ca_xf_keep(&bx_keep, NULL, NULL, 4, 4), CA_EINVAL) \
    ROW(ca_xf_take, null, ca_xf_take(NULL, 1, 4), CA_EINVAL)                \
    ROW(ca_xf_take, too_big, ca_xf_take(&bx_take, 1, CA_MAX_ELEM_SIZE + 1), CA_ERANGE) \
    ROW(ca_xf_drop, null, ca_xf_drop(NULL, 1, 4), CA_EINVAL)                \
    ROW(ca_xf_partition_all, n_0, ca_xf_partition_all(&bx_part, 0, 4, bx_st, sizeof bx_st), CA_EINVAL) \
    ROW(ca_xf_partition_all, small_buf, ca_xf_partition_all(&bx_part, 4, 4, bx_st, 8), CA_ERANGE) \
    ROW(ca_xf_partition_by, null_key, ca_xf_partition_by(&bx_part, NULL, NULL, 4, 2, 4, bx_st, sizeof bx_st), CA_EINVAL) \
    ROW(ca_xf_dedupe, null_last, ca_xf_dedupe(&bx_dedupe, 4, NULL), CA_EINVAL) \
    ROW(ca_xf_mapcat, max_out_0, ca_xf_mapcat(&bx_mapcat, bx_cat, NULL, 4, 4, 0), CA_EINVAL) \
    ROW(ca_xf_emit, null_fn, ca_xf_emit(&bx_out_nofn, &F.v), CA_EINVAL)    \
    ROW(ca_xf_comp, no_step, bx_comp1(bx_xf_broken(1)), CA_EINVAL)           \
    ROW(ca_xf_comp, in_too_big, bx_comp1(bx_xf_broken(5)), CA_ERANGE)        \
    ROW(ca_chan_init_xf, promise_cap_2, bx_init_cap(CA_PROMISE, 2), CA_EINVAL) \
    ROW(ca_chan_init_xf, kind_99, bx_init_cap((ca_buf_kind)99, 1), CA_EINVAL) \
    ROW(ca_chan_init_xf, cap_too_big, bx_init_cap(CA_SLIDING, (size_t)CA_MAX_CAPACITY + 1), CA_ERANGE) \
    ROW(ca_chan_init_xf, in_too_big, bx_init(&F.tmp, CA_FIXED, sizeof bx_st, bx_xf_broken(5)), CA_ERANGE) \
    ROW(ca_xf_map, in_too_big, ca_xf_map(&bx_map, bx_fn, NULL, CA_MAX_ELEM_SIZE + 1, 4), CA_ERANGE) \
    ROW(ca_xf_keep, null, ca_xf_keep(NULL, bx_fn, NULL, 4, 4), CA_EINVAL) \
    ROW(ca_xf_keep, too_big, ca_xf_keep(&bx_keep, bx_fn, NULL, 4, 257), CA_ERANGE) \
    ROW(ca_xf_keep, in_too_big, ca_xf_keep(&bx_keep, bx_fn, NULL, CA_MAX_ELEM_SIZE + 1, 4), CA_ERANGE) \
    ROW(ca_xf_filter, null, ca_xf_filter(NULL, bx_pred, NULL, 4), CA_EINVAL) \
    ROW(ca_xf_filter, too_big, ca_xf_filter(&bx_filter, bx_pred, NULL, CA_MAX_ELEM_SIZE + 1), CA_ERANGE) \
    ROW(ca_xf_partition_all, null_buf, ca_xf_partition_all(&bx_part, 2, 4, NULL, 64), CA_EINVAL) \
    ROW(ca_xf_partition_all, null, ca_xf_partition_all(NULL, 2, 4, bx_st, sizeof bx_st), CA_EINVAL) \
    ROW(ca_xf_partition_all, size_too_big, ca_xf_partition_all(&bx_part, 1, CA_MAX_ELEM_SIZE + 1, bx_st, sizeof bx_st), CA_ERANGE) \
    ROW(ca_xf_partition_all, n_too_big, ca_xf_partition_all(&bx_part, CA_MAX_ELEM_SIZE + 1, 0, bx_st, sizeof bx_st), CA_ERANGE) \
    ROW(ca_xf_partition_all, group_too_big, ca_xf_partition_all(&bx_part, 20000, 4, bx_st, sizeof bx_st), CA_ERANGE) \
    ROW(ca_xf_partition_by, key_too_big, ca_xf_partition_by(&bx_part, bx_fn, NULL, CA_MAX_ELEM_SIZE + 1, 2, 4, bx_st, sizeof bx_st), CA_ERANGE) \
    ROW(ca_xf_partition_by, n_0, ca_xf_partition_by(&bx_part, bx_fn, NULL, 4, 0, 4, bx_st, sizeof bx_st), CA_EINVAL) \
    ROW(ca_xf_dedupe, null, ca_xf_dedupe(NULL, 4, &F.v), CA_EINVAL) \
    ROW(ca_xf_dedupe, too_big, ca_xf_dedupe(&bx_dedupe, CA_MAX_ELEM_SIZE + 1, &F.v), CA_ERANGE) \
    ROW(ca_xf_mapcat, null_fn, ca_xf_mapcat(&bx_mapcat, NULL, NULL, 4, 4, 1), CA_EINVAL) \
    ROW(ca_xf_mapcat, too_big, ca_xf_mapcat(&bx_mapcat, bx_cat, NULL, 4, CA_MAX_ELEM_SIZE + 1, 1), CA_ERANGE)
#if CA_HAVE_MALLOC
#define BAD_XF_MALLOC(ROW)                                                   \
    ROW(ca_chan_new_xf, null, ca_chan_new_xf(NULL, CA_FIXED, 1, bx_xf(), NULL, NULL), CA_EINVAL) \
    ROW(ca_chan_new_xf, unbuffered, ca_chan_new_xf((ca_chan **)&F.alt, CA_UNBUFFERED, 0, bx_xf(), NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, n_0, ca_pipeline(0, &F.live, bx_xf(), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, null_to, ca_pipeline(1, NULL, bx_xf(), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, destroyed, ca_pipeline(1, &F.live, bx_xf(), &F.dead, 1, NULL, NULL, NULL, NULL), CA_EBADCHAN) \
    ROW(ca_pipeline, zeroed_sched, ca_pipeline(1, &F.live, bx_xf(), &F.live, 1, NULL, NULL, &F.zs, NULL), CA_EINVAL) \
    ROW(ca_pipeline, null_xf, ca_pipeline(1, &F.live, NULL, &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, destroyed_to, ca_pipeline(1, &F.dead, bx_xf(), &F.live, 1, NULL, NULL, NULL, NULL), CA_EBADCHAN) \
    ROW(ca_pipeline, xf_no_step, ca_pipeline(1, &F.live, bx_xf_broken(1), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, xf_max_out_0, ca_pipeline(1, &F.live, bx_xf_broken(2), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, xf_in_size, ca_pipeline(1, &F.live, bx_xf_broken(3), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline, xf_out_size, ca_pipeline(1, &F.live, bx_xf_broken(4), &F.live, 1, NULL, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline_async, null_af, ca_pipeline_async(1, &F.live, NULL, NULL, &F.live, 1, NULL, NULL), CA_EINVAL) \
    ROW(ca_pipeline_blocking, n_0, ca_pipeline_blocking(0, &F.live, bx_xf(), &F.live, 1, NULL, NULL, NULL, NULL), CA_HAVE_THREADS ? CA_EINVAL : CA_ENOTSUP) \
    ROW(ca_pipeline_blocking, null_xf, ca_pipeline_blocking(1, &F.live, NULL, &F.live, 1, NULL, NULL, NULL, NULL), CA_HAVE_THREADS ? CA_EINVAL : CA_ENOTSUP)
#else
#define BAD_XF_MALLOC(ROW)
#endif
/* ---- end of the transforms block */

/* Rows of known defects: XFAIL(function, case, expression, code, why). */
#define BAD_XFAIL(XFAIL)

#define DEFINE_ROW(fn, name, expr, want)                                     \
    static void bad_##fn##_##name(void)                                      \
    {                                                                        \
        setup();                                                             \
        CA_ASSERT_RC((expr), (want));                                        \
        check_and_teardown();                                                \
    }
#define DEFINE_XFAIL(fn, name, expr, want, why)                              \
    static void bad_##fn##_##name(void)                                      \
    {                                                                        \
        int rc_;                                                             \
        setup();                                                             \
        rc_ = (expr);                                                        \
        if (rc_ == (want))                                                   \
            CU_FAIL("XPASS (fixed? drop the XFAIL mark): " why);             \
        check_and_teardown();                                                \
    }
#define LIST_ROW(fn, name, expr, want) {#fn "/" #name, bad_##fn##_##name},
#define LIST_XFAIL(fn, name, expr, want, why)                                \
    {#fn "/" #name " (XFAIL: " why ")", bad_##fn##_##name},

/* ---- pipelines in the caller's storage (issue 9, xf9c): every build. */
static ca_pipeline_state bx_pl;
static unsigned char bx_pl_st[CA_PIPELINE_STORAGE(1, sizeof(int), sizeof(int),
                                                  1)];

static void bx_af(void *ud, const void *in, ca_chan *res)
{
    (void)ud;
    (void)in;
    (void)res;
}

/* ca_pipeline_init from the live channel to the unbuffered one, with the
** closed channel of int as `done`, and the arguments given. */
static int bx_pl_init(ca_pipeline_state *p, void *st, size_t size, unsigned n,
                      ca_xf *xf, ca_chan *from, ca_sched *s, ca_chan *done)
{
    return ca_pipeline_init(p, st, size, n, &F.unbuf, xf, from, 1, NULL,
                            NULL, s, done);
}

#define BX_PL_NEED CA_PIPELINE_STORAGE(1, sizeof(int), sizeof(int), 1)
#define BX_PL_ANEED CA_PIPELINE_ASYNC_STORAGE(1, sizeof(int), sizeof(int))
#define BAD_PL(ROW)                                                          \
    ROW(ca_pipeline_init, null_state, bx_pl_init(NULL, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, null_storage, bx_pl_init(&bx_pl, NULL, BX_PL_NEED, 1, bx_xf(), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, storage_short, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED - 1, 1, bx_xf(), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, storage_0, bx_pl_init(&bx_pl, bx_pl_st, 0, 1, bx_xf(), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, null_done, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.live, &F.s, NULL), CA_EINVAL) \
    ROW(ca_pipeline_init, done_is_to, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.live, &F.s, &F.unbuf), CA_EINVAL) \
    ROW(ca_pipeline_init, destroyed_done, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.live, &F.s, &F.dead), CA_EBADCHAN) \
    ROW(ca_pipeline_init, n_0, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 0, bx_xf(), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, n_too_big, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1025, bx_xf(), &F.live, &F.s, &F.closed), CA_ERANGE) \
    ROW(ca_pipeline_init, null_xf, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, NULL, &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, xf_in_size, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf_broken(3), &F.live, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_init, destroyed_from, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.dead, &F.s, &F.closed), CA_EBADCHAN) \
    ROW(ca_pipeline_init, zeroed_sched, bx_pl_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, bx_xf(), &F.live, &F.zs, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_blocking_init, null_xf, ca_pipeline_blocking_init(&bx_pl, bx_pl_st, BX_PL_NEED, 1, &F.unbuf, NULL, &F.live, 1, NULL, NULL, &F.s, &F.closed), CA_HAVE_THREADS && CA_HAVE_MALLOC ? CA_EINVAL : CA_ENOTSUP) \
    ROW(ca_pipeline_blocking_init, storage_short, ca_pipeline_blocking_init(&bx_pl, bx_pl_st, BX_PL_NEED - 1, 1, &F.unbuf, bx_xf(), &F.live, 1, NULL, NULL, &F.s, &F.closed), CA_HAVE_THREADS && CA_HAVE_MALLOC ? CA_EINVAL : CA_ENOTSUP) \
    ROW(ca_pipeline_async_init, null_af, ca_pipeline_async_init(&bx_pl, bx_pl_st, BX_PL_ANEED, 1, &F.unbuf, NULL, NULL, &F.live, 1, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_async_init, storage_short, ca_pipeline_async_init(&bx_pl, bx_pl_st, BX_PL_ANEED - 1, 1, &F.unbuf, bx_af, NULL, &F.live, 1, &F.s, &F.closed), CA_EINVAL) \
    ROW(ca_pipeline_async_init, null_done, ca_pipeline_async_init(&bx_pl, bx_pl_st, BX_PL_ANEED, 1, &F.unbuf, bx_af, NULL, &F.live, 1, &F.s, NULL), CA_EINVAL)
BAD_PL(DEFINE_ROW)
/* ---- end of the caller's storage pipelines block */

/* ---- less boilerplate and trace (issue 10, trace10) */
static ca_group zero_group; /* never initialised */

#define BAD_GROUP(ROW)                                                       \
    ROW(ca_group_init, null, ca_group_init(NULL, 1), CA_EINVAL)             \
    ROW(ca_group_add, null, ca_group_add(NULL, 1), CA_EINVAL)               \
    ROW(ca_group_add, zeroed, ca_group_add(&zero_group, 1), CA_EBADCHAN)    \
    ROW(ca_group_done, null, ca_group_done(NULL), CA_EINVAL)                \
    ROW(ca_group_done, zeroed, ca_group_done(&zero_group), CA_EBADCHAN)     \
    ROW(ca_group_wait_blocking, null, ca_group_wait_blocking(NULL), CA_EINVAL) \
    ROW(ca_group_wait_blocking, zeroed, ca_group_wait_blocking(&zero_group), CA_EBADCHAN) \
    ROW(ca_group_destroy, null, ca_group_destroy(NULL), CA_EINVAL)          \
    ROW(ca_group_destroy, zeroed, ca_group_destroy(&zero_group), CA_EBADCHAN)
#if CA_HAVE_MALLOC
#define BAD_SPAWN(ROW)                                                       \
    ROW(ca_go_spawn, null_fn, ca_go_spawn(NULL, NULL, NULL, sizeof(ca_go)), CA_EINVAL) \
    ROW(ca_go_spawn, too_small, ca_go_spawn(NULL, nop_fn, NULL, sizeof(ca_go) - 1), CA_EINVAL) \
    ROW(ca_go_spawn, zeroed_sched, ca_go_spawn(&F.zs, nop_fn, NULL, sizeof(ca_go)), CA_EINVAL)
#else
#define BAD_SPAWN(ROW)
#endif
#if CA_CONFIG_TRACE
/* Stopping a trace that never started is not an error. */
#define BAD_TRACE(ROW) ROW(ca_trace, stop_unstarted, ca_trace(NULL), CA_OK)
#else
#define BAD_TRACE(ROW)
#endif
BAD_GROUP(DEFINE_ROW)
BAD_SPAWN(DEFINE_ROW)
BAD_TRACE(DEFINE_ROW)
/* ---- end of the less boilerplate and trace block */

/* ---- more connector rows (issue 12, cov12): each argument a connector
** checks, one row per check. SH is a live channel of shorts: an element
** size no int channel of the fixture has. */
static ca_chan SH;
static short sh_buf[2];

static ca_chan *sh(void)
{
    ca_chan_info i;

    if (ca_chan_inspect(&SH, &i) != CA_OK)
        CA_ASSERT_RC(ca_chan_init(&SH, CA_FIXED, 2, sizeof(short), sh_buf,
                                  sizeof sh_buf), CA_OK);
    return &SH;
}

/* A merge of the given input (in F.chs[0]) into `out`. */
static int merge_one(ca_chan *in, ca_chan *out, ca_sched *s)
{
    F.chs[0] = in;
    return ca_merge(&F.merge, s, F.chs, 1, out, F.alt, &F.v);
}

/* A ca_vec of ints with `len` of `cap` used, in storage or (NULL) not. */
static int into_vec(size_t len, size_t cap, int storage, ca_chan *from)
{
    static int arr[4];

    F.vec.data = storage ? arr : NULL;
    F.vec.len = len;
    F.vec.cap = cap;
    F.vec.elem_size = sizeof(int);
    return ca_into(&F.reduce, &F.s, from, &F.vec, &F.v, NULL);
}

/* Puts one value without closing: it is there, the channel open. */
static int onto_blocking_keeps_open(void)
{
    size_t put = 0;
    int rc = ca_onto_chan_blocking(&F.live, &F.v, 1, 0, &put), v = 0;

    CA_ASSERT_EQ(put, 1);
    CA_ASSERT_RC(ca_poll(&F.live, &v), CA_OK);
    CA_ASSERT_EQ(v, F.v);
    return rc;
}

#if CA_HAVE_MALLOC
/* ca_vec_free on an array of the caller's: emptied, never freed. */
static int vec_free_callers(void)
{
    static int arr[2];

    F.vec.data = arr;
    F.vec.cap = 2;
    F.vec.len = 1;
    F.vec.elem_size = sizeof(int);
    return ca_vec_free(&F.vec) == CA_OK && F.vec.data == NULL &&
                   F.vec.cap == 0 && F.vec.len == 0
               ? CA_OK
               : CA_EINVAL;
}
#endif

#define BAD_OPS_MORE(ROW)                                                    \
    ROW(ca_pipe, destroyed_to, ca_pipe(&F.pipe, &F.s, &F.live, &F.dead, 1, &F.v), CA_EBADCHAN) \
    ROW(ca_pipe, sizes_differ, ca_pipe(&F.pipe, &F.s, &F.live, sh(), 1, &F.v), CA_EINVAL) \
    ROW(ca_split, t_size, ca_split(&F.split, &F.s, no_pred, NULL, &F.live, sh(), &F.unbuf, &F.v), CA_EINVAL) \
    ROW(ca_split, f_size, ca_split(&F.split, &F.s, no_pred, NULL, &F.live, &F.unbuf, sh(), &F.v), CA_EINVAL) \
    ROW(ca_split, null_val, ca_split(&F.split, &F.s, no_pred, NULL, &F.live, &F.unbuf, &F.closed, NULL), CA_EINVAL) \
    ROW(ca_split, zeroed_sched, ca_split(&F.split, &F.zs, no_pred, NULL, &F.live, &F.unbuf, &F.closed, &F.v), CA_EINVAL) \
    ROW(ca_merge, destroyed_in, merge_one(&F.dead, &F.unbuf, &F.s), CA_EBADCHAN) \
    ROW(ca_merge, in_size, merge_one(sh(), &F.unbuf, &F.s), CA_EINVAL)       \
    ROW(ca_merge, in_is_out, merge_one(&F.live, &F.live, &F.s), CA_EINVAL)   \
    ROW(ca_merge, null_cases, ca_merge(&F.merge, &F.s, F.chs, 0, &F.unbuf, NULL, NULL), CA_EINVAL) \
    ROW(ca_merge, zeroed_sched, merge_one(&F.live, &F.unbuf, &F.zs), CA_EINVAL) \
    ROW(ca_take_n, destroyed_out, ca_take_n(&F.take_n, &F.s, &F.live, 1, &F.dead, &F.v), CA_EBADCHAN) \
    ROW(ca_take_n, sizes_differ, ca_take_n(&F.take_n, &F.s, &F.live, 1, sh(), &F.v), CA_EINVAL) \
    ROW(ca_take_n, null_val, ca_take_n(&F.take_n, &F.s, &F.live, 1, &F.unbuf, NULL), CA_EINVAL) \
    ROW(ca_take_n, zeroed_sched, ca_take_n(&F.take_n, &F.zs, &F.live, 1, &F.unbuf, &F.v), CA_EINVAL) \
    ROW(ca_reduce, null_acc, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, NULL, sizeof F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_reduce, destroyed_from, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.dead, &F.v, sizeof F.v, &F.v, NULL), CA_EBADCHAN) \
    ROW(ca_reduce, destroyed_result, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, &F.dead), CA_EBADCHAN) \
    ROW(ca_reduce, result_size, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, sh()), CA_EINVAL) \
    ROW(ca_reduce, result_is_from, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, &F.live), CA_EINVAL) \
    ROW(ca_reduce, null_val, ca_reduce(&F.reduce, &F.s, no_reduce, NULL, &F.live, &F.v, sizeof F.v, NULL, NULL), CA_EINVAL) \
    ROW(ca_reduce, zeroed_sched, ca_reduce(&F.reduce, &F.zs, no_reduce, NULL, &F.live, &F.v, sizeof F.v, &F.v, NULL), CA_EINVAL) \
    ROW(ca_into, len_over_cap, into_vec(3, 2, 1, &F.live), CA_EINVAL)        \
    ROW(ca_into, cap_without_data, into_vec(0, 2, 0, &F.live), CA_EINVAL)    \
    ROW(ca_into, no_room, into_vec(4, 4, 1, &F.live), CA_ERANGE)              \
    ROW(ca_into, destroyed_from, into_vec(0, 2, 1, &F.dead), CA_EBADCHAN)    \
    ROW(ca_onto_chan, destroyed, ca_onto_chan(&F.onto, &F.s, &F.dead, &F.v, 1, 1, NULL), CA_EBADCHAN) \
    ROW(ca_onto_chan, destroyed_done, ca_onto_chan(&F.onto, &F.s, &F.live, &F.v, 1, 1, &F.dead), CA_EBADCHAN) \
    ROW(ca_onto_chan, done_size, ca_onto_chan(&F.onto, &F.s, &F.live, &F.v, 1, 1, sh()), CA_EINVAL) \
    ROW(ca_onto_chan_blocking, null_values, ca_onto_chan_blocking(&F.live, NULL, 2, 0, NULL), CA_EINVAL) \
    ROW(ca_mix, max_without_slots, ca_mix(&F.mix, &F.s, &F.live, &F.v, NULL, F.alt, 1), CA_EINVAL) \
    ROW(ca_mix, max_too_big, ca_mix(&F.mix, &F.s, &F.live, &F.v, &F.mix_slot, F.alt, (size_t)CA_ALTS_MAX), CA_ERANGE) \
    ROW(ca_mix, zeroed_sched, ca_mix(&F.mix, &F.zs, &F.live, &F.v, NULL, NULL, 0), CA_EINVAL) \
    ROW(ca_mix_unmix, null_chan, ca_mix_unmix(&F.mix, NULL), CA_EINVAL)    \
    ROW(ca_mix_solo_mode, null, ca_mix_solo_mode(NULL, CA_MIX_MUTE), CA_EINVAL) \
    ROW(ca_mult, zeroed_sched, ca_mult(&F.mult, &F.zs, &F.live, &F.v, NULL, 0), CA_EINVAL) \
    ROW(ca_pub, null_val, ca_pub(&F.pub, &F.s, &F.live, no_topic, NULL, NULL, NULL), CA_EINVAL) \
    ROW(ca_pub, zeroed_sched, ca_pub(&F.pub, &F.zs, &F.live, no_topic, NULL, NULL, &F.v), CA_EINVAL) \
    ROW(ca_pub_topic, null_topic, ca_pub_topic(&F.pub, NULL, 0, &F.live, &F.v, NULL, 0), CA_EINVAL) \
    ROW(ca_pub_sub, null_chan, ca_pub_sub(&F.pub, 0, NULL, 0), CA_EINVAL)  \
    ROW(ca_pub_unsub, null_chan, ca_pub_unsub(&F.pub, 0, NULL), CA_EINVAL) \
    ROW(ca_mult_untap, not_tapped, ca_mult_untap(&F.mult, &F.live), CA_OK) \
    ROW(ca_alt_fd, fd_too_big, ca_alt_fd(F.alt, 0x40000000, CA_FD_READ, NULL), CA_EINVAL) \
    ROW(ca_alt_fd, extra_event, ca_alt_fd(F.alt, 0, CA_FD_READ | CA_FD_ERR, NULL), CA_EINVAL) \
    ROW(ca_onto_chan_blocking, no_close, onto_blocking_keeps_open(), CA_OK)
#if CA_HAVE_MALLOC
#define BAD_OPS_MORE_MALLOC(ROW)                                             \
    ROW(ca_to_chan, too_big, ca_to_chan((ca_chan **)&F.alt, &F.s, &F.v, 4, (size_t)-1 / 4), CA_ERANGE) \
    ROW(ca_vec_free, callers_array, vec_free_callers(), CA_OK)             \
    ROW(ca_to_chan, zeroed_sched, ca_to_chan((ca_chan **)&F.alt, &F.zs, &F.v, 1, sizeof F.v), CA_EINVAL)
#else
#define BAD_OPS_MORE_MALLOC(ROW)
#endif
BAD_OPS_MORE(DEFINE_ROW)
BAD_OPS_MORE_MALLOC(DEFINE_ROW)
/* ---- end of the more connector rows block */

BAD_CORE(DEFINE_ROW)
BAD_OPS(DEFINE_ROW)
BAD_MALLOC(DEFINE_ROW)
BAD_POOL(DEFINE_ROW)
BAD_XF(DEFINE_ROW)
BAD_XF_MALLOC(DEFINE_ROW)
BAD_XFAIL(DEFINE_XFAIL)

static const ca_test tests[] = {
    BAD_CORE(LIST_ROW) BAD_OPS(LIST_ROW) BAD_MALLOC(LIST_ROW) BAD_POOL(LIST_ROW)
    BAD_XF(LIST_ROW) BAD_XF_MALLOC(LIST_ROW) BAD_PL(LIST_ROW)
    BAD_XFAIL(LIST_XFAIL)
    BAD_GROUP(LIST_ROW) BAD_SPAWN(LIST_ROW) BAD_TRACE(LIST_ROW)
    BAD_OPS_MORE(LIST_ROW) BAD_OPS_MORE_MALLOC(LIST_ROW)
    {NULL, NULL}};

CA_TEST_MAIN("badinput", tests)
