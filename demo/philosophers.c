/*
** philosophers.c: the dining philosophers (Dijkstra 1965, Hoare's CSP
** §5.5), first deadlocking, then fixed.
**
** What it teaches: a shared resource as a channel (a fork is a channel
** with a buffer of one holding a token: taking the token is picking the
** fork up, putting it back is laying it down), how a cycle of waits
** becomes a deadlock, how to read the scheduler's report of it, and the
** classic fix: take the resources in one global order, so no cycle can
** form.
**
** Part 1: five philosophers each pick up their left fork, then their
** right. Each YIELDs in between, the worst timing there is: everyone
** holds a left fork, and everyone waits for a right one held by a
** neighbour. ca_sched_run() sees that nothing can ever run again and
** returns CA_EDEADLOCK; ca_sched_dump() shows the cycle: philosopher i
** waits in TAKE on fork i+1, which philosopher i+1 holds.
**
** Part 2: the same philosophers and the same YIELD, but each picks up
** the lower-numbered of its two forks first. Philosopher 4 now reaches
** for fork 0 before fork 4, the cycle is broken, and all of them eat.
**
** What to try:
** - Remove the YIELD in part 1: does it still deadlock? (Here the
**   scheduler is first-in first-out, so no: each philosopher gets both
**   forks before the next one runs. The deadlock is still there, waiting
**   for an unlucky timing, which is what makes such bugs rare and nasty.)
** - Hoare's fix instead of the ordering: a footman who lets at most four
**   philosophers sit down (a channel with a buffer of four seat tokens,
**   taken before the forks and put back after).
**
** It exits with status 0 when part 1 deadlocked as expected and part 2
** did not. MIT licence, see COPYING.
*/
#include "lesson.h"

#define N 5     /* philosophers, and forks */
#define MEALS 2 /* each, in part 2 */

/* The forks: channels in static storage, each with room for its token. */
static ca_chan forks[N];
static int fork_room[N];
static const char *const fork_names[N] = {"fork 0", "fork 1", "fork 2",
                                          "fork 3", "fork 4"};

struct philosopher {
    ca_go go;               /* first member: the go-block header          */
    int id;
    ca_chan *first, *second; /* the order it picks its forks up in       */
    int token;              /* a fork in hand; TAKE writes it while parked */
    int meals;
};

static int philosopher(ca_go *g)
{
    struct philosopher *p = (struct philosopher *)g;

    GO_BEGIN(g);
    for (p->meals = 0; p->meals < MEALS; p->meals++) {
        TAKE(g, p->first, &p->token);
        if (GO_CLOSED(g))
            break;
        printf("philosopher %d picks up %s\n", p->id,
               fork_names[p->first - forks]);
        YIELD(g); /* everyone else reaches for a fork now */
        TAKE(g, p->second, &p->token);
        if (GO_CLOSED(g))
            break;
        printf("philosopher %d picks up %s and eats\n", p->id,
               fork_names[p->second - forks]);
        /* Laying a fork down never waits: its channel has room for it. */
        PUT(g, p->second, &p->token);
        PUT(g, p->first, &p->token);
    }
    if (GO_ERROR(g))
        check(GO_STATUS(g), "philosopher");
    if (p->meals < MEALS)
        printf("philosopher %d: the forks are gone, leaving hungry\n", p->id);
    GO_END(g);
}

/* Lays the table: five forks, each with its token. */
static void lay_table(void)
{
    int i, token = 1;

    for (i = 0; i < N; i++) {
        check(ca_chan_init(&forks[i], CA_FIXED, 1, sizeof(int), &fork_room[i],
                           sizeof fork_room[i]), "ca_chan_init");
        check(ca_chan_set_name(&forks[i], fork_names[i]), "ca_chan_set_name");
        check(ca_offer(&forks[i], &token), "ca_offer");
    }
}

static void clear_table(void)
{
    int i;

    for (i = 0; i < N; i++)
        check(ca_chan_destroy(&forks[i]), "ca_chan_destroy");
}

/* Seats the philosophers; `ordered`: lower-numbered fork first. */
static void dine(ca_sched *s, struct philosopher *ph, int ordered)
{
    int i, left, right;

    for (i = 0; i < N; i++) {
        left = i;
        right = (i + 1) % N;
        ph[i].id = i;
        ph[i].first = &forks[ordered && right < left ? right : left];
        ph[i].second = &forks[ordered && right < left ? left : right];
        check(ca_go_start(s, &ph[i].go, philosopher), "ca_go_start");
    }
}

int main(void)
{
    ca_sched s;
    static struct philosopher ph[N]; /* zeroed, as go headers must be */
    int i, rc;

    lesson_needs_one_thread("philosophers");
    check(ca_sched_init(&s), "ca_sched_init");

    printf("-- part 1: left fork first, then right\n");
    lay_table();
    dine(&s, ph, 0);
    rc = ca_sched_run(&s);
    printf("ca_sched_run: %s\n", ca_err_name(rc));
    if (rc != CA_EDEADLOCK)
        return EXIT_FAILURE;
    /* One line per parked block: who (the go function), where (file and
    ** line of the op), in what (TAKE, and its argument as written) and on
    ** which channel (its name). Follow it around: 0 waits for fork 1,
    ** which 1 holds; 1 waits for fork 2, ...; 4 waits for fork 0, which
    ** 0 holds. A cycle of waits is a deadlock. */
    printf("who waits where:\n");
    if (ca_sched_dump(&s, stdout) != N)
        return EXIT_FAILURE;
    /* Closing a channel wakes every TAKE parked on it, with no value. */
    for (i = 0; i < N; i++)
        check(ca_close(&forks[i]), "ca_close");
    check(ca_sched_run(&s), "ca_sched_run");
    clear_table();

    printf("-- part 2: lower-numbered fork first\n");
    lay_table();
    dine(&s, ph, 1);
    check(ca_sched_run(&s), "ca_sched_run");
    for (i = 0; i < N; i++)
        if (ph[i].meals != MEALS)
            return EXIT_FAILURE;
    printf("everyone ate %d times\n", MEALS);
    clear_table();
    check(ca_sched_destroy(&s), "ca_sched_destroy");
    return EXIT_SUCCESS;
}
