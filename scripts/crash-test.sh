#!/usr/bin/env bash
# What the file system keeps when the machine dies: boot with user/fscrash
# as /autorun, kill QEMU (SIGKILL, no shutdown) a random moment after it
# starts writing, boot the same disk again, and let fscrash check what
# survived against the last round the first boot reported done; then
# mkfs/fsck checks the disk as a whole.
#
#   scripts/crash-test.sh ROUNDS IMAGE LOG
#
# IMAGE is a file system image whose /autorun runs fscrash (mkfs/mkfs.mk's
# build/fs-crash.img). Prints "crash-test: N passed, M failed".
set -u
rounds=$1 image=$2 log=$3
opensbi=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
fsck=${FSCK:-build/mkfs/fsck}
disk=$(mktemp "${TMPDIR:-/tmp}/fs-crash.XXXXXX")
trap 'rm -f "$disk" "$log.boot"' EXIT
: > "$log"
passed=0 failed=0

boot() {  # boot the disk at 2 harts for at most $1 s, console to $log.boot
  timeout -k 5 "$1" qemu-system-riscv64 -machine virt -bios "$opensbi" -kernel "${KERNEL:-kernel/kernel}" \
    -m 128M -smp 2 -nographic -monitor none -serial stdio \
    -global virtio-mmio.force-legacy=false \
    -drive file="$disk",if=none,format=raw,id=x0 \
    -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
    </dev/null > "$log.boot" 2>&1
}

fail() {
  echo "crash-test: round $1: $2" | tee -a "$log"
  failed=$((failed + 1))
}

for ((r = 1; r <= rounds; r++)); do
  cp "$image" "$disk"
  (boot 300) 2>/dev/null &   # its "Killed" is expected
  qemu=$!
  for ((t = 0; t < 600; t++)); do
    grep -q "fscrash: writing" "$log.boot" 2>/dev/null && break
    sleep 0.1
  done
  sleep "$((RANDOM % 3)).$((RANDOM % 10))"
  pkill -KILL -f "^qemu-system-riscv64 .*file=$disk," # no shutdown
  wait "$qemu" 2>/dev/null
  cat "$log.boot" >> "$log"
  done=$(tr -d '\r' < "$log.boot" | sed -n 's/^fscrash: done \([0-9]*\)$/\1/p' | tail -1)
  done=${done:--1}
  boot 120
  cat "$log.boot" >> "$log"
  last=$(tr -d '\r' < "$log.boot" | sed -n 's/^fscrash: \(-*[0-9]*\) last$/\1/p')
  if ! grep -q "fscrash: 1 passed, 0 failed" "$log.boot"; then
    fail "$r" "the check after the crash failed (killed after round $done)"
  elif ! "$fsck" "$disk" >> "$log" 2>&1; then
    fail "$r" "fsck found the disk inconsistent (killed after round $done)"
  elif [ -z "$last" ] || [ "$last" -lt "$done" ] || [ "$last" -gt $((done + 1)) ]; then
    fail "$r" "round $done was reported done, the disk ends at round ${last:-?}"
  else
    echo "crash-test: round $r: killed after round $done, the disk ends at $last" | tee -a "$log"
    passed=$((passed + 1))
  fi
done
echo "crash-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
