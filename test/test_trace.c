/*
** test_trace.c: the event trace of a library built with --enable-trace
** (ca_trace(3)): which lines a small run writes, and that a stopped
** trace writes none. MIT licence, see COPYING.
*/
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_test.h"

GO_STATE(pinger, ca_chan *ch; int v;);

static int pinger(ca_go *g)
{
    GO_BEGIN_SELF(g, struct pinger, p);
    PUT(g, p->ch, &p->v);
    ca_close(p->ch);
    GO_END(g);
}

GO_STATE(ponger, ca_chan *ch; int v; int got;);

static int ponger(ca_go *g)
{
    GO_BEGIN_SELF(g, struct ponger, p);
    TAKE_EACH(g, p->ch, &p->v)
        p->got = p->v;
    GO_END(g);
}

/* How many lines of f have `event` as their second word and contain
** `part` (NULL: any). */
static int count(FILE *f, const char *event, const char *part)
{
    char line[512], word[64];
    int n = 0;

    rewind(f);
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "%*s %63s", word) == 1 &&
            strcmp(word, event) == 0 && (part == NULL || strstr(line, part)))
            n++;
    return n;
}

/* One value over an unbuffered named channel: the pinger's put finds
** nobody and parks, the ponger's take meets it at once (a `take` line)
** and wakes it: the hand-off is a send from the pinger to the ponger. */
static void trace_one_hand_off(void)
{
    static struct pinger a;
    static struct ponger b;
    ca_chan ch;
    FILE *f = tmpfile();
    char head[64];

    CU_ASSERT_FATAL(f != NULL);
    CA_ASSERT_RC(ca_chan_init(&ch, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
                 CA_OK);
    CA_ASSERT_RC(ca_chan_set_name(&ch, "say \"hi\""), CA_OK);
    a.ch = b.ch = &ch;
    a.v = 7;
    CA_ASSERT_RC(ca_trace(f), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &a.go, pinger), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &b.go, ponger), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_trace(NULL), CA_OK);
    CA_ASSERT_EQ(b.got, 7);

    rewind(f);
    CU_ASSERT(fgets(head, sizeof head, f) != NULL);
    CU_ASSERT_STRING_EQUAL(head, "# coreasync trace 1\n");
    CA_ASSERT_EQ(count(f, "spawn", " by=t"), 2);
    CA_ASSERT_EQ(count(f, "park", "func=pinger"), 1);
    CA_ASSERT_EQ(count(f, "park", "op=PUT on=put:\"say \\\"hi\\\"\""), 1);
    CA_ASSERT_EQ(count(f, "wake", "op=put status=ok"), 1);
    CA_ASSERT_EQ(count(f, "send", "\"say \\\"hi\\\"\" from=g"), 1);
    CA_ASSERT_EQ(count(f, "close", NULL), 1);
    CA_ASSERT_EQ(count(f, "take", "status=ok"), 1);
    /* The ponger's second take parks, and the close wakes it. */
    CA_ASSERT_EQ(count(f, "wake", "op=take status=closed"), 1);
    CA_ASSERT_EQ(count(f, "done", NULL), 2);
    fclose(f);
    CA_ASSERT_RC(ca_chan_destroy(&ch), CA_OK);
}

/* A SLEEP is woken by its timer; once stopped, nothing more is written. */
GO_STATE(sleeper, int n;);

static int sleeper(ca_go *g)
{
    GO_BEGIN_SELF(g, struct sleeper, p);
    SLEEP(g, 1);
    p->n++;
    GO_END(g);
}

