#!/usr/bin/env bash
# make bench: every workload of shared/anchors/WORKLOADS.md (W1-W9, and the
# project's W10 and pool hop) for coreasync in two builds, side by side
# with Go's channels and the hand-written C floor (shared/anchors), run
# interleaved RUNS times (default 5), then ONE table.
#
# W10 is the four-stage pipeline with a go block per stage; W10xf is the
# same as a core.async user writes it, the first three stages as one
# transform in the source's channel, (chan 64 (comp (map f) (filter g)
# (map h))), and a reducing block. Go has no transducers: both rows are
# compared with the same goroutine pipeline (bench/go/w10.go).
#
#   make bench                      # from the build directory
#   make bench RUNS=3
#   BENCH_QUICK=1 make bench        # small N, one run, instructions of W1 only
#   ANCHORS=/path/to/shared/anchors make bench
#   NO_CALLGRIND=1 make bench       # times only
#   GO=none make bench              # without Go (as where it is not installed)
#   BENCH_ONLY="W11 W12" make bench   # only these rows (W11 brings W11p,
#                                     # W10 brings W10xf)
#
# The implementations (the rows of each workload):
#   coreasync     the build you ran make in (threads, unless you configured
#                 --disable-threads)
#   coreasync-nt  the same sources configured again with --disable-threads
#                 (the same configure options otherwise, read from
#                 ./config.status), built under ./bench-nt/ once and kept;
#                 W8, W9, HOP and W11p need threads: "-" there
#   go            shared/anchors/go (GOMAXPROCS=1 but W8, W9) and
#                 bench/go for W10, W11 (GOMAXPROCS=1), W11p
#                 (GOMAXPROCS=2) and W12; "no go" where go is not installed
#   floor         shared/anchors/limit: hand-written state machines with no
#                 library (W1, W2, W4, W6) and a raw futex hand-off (W8)
#
# The columns:
#   median, min   ns per operation (WORKLOADS.md's op: a round trip, a
#                 message, a hop, a prime, a timer's overhead), median and
#                 fastest of the RUNS runs; for W6 the time to start a
#                 block and park it (spawn_ns; the bytes are on a line of
#                 their own below); for W11 and W11p ns per request (the
#                 requests per second are below); for W12 ns per
#                 connection (connect, accept, park, wake, close; the
#                 bytes per idle connection are below)
#   vs Go         Go's median / ours: "3.6x faster", or ours / Go's when
#                 Go is faster ("1.5x slower")
#   vs floor      ours / the floor's: how many floors we cost ("7.0x")
#   instr/op      instructions per operation, counted by callgrind (perf
#                 stat cannot count instructions on this machine; where it
#                 can, it is used instead, and the header says which): a
#                 run at N1 minus a run at N0 << N1, over N1 - N0
#                 operations, so start-up and tear-down cancel out. Go
#                 runs under callgrind with GODEBUG=asyncpreemptoff=1
#                 (callgrind aborts on its preemption signals). Threaded
#                 workloads (W8, W9, HOP) get none: callgrind serialises
#                 the threads, and spinning counts. Unlike the times,
#                 these counts do not move with the machine's load.
#                 W11, W11p and W12 get none either: system calls are
#                 their cost, and callgrind does not see inside them.
# Read the ratios, never the absolute times of different runs: the machine
# is shared and noisy; instruction counts are the steadiest figure.
#
# Exits non-zero when any run fails its own check (check=FAIL or a
# non-zero exit), in any implementation.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/..}" && pwd)
bench=${BENCH:-./bench/bench}
anchors=${ANCHORS:-$srcdir/../shared/anchors}
quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then runs=${RUNS:-1}; else runs=${RUNS:-5}; fi
make=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$bench" ] || { echo "no $bench: run make first" >&2; exit 1; }

