/*
** coreasync-trace: draws a trace written by ca_trace(3) as a
** self-contained SVG picture. See coreasync-trace(1).
** MIT licence, see COPYING.
**
** Two pictures:
** - the timeline (the default): one lane per go block, and one per
**   thread that hands a value to a block; a block's parked spans shaded,
**   with what it waits in as a tooltip; an arrow per hand-off (`send`),
**   labelled with the channel; ticks for operations that did not wait;
**   time, the trace's event count, along the horizontal axis.
** - the wait-for graph (-w): the blocks parked at a moment when every
**   live block was parked (a deadlock, or a wait for the outside world),
**   an arrow from each to the blocks that could complete its operation,
**   and the cycles among them in red. A block B can complete A's take
**   on a channel if B put to it before, or still holds what it took from
**   it (its last operation there was a take: a fork, a token); B can
**   complete A's put if B took from it before. The moment chosen is the
**   first one with a cycle, else the last one.
**
** The program reads the whole trace first (lanes and the width must be
** known before anything is drawn); it keeps every line, so memory grows
** with the trace. Event lines are checked field by field: a line it
** cannot read is an error with its number, never a guess.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 16

/* One event line, split into words (a quoted word keeps its quotes). */
typedef struct event {
    char *tok[MAXTOK];
    int ntok;
    int col;  /* the column it is drawn at */
    int lane; /* its subject's lane, or -1 */
    int a, b; /* send: from and to lanes; close: the closer's, or -1 */
} event;

/* A block's or a thread's lane. */
typedef struct lane {
    char *id;   /* g<hex> or t<n> */
    char *name; /* the block's function, once it parked */
    int start, end, done;
    int park;           /* column it parked at, -1 when not parked */
    const event *parkev; /* the park line, while parked */
    /* wait-for: what it did to channels, a small list */
    char **chans;
    unsigned char *did; /* 1: put there; 2: took; 4: last op a take */
    int nchans;
} lane;

static event *ev;
static int nev, cap_ev;
static lane *lanes;
static int nlanes, cap_lanes;
static int ncols;
static const char *prog = "coreasync-trace";

static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *grow(void *p, int *cap, size_t size)
{
    *cap = *cap ? *cap * 2 : 64;
    if ((p = realloc(p, (size_t)*cap * size)) == NULL)
        die("out of memory");
    return p;
}

static char *dup(const char *s)
{
    char *d = malloc(strlen(s) + 1);

    if (d == NULL)
        die("out of memory");
    return strcpy(d, s);
}

/* Splits a line into words in place: spaces end a word, except inside
** double quotes, where a backslash escapes the next character. */
static int split(char *s, char **tok, int lineno)
{
    int n = 0, q;

    for (;;) {
        while (*s == ' ')
            s++;
        if (*s == '\0' || *s == '\n')
            return n;
        if (n == MAXTOK)
            die("line %d: too many fields", lineno);
        tok[n++] = s;
        for (q = 0; *s != '\0' && *s != '\n' && (q || *s != ' '); s++) {
            if (q && *s == '\\' && s[1] != '\0')
                s++;
            else if (*s == '"')
                q = !q;
        }
        if (q)
            die("line %d: unterminated quote", lineno);
        if (*s == '\0' || *s == '\n') {
            *s = '\0';
            return n;
        }
        *s++ = '\0';
    }
}

/* The value of key= among an event's words, or NULL. */
static const char *field(const event *e, const char *key)
{
    size_t k = strlen(key);
    int i;

    for (i = 3; i < e->ntok; i++)
        if (strncmp(e->tok[i], key, k) == 0 && e->tok[i][k] == '=')
            return e->tok[i] + k + 1;
    return NULL;
}

static const char *need(const event *e, const char *key, int lineno)
{
    const char *v = field(e, key);

    if (v == NULL)
        die("line %d: %s without %s=", lineno, e->tok[1], key);
    return v;
}

