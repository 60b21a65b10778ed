/*
** wordfreq.c: the ten most frequent words of a text.
**
**     demo/wordfreq [--trace FILE] [FILE]
**
** What it teaches: transforms (ca_xf(3)) doing the work of a stage and a
** pipeline (ca_pipeline(3)) running them on several workers, with the
** counting done by a reduction (ca_reduce, in ca_ops(3)). The network:
**
**     reader --lines--> pipeline of 4 workers --words--> reduce --> counts
**                       [split | lowercase | drop stop words]
**
** - A *reader* block puts the text on `lines`, one line a value.
** - The *pipeline* runs one transform on each line, on whichever worker
**   is free, and puts what comes out on `words` in the order of the lines.
**   The transform is three composed with ca_xf_comp: a mapcat that splits
**   a line into words (one input, many outputs), a map that lowercases a
**   word, a filter that drops the words too common to tell anything.
**   Each is a function of its input alone, which is what a pipeline wants:
**   its workers may run the same step at once.
** - A *reduce* folds every word into a table of counts, and gives its
**   totals when `words` closes.
**
** Everything lives in static storage, the pipeline too (ca_pipeline_init
** and CA_PIPELINE_STORAGE): the lesson runs in a build without malloc.
** One scheduler runs it all on this thread, so the workers take turns;
** with ca_sched_start they would run at once, and the output would be
** the same, since counts do not depend on the order words arrive in.
**
** What it prints: the number of words and of distinct words counted,
** then the ten most frequent with their counts, ties in alphabetical
** order so that the output is the same on every run. With no FILE it
** reads a paragraph of its own (that is what `make check` compares).
**
** MIT licence, see COPYING.
*/
#include <ctype.h>
#include <string.h>

#define LESSON_OWN_MAIN /* it takes a FILE argument */
#include "lesson.h"

/* ------------------------------------------------------------ the values */

#define LINE_MAX_LEN 255 /* a longer line is cut at its last space    */
#define WORD_MAX_LEN 31  /* a longer word is cut to this              */
#define WORDS_PER_LINE ((LINE_MAX_LEN + 1) / 2) /* "a a a ...": the most */

struct line {
    char s[LINE_MAX_LEN + 1];
};

struct word {
    char s[WORD_MAX_LEN + 1];
};

/* ------------------------------------------------------------ the text */

static const char paragraph[] =
    "A channel is a queue with a rendezvous in it. A go block that takes\n"
    "from an empty channel parks, and the thread that ran it runs another\n"
    "block instead; a block that puts into a full channel parks too. So a\n"
    "program becomes a network of small blocks joined by channels, and the\n"
    "channels carry the values and the timing both. A transform on a\n"
    "channel changes every value that goes through it: a map changes one\n"
    "value into another, a filter drops the values it does not want, and a\n"
    "mapcat turns one value into many. A pipeline runs a transform on many\n"
    "workers and still gives the values back in the order they came, so a\n"
    "slow value holds the ones behind it but never loses its place. Count\n"
    "the words of this paragraph and the channel, the value and the block\n"
    "come out on top: they are what the paragraph is about.\n";

/* The whole text, read before the network starts: a file is no slow
** device, and this keeps the reader block a simple loop. */
static char text[1u << 20];
static size_t text_len;

static void load(const char *path)
{
    FILE *f;

    if (path == NULL) {
        text_len = sizeof paragraph - 1;
        memcpy(text, paragraph, text_len);
        return;
    }
    if ((f = fopen(path, "rb")) == NULL) {
        perror(path);
        exit(EXIT_FAILURE);
    }
    text_len = fread(text, 1, sizeof text, f);
    if (!feof(f)) {
        fprintf(stderr, "wordfreq: %s: only the first %zu bytes are read\n",
                path, sizeof text);
    }
    fclose(f);
}

/* ------------------------------------------------------------ the reader */

/* Puts the text on `lines` one line at a time, then closes it. Its state
** lives in its struct, since a PUT may park (tutorial step 2). */
struct reader {
    ca_go go;
    ca_chan *out;
    size_t pos;
    struct line line;
};