# Workload, N for the timed runs, N in QUICK mode, and the two N of the
# instruction count (N1 N0; "-" for none).
workloads="
W1  1000000  100000   200000 20000
W2  10000000 1000000  1000000 100000
W3  4000000  400000   200000 20000
W4  10000000 1000000  1000000 100000
W5  5000     1000     1000 10
W6  1000000  100000   100000 10000
W7  100000   10000    10000 1000
W8  200000   20000    - -
W9  10000000 1000000  - -
HOP 20000    2000     - -
W10 10000000 1000000  1000000 100000
W10xf 10000000 1000000  1000000 100000
W11 1000000  2000     - -
W11p 1000000 2000     - -
W12 10000    500      - -
"
# W11 and W11p (issue 13): N requests from 100 clients (10 when QUICK),
# on one thread and on a pool of 2 (Go: GOMAXPROCS=1 and 2). W12: N idle
# connections, fewer when RLIMIT_NOFILE's hard limit is under 2N + 64
# (each side prints the N it used).
clients=100
[ "$quick" = 1 ] && clients=10
if [ -n "${BENCH_ONLY:-}" ]; then
  # A name takes its variant along: W11 runs W11p too, W10 W10xf.
  workloads=$(echo "$workloads" | awk -v only=" $BENCH_ONLY " 'NF && (index(only, " " $1 " ") ||
    ($1 ~ /p$/ && index(only, " " substr($1, 1, length($1) - 1) " ")) ||
    ($1 ~ /xf$/ && index(only, " " substr($1, 1, length($1) - 2) " ")))')
  [ -n "$workloads" ] || { echo "bench: BENCH_ONLY=\"$BENCH_ONLY\" names no workload" >&2; exit 1; }
fi
nfor() { echo "$workloads" | awk -v w="$1" -v q="$quick" '$1 == w { print q == 1 ? $3 : $2 }'; }
cgfor() { echo "$workloads" | awk -v w="$1" -v q="$quick" '$1 == w { if ($4 == "-") print "-"; else if (q == 1) print int($4 / 50), (int($5 / 50) > 0 ? int($5 / 50) : 1); else print $4, $5 }'; }

# ---- the no-threads build: configured once under ./bench-nt with this
# build's own configure options plus --disable-threads, then only the
# library and the bench are (re)built. A source tree configured in place
# cannot host a second build, so then bench-nt/src gets a clean copy of
# it (make distdir) first.
nt=${BENCH_NT:-}
if [ -z "$nt" ]; then
  ntdir=$(pwd)/bench-nt
  ntsrc=$srcdir
  mkdir -p "$ntdir/build"
  if [ -f "$srcdir/config.status" ]; then
    ntsrc=$ntdir/src
    $make distdir distdir="$ntsrc" >"$ntdir/distdir.log" 2>&1 ||
      { echo "bench: make distdir failed (see $ntdir/distdir.log)" >&2; exit 1; }
  fi
  if [ ! -f "$ntdir/build/Makefile" ]; then
    opts=$(./config.status --config 2>/dev/null)
    (cd "$ntdir/build" && eval "\"$ntsrc/configure\" $opts --disable-threads") \
      >"$ntdir/configure.log" 2>&1 ||
      { echo "bench: configuring the no-threads build failed (see $ntdir/configure.log)" >&2; exit 1; }
  fi
  $make -C "$ntdir/build" -j2 bench/bench >"$ntdir/make.log" 2>&1 ||
    { echo "bench: building the no-threads bench failed (see $ntdir/make.log)" >&2; exit 1; }
  nt=$ntdir/build/bench/bench
fi
"$nt" W1 10 | grep -q build=nothreads ||
  { echo "bench: $nt is not a no-threads build" >&2; exit 1; }
"$bench" W8 10 >/dev/null 2>&1 && main_threads=1 || main_threads=0

# ---- the anchors
go_status="no go"
gobin= w10go=
gocmd=${GO:-go} # GO=none leaves Go out
if command -v "$gocmd" >/dev/null 2>&1; then
  if [ -d "$anchors/go" ] &&
     (cd "$anchors/go" && GOPROXY=off GOFLAGS=-mod=mod "$gocmd" build -o "$tmp/anchors-go" .) >"$tmp/go.log" 2>&1; then
    gobin=$tmp/anchors-go
  fi
  if (cd "$srcdir/bench/go" && GOPROXY=off GOFLAGS=-mod=mod "$gocmd" build -o "$tmp/w10-go" .) >>"$tmp/go.log" 2>&1; then
    w10go=$tmp/w10-go
  fi
  go_status="go build failed"
  [ -n "$gobin" ] && go_status=$("$gocmd" version | awk '{ print $3 }')
fi
floor=
if [ -f "$anchors/limit/limit_bench.c" ] &&
   ${CC:-cc} -O2 -pthread "$anchors/limit/limit_bench.c" -o "$tmp/limit" 2>"$tmp/limit.log"; then
  floor=$tmp/limit
else
  echo "bench: no C floor (anchors at $anchors?)" >&2
