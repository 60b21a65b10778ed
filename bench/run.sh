#!/usr/bin/env bash
# make bench: coreasync's workloads (W1, W6, W8, W9, the pool hop) side by side with the anchors
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
fails=0
# One run of one program: its line joins $raw; a non-zero exit (Go's and
# the floor's way of failing a check) or a missing line counts as failed.
one() {
  out=$(timeout "${PER_RUN_TIMEOUT:-300}" "$@"); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^(W[0-9]+|HOP) ' | tail -1)
  if [ $rc -ne 0 ] || [ -z "$line" ]; then
    echo "FAILED: $* (exit $rc)" >&2; fails=$((fails + 1)); return
  fi
  printf '%s\n' "$line" >> "$raw"
}
# W8, W9 and the hop need threads: a --disable-threads build has none.
have_threads=0
"$bench" W8 10 >/dev/null 2>&1 && have_threads=1
for r in $(seq 1 "$runs"); do
  one "$bench" W1 1000000
  [ $have_go = 1 ] && one "$tmp/anchors-go" W1 1000000
  [ $have_floor = 1 ] && one "$tmp/limit" W1 1000000
  one "$bench" W6 1000000
  [ $have_go = 1 ] && one "$tmp/anchors-go" W6 1000000
  if [ $have_threads = 1 ]; then
    one "$bench" W8 200000
    [ $have_go = 1 ] && one "$tmp/anchors-go" W8 200000
    [ $have_floor = 1 ] && one "$tmp/limit" W8futex 200000
    [ $have_floor = 1 ] && one "$tmp/limit" W8futexspin 200000
    one "$bench" W9 10000000
    [ $have_go = 1 ] && one "$tmp/anchors-go" W9 10000000
    one "$bench" HOP 20000
  fi
  one "$bench" W10 "$w10n"                                # W10 (xf9)
  [ $have_w10go = 1 ] && one "$tmp/w10-go" W10 "$w10n"
done
cat "$raw"
if [ $fails -ne 0 ] || grep -q 'check=FAIL' "$raw"; then
  echo "a benchmark failed its own check:" >&2; grep FAIL "$raw" >&2; exit 1
fi

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
# min..max of the same, the spread of the runs
spread() {
  awk -v w="$1" -v i="$2" '$1 == w && $2 ~ i { v = $5 + 0; if (n++ == 0 || v < lo) lo = v; if (n == 1 || v > hi) hi = v }
    END { if (n) printf "%s..%s", lo, hi; else print "n/a" }' "$raw"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf (a / b < 1 ? "%.2f" : "%.1f"), a / b }'; }

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
[ $have_threads = 1 ] || exit 0
ca_w8=$(median W8 '^coreasync$' 5)
go_w8=$(median W8 '^go$' 5)
fl_w8=$(median W8 '^limit-futex$' 5)
fs_w8=$(median W8 '^limit-futexspin$' 5)
ca_w9=$(median W9 '^coreasync$' 5)
go_w9=$(median W9 '^go$' 5)
ca_hop=$(median HOP '^coreasync$' 5)
ca_hop_mean=$(median HOP '^coreasync$' mean_ns)
go_wake=$(median W6 '^go$' wake_ns)
printf '  W8 thread ping-pong round trip (blocking calls, no ca_sched_ref): coreasync %s ns (%s), Go %s ns (%s), futex floor %s ns (%s)\n' \
  "$ca_w8" "$(spread W8 '^coreasync$')" "$go_w8" "$(spread W8 '^go$')" "$fl_w8" "$(spread W8 '^limit-futex$')"
printf '     coreasync / floor = %sx the floor (issue 8: at most 1.5x); Go / coreasync = %sx faster\n' \
  "$(ratio "$ca_w8" "$fl_w8")" "$(ratio "$go_w8" "$ca_w8")"
printf '     the floor that spins before it sleeps, as coreasync does (W8futexspin): %s ns (%s); coreasync / it = %sx\n' \
  "$fs_w8" "$(spread W8 '^limit-futexspin$')" "$(ratio "$ca_w8" "$fs_w8")"
printf '  W9 2 producers, 2 consumers, capacity 1024, 2 workers: coreasync %s ns/msg (%s), Go GOMAXPROCS=2 %s ns (%s)\n' \
  "$ca_w9" "$(spread W9 '^coreasync$')" "$go_w9" "$(spread W9 '^go$')"
printf '     Go / coreasync = %sx faster (issue 8: at least 2x)\n' "$(ratio "$go_w9" "$ca_w9")"
printf '  pool hop (made ready on one worker, resumed on the other, which idled): coreasync median %s ns (%s), mean %s ns\n' \
  "$ca_hop" "$(spread HOP '^coreasync$')" "$ca_hop_mean"
printf '     Go has no cross-worker figure; its goroutine wake-up on one P (W6 wake_ns, GOMAXPROCS=1) is %s ns\n' "$go_wake"
