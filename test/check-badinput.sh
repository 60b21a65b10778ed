#!/bin/sh
# Every function the shared library exports has a row in the bad-input
# table (test/test_badinput.c), so a new function cannot be added without
# saying what it does with bad arguments. The ca__ calls behind the go
# macros are not API: the DSL tests cover them. Skipped (77) without a
# shared library or nm, as check-exports.sh.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${NM:=nm}"
lib="$top_builddir/.libs/libcoreasync.so"
[ -f "$lib" ] || { echo "no shared library"; exit 77; }
syms=$($NM -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDRB]$/ {print $3}') ||
  { echo "nm -D does not work here"; exit 77; }
table="$top_srcdir/test/test_badinput.c"
missing=
for f in $(printf '%s\n' "$syms" | grep '^ca_[a-z]'); do
  grep -q -E "(ROW|XFAIL)\\($f," "$table" || missing="$missing $f"
done
if [ -n "$missing" ]; then
  echo "FAIL: no row in test/test_badinput.c for:$missing"; exit 1
fi
echo "every exported function has a row"
