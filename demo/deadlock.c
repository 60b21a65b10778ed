/*
** deadlock.c: a deliberate deadlock, and how the scheduler reports it.
**
** What it teaches: what a deadlock looks like with channels, that
** ca_sched_run() notices it and returns CA_EDEADLOCK instead of hanging,
** how to read ca_sched_dump(), and how to get out of it (close the
** channels: the parked takes wake up with GO_CLOSED).
**
** The story: alice and bob are polite. Each waits to hear from the other
** before speaking, so both wait for ever. (The fix: one of them speaks
** first. A buffered channel would not help: nobody puts anything in it.)
**
** What it prints (line numbers are those of the TAKEs below):
**
**     ca_sched_run: deadlock: nothing can ever complete the operation
**     who waits where:
**       alice (demo/deadlock.c:50) parked in TAKE(&to_alice) on channel "to alice"
**       bob (demo/deadlock.c:68) parked in TAKE(&to_bob) on channel "to bob"
**     closing both channels to let them go
**     alice: "to alice" was closed, nobody will speak
**     bob: "to bob" was closed, nobody will speak
**     all blocks ended; the deadlock was diagnosed as expected
**
** It exits with status 0 when the deadlock was reported as expected (the
** demo worked), and 1 otherwise.
**
** MIT licence, see COPYING.
*/
#include "lesson.h" /* check(); the report needs a one-thread process */

/* The two channels, one into each speaker, named so that reports can say
** which is which (a name costs a pointer, and is not copied). */
static ca_chan to_alice, to_bob;

/* A speaker's state: the header and the message, which must survive the
** park in TAKE. Both go functions share it. */
struct speaker {
    ca_go go;               /* first member: the go-block header          */
    int msg;
};

/* Two functions rather than one shared one, so that the report names
** them: it shows the go function's name, its __func__. */
static int alice(ca_go *g)
{
    struct speaker *s = (struct speaker *)g;

    GO_BEGIN(g);
    /* Wait for bob to speak first. Nobody ever puts to "to alice"... */
    TAKE(g, &to_alice, &s->msg);
    if (GO_CLOSED(g)) {     /* no value: closed, or an error */
        if (GO_ERROR(g))
            check(GO_STATUS(g), "alice TAKE");
        printf("alice: \"to alice\" was closed, nobody will speak\n");
    } else {
        s->msg++;
        PUT(g, &to_bob, &s->msg); /* ...so alice never gets here */
    }
    GO_END(g);
}

static int bob(ca_go *g)
{
    struct speaker *s = (struct speaker *)g;

    GO_BEGIN(g);
    /* ...because bob, too, waits to be spoken to first. */
    TAKE(g, &to_bob, &s->msg);
    if (GO_CLOSED(g)) {
        if (GO_ERROR(g))
            check(GO_STATUS(g), "bob TAKE");
        printf("bob: \"to bob\" was closed, nobody will speak\n");
    } else {
        s->msg++;
        PUT(g, &to_alice, &s->msg);
    }
    GO_END(g);
}

int main(void)
{
    ca_sched sched;
    struct speaker a = {0}, b = {0};
    int rc, n;

    lesson_needs_one_thread("deadlock");
    check(ca_sched_init(&sched), "ca_sched_init");
    check(ca_chan_init(&to_alice, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_init(&to_bob, CA_UNBUFFERED, 0, sizeof(int), NULL, 0),
          "ca_chan_init");
    check(ca_chan_set_name(&to_alice, "to alice"), "ca_chan_set_name");
    check(ca_chan_set_name(&to_bob, "to bob"), "ca_chan_set_name");

    check(ca_go_start(&sched, &a.go, alice), "ca_go_start");
    check(ca_go_start(&sched, &b.go, bob), "ca_go_start");

    /* Both blocks run, both park in TAKE, and then nothing is ready, no
    ** timer is pending and nobody outside the scheduler has said it will
    ** wake anyone (ca_sched_ref): nothing can ever happen again. Rather
    ** than hang, ca_sched_run() returns CA_EDEADLOCK, and everything is
    ** still in place for us to look at. */
    rc = ca_sched_run(&sched);
    printf("ca_sched_run: %s\n", ca_strerror(rc));
    if (rc != CA_EDEADLOCK) {
        fprintf(stderr, "deadlock: expected CA_EDEADLOCK, got %s\n",
                ca_err_name(rc));
        return EXIT_FAILURE;
    }

    /*
    ** The diagnosis: one line per parked go block, such as
    **
    **   alice (demo/deadlock.c:50) parked in TAKE(&to_alice) on channel "to alice"
    **
    ** - `alice`: the go function (its __func__);
    ** - `demo/deadlock.c:50`: where it waits, the line of its TAKE;
    ** - `TAKE(&to_alice)`: the op, with its argument as written there;
    ** - `"to alice"`: the channel it waits on, by the name we gave it
    **   (a channel without a name shows as its address).
    **
    ** Read it as a graph: alice waits to take from "to alice", bob waits
    ** to take from "to bob". Who would put to those channels? Only bob
    ** and alice, after their own TAKEs: each waits for the other, a
    ** cycle.
    **
    ** Go, for the same program, kills it with "fatal error: all goroutines
    ** are asleep - deadlock!" and a stack trace per goroutine that says
    ** "[chan receive]" and the line, but not on which channel: Go's
    ** channels have no names, and there is no carrying on after the
    ** crash. Go notices only when *every* goroutine of the program is
    ** asleep; here each scheduler checks its own blocks, reports with a
    ** return code, and the program decides what to do.
    */
    printf("who waits where:\n");
    n = ca_sched_dump(&sched, stdout);
    check(n, "ca_sched_dump");
    if (n != 2) {
        fprintf(stderr, "deadlock: expected 2 parked blocks, found %d\n",
                n);
        return EXIT_FAILURE;
    }

    /* Getting out: closing a channel completes every TAKE waiting on it,
    ** with no value (GO_CLOSED). Both blocks then finish, and the second
    ** run ends with CA_OK: nothing is left parked. */
    printf("closing both channels to let them go\n");
    check(ca_close(&to_alice), "ca_close");
    check(ca_close(&to_bob), "ca_close");
    rc = ca_sched_run(&sched);
    if (rc != CA_OK) {
        fprintf(stderr, "deadlock: second run: %s\n", ca_strerror(rc));
        return EXIT_FAILURE;
    }

    check(ca_chan_destroy(&to_alice), "ca_chan_destroy");
    check(ca_chan_destroy(&to_bob), "ca_chan_destroy");
    check(ca_sched_destroy(&sched), "ca_sched_destroy");
    printf("all blocks ended; the deadlock was diagnosed as expected\n");
    return EXIT_SUCCESS;
}
