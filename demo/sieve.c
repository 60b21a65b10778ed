/*
** sieve.c: the concurrent prime sieve (Hoare 1978; the classic Go demo).
**
** What it teaches: a pipeline of go blocks that grows while it runs. A
** generator sends 2, 3, 4, ... down an unbuffered channel. Whatever comes
** out of the end of the chain is a prime: main prints it and splices a new
** filter onto the end, which drops the multiples of that prime. After k
** primes the chain is
**
**     generator -> filter(2) -> filter(3) -> filter(5) -> ... -> main
**
** It also shows go blocks and channels made with ca_go_new/ca_chan_new
** (one per prime, as many as the command line asks for), main talking to
** go blocks with a blocking take, and how to take the chain down cleanly:
** close it at the front and let the close flow down to the end.
**
** What it prints: `demo/sieve [N]` prints the first N primes (default
** 10), one per line, so the Nth prime is on the last line:
**
**     $ demo/sieve 5000 | tail -1
**     48611
**
** MIT licence, see COPYING.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <coreasync.h>

#include "trace.h" /* --trace FILE */

/* The filters and channels come from ca_go_new/ca_chan_new, which a
** `--disable-malloc` build leaves out: see the end of the file. */
#if CA_HAVE_MALLOC

static void check(int rc, const char *what)
{
    if (rc < 0) { /* CA_CLOSED and CA_AGAIN are positive: not failures */
        fprintf(stderr, "sieve: %s: %s\n", what, ca_strerror(rc));
        exit(EXIT_FAILURE);
    }
}

/*
** The generator: 2, 3, 4, ... into `out`, until `out` is closed.
**
** Its counter lives in the struct, not in a local: a PUT parks (returns
** from this function) until the first filter takes the number, and a local
** would be gone when the function is called again to carry on.
*/
struct generator {
    ca_go go;               /* first member: the go-block header          */
    ca_chan *out;
    int n;
};

static int generate(ca_go *g)
{
    struct generator *s = (struct generator *)g;

    GO_BEGIN(g);
    for (s->n = 2;; s->n++) {
        PUT(g, s->out, &s->n);
        if (GO_CLOSED(g))   /* main closed the front of the chain: stop */
            break;          /* (or the PUT failed: see below) */
    }
    if (GO_ERROR(g))        /* an error, not the close: report it */
        check(GO_STATUS(g), "generator PUT");

    /* Drop our reference to `out` (see main): whichever of us and the
    ** first filter lets go last frees the channel. */
    check(ca_chan_free(s->out), "ca_chan_free");
    GO_END(g);
}

/*
** A filter: passes on from `in` to `out` every number that `prime` does
** not divide. This is the shape of most go blocks: loop taking, stop
** when there is no value (GO_CLOSED: the input is closed, or the op
** failed), tell a failure from the end (GO_ERROR), then close the output
** so that the next stage stops too.
*/
struct filter {
    ca_go go;
    ca_chan *in, *out;
    int prime, n;
};

static int filter(ca_go *g)
{
    struct filter *f = (struct filter *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, f->in, &f->n); /* parks until a number comes, or close */
        if (GO_CLOSED(g))      /* no number: closed, or an error */
            break;
        if (f->n % f->prime != 0) {
            PUT(g, f->out, &f->n); /* parks until the next stage takes */
            if (GO_CLOSED(g))
                break;
        }
    }
    if (GO_ERROR(g))           /* CA_CLOSED is the end; this is a bug */
        check(GO_STATUS(g), "filter");

    /* Pass the end on, and let go of our input. Its writer closed it and
    ** never touches it again, so we are its last user and this frees it:
    ** except for the very first channel, which main closed while the
    ** generator still holds it; that one has a reference for each. */
    check(ca_close(f->out), "ca_close");
    check(ca_chan_free(f->in), "ca_chan_free");
    GO_END(g); /* made by ca_go_new: the scheduler frees `f` now */
}

