/*
** chat.c: a chat server; rooms are topics of core.async's pub.
**
** What it teaches: how the pieces of a network server fit together
** when every part is a go block and every hand-off a channel.
**
**   reader, per connection     the pub             writer, per connection
**   READ_LINE, PUT said  --->  by room    --->    TAKE sub, WRITE_ALL
**   /join: ca_pub_unsub,       (a mult per room:  (its own sliding
**          ca_pub_sub           every sub)         subscription)
**
** - A connection is two blocks: its reader parks on the socket, its
**   writer on its subscription channel. Neither waits for the other, so
**   a client that does not read never stops its own lines going out.
** - The reader waits in one ALTS for three things: a line from the
**   client, the server stopping (a channel that closes), and the client
**   staying silent too long (a deadline case: no timer to free).
** - Rooms need no code of their own: the pub keys every line by its
**   room, and "/join ROOM" moves the connection's channel from one topic
**   to the other (ca_pub_unsub, ca_pub_sub).
** - A slow client must not stall the room. A pub's mult waits until
**   every subscriber took the line, so each subscription is a SLIDING
**   buffer: a put there never waits; when a client falls SUB_BUF lines
**   behind, its oldest lines go and the room carries on. The kernel's
**   send buffer is kept small for the same reason (SNDBUF): it is a
**   buffer too, and would otherwise hold megabytes per client before the
**   sliding buffer had a say. Try it: make the subscriptions CA_FIXED
**   and the self-check below never ends: the flood stalls at the slow
**   client, and the whole room with it.
** - Every line is a copy of a small struct (`msg`): the channels carry
**   values, so no line is shared, and nothing is freed by hand but the
**   channels each block owns.
**
** `demo/chat PORT` serves 127.0.0.1:PORT until killed; try it with two
** or three `nc 127.0.0.1 PORT` and type "/nick ann", "/join lobby",
** then lines. `demo/chat` alone checks itself: 7 client blocks of its
** own, in the same process, play a script (joins, lines in two rooms, a
** client leaving, one changing rooms, a flood that one client does not
** read), each client checks that it got every line of its room exactly
** once and none from the other, and it prints:
**
**     c0 #lobby: 12 room lines, 0 missing, 0 stray
**     c1 #lobby: 12 room lines, 0 missing, 0 stray
**        the flood: 4000 of 4000 lines, in order
**     ...
**     c6 #lobby, reading nothing until the end: 18 room lines, ...
**        the flood: the newest came last, older ones dropped
**     server: 7 connections, all closed
**
** `--pool N` runs the same on N worker threads (ca_sched_start).
**
** A limit, on purpose: the ALTS waits only when no line is read ahead.
** A client that sends half a line and then stops waits in READ_LINE,
** out of reach of the deadline and of the server stopping; a server for
** real would read with READ_SOME and cut the lines itself.
**
** MIT licence, see COPYING.
*/
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LESSON_OWN_MAIN /* it takes a PORT, --pool N (and --trace FILE) */
#include "lesson.h"

#if CA_HAVE_MALLOC /* ca_go_new, ca_chan_new, the pub; the end of the file */

#define NICK 16
#define ROOM 16
#define LINE 256
#define SUB_BUF 32      /* lines a client may fall behind; then the oldest go */
#define SNDBUF 16384    /* the kernel's send buffer per connection (bytes) */
#define IDLE_MS 600000u /* ten minutes of silence and a client is let go   */

/* What travels through the channels: a copy of one line. */
typedef struct msg {
    uintptr_t room;        /* the pub's topic: the room name's hash      */
    unsigned from;         /* the connection that said it; 0: the server */
    char text[NICK + LINE + 8];
} msg;

static ca_chan *said;       /* every line said, in order: the pub's source  */
static ca_pub_state rooms;  /* routes them by room                           */
static msg rooms_val;       /* the pub's room for the line in hand           */
static ca_chan quit;        /* closed when the server stops                  */
static ca_group open_conns; /* the acceptor and the readers still running    */
static ca_sched sched;      /* everything runs here; destroyed at the end    */

/* ------------------------------------------------------------ rooms */

/* The topic of a room: its name's hash (32-bit FNV-1a). Two names with
** one hash would share a room; a server for real would number its rooms
** in a table, which here would be one more thing to lock. */
static uintptr_t room_topic(const char *name)
{
    uint32_t h = 2166136261u;

    while (*name != '\0')
        h = (h ^ (unsigned char)*name++) * 16777619u;
    return h;
}

