/*
** barber.c: the sleeping barber (Dijkstra 1965).
**
** A barber shop has one barber and a waiting room of three chairs. A
** customer who finds a free chair sits down; one who finds them all taken
** leaves. The barber cuts hair while anyone waits, and sleeps when nobody
** does, until a customer wakes him.
**
** What it teaches: the waiting room is a channel with a fixed buffer of
** three: a chair is a slot. A customer *offers* himself (ca_offer never
** waits: CA_AGAIN means "no free chair", and he leaves), the barber
** TAKEs the next customer and, if there is none, his TAKE parks: he
** sleeps, and the customer's arrival wakes him. No lock, no counter of
** waiting customers, no lost wake-up: the channel is all of them. Closing
** the channel is closing the shop: the barber finishes who is seated,
** then his TAKE reports the close and he goes home.
**
** Customers arrive at fixed times on the simulated clock (lesson.h).
**
** What to try: two barbers (two go blocks taking from the same room);
** a sliding buffer (CA_SLIDING) and see who gets turned away then.
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define CHAIRS 3
#define HAIRCUT_MS 20

static const uint32_t arrivals[] = {0, 5, 5, 5, 5, 5, 5, 60, 10, 10, 10};
#define CUSTOMERS (int)(sizeof arrivals / sizeof arrivals[0])

static ca_chan room;
static int chairs[CHAIRS];

static void at(const char *who, int id, const char *what)
{
    printf("[%4lu ms] %s %d %s\n", (unsigned long)sim_ms, who, id, what);
}

struct door {
    ca_go go;               /* first member: the go-block header          */
    int id;
};

/* Lets the customers in at their times, then closes the shop. */
static int door(ca_go *g)
{
    struct door *d = (struct door *)g;

    GO_BEGIN(g);
    for (d->id = 1; d->id <= CUSTOMERS; d->id++) {
        SLEEP(g, arrivals[d->id - 1]);
        if (ca_offer(&room, &d->id) == CA_OK)
            at("customer", d->id, "sits down");
        else
            at("customer", d->id, "finds no free chair and leaves");
    }
    check(ca_close(&room), "ca_close");
    GO_END(g);
}

struct barber {
    ca_go go;
    int customer;
};

static int barber(ca_go *g)
{
    struct barber *b = (struct barber *)g;
    int rc; /* a local is fine for what is not needed across a park */

    GO_BEGIN(g);
    for (;;) {
        /* Look first: ca_poll never waits. Only to print the nap; the
        ** TAKE below would wait just the same. */
        rc = ca_poll(&room, &b->customer);
        check(rc, "ca_poll");
        if (rc == CA_CLOSED)
            break;
        if (rc == CA_AGAIN) {
            printf("[%4lu ms] barber sleeps\n", (unsigned long)sim_ms);
            TAKE(g, &room, &b->customer);
            if (GO_CLOSED(g))
                break;
        }
        printf("[%4lu ms] barber cuts the hair of customer %d\n",
               (unsigned long)sim_ms, b->customer);
        SLEEP(g, HAIRCUT_MS);
    }
    printf("[%4lu ms] the shop is closed: barber goes home\n",
           (unsigned long)sim_ms);
    GO_END(g);
}

int main(void)
{
    static struct door d;
    static struct barber b;

    sim_clock(NULL);
    check(ca_chan_init(&room, CA_FIXED, CHAIRS, sizeof(int), chairs,
                       sizeof chairs), "ca_chan_init");
    check(ca_go_start(NULL, &b.go, barber), "ca_go_start");
    check(ca_go_start(NULL, &d.go, door), "ca_go_start");
    check(ca_sched_run(NULL), "ca_sched_run");
    check(ca_chan_destroy(&room), "ca_chan_destroy");
    return EXIT_SUCCESS;
}
