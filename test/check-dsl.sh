#!/bin/sh
# The go-block macros in user code, in both resume variants, with the
# configured compiler and with gcc and clang when they are installed:
# - every legitimate use of every macro compiles clean with every warning
#   an error (including a body with no parking op, whose marker must not
#   be an unused variable);
# - each misuse below does not compile, and where the rule has a name the
#   compiler's message contains it: two parking ops on one line (they
#   would share a resume point); a parking op outside a go body
#   (CA_PARKING_OP_OUTSIDE_GO_BODY); a TAKE into a const destination, or
#   through a `void *` or NULL; a PUT through a `void *`; a TAKE_BYTES into
#   a const buffer. The names of the type checks are GCC and Clang's only:
#   another compiler must refuse those cases too, but in its own words.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CC:=cc}"
tmp=${TMPDIR:-/tmp}/ca-dsl.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/good.c" <<'EOT'
#include <coreasync.h>
struct pair { int a, b; };
struct blk {
    ca_go go;
    ca_chan *in, *out, *sig, *bytes;
    ca_alt alt[3];
    long v;
    struct pair p;
    int arr[2];
    unsigned char raw[12];
    void *buf;
    const void *cbuf;
    const long cv;
    int i, err;
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
        if (!GO_OK(g))
            break;
        PUT(g, b->out, &b->cv);
        TAKE(g, b->in, &b->p);
        TAKE(g, b->in, &b->arr);
        PUT(g, b->out, &b->arr);
        TAKE_BYTES(g, b->bytes, b->buf);
        TAKE_BYTES(g, b->bytes, b->raw);
        PUT_BYTES(g, b->bytes, b->cbuf);
        TAKE_SIGNAL(g, b->sig);
        PUT_SIGNAL(g, b->sig);
        ca_alt_take(&b->alt[0], b->in, &b->v);
        ca_alt_put(&b->alt[1], b->out, &b->v);
        ca_alt_deadline(&b->alt[2], 10);
        ALTS(g, b->alt, 3, CA_ALTS_PRIORITY);
        if (GO_ALT(g) == 2 && GO_STATUS(g) == CA_OK)
            SLEEP(g, 1);
        SLEEP_UNTIL(g, ca_sched_now(ca_go_sched(g)) + 1u);
        YIELD(g);
    }
    if (GO_ERROR(g))
        b->err = GO_STATUS(g);
    GO_RETURN(g, &b->v);
    GO_END(g);
}
int empty(ca_go *g);
int empty(ca_go *g)
{
    GO_BEGIN(g);
    GO_END(g);
}
int result_only(ca_go *g);
int result_only(ca_go *g)
{
    struct blk *b = (struct blk *)g;
    b->i++;
    GO_BEGIN(g);
    GO_RETURN(g, &b->v);
    GO_END(g);
}
EOT

# Each misuse: a file name, the text its error must contain (empty: any
# error will do; a trailing "?" : only from GCC and Clang), and a body.
prelude='#include <coreasync.h>
struct blk { ca_go go; ca_chan *in; ca_alt alt[1]; long v; const long cv;
             const int carr[2]; void *p; const void *cp; };
int blk(ca_go *g);
int helper(ca_go *g);'
bad() {
  printf '%s\n%s\n' "$prelude" "$3" > "$tmp/$1.c"
  echo "$1 $2" >> "$tmp/bad.list"
}
: > "$tmp/bad.list"
bad twoops '' 'int blk(ca_go *g) { struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE(g, b->in, &b->v); TAKE(g, b->in, &b->v);
  GO_END(g); }'
for op in 'TAKE(g, b->in, &b->v)' 'PUT(g, b->in, &b->v)' 'YIELD(g)' \
          'SLEEP(g, 1)' 'SLEEP_UNTIL(g, 5u)' 'ALTS(g, b->alt, 1, 0)' \
          'TAKE_SIGNAL(g, b->in)' \
          'TAKE_BYTES(g, b->in, b->p)'; do
  n=$(printf '%s' "$op" | sed 's/(.*//')
  bad "helper_$n" CA_PARKING_OP_OUTSIDE_GO_BODY "int helper(ca_go *g) {
  struct blk *b = (struct blk *)g; (void)b;
  $op;
  return 0; }"
