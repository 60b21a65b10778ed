#!/bin/sh
# check-firmware.sh: the library and its tests on the boards of
# test/target/boards, under QEMU. `make check-firmware` and the demos'
# `make run-NAME` call it from a build directory; it builds under
# ./firmware/BOARD/.
#
#   check-firmware.sh check        every test and demo on every board:
#                                  "# firmware BOARD: N passed, M failed"
#                                  per board; exit 1 if any failed, hung
#                                  or crashed
#   check-firmware.sh run NAME     builds demo NAME for $BOARD (default:
#                                  the first board) and runs it
#
# From make (Makefile.am, "firmware" block): top_srcdir, ARM_CC, QEMU_ARM,
# VERSION, CA_FW_SMALL (1 from a configure with --enable-small: the boards'
# library is built for size, CA_CONFIG_SMALL, and each board's name in
# the report says "small"), and the lists CA_FW_LIB (the library's sources, as this
# configure chose them; the threaded and allocating ones are left out
# here), CA_FW_TESTS (test sources, each its own image) and CA_FW_DEMOS
# (demo sources).
#
# The library is built as a firmware would build it: no threads, no
# malloc, -Os, its own config.h from config.h.in, CA_CONFIG_MAX_PENDING
# small. Each run is bounded by timeout; QEMU counts instructions
# (-icount), so SysTick time, and every demo's output, is the same on
# every run.
set -u
srcdir=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
# configure says "no" for a tool it did not find.
ARM_CC=${ARM_CC:-arm-none-eabi-gcc}; [ "$ARM_CC" != no ] || ARM_CC=arm-none-eabi-gcc
QEMU_ARM=${QEMU_ARM:-qemu-system-arm}; [ "$QEMU_ARM" != no ] || QEMU_ARM=qemu-system-arm
ARM_AR=${ARM_CC%gcc}ar
timeout_s=${FW_TIMEOUT:-300}
out=$(pwd)/firmware
boards=$srcdir/test/target/boards
mode=${1:-check}
small=${CA_FW_SMALL:-0}
case $small in 0|1) ;; *) small=0 ;; esac

missing=
command -v "$ARM_CC" >/dev/null 2>&1 ||
  missing="$missing $ARM_CC (Debian: gcc-arm-none-eabi)"
[ -n "$missing" ] || echo 'int main(void) { return 0; }' |
  "$ARM_CC" -mcpu=cortex-m3 -mthumb --specs=picolibc.specs --oslib=semihost \
    --crt0=hosted -Wl,--defsym=__flash=0 -Wl,--defsym=__flash_size=0x40000 \
    -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x4000 \
    -x c - -o /dev/null >/dev/null 2>&1 ||
  missing="$missing picolibc (Debian: picolibc-arm-none-eabi)"
command -v "$QEMU_ARM" >/dev/null 2>&1 ||
  missing="$missing $QEMU_ARM (Debian: qemu-system-arm)"
if [ -n "$missing" ]; then
  echo "check-firmware: missing:$missing" >&2
  echo "check-firmware: install them (apt-get install --no-install-recommends ...) and configure again" >&2
  exit 1
fi

warn="-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wimplicit-fallthrough -Werror"

# setup_board LINE: reads one line of the boards file, sets the flags.
setup_board() {
  set -- $1
  name=$1 machine=$2 cpu=$3 hz=$4
  dir=$out/$name
  [ "$small" = 0 ] || name="$name small"
  cflags="-mcpu=$cpu -mthumb -Os -g -ffunction-sections -fdata-sections --specs=picolibc.specs $warn"
  cppflags="-I$srcdir/include -I$dir/include -DCA_CONFIG_MAX_PENDING=32 -DBOARD_CPU_HZ=$hz -DBOARD_$(echo "$machine" | tr a-z- A-Z_)"
  ldflags="--oslib=semihost --crt0=hosted -Wl,--gc-sections -Wl,--defsym=__flash=$5 -Wl,--defsym=__flash_size=$6 -Wl,--defsym=__ram=$7 -Wl,--defsym=__ram_size=$8 -Wl,--defsym=__stack_size=$9"
}

