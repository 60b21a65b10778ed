/*
** systolic.c: matrix multiplication by a grid of processes (Hoare's CSP,
** §6.2).
**
** What it teaches: a *systolic array*, where data is pumped through a
** grid of identical processes the way blood is pumped through the body;
** none of them sees more than its neighbours. Node M(i,j) holds one
** number of the matrix A. Rows of IN come in from the west, one number
** per row of the grid; each node passes its x on to the east, and to the
** partial sum coming from the north adds A(i,j) * x and passes that on to
** the south. What leaves the south edge is a row of IN x A.
**
**            0       0       0          (north: zeros)
**            |       |       |
**     x1 -> M11 ->  M12 ->  M13 -> sink
**     x2 -> M21 ->  M22 ->  M23 -> sink
**     x3 -> M31 ->  M32 ->  M33 -> sink
**            |       |       |
**           y1      y2      y3          (south: a row of IN x A)
**
** Hoare's node does its two outputs in parallel; ours does them one after
** the other, which is safe here because the grid has no cycle. The end of
** the input is a close: each node that finds its west input closed
** closes its outputs and its north input (so the zeros stop too), and
** drains the north input: see the end of node().
**
** What to try: make A 4 x 4 (N below), or IN longer; compare the number
** of hand-offs (each node does 4 per row of IN) with the multiplications.
**
** MIT licence, see COPYING.
*/
#include "lesson.h"

#define N 3     /* A is N x N */
#define ROWS 4  /* IN is ROWS x N */

static const int A[N][N] = {{1, 2, 3}, {0, 1, 0}, {2, 0, -1}};
static const int IN[ROWS][N] = {{1, 0, 0}, {0, 1, 0}, {1, 1, 1}, {2, -1, 3}};
static int OUT[ROWS][N];

/* east[i][j]: from M(i,j-1) (the west source when j = 0) to M(i,j);
** south[i][j]: from M(i-1,j) (the zeros when i = 0) to M(i,j). */
static ca_chan east[N][N + 1], south[N + 1][N];

struct node {
    ca_go go;               /* first member: the go-block header          */
    int i, j, k;            /* position; k counts rows of IN              */
    int x, sum;
};

/* A node of the grid: Hoare's M(i,j). */
static int node(ca_go *g)
{
    struct node *m = (struct node *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, &east[m->i][m->j], &m->x);
        if (GO_CLOSED(g))
            break;
        TAKE(g, &south[m->i][m->j], &m->sum);
        if (GO_CLOSED(g))
            break;
        m->sum += A[m->i][m->j] * m->x;
        PUT(g, &east[m->i][m->j + 1], &m->x);
        if (GO_CLOSED(g))
            break;
        PUT(g, &south[m->i + 1][m->j], &m->sum);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(&east[m->i][m->j + 1]), "ca_close");
    check(ca_close(&south[m->i + 1][m->j]), "ca_close");
    /* Closing our north input stops the zeros; but a PUT that was
    ** already parked there when it closed is still delivered (a close
    ** never loses a value that was handed over, as in core.async), so
    ** drain it, or its putter would wait for ever. */
    check(ca_close(&south[m->i][m->j]), "ca_close");
    do
        TAKE(g, &south[m->i][m->j], &m->sum);
    while (GO_OK(g));
    GO_END(g);
}

/* The west edge: column i of IN, row by row, then the end. */
static int west(ca_go *g)
{
    struct node *m = (struct node *)g;

    GO_BEGIN(g);
    for (m->k = 0; m->k < ROWS; m->k++) {
        m->x = IN[m->k][m->i];
        PUT(g, &east[m->i][0], &m->x);
        if (GO_CLOSED(g))
            break;
    }
    check(ca_close(&east[m->i][0]), "ca_close");
    GO_END(g);
}

/* The north edge: zeros, for as long as anyone wants them. */
static int north(ca_go *g)
{
    struct node *m = (struct node *)g;

    GO_BEGIN(g);
    m->sum = 0;
    do
        PUT(g, &south[0][m->j], &m->sum);
    while (GO_OK(g));
    GO_END(g);
}

/* The east edge throws x away; the south edge collects the result. */
static int east_sink(ca_go *g)
{
    struct node *m = (struct node *)g;

    GO_BEGIN(g);
    do
        TAKE(g, &east[m->i][N], &m->x);
    while (GO_OK(g));
    GO_END(g);
}

static int south_sink(ca_go *g)
{
    struct node *m = (struct node *)g;

    GO_BEGIN(g);
    for (m->k = 0;; m->k++) {
        TAKE(g, &south[N][m->j], &m->sum);
        if (GO_CLOSED(g))
            break;
        OUT[m->k][m->j] = m->sum;
    }
    GO_END(g);
}

int main(void)
{
    static struct node nodes[N * N + 4 * N]; /* zeroed go headers */
    struct node *m = nodes;
    int i, j, k, want, ok = 1;

    for (i = 0; i <= N; i++)
        for (j = 0; j <= N; j++) {
            if (j < N)
                check(ca_chan_init(&south[i][j], CA_UNBUFFERED, 0,
                                   sizeof(int), NULL, 0), "ca_chan_init");
            if (i < N)
                check(ca_chan_init(&east[i][j], CA_UNBUFFERED, 0,
                                   sizeof(int), NULL, 0), "ca_chan_init");
        }
    for (i = 0; i < N; i++) {
        for (j = 0; j < N; j++, m++) {
            m->i = i;
            m->j = j;
            check(ca_go_start(NULL, &m->go, node), "ca_go_start");
        }
        m->i = i;
        check(ca_go_start(NULL, &m++->go, west), "ca_go_start");
        m->i = i;
        check(ca_go_start(NULL, &m++->go, east_sink), "ca_go_start");
        m->j = i;
        check(ca_go_start(NULL, &m++->go, north), "ca_go_start");
        m->j = i;
        check(ca_go_start(NULL, &m++->go, south_sink), "ca_go_start");
    }
    check(ca_sched_run(NULL), "ca_sched_run");

    printf("IN x A, row by row, from the south edge:\n");
    for (k = 0; k < ROWS; k++) {
        for (j = 0; j < N; j++) {
            for (want = 0, i = 0; i < N; i++)
                want += IN[k][i] * A[i][j];
            ok &= OUT[k][j] == want;
            printf("%4d", OUT[k][j]);
        }
        printf("\n");
    }
    printf("%s the product computed directly\n", ok ? "equals" : "DIFFERS from");
    for (i = 0; i <= N; i++)
        for (j = 0; j <= N; j++) {
            if (j < N)
                check(ca_chan_destroy(&south[i][j]), "ca_chan_destroy");
            if (i < N)
                check(ca_chan_destroy(&east[i][j]), "ca_chan_destroy");
        }
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