/* A channel as a label: its name without quotes and escapes. */
static const char *label(const char *ch)
{
    static char buf[256];
    size_t n = 0;

    if (*ch != '"')
        return ch;
    for (ch++; *ch != '\0' && *ch != '"' && n + 1 < sizeof buf; ch++) {
        if (*ch == '\\' && ch[1] != '\0')
            ch++;
        buf[n++] = *ch;
    }
    buf[n] = '\0';
    return buf;
}

/* Text for SVG: the five characters XML reserves, escaped. */
static void xml(const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<': fputs("&lt;", stdout); break;
        case '>': fputs("&gt;", stdout); break;
        case '&': fputs("&amp;", stdout); break;
        case '"': fputs("&quot;", stdout); break;
        case '\'': fputs("&apos;", stdout); break;
        default: putchar(*s); break;
        }
    }
}

/* ------------------------------------------------------------ reading */

/* The lane of a block or thread id now: the last one made for it (a
** block's struct may run again, or be reused by malloc, after `done`). */
static int find(const char *id)
{
    int i;

    for (i = nlanes - 1; i >= 0; i--)
        if (strcmp(lanes[i].id, id) == 0)
            return i;
    return -1;
}

static int add_lane(const char *id, int col)
{
    lane *l;

    if (nlanes == cap_lanes)
        lanes = grow(lanes, &cap_lanes, sizeof *lanes);
    l = &lanes[nlanes];
    memset(l, 0, sizeof *l);
    l->id = dup(id);
    l->start = col;
    l->end = -1;
    l->park = -1;
    return nlanes++;
}

static int lane_of(const char *id, int col)
{
    int i = find(id);

    if (i >= 0 && !lanes[i].done)
        return i;
    return add_lane(id, col); /* a thread first seen, or a block the
                                 trace began after */
}

static void read_trace(FILE *f)
{
    char line[4096];
    int lineno = 0, col = 0, i;
    event *e;

    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (strchr(line, '\n') == NULL && !feof(f))
            die("line %d: longer than %d characters", lineno,
                (int)sizeof line - 2);
        if (nev == cap_ev)
            ev = grow(ev, &cap_ev, sizeof *ev);
        e = &ev[nev];
        {
            char *copy = dup(line);
            e->ntok = split(copy, e->tok, lineno);
        }
        if (e->ntok < 3 || strtoul(e->tok[0], NULL, 10) == 0)
            die("line %d: not a trace event", lineno);
        nev++;
        /* Operations that did not wait share the column of the event
        ** before them: they would stretch a busy trace for little. */
        if (strcmp(e->tok[1], "put") != 0 && strcmp(e->tok[1], "take") != 0)
            col++;
        e->col = col;
        e->lane = e->a = e->b = -1;
        if (strcmp(e->tok[1], "spawn") == 0) {
            i = find(e->tok[2]);
            if (i >= 0 && !lanes[i].done)
                lanes[i].done = 1; /* its done was not traced */
            e->lane = add_lane(e->tok[2], col);
        } else if (strcmp(e->tok[1], "send") == 0) {
            e->a = lane_of(need(e, "from", lineno), col);
            e->b = lane_of(need(e, "to", lineno), col);
        } else if (strcmp(e->tok[1], "close") == 0) {
            if ((e->a = find(need(e, "by", lineno))) >= 0 &&
                lanes[e->a].done)
                e->a = -1;
        } else if (e->tok[2][0] == 'g') {
            e->lane = lane_of(e->tok[2], col);
            if (strcmp(e->tok[1], "park") == 0 && !lanes[e->lane].name)
                lanes[e->lane].name = dup(need(e, "func", lineno));
            if (strcmp(e->tok[1], "done") == 0) {
                lanes[e->lane].end = col;
                lanes[e->lane].done = 1;
            }
        } else {
            die("line %d: unknown subject %s", lineno, e->tok[2]);
        }
    }
    if (ferror(f))
        die("read error: %s", strerror(errno));
    ncols = col + 1;
}

/* ------------------------------------------------------------ timeline */

#define LANE_H 22
#define LEFT 190
#define TOP 40

static int step = 8;

static int X(int col)
{
    return LEFT + col * step;
}

