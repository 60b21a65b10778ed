#!/bin/sh
# The man pages' EXAMPLES cannot rot: every program in an .EX/.EE block
# of doc/*.3 (one with a main) is cut out, compiled as C99 with every
# warning an error against this build's library, and run (20 s at most);
# where the page then says what it prints (the next .EX block, after a
# paragraph with "prints"), its stdout must be exactly that. An example
# that needs what this build lacks is skipped, and says why.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CC:=cc}"
# Absolute, since each example is built in a directory of its own: a
# page may name the file its output shows (ca_sched(3): deadlock.c).
top_srcdir=$(cd "$top_srcdir" && pwd) && top_builddir=$(cd "$top_builddir" && pwd) ||
  exit 99
[ -f "$top_builddir/libcoreasync.la" ] || { echo "no library built"; exit 77; }
inc="-I$top_srcdir/include -I$top_builddir/include"
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout 20"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# What this build has: config.h's switches (TINY_GO is derived there).
# shellcheck disable=SC2086
printf '%s\n' '#include <coreasync/config.h>' \
  '#if CA_HAVE_THREADS' threads '#endif' '#if CA_HAVE_MALLOC' malloc '#endif' \
  '#if !CA_CONFIG_TINY_GO' full-go '#endif' '#if CA_CONFIG_TRACE' trace '#endif' |
  $CC -E -P $inc -x c - > "$tmp/have" || exit 99
have=" $(tr -s '\n' ' ' < "$tmp/have") "
pthread=
case $have in *" threads "*) pthread=-pthread ;; esac

# needs FILE: what FILE uses that this build lacks. The uses are those
# the library has only with a switch of config.h: threads; what
# allocates, and descriptor waits in go blocks (ca_io(3): CA_ENOTSUP
# without malloc); the dump's sites and labels as values, which
# CA_CONFIG_TINY_GO leaves out; the trace. Code under the example's own
# #if CA_HAVE_... takes care of itself. A new example that uses more of
# the kind fails in CI's reduced builds: add it here.
needs() {
  sed '/^#if CA_HAVE_/,/^#endif/d' "$1" > "$1.used"
  while read -r feat uses why; do
    case $have in *" $feat "*) continue ;; esac
    grep -Eq "$uses" "$1.used" && { echo "$why"; return; }
  done <<'EOF'