/* The pub asks each line for its topic... */
static uintptr_t room_of(const void *val, void *ud)
{
    (void)ud;
    return ((const msg *)val)->room;
}

/* ...and each new room for the buffer of its channel: a few lines, so
** the pub hands a line over and goes on (the mult behind never waits
** long: its subscribers are sliding buffers). */
static size_t room_buf(uintptr_t topic, void *ud)
{
    (void)topic;
    (void)ud;
    return 16;
}

/* ------------------------------------------------------------ a connection */

/* The reader, and what must survive its parks. */
typedef struct conn {
    ca_go go;
    ca_io io;
    unsigned id;
    ca_chan *sub;          /* this connection's subscription (sliding)   */
    ca_alt cases[3];       /* the socket, quit, the idle deadline        */
    char nick[NICK], room[ROOM]; /* room "" until the first /join        */
    msg m;                 /* the line being published                   */
    char ra[512];          /* read-ahead: what came after a newline      */
    char line[LINE];
} conn;

/* The writer: the socket again (its own ca_io: one per parked op), and
** the same subscription. */
typedef struct writer {
    ca_go go;
    ca_io io;
    unsigned id;
    int gone;              /* the client stopped reading: drain, drop    */
    ca_chan *sub;
    msg m;
} writer;

static void vformat(msg *m, uintptr_t room, unsigned from, const char *fmt,
                    va_list ap)
{
    m->room = room;
    m->from = from;
    (void)vsnprintf(m->text, sizeof m->text, fmt, ap);
}

/* A line from the server to everyone in the room. */
static void notice(msg *m, uintptr_t room, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vformat(m, room, 0, fmt, ap);
    va_end(ap);
}

/* A line from the server to this client only, into its own
** subscription: a sliding buffer takes it at once, so no park. */
static void tell(conn *c, const char *fmt, ...)
{
    msg m;
    va_list ap;

    va_start(ap, fmt);
    vformat(&m, 0, 0, fmt, ap);
    va_end(ap);
    (void)ca_offer(c->sub, &m);
}

