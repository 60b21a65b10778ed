/*
** pike.c: Rob Pike's Go concurrency patterns (Google I/O 2012), in C.
**
** What it teaches, one pattern per part:
** 1. generator: a function that starts a go block and returns the
**    channel it talks on; the channel is a handle on a service.
** 2. fan-in: one channel fed by two, with ALTS; whoever is ready speaks.
** 3. timeout: an ALTS with a deadline case gives up on a slow speaker.
** 4. quit channel: tell a generator to stop, and hear it say goodbye.
** 5. daisy chain: 10000 go blocks in a row, each adding one; a parked
**    go block costs only its struct (here about a hundred bytes).
** 6. Google search 1.0 to 3.0: fake searches of the web, images and
**    video, done one after the other, then at once, then with a time
**    limit, then each sent to two replicas, using the first to answer.
**
** Pike's speakers sleep for random times; ours sleep for fixed ones, and
** the lesson runs on a simulated clock (lesson.h), so what it prints is
** the same on every machine, and it takes no time at all. (Times show
** one ms more than the delays: a timer never fires early, and the tick
** it was set in may be partly gone, so a 30 ms SLEEP ends on the 31st
** tick.) main() talks
** to the go blocks with blocking calls, as Pike's main does: they drive
** the default scheduler while they wait.
**
** What to try: give a replica of part 6 a latency of 500 ms and see the
** time limit drop its result; make two speakers of part 2 tie (equal
** times) and see ALTS pick one at random.
**
** MIT licence, see COPYING.
*/
#include <string.h>

#include "lesson.h"

struct msg {
    char text[40];
};

static uint32_t t0; /* the simulated time at the start of a part */

static void say(const char *text)
{
    printf("[%4lu ms] %s\n", (unsigned long)(sim_ms - t0), text);
}

/* ---------------------------------------------------------- 1. generator */
struct boring {
    ca_go go;               /* first member: the go-block header          */
    ca_chan ch;             /* the channel it returns: its handle         */
    ca_chan *quit;          /* part 4: "stop", then "goodbye" on it       */
    const char *name;
    uint32_t delay;
    int i;
    struct msg m, q;        /* what it says; what it hears on quit       */
    ca_alt alt[2];
};

static int boring(ca_go *g)
{
    struct boring *b = (struct boring *)g;

    GO_BEGIN(g);
    for (b->i = 0;; b->i++) {
        snprintf(b->m.text, sizeof b->m.text, "%s %d", b->name, b->i);
        SLEEP(g, b->delay);
        if (b->quit == NULL) {
            PUT(g, &b->ch, &b->m);
            if (GO_CLOSED(g)) /* the listener closed: nobody listens */
                break;
        } else {
            /* Part 4: say the next thing, unless told to stop first. */
            check(ca_alt_put(&b->alt[0], &b->ch, &b->m), "ca_alt_put");
            check(ca_alt_take(&b->alt[1], b->quit, &b->q), "ca_alt_take");
            ALTS(g, b->alt, 2, 0);
            check(GO_STATUS(g), "ALTS");
            if (GO_ALT(g) == 1) {
                say("joe: told to quit; cleaning up");
                snprintf(b->m.text, sizeof b->m.text, "see you!");
                PUT(g, b->quit, &b->m);
                break;
            }
        }
    }
    GO_END(g);
}

static struct boring speakers[5]; /* one per start_boring(): zeroed headers */
static size_t nspeakers;

/* The generator: returns a channel; behind it, a go block talks. */
static ca_chan *start_boring(const char *name, uint32_t delay, ca_chan *quit)
{
    struct boring *b;

    if (nspeakers == sizeof speakers / sizeof speakers[0])
        check(CA_ERANGE, "start_boring: more speakers than storage");
    b = &speakers[nspeakers++];

    check(ca_chan_init(&b->ch, CA_UNBUFFERED, 0, sizeof(struct msg), NULL, 0),
          "ca_chan_init");
    b->name = name;
    b->delay = delay;
    b->quit = quit;
    check(ca_go_start(NULL, &b->go, boring), "ca_go_start");
    return &b->ch;
}

/* Stops listening: close, then take what a parked PUT still owes (a close
** never loses a value already handed over), until closed and drained. */
static void hang_up(ca_chan *ch)
{
    struct msg m;

    check(ca_close(ch), "ca_close");
    while (ca_take_blocking(ch, &m) == CA_OK)
        ;
}

static void part1(void)
{
    ca_chan *joe = start_boring("joe", 30, NULL);
    struct msg m;
    int i;

    printf("-- 1. generator\n");
    for (i = 0; i < 3; i++) {
        check(ca_take_blocking(joe, &m), "ca_take_blocking");
        say(m.text);
    }
    hang_up(joe);
}

/* ------------------------------------------------------------- 2. fan-in */
struct fanin {
    ca_go go;
    ca_chan *in[2];
    ca_chan out;
    ca_alt alt[2];
    struct msg m;
    int i;
};

