#!/bin/sh
# make size-report: what the library costs a firmware image, on Cortex-M0
# and Cortex-M3 at -Os with --gc-sections (picolibc):
#   - .text/.data/.bss of each library object;
#   - the library's share of two linked images, bench/size-app.c built as
#     SIZE_MINIMAL (channels, go blocks, scheduler, SLEEP) and SIZE_FULL
#     (plus ALTS with a deadline, timeout channels, offer and poll), each
#     minus the same program's baseline with no library call;
#   - of those bytes, how many are the library's own objects (the rest is
#     the program's go functions and the DSL's site records), from the map;
#   - sizeof of every public struct on the target;
#   - on Cortex-M3, when qemu-system-arm is there, the instructions per
#     ping-pong round trip (bench/pingpong-fw.c under QEMU -icount
#     shift=0, where 1 ns of guest time is one instruction);
#   - the same two images and round trip for a build configured with
#     --enable-small (CA_CONFIG_SMALL: size over speed), and the largest
#     library functions of each image on Cortex-M3.
# Needs gcc-arm-none-eabi and picolibc-arm-none-eabi; run from a build
# directory (it configures its own cross builds under ./size-report/).
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
srcdir=$(cd "$srcdir" && pwd)
out=$(pwd)/size-report
command -v arm-none-eabi-gcc >/dev/null 2>&1 ||
  { echo "size-report: no arm-none-eabi-gcc (apt-get install gcc-arm-none-eabi picolibc-arm-none-eabi)" >&2; exit 1; }
[ -f "$srcdir/configure" ] || { echo "size-report: run autoreconf -fi in $srcdir first" >&2; exit 1; }

text() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 }'; }
# libsections MAP: "size name" of each .text and .rodata input section
# that the link kept from libcoreasync.a (one per function or constant,
# with -ffunction-sections -fdata-sections).
libsections() {
  sed -n '/^Linker script and memory map/,$p' "$1" |
    awk '/^ \.(text|rodata)/ { x = $1; if (NF == 1) { getline; s = $2; o = $3 } else { s = $3; o = $4 }
                                if (o ~ /libcoreasync\.a\(/) { sub(/^\.(text|rodata)\./, "", x); printf "%d %s\n", s, x } }'
}
libtext() { libsections "$1" | awk '{ n += $1 } END { printf "%d\n", n }'; }

# build CPU VARIANT: configures and builds the library for CPU under
# $out/CPU (VARIANT "small": $out/CPU-small, with --enable-small), links
# the three images of size-app.c, and prints the library's share of them.
build() {
  cpu=$1 variant=$2
  dir=$out/$cpu${variant:+-$variant}
  rm -rf "$dir"; mkdir -p "$dir"
  flags="-mcpu=$cpu -mthumb -Os -ffunction-sections -fdata-sections --specs=picolibc.specs"
  (cd "$dir" && "$srcdir/configure" --host=arm-none-eabi --disable-threads \
     --disable-malloc --disable-shared ${variant:+--enable-$variant} \
     CFLAGS="$flags" >/dev/null &&
   make -j2 libcoreasync.la >/dev/null) ||
    { echo "size-report: the $cpu ${variant:-default} build failed (see $dir)" >&2; exit 1; }
  lib=$dir/.libs/libcoreasync.a
  if [ -z "$variant" ]; then
    echo "== $cpu, -Os, picolibc: library objects"
    arm-none-eabi-size -t "$lib" | sed 's/ (ex [^)]*)//'
  fi
  for v in BASE SIZE_MINIMAL SIZE_FULL; do
    arm-none-eabi-gcc -D$v -std=c99 -Wall -Wextra -Werror $flags \
      --oslib=semihost --crt0=hosted -Wl,--gc-sections \
      -I"$srcdir/include" -I"$dir/include" "$srcdir/bench/size-app.c" "$lib" \
      -o "$dir/$v.elf" -Wl,-Map="$dir/$v.map"
  done
  base=$(text "$dir/BASE.elf")
  min=$(text "$dir/SIZE_MINIMAL.elf")
  full=$(text "$dir/SIZE_FULL.elf")
  echo "== $cpu${variant:+, --enable-$variant}: the library's share of a linked image (.text, minus the baseline's $base B)"
  echo "   minimal (channels, go blocks, scheduler, SLEEP): $((min - base)) B"
  echo "   full (+ ALTS, timeout channels, offer/poll):    $((full - base)) B"
  echo "   of which the library's objects: minimal $(libtext "$dir/SIZE_MINIMAL.map") B, full $(libtext "$dir/SIZE_FULL.map") B"
  if arm-none-eabi-nm "$dir/SIZE_FULL.elf" | grep -E ' __aeabi_u?i?l?div'; then
    echo "   division helpers linked in: see above"
  else
    echo "   no division helper linked in"
  fi
}

