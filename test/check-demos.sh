#!/bin/sh
# The lessons cannot rot: every program named in CA_DEMO_LIST (the
# classic programs in demo/, the tutorial's steps in demo/tutorial/) is
# run and what it prints on stdout is compared with its NAME.expected
# beside the source. A lesson must also exit with status 0; 77 means it
# does not apply to this build (no malloc, ThreadSanitizer...) and skips
# it alone. Deadlock reports name the source file as the compiler saw it,
# so the path in front of demo/ is dropped before the comparison.
: "${top_srcdir:=.}" "${top_builddir:=.}"
[ -n "$CA_DEMO_LIST" ] || { echo "no lessons in this build"; exit 77; }
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout 300"
tmp=${TMPDIR:-/tmp}/ca-demos.$$
trap 'rm -f "$tmp".out "$tmp".err "$tmp".norm' EXIT
fail=0 ran=0
for d in $CA_DEMO_LIST; do
  exp="$top_srcdir/$d.expected"
  if [ ! -f "$exp" ]; then echo "FAIL $d: no $d.expected"; fail=1; continue; fi
  status=0
  $bound "$top_builddir/$d" > "$tmp.out" 2> "$tmp.err" || status=$?
  if [ $status = 77 ]; then echo "SKIP $d: $(cat "$tmp.err")"; continue; fi
  ran=$((ran + 1))
  sed 's#[^ (]*/\(demo/\)#\1#g' "$tmp.out" > "$tmp.norm"
  if [ $status != 0 ]; then
    echo "FAIL $d: exit status $status"; cat "$tmp.err"; fail=1
  fi
  if diff -u "$exp" "$tmp.norm"; then
    [ $status = 0 ] && echo "ok   $d"
  else
    echo "FAIL $d: output differs from $d.expected (above)"; fail=1
  fi
done
echo "# lessons: $ran run"
exit $fail
