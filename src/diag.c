/*
** diag.c: what the scheduler can tell about its blocks: the list of those
** that are parked, and the one-line-per-block dump (the only stdio in the
** library). Tracing will live here too. MIT licence, see COPYING.
*/
#include <string.h>

#include "internal.h"

#if CA_CONFIG_TINY_GO
/* The scheduler counts its blocks but does not list them (config.h). */
int ca_sched_parked(ca_sched *s, void (*fn)(const ca_parked *p, void *ud),
                    void *ud)
{
    (void)ud;
    s = CA__SCHED(s);
    if (fn == NULL || !(s->flags & CA__S_LIVE))
        return CA_EINVAL;
    return CA_ENOTSUP;
}
#else
int ca_sched_parked(ca_sched *s, void (*fn)(const ca_parked *p, void *ud),
                    void *ud)
{
    ca_parked p;
    const ca_go_site *site;
    ca_go *g;
    size_t i;
    int n = 0;

    if (fn == NULL || ca__sched_live(&s) != CA_OK)
        return CA_EINVAL;
    g = s->live;
    for (i = 0; i < s->nlive; i++, g = g->next) {
        if ((g->u.w.state & (CA__G_READY | CA__G_SLEEP)) ||
            ca__sched_running(g) ||
            (site = CA__GO_SITE_OF(g)) == NULL)
            continue;
        memset(&p, 0, sizeof p);
        p.func = site->func;
        p.file = site->file;
        p.line = site->line;
        p.op = site->op;
        p.expr = site->expr;
        p.status = g->u.w.status == CA_ELOST ? CA_ELOST : CA_OK;
        if (strcmp(p.op, "ALTS") == 0) {
            p.cases = (const ca_alt *)g->u.w.val;
            p.ncases = (size_t)g->u.w.u.n;
        } else {
            p.chan = g->u.w.u.chan;
        }
        fn(&p, ud);
        n++;
    }
    return n;
}
#endif

static void print_chan(FILE *out, const ca_chan *ch)
{
    char buf[CA__NAME_COPY];
    const char *name = ca__chan_name_copy(ch, buf, sizeof buf);

    if (*name != '\0')
        fprintf(out, "\"%s\"", name);
    else
        fprintf(out, "%p", (const void *)ch);
}

static void dump_one(const ca_parked *p, void *ud)
{
    FILE *out = (FILE *)ud;
    size_t i, shown = 0;

    fprintf(out, "  %s (%s:%u) %s %s(%s)", p->func, p->file, p->line,
            p->status == CA_ELOST ? "lost its resume point (a parking op "
                                    "inside a switch of yours) after"
                                  : "parked in",
            p->op, p->expr);
    if (p->chan != NULL) {
        fprintf(out, " on channel ");
        print_chan(out, p->chan);
    }
    for (i = 0; i < p->ncases; i++) {
        const ca_alt *c = &p->cases[i];
        if (c->kind != CA__ALT_TAKE && c->kind != CA__ALT_PUT)
            continue;
        fprintf(out, "%s%s ", shown++ ? ", " : " on ",
                c->kind == CA__ALT_TAKE ? "take" : "put");
        print_chan(out, c->chan);
    }
    fputc('\n', out);
}

int ca_sched_dump(ca_sched *s, FILE *out)
{
    if (out == NULL)
        return CA_EINVAL;
    return ca_sched_parked(s, dump_one, out);
}