fi

# The commands of one implementation for workload W (and N): none when it
# does not run W. Floor workloads have their own names.
cmd_of() { # impl W N
  case $1 in
    coreasync) [ "$main_threads" = 0 ] && case $2 in W8|W9|HOP|W11p) return ;; esac
               case $2 in
                 W11) echo "$bench W11 $3 0 $clients" ;;
                 W11p) echo "$bench W11 $3 2 $clients" ;;
                 *) echo "$bench $2 $3" ;;
               esac ;;
    coreasync-nt) case $2 in
                    W8|W9|HOP|W11p) ;;
                    W11) echo "$nt W11 $3 0 $clients" ;;
                    *) echo "$nt $2 $3" ;;
                  esac ;;
    go) case $2 in
          HOP) ;;
          W10|W12) [ -n "$w10go" ] && echo "$w10go $2 $3" ;;
          W10xf) [ -n "$w10go" ] && echo "$w10go W10 $3" ;; # Go has no transducer
          W11) [ -n "$w10go" ] && echo "$w10go W11 $3 1 $clients" ;;
          W11p) [ -n "$w10go" ] && echo "$w10go W11 $3 2 $clients" ;;
          *) [ -n "$gobin" ] && echo "$gobin $2 $3" ;;
        esac ;;
    floor) [ -n "$floor" ] && case $2 in
          W1|W2|W4|W6) echo "$floor $2 $3" ;;
          W8) echo "$floor W8futex $3" ;;
        esac ;;
  esac
}
impls="coreasync coreasync-nt go floor"

# ---- the timed runs, interleaved: run r of every (workload, impl), then
# run r + 1, so a drift in the machine's load hits all alike.
raw=$tmp/raw
: > "$raw"
fails=0
one() { # impl command...
  local impl=$1 out rc line; shift
  out=$(timeout "${PER_RUN_TIMEOUT:-300}" "$@" 2>>"$tmp/stderr"); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^(W[0-9]+(p|xf)?|HOP) ' | tail -1)
  # Go's W10 is the baseline of W10xf too: its row, under that name.
  [ "$impl $w" = "go W10xf" ] && line=$(printf '%s' "$line" | sed 's/^W10 /W10xf /')
  # The floor prints no check=: it exits non-zero when a check fails.
  if [ $rc -ne 0 ] || [ -z "$line" ] || printf '%s' "$line" | grep -q 'check=FAIL'; then
    echo "FAILED: $* (exit $rc): $line" >&2; fails=$((fails + 1))
    printf '%s %s FAILED\n' "$impl" "$w" >> "$raw"; return
  fi
  printf '%s %s\n' "$impl" "$line" >> "$raw"
}
for r in $(seq 1 "$runs"); do
  for w in $(echo "$workloads" | awk 'NF { print $1 }'); do
    n=$(nfor "$w")
    for i in $impls; do
      c=$(cmd_of "$i" "$w" "$n")
      [ -n "$c" ] && one "$i" $c
    done
    # The floor that spins before it sleeps, as coreasync does (W8).
    [ "$w" = W8 ] && [ -n "$floor" ] && one floor-spin "$floor" W8futexspin "$n"
  done
done

# ---- instructions per operation
counter=none
if [ "${NO_CALLGRIND:-0}" != 1 ]; then
  if perf stat -x, -e instructions true 2>&1 | grep -q '^[0-9]'; then
    counter=perf
  elif command -v valgrind >/dev/null 2>&1; then
    counter=callgrind
  fi
fi
# count CMD...: the instructions the whole run executed, or nothing.
count() {
  case $counter in
    perf) perf stat -x, -e instructions "$@" 2>&1 >/dev/null |
            awk -F, '$3 == "instructions" { print $1 }' ;;
    callgrind) GODEBUG=asyncpreemptoff=1 timeout 600 valgrind --tool=callgrind \
                 --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
                 awk '/Collected :/ { print $NF }' ;;
  esac
}
ir=$tmp/ir
: > "$ir"
if [ "$counter" != none ]; then
  for w in $(echo "$workloads" | awk 'NF { print $1 }'); do
    set -- $(cgfor "$w")
    [ "$1" = - ] && continue
    [ "$quick" = 1 ] && [ "$w" != W1 ] && continue # a smoke test of the counting
    n1=$1 n0=$2
    for i in $impls; do
      c1=$(cmd_of "$i" "$w" "$n1"); c0=$(cmd_of "$i" "$w" "$n0")
      [ -n "$c1" ] || continue
      a=$(count $c1); b=$(count $c0)
      [ -n "$a" ] && [ -n "$b" ] &&
        echo "$w $i $(awk -v a="$a" -v b="$b" -v n1="$n1" -v n0="$n0" 'BEGIN { printf "%.0f", (a - b) / (n1 - n0) }')" >> "$ir"
    done
  done