static int Y(int n)
{
    return TOP + n * LANE_H + LANE_H / 2;
}

static void shade(lane *l, int to, int stuck)
{
    const event *p = l->parkev;
    int i;

    printf("<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
           "height=\"%d\"><title>",
           stuck ? "parked stuck" : "parked", X(l->park),
           Y((int)(l - lanes)) - 7, X(to) - X(l->park) + (to == l->park),
           14);
    xml(field(p, "op"));
    fputs(" at ", stdout);
    xml(field(p, "at"));
    for (i = 3; i < p->ntok; i++)
        if (strncmp(p->tok[i], "on=", 3) == 0) {
            fputs(" ", stdout);
            xml(p->tok[i] + 3);
        }
    fputs(stuck ? " (still parked at the end)" : "", stdout);
    fputs("</title></rect>\n", stdout);
    l->park = -1;
}

static void timeline(void)
{
    int i, width = X(ncols) + 40, height = TOP + nlanes * LANE_H + 40;
    int t, every, alt = 0;

    printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
           "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
           width, height, width, height);
    puts("<style>text{font:11px sans-serif}"
         ".lane line{stroke:#888}.parked{fill:#bbb;opacity:.8}"
         ".stuck{fill:#d33}.send{stroke:#1565c0;marker-end:url(#head)}"
         ".chan{fill:#1565c0;font-size:9px}.op{stroke:#444}"
         ".close{fill:#c62828;font-size:9px}.axis{fill:#666}</style>");
    puts("<defs><marker id=\"head\" markerWidth=\"8\" markerHeight=\"8\" "
         "refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 "
         "z\" fill=\"#1565c0\"/></marker></defs>");
    printf("<text x=\"10\" y=\"18\">coreasync trace: %d lanes, %d events; "
           "grey: parked, red: parked at the end, blue: hand-offs</text>\n",
           nlanes, nev);
    for (i = 0; i < nlanes; i++) {
        lane *l = &lanes[i];
        int end = l->end >= 0 ? l->end : ncols;
        printf("<g class=\"lane\"><text x=\"6\" y=\"%d\">", Y(i) + 4);
        xml(l->name != NULL ? l->name : l->id[0] == 't' ? "thread" : "go");
        printf(" %s</text><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
               "</g>\n",
               l->id[0] == 't' ? l->id : "", X(l->start), Y(i), X(end),
               Y(i));
    }
    for (i = 0; i < nev; i++) {
        event *e = &ev[i];
        const char *k = e->tok[1];
        lane *l = e->lane >= 0 ? &lanes[e->lane] : NULL;
        int a, b;

        if (strcmp(k, "park") == 0) {
            if (strcmp(field(e, "op"), "YIELD") != 0) {
                l->park = e->col;
                l->parkev = e;
            }
        } else if (strcmp(k, "wake") == 0) {
            if (l->park >= 0)
                shade(l, e->col, 0);
        } else if (strcmp(k, "done") == 0) {
            if (l->park >= 0)
                shade(l, e->col, 0);
        } else if (strcmp(k, "send") == 0) {
            a = e->a;
            b = e->b;
            printf("<line class=\"send\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                   "y2=\"%d\"/>",
                   X(e->col), Y(a), X(e->col), Y(b) + (b > a ? -6 : 6));
            printf("<text class=\"chan\" x=\"%d\" y=\"%d\">", X(e->col) + 2,
                   (Y(a) + Y(b)) / 2 + (alt++ % 3) * 9 - 9);
            xml(label(e->tok[2]));
            fputs("</text>\n", stdout);
        } else if (strcmp(k, "close") == 0) {
            if ((a = e->a) >= 0) {
                printf("<text class=\"close\" x=\"%d\" y=\"%d\">x ",
                       X(e->col) - 3, Y(a) - 8);
                xml(label(e->tok[2]));
                fputs("</text>\n", stdout);
            }
        } else if (strcmp(k, "put") == 0 || strcmp(k, "take") == 0) {
            printf("<line class=\"op\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                   "y2=\"%d\"/>\n",
                   X(e->col), Y(e->lane) - 4, X(e->col), Y(e->lane) + 4);
        }
    }
    for (i = 0; i < nlanes; i++)
        if (lanes[i].park >= 0)
            shade(&lanes[i], ncols, 1);
    every = ncols / 10 > 0 ? ncols / 10 : 1;
    for (t = 0; t <= ncols; t += every)
        printf("<text class=\"axis\" x=\"%d\" y=\"%d\">%d</text>\n", X(t),
               height - 20, t);
    printf("<text class=\"axis\" x=\"6\" y=\"%d\">events</text>\n",
           height - 20);
    puts("</svg>");
}


