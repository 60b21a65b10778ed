/*
** mix_console.c: a mixing console. Three instruments play into a mix;
** the engineer mutes, solos and pauses them between bars.
**
** What it teaches: ca_mix and its controls, in static storage. A mix
** reads its inputs with one ALTS and forwards what it hears to `out`:
**   - mute: the input is still read (it never backs up) but not heard;
**   - pause: the input is not read at all (its notes wait in its buffer);
**   - solo: while any input is soloed, only soloed ones are heard; the
**     solo mode says whether the others are muted (read, dropped) or
**     paused (left unread).
** Each bar, every instrument plays one note into its own buffered
** channel; main runs the go blocks until nothing moves (ca_sched_step,
** as a super-loop would) and shows what reached the speakers and what
** still waits in each instrument's buffer. The ALTS picks inputs at
** random, so the console sorts what it heard before printing.
**
** What it prints: one line per bar, as in mix_console.expected.
**
** MIT licence, see COPYING.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreasync.h>

#define NINST 3

static const char *const names[NINST] = {"drums", "bass", "voice"};

static struct {
    ca_chan ch;
    const char *buf[4];
} inst[NINST];

static struct {
    ca_chan ch;
    const char *buf[8];
} speakers;

static ca_mix_state mix;
static ca_mix_slot slots[NINST];
static ca_alt cases[NINST + 1];
static const char *note;        /* the mix's scratch value */

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "mix_console: %s: %s\n", what, ca_strerror(rc));
        exit(EXIT_FAILURE);
    }
}

/* Runs the go blocks until none can move (they wait for the next bar). */
static void settle(void)
{
    uint32_t next = 0;
    int rc;

    do
        rc = ca_sched_step(NULL, &next);
    while (rc == CA_OK && next == 0);
    if (rc != CA_EDEADLOCK) /* "deadlock": the mix waits for input */
        check(rc, "step");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One bar: every instrument plays a note; print what was heard. */
static void bar(const char *what)
{
    const char *heard[8], *n;
    size_t nh = 0, i;
    ca_chan_info info;

    for (i = 0; i < NINST; i++) /* a closed one has left: not played */
        if (ca_offer(&inst[i].ch, &names[i]) == CA_AGAIN)
            printf("  (%s's buffer is full)\n", names[i]);
    settle();
    while (nh < 8 && ca_poll(&speakers.ch, &n) == CA_OK)
        heard[nh++] = n;
    qsort(heard, nh, sizeof *heard, by_name);
    printf("%-31s heard:", what);
    for (i = 0; i < nh; i++)
        printf(" %s", heard[i]);
    printf(nh == 0 ? " (silence)" : "");
    printf("  | waiting:");
    for (i = 0; i < NINST; i++) {
        check(ca_chan_inspect(&inst[i].ch, &info), "inspect");
        if (info.count != 0)
            printf(" %s x%u", names[i], (unsigned)info.count);
    }
    printf("\n");
}

int main(void)
{
    int i;

    check(ca_chan_init(&speakers.ch, CA_FIXED, 8, sizeof(const char *),
                       speakers.buf, sizeof speakers.buf), "speakers");
    check(ca_mix(&mix, NULL, &speakers.ch, &note, slots, cases, NINST),
          "mix");
    for (i = 0; i < NINST; i++) {
        check(ca_chan_init(&inst[i].ch, CA_FIXED, 4, sizeof(const char *),
                           inst[i].buf, sizeof inst[i].buf), "instrument");
        check(ca_mix_admix(&mix, &inst[i].ch), "admix");
    }
    bar("bar 1: everyone");
    check(ca_mix_toggle(&mix, &inst[0].ch, CA_MIX_MUTE, CA_MIX_MUTE), "mute");
    bar("bar 2: drums muted");
    check(ca_mix_toggle(&mix, &inst[2].ch, CA_MIX_SOLO, CA_MIX_SOLO), "solo");
    bar("bar 3: voice solo (mute)");
    check(ca_mix_solo_mode(&mix, CA_MIX_PAUSE), "solo mode");
    bar("bar 4: voice solo (pause)");
    bar("bar 5: still");
    check(ca_mix_toggle(&mix, &inst[2].ch, CA_MIX_SOLO, 0), "unsolo");
    check(ca_mix_toggle(&mix, &inst[0].ch, CA_MIX_MUTE, 0), "unmute");
    bar("bar 6: all in, bass catches up");
    check(ca_mix_toggle(&mix, &inst[1].ch, CA_MIX_PAUSE, CA_MIX_PAUSE),
          "pause");
    bar("bar 7: bass paused");
    check(ca_close(&inst[0].ch), "close");
    bar("bar 8: the drummer leaves");

    /* Closing the speakers ends the mix at its next admin call. */
    check(ca_close(&speakers.ch), "close");
    check(ca_mix_unmix_all(&mix), "unmix_all");
    check(ca_sched_run(NULL), "run");
    return EXIT_SUCCESS;
}
