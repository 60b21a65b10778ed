/*
** hoare.c: COPY, SQUASH, DISASSEMBLE and ASSEMBLE, the first programs of
** Hoare's "Communicating Sequential Processes" (CACM 21(8), 1978, §3).
**
** What it teaches: processes that each do one small thing, joined by
** channels into a pipeline; none of them knows what is before or after
** it. A deck of punched cards is read, DISASSEMBLEd into a stream of
** characters (a space after each card), COPYed, SQUASHed (every "**"
** becomes "^", Hoare's upward arrow) and ASSEMBLEd into printer lines,
** the last one padded with spaces:
**
**     cards -> DISASSEMBLE -> COPY -> SQUASH -> ASSEMBLE -> printer
**
** Hoare's cards are 80 columns and his printer 125; ours are 16 and 24,
** so that the output fits on a screen. The end of the deck is a close:
** each stage closes its output when its input is closed and drained, so
** the close flows down the pipeline and every stage ends.
**
** What to try:
** - Hoare's exercise: a SQUASH that also handles a trailing "*" at the
**   end of a card. (This one already passes a lone "*" on at the end.)
** - Put a buffered channel (CA_FIXED, 8) between two stages: the output
**   is the same, only the order in which the stages run changes.
**
** MIT licence, see COPYING.
*/
#include <string.h>

#include "lesson.h"

#define CARD 16 /* characters on a card */
#define LINE 24 /* characters on a printed line */

struct card {
    char col[CARD];
};

static const char *const deck[] = {
    "**Communicating",
    "  Sequential**  ",
    "Processes: a*b,",
    "a**b, a***b *",
};
#define NCARDS (sizeof deck / sizeof deck[0])

/* One struct for every stage: each uses the fields it needs. What must
** survive a park (the character in flight, the card, the line so far)
** lives here, never in a local. */
struct stage {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *west, *east;   /* input and output, in Hoare's words         */
    struct card card;
    char c, star;
    size_t n;
    char line[LINE + 1];
};

/* The card reader: puts each card, then closes (the end of the deck). */
static int reader(ca_go *g)
{
    struct stage *s = (struct stage *)g;

    GO_BEGIN(g);
    for (s->n = 0; s->n < NCARDS; s->n++) {
        memset(s->card.col, ' ', CARD);
        memcpy(s->card.col, deck[s->n], strlen(deck[s->n]));
        PUT(g, s->east, &s->card);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(s->east), "ca_close");
    GO_END(g);
}

/* DISASSEMBLE: each card's characters, then a space. */
static int disassemble(ca_go *g)
{
    struct stage *s = (struct stage *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, s->west, &s->card);
        if (GO_CLOSED(g))
            break;
        for (s->n = 0; s->n <= CARD; s->n++) {
            s->c = s->n < CARD ? s->card.col[s->n] : ' ';
            PUT(g, s->east, &s->c);
            if (GO_CLOSED(g))
                break;
        }
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(s->east), "ca_close");
    GO_END(g);
}

/* COPY: west to east, one character at a time. */
static int copy(ca_go *g)
{
    struct stage *s = (struct stage *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, s->west, &s->c);
        if (GO_CLOSED(g))
            break;
        PUT(g, s->east, &s->c);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(s->east), "ca_close");
    GO_END(g);
}

/* SQUASH: "**" becomes "^". After a "*" it must look at the next
** character before it knows what to send: a process with one character
** of memory, which is all a state machine needs. */
static int squash(ca_go *g)
{
    struct stage *s = (struct stage *)g;

    GO_BEGIN(g);
    s->star = '*';
    for (;;) {
        TAKE(g, s->west, &s->c);
        if (GO_CLOSED(g))
            break;
        if (s->c == '*') {
            TAKE(g, s->west, &s->c);
            if (GO_CLOSED(g)) { /* a "*" at the very end: pass it on */
                PUT(g, s->east, &s->star);
                break;
            }
            if (s->c == '*') {
                s->c = '^';
            } else {
                PUT(g, s->east, &s->star);
                if (GO_CLOSED(g))
                    break;
            }
        }
        PUT(g, s->east, &s->c);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(s->east), "ca_close");
    GO_END(g);
}

/* ASSEMBLE: characters into lines of LINE, the last padded; here it is
** also the line printer. */
static int assemble(ca_go *g)
{
    struct stage *s = (struct stage *)g;

    GO_BEGIN(g);
    for (s->n = 0;;) {
        TAKE(g, s->west, &s->c);
        if (GO_CLOSED(g))
            break;
        s->line[s->n++] = s->c;
        if (s->n == LINE) {
            printf("|%s|\n", s->line);
            s->n = 0;
        }
    }
    if (s->n > 0) {
        memset(s->line + s->n, ' ', LINE - s->n);
        printf("|%s|\n", s->line);
    }
    GO_END(g);
}

int main(void)
{
    static struct stage st[5]; /* zeroed, as go headers must be */
    static const ca_go_fn fn[5] = {reader, disassemble, copy, squash,
                                   assemble};
    ca_chan ch[4];
    size_t i;

    printf("the cards:\n");
    for (i = 0; i < NCARDS; i++)
        printf("[%-*s]\n", CARD, deck[i]);
    printf("the printer:\n");

    /* Unbuffered channels: cards, then characters. */
    check(ca_chan_init(&ch[0], CA_UNBUFFERED, 0, sizeof(struct card), NULL,
                       0), "ca_chan_init");
    for (i = 1; i < 4; i++)
        check(ca_chan_init(&ch[i], CA_UNBUFFERED, 0, 1, NULL, 0),
              "ca_chan_init");
    for (i = 0; i < 5; i++) {
        st[i].west = i > 0 ? &ch[i - 1] : NULL;
        st[i].east = i < 4 ? &ch[i] : NULL;
        check(ca_go_start(NULL, &st[i].go, fn[i]), "ca_go_start");
    }
    check(ca_sched_run(NULL), "ca_sched_run");
    for (i = 0; i < 4; i++)
        check(ca_chan_destroy(&ch[i]), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