/* The little trigonometry the graph's circle needs, without libm (the
** tool links nothing but libc): Taylor series, good to 1e-6 here. */
static double sin_approx(double x)
{
    double term = x, sum = x;
    int n;

    while (x > 3.141592653589793)
        x -= 6.283185307179586;
    term = sum = x;
    for (n = 1; n < 12; n++) {
        term *= -x * x / ((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

static double cos_approx(double x)
{
    return sin_approx(x + 1.5707963267948966);
}

static double root(double v)
{
    double r = v > 1 ? v : 1;
    int i;

    for (i = 0; i < 40; i++)
        r = (r + v / r) / 2;
    return r;
}

/* ------------------------------------------------------------ wait-for */

/* What lane l did to channel ch: `add` sets bits (1 put, 2 took, 4 its
** last op there was a take), `clear` clears them. */
static void did(lane *l, const char *ch, int add, int clear)
{
    int i;

    for (i = 0; i < l->nchans; i++)
        if (strcmp(l->chans[i], ch) == 0)
            break;
    if (i == l->nchans) {
        l->chans = realloc(l->chans, (size_t)(i + 1) * sizeof *l->chans);
        l->did = realloc(l->did, (size_t)(i + 1));
        if (l->chans == NULL || l->did == NULL)
            die("out of memory");
        l->chans[i] = (char *)ch;
        l->did[i] = 0;
        l->nchans++;
    }
    l->did[i] = (unsigned char)((l->did[i] & ~clear) | add);
}

static int did_to(const lane *l, const char *ch)
{
    int i;

    for (i = 0; i < l->nchans; i++)
        if (strcmp(l->chans[i], ch) == 0)
            return l->did[i];
    return 0;
}

/* Replays events [0, upto): who is alive and parked, and what each did.
** Returns how many are alive; *parked gets how many of them are parked. */
static int replay(int upto, int *parked)
{
    int i, alive = 0;

    for (i = 0; i < nlanes; i++) {
        lanes[i].park = -1;
        lanes[i].nchans = 0;
        lanes[i].done = 0;
    }
    *parked = 0;
    for (i = 0; i < upto; i++) {
        const event *e = &ev[i];
        const char *k = e->tok[1];
        lane *l = e->lane >= 0 ? &lanes[e->lane] : NULL;

        if (strcmp(k, "spawn") == 0) {
            alive++;
        } else if (strcmp(k, "park") == 0) {
            if (strcmp(field(e, "op"), "YIELD") != 0 && l->park < 0) {
                l->park = e->col;
                l->parkev = e;
                ++*parked;
            }
        } else if (strcmp(k, "wake") == 0 || strcmp(k, "done") == 0) {
            if (l->park >= 0) {
                l->park = -1;
                --*parked;
            }
            if (k[0] == 'd') {
                l->done = 1;
                alive--;
            }
        } else if (strcmp(k, "put") == 0) {
            did(l, field(e, "chan"), 1, 4);
        } else if (strcmp(k, "take") == 0) {
            if (strcmp(field(e, "status"), "ok") == 0)
                did(l, field(e, "chan"), 2 | 4, 0);
        } else if (strcmp(k, "send") == 0) {
            did(&lanes[e->a], e->tok[2], 1, 4);
            did(&lanes[e->b], e->tok[2], 2 | 4, 0);
        }
    }
    return alive;
}

/* The parked lanes of the replayed moment, and the edges between them:
** edge[i][j] is the channel by which node i waits for node j, or NULL;
** reach[i][j] says whether j leads back... to i through edges. */
static int node[64], nnodes;
static const char *edge[64][64];
static unsigned char reach[64][64];

static int graph(void)
{
    int i, j, k, w, cycle = 0;

    /* Threads are nodes too, that wait for nobody: a block that waits
    ** for what a thread sends waits for the outside, not in a cycle. */
    for (nnodes = 0, i = 0; i < nlanes && nnodes < 64; i++)
        if (lanes[i].park >= 0 || (lanes[i].id[0] == 't' && lanes[i].nchans))
            node[nnodes++] = i;
    memset(edge, 0, sizeof edge);
    memset(reach, 0, sizeof reach);
    for (i = 0; i < nnodes; i++) {
        const event *p = lanes[node[i]].parkev;
        if (lanes[node[i]].park < 0)
            continue; /* a thread */
        for (w = 3; w < p->ntok; w++) {
            const char *on = p->tok[w];
            int take;
            if (strncmp(on, "on=", 3) != 0)
                continue;
            take = strncmp(on + 3, "take:", 5) == 0;
            on += take ? 8 : 7; /* past on=take: or on=put: */
            /* What a block took last it may put back (a fork, a token),
            ** unless threads feed that channel: then they are who it
            ** waits for. */
            int fed = 0;
            for (j = 0; j < nnodes; j++)
                if (lanes[node[j]].id[0] == 't' &&
                    (did_to(&lanes[node[j]], on) & 1))
                    fed = 1;
            for (j = 0; j < nnodes; j++) {
                int d = did_to(&lanes[node[j]], on);
                int holds = !fed && lanes[node[j]].id[0] == 'g' && (d & 4);
                if (j != i && (take ? (d & 1) || holds : (d & 2)))
                    edge[i][j] = on, reach[i][j] = 1;
            }
        }
    }
    for (k = 0; k < nnodes; k++) /* the closure: Warshall */
        for (i = 0; i < nnodes; i++)
            for (j = 0; j < nnodes; j++)
                if (reach[i][k] && reach[k][j])
                    reach[i][j] = 1;
    for (i = 0; i < nnodes; i++)
        cycle |= reach[i][i];
    return cycle;
}

static void waitfor_graph(void)
{
    int i, j, parked, at = -1, cycle = 0, size, r;
    double cx, cy, xs[64], ys[64];

    /* The moments when every live block is parked: just after a park. */
    for (i = 0; i < nev && !cycle; i++) {
        if (strcmp(ev[i].tok[1], "park") != 0)
            continue;
        if (replay(i + 1, &parked) == parked && parked > 0) {
            at = i + 1;
            cycle = graph();
        }
    }
    if (at > 0 && !cycle) {
        replay(at, &parked);
        graph();
    }
    r = 60 + 18 * nnodes;
    size = 2 * r + 320;
    cx = cy = size / 2.0;
    printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
           "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
           size, size, size, size);
    puts("<style>text{font:11px sans-serif}.node rect{fill:#eee;"
         "stroke:#444}.cycle rect{fill:#fdd;stroke:#c62828}"
         ".edge{stroke:#555;marker-end:url(#head)}"
         "line.cycle{stroke:#c62828;stroke-width:2;marker-end:url(#red)}"
         ".chan{font-size:10px;fill:#1565c0}</style>");
    puts("<defs><marker id=\"head\" markerWidth=\"8\" markerHeight=\"8\" "
         "refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 "
         "z\" fill=\"#555\"/></marker><marker id=\"red\" markerWidth=\"8\" "
         "markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\"><path "
         "d=\"M0,0 L8,4 L0,8 z\" fill=\"#c62828\"/></marker></defs>");
    if (at < 0) {
        puts("<text x=\"10\" y=\"20\">no moment of the trace had every "
             "live block parked: nothing to draw</text></svg>");
        return;
    }
    printf("<text x=\"10\" y=\"20\">who waits for whom at event %d: "
           "%d nodes, %s</text>\n",
           at, nnodes,
           cycle ? "the cycle in red (a deadlock)" : "no cycle");
    for (i = 0; i < nnodes; i++) {
        double a = 6.283185307179586 * i / (nnodes ? nnodes : 1);
        xs[i] = cx + r * sin_approx(a);
        ys[i] = cy - r * cos_approx(a);
    }
    for (i = 0; i < nnodes; i++)
        for (j = 0; j < nnodes; j++) {
            int c = reach[i][j] && reach[j][i];
            double dx = xs[j] - xs[i], dy = ys[j] - ys[i];
            double len = dx * dx + dy * dy > 0 ? root(dx * dx + dy * dy) : 1;
            if (edge[i][j] == NULL)
                continue;
            /* Stop short of the box, and bend sideways so that i->j and
            ** j->i do not overlap. */
            printf("<line class=\"%s\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                   "y2=\"%.0f\"/>",
                   c ? "edge cycle" : "edge", xs[i] - 4 * dy / len,
                   ys[i] + 4 * dx / len, xs[j] - dx * 30 / len - 4 * dy / len,
                   ys[j] - dy * 30 / len + 4 * dx / len);
            printf("<text class=\"chan\" x=\"%.0f\" y=\"%.0f\">",
                   (xs[i] + xs[j]) / 2 - 12 * dy / len,
                   (ys[i] + ys[j]) / 2 + 12 * dx / len);
            xml(label(edge[i][j]));
            fputs("</text>\n", stdout);
        }
    for (i = 0; i < nnodes; i++) {
        const lane *l = &lanes[node[i]];
        const event *p = l->parkev;
        if (l->park < 0) {
            printf("<g class=\"node\"><rect x=\"%.0f\" y=\"%.0f\" "
                   "width=\"150\" height=\"34\" rx=\"6\"/><text x=\"%.0f\" "
                   "y=\"%.0f\">thread %s</text></g>\n",
                   xs[i] - 75, ys[i] - 17, xs[i] - 70, ys[i] + 4, l->id);
            continue;
        }
        printf("<g class=\"node%s\"><title>", reach[i][i] ? " cycle" : "");
        xml(field(p, "op"));
        fputs(" at ", stdout);
        xml(field(p, "at"));
        for (j = 3; j < p->ntok; j++)
            if (strncmp(p->tok[j], "on=", 3) == 0) {
                fputs(" ", stdout);
                xml(p->tok[j] + 3);
            }
        printf("</title><rect x=\"%.0f\" y=\"%.0f\" width=\"150\" "
               "height=\"34\" rx=\"6\"/><text x=\"%.0f\" y=\"%.0f\">",
               xs[i] - 75, ys[i] - 17, xs[i] - 70, ys[i] - 3);
        xml(l->name != NULL ? l->name : l->id);
        printf(" #%d</text><text x=\"%.0f\" y=\"%.0f\">", node[i],
               xs[i] - 70, ys[i] + 11);
        xml(field(p, "op"));
        for (j = 3; j < p->ntok; j++)
            if (strncmp(p->tok[j], "on=", 3) == 0) {
                fputs(" ", stdout);
                xml(label(strchr(p->tok[j], ':') + 1));
            }
        fputs("</text></g>\n", stdout);
    }
    puts("</svg>");
}

int main(int argc, char **argv)
{
    FILE *f = stdin;
    int waitfor = 0, i;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "-w") == 0) {
            waitfor = 1;
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            step = atoi(argv[++i]);
            if (step < 1 || step > 100)
                die("-s: a step of 1 to 100 pixels");
        } else {
            fprintf(stderr, "usage: %s [-w] [-s STEP] [TRACE]\n", prog);
            return 2;
        }
    }
    if (i < argc && (f = fopen(argv[i], "r")) == NULL)
        die("%s: %s", argv[i], strerror(errno));
    read_trace(f);
    if (waitfor)
        waitfor_graph();
    else
        timeline();
    return 0;
}