static void trace_timer_and_stop(void)
{
    static struct sleeper s;
    FILE *f = tmpfile();
    long end;

    CU_ASSERT_FATAL(f != NULL);
    CA_ASSERT_RC(ca_trace(f), CA_OK);
    CA_ASSERT_RC(ca_go_start(NULL, &s.go, sleeper), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    CA_ASSERT_RC(ca_trace(NULL), CA_OK);
    CA_ASSERT_EQ(count(f, "park", "op=SLEEP"), 1);
    CA_ASSERT_EQ(count(f, "wake", "by=timer"), 1);
    fseek(f, 0, SEEK_END);
    end = ftell(f);
    CA_ASSERT_RC(ca_go_start(NULL, &s.go, sleeper), CA_OK);
    CA_ASSERT_RC(ca_sched_run(NULL), CA_OK);
    fseek(f, 0, SEEK_END);
    CA_ASSERT_EQ(ftell(f), end);
    CA_ASSERT_EQ(s.n, 2);
    fclose(f);
}

#if CA_HAVE_THREADS && CA_HAVE_MALLOC
/* A result channel's close wakes a go block parked on it; the wake is
** traced on the pool worker that ended the giver, while the thread that
** saw the close may already have ended the channel and freed its name
** (ca_chan(3): the name must outlive the channel, no longer). The trace
** prints a copy taken under the names' lock, never the freed string: the
** name is overwritten with Z before its free, and no Z may be traced (the
** ASan build of .ci/run also sees the read itself). */
GO_STATE(late_taker, ca_chan *r; int v;);

static int late_taker(ca_go *g)
{
    GO_BEGIN_SELF(g, struct late_taker, p);
    TAKE(g, p->r, &p->v);
    GO_END(g);
}

GO_STATE(late_giver, int v;);

static int late_giver(ca_go *g)
{
    GO_BEGIN_SELF(g, struct late_giver, p);
    GO_RETURN(g, &p->v);
    GO_END(g);
}

static void trace_name_freed_after_close(void)
{
    ca_sched s;
    ca_chan r;
    ca_chan_info info;
    struct late_taker *a;
    struct late_giver *b;
    FILE *f = tmpfile();
    int buf[1], v, i;

    CU_ASSERT_FATAL(f != NULL);
    CA_ASSERT_RC(ca_sched_init(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_start(&s, 2), CA_OK);
    CA_ASSERT_RC(ca_trace(f), CA_OK);
    for (i = 0; i < 300; i++) {
        char *name = malloc(48);

        CU_ASSERT_FATAL(name != NULL);
        memset(name, 'x', 47);
        name[47] = '\0';
        CA_ASSERT_RC(ca_chan_init(&r, CA_FIXED, 1, sizeof(int), buf,
                                  sizeof buf),
                     CA_OK);
        CA_ASSERT_RC(ca_chan_set_name(&r, name), CA_OK);
        CA_ASSERT_RC(ca_go_new((ca_go **)&a, sizeof *a), CA_OK);
        a->r = &r;
        CA_ASSERT_RC(ca_go_start(&s, &a->go, late_taker), CA_OK);
        /* Set-up, not a wake-up: the taker must wait on r before the
        ** giver ends, so that the close's wake names r. */
        do {
            CA_ASSERT_RC(ca_chan_inspect(&r, &info), CA_OK);
            sched_yield();
        } while (info.pending_takes == 0);
        CA_ASSERT_RC(ca_go_new((ca_go **)&b, sizeof *b), CA_OK);
        b->v = i;
        CA_ASSERT_RC(ca_go_set_result(&b->go, &r), CA_OK);
        CA_ASSERT_RC(ca_go_start(&s, &b->go, late_giver), CA_OK);
        /* Seen closed by looking, as a thread that is not woken by the
        ** close does: a blocking take would be woken after the taker's
        ** traced wake, and hide the race. */
        while (ca_poll(&r, &v) != CA_CLOSED)
            ;
        CA_ASSERT_RC(ca_chan_destroy(&r), CA_OK);
        memset(name, 'Z', 47);
        free(name);
    }
    /* The last taker may still wait in a run queue: a stopped pool
    ** leaves its blocks to the next driver. */
    CA_ASSERT_RC(ca_sched_stop(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_run(&s), CA_OK);
    CA_ASSERT_RC(ca_sched_destroy(&s), CA_OK);
    CA_ASSERT_RC(ca_trace(NULL), CA_OK);
    CU_ASSERT(count(f, "wake", "\"xxxxxxxxxxxxxxxx") >= 1);
    CA_ASSERT_EQ(count(f, "wake", "ZZZZ"), 0);
    fclose(f);
}
#endif

static const ca_test tests[] = {
    {"trace_one_hand_off", trace_one_hand_off},
    {"trace_timer_and_stop", trace_timer_and_stop},
#if CA_HAVE_THREADS && CA_HAVE_MALLOC
    {"trace_name_freed_after_close", trace_name_freed_after_close},
#endif
    {NULL, NULL}};

CA_TEST_MAIN("trace", tests)
