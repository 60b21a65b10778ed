#!/bin/sh
# The go-block macros in user code: a block using every macro compiles
# clean with every warning an error, in both resume variants; and two
# parking ops on one line do not compile at all (they would otherwise
# share a resume point). Runs with the configured compiler, and with clang
# and gcc too when they are installed.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CC:=cc}"
tmp=${TMPDIR:-/tmp}/ca-dsl.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/good.c" <<'EOT'
#include <coreasync.h>
struct blk {
    ca_go go;
    ca_chan *in, *out;
    ca_alt alt[3];
    long v;
    int i;
};
int blk(ca_go *g);
int blk(ca_go *g)
{
    struct blk *b = (struct blk *)g;
    GO_BEGIN(g);
    for (b->i = 0; b->i < 3; b->i++) {
        TAKE(g, b->in, &b->v);
        if (GO_CLOSED(g))
            break;
        PUT(g, b->out, &b->v);
        ca_alt_take(&b->alt[0], b->in, &b->v);
        ca_alt_put(&b->alt[1], b->out, &b->v);
        ca_alt_deadline(&b->alt[2], 10);
        ALTS(g, b->alt, 3, CA_ALTS_PRIORITY);
        if (GO_ALT(g) == 2 && GO_STATUS(g) == CA_OK)
            SLEEP(g, 1);
        YIELD(g);
    }
    GO_RETURN(g, &b->v);
    GO_END(g);
}
EOT

cat > "$tmp/bad.c" <<'EOT'
#include <coreasync.h>
struct blk { ca_go go; ca_chan *in; long v; };
int blk(ca_go *g);
int blk(ca_go *g)
{
    struct blk *b = (struct blk *)g;
    GO_BEGIN(g);
    TAKE(g, b->in, &b->v); TAKE(g, b->in, &b->v);
    GO_END(g);
}
EOT

# One argument per compiler: the configured one may carry flags
# (CC="gcc -m32"), which split only when it runs.
set -- "$CC"
for c in gcc clang; do
  command -v $c >/dev/null 2>&1 && [ "$c" != "$CC" ] && set -- "$@" "$c"
done
fail=0
for c in "$@"; do
  for cg in 0 1; do
    flags="-std=c99 -Wall -Wextra -Wpedantic -Wimplicit-fallthrough -Werror -DCA_CONFIG_COMPUTED_GOTO=$cg -I$top_srcdir/include -I$top_builddir/include"
    if $c $flags -c "$tmp/good.c" -o "$tmp/good.o" 2> "$tmp/err"; then
      echo "ok   $c computed-goto=$cg: every macro compiles clean"
    else
      echo "FAIL $c computed-goto=$cg: warnings or errors in user code"; cat "$tmp/err"; fail=1
    fi
    if $c $flags -c "$tmp/bad.c" -o "$tmp/bad.o" 2> /dev/null; then
      echo "FAIL $c computed-goto=$cg: two parking ops on one line compiled"; fail=1
    else
      echo "ok   $c computed-goto=$cg: two parking ops on one line refused"
    fi
  done
done
exit $fail
