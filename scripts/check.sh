#!/usr/bin/env bash
# `make check`: the host unit tests of kernel/vm, then the in-kernel suites
# headless at each CPU count in CHECK_CPUS, then the system-call fuzzer for
# 60 s at CPUS=3 and at CPUS=4 with 512 MiB, then two quick checks: fs.img
# follows UPROGS_EXTRA (scripts/uprogs-list.sh), and a scripted console
# session arrives whole (scripts/console-input.sh). Prints one summary line
# "check: N passed, M failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
make="${MAKE:-make} --no-print-directory"
passed=0 failed=0

add() { passed=$((passed + $1)) failed=$((failed + $2)); }

# Add a script's closing line "NAME: N passed, M failed" from file OUT; a
# script that died before printing it counts as one failure.
add_summary() {
  local name=$1 out=$2 line
  line=$(sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" "$out")
  if [ -n "$line" ]; then
    add $line
  else
    echo "check: $name printed no result"
    add 0 1
  fi
}

# SEMANTICS.md: a process killed by a fault makes the kernel print one line
# "pid N (name): segmentation fault|bus error at ADDR (read|write|execute)".
# The suites provoke known faults (usertests fault.bad_access: NULL read,
# write and call; pctests mmap.past_eof: a page past end-of-file); their
# lines must be in the console log. One test per expected line.
console_lines() {
  local log=$1 cpus=$2 want
  for want in '(usertests): segmentation fault at 0x0 (read)' \
              '(usertests): segmentation fault at 0x0 (write)' \
              '(usertests): segmentation fault at 0x0 (execute)' \
              '(pctests): bus error at 0x[0-9a-f]* (read)'; do
    if tr -d '\r' < "$log" | grep -q "^pid [0-9]* $want\$"; then
      add 1 0
    else
      echo "check (CPUS=$cpus): no console line \"pid N $want\""
      add 0 1
    fi
  done
  # Every fault line ("... at 0xADDR"; not "illegal instruction at pc"),
  # whatever the suite, uses one of the two words.
  if tr -d '\r' < "$log" | grep '^pid [0-9]* (.* at 0x' |
     grep -vq ': \(segmentation fault\|bus error\) at 0x[0-9a-f]* (\(read\|write\|execute\))'; then
    echo "check (CPUS=$cpus): a fault line is not as SEMANTICS.md says:"
    tr -d '\r' < "$log" | grep '^pid [0-9]* (.* at 0x' |
      grep -v ': \(segmentation fault\|bus error\) at 0x' | head -3
    add 0 1
  else
    add 1 0
  fi
}

# Host tests. Criterion's closing line: "Synthesis: Tested: T | Passing: P |
# Failing: F | Crashing: C".
$make test 2>&1 | tee build/host-test.log
host_status=${PIPESTATUS[0]}
# Several binaries (vmtests, sv39tests) each print one such line.
while read -r p f c; do add "$p" $((f + c)); done < <(
  sed -n 's/.*Synthesis: Tested: [0-9]* | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2 \3/p' \
    build/host-test.log)
if [ "$host_status" != 0 ] && [ "$failed" = 0 ]; then
  echo "check: host tests did not build or run"
  add 0 1
fi

# In-kernel suites.
if [ -f user/autorun ]; then
  if $make kernel/kernel build/fs-check.img; then
    for cpus in ${CHECK_CPUS:-1 3}; do
      scripts/qemu-suite.sh "$cpus" "${MEM:-128M}" build/fs-check.img "build/qemu-check-$cpus.log"
    done 2>&1 | tee build/qemu-check.log
    while read -r p f; do add "$p" "$f"; done < <(
      sed -n 's/^qemu CPUS=[0-9]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' build/qemu-check.log)
    for cpus in ${CHECK_CPUS:-1 3}; do
      console_lines "build/qemu-check-$cpus.log" "$cpus"
    done
  else
    echo "check: kernel or file system image did not build"
    add 0 1
  fi
fi

# The system-call fuzzer (user/sysfuzz.c), one minute per boot: at CPUS=3
# with the suites' memory, and at CPUS=4 with 512 MiB (more harts racing,
# and a page cache that is seldom short). Each boot prints "qemu CPUS=N: P
# passed, F failed" (scripts/qemu-suite.sh). Victims die of the faults they
# provoke, but never execute a bad instruction: a kill line for one means
# a process ran from a page that was not its program's.
if $make kernel/kernel build/fs-sysfuzz.img; then
  for cfg in "3 ${MEM:-128M}" "4 512M"; do
    set -- $cfg
    SUITE_TIMEOUT=420 scripts/qemu-suite.sh "$1" "$2" build/fs-sysfuzz.img \
      "build/sysfuzz-$1.log" | tee "build/sysfuzz-$1.out"
    add_summary "qemu CPUS=$1" "build/sysfuzz-$1.out"
    if tr -d '\r' < "build/sysfuzz-$1.log" | grep -a 'pid [0-9]* ([^)]*): [a-z ]* at pc 0x'; then
      echo "check (sysfuzz, CPUS=$1): a process was killed for an instruction"
      add 0 1
    fi
  done
else
  echo "check: the fuzzer's image did not build"
  add 0 1
fi

# fs.img follows UPROGS_EXTRA (scripts/uprogs-list.sh); it ends as plain
# `make fs.img` builds it, which the console session below boots.
scripts/uprogs-list.sh | tee build/uprogs-list.out
add_summary uprogs-list build/uprogs-list.out

# Console input: a scripted session typed into the serial port, far longer
# than the console's buffer, must arrive whole (scripts/console-input.sh).
if $make kernel/kernel fs.img >/dev/null; then
  scripts/console-input.sh fs.img build/console-input.log | tee build/console-input.out
  add_summary console-input build/console-input.out
else
  echo "check: fs.img did not build"
  add 0 1
fi

echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
