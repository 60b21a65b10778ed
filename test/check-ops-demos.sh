#!/bin/sh
# The connector demos print what their expected files say (issue 9, item
# 5): demo/sensor_bus (pub, merge, onto-chan) and demo/mix_console (mix).
: "${top_srcdir:=.}" "${top_builddir:=.}"
fail=0
for d in sensor_bus mix_console; do
  prog="$top_builddir/demo/$d"
  [ -x "$prog" ] || { echo "no $prog"; exit 99; }
  if out=$("$prog" 2>&1) &&
     printf '%s\n' "$out" | diff -u "$top_srcdir/demo/$d.expected" -; then
    echo "ok   $d"
  else
    echo "FAIL $d"; fail=1
  fi
done
exit $fail
