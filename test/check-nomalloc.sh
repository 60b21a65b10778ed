#!/bin/sh
# A --disable-malloc build must not reference an allocator anywhere: bare
# metal may have none. Skipped (77) in a build with malloc, or without nm.
: "${top_builddir:=.}" "${NM:=nm}"
if [ "${CA_HAVE_MALLOC:-1}" != 0 ]; then
  echo "build has malloc: nothing to check"; exit 77
fi
command -v "${NM%% *}" >/dev/null 2>&1 || { echo "no nm"; exit 77; }
lib="$top_builddir/.libs/libcoreasync.a"
[ -f "$lib" ] || { echo "no static library at $lib"; exit 77; }
refs=$($NM -u "$lib" | awk '{print $NF}' |
       grep -E '^(malloc|calloc|realloc|free|aligned_alloc|posix_memalign)$')
if [ -n "$refs" ]; then
  echo "FAIL: libcoreasync.a references: $refs"; exit 1
fi
echo "ok: no allocator referenced"
