#!/usr/bin/env bash
# Boot the kernel headless on a fresh copy of the test image, let init run
# /autorun (the in-kernel suites), and judge the console output.
#
#   scripts/qemu-suite.sh CPUS MEM IMAGE LOG
#
# KERNEL names the kernel ELF (default kernel/kernel), SUITE_TIMEOUT the
# limit in seconds (default 600). SWAP=SIZE (QEMU's suffixes, e.g. 256M)
# attaches a fresh sparse swap disk of that size; unset or 0: none;
# SWAP_PREALLOC=1 writes it with zeros first, so that the first write of
# a block by the kernel costs what a rewrite does (make bench); SWAP_FAIL=1
# makes every write to it fail with EIO (QEMU's blkdebug driver: a dying
# disk, `swaptests baddisk`). VMCHECK=N (N > 0) boots with the VM's
# expensive checkers on (the boot argument vmcheck=N, kernel/vmcheck.c);
# the run then also fails unless the kernel says it turned them on.
# MAXCPUS=N boots with maxcpus=N: the kernel uses only N of the CPUS harts
# and parks the others (make bench's control boots, scripts/bench.py).
# QEMU_EXTRA adds QEMU options, e.g. "-gdb tcp::26000" to look at a hung
# run from gdb-multiarch (docs/testing.md, "When a boot hangs").
#
# Every suite prints one line "NAME: N passed, M failed". The run fails if
# the kernel panics, QEMU does not power off within the time limit, no suite
# reports, or any suite reports a failure; then mkfs/fsck checks the disk
# the boot leaves (FSCK names it; one test more). The last line printed is
# the sum.
set -u
cpus=$1 mem=$2 image=$3 log=$4
limit=${SUITE_TIMEOUT:-600}
opensbi=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
fsck=${FSCK:-build/mkfs/fsck}

disk=$(mktemp "${TMPDIR:-/tmp}/fs-suite.XXXXXX")
swapimg=$(mktemp "${TMPDIR:-/tmp}/swap-suite.XXXXXX")
trap 'rm -f "$disk" "$swapimg"' EXIT
cp "$image" "$disk"
swap=()
if [ -n "${SWAP:-}" ] && [ "${SWAP}" != 0 ]; then
  truncate -s "$SWAP" "$swapimg"
  [ "${SWAP_PREALLOC:-0}" = 1 ] && head -c "$SWAP" /dev/zero > "$swapimg"
  swap=(-drive file="$swapimg",if=none,format=raw,id=x1)
  if [ "${SWAP_FAIL:-0}" = 1 ]; then
    bad=file.inject-error.0
    swap=(-blockdev "driver=raw,node-name=x1,file.driver=blkdebug,file.image.driver=file,file.image.filename=$swapimg,$bad.event=write_aio,$bad.iotype=write,$bad.errno=5,$bad.once=off")
  fi
  swap+=(-device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1)
fi
vmcheck=${VMCHECK:-0}
bootargs=()
[ "$vmcheck" != 0 ] && bootargs+=("vmcheck=$vmcheck")
[ -n "${MAXCPUS:-}" ] && bootargs+=("maxcpus=$MAXCPUS")
append=()
[ ${#bootargs[@]} -gt 0 ] && append=(-append "${bootargs[*]}")
read -r -a extra <<< "${QEMU_EXTRA:-}"

timeout --foreground -k 5 "$limit" qemu-system-riscv64 -machine virt -bios "$opensbi" \
  -kernel "${KERNEL:-kernel/kernel}" -m "$mem" -smp "$cpus" "${append[@]}" "${extra[@]}" \
  -nographic -monitor none -serial stdio \
  -global virtio-mmio.force-legacy=false \
  -drive file="$disk",if=none,format=raw,id=x0 \
  -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 "${swap[@]}" \
  </dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=0 failed=0 suites=0
while read -r p f; do
  passed=$((passed + p)) failed=$((failed + f)) suites=$((suites + 1))
done < <(sed -n 's/^[A-Za-z0-9_-]*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$log" | tr -d '\r')

problem=""
[ "$status" = 124 ] && problem="timed out after ${limit}s"
grep -q '^panic' "$log" && problem="kernel panic"
[ "$suites" = 0 ] && [ -z "$problem" ] && problem="no suite reported"
[ "$vmcheck" != 0 ] && ! grep -q '^vmcheck: level' "$log" && [ -z "$problem" ] &&
  problem="VMCHECK=$vmcheck asked for but the checkers are off"
[ -n "${MAXCPUS:-}" ] && ! grep -q "^xv6-vm kernel: $MAXCPUS harts\? " "$log" &&
  [ -z "$problem" ] && problem="MAXCPUS=$MAXCPUS asked for but not obeyed"
if [ -n "$problem" ]; then
  echo "qemu-suite (CPUS=$cpus): $problem"
  failed=$((failed + 1))
fi
# The disk the boot leaves must be a consistent file system (mkfs/fsck.c):
# one test more.
if [ -x "$fsck" ] && [ "$status" != 124 ]; then
  if "$fsck" "$disk" > "$log.fsck" 2>&1; then
    passed=$((passed + 1))
  else
    grep -v ': ok (' "$log.fsck" | head -5 | sed "s/^/qemu-suite (CPUS=$cpus): /"
    failed=$((failed + 1))
  fi
  cat "$log.fsck" >> "$log"
  rm -f "$log.fsck"
fi
[ "$vmcheck" != 0 ] && cpus="$cpus VMCHECK=$vmcheck"
[ -n "${MAXCPUS:-}" ] && cpus="$cpus MAXCPUS=$MAXCPUS"
echo "qemu CPUS=$cpus: $passed passed, $failed failed"
[ "$failed" = 0 ]
