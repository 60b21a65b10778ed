/*
** santa.c: the Santa Claus problem (Trono 1994), with channels.
**
** Santa sleeps until either all nine reindeer are back from holiday (then
** they deliver toys together) or three of the ten elves have a question
** (then he helps those three; other elves wait for the next turn). The
** reindeer come first: if both groups are waiting, the toys win.
**
** What it teaches: a *gate* (a go block that gathers a group of a given
** size and hands it over as one value), a priority choice (ALTS with
** CA_ALTS_PRIORITY: the first ready case wins, not a random one), a reply
** on a second channel to say "done", and signal channels of element size
** 0 (TAKE_SIGNAL, PUT_SIGNAL), which carry nothing but the event.
**
**     reindeer x9 --arrive--> gate(9) --group--> Santa <--group-- gate(3)
**     elves x10   --arrive--> gate(3)     <--done--     --done-->
**
** Holidays and questions come after pseudo-random delays on the simulated
** clock (lesson.h), so the story is the same on every run.
**
** What to try: drop CA_ALTS_PRIORITY and find a run where elves are
** served while all the reindeer wait; make a gate of 3 let a fourth elf
** queue behind a group being helped (it does: that is its channel).
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define REINDEER 9
#define ELVES 10
#define ELF_GROUP 3
#define TRIPS 2     /* each reindeer's holidays */
#define QUESTIONS 3 /* each elf's */

struct group {
    int n, id[REINDEER];
};

/* Gathers `size` arrivals into a group, hands it to Santa, waits for
** him to be done, then lets the members go. */
struct gate {
    ca_go go;               /* first member: the go-block header          */
    int size;
    ca_chan arrive, to_santa, done, release;
    struct group grp;
};

static int gate(ca_go *g)
{
    struct gate *t = (struct gate *)g;

    GO_BEGIN(g);
    for (;;) {
        for (t->grp.n = 0; t->grp.n < t->size; t->grp.n++) {
            TAKE(g, &t->arrive, &t->grp.id[t->grp.n]);
            if (GO_CLOSED(g))
                break;
        }
        if (GO_CLOSED(g)) /* Santa closed the gate: the story is over */
            break;
        PUT(g, &t->to_santa, &t->grp);
        TAKE_SIGNAL(g, &t->done);
        for (t->grp.n = 0; t->grp.n < t->size; t->grp.n++)
            PUT_SIGNAL(g, &t->release);
    }
    GO_END(g);
}

/* A reindeer or an elf: away for a while, then to its gate, then wait to
** be released, `rounds` times. */
struct member {
    ca_go go;
    int id, rounds, r;
    uint32_t seed;
    struct gate *gate;
};

static int member(ca_go *g)
{
    struct member *m = (struct member *)g;

    GO_BEGIN(g);
    for (m->r = 0; m->r < m->rounds; m->r++) {
        m->seed = m->seed * 1103515245u + 12345u;
        SLEEP(g, 10 + (m->seed >> 16) % 90);
        PUT(g, &m->gate->arrive, &m->id);
        check(GO_STATUS(g), "PUT");
        TAKE_SIGNAL(g, &m->gate->release);
        check(GO_STATUS(g), "TAKE_SIGNAL");
    }
    GO_END(g);
}

static struct gate deer_gate, elf_gate;

struct santa {
    ca_go go;
    ca_alt alt[2];
    struct group grp;
    int trips, answers, i;
};

static int santa(ca_go *g)
{
    struct santa *s = (struct santa *)g;

    GO_BEGIN(g);
    while (s->trips < TRIPS || s->answers < ELVES * QUESTIONS / ELF_GROUP) {
        /* Case 0 first, and CA_ALTS_PRIORITY: reindeer before elves. */
        check(ca_alt_take(&s->alt[0], &deer_gate.to_santa, &s->grp),
              "ca_alt_take");
        check(ca_alt_take(&s->alt[1], &elf_gate.to_santa, &s->grp),
              "ca_alt_take");
        ALTS(g, s->alt, 2, CA_ALTS_PRIORITY);
        check(GO_STATUS(g), "ALTS");
        printf("[%4lu ms] Santa wakes: %s", (unsigned long)sim_ms,
               GO_ALT(g) == 0 ? "toys, with reindeer" : "questions from elves");
        for (s->i = 0; s->i < s->grp.n; s->i++)
            printf(" %d", s->grp.id[s->i]);
        printf("\n");
        if (GO_ALT(g) == 0) {
            s->trips++;
            SLEEP(g, 50);
            PUT_SIGNAL(g, &deer_gate.done);
        } else {
            s->answers++;
            SLEEP(g, 10);
            PUT_SIGNAL(g, &elf_gate.done);
        }
    }
    printf("[%4lu ms] Santa: %d trips, %d groups of elves helped\n",
           (unsigned long)sim_ms, s->trips, s->answers);
    check(ca_close(&deer_gate.arrive), "ca_close");
    check(ca_close(&elf_gate.arrive), "ca_close");
    GO_END(g);
}

static void open_gate(struct gate *t, int size)
{
    t->size = size;
    check(ca_chan_init(&t->arrive, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_init(&t->to_santa, CA_UNBUFFERED, 0, sizeof(struct group),
                       NULL, 0), "ca_chan_init");
    check(ca_chan_init(&t->done, CA_UNBUFFERED, 0, 0, NULL, 0),
          "ca_chan_init");
    check(ca_chan_init(&t->release, CA_UNBUFFERED, 0, 0, NULL, 0),
          "ca_chan_init");
    check(ca_go_start(NULL, &t->go, gate), "ca_go_start");
}

static void close_gate(struct gate *t)
{
    check(ca_chan_destroy(&t->arrive), "ca_chan_destroy");
    check(ca_chan_destroy(&t->to_santa), "ca_chan_destroy");
    check(ca_chan_destroy(&t->done), "ca_chan_destroy");
    check(ca_chan_destroy(&t->release), "ca_chan_destroy");
}

int main(void)
{
    static struct member m[REINDEER + ELVES]; /* zeroed go headers */
    static struct santa s;
    int i;

    sim_clock(NULL);
    open_gate(&deer_gate, REINDEER);
    open_gate(&elf_gate, ELF_GROUP);
    for (i = 0; i < REINDEER + ELVES; i++) {
        m[i].id = i < REINDEER ? i + 1 : i - REINDEER + 1;
        m[i].rounds = i < REINDEER ? TRIPS : QUESTIONS;
        m[i].seed = (uint32_t)i * 7919u;
        m[i].gate = i < REINDEER ? &deer_gate : &elf_gate;
        check(ca_go_start(NULL, &m[i].go, member), "ca_go_start");
    }
    check(ca_go_start(NULL, &s.go, santa), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    close_gate(&deer_gate);
    close_gate(&elf_gate);
    return EXIT_SUCCESS;
}
