#!/usr/bin/env bash
# Type a scripted session into the console and check that none of it is
# lost: the console's flow control (kernel/console.c) and console reads
# into pages that must fault in (usertests group "console").
#
#   scripts/console-input.sh IMAGE LOG
#
# IMAGE must have no /autorun, so init starts an interactive sh on the
# console. Once sh is up, the whole session goes into QEMU's serial port at
# once, far more than the kernel's 128-byte console buffer:
#   - LINES commands `echo line-NNN >> cf-out`;
#   - `usertests console`, followed by the lines that group reads from the
#     console itself (user/usertests/t_ucopy.c);
#   - `wc cf-out; halt`.
# Passes when the usertests group passes, wc counts every line, QEMU powers
# off on its own and the kernel does not panic. Prints one line
# "console-input: N passed, M failed". KERNEL names the kernel (default
# kernel/kernel), CONSOLE_TIMEOUT the limit in seconds (default 120).
set -u
image=$1 log=$2
lines=${CONSOLE_LINES:-160}
limit=${CONSOLE_TIMEOUT:-120}
opensbi=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}

dir=$(mktemp -d "${TMPDIR:-/tmp}/console-input.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cp "$image" "$dir/disk"
mkfifo "$dir/in"

session() {
  for i in $(seq -f '%03g' 1 $lines); do
    echo "echo line-$i >> cf-out"
  done
  echo "usertests console"
  echo "console line into a cold file page"
  echo "console line into a copy-on-write page"
  echo "console line into a bad pointer"
  echo "wc cf-out; halt"
}

timeout --foreground -k 5 "$limit" qemu-system-riscv64 -machine virt \
  -bios "$opensbi" -kernel "${KERNEL:-kernel/kernel}" -m 128M -smp 2 \
  -nographic -monitor none -serial stdio \
  -global virtio-mmio.force-legacy=false \
  -drive file="$dir/disk",if=none,format=raw,id=x0 \
  -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
  < "$dir/in" > "$log" 2>&1 &
qemu=$!
exec 3> "$dir/in"
# Wait for the shell: input typed while OpenSBI boots would be eaten when
# it resets the UART.
for _ in $(seq 300); do
  grep -q 'init: starting sh' "$log" && break
  sleep 0.1
done
session >&3
wait $qemu
status=$?
exec 3>&-

passed=0 failed=0
check() {
  if [ "$1" = 0 ]; then passed=$((passed + 1)); else
    echo "console-input: $2"; failed=$((failed + 1)); fi
}
clean=$(tr -d '\r' < "$log")
grep -q 'panic: ' <<< "$clean"; check $((! $?)) "kernel panic (see $log)"
check "$status" "QEMU did not power off cleanly (status $status)"
# wc's line may follow sh's prompt "$ " (echo comes before the prompt).
grep -Eq "(^|[$] )$lines $lines $((lines * 9)) cf-out\$" <<< "$clean"
check $? "input lost: wc says $(grep ' cf-out$' <<< "$clean" | tail -1)"
grep -q '^usertests: [1-9][0-9]* passed, 0 failed' <<< "$clean"
check $? "usertests console did not pass"
echo "console-input: $passed passed, $failed failed"
[ "$failed" = 0 ]
