#!/bin/sh
# Every public header compiles on its own, as C99, with every warning an
# error: users include what they need, and their -Werror is ours too.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${CC:=cc}"
tmp=${TMPDIR:-/tmp}/ca-headers.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
for h in "$top_srcdir"/include/coreasync.h "$top_srcdir"/include/coreasync/*.h; do
  name=${h#"$top_srcdir"/include/}
  printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' \
    "$name" "$name" > "$tmp/t.c"
  if $CC -std=c99 -Wall -Wextra -Wpedantic -Werror \
       -I"$top_srcdir/include" -I"$top_builddir/include" \
       -c "$tmp/t.c" -o "$tmp/t.o" 2> "$tmp/err"; then
    echo "ok   $name"
  else
    echo "FAIL $name"; cat "$tmp/err"; fail=1
  fi
done
exit $fail