static int fanin(ca_go *g)
{
    struct fanin *f = (struct fanin *)g;

    GO_BEGIN(g);
    for (;;) {
        check(ca_alt_take(&f->alt[0], f->in[0], &f->m), "ca_alt_take");
        check(ca_alt_take(&f->alt[1], f->in[1], &f->m), "ca_alt_take");
        ALTS(g, f->alt, 2, 0);
        if (GO_CLOSED(g))
            break;
        PUT(g, &f->out, &f->m);
        if (GO_CLOSED(g)) /* the listener hung up */
            break;
    }
    /* Hang up on both speakers, as hang_up() does, from inside a block. */
    for (f->i = 0; f->i < 2; f->i++) {
        check(ca_close(f->in[f->i]), "ca_close");
        do
            TAKE(g, f->in[f->i], &f->m);
        while (GO_OK(g));
    }
    GO_END(g);
}

static void part2(void)
{
    static struct fanin f;
    struct msg m;
    int i;

    printf("-- 2. fan-in: joe every 30 ms, ann every 47 ms\n");
    t0 = sim_ms;
    f.in[0] = start_boring("joe", 30, NULL);
    f.in[1] = start_boring("ann", 47, NULL);
    check(ca_chan_init(&f.out, CA_UNBUFFERED, 0, sizeof(struct msg), NULL, 0),
          "ca_chan_init");
    check(ca_go_start(NULL, &f.go, fanin), "ca_go_start");
    for (i = 0; i < 6; i++) {
        check(ca_take_blocking(&f.out, &m), "ca_take_blocking");
        say(m.text);
    }
    hang_up(&f.out);
}

/* ------------------------------------------------------------ 3. timeout */
static void part3(void)
{
    ca_chan *joe;
    ca_alt alt[2];
    struct msg m;
    size_t which;
    int i;

    printf("-- 3. timeout: joe every 60 ms, but we wait 50 ms at most\n");
    t0 = sim_ms;
    joe = start_boring("joe", 60, NULL);
    for (i = 0; i < 2; i++) {
        check(ca_alt_take(&alt[0], joe, &m), "ca_alt_take");
        check(ca_alt_deadline(&alt[1], 50), "ca_alt_deadline");
        check(ca_alts_blocking(alt, 2, 0, &which), "ca_alts_blocking");
        say(which == 0 ? m.text : "joe is too slow: gave up waiting");
    }
    hang_up(joe);
}

/* ------------------------------------------------------- 4. quit channel */
static void part4(void)
{
    ca_chan quit, *joe;
    struct msg m;
    int i;

    printf("-- 4. quit channel\n");
    t0 = sim_ms;
    check(ca_chan_init(&quit, CA_UNBUFFERED, 0, sizeof(struct msg), NULL, 0),
          "ca_chan_init");
    joe = start_boring("joe", 30, &quit);
    for (i = 0; i < 2; i++) {
        check(ca_take_blocking(joe, &m), "ca_take_blocking");
        say(m.text);
    }
    /* The quit channel carries a "stop" one way and a "goodbye" back. */
    snprintf(m.text, sizeof m.text, "stop");
    check(ca_put_blocking(&quit, &m), "ca_put_blocking");
    check(ca_take_blocking(&quit, &m), "ca_take_blocking");
    printf("[%4lu ms] joe says: %s\n", (unsigned long)(sim_ms - t0), m.text);
    check(ca_close(joe), "ca_close");
    check(ca_chan_destroy(&quit), "ca_chan_destroy");
}

/* ------------------------------------------------------- 5. daisy chain */
#define GOPHERS 10000

struct gopher {
    ca_go go;
    ca_chan *left, *right;
    int v;
};

/* left <- 1 + <-right */
static int gopher(ca_go *g)
{
    struct gopher *w = (struct gopher *)g;

    GO_BEGIN(g);
    TAKE(g, w->right, &w->v);
    check(GO_STATUS(g), "TAKE");
    w->v++;
    PUT(g, w->left, &w->v);
    check(GO_STATUS(g), "PUT");
    GO_END(g);
}