static int reader_fn(ca_go *g)
{
    struct reader *r = (struct reader *)g;

    GO_BEGIN(g);
    while (r->pos < text_len) {
        size_t n = 0, cut;

        /* Up to the newline, or to the last space that fits. */
        while (r->pos + n < text_len && text[r->pos + n] != '\n' &&
               n < LINE_MAX_LEN)
            n++;
        cut = n;
        if (n == LINE_MAX_LEN && r->pos + n < text_len &&
            text[r->pos + n] != '\n') {
            while (cut > 0 && text[r->pos + cut - 1] != ' ')
                cut--;
            if (cut == 0) /* one word longer than a line: cut it there */
                cut = n;
        }
        memcpy(r->line.s, text + r->pos, cut);
        r->line.s[cut] = '\0';
        r->pos += cut;
        if (r->pos < text_len && text[r->pos] == '\n')
            r->pos++;
        PUT(g, r->out, &r->line);
    }
    check(ca_close(r->out), "ca_close");
    GO_END(g);
}

/* ------------------------------------------------------ the transforms */

/* mapcat: every run of letters of the line is a word, emitted one by one.
** A transform passes its outputs on with ca_xf_emit, and must give back
** what that returned when it is not CA_OK (what follows wants no more). */
static int split(void *ud, const void *in, ca_xf_out *out)
{
    const char *s = ((const struct line *)in)->s;
    struct word w;
    int rc;

    (void)ud;
    while (*s != '\0') {
        size_t n = 0;

        while (*s != '\0' && !isalpha((unsigned char)*s))
            s++;
        if (*s == '\0')
            break;
        while (isalpha((unsigned char)*s)) {
            if (n < WORD_MAX_LEN)
                w.s[n++] = *s;
            s++;
        }
        w.s[n] = '\0';
        if ((rc = ca_xf_emit(out, &w)) != CA_OK)
            return rc;
    }
    return CA_OK;
}

/* map: one word in, the same word in lower case out. */
static int lower(void *ud, const void *in, void *out)
{
    const struct word *a = (const struct word *)in;
    struct word *b = (struct word *)out;
    size_t i;

    (void)ud;
    for (i = 0; a->s[i] != '\0'; i++)
        b->s[i] = (char)tolower((unsigned char)a->s[i]);
    b->s[i] = '\0';
    return CA_OK;
}

/* filter: keeps a word unless it is one of these. */
static const char *const stop_words[] = {
    "a",  "an", "and", "are", "as",   "at", "be",   "but", "by",
    "do", "for", "from", "in", "into", "is", "it", "its", "of",
    "on", "or", "so", "that", "the", "they", "this", "to", "too",
    "was", "with", NULL};

static int not_stop_word(void *ud, const void *val)
{
    const char *const *list = stop_words;
    const char *w = ((const struct word *)val)->s;

    (void)ud;
    for (; *list != NULL; list++)
        if (strcmp(*list, w) == 0)
            return 0;
    return 1;
}

/* ------------------------------------------------------------ counting */

#define TABLE_SIZE 4096u /* distinct words at most, a power of two */

struct entry {
    struct word w;
    long count;
};

static struct entry table[TABLE_SIZE];

/* What the reduce folds into, and gives on its result channel. */
struct totals {
    long words, distinct;
};

static unsigned long hash(const char *s)
{
    unsigned long h = 5381;

    while (*s != '\0')
        h = h * 33u + (unsigned char)*s++;
    return h;
}

/* The reduce's step: counts one word. Returns non-zero (core.async's
** `reduced`) to stop early when the table is full. */
static int count(void *acc, const void *val, void *ud)
{
    struct totals *t = (struct totals *)acc;
    const struct word *w = (const struct word *)val;
    unsigned long i = hash(w->s);

    (void)ud;
    for (;; i++) {
        struct entry *e = &table[i & (TABLE_SIZE - 1u)];

        if (e->count == 0) {
            if (t->distinct == (long)TABLE_SIZE - 1)
                return 1; /* keep one slot free so that a probe ends */
            e->w = *w;
            t->distinct++;
        } else if (strcmp(e->w.s, w->s) != 0) {
            continue;
        }
        e->count++;
        t->words++;
        return 0;
    }
}

/* Most frequent first; equal counts in alphabetical order. */
static int by_count(const void *a, const void *b)
{
    const struct entry *x = (const struct entry *)a;
    const struct entry *y = (const struct entry *)b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->w.s, y->w.s);
}

