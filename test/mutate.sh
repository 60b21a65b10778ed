#!/bin/sh
# `make mutate`: mutation testing. Applies each one-line mutant of
# test/mutants.txt to a scratch copy of the sources, rebuilds there, runs
# the unit tests against it, and prints the killed ratio and the
# survivors. A mutant is killed when a test fails, hangs (the runner's
# watchdog, CA_TEST_TIMEOUT, ends it) or runs past MUTATE_TIMEOUT; one
# that no longer compiles counts as neither (a stale mutant says so).
#
# Environment: top_srcdir (required); MUTATE_DIR, the scratch directory
# (default ./mutate); MUTATE_TIMEOUT, seconds per mutant (default 300);
# MUTATE_ONLY, a pattern: only the mutants whose line matches it;
# MUTATE_TESTS, the tests to run (default: the CUnit suites and the fuzz
# replay; a test that fails now and then would kill mutants it did not
# catch: leave it out); MUTATE_CONFIGURE, configure's arguments (default
# --enable-debug, so that the protocol's assertions count, as in CI's
# sanitizer builds). Exits 1 below MUTATE_TARGET percent (default 95).
set -u
: "${top_srcdir:?}"
src=$(cd "$top_srcdir" && pwd)
dir=${MUTATE_DIR:-mutate}
limit=${MUTATE_TIMEOUT:-300}
target=${MUTATE_TARGET:-95}
list="$src/test/mutants.txt"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The scratch copy: the files git knows (or the whole tree), built once.
rm -rf "$dir/tree" "$dir/build"
mkdir -p "$dir/tree" "$dir/build"
if git -C "$src" rev-parse >/dev/null 2>&1; then
  git -C "$src" ls-files -z | (cd "$src" && xargs -0 tar cf -) |
    (cd "$dir/tree" && tar xf -)
else
  (cd "$src" && tar cf - --exclude=./mutate .) | (cd "$dir/tree" && tar xf -)
fi
(cd "$dir/tree" && autoreconf -fi >/dev/null 2>&1) ||
  { echo "mutate: autoreconf failed" >&2; exit 99; }
cd "$dir/build" || exit 99
# shellcheck disable=SC2086 # a list of words
"$dir/tree/configure" ${MUTATE_CONFIGURE:---enable-debug} \
  CFLAGS='-O1 -g' >/dev/null || { echo "mutate: configure failed" >&2; exit 99; }
make -j2 >/dev/null 2>&1 || { echo "mutate: the build fails" >&2; exit 99; }
tests=${MUTATE_TESTS:-$(make -s -f - print-tests <<'EOF'
include Makefile
print-tests:
	@echo $(CA_UNIT_TESTS) test/fuzz/replay
EOF
)}

make -j2 check TESTS="$tests" >/dev/null 2>&1 ||
  { echo "mutate: the unmutated suite fails here; see $dir/build" >&2; exit 99; }

killed=0 survived=0 stale=0 n=0 survivors=
tab=$(printf '\t')
while IFS="$tab" read -r file text repl what; do
  case $file in ''|'#'*) continue ;; esac
  if [ -n "${MUTATE_ONLY:-}" ]; then
    printf '%s %s %s\n' "$file" "$text" "$what" | grep -q -- "$MUTATE_ONLY" ||
      continue
  fi
  n=$((n + 1))
  cp "$dir/tree/$file" "$dir/orig"
  if ! python3 - "$dir/tree/$file" "$text" "$repl" <<'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
s = open(path).read()
if s.count(old) != 1:
    sys.exit(1)
open(path, "w").write(s.replace(old, new))
EOF
  then
    echo "stale    $file: $what (text not found once)"
    stale=$((stale + 1))
    continue
  fi
  if ! make -j2 >/dev/null 2>&1; then
    echo "stale    $file: $what (does not compile)"
    stale=$((stale + 1))
  elif CA_TEST_TIMEOUT=60 timeout "$limit" make -j2 check TESTS="$tests" \
         >/dev/null 2>&1; then
    echo "SURVIVED $file: $what"
    survived=$((survived + 1))
    survivors="$survivors
  $file: $what"
  else
    echo "killed   $file: $what"
    killed=$((killed + 1))
  fi
  cp "$dir/orig" "$dir/tree/$file"
  touch "$dir/tree/$file"
done < "$list"
make -j2 >/dev/null 2>&1

total=$((killed + survived))
[ $total -gt 0 ] || { echo "mutate: no mutant ran" >&2; exit 99; }
pct=$((killed * 100 / total))
echo "mutants: $n, killed $killed of $total ($pct%), stale $stale"
[ -z "$survivors" ] || echo "survivors:$survivors"
[ $pct -ge "$target" ]
