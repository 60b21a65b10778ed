#!/bin/sh
# `make coverage`: line and branch coverage of src/ by `make check`, with
# gcov and gcovr. Builds a configuration of its own under ./coverage/
# (static, -O0 --coverage, atomic counters for the threaded tests, plus COVERAGE_FLAGS for configure), runs the
# suite there, and prints gcovr's table and totals; coverage/index.html
# has the annotated sources. Lines marked GCOVR_EXCL_* in src/ are
# unreachable by construction; each says why. Targets: 95% lines, 90%
# branches.
set -eu
: "${top_srcdir:?}" "${COVERAGE_FLAGS:=}"
command -v gcovr >/dev/null ||
  { echo "coverage: needs gcovr (apt-get install gcovr)" >&2; exit 1; }
src=$(cd "$top_srcdir" && pwd)
rm -rf coverage
mkdir coverage
cd coverage
# shellcheck disable=SC2086 # COVERAGE_FLAGS is a list of words
"$src/configure" --disable-shared $COVERAGE_FLAGS CFLAGS='-O0 -g --coverage -fprofile-update=atomic' \
  LDFLAGS=--coverage >/dev/null
make -j2 >/dev/null
status=0
make -j2 check >/dev/null 2>&1 || status=$?
[ $status -eq 0 ] || echo "coverage: make check failed; numbers are partial" >&2
gcovr -r "$src" --object-directory . --filter "$src/src/" \
  --exclude-unreachable-branches --exclude-throw-branches \
  --html-details index.html --print-summary -s --txt - 2>/dev/null |
  grep -v '^$'
exit $status
