#!/bin/sh
# Every public function has a man page (its own, or a .so alias to its
# concept's page), and every page is free of groff warnings.
: "${top_srcdir:=.}"
doc="$top_srcdir/doc"
fail=0
funcs=$(sed -n 's/^[a-z][a-z0-9_ *]*[ *]\(ca_[a-z][a-z0-9_]*\)(.*/\1/p' \
          "$top_srcdir"/include/coreasync/*.h | sort -u)
[ -n "$funcs" ] || { echo "FAIL: found no function in the headers"; exit 1; }
for f in $funcs; do
  if [ -f "$doc/$f.3" ]; then echo "ok   $f.3"
  else echo "FAIL no man page for $f (doc/$f.3)"; fail=1; fi
done
if command -v groff >/dev/null 2>&1; then
  for p in "$doc"/*.3 "$doc"/*.7; do
    grep -q '^\.so ' "$p" && continue
    out=$(groff -ww -z -man "$p" 2>&1)
    if [ -n "$out" ]; then echo "FAIL groff: $p"; echo "$out"; fail=1; fi
  done
else
  echo "no groff: pages not linted"
fi
exit $fail