/* ------------------------------------------------------------ the network */

#define WORKERS 4

static ca_sched sched;
static struct reader reader;

/* The channels, each in its own storage. `lines` and `words` are small:
** a full one makes its producer park, which paces the whole network. */
static ca_chan lines, words, done, result;
static struct line lines_buf[4];
static struct word words_buf[16];
static int done_buf[1];
static struct totals result_buf[1];

/* The transform: three stages and their composition. */
static ca_xf_mapcat_t split_xf;
static ca_xf_map_t lower_xf;
static ca_xf_filter_t filter_xf;
static ca_xf *stages[3];
static ca_xf_comp_t words_xf;

/* The pipeline's state and storage (ca_pipeline(3)): the size comes from
** the workers, the sizes of a line and a word, and the most words a line
** can give. */
static ca_pipeline_state pipeline;
static unsigned char pipeline_mem[CA_PIPELINE_STORAGE(
    WORKERS, sizeof(struct line), sizeof(struct word), WORDS_PER_LINE)];

/* The reduce: its state, its scratch value and its accumulator. */
static ca_reduce_state reduce;
static struct word reduce_val;
static struct totals totals;

int main(int argc, char **argv)
{
    struct totals got;
    int status, i, shown;

    demo_trace(&argc, argv);
    if (argc > 2) {
        fprintf(stderr, "usage: %s [--trace FILE] [FILE]\n", argv[0]);
        return 2;
    }
    load(argc == 2 ? argv[1] : NULL);

    check(ca_sched_init(&sched), "ca_sched_init");
    check(ca_chan_init(&lines, CA_FIXED, 4, sizeof(struct line), lines_buf,
                       sizeof lines_buf), "lines");
    check(ca_chan_init(&words, CA_FIXED, 16, sizeof(struct word), words_buf,
                       sizeof words_buf), "words");
    check(ca_chan_init(&done, CA_FIXED, 1, sizeof(int), done_buf,
                       sizeof done_buf), "done");
    check(ca_chan_init(&result, CA_FIXED, 1, sizeof(struct totals),
                       result_buf, sizeof result_buf), "result");

    /* split | lowercase | drop stop words, in the order the data flows */
    check(ca_xf_mapcat(&split_xf, split, NULL, sizeof(struct line),
                       sizeof(struct word), WORDS_PER_LINE), "split");
    check(ca_xf_map(&lower_xf, lower, NULL, sizeof(struct word),
                    sizeof(struct word)), "lower");
    check(ca_xf_filter(&filter_xf, not_stop_word, NULL, sizeof(struct word)),
          "filter");
    stages[0] = &split_xf.xf;
    stages[1] = &lower_xf.xf;
    stages[2] = &filter_xf.xf;
    check(ca_xf_comp(stages, 3, &words_xf), "ca_xf_comp");

    /* Wired from the end back, so that every stage has its reader. The
    ** pipeline closes `words` when `lines` closes; the reduce then gives
    ** its totals on `result`. */
    check(ca_reduce(&reduce, &sched, count, NULL, &words, &totals,
                    sizeof totals, &reduce_val, &result), "ca_reduce");
    check(ca_pipeline_init(&pipeline, pipeline_mem, sizeof pipeline_mem,
                           WORKERS, &words, &words_xf.xf, &lines, 1, NULL,
                           NULL, &sched, &done), "ca_pipeline_init");
    reader.out = &lines;
    check(ca_go_start(&sched, &reader.go, reader_fn), "reader");

    check(ca_sched_run(&sched), "ca_sched_run"); /* until all is done */

    check(ca_poll(&done, &status), "pipeline status");
    check(status, "pipeline");
    check(ca_poll(&result, &got), "totals");
    if (reduce.status != 0)
        fprintf(stderr, "wordfreq: more than %u distinct words: stopped\n",
                TABLE_SIZE - 1u);

    printf("%ld words, %ld distinct\n", got.words, got.distinct);
    qsort(table, TABLE_SIZE, sizeof table[0], by_count);
    for (i = 0, shown = 0; i < (int)TABLE_SIZE && shown < 10; i++) {
        if (table[i].count == 0)
            break;
        printf("%4ld %s\n", table[i].count, table[i].w.s);
        shown++;
    }
    return 0;
}