static void part5(void)
{
    static struct gopher w[GOPHERS];
    static ca_chan ch[GOPHERS + 1];
    int i, v = 1;

    printf("-- 5. daisy chain of %d go blocks\n", GOPHERS);
    for (i = 0; i <= GOPHERS; i++)
        check(ca_chan_init(&ch[i], CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
              "ca_chan_init");
    for (i = 0; i < GOPHERS; i++) {
        w[i].left = &ch[i];
        w[i].right = &ch[i + 1];
        check(ca_go_start(NULL, &w[i].go, gopher), "ca_go_start");
    }
    check(ca_put_blocking(&ch[GOPHERS], &v), "ca_put_blocking");
    check(ca_take_blocking(&ch[0], &v), "ca_take_blocking");
    printf("1 went in on the right, %d came out on the left\n", v);
    for (i = 0; i <= GOPHERS; i++)
        check(ca_chan_destroy(&ch[i]), "ca_chan_destroy");
}

/* ------------------------------------------------------ 6. Google search */
enum { WEB, IMAGE, VIDEO, NKINDS };
static const char *const kinds[NKINDS] = {"web", "image", "video"};

/* A fake search: answers after its latency, on `out`. */
struct search {
    ca_go go;
    ca_chan *out;
    uint32_t ms;
    struct msg r;
};

static int search(ca_go *g)
{
    struct search *q = (struct search *)g;

    GO_BEGIN(g);
    SLEEP(g, q->ms);
    PUT(g, q->out, &q->r);
    GO_END(g);
}

static struct search searches[16];
static size_t nsearches;

static void start_search(int kind, int replica, uint32_t ms, ca_chan *out)
{
    struct search *q = &searches[nsearches++];

    q->out = out;
    q->ms = ms;
    snprintf(q->r.text, sizeof q->r.text, "%s result (replica %d, %lu ms)",
             kinds[kind], replica, (unsigned long)ms);
    check(ca_go_start(NULL, &q->go, search), "ca_go_start");
}

/* Channels with room for every answer, so that an answer nobody waits
** for any more (too late, or a slower replica) never parks its search:
** Pike's buffered channel, which keeps the losers from leaking. */
static ca_chan results[NKINDS];
static struct msg room[NKINDS][2];

/* Takes answers until `n` have come or the limit (CA_FOREVER: none) has
** passed: one ALTS of three take cases and a deadline. A kind answered
** once is switched off (ca_alt_off), Go's nil channel in a select. */
static void gather(int n, uint32_t limit)
{
    ca_timeout_chan budget;
    ca_alt alt[NKINDS + 1];
    int got[NKINDS] = {0}, k;
    struct msg m[NKINDS];
    size_t which;

    if (limit != CA_FOREVER)
        check(ca_timeout_init(NULL, &budget, limit), "ca_timeout_init");
    while (n-- > 0) {
        for (k = 0; k < NKINDS; k++)
            check(got[k] ? ca_alt_off(&alt[k])
                         : ca_alt_take(&alt[k], &results[k], &m[k]),
                  "ca_alt_take");
        check(limit == CA_FOREVER ? ca_alt_off(&alt[NKINDS])
                                  : ca_alt_take(&alt[NKINDS], &budget.ch, NULL),
              "ca_alt_take");
        check(ca_alts_blocking(alt, NKINDS + 1, 0, &which), "ca_alts");
        if (which == NKINDS) {
            say("timed out");
            break;
        }
        got[which] = 1;
        say(m[which].text);
    }
    check(ca_sched_run(NULL), "ca_sched_run"); /* let the losers finish */
    if (limit != CA_FOREVER)
        check(ca_chan_destroy(&budget.ch), "ca_chan_destroy");
}

static void part6(void)
{
    static const uint32_t latency[NKINDS][2] = {{30, 90}, {50, 20}, {100, 40}};
    struct msg m;
    int k;

    for (k = 0; k < NKINDS; k++)
        check(ca_chan_init(&results[k], CA_FIXED, 2, sizeof(struct msg),
                           room[k], sizeof room[k]), "ca_chan_init");

    printf("-- 6. Google search 1.0: one after the other\n");
    t0 = sim_ms;
    for (k = 0; k < NKINDS; k++) {
        start_search(k, 1, latency[k][0], &results[k]);
        check(ca_take_blocking(&results[k], &m), "ca_take_blocking");
        say(m.text);
    }
    printf("-- Google search 2.0: all at once\n");
    t0 = sim_ms;
    for (k = 0; k < NKINDS; k++)
        start_search(k, 1, latency[k][0], &results[k]);
    gather(NKINDS, CA_FOREVER);
    printf("-- Google search 2.1: all at once, 80 ms at most\n");
    t0 = sim_ms;
    for (k = 0; k < NKINDS; k++)
        start_search(k, 1, latency[k][0], &results[k]);
    gather(NKINDS, 80);
    for (k = 0; k < NKINDS; k++) /* what came too late */
        while (ca_poll(&results[k], &m) == CA_OK)
            ;
    printf("-- Google search 3.0: two replicas each, the first answer wins, "
           "80 ms at most\n");
    t0 = sim_ms;
    for (k = 0; k < NKINDS; k++) {
        start_search(k, 1, latency[k][0], &results[k]);
        start_search(k, 2, latency[k][1], &results[k]);
    }
    gather(NKINDS, 80);
    for (k = 0; k < NKINDS; k++)
        check(ca_chan_destroy(&results[k]), "ca_chan_destroy");
}

int main(void)
{
    sim_clock(NULL); /* the default scheduler, the one blocking calls drive */
    part1();
    part2();
    part3();
    part4();
    part5();
    part6();
    check(ca_sched_run(NULL), "ca_sched_run");
    return EXIT_SUCCESS;
}
