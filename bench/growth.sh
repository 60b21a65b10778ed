#!/bin/sh
# make bench-growth: how coreasync's costs grow with the size of the
# problem (issue 11, item 5), three tables from bench/bench:
#   - the prime sieve (W5) for 1,000 to 10,000 primes: ns per prime grows
#     with the chain, since each number passes every filter so far;
#   - a daisy chain of 10^3 to 10^6 go blocks (bench CHAIN): start and park
#     time per block, the pass of one value down the chain, and bytes per
#     block from the RSS growth (a block with its channel, ~160 B, so 10^6
#     blocks stay near 160 MB);
#   - an ALTS over 2 to 64 channels (bench W3 N K): ns per message, which
#     grows with the cases an ALTS fills, queues and withdraws.
# One run of each (noisy machine: the CPU column is the steadier), every
# result checked; exits non-zero if one is wrong.
#   BENCH_QUICK=1 make bench-growth     # smaller sizes
set -u
bench=${BENCH:-./bench/bench}
[ -x "$bench" ] || { echo "no $bench: run make first" >&2; exit 1; }
fails=0
# run ARGS...: bench's line, or a note of the failure.
run() {
  out=$(timeout 600 "$bench" "$@") && case $out in *check=ok*) ;; *) false ;; esac ||
    { echo "bench-growth: $bench $* failed: $out" >&2; fails=$((fails + 1)); }
  printf '%s\n' "$out"
}
# val LINE KEY: the value of key=value in LINE
val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  primes="100 200 500 1000" blocks="1000 10000" cases="2 4 16 64" msgs=40000
else
  primes="1000 2000 5000 10000" blocks="1000 10000 100000 1000000"
  cases="2 4 16 64" msgs=400000
fi

echo "W5 sieve (generator + one filter block per prime, unbuffered)"
printf '%8s %10s %14s %14s %10s %6s\n' primes total_s ns/prime cpu_ns/prime last check
for n in $primes; do
  l=$(run W5 "$n")
  set -- $l
  printf '%8s %10s %14s %14s %10s %6s\n' "$n" "$4" "$5" "$(val "$l" cpu_ns_per_op)" \
    "$(val "$l" last)" "$(val "$l" check)"
done

echo
echo "daisy chain (block i takes from block i-1, adds 1, puts to block i+1)"
printf '%8s %10s %14s %12s %12s %12s %6s\n' blocks total_s ns/block spawn_ns pass_ns bytes/block check
for n in $blocks; do
  l=$(run CHAIN "$n")
  set -- $l
  printf '%8s %10s %14s %12s %12s %12s %6s\n' "$n" "$4" "$5" "$(val "$l" spawn_ns)" \
    "$(val "$l" pass_ns)" "$(val "$l" bytes_per_block)" "$(val "$l" check)"
done

echo
echo "ALTS fan-in ($msgs messages from K producers, one ALTS over K unbuffered channels)"
printf '%8s %10s %10s %14s %14s %6s\n' cases messages total_s ns/msg cpu_ns/msg check
for k in $cases; do
  l=$(run W3 "$msgs" "$k")
  set -- $l
  printf '%8s %10s %10s %14s %14s %6s\n' "$k" "$3" "$4" "$5" "$(val "$l" cpu_ns_per_op)" \
    "$(val "$l" check)"
done

[ $fails -eq 0 ] || { echo "bench-growth: $fails run(s) failed their check" >&2; exit 1; }
