#!/bin/sh
# `make mutate`: mutation testing. Applies each one-line mutant of
# test/mutants.txt to a scratch copy of the sources, rebuilds there, runs
# the unit tests against it, and prints the killed ratio and the
# survivors. A mutant is killed when a test fails, hangs (the runner's
# watchdog, CA_TEST_TIMEOUT, ends it) or runs past MUTATE_TIMEOUT; one
# that no longer compiles counts as neither (a stale mutant says so). A
# mutant of code that only a build without threads compiles says so, and
# runs in such a build.
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
tab=$(printf '\t')

# Applies a mutant: replaces its text, which must occur exactly once in
# the file; with a 4th argument, only tests that it does. In perl, which
# every machine that runs autoconf has (python may be missing).
mutant() { # file, text, replacement[, check]
  perl -e '
    my ($path, $old, $new, $check) = @ARGV;
    s/\\n/\n/g for $old, $new;
    open(my $f, "<", $path) or exit 2;
    my $s = do { local $/; <$f> };
    close $f;
    exit 1 if length $old == 0;
    my ($n, $at) = (0, 0);
    while (($at = index($s, $old, $at)) >= 0) { $n++; $at += length $old; }
    exit 1 if $n != 1;
    exit 0 if defined $check;
    substr($s, index($s, $old), length $old) = $new;
    open($f, ">", $path) or exit 2;
    print $f $s;
    close $f or exit 2;' "$@"
}

# --check: only that every mutant still finds its text, once, in the
# sources as they are (make check runs it: test/check-mutants.sh), so the
# list cannot go stale unseen between runs of the whole, slow, make mutate.
if [ "${1:-}" = --check ]; then
  n=0 stale=0
  while IFS="$tab" read -r file text repl what cfg <&3; do
    case $file in ''|'#'*) continue ;; esac
    n=$((n + 1))
    mutant "$src/$file" "$text" "$repl" check ||
      { echo "stale: $file: $what"; stale=$((stale + 1)); }
  done 3< "$list"
  echo "mutants: $n, stale $stale"
  [ "$stale" -eq 0 ]
  exit
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The scratch copy: the files git knows (or the whole tree), built once.
rm -rf "$dir/tree" "$dir/build" "$dir/build-no-threads"
mkdir -p "$dir/tree" "$dir/build"
if git -C "$src" rev-parse >/dev/null 2>&1; then
  git -C "$src" ls-files -z | (cd "$src" && xargs -0 tar cf -) |
    (cd "$dir/tree" && tar xf -)
else
  (cd "$src" && tar cf - --exclude=./mutate .) | (cd "$dir/tree" && tar xf -)
fi
(cd "$dir/tree" && autoreconf -fi >/dev/null 2>&1) ||
  { echo "mutate: autoreconf failed" >&2; exit 99; }
# A build per configuration a mutant names (the 5th field: "no-threads"
# for code that only a build without threads compiles), made and checked
# unmutated when first needed. Prints the tests to run there.
setup() { # build directory, configure's extra arguments
  if [ ! -f "$1/tests" ]; then
    mkdir -p "$1"
    # shellcheck disable=SC2086 # lists of words
    (cd "$1" && "$dir/tree/configure" ${MUTATE_CONFIGURE:---enable-debug} $2 \
       CFLAGS='-O1 -g' >/dev/null) ||
      { echo "mutate: configure failed in $1" >&2; exit 99; }
    make -C "$1" -j2 >/dev/null 2>&1 ||
      { echo "mutate: the build fails in $1" >&2; exit 99; }
    if [ -n "${MUTATE_TESTS:-}" ]; then
      echo "$MUTATE_TESTS" > "$1/tests"
    else
      (cd "$1" && make -s -f - print-tests > tests <<'EOF'
include Makefile
print-tests:
	@echo $(CA_UNIT_TESTS) test/fuzz/replay
EOF
      )
    fi
    make -C "$1" -j2 check TESTS="$(cat "$1/tests")" >/dev/null 2>&1 ||
      { echo "mutate: the unmutated suite fails in $1" >&2; exit 99; }
  fi
}
setup "$dir/build" "" || exit 99

killed=0 survived=0 stale=0 n=0 survivors=
# The list is read on fd 3: a test that reads its standard input must
# not eat it.
while IFS="$tab" read -r file text repl what cfg <&3; do
  case $file in ''|'#'*) continue ;; esac
  if [ -n "${MUTATE_ONLY:-}" ]; then
    printf '%s %s %s %s\n' "$file" "$text" "$what" "${cfg:-}" |
      grep -q -- "$MUTATE_ONLY" ||
      continue
  fi
  case ${cfg:-} in
    no-threads) build="$dir/build-no-threads"
                setup "$build" --disable-threads || exit 99 ;;
    *) build="$dir/build" ;;
  esac
  n=$((n + 1))
  cp "$dir/tree/$file" "$dir/orig"
  if ! mutant "$dir/tree/$file" "$text" "$repl"
  then
    echo "stale    $file: $what (text not found once)"
    stale=$((stale + 1))
    continue
  fi
  if ! make -C "$build" -j2 >/dev/null 2>&1; then
    echo "stale    $file: $what (does not compile)"
    stale=$((stale + 1))
  elif CA_TEST_TIMEOUT=60 timeout "$limit" \
         make -C "$build" -j2 check TESTS="$(cat "$build/tests")" \
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
done 3< "$list" </dev/null

total=$((killed + survived))
[ $total -gt 0 ] || { echo "mutate: no mutant ran" >&2; exit 99; }
pct=$((killed * 100 / total))
echo "mutants: $n, killed $killed of $total ($pct%), stale $stale"
[ -z "$survivors" ] || echo "survivors:$survivors"
[ $pct -ge "$target" ]
