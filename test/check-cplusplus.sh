#!/bin/sh
# The library from C++: <coreasync.h> and a go block using every parking
# macro compile clean as C++ with every warning an error (with the strict
# ones that C++ code bases add: old-style casts, 0 as the null pointer,
# useless casts, where the compiler has them), in both resume variants,
# under the configured C++ compiler and under g++ and clang++ when they
# are installed; then the configured one (or the first found)
# links the program against the built library and runs it: a value goes
# from main to a go block and back through blocking calls. That checks the
# extern "C" blocks of the headers, not just their syntax.
# Skipped (77) when no C++ compiler is found.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CXX:=}" "${LIBTOOL:=libtool}"
tmp=${TMPDIR:-/tmp}/ca-cplusplus.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/t.cpp" <<'EOT'
#include <coreasync.h>
#include <cstdio>

struct doubler {
    ca_go go;
    ca_chan *in, *out;
    ca_alt alt[2];
    int v;
};

static int doubler_fn(ca_go *g)
{
    doubler *d = reinterpret_cast<doubler *>(g);
    GO_BEGIN(g);
    TAKE(g, d->in, &d->v);
    if (GO_CLOSED(g))
        GO_RETURN(g, &d->v);
    SLEEP(g, 1);
    SLEEP_UNTIL(g, ca_sched_now(ca_go_sched(g)) + 1u);
    d->v *= 2;
    ca_alt_put(&d->alt[0], d->out, &d->v);
    ca_alt_deadline(&d->alt[1], 10000);
    ALTS(g, d->alt, 2, CA_ALTS_PRIORITY);
    if (GO_ALT(g) != 0 || GO_STATUS(g) != CA_OK)
        GO_RETURN(g, &d->v);
    d->v += 1;
    PUT(g, d->out, &d->v);
    GO_END(g);
}

/* Compiled, not run: the other macros that expand in the user's code,
** under the strict flags below. */
GO_STATE(cxx_state, ca_chan *ch; ca_io io; unsigned char bytes[4]; int fd;);

int cxx_macros(ca_go *g);
int cxx_macros(ca_go *g)
{
    GO_BEGIN_SELF(g, struct cxx_state, p);
    TAKE_BYTES(g, p->ch, p->bytes);
    PUT_BYTES(g, p->ch, p->bytes);
    TAKE_SIGNAL(g, p->ch);
    PUT_SIGNAL(g, p->ch);
    TAKE_EACH(g, p->ch, &p->fd) {
        if (GO_ERROR(g))
            break;
    }
    WAIT_FD(g, p->fd, CA_FD_READ);
    p->fd = GO_FD_EVENTS(g) + static_cast<int>(CA_IO_BUFFERED(&p->io)) +
            static_cast<int>(CA_BRIDGE_BUF(4) + CA_XF_STORAGE(2, 1, 4) +
                             CA_PIPELINE_STORAGE(2, 4, 4, 1) +
                             CA_PIPELINE_ASYNC_STORAGE(2, 4, 4)) +
            (CA_IO_LINE(&p->io) != nullptr);
    GO_END(g);
}

int main()
{
    static doubler d;
    static ca_chan in, out;
    int x = 20, got = 0, got2 = 0, rc;

    if (ca_chan_init(&in, CA_UNBUFFERED, 0, sizeof(int), nullptr, 0) != CA_OK ||
        ca_chan_init(&out, CA_UNBUFFERED, 0, sizeof(int), nullptr, 0) != CA_OK)
        return 1;
    d.in = &in;
    d.out = &out;
    if ((rc = ca_go_start(nullptr, &d.go, doubler_fn)) != CA_OK) {
        std::printf("ca_go_start: %s\n", ca_strerror(rc));
        return 1;
    }
    if ((rc = ca_put_blocking(&in, &x)) != CA_OK ||
        (rc = ca_take_blocking(&out, &got)) != CA_OK ||
        (rc = ca_take_blocking(&out, &got2)) != CA_OK ||
        (rc = ca_sched_run(nullptr)) != CA_OK) {
        std::printf("%s\n", ca_err_name(rc));
        return 1;
    }
    std::printf("sent %d, got %d then %d\n", x, got, got2);
    if (got != 40 || got2 != 41)
        return 1;
    if (ca_chan_destroy(&in) != CA_OK || ca_chan_destroy(&out) != CA_OK)
        return 1;
    return 0;
}
EOT

# One argument per compiler: the configured one may carry flags
# (CXX="g++ -m32"), which the others get too.
set --
extra=
if [ -n "$CXX" ]; then
  # shellcheck disable=SC2086
  set -- $CXX
  first=$1; shift; extra="$*"; set --
  command -v "$first" >/dev/null 2>&1 && set -- "$CXX"
fi
for c in g++ clang++; do
  [ "$c" = "${first:-}" ] && continue
  command -v $c >/dev/null 2>&1 && set -- "$@" "$c${extra:+ $extra}"
done
[ $# -gt 0 ] || { echo "no C++ compiler found (CXX='$CXX'): skipped"; exit 77; }

inc="-I$top_srcdir/include -I$top_builddir/include"
fail=0
flags=${CXXFLAGS:-} # the build's flags, for the compiler that links
n=0
for c in "$@"; do
  n=$((n + 1))
  # CA_CONFIG_TINY_GO (config.h) has no labels-as-values variant.
  cgs="0 1"
  printf '#include <coreasync/config.h>\n#if CA_CONFIG_TINY_GO\n#error\n#endif\n' |
    $c -E -I"$top_builddir/include" -I"$top_srcdir/include" -x c - \
      >/dev/null 2>&1 || cgs=0
  # The warnings strict C++ code turns on, where this compiler has them:
  # the macros expand in such code.
  strict=
  for w in -Wold-style-cast -Wzero-as-null-pointer-constant -Wuseless-cast; do
    echo 'int x;' | $c -Werror $w -x c++ -fsyntax-only - >/dev/null 2>&1 &&
      strict="$strict $w"
  done
  for cg in $cgs; do
    # shellcheck disable=SC2086
    if $c $flags -Wall -Wextra -Werror$strict -DCA_CONFIG_COMPUTED_GOTO=$cg $inc \
         -c "$tmp/t.cpp" -o "$tmp/t$n-$cg.o" 2> "$tmp/err"; then
      echo "ok   $c computed-goto=$cg: compiles clean as C++"
    else
      echo "FAIL $c computed-goto=$cg: warnings or errors as C++"; cat "$tmp/err"; fail=1
    fi
  done
  flags=-O2 # go.h's inline TAKE and PUT are compiled only when optimising
done

# Link and run with the first compiler, with the build's own flags (a
# sanitizer build needs its runtime on the link line too).
c=$1
[ -f "$tmp/t1-0.o" ] || exit 1
# shellcheck disable=SC2086
if $LIBTOOL --mode=link --tag=CXX $c ${CXXFLAGS:-} ${LDFLAGS:-} -o "$tmp/t" "$tmp/t1-0.o" \
     "$top_builddir/libcoreasync.la" > "$tmp/err" 2>&1; then
  echo "ok   $c: links against libcoreasync"
else
  echo "FAIL $c: does not link against libcoreasync"; cat "$tmp/err"; exit 1
fi
if "$tmp/t"; then
  echo "ok   $c: go block and main exchange values"
else
  echo "FAIL $c: the program failed (exit status $?)"; fail=1
fi
exit $fail
