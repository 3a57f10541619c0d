#!/usr/bin/env bash
# `make boot-stress`: boot the kernel many times in a row and check that
# every boot is clean -- the boot-hart race of issue 10 (two harts in the
# cold boot path, two banners) showed in about 1 boot of 40.
#
#   scripts/boot-stress.sh BOOTS CPUS MEM IMAGE LOG
#
# IMAGE's /autorun just halts, so a boot is over in about a second. A boot
# passes when the console shows exactly one kernel banner, init reaches
# /autorun, no hart failed to start, nothing panicked, and QEMU powered off
# with status 0 within BOOT_TIMEOUT seconds (default 30). The disk is
# opened with snapshot=on, so no boot sees another's writes. LOG keeps the
# console output of the failed boots. Prints "boot-stress: N passed, M
# failed" and exits non-zero if any boot failed.
set -u
boots=$1 cpus=$2 mem=$3 image=$4 log=$5
limit=${BOOT_TIMEOUT:-30}
opensbi=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}

out=$(mktemp "${TMPDIR:-/tmp}/boot-stress.XXXXXX")
trap 'rm -f "$out"' EXIT
: > "$log"
passed=0 failed=0

# Why boot $1's console output ($out) is not clean; empty if it is.
judge() {
  local status=$1 banners
  banners=$(grep -c 'xv6-vm kernel:' "$out")
  if [ "$banners" != 1 ]; then echo "$banners banners"
  elif grep -q 'panic: ' "$out"; then echo "panic"
  elif grep -q 'cannot start' "$out"; then echo "a hart did not start"
  elif ! grep -q 'init: running /autorun' "$out"; then echo "init never ran"
  elif [ "$status" != 0 ]; then echo "QEMU exit status $status"
  fi
}

for i in $(seq "$boots"); do
  timeout --foreground -k 5 "$limit" qemu-system-riscv64 -machine virt \
    -bios "$opensbi" -kernel "${KERNEL:-kernel/kernel}" -m "$mem" \
    -smp "$cpus" -nographic -monitor none -serial stdio \
    -global virtio-mmio.force-legacy=false \
    -drive file="$image",if=none,format=raw,id=x0,snapshot=on \
    -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
    < /dev/null > "$out" 2>&1
  why=$(judge $?)
  if [ -z "$why" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "boot-stress: boot $i: $why"
    { echo "=== boot $i: $why"; tr -d '\r' < "$out"; } >> "$log"
  fi
done
echo "boot-stress: $passed passed, $failed failed"
[ "$failed" = 0 ]
