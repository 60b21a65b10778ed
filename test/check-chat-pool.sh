#!/bin/sh
# demo/chat on a pool of two worker threads (ca_sched_start) must print
# what it prints on one thread (demo/chat.expected, which
# test/check-demos.sh checks): the same script, every line of a room
# received exactly once, whichever worker runs which block.
: "${top_srcdir:=.}" "${top_builddir:=.}"
[ "$CA_HAVE_THREADS" = 1 ] || { echo "no threads in this build"; exit 77; }
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout 300"
out=${TMPDIR:-/tmp}/ca-chat-pool.$$
trap 'rm -f "$out"' EXIT
status=0
$bound "$top_builddir/demo/chat" --pool 2 > "$out" || status=$?
[ $status = 77 ] && { echo "demo/chat skips in this build"; exit 77; }
[ $status = 0 ] || { echo "FAIL: exit status $status"; exit 1; }
diff -u "$top_srcdir/demo/chat.expected" "$out" || exit 1
echo "ok   demo/chat --pool 2"
