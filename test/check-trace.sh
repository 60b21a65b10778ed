#!/bin/sh
# coreasync-trace draws what the trace hook writes: two demos run with
# --trace, their pictures must be well-formed XML (xmllint) with one lane
# per block (and per thread that hands a block a value) and one arrow per
# hand-off in the trace; the philosophers' wait-for graph must show their
# deadlock as a cycle of five. Skips (77) in a build without
# --enable-trace, without the demos, or without xmllint (Debian's
# libxml2-utils).
: "${top_srcdir:=.}" "${top_builddir:=.}"
[ "${CA_CONFIG_TRACE:-0}" = 1 ] || { echo "no trace in this build"; exit 77; }
tool=$top_builddir/tools/coreasync-trace
[ -x "$tool" ] && [ -x "$top_builddir/demo/philosophers" ] &&
  [ -x "$top_builddir/demo/prodcons" ] ||
  { echo "no coreasync-trace or demos in this build"; exit 77; }
command -v xmllint >/dev/null 2>&1 || { echo "no xmllint: skipped"; exit 77; }
tmp=${TMPDIR:-/tmp}/ca-trace.$$
trap 'rm -f "$tmp".*' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# count FILE PATTERN: lines of FILE that match.
count() { grep -c -- "$2" "$1"; }

# draw NAME LANES: runs demo NAME with a trace, draws it, checks it.
# LANES is the expected number of lanes ("" to take the trace's word).
# A demo that skips itself (77: the philosophers need a provable deadlock,
# which ThreadSanitizer's own thread rules out) skips this check too.
draw() {
  name=$1
  rc=0
  "$top_builddir/demo/$name" --trace "$tmp.$name.trace" > /dev/null || rc=$?
  [ $rc = 77 ] && { echo "skip $name: the demo skips in this build"; skipped=1; return 1; }
  [ $rc = 0 ] || { bad "$name: the demo failed"; return 1; }
  "$tool" "$tmp.$name.trace" > "$tmp.$name.svg" ||
    { bad "$name: coreasync-trace failed"; return; }
  xmllint --noout "$tmp.$name.svg" || { bad "$name: not well-formed"; return; }
  spawns=$(count "$tmp.$name.trace" '^[0-9]* spawn ')
  threads=$(grep '^[0-9]* send ' "$tmp.$name.trace" |
            grep -o '\(from\|to\)=t[0-9]*' | sed 's/.*=//' | sort -u | wc -l)
  sends=$(count "$tmp.$name.trace" '^[0-9]* send ')
  lanes=$(count "$tmp.$name.svg" 'class="lane"')
  arrows=$(count "$tmp.$name.svg" 'class="send"')
  want=${2:-$((spawns + threads))}
  [ "$lanes" = "$want" ] || bad "$name: $lanes lanes, want $want"
  [ "$lanes" = $((spawns + threads)) ] ||
    bad "$name: $lanes lanes for $spawns blocks and $threads threads"
  [ "$arrows" = "$sends" ] || bad "$name: $arrows arrows for $sends hand-offs"
  [ "$sends" -gt 0 ] || bad "$name: no hand-off in the trace"
  echo "ok   $name: $lanes lanes, $arrows arrows"
}

# prodcons: two blocks and no thread; part 1 of the philosophers five,
# part 2 five more (the same structs, started again: new lanes).
skipped=0
draw prodcons 2
if ! draw philosophers 10; then
  [ $skipped = 1 ] && exit $fail # prodcons was checked
  exit 1
fi

"$tool" -w "$tmp.philosophers.trace" > "$tmp.wait.svg" &&
  xmllint --noout "$tmp.wait.svg" || bad "philosophers: the wait-for graph"
cyc=$(count "$tmp.wait.svg" 'class="edge cycle"')
nodes=$(count "$tmp.wait.svg" 'class="node cycle"')
[ "$cyc" = 5 ] && [ "$nodes" = 5 ] ||
  bad "philosophers: wait-for cycle of $nodes nodes and $cyc edges, want 5"
echo "ok   philosophers: a wait-for cycle of $nodes"

# A trace the tool cannot read is an error, not a picture.
printf '# coreasync trace 1\n1 spawn\n' > "$tmp.bad"
"$tool" "$tmp.bad" > /dev/null 2>&1 && bad "a broken trace was drawn"
exit $fail