static int parse_count(int argc, char **argv, int dflt)
{
    char *end;
    long n;

    if (argc < 2)
        return dflt;
    errno = 0;
    n = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || n < 1 ||
        n > 1000000) {
        fprintf(stderr, "usage: sieve [N]  (the first N primes, "
                        "1 <= N <= 1000000)\n");
        exit(EXIT_FAILURE);
    }
    return (int)n;
}

/* An unbuffered channel of int, from the heap. */
static ca_chan *new_chan(void)
{
    ca_chan *ch;

    check(ca_chan_new(&ch, CA_UNBUFFERED, 0, sizeof(int)), "ca_chan_new");
    return ch;
}

int main(int argc, char **argv)
{
    /* One generator: static storage, no allocation. Zeroed, as a go
    ** header must be before its first start. */
    static struct generator gen;
    ca_chan *front, *ch;
    ca_go *g;
    struct filter *f;
    int i, n, prime, rc;

    demo_trace(&argc, argv);
    n = parse_count(argc, argv, 10);
    /* Every go block here runs on the default scheduler (NULL), the one
    ** that main's blocking calls drive while they wait. */
    front = ch = new_chan();
    gen.out = front;
    /* A channel made by ca_chan_new comes with one reference, which goes
    ** to its reader, the first filter. The generator gets a second one:
    ** main will close `front` under its feet at the end, and it must be
    ** able to try one more PUT (and see CA_CLOSED) on a channel that is
    ** still there, even if the filter has already let go of it. */
    check(ca_chan_retain(front), "ca_chan_retain");
    check(ca_go_start(NULL, &gen.go, generate), "ca_go_start");

    for (i = 0; i < n; i++) {
        /* Whatever survives every filter so far is prime. main is not a
        ** go block, so it cannot park: ca_take_blocking() waits instead,
        ** running the go blocks until one of them hands it a value. */
        rc = ca_take_blocking(ch, &prime);
        if (rc != CA_OK) {
            fprintf(stderr, "sieve: take: %s\n", ca_strerror(rc));
            return EXIT_FAILURE;
        }
        printf("%d\n", prime);

        /* Splice a filter for this prime onto the end of the chain: it
        ** reads what we read so far, and we read what it lets through.
        ** ca_go_new gives zeroed storage that the scheduler frees when the
        ** block ends (go blocks made this way need no free of ours). */
        check(ca_go_new(&g, sizeof *f), "ca_go_new");
        f = (struct filter *)g;
        f->in = ch;
        f->out = ch = new_chan();
        f->prime = prime;
        check(ca_go_start(NULL, &f->go, filter), "ca_go_start");
    }

    /*
    ** Shut the chain down. Closing the front does it all:
    ** - the generator's next PUT fails, and it ends. (A PUT that was
    **   already waiting when the channel closed is still delivered, as in
    **   core.async; a close never loses a value that was handed over.)
    ** - filter(2) drains its input, sees it closed, closes its output and
    **   ends; so does filter(3), and so on down the chain.
    ** main keeps taking from the end (and drops what it gets) until the
    ** close arrives there: otherwise the last filter would wait forever
    ** to hand over its number.
    */
    check(ca_close(front), "ca_close");
    while ((rc = ca_take_blocking(ch, &prime)) == CA_OK)
        ;
    if (rc != CA_CLOSED) {
        fprintf(stderr, "sieve: draining: %s\n", ca_strerror(rc));
        return EXIT_FAILURE;
    }
    check(ca_chan_free(ch), "ca_chan_free"); /* we read it: we free it */

    /* The generator may still be queued to notice the close: let every
    ** block finish. CA_OK means none is left, so nothing leaked. */
    check(ca_sched_run(NULL), "ca_sched_run");
    return EXIT_SUCCESS;
}

#else /* !CA_HAVE_MALLOC */

int main(void)
{
    fputs("sieve: this build has no malloc (ca_go_new, ca_chan_new)\n",
          stderr);
    return 77; /* "does not apply to this build" to test/check-demos.sh */
}

#endif