# build_lib: config.h and libcoreasync.a for the board, plus the runner's
# objects. Fails on any warning.
build_lib() {
  rm -rf "$dir"; mkdir -p "$dir/include/coreasync" "$dir/lib" "$dir/obj"
  v_major=${VERSION%%.*} v_rest=${VERSION#*.}
  sed -e 's/@CA_HAVE_THREADS@/0/' -e 's/@CA_HAVE_MALLOC@/0/' \
      -e 's/@CA_CONFIG_COMPUTED_GOTO@/0/' -e 's/@CA_CONFIG_TRACE@/0/' \
      -e "s/@CA_CONFIG_SMALL@/$small/" -e 's/@CA_CONFIG_COMPACT@/1/' \
      -e "s/@CA_VERSION_MAJOR@/$v_major/" \
      -e "s/@CA_VERSION_MINOR@/${v_rest%%.*}/" -e "s/@CA_VERSION_PATCH@/${v_rest#*.}/" \
      -e "s/@PACKAGE_VERSION@/$VERSION/" \
      "$srcdir/include/coreasync/config.h.in" > "$dir/include/coreasync/config.h"
  # The port is the Cortex-M one, whatever the native configure chose.
  for src in $CA_FW_LIB src/port/cortex_m.c; do
    # trace.c comes with a native --enable-trace; the boards' config.h
    # has the trace off (it writes to a FILE under a pthread mutex).
    case $src in *.h|src/lock.c|src/alloc.c|src/port/posix.c|src/trace.c) continue ;; esac
    o=$dir/lib/$(basename "$src" .c).o
    # The library alone is held to strict C99.
    "$ARM_CC" -std=c99 $cflags $cppflags -c "$srcdir/$src" -o "$o" || return 1
  done
  "$ARM_AR" rcs "$dir/libcoreasync.a" "$dir"/lib/*.o || return 1
  for b in board timer uart; do
    "$ARM_CC" $cflags $cppflags -c "$srcdir/test/target/$b.c" -o "$dir/obj/$b.o" || return 1
  done
}
board_objs() { echo "$dir/obj/board.o $dir/obj/timer.o $dir/obj/uart.o"; }

# The test sources see CUnit's assertions through the shim and the POSIX
# clock on SysTick (runner.c).
runner_flags="-I$srcdir/test/target -I$srcdir/test -DCA_TEST_SMALL=1 -DCA_TEST_BOARD=1 -include posix_time.h"
test_flags() {
  echo "$runner_flags"
}

build_runner() {
  "$ARM_CC" $cflags $cppflags $runner_flags -c "$srcdir/test/target/runner.c" -o "$dir/obj/runner.o" &&
  "$ARM_CC" $cflags $cppflags $(test_flags) -c "$srcdir/test/ca_helpers.c" -o "$dir/obj/helpers.o"
}

# run_elf ELF LOG [INPUT]: QEMU with semihosting, console on stdout;
# sets rc. With INPUT, the board's UART is QEMU's stdio and reads it
# (what it sends goes to LOG as well); without, the UART is unplugged.
run_elf() {
  if [ -n "${3:-}" ]; then serial=stdio in=$3; else serial=null in=/dev/null; fi
  timeout "$timeout_s" "$QEMU_ARM" -M "$machine" -nographic -monitor none \
    -serial "$serial" -semihosting-config enable=on,target=native \
    -icount shift=5,sleep=off -kernel "$1" <"$in" >"$2" 2>&1
  rc=$?
}

# ---- board and host (issue 13, serial13)
# run_with_host ELF LOG: the board's UART is a Unix socket, and the host
# end of demo/firmware/bridge.c (test/target/bridge_host, built natively
# by make) listens on it; QEMU connects as a client. The host listens
# before QEMU starts and QEMU connects before the board runs, so no byte
# is sent before both ends are there, and nothing needs a port number
# (parallel runs cannot collide). The board's line goes to LOG, then the
# host's; rc is 0 only if both exited 0. Both sides are bounded by
# FW_BRIDGE_TIMEOUT (120 s; a run takes about a second).
run_with_host() {
  bt=${FW_BRIDGE_TIMEOUT:-120}
  host=$(pwd)/test/target/bridge_host
  if [ ! -x "$host" ]; then
    echo "no $host: build it with make (needs a native build with malloc and poll)" >"$2"
    rc=1; return
  fi
  sockdir=$(mktemp -d "${TMPDIR:-/tmp}/ca-fw.XXXXXX") || { rc=1; return; }
  sock=$sockdir/serial
  timeout "$bt" "$host" "$sock" "${FW_BRIDGE_VALUES:-1000}" >"$2.host" 2>&1 &
  hpid=$!
  i=0
  while [ ! -S "$sock" ] && [ $i -lt 300 ] && kill -0 $hpid 2>/dev/null; do
    sleep 0.1; i=$((i + 1))
  done
  timeout "$bt" "$QEMU_ARM" -M "$machine" -nographic -monitor none \
    -chardev socket,id=serial,path="$sock" -serial chardev:serial \
    -semihosting-config enable=on,target=native \
    -icount shift=5,sleep=off -kernel "$1" </dev/null >"$2" 2>&1
  rc=$?
  wait $hpid
  hrc=$?
  rm -rf "$sockdir"
  cat "$2.host" >>"$2"
  if [ "$rc" = 0 ] && [ "$hrc" != 0 ]; then rc=$hrc; fi
}
# ---- end of the board and host block

# demo_input SOURCE: the file a demo reads on its UART, if it has one.
demo_input() {
  [ ! -f "$srcdir/${1%.c}.input" ] || echo "$srcdir/${1%.c}.input"
}

# One board: every test image and every demo. Adds to passed/failed.
check_board() {
  bp=0 bf=0
  echo "== $name ($machine, $cpu)"
  if ! build_lib || ! build_runner; then
    echo "FAIL $name: the library or the runner did not build"
    failed=$((failed + 1)); return
  fi
  for src in $CA_FW_TESTS; do
    t=$(basename "$src" .c)
    elf=$dir/$t.elf log=$dir/$t.log
    if ! "$ARM_CC" $cflags $cppflags $(test_flags) "$srcdir/$src" \
         "$dir/obj/runner.o" "$dir/obj/helpers.o" $(board_objs) \
         "$dir/libcoreasync.a" $ldflags -o "$elf"; then
      echo "FAIL $name/$t: did not build"; bf=$((bf + 1)); continue
    fi
    run_elf "$elf" "$log"
    line=$(sed -n 's/^# ca_test [^:]*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$log" | tail -1)
    p=${line% *} f=${line#* }
    # No summary: it hung or crashed; what passed before still counts.
    [ -n "$line" ] || p=$(grep -c '\.\.\.passed$' "$log") f=0
    case $rc in
      0) ;;
      124) echo "FAIL $name/$t: timed out after $timeout_s s"; f=$((f + 1)) ;;
      99) echo "FAIL $name/$t: crashed"; f=$((f + 1)) ;;
      *) [ "$f" != 0 ] || { echo "FAIL $name/$t: exit status $rc"; f=$((f + 1)); } ;;
    esac
    [ "$f" = 0 ] || grep -E 'FAILED|^    |watchdog|HardFault' "$log" | sed "s|^|  $t: |"
    echo "  $t: $p passed, $f failed"
    bp=$((bp + p)) bf=$((bf + f))
  done
  for src in $CA_FW_DEMOS; do
    d=$(basename "$src" .c)
    if [ "$d" = bridge ]; then run=run_with_host; else run=run_elf; fi
    if build_demo "$src" && $run "$dir/$d.elf" "$dir/$d.log" "$(demo_input "$src")" &&
       [ "$rc" = 0 ] &&
       diff -u "$srcdir/${src%.c}.expected" "$dir/$d.log" >"$dir/$d.diff"; then
      echo "  demo $d: output as expected"; bp=$((bp + 1))
    else
      echo "FAIL $name/demo $d (exit status ${rc:-?}):"; cat "$dir/$d.diff" 2>/dev/null
      bf=$((bf + 1))
    fi
  done
  echo "# firmware $name: $bp passed, $bf failed"
  passed=$((passed + bp)) failed=$((failed + bf))
}

build_demo() { # source
  "$ARM_CC" $cflags $cppflags -I"$srcdir/test/target" "$srcdir/$1" \
    $(board_objs) "$dir/libcoreasync.a" $ldflags \
    -o "$dir/$(basename "$1" .c).elf"
}

case $mode in
  check)
    passed=0 failed=0
    while read -r line; do
      case $line in ''|'#'*) continue ;; esac
      setup_board "$line"
      check_board
    done < "$boards"
    echo "check-firmware: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    ;;
  run)
    demo=${2:?which demo}
    line=$(grep -v '^#' "$boards" | grep "^${BOARD:-.}" | head -1)
    [ -n "$line" ] || { echo "check-firmware: no board ${BOARD:-}" >&2; exit 1; }
    setup_board "$line"
    build_lib && build_demo "demo/firmware/$demo.c" || exit 1
    echo "== $demo on $name ($machine), under QEMU:"
    if [ "$demo" = bridge ]; then
      run_with_host "$dir/$demo.elf" "$dir/$demo.log"; cat "$dir/$demo.log"
    else
      run_elf "$dir/$demo.elf" /dev/stdout "$(demo_input "demo/firmware/$demo.c")"
    fi
    exit $rc
    ;;
  *) echo "usage: $0 check | run DEMO" >&2; exit 2 ;;
esac