/* Drops the end of line ("\n", or "\r\n" from a terminal). */
static void chomp(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

/* "/nick NAME" and "/join ROOM" that need no park; 1 when `line` was
** /join ROOM, with the new room set (the caller leaves the old one). */
static int command(conn *c, const char *line)
{
    if (strncmp(line, "/nick ", 6) == 0 && line[6] != '\0') {
        (void)snprintf(c->nick, sizeof c->nick, "%s", line + 6);
        tell(c, "* you are %s\n", c->nick);
        return 0;
    }
    if (strncmp(line, "/join ", 6) == 0 && line[6] != '\0')
        return 1;
    tell(c, "* /nick NAME, /join ROOM, or a line for the room\n");
    return 0;
}

static int reader_fn(ca_go *g)
{
    conn *c = (conn *)g;

    GO_BEGIN(g);
    tell(c, "* welcome, %s: /nick NAME, /join ROOM, then talk\n", c->nick);
    for (;;) {
        /* A line from the client, the server stopping, or silence: one
        ** ALTS. Bytes read ahead are a line already: no wait then. */
        if (CA_IO_BUFFERED(&c->io) == 0) {
            (void)ca_alt_fd(&c->cases[0], c->io.fd, CA_FD_READ, NULL);
            (void)ca_alt_take(&c->cases[1], &quit, NULL);
            (void)ca_alt_deadline(&c->cases[2], IDLE_MS);
            ALTS(g, c->cases, 3, 0);
            if (GO_ALT(g) == 1) {
                tell(c, "* the server stops, bye\n");
                break;
            }
            if (GO_ALT(g) == 2) {
                tell(c, "* silent too long, bye\n");
                break;
            }
        }
        READ_LINE(g, &c->io, c->line, sizeof c->line); /* parks no more */
        if (GO_STATUS(g) == CA_CLOSED ||
            (GO_ERROR(g) && GO_STATUS(g) != CA_ERANGE))
            break; /* the client hung up (a long line comes in pieces) */
        chomp(c->line);
        if (c->line[0] == '/' && command(c, c->line)) {
            /* Leave the old room (its members see it), join the new. */
            if (c->room[0] != '\0') {
                (void)ca_pub_unsub(&rooms, room_topic(c->room), c->sub);
                notice(&c->m, room_topic(c->room), "* %s left #%s\n",
                       c->nick, c->room);
                PUT(g, said, &c->m);
            }
            (void)snprintf(c->room, sizeof c->room, "%s", c->line + 6);
            if (ca_pub_sub(&rooms, room_topic(c->room), c->sub, 0) < 0) {
                tell(c, "* cannot join #%s now\n", c->room);
                c->room[0] = '\0';
                continue;
            }
            /* Through the room, so the joiner sees it too: from then on
            ** it gets every line said after this one. */
            notice(&c->m, room_topic(c->room), "* %s joined #%s\n", c->nick,
                   c->room);
            PUT(g, said, &c->m);
        } else if (c->line[0] != '/') {
            if (c->room[0] == '\0') {
                tell(c, "* /join a room first\n");
                continue;
            }
            c->m.room = room_topic(c->room);
            c->m.from = c->id;
            (void)snprintf(c->m.text, sizeof c->m.text, "%s: %s\n", c->nick,
                           c->line);
            PUT(g, said, &c->m); /* waits only while the pub is behind */
        }
    }
    /* Gone: out of the room, then close the subscription; the writer
    ** sends what is left in it and closes the socket, which this block
    ** no longer touches. */
    if (c->room[0] != '\0') {
        (void)ca_pub_unsub(&rooms, room_topic(c->room), c->sub);
        notice(&c->m, room_topic(c->room), "* %s left #%s\n", c->nick,
               c->room);
        PUT(g, said, &c->m);
    }
    (void)ca_close(c->sub);
    (void)ca_chan_free(c->sub);
    (void)ca_group_done(&open_conns);
    GO_END(g); /* ca_go_new's struct is freed by the scheduler */
}

static int writer_fn(ca_go *g)
{
    writer *w = (writer *)g;

    GO_BEGIN(g);
    for (;;) {
        TAKE(g, w->sub, &w->m);
        if (GO_CLOSED(g))
            break; /* the reader is done: nothing more will come */
        if (w->m.from == w->id || w->gone)
            continue; /* one's own words are not echoed */
        WRITE_ALL(g, &w->io, w->m.text, strlen(w->m.text));
        if (GO_CLOSED(g))
            w->gone = 1; /* keep taking until the reader is done */
    }
    close(w->io.fd);
    (void)ca_chan_free(w->sub);
    GO_END(g);
}

/* Starts the two blocks of a new connection on `s`. */
static void start_conn(ca_sched *s, int fd, unsigned id)
{
    ca_go *r, *wr;
    conn *c;
    writer *w;
    int size = SNDBUF;

    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    check(ca_go_new(&r, sizeof *c), "ca_go_new");
    check(ca_go_new(&wr, sizeof *w), "ca_go_new");
    c = (conn *)r;
    w = (writer *)wr;
    check(ca_chan_new(&c->sub, CA_SLIDING, SUB_BUF, sizeof(msg)),
          "ca_chan_new");
    check(ca_chan_retain(c->sub), "ca_chan_retain"); /* the writer's */
    w->sub = c->sub;
    check(ca_io_init(&c->io, fd, c->ra, sizeof c->ra), "ca_io_init");
    check(ca_io_init(&w->io, fd, NULL, 0), "ca_io_init");
    c->id = w->id = id;
    (void)snprintf(c->nick, sizeof c->nick, "guest%u", id);
    check(ca_group_add(&open_conns, 1), "ca_group_add");
    check(ca_go_start(s, &w->go, writer_fn), "ca_go_start");
    check(ca_go_start(s, &c->go, reader_fn), "ca_go_start");
}

/* ------------------------------------------------------------ the server */

typedef struct server {
    ca_go go;
    ca_io io;
    int fd;
    long left;             /* connections still to take; -1: for ever */
    unsigned served;
} server;

static int server_fn(ca_go *g)
{
    server *s = (server *)g;

    GO_BEGIN(g);
    while (s->left != 0) {
        ACCEPT(g, &s->io, &s->fd);
        if (GO_CLOSED(g)) {
            fprintf(stderr, "accept: %s\n", strerror(s->io.err));
            break;
        }
        start_conn(ca_go_sched(g), s->fd, ++s->served);
        if (s->left > 0)
            s->left--;
    }
    (void)ca_group_done(&open_conns);
    GO_END(g);
}

/* When the acceptor and every reader have ended, nobody says anything
** any more: closing `said` ends the pub, which closes the rooms. */
static int closer_fn(ca_go *g)
{
    GO_BEGIN(g);
    GROUP_WAIT(g, &open_conns);
    (void)ca_close(said);
    GO_END(g);
}

/* A listening socket on 127.0.0.1:port (0: one the kernel picks). */
static int listen_on(unsigned short port, struct sockaddr_in *a)
{
    socklen_t len = sizeof *a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)a, sizeof *a) != 0 ||
        listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)a, &len) != 0) {
        perror("listen");
        exit(EXIT_FAILURE);
    }
    return fd;
}