done
bad before_begin CA_PARKING_OP_OUTSIDE_GO_BODY 'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  TAKE(g, b->in, &b->v);
  GO_BEGIN(g);
  GO_END(g); }'
bad const_dst 'CA_TAKE_DESTINATION_IS_CONST?' 'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE(g, b->in, &b->cv);
  GO_END(g); }'
bad const_array 'CA_TAKE_DESTINATION_IS_CONST?' 'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE(g, b->in, &b->carr);
  GO_END(g); }'
bad void_dst 'CA_TAKE_DESTINATION_IS_VOID_USE_TAKE_BYTES_OR_TAKE_SIGNAL?' \
'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE(g, b->in, b->p);
  GO_END(g); }'
bad null_dst 'CA_TAKE_DESTINATION_IS_VOID_USE_TAKE_BYTES_OR_TAKE_SIGNAL?' \
'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE(g, b->in, NULL);
  GO_END(g); }'
bad void_src 'CA_PUT_SOURCE_IS_VOID_USE_PUT_BYTES_OR_PUT_SIGNAL?' \
'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  PUT(g, b->in, b->p);
  GO_END(g); }'
bad const_bytes 'CA_TAKE_BYTES_BUFFER_IS_CONST?' 'int blk(ca_go *g) {
  struct blk *b = (struct blk *)g;
  GO_BEGIN(g);
  TAKE_BYTES(g, b->in, b->cp);
  GO_END(g); }'

# One argument per compiler: the configured one may carry flags
# (CC="gcc -m32"), which split only when it runs.
set -- "$CC"
for c in gcc clang; do
  command -v $c >/dev/null 2>&1 && [ "$c" != "$CC" ] && set -- "$@" "$c"
done
printf '#if !defined(__GNUC__) || defined(__cplusplus)\n#error not GNU C\n#endif\n' > "$tmp/gnu.c"
fail=0
for c in "$@"; do
  gnu=0
  $c -c "$tmp/gnu.c" -o "$tmp/gnu.o" 2>/dev/null && gnu=1
  # CA_CONFIG_TINY_GO (config.h) has no labels-as-values variant.
  cgs="0 1"
  printf '#include <coreasync/config.h>\n#if CA_CONFIG_TINY_GO\n#error\n#endif\n' |
    $c -E -I"$top_builddir/include" -I"$top_srcdir/include" -x c - \
      >/dev/null 2>&1 || cgs=0
  for cg in $cgs; do
    flags="-std=c99 -Wall -Wextra -Wpedantic -Wimplicit-fallthrough -Wshadow -Wdeclaration-after-statement -Werror -DCA_CONFIG_COMPUTED_GOTO=$cg -I$top_srcdir/include -I$top_builddir/include"
    if $c $flags -c "$tmp/good.c" -o "$tmp/good.o" 2> "$tmp/err"; then
      echo "ok   $c computed-goto=$cg: every macro compiles clean"
    else
      echo "FAIL $c computed-goto=$cg: warnings or errors in user code"; cat "$tmp/err"; fail=1
    fi
    while read -r name want; do
      if LC_ALL=C $c $flags -c "$tmp/$name.c" -o "$tmp/bad.o" 2> "$tmp/err"; then
        echo "FAIL $c computed-goto=$cg: $name compiled"; fail=1
        continue
      fi
      case $want in
        *\?) want=${want%\?}; [ $gnu = 1 ] || want= ;;
      esac
      # The rule's name in the first error, which is the one people read
      # (in English: LC_ALL=C above; the paths may say "error" too).
      if [ -z "$want" ] ||
         grep -m1 -E ': (fatal )?error: ' "$tmp/err" | grep -q "$want"; then
        echo "ok   $c computed-goto=$cg: $name refused${want:+ ($want)}"
      else
        echo "FAIL $c computed-goto=$cg: $name refused, but the first error lacks $want"
        cat "$tmp/err"; fail=1
      fi
    done < "$tmp/bad.list"
  done
done
exit $fail
