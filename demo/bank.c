/*
** bank.c: a bank of accounts with transfers that cannot deadlock, on a
** pool of worker threads.
**
** The classic bug: a transfer from A to B locks A, then B; a transfer
** from B to A at the same moment locks B, then A. Each holds one lock and
** waits for the other: a deadlock, as with the philosophers.
**
** What it teaches: share by communicating. Each account is a go block
** that alone owns its balance and serves requests from its channel, one
** at a time; a request carries its own reply channel (the CSP way to
** "call" a process). A teller moves money by asking one account to pay
** out, then another to pay in: it never holds an account while waiting
** for another, so no cycle of waits can form, however the requests
** interleave. The blocks run on four worker threads (ca_sched_start):
** the tellers really do run at the same time, and the accounts need no
** lock, because nothing but their own block touches a balance.
**
** What it prints is the same on every run although the order of the
** transfers is not: no transfer is ever refused (balances are large
** enough), so the final balances are sums, whatever the order; and the
** money in the bank is the same before and after.
**
** What to try: start the pool with 1 worker, or 16; make the balances
** small, so that some withdrawals are refused, and see that the total
** is still conserved (the output then changes from run to run).
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define ACCOUNTS 5
#define TELLERS 4
#define TRANSFERS 100 /* each teller's */
#define OPENING 5000

struct request {
    int amount;             /* > 0 pay in, < 0 pay out                    */
    ca_chan *reply;         /* where the account answers: 1 done, 0 not   */
};

struct account {
    ca_go go;               /* first member: the go-block header          */
    ca_chan requests;
    struct request req;
    int balance, ok;
};

static int account(ca_go *g)
{
    struct account *a = (struct account *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &a->requests, &a->req);
        if (GO_CLOSED(g)) /* the bank is closing */
            break;
        a->ok = a->balance + a->req.amount >= 0;
        if (a->ok)
            a->balance += a->req.amount;
        PUT(g, a->req.reply, &a->ok);
        check(GO_STATUS(g), "PUT");
    }
    GO_END(g);
}

static struct account accounts[ACCOUNTS];
static ca_chan done;           /* each teller says "finished" here       */
static int done_room[TELLERS];

struct teller {
    ca_go go;
    ca_chan reply;          /* its own: answers to its requests only      */
    struct request req;
    uint32_t seed;
    int n, from, to, amount, ok, refused;
};

static int teller(ca_go *g)
{
    struct teller *t = (struct teller *)g;

    GO_BEGIN(g);
    for (t->n = 0; t->n < TRANSFERS; t->n++) {
        t->seed = t->seed * 1103515245u + 12345u;
        t->from = (int)(t->seed >> 16) % ACCOUNTS;
        t->to = (t->from + 1 + (int)(t->seed >> 8) % (ACCOUNTS - 1)) % ACCOUNTS;
        t->amount = 1 + (int)(t->seed >> 4) % 50;
        t->req.reply = &t->reply;

        t->req.amount = -t->amount; /* 1: pay out of `from` ... */
        PUT(g, &accounts[t->from].requests, &t->req);
        check(GO_STATUS(g), "PUT");
        TAKE(g, &t->reply, &t->ok);
        check(GO_STATUS(g), "TAKE");
        if (!t->ok) {
            t->refused++;
            continue;
        }
        t->req.amount = t->amount;  /* 2: ... then into `to` */
        PUT(g, &accounts[t->to].requests, &t->req);
        check(GO_STATUS(g), "PUT");
        TAKE(g, &t->reply, &t->ok);
        check(GO_STATUS(g), "TAKE");
    }
    PUT_SIGNAL(g, &done);
    GO_END(g);
}

int main(void)
{
    static struct teller tellers[TELLERS];
    int i, rc, total = 0, refused = 0;

    check(ca_chan_init(&done, CA_FIXED, TELLERS, 0, done_room, 0),
          "ca_chan_init");
    for (i = 0; i < ACCOUNTS; i++) {
        accounts[i].balance = OPENING;
        check(ca_chan_init(&accounts[i].requests, CA_UNBUFFERED, 0,
                           sizeof(struct request), NULL, 0), "ca_chan_init");
        check(ca_go_start(NULL, &accounts[i].go, account), "ca_go_start");
    }
    for (i = 0; i < TELLERS; i++) {
        tellers[i].seed = 17u + (uint32_t)i;
        check(ca_chan_init(&tellers[i].reply, CA_UNBUFFERED, 0, sizeof(int),
                           NULL, 0), "ca_chan_init");
        check(ca_go_start(NULL, &tellers[i].go, teller), "ca_go_start");
    }
    printf("%d accounts of %d, %d tellers making %d transfers each\n",
           ACCOUNTS, OPENING, TELLERS, TRANSFERS);

    /* Four workers run the blocks; a build without threads has none, and
    ** main's blocking takes below drive the blocks instead. */
    rc = ca_sched_start(NULL, 4);
    if (rc != CA_ENOTSUP)
        check(rc, "ca_sched_start");
    for (i = 0; i < TELLERS; i++)
        check(ca_take_blocking(&done, NULL), "ca_take_blocking");
    for (i = 0; i < ACCOUNTS; i++)
        check(ca_close(&accounts[i].requests), "ca_close");
    if (rc == CA_OK)
        check(ca_sched_stop(NULL), "ca_sched_stop");
    check(ca_sched_run(NULL), "ca_sched_run"); /* the accounts' last turn */

    for (i = 0; i < ACCOUNTS; i++) {
        printf("account %d: %d\n", i, accounts[i].balance);
        total += accounts[i].balance;
        check(ca_chan_destroy(&accounts[i].requests), "ca_chan_destroy");
    }
    for (i = 0; i < TELLERS; i++) {
        refused += tellers[i].refused;
        check(ca_chan_destroy(&tellers[i].reply), "ca_chan_destroy");
    }
    check(ca_chan_destroy(&done), "ca_chan_destroy");
    printf("total %d (was %d), %d transfers refused\n", total,
           ACCOUNTS * OPENING, refused);
    return total == ACCOUNTS * OPENING ? EXIT_SUCCESS : EXIT_FAILURE;
}