fi

# ---- the table
case $counter in
  perf) counted="perf stat -e instructions" ;;
  callgrind) counted="valgrind --tool=callgrind (perf stat cannot count instructions here)" ;;
  *) counted="not counted" ;;
esac
echo
echo "make bench: medians of $runs runs, interleaved; $(nproc) cores, shared"
echo "coreasync: $(grep -m1 -o 'build=[a-z]*' "$raw" | sed 's/build=//') build; coreasync-nt: --disable-threads; go: $go_status; floor: $([ -n "$floor" ] && echo shared/anchors/limit || echo none)"
echo "instr/op: $counted; a run at N1 minus one at N0, over N1 - N0 (W5: per prime, from $(cgfor W5 | awk '{ print $2 " to " $1 }') primes)"
echo
awk -v irfile="$ir" -v go_status="$go_status" -v order="$(echo "$workloads" | awk 'NF { printf "%s ", $1 }')" '
  function med(k,   a, n, i, j, t) {
    n = split(vals[k], a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j+1] = a[j]; a[j+1] = t }
    return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  function mn(k,   a, n, i, m) {
    n = split(vals[k], a, " "); m = a[1] + 0
    for (i = 2; i <= n; i++) if (a[i] + 0 < m) m = a[i] + 0
    return m
  }
  function fmt(x) { return x >= 1000 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
  BEGIN {
    while ((getline l < irfile) > 0) { split(l, f, " "); ins[f[1] " " f[2]] = f[3] }
  }
  {
    # impl workload impl0 N secs ns_per_op extras...
    if ($3 == "FAILED") { failed[$2 " " $1] = 1; next }
    v = $6
    if ($2 == "W6") for (i = 7; i <= NF; i++) if ($i ~ /^spawn_ns=/) { v = substr($i, 10) }
    if ($2 == "W6" && $1 == "floor") v = $6
    k = $2 " " $1
    vals[k] = vals[k] " " v
  }
  END {
    printf "%-5s %-13s %12s %12s %14s %10s %10s\n", "", "", "median", "min", "vs Go", "vs floor", "instr/op"
    printf "%-5s %-13s %12s %12s %14s %10s %10s\n", "work", "impl", "ns/op", "ns/op", "Go/ours", "ours/floor", ""
    nw = split(order, ws, " ")
    split("coreasync coreasync-nt go floor", im, " ")
    for (x = 1; x <= nw; x++) {
      w = ws[x]
      gm = (w " go") in vals ? med(w " go") : ""
      fm = (w " floor") in vals ? med(w " floor") : ""
      for (y = 1; y <= 4; y++) {
        i = im[y]; k = w " " i
        in_ = (k in ins) ? ins[k] : "-"
        if (k in failed) { printf "%-5s %-13s %12s\n", w, i, "FAILED"; continue }
        if (!(k in vals)) {
          if (i == "go" && w != "HOP") printf "%-5s %-13s %12s\n", w, i, go_status == "" ? "-" : (go_status ~ /^go/ ? "-" : go_status)
          else if (i == "coreasync-nt" && (w == "W8" || w == "W9" || w == "HOP" || w == "W11p")) printf "%-5s %-13s %12s %12s %14s %10s %10s\n", w, i, "-", "-", "-", "-", "-"
          continue
        }
        m = med(k)
        vg = "-"; vf = "-"
        if (i ~ /^coreasync/ && gm != "" && m > 0)
          vg = gm >= m ? sprintf("%.1fx faster", gm / m) : sprintf("%.1fx slower", m / gm)
        if (i ~ /^coreasync/ && fm != "" && fm > 0) vf = sprintf("%.1fx", m / fm)
        printf "%-5s %-13s %12s %12s %14s %10s %10s\n", w, i, fmt(m), fmt(mn(k)), vg, vf, in_
      }
    }
  }' "$raw"

# ---- what one number per workload cannot say
field() { # impl workload key: the median of key=value over the runs
  awk -v i="$1" -v w="$2" -v key="$3" '$1 == i && $2 == w {
      for (k = 7; k <= NF; k++) { split($k, kv, "="); if (kv[1] == key) a[n++] = kv[2] + 0 } }
    END { if (!n) { print "-"; exit }
      for (x = 1; x < n; x++) for (y = x; y > 0 && a[y-1] > a[y]; y--) { t = a[y]; a[y] = a[y-1]; a[y-1] = t }
      print (n % 2) ? a[(n-1)/2] : (a[n/2-1] + a[n/2]) / 2 }' "$raw"
}
ran() { echo "$workloads" | awk -v w="$1" '$1 == w { f = 1 } END { exit !f }'; }
# ratio A B: A / B as "1.23x", or "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'; }
echo
ran W6 && echo "W6 bytes per parked block + its channel (RSS growth / N): coreasync $(field coreasync W6 bytes_per_proc), coreasync-nt $(field coreasync-nt W6 bytes_per_proc), Go $(field go W6 rss_bytes_per_proc), floor $(field floor W6 bytes_per_proc)"
ran W7 && echo "W7 CPU ns per timer (the wall clock above counts the machine's other loads): coreasync $(field coreasync W7 cpu_ns_per_op), coreasync-nt $(field coreasync-nt W7 cpu_ns_per_op); PUTs refused past the pending limit and retried (nonzero: the figures count the retries): $(field coreasync W7 retries), $(field coreasync-nt W7 retries)"
ran W8 && echo "W8 the floor that spins before it sleeps, as coreasync does (W8futexspin): $(awk '$1 == "floor-spin" { print $6 }' "$raw" | sort -n | awk '{ a[n++] = $1 } END { print n ? a[int((n-1)/2)] : "-" }') ns"
ran HOP && echo "HOP (ready on one pool worker, resumed on the other): mean $(field coreasync HOP mean_ns) ns; Go has no such figure"
if ran W10; then
  a=$(field coreasync W10 cpu_ns_per_value) x=$(field coreasync W10xf cpu_ns_per_value) g=$(field go W10 cpu_ns_per_value)
  echo "W10 CPU ns per value (the wall clock counts the machine's other loads): a go block per stage $a (Go/ours $(ratio "$g" "$a")), three stages as one transform in the channel (W10xf) $x ($(ratio "$g" "$x")), coreasync-nt $(field coreasync-nt W10 cpu_ns_per_value) and $(field coreasync-nt W10xf cpu_ns_per_value), Go $g"