threads pthread_create|ca_(thread|sched_start|pipeline_blocking)\( threads (CA_HAVE_THREADS)
malloc ca_[a-z]+_new(_xf)?\(|ca_go_(result|spawn)\(|CA_(CHAN_NEW|GO_SPAWN)|ca_(timeout|set_allocator|thread|to_chan|pipeline(_async)?)\(|WAIT_FD\(|ca_alt_fd\( malloc (CA_HAVE_MALLOC)
full-go ca_sched_(dump|parked)\(|define[[:space:]]+CA_CONFIG_COMPUTED_GOTO[[:space:]]+1 what CA_CONFIG_TINY_GO leaves out
trace ca_trace the trace (CA_CONFIG_TRACE)
EOF
}

# Examples not run: a fragment (no #include: ca_port(3)'s Cortex-M
# start) is not a whole program.
unrunnable() {
  grep -q '^#include' "$1" || echo "a fragment, not a whole program (no #include)"
}

# Cuts PAGE's examples out as P.N.c, their expected output as P.N.exp and
# the text between the two as P.N.said, undoing the troff escapes.
extract() {
  awk -v out="$tmp/$(basename "$1")" '
    function unesc(s,   o, i, r, c, n) {
      o = ""
      while ((i = index(s, "\\")) > 0) {
        o = o substr(s, 1, i - 1); r = substr(s, i + 1); c = substr(r, 1, 1)
        n = 2
        if (c == "e" || c == "\\") o = o "\\"
        else if (c == "-") o = o "-"
        else if (c == "(") { # a name this does not know stays, and shows
          o = o ((substr(r, 2, 2) in sp) ? sp[substr(r, 2, 2)] : "\\" substr(r, 1, 3))
          n = 4
        }
        else if (c == "f") n = substr(r, 2, 1) == "(" ? 5 : 3
        else if (c != "&" && c != ")") o = o "\\" c
        s = substr(r, n)
      }
      return o s
    }
    BEGIN { sp["aq"] = "\047"; sp["dq"] = "\""; sp["rs"] = "\\"; sp["ti"] = "~"
            sp["ha"] = "^"; sp["mi"] = "-"; sp["en"] = "-"; sp["em"] = "--" }
    /^\.SH/ { want = 0 }
    /^\.EX/ { ex = 1; body = ""; next }
    /^\.EE/ {
      ex = 0
      if (body ~ /main\(/) {
        n++; want = 1; said = ""
        printf "%s", body > (out "." n ".c"); close(out "." n ".c")
      } else if (want && said ~ /prints/) {
        printf "%s", body > (out "." n ".exp"); close(out "." n ".exp")
        print said > (out "." n ".said"); close(out "." n ".said")
        want = 0
      } else want = 0
      next
    }
    ex { body = body unesc($0) "\n"; next }
    want { said = said " " $0 }' "$1"
}

ok=0 skip=0 fail=0
for page in "$top_srcdir"/doc/*.3; do
  grep -q '^\.so ' "$page" && continue
  extract "$page"
done
# No example at all is a broken extraction (or no doc/), not a skip.
ls "$tmp"/*.c >/dev/null 2>&1 || { echo "no example found in $top_srcdir/doc"; exit 99; }
for c in "$tmp"/*.c; do
  [ -f "$c" ] || continue
  x=${c%.c}; id=$(basename "$x"); id="${id%.*}#${id##*.}"
  if why=$(unrunnable "$c") && [ -n "$why" ]; then
    echo "skip $id: $why"; skip=$((skip + 1)); continue
  fi
  feat=$(needs "$c")
  if [ -n "$feat" ]; then
    echo "skip $id: needs $feat"; skip=$((skip + 1)); continue
  fi
  name=ex.c
  if [ -f "$x.exp" ]; then
    # The page may name the file, when what it prints shows the name.
    name=$(sed -n 's/.*Saved as \.I \([^ ]*\.c\).*/\1/p' "$x.said")
    [ -n "$name" ] || name=ex.c
    # A page may say that a build without malloc prints less (ca_chan(3)).
    case $have in *" malloc "*) ;; *)
      grep -q 'without malloc leaves out the last line' "$x.said" &&
        sed '$d' "$x.exp" > "$x.tmp" && mv "$x.tmp" "$x.exp" ;;
    esac
  fi
  mkdir "$x.d" && cp "$c" "$x.d/$name" || exit 99
  # shellcheck disable=SC2086
  if ! (cd "$x.d" && "$top_builddir/libtool" --silent --tag=CC --mode=link \
        $CC ${CFLAGS:-} -std=c99 -Wall -Wextra -Wpedantic -Werror $pthread \
        $inc ${LDFLAGS:-} -no-install -o ex "$name" \
        "$top_builddir/libcoreasync.la") > "$x.log" 2>&1; then
    echo "FAIL $id: does not compile"; cat "$x.log"; fail=$((fail + 1)); continue
  fi
  status=0
  (cd "$x.d" && $bound ./ex > out 2> err) || status=$?
  if [ $status != 0 ]; then
    [ $status = 124 ] && [ -n "$bound" ] && status="$status (timed out)"
    echo "FAIL $id: exit status $status"; cat "$x.d/err"; fail=$((fail + 1))
  elif [ -f "$x.exp" ] && ! diff -u "$x.exp" "$x.d/out" > "$x.diff"; then
    echo "FAIL $id: prints other than the page says (- page, + run)"
    cat "$x.diff"; fail=$((fail + 1))
  else
    echo "ok   $id"; ok=$((ok + 1))
  fi
done
echo "# man examples: $ok ok, $skip skipped, $fail failed"
[ $fail = 0 ] || exit 1
[ $ok -gt 0 ] || exit 77
