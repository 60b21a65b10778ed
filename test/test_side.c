/*
** test_side.c: the fields kept beside the structs (issue 11, W6): a
** channel's name and a go block's result channel live in tables keyed by
** address in a build with malloc (src/side.c, src/result.c), in the
** structs without. Each test uses many at once, so that the tables grow,
** lose entries from the middle of their runs and empty again, and checks
** every one after each step. MIT licence, see COPYING.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#include "ca_test.h"

#define NCH 600 /* channels, and blocks: past several doublings */

static ca_chan chans[NCH];
static char names[NCH][16];

static const char *name_of(ca_chan *ch)
{
    ca_chan_info info;

    CA_ASSERT_RC(ca_chan_inspect(ch, &info), CA_OK);
    return info.name;
}

/* Each channel's name is the one it was given last, after renames and
** removals in between and the end and new start of others. */
static void side_names_many(void)
{
    int i;

    for (i = 0; i < NCH; i++) {
        CA_ASSERT_RC(ca_chan_init(&chans[i], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        CU_ASSERT_PTR_NULL(name_of(&chans[i]));
        snprintf(names[i], sizeof names[i], "ch %d", i);
        CA_ASSERT_RC(ca_chan_set_name(&chans[i], names[i]), CA_OK);
    }
    for (i = 0; i < NCH; i++)
        CU_ASSERT_PTR_EQUAL(name_of(&chans[i]), names[i]);
    /* Every third unnamed, every fifth renamed, every seventh ended. */
    for (i = 0; i < NCH; i++) {
        if (i % 3 == 0)
            CA_ASSERT_RC(ca_chan_set_name(&chans[i], NULL), CA_OK);
        if (i % 5 == 0)
            CA_ASSERT_RC(ca_chan_set_name(&chans[i], names[NCH - 1 - i]),
                         CA_OK);
        if (i % 7 == 0)
            CA_ASSERT_RC(ca_chan_destroy(&chans[i]), CA_OK);
    }
    for (i = 0; i < NCH; i++) {
        if (i % 7 == 0) {
            /* A channel made again in the same storage has no name. */
            CA_ASSERT_RC(ca_chan_init(&chans[i], CA_UNBUFFERED, 0,
                                      sizeof(int), NULL, 0),
                         CA_OK);
            CU_ASSERT_PTR_NULL(name_of(&chans[i]));
        } else if (i % 5 == 0) {
            CU_ASSERT_PTR_EQUAL(name_of(&chans[i]), names[NCH - 1 - i]);
        } else if (i % 3 == 0) {
            CU_ASSERT_PTR_NULL(name_of(&chans[i]));
        } else {
            CU_ASSERT_PTR_EQUAL(name_of(&chans[i]), names[i]);
        }
    }
    for (i = 0; i < NCH; i++)
        CA_ASSERT_RC(ca_chan_destroy(&chans[i]), CA_OK);
    /* All gone: storage that is made a channel again starts unnamed. */
    for (i = 0; i < NCH; i++) {
        CA_ASSERT_RC(ca_chan_init(&chans[i], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        CU_ASSERT_PTR_NULL(name_of(&chans[i]));
    }
    /* A name on storage that is made a channel again without an end in
    ** between (a channel never destroyed) does not carry over either. */
    CA_ASSERT_RC(ca_chan_set_name(&chans[0], "left behind"), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&chans[0], CA_UNBUFFERED, 0, sizeof(int), NULL,
                              0),
                 CA_OK);
    CU_ASSERT_PTR_NULL(name_of(&chans[0]));
    for (i = 0; i < NCH; i++)
        CA_ASSERT_RC(ca_chan_destroy(&chans[i]), CA_OK);
}

#if CA_HAVE_MALLOC
static int live_allocs;

static void *counting(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        if (ptr != NULL)
            live_allocs--;
        free(ptr);
        return NULL;
    }
    live_allocs++;
    return malloc(size);
}

/* The name of a channel of ours ends with its last reference: one made
** later, maybe at the same address, has none, and once no channel has a
** name the table holds no memory. */
static void side_name_of_freed_chan(void)
{
    ca_chan *a, *b;
    int i;

    ca_set_allocator(counting, NULL);
    live_allocs = 0;
    for (i = 0; i < 50; i++) {
        CA_ASSERT_RC(ca_chan_new(&a, CA_FIXED, 1, sizeof(int)), CA_OK);
        CA_ASSERT_RC(ca_chan_set_name(a, "short-lived"), CA_OK);
        CA_ASSERT_RC(ca_chan_retain(a), CA_OK);
        CA_ASSERT_RC(ca_chan_free(a), CA_OK); /* one reference left */
        CU_ASSERT_STRING_EQUAL(name_of(a), "short-lived");
        CA_ASSERT_RC(ca_chan_free(a), CA_OK);
        CA_ASSERT_EQ(live_allocs, 0); /* the channel, and its name's table */
        CA_ASSERT_RC(ca_chan_new(&b, CA_FIXED, 1, sizeof(int)), CA_OK);
        CU_ASSERT_PTR_NULL(name_of(b));
        CA_ASSERT_RC(ca_chan_free(b), CA_OK);
    }
    CA_ASSERT_EQ(live_allocs, 0);
    ca_set_allocator(NULL, NULL);
}
#endif

/* ------------------------------------------------------------ reports */

struct parked {
    ca_go go;
    ca_chan *ch;
    int v;
};

static struct parked blocks[NCH];

static int parked_fn(ca_go *g)
{
    struct parked *p = (struct parked *)g;

    GO_BEGIN(g);
    TAKE(g, p->ch, &p->v);
    GO_RETURN(g, &p->v);
    GO_END(g);
}

static ca_chan own[NCH]; /* result channels of ours */
static int own_buf[NCH];

#if !CA_CONFIG_TINY_GO
static int seen[NCH];

static void note_parked(const ca_parked *p, void *ud)
{
    const char *name;
    int i;

    (void)ud;
    CU_ASSERT_STRING_EQUAL(p->op, "TAKE");
    CU_ASSERT_STRING_EQUAL(p->func, "parked_fn");
    CU_ASSERT_PTR_NOT_NULL(strstr(p->file, "test_side.c"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->chan);
    name = name_of(p->chan);
    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    CU_ASSERT(sscanf(name, "ch %d", &i) == 1 && i >= 0 && i < NCH);
    if (i >= 0 && i < NCH) {
        CU_ASSERT_PTR_EQUAL(p->chan, &chans[i]);
        seen[i]++;
    }
}

/* Many blocks parked on many named channels: the deadlock report lists
** every one, at its site, on its channel, by name. */
static void side_report_many_parked(void)
{
    ca_sched s;
    FILE *f;
    char line[256];
    int i, lines = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < NCH; i++) {
        CA_ASSERT_RC(ca_chan_init(&chans[i], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        snprintf(names[i], sizeof names[i], "ch %d", i);
        CA_ASSERT_RC(ca_chan_set_name(&chans[i], names[i]), CA_OK);
        memset(&blocks[i], 0, sizeof blocks[i]);
        blocks[i].ch = &chans[i];
        CA_ASSERT_RC(ca_go_start(&s, &blocks[i].go, parked_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    memset(seen, 0, sizeof seen);
    CA_ASSERT_EQ(ca_sched_parked(&s, note_parked, NULL), NCH);
    for (i = 0; i < NCH; i++)
        CA_ASSERT_EQ(seen[i], 1);
    f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CA_ASSERT_EQ(ca_sched_dump(&s, f), NCH);
    rewind(f);
    while (fgets(line, sizeof line, f) != NULL) {
        CU_ASSERT_PTR_NOT_NULL(strstr(line, "parked_fn (")); /* its site */
        CU_ASSERT_PTR_NOT_NULL(strstr(line, "TAKE(p->ch) on channel \"ch "));
        lines++;
    }
    fclose(f);
    CA_ASSERT_EQ(lines, NCH);
    /* Every one wakes, and the list empties. */
    for (i = 0; i < NCH; i++)
        OFFER(&chans[i], i);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(ca_sched_parked(&s, note_parked, NULL), 0);
    for (i = 0; i < NCH; i++) {
        CA_ASSERT_EQ(blocks[i].v, i);
        CA_ASSERT_RC(ca_chan_destroy(&chans[i]), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------ results */

/* Many blocks with a result channel at once, given every way: asked for
** before the start, while parked, or a channel of ours (set before the
** start or while parked); some with none. Each gets its own value. */
static void side_results_many(void)
{
    ca_sched s;
    ca_chan *r[NCH];
    int i, v, way;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (i = 0; i < NCH; i++) {
        r[i] = NULL;
        CA_ASSERT_RC(ca_chan_init(&chans[i], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        CA_ASSERT_RC(ca_chan_init(&own[i], CA_FIXED, 1, sizeof(int),
                                  &own_buf[i], sizeof own_buf[i]),
                     CA_OK);
        memset(&blocks[i], 0, sizeof blocks[i]);
        blocks[i].ch = &chans[i];
        way = i % 5;
        if (way == 1)
            CA_ASSERT_RC(ca_go_set_result(&blocks[i].go, &own[i]), CA_OK);
#if CA_HAVE_MALLOC
        if (way == 0)
            CA_ASSERT_RC(ca_go_result(&blocks[i].go, sizeof(int), &r[i]),
                         CA_OK);
#endif
        CA_ASSERT_RC(ca_go_start(&s, &blocks[i].go, parked_fn), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
    for (i = 0; i < NCH; i++) {
        way = i % 5;
        if (way == 3)
            CA_ASSERT_RC(ca_go_set_result(&blocks[i].go, &own[i]), CA_OK);
        /* A second one is refused, whichever way the first came. */
        if (way == 1 || way == 3)
            CA_ASSERT_RC(ca_go_set_result(&blocks[i].go, &own[(i + 1) % NCH]),
                         CA_EBUSY);
#if CA_HAVE_MALLOC
        if (way == 2)
            CA_ASSERT_RC(ca_go_result(&blocks[i].go, sizeof(int), &r[i]),
                         CA_OK);
        if (way == 0 || way == 2) { /* the same channel again */
            ca_chan *again;
            CA_ASSERT_RC(ca_go_result(&blocks[i].go, sizeof(int), &again),
                         CA_OK);
            CU_ASSERT_PTR_EQUAL(again, r[i]);
            CA_ASSERT_RC(ca_chan_free(again), CA_OK);
        }
#endif
    }
    /* Woken in reverse: the table loses entries in another order than it
    ** gained them. */
    for (i = NCH - 1; i >= 0; i--)
        OFFER(&chans[i], 1000 + i);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    for (i = 0; i < NCH; i++) {
        way = i % 5;
        if (way == 1 || way == 3) {
            POLL_EQ(&own[i], 1000 + i);
            CU_ASSERT(ca_closed(&own[i]) == 1);
        } else {
            CU_ASSERT(ca_closed(&own[i]) == 0); /* never anyone's */
        }
        if (r[i] != NULL) {
            POLL_EQ(r[i], 1000 + i);
            CA_ASSERT_RC(ca_poll(r[i], &v), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_free(r[i]), CA_OK);
        }
        CA_ASSERT_RC(ca_chan_destroy(&own[i]), CA_OK);
        CA_ASSERT_RC(ca_chan_destroy(&chans[i]), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#endif /* !CA_CONFIG_TINY_GO */

/* One struct started, finished and started again. A result channel given
** before the first start is kept by it; given to the struct of a block
** that ended, it gets that block's value at once, closed (as one asked for
** after the end); the next start forgets the end, so a channel given
** while the block runs again gets the new run's value. */
static void side_result_restart(void)
{
    ca_sched s;
    struct parked *b = &blocks[0];
    ca_chan *ch = &chans[0];
    int round, v, last = 0;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_init(ch, CA_FIXED, 1, sizeof(int), &own_buf[0],
                              sizeof own_buf[0]),
                 CA_OK);
    memset(b, 0, sizeof *b);
    b->ch = ch;
    for (round = 0; round < 4; round++) {
        CA_ASSERT_RC(ca_chan_init(&own[1], CA_FIXED, 1, sizeof(int),
                                  &own_buf[1], sizeof own_buf[1]),
                     CA_OK);
        CA_ASSERT_RC(ca_go_set_result(&b->go, &own[1]), CA_OK);
        if (round > 0) {
            POLL_EQ(&own[1], last);
            CA_ASSERT_RC(ca_poll(&own[1], &v), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_destroy(&own[1]), CA_OK);
            CA_ASSERT_RC(ca_chan_init(&own[1], CA_FIXED, 1, sizeof(int),
                                      &own_buf[1], sizeof own_buf[1]),
                         CA_OK);
            CA_ASSERT_RC(ca_go_start(&s, &b->go, parked_fn), CA_OK);
            CA_ASSERT_RC(ca_go_set_result(&b->go, &own[1]), CA_OK);
        } else {
            CA_ASSERT_RC(ca_go_start(&s, &b->go, parked_fn), CA_OK);
        }
        CA_ASSERT_RC(ca_go_set_result(&b->go, &own[1]), CA_EBUSY);
        OFFER(ch, 10 * round + 1);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        POLL_EQ(&own[1], 10 * round + 1);
        CA_ASSERT_RC(ca_poll(&own[1], &v), CA_CLOSED);
        CA_ASSERT_RC(ca_chan_destroy(&own[1]), CA_OK);
        last = 10 * round + 1;
#if CA_HAVE_MALLOC
        {
            ca_chan *late;
            CA_ASSERT_RC(ca_go_result(&b->go, sizeof(int), &late), CA_OK);
            POLL_EQ(late, last);
            CA_ASSERT_RC(ca_poll(late, &v), CA_CLOSED);
            CA_ASSERT_RC(ca_chan_free(late), CA_OK);
        }
#endif
    }
    CA_ASSERT_RC(ca_chan_destroy(ch), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

/* ------------------------------------------------------------ functions */

/* A parked block keeps no pointer to its function: the site it parked at
** names it (through its body's `self`, which GO_BEGIN sets). So a block
** started through a wrapper of its body resumes through the wrapper, and
** blocks of different functions, and one struct started again under
** another function, each resume through their own. */
struct counted {
    ca_go go;
    ca_chan *ch;
    int v, sum, wrapped;
};

static int counted_body(ca_go *g)
{
    struct counted *c = (struct counted *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, c->ch, &c->v);
        if (GO_CLOSED(g))
            break;
        c->sum += c->v;
    }
    GO_END(g);
}

static int counted_wrapper(ca_go *g)
{
    ((struct counted *)g)->wrapped++;
    return counted_body(g);
}

static int doubled_body(ca_go *g)
{
    struct counted *c = (struct counted *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, c->ch, &c->v);
        if (GO_CLOSED(g))
            break;
        c->sum += 2 * c->v;
    }
    GO_END(g);
}

static void side_function_from_site(void)
{
    static struct counted a, b;
    ca_go_fn fns[] = {counted_wrapper, doubled_body, counted_wrapper};
    ca_sched s;
    int round, i;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    for (round = 0; round < 3; round++) {
        CA_ASSERT_RC(ca_chan_init(&chans[0], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        CA_ASSERT_RC(ca_chan_init(&chans[1], CA_UNBUFFERED, 0, sizeof(int),
                                  NULL, 0),
                     CA_OK);
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        a.ch = &chans[0];
        b.ch = &chans[1];
        /* `a` runs a different function each round, `b` one of them. A
        ** body is entered through one function only: counted_body
        ** through its wrapper, doubled_body directly (ca_go(3)). */
        CA_ASSERT_RC(ca_go_start(&s, &a.go, fns[round]), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &b.go, doubled_body), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
        for (i = 1; i <= 5; i++) {
            OFFER(&chans[0], i);
            OFFER(&chans[1], i);
            CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK);
        }
        CA_ASSERT_RC(ca_close(&chans[0]), CA_OK);
        CA_ASSERT_RC(ca_close(&chans[1]), CA_OK);
        CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
        CA_ASSERT_EQ(a.sum, fns[round] == doubled_body ? 30 : 15);
        CA_ASSERT_EQ(a.wrapped, fns[round] == counted_wrapper ? 7 : 0);
        CA_ASSERT_EQ(b.sum, 30);
        CA_ASSERT_EQ(b.wrapped, 0);
        CA_ASSERT_RC(ca_chan_destroy(&chans[0]), CA_OK);
        CA_ASSERT_RC(ca_chan_destroy(&chans[1]), CA_OK);
    }
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}

#if CA_HAVE_MALLOC
/* ------------------------------------------------------------ no memory */

static int fail_allocs;

static void *failing(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return fail_allocs ? NULL : malloc(size);
}

/* A table that cannot grow refuses with CA_ENOMEM and changes nothing:
** the channel stays unnamed, the block has no result channel (and holds
** no reference on the one offered), and both work on. */
static void side_enomem(void)
{
    ca_sched s;
    struct parked *b = &blocks[0];
    ca_chan_info info;

    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_chan_init(&chans[0], CA_UNBUFFERED, 0, sizeof(int), NULL,
                              0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_init(&own[0], CA_FIXED, 1, sizeof(int), &own_buf[0],
                              sizeof own_buf[0]),
                 CA_OK);
    memset(b, 0, sizeof *b);
    b->ch = &chans[0];
    ca_set_allocator(failing, NULL);
    fail_allocs = 1;
    CA_ASSERT_RC(ca_chan_set_name(&chans[0], "no room"), CA_ENOMEM);
    /* A channel that has a name is renamed without any. */
    fail_allocs = 0;
    CA_ASSERT_RC(ca_chan_set_name(&own[0], "first"), CA_OK);
    fail_allocs = 1;
    CA_ASSERT_RC(ca_chan_set_name(&own[0], "second"), CA_OK);
    CU_ASSERT_STRING_EQUAL(name_of(&own[0]), "second");
#if !CA_CONFIG_TINY_GO /* which keeps a fixed table */
    CA_ASSERT_RC(ca_go_set_result(&b->go, &own[0]), CA_ENOMEM);
#endif
    fail_allocs = 0;
    ca_set_allocator(NULL, NULL);
    CU_ASSERT_PTR_NULL(name_of(&chans[0]));
#if !CA_CONFIG_TINY_GO
    CA_ASSERT_RC(ca_chan_inspect(&own[0], &info), CA_OK);
    CA_ASSERT_EQ(info.refs, 1);
#else
    (void)info;
#endif
    CA_ASSERT_RC(ca_go_start(&s, &b->go, parked_fn), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_EDEADLOCK); /* parked in its TAKE */
    OFFER(&chans[0], 7);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_EQ(b->v, 7);
#if !CA_CONFIG_TINY_GO
    CU_ASSERT(ca_closed(&own[0]) == 0); /* not its result channel */
#endif
    CA_ASSERT_RC(ca_chan_set_name(&chans[0], "room now"), CA_OK);
    CU_ASSERT_STRING_EQUAL(name_of(&chans[0]), "room now");
    CA_ASSERT_RC(ca_chan_destroy(&own[0]), CA_OK);
    CA_ASSERT_RC(ca_chan_destroy(&chans[0]), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
}
#endif

static const ca_test tests[] = {
    {"side_names_many", side_names_many},
#if CA_HAVE_MALLOC
    {"side_name_of_freed_chan", side_name_of_freed_chan},
#endif
#if !CA_CONFIG_TINY_GO /* no list of blocks; a table of 8 results */
    {"side_report_many_parked", side_report_many_parked},
    {"side_results_many", side_results_many},
#endif
    {"side_result_restart", side_result_restart},
    {"side_function_from_site", side_function_from_site},
#if CA_HAVE_MALLOC
    {"side_enomem", side_enomem},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("side", tests)