fi
if ran W11; then
  a=$(field coreasync W11 req_per_s) b=$(field coreasync-nt W11 req_per_s) g=$(field go W11 req_per_s)
  echo "W11 requests per second, one thread ($clients clients; Go GOMAXPROCS=1): coreasync $a ($(ratio "$a" "$g") Go's), coreasync-nt $b ($(ratio "$b" "$g")), Go $g; CPU ns per request: $(field coreasync W11 cpu_ns_per_req), $(field coreasync-nt W11 cpu_ns_per_req), Go $(field go W11 cpu_ns_per_req)"
fi
if ran W11p; then
  a=$(field coreasync W11p req_per_s) g=$(field go W11p req_per_s)
  echo "W11p requests per second, pool of 2 (Go GOMAXPROCS=2): coreasync $a ($(ratio "$a" "$g") Go's; $(ratio "$a" "$(field coreasync W11 req_per_s)") our one thread's), Go $g ($(ratio "$g" "$(field go W11 req_per_s)") its one thread's); CPU ns per request: $(field coreasync W11p cpu_ns_per_req), Go $(field go W11p cpu_ns_per_req)"
fi
if ran W12; then
  a=$(field coreasync W12 bytes_per_conn) b=$(field coreasync-nt W12 bytes_per_conn) g=$(field go W12 rss_bytes_per_conn)
  echo "W12 bytes per idle connection (RSS growth / N, N=$(awk '$2 == "W12" && $3 != "FAILED" { print $4; exit }' "$raw"); the kernel's socket buffers are not in RSS): coreasync $a, coreasync-nt $b, Go $g (Go/ours: $(ratio "$g" "$a"), $(ratio "$g" "$b")); of Go's, goroutine stacks $(field go W12 stack_bytes_per_conn)"
fi

if [ $fails -ne 0 ]; then
  echo "bench: $fails run(s) failed their own check (see above)" >&2
  exit 1
fi