# functions CPU VARIANT: the largest library functions of both images.
functions() {
  dir=$out/$1${2:+-$2}
  echo "== $1${2:+, --enable-$2}: the largest library functions (bytes)"
  libsections "$dir/SIZE_MINIMAL.map" | sort -rn | head -12 > "$dir/top-minimal"
  libsections "$dir/SIZE_FULL.map" | sort -rn | head -12 > "$dir/top-full"
  printf '   %-34s %s\n' minimal full
  paste -d ' ' "$dir/top-minimal" "$dir/top-full" |
    awk '{ printf "   %5d %-28s %5d %s\n", $1, $2, $3, $4 }'
}

# roundtrip CPU VARIANT: on Cortex-M3 under QEMU, when it is there.
roundtrip() {
  dir=$out/$1${2:+-$2}
  [ "$1" = cortex-m3 ] && command -v qemu-system-arm >/dev/null 2>&1 || return 0
  flags="-mcpu=$1 -mthumb -Os -ffunction-sections -fdata-sections --specs=picolibc.specs"
  # board.c's SysTick calls the UART's tick (uart.c; empty on this board).
  arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror $flags -DBOARD_CPU_HZ=25000000 \
    -DBOARD_MPS2_AN385 \
    --oslib=semihost --crt0=hosted -Wl,--gc-sections \
    -Wl,--defsym=__flash=0 -Wl,--defsym=__flash_size=0x40000 \
    -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x10000 \
    -I"$srcdir/include" -I"$dir/include" -I"$srcdir/test/target" \
    "$srcdir/bench/pingpong-fw.c" "$srcdir/test/target/board.c" \
    "$srcdir/test/target/uart.c" "$dir/.libs/libcoreasync.a" \
    -o "$dir/pingpong.elf"
  n=$(timeout 300 qemu-system-arm -M mps2-an385 -nographic -monitor none \
        -serial null -semihosting-config enable=on,target=native \
        -icount shift=0,sleep=off -kernel "$dir/pingpong.elf" </dev/null 2>&1) ||
    n="failed ($n)"
  echo "== $1${2:+, --enable-$2}: instructions per ping-pong round trip (QEMU -icount): $n"
}

for cpu in cortex-m0 cortex-m3; do
  build $cpu ""
  # sizeof on the target: one char array per struct, read back with nm.
  cat > "$dir/sizes.c" <<'SIZES'
#include <coreasync.h>
char sizeof_ca_chan[sizeof(ca_chan)];
char sizeof_ca_go[sizeof(ca_go)];
char sizeof_ca_waiter[sizeof(ca_waiter)];
char sizeof_ca_timer[sizeof(ca_timer)];
char sizeof_ca_alt[sizeof(ca_alt)];
char sizeof_ca_op[sizeof(ca_op)];
char sizeof_ca_sched[sizeof(ca_sched)];
char sizeof_ca_timeout_chan[sizeof(ca_timeout_chan)];
SIZES
  arm-none-eabi-gcc $flags -fno-common -c -I"$srcdir/include" -I"$dir/include" \
    "$dir/sizes.c" -o "$dir/sizes.o"
  echo "== $cpu: sizeof (bytes)"
  arm-none-eabi-nm -S "$dir/sizes.o" |
    awk '$4 ~ /^sizeof_/ { sub(/^sizeof_/, "", $4); printf "   %-16s %d\n", $4, ("0x" $2) + 0 }'
  roundtrip $cpu ""
done
# The build for size (CA_CONFIG_SMALL): the same structs, so no sizeof.
for cpu in cortex-m0 cortex-m3; do
  build $cpu small
  roundtrip $cpu small
done
functions cortex-m3 ""
functions cortex-m3 small