/* ------------------------------------------------------------ the self-check
**
** The script, in steps; between steps every client still there waits
** for the others (a wait group per step), so what each one must get is
** known exactly:
**   1. all join: c0, c1, c2 and c6 #lobby; c3, c4, c5 #games;
**   2. each but c6 says LINES lines;
**   3. c2 hangs up; the lobby sees it leave;
**   4. c5 moves to #lobby; both rooms see it;
**   5. each says LINES lines again;
**   6. c0 floods #lobby with FLOOD lines, one at a time, each seen by c1
**      and c5 before the next; c6 reads nothing (the slow client);
**   7. the server stops (quit closes); each client reads to the end.
** A client counts a line as stray if it should not have come: another
** room's, its own, one already seen, one out of order. */

#define CLIENTS 7
#define SLOW 6
#define LINES 3
#define FLOOD 4000
#define PAD "................................................"

enum { S_JOINED, S_TALKED, S_LEFT, S_MOVED, S_TALKED2, S_FLOODED, STEPS };
static ca_group step[STEPS]; /* clients still to finish each step */
static ca_chan pace;         /* "got it", from c1 and c5, per flood line */

/* Where client i is in talk step p (0: step 2, 1: step 5); NULL: gone. */
static const char *room_at(int i, int p)
{
    if (i == 2)
        return p == 0 ? "lobby" : NULL;
    if (i == 5)
        return p == 0 ? "games" : "lobby";
    return i == 3 || i == 4 ? "games" : "lobby";
}

/* Does client i get the lines j says in talk step p? */
static int hears(int i, int j, int p)
{
    return i != j && j != SLOW && room_at(i, p) != NULL &&
           room_at(j, p) != NULL && strcmp(room_at(i, p), room_at(j, p)) == 0;
}

static int lines_for(int i, int p)
{
    int j, n = 0;

    for (j = 0; j < CLIENTS; j++)
        n += hears(i, j, p) ? LINES : 0;
    return n;
}

typedef struct client {
    ca_go go;
    ca_io io;
    struct sockaddr_in addr;
    int id, k, eof, seen;
    int next[CLIENTS][2];  /* the next line number due from each, per step */
    int have[2];           /* room lines of each talk step, so far        */
    int flood, last;       /* flood lines got, the number of the last one */
    int stray;
    char want[48];         /* the notice awaited; seen: it came           */
    char ra[512], out[128], in[NICK + LINE + 8];
} client;

enum { OTHER, FLOODED };

/* Sorts one line the client read; FLOODED for a flood line. */
static int take_line(client *c)
{
    int j, p, k;

    if (c->in[0] == '*') {
        c->seen |= strcmp(c->in, c->want) == 0;
        return OTHER; /* welcomes, joins, leaves: not counted */
    }
    if (sscanf(c->in, "c%d: flood %d", &j, &k) == 2) {
        if (j == 0 && c->id != 0 && room_at(c->id, 1) != NULL &&
            strcmp(room_at(c->id, 1), "lobby") == 0 && k > c->last) {
            c->flood++;
            c->last = k;
            return FLOODED;
        }
    } else if (sscanf(c->in, "c%d: p%d k%d", &j, &p, &k) == 3 && j >= 0 &&
               j < CLIENTS && p >= 0 && p < 2 && hears(c->id, j, p) &&
               k == c->next[j][p]) {
        c->next[j][p]++;
        c->have[p]++;
        return OTHER;
    }
    c->stray++;
    return OTHER;
}

/* Reads lines until `cond` holds or the server hangs up. One parking op
** (READ_LINE), so one use per source line. */
#define READ_UNTIL(g, c, cond)                                               \
    while (!(cond) && !(c)->eof) {                                           \
        READ_LINE(g, &(c)->io, (c)->in, sizeof (c)->in);                     \
        if (GO_CLOSED(g) && GO_STATUS(g) != CA_ERANGE)                       \
            (c)->eof = 1;                                                    \
        else                                                                 \
            (void)take_line(c);                                              \
    }

/* Sends what `fmt` makes; one parking op (WRITE_ALL). */
#define SAY(g, c, ...)                                                       \
    do {                                                                     \
        (void)snprintf((c)->out, sizeof (c)->out, __VA_ARGS__);              \
        WRITE_ALL(g, &(c)->io, (c)->out, strlen((c)->out));                  \
    } while (0)

