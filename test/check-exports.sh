#!/bin/sh
# The shared library exports only the public ca_* symbols, plus the few
# ca__* calls that the go-block macros expand to (so they must link from
# user code); every other internal stays hidden. Skipped (77) without a
# shared library or nm.
: "${top_builddir:=.}" "${NM:=nm}"
lib="$top_builddir/.libs/libcoreasync.so"
[ -f "$lib" ] || { echo "no shared library"; exit 77; }
syms=$($NM -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDRB]$/ {print $3}') ||
  { echo "nm -D does not work here"; exit 77; }
bad=$(printf '%s\n' "$syms" | grep -v '^ca_' | grep -v '^$')
inner=$(printf '%s\n' "$syms" | grep '^ca__' | grep -v -E '^ca__go_[a-z_]+$')
# And each of those is one the public headers name (the macros' calls),
# or a test hook listed here: a ca__go_ prefix alone exports nothing.
hooks='ca__go_idle_hook'
for s in $(printf '%s\n' "$syms" | grep -E '^ca__go_'); do
  case " $hooks " in *" $s "*) continue ;; esac
  grep -q -w "$s" "${top_srcdir:-.}"/include/coreasync/*.h || inner="$inner $s"
done
if [ -n "$bad$inner" ]; then
  echo "FAIL: unexpected exports:"; printf '%s\n' $bad $inner; exit 1
fi
printf '%s\n' "$syms" | sed 's/^/ok   /'
