#!/bin/sh
# `make check-fuzz`: builds the model-based fuzzer with clang's libFuzzer
# (and ASan, UBSan) in the current configuration, then runs it for
# FUZZ_SECONDS (default 60) from a copy of the seed corpus. A crash or a
# divergence from the model fails, and the log shows the input (hex from
# the fuzzer, base64 from libFuzzer) and where it was saved. Without clang
# or libFuzzer it says so and fails. Called by Makefile.am with
# top_srcdir, top_builddir, DEFS, LIBS and SOURCES (the library's) set.
set -u
: "${FUZZ_SECONDS:=60}" "${FUZZ_CC:=clang}"
src=$top_srcdir
out=$top_builddir/fuzz
mkdir -p "$out/corpus" || exit 1
flags="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > "$out/probe.c"
if ! $FUZZ_CC $flags "$out/probe.c" -o "$out/probe" 2>/dev/null; then
  echo "check-fuzz: '$FUZZ_CC' cannot build a libFuzzer program" \
       "(install clang, or set FUZZ_CC)" >&2
  exit 1
fi
lib=
for f in $SOURCES; do
  case $f in *.c) lib="$lib $src/$f" ;; esac
done
# DEFS holds quoted strings: let the shell split it as make wrote it.
eval "set -- $DEFS"
# shellcheck disable=SC2086 # word splitting is wanted for the lists
$FUZZ_CC $flags "$@" -I"$src/include" -I"$top_builddir/include" \
  "$src/test/fuzz/fuzz.c" "$src/test/fuzz/model.c" "$src/test/fuzz/real.c" \
  $lib $LIBS -o "$out/fuzz" || exit 1
cp "$src"/test/fuzz/corpus/* "$out/corpus/" || exit 1
echo "check-fuzz: $FUZZ_SECONDS s from $(ls "$out/corpus" | wc -l) inputs"
"$out/fuzz" -max_total_time="$FUZZ_SECONDS" -max_len=512 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
  "$out/corpus" > "$out/fuzz.log" 2>&1
status=$?
grep -E '^(stat::|Done|#[0-9]+ *DONE)' "$out/fuzz.log"
if [ $status -ne 0 ]; then
  grep -v -E '^#[0-9]+' "$out/fuzz.log" | tail -60
  for f in "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-*; do
    [ -f "$f" ] || continue
    echo "check-fuzz: reproducer $f (hex):"
    od -An -tx1 -v "$f" | tr -d ' \n'; echo
  done
  echo "check-fuzz: FAILED (replay with: $out/fuzz FILE, or FUZZ_TRACE=1 test/fuzz/replay FILE)"
  exit 1
fi
echo "check-fuzz: no crash, no divergence"