/* Waits for `notice` to come. */
#define AWAIT(g, c, ...)                                                     \
    do {                                                                     \
        (void)snprintf((c)->want, sizeof (c)->want, __VA_ARGS__);            \
        (c)->seen = 0;                                                       \
        READ_UNTIL(g, c, (c)->seen);                                         \
    } while (0)

/* Done with step s; waits for the others. */
#define STEP(g, s)                                                           \
    do {                                                                     \
        (void)ca_group_done(&step[s]);                                       \
        GROUP_WAIT(g, &step[s]);                                             \
    } while (0)

static int client_fn(ca_go *g)
{
    client *c = (client *)g;

    GO_BEGIN(g);
    CONNECT(g, &c->io, (struct sockaddr *)&c->addr, sizeof c->addr, 5000);
    if (GO_CLOSED(g)) {
        fprintf(stderr, "c%d: connect: %s\n", c->id, strerror(c->io.err));
        exit(EXIT_FAILURE);
    }
    SAY(g, c, "/nick c%d\n/join %s\n", c->id, room_at(c->id, 0));
    AWAIT(g, c, "* c%d joined #%s\n", c->id, room_at(c->id, 0));
    STEP(g, S_JOINED);
    if (c->id != SLOW) {
        for (c->k = 0; c->k < LINES; c->k++)
            SAY(g, c, "p0 k%d\n", c->k);
        READ_UNTIL(g, c, c->have[0] == lines_for(c->id, 0));
    }
    STEP(g, S_TALKED);
    if (c->id == 2) {
        close(c->io.fd); /* c2 hangs up */
        GO_RETURN(g, &c->id);
    }
    if (c->id == 0 || c->id == 1)
        AWAIT(g, c, "* c2 left #lobby\n");
    STEP(g, S_LEFT);
    if (c->id == 5)
        SAY(g, c, "/join lobby\n");
    if (c->id == 3 || c->id == 4)
        AWAIT(g, c, "* c5 left #games\n");
    else if (c->id != SLOW)
        AWAIT(g, c, "* c5 joined #lobby\n");
    STEP(g, S_MOVED);
    if (c->id != SLOW) {
        for (c->k = 0; c->k < LINES; c->k++)
            SAY(g, c, "p1 k%d\n", c->k);
        READ_UNTIL(g, c, c->have[1] == lines_for(c->id, 1));
    }
    STEP(g, S_TALKED2);
    if (c->id == 0) {
        for (c->k = 0; c->k < FLOOD; c->k++) {
            SAY(g, c, "flood %d %s\n", c->k, PAD);
            TAKE_SIGNAL(g, &pace); /* c1 has it... */
            TAKE_SIGNAL(g, &pace); /* ...and c5 */
        }
    } else if (c->id == 1 || c->id == 5) {
        while (c->flood < FLOOD && !c->eof) {
            READ_LINE(g, &c->io, c->in, sizeof c->in);
            if (GO_CLOSED(g))
                c->eof = 1;
            else if (take_line(c) == FLOODED)
                PUT_SIGNAL(g, &pace);
        }
    }
    if (c->id == SLOW)
        GROUP_WAIT(g, &step[S_FLOODED]); /* the others, then read at last */
    else
        STEP(g, S_FLOODED);
    READ_UNTIL(g, c, 0); /* to the end: quit closes, the server hangs up */
    close(c->io.fd);
    GO_END(g);
}

/* After the flood the server stops. */
static int stopper_fn(ca_go *g)
{
    GO_BEGIN(g);
    GROUP_WAIT(g, &step[S_FLOODED]);
    (void)ca_close(&quit);
    GO_END(g);
}

