#!/usr/bin/env bash
# make bench: coreasync's workloads side by side with the anchors
# (shared/anchors: Go channels and the hand-written C floor), in one run on
# one machine, interleaved, RUNS times (default 5); prints the medians and
# the ratios that the issues ask for.
#
#   RUNS=3 bench/run.sh                 # from the build directory
#   ANCHORS=/path/to/shared/anchors bench/run.sh
#
# Needs Go (apt-get install golang-go) for the Go anchor; without it the Go
# columns are left out. Only numbers from the same run are compared.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH:-./bench/bench}
srcdir=${top_srcdir:-$here/..}
anchors=${ANCHORS:-$srcdir/../shared/anchors}
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$bench" ] || { echo "no $bench: run make first" >&2; exit 1; }

have_go=0 have_floor=0
if [ -d "$anchors" ]; then
  if command -v go >/dev/null 2>&1 &&
     (cd "$anchors/go" && GOPROXY=off GOFLAGS=-mod=mod go build -o "$tmp/anchors-go" .) 2>/dev/null; then
    have_go=1
  fi
  if ${CC:-cc} -O2 -pthread "$anchors/limit/limit_bench.c" -o "$tmp/limit" 2>/dev/null; then
    have_floor=1
  fi
else
  echo "anchors not found at $anchors: coreasync alone" >&2
fi

# ---- W10 (issue 9, xf9): the Go side is the project's own program.
have_w10go=0
if command -v go >/dev/null 2>&1 &&
   (cd "$srcdir/bench/go" && GOPROXY=off GOFLAGS=-mod=mod go build -o "$tmp/w10-go" .) 2>/dev/null; then
  have_w10go=1
fi
w10n=${W10_N:-10000000}
# ---- end of the W10 block

raw=$tmp/raw
: > "$raw"
for r in $(seq 1 "$runs"); do
  "$bench" W1 1000000 >> "$raw"
  [ $have_go = 1 ] && "$tmp/anchors-go" W1 1000000 >> "$raw"
  [ $have_floor = 1 ] && "$tmp/limit" W1 1000000 >> "$raw"
  "$bench" W6 1000000 >> "$raw"
  [ $have_go = 1 ] && "$tmp/anchors-go" W6 1000000 >> "$raw"
  "$bench" W10 "$w10n" >> "$raw"                       # W10 (xf9)
  [ $have_w10go = 1 ] && "$tmp/w10-go" W10 "$w10n" >> "$raw"
done
if grep -q 'check=FAILED' "$raw"; then
  echo "a benchmark failed its own check:" >&2; grep FAILED "$raw" >&2; exit 1
fi
cat "$raw"

# median of field F (a column number, or key=value name) for lines matching
# workload W and implementation I
median() {
  awk -v w="$1" -v i="$2" -v f="$3" '
    $1 == w && $2 ~ i {
      v = ""
      if (f ~ /^[0-9]+$/) v = $f
      else for (k = 6; k <= NF; k++) { split($k, kv, "="); if (kv[1] == f) v = kv[2] }
      if (v != "") a[n++] = v + 0
    }
    END {
      if (n == 0) { print "nan"; exit }
      for (x = 1; x < n; x++) for (y = x; y > 0 && a[y-1] > a[y]; y--) { t = a[y]; a[y] = a[y-1]; a[y-1] = t }
      print (n % 2) ? a[(n-1)/2] : (a[n/2-1] + a[n/2]) / 2
    }' "$raw"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf "%.1f", a / b }'; }

ca_w1=$(median W1 '^coreasync$' 5)
go_w1=$(median W1 '^go$' 5)
fl_w1=$(median W1 '^limit' 5)
ca_w6=$(median W6 '^coreasync$' bytes_per_proc)
go_w6=$(median W6 '^go$' rss_bytes_per_proc)
ca_sp=$(median W6 '^coreasync$' spawn_ns)
go_sp=$(median W6 '^go$' spawn_ns)
echo
echo "medians of $runs runs ($(grep -o 'build=[a-z]*' "$raw" | head -1)):"
printf '  W1 ping-pong round trip: coreasync %s ns, Go %s ns, C floor %s ns\n' "$ca_w1" "$go_w1" "$fl_w1"
printf '     Go / coreasync = %sx faster; coreasync / floor = %sx the floor\n' "$(ratio "$go_w1" "$ca_w1")" "$(ratio "$ca_w1" "$fl_w1")"
printf '  W6 parked go block + its channel: coreasync %s bytes, Go %s bytes (%sx smaller)\n' "$ca_w6" "$go_w6" "$(ratio "$go_w6" "$ca_w6")"
printf '  spawn (start + run to first park): coreasync %s ns, Go %s ns (%sx faster)\n' "$ca_sp" "$go_sp" "$(ratio "$go_sp" "$ca_sp")"
# ---- W10 (issue 9, xf9): CPU time per value, the machine may be shared.
ca_w10=$(median W10 '^coreasync$' cpu_ns_per_value)
ca_w10x=$(median W10 '^coreasync$' xf_cpu_ns_per_value)
go_w10=$(median W10 '^go$' cpu_ns_per_value)
ca_w10d=$(median W10 '^coreasync$' block_stage_minus_xf_step_cpu_ns)
printf '  W10 map/filter/map/reduce pipeline, CPU ns per value: coreasync %s (go blocks per stage), %s (first three as a transform in the channel), Go %s (%sx faster / %sx)\n' "$ca_w10" "$ca_w10x" "$go_w10" "$(ratio "$go_w10" "$ca_w10")" "$(ratio "$go_w10" "$ca_w10x")"
printf '     a stage as its own go block costs %s ns more per value than as a transform step\n' "$ca_w10d"
# ---- end of the W10 block
