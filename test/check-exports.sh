#!/bin/sh
# The shared library exports only ca_* symbols: internal ca__* helpers and
# everything else stay hidden. Skipped (77) without a shared library or nm.
: "${top_builddir:=.}" "${NM:=nm}"
lib="$top_builddir/.libs/libcoreasync.so"
[ -f "$lib" ] || { echo "no shared library"; exit 77; }
syms=$($NM -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDRB]$/ {print $3}') ||
  { echo "nm -D does not work here"; exit 77; }
bad=$(printf '%s\n' "$syms" | grep -v '^ca_[a-z]' | grep -v '^$')
inner=$(printf '%s\n' "$syms" | grep '^ca__')
if [ -n "$bad$inner" ]; then
  echo "FAIL: unexpected exports:"; printf '%s\n' $bad $inner; exit 1
fi
printf '%s\n' "$syms" | sed 's/^/ok   /'