static void start_clients(client *cl, const struct sockaddr_in *a)
{
    static ca_go stopper;
    static const unsigned steppers[STEPS] = {7, 7, 6, 6, 6, 5};
    int i, fd, small = 4096;

    for (i = 0; i < STEPS; i++)
        check(ca_group_init(&step[i], steppers[i]), "ca_group_init");
    check(ca_chan_init(&pace, CA_FIXED, 2, 0, NULL, 0), "ca_chan_init");
    for (i = 0; i < CLIENTS; i++) {
        cl[i].id = i;
        cl[i].addr = *a;
        cl[i].last = -1;
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (i == SLOW) /* and small kernel buffers, so that it shows */
            (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        check(ca_io_init(&cl[i].io, fd, cl[i].ra, sizeof cl[i].ra),
              "ca_io_init");
        check(ca_go_start(&sched, &cl[i].go, client_fn), "ca_go_start");
    }
    check(ca_go_start(&sched, &stopper, stopper_fn), "ca_go_start");
}

static void report(const client *cl, unsigned served)
{
    static const char *const where[CLIENTS] = {
        "#lobby", "#lobby", "#lobby, then left", "#games", "#games",
        "#games, then #lobby", "#lobby, reading nothing until the end"};
    int i, j, p, missing;

    for (i = 0; i < CLIENTS; i++) {
        missing = 0;
        for (j = 0; j < CLIENTS; j++)
            for (p = 0; p < 2; p++)
                if (hears(i, j, p))
                    missing += LINES - cl[i].next[j][p];
        printf("c%d %s: %d room lines, %d missing, %d stray\n", i, where[i],
               cl[i].have[0] + cl[i].have[1], missing, cl[i].stray);
        if (i == 1 || i == 5)
            printf("   the flood: %d of %d lines, in order\n", cl[i].flood,
                   FLOOD);
        if (i == SLOW)
            printf("   the flood: the newest came %s, older ones %s\n",
                   cl[i].last == FLOOD - 1 ? "last" : "NOT last",
                   cl[i].flood < FLOOD ? "dropped" : "NOT dropped");
    }
    printf("server: %u connections, all closed\n", served);
    for (i = 0; i < STEPS; i++)
        check(ca_group_destroy(&step[i]), "ca_group_destroy");
    check(ca_chan_destroy(&pace), "ca_chan_destroy");
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    static server srv;
    static client cl[CLIENTS];
    static ca_go closer;
    struct sockaddr_in a;
    unsigned pool = 0;
    int rc = CA_ENOTSUP, alone;

    demo_trace(&argc, argv);
    if (argc > 2 && strcmp(argv[1], "--pool") == 0) {
        pool = (unsigned)atoi(argv[2]);
        argc -= 2;
        argv += 2;
    }
    alone = argc < 2;
    if (ca_wait_fd_blocking(0, CA_FD_READ, 0, NULL) == CA_ENOTSUP) {
        fprintf(stderr, "needs descriptors (poll)\n");
        return LESSON_SKIP;
    }
    (void)signal(SIGPIPE, SIG_IGN); /* a client gone: CA_CLOSED instead */

    check(ca_sched_init(&sched), "ca_sched_init");
    check(ca_chan_new(&said, CA_FIXED, 16, sizeof(msg)), "ca_chan_new");
    check(ca_chan_init(&quit, CA_UNBUFFERED, 0, 0, NULL, 0), "ca_chan_init");
    check(ca_group_init(&open_conns, 1), "ca_group_init"); /* the acceptor */
    check(ca_pub(&rooms, &sched, said, room_of, room_buf, NULL, &rooms_val),
          "ca_pub");
    srv.left = alone ? CLIENTS : -1;
    check(ca_io_init(&srv.io,
                     listen_on(alone ? 0 : (unsigned short)atoi(argv[1]), &a),
                     NULL, 0), "ca_io_init");
    check(ca_go_start(&sched, &srv.go, server_fn), "ca_go_start");
    check(ca_go_start(&sched, &closer, closer_fn), "ca_go_start");
    if (!alone)
        printf("chat server on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
    else
        start_clients(cl, &a);
    fflush(stdout);

    /* On a pool the workers run it all, and this thread waits for the
    ** server to have nothing left to say (never, when it serves for
    ** real); then the last blocks end here. */
    if (pool > 0 && (rc = ca_sched_start(&sched, pool)) != CA_ENOTSUP)
        check(rc, "ca_sched_start");
    if (rc == CA_OK) {
        check(ca_group_wait_blocking(&open_conns), "ca_group_wait_blocking");
        check(ca_sched_stop(&sched), "ca_sched_stop");
    }
    check(ca_sched_run(&sched), "ca_sched_run");

    if (alone)
        report(cl, srv.served);
    check(ca_pub_destroy(&rooms), "ca_pub_destroy");
    check(ca_chan_free(said), "ca_chan_free");
    check(ca_chan_destroy(&quit), "ca_chan_destroy");
    check(ca_group_destroy(&open_conns), "ca_group_destroy");
    check(ca_sched_destroy(&sched), "ca_sched_destroy");
    close(srv.io.fd);
    return 0;
}

#else

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "needs malloc\n");
    return LESSON_SKIP;
}

#endif
