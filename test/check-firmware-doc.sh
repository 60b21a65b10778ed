#!/bin/sh
# Every C example of doc/firmware.md compiles (as C99, warnings fatal):
# each ```c block is cut out and given to the compiler on its own.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CC:=cc}"
doc="$top_srcdir/doc/firmware.md"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^```c$/ { n++; out = dir "/ex" n ".c"; next }
  /^```$/ { out = ""; next }
  out != "" { print > out }' "$doc"
set -- "$tmp"/ex*.c
[ -f "$1" ] || { echo "FAIL: no C example in $doc"; exit 1; }
fail=0
for f; do
  if $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
       -I"$top_srcdir/include" -I"$top_builddir/include" "$f"; then
    echo "ok   $(basename "$f")"
  else
    echo "FAIL $(basename "$f")"; fail=1
  fi
done
exit $fail
