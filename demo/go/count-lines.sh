#!/bin/sh
# The boilerplate gap, measured: non-blank, non-comment lines of the
# newcomer's two programs in C (demo/) and in Go (demo/go/), and the
# ratio. Comments are /* */ blocks and // or ** lines. Run from the top.
count() {
  sed -e 's|//.*$||' -e 's|/\*.*\*/||g' "$1" |
    awk '/\/\*/ { c = 1 } { if (!c && $0 !~ /^[ \t]*$/) n++ } /\*\// { c = 0 }
         END { print n + 0 }'
}
for p in prodcons workers; do
  c=$(count "demo/$p.c"); g=$(count "demo/go/$p.go")
  echo "$p: C $c lines, Go $g lines, ratio $(awk "BEGIN { printf \"%.2f\", $c / $g }")"
done
