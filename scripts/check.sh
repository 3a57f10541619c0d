#!/usr/bin/env bash
# `make check`: the host unit tests of kernel/vm, a minute of the host
# fuzzer of kernel/vm (scripts/fuzz.sh), then the in-kernel suites
# headless at each CPU count in CHECK_CPUS (those also in VMCHECK_CPUS,
# default 3, with the VM's expensive checkers on), the system-call fuzzer
# for 60 s at CPUS=3 and at CPUS=4 with 512 MiB (CHECK_SYSFUZZ=0 skips
# it), one boot at MEM=64M with a swap disk (the paging suite), then quick
# checks: fs.img follows UPROGS_EXTRA (scripts/uprogs-list.sh), a
# scripted console session arrives whole (scripts/console-input.sh), and
# the labs' graders are proven (scripts/labcheck.py). Before all of them,
# the docs' references to files, targets and functions (scripts/docrefs.py).
# Counts tests (a vmstress run is one), lists every failed test with its
# file and the log to read, then prints one summary line "check: N passed,
# M failed" and exits non-zero on any failure. Quiet steps report progress
# (scripts/progress.sh).
#
# Time (the issue's limit is 15 minutes on 2 cores): everything is built
# first on every core; then steps that take a fixed time rather than a
# fixed amount of work run beside one that needs a core: the host fuzzer
# (60 s) beside the CPUS=1 boot, the labs' graders beside the fuzzer boots
# (each a fixed minute and a half).
set -u
cd "$(dirname "$0")/.."
mkdir -p build
make="${MAKE:-make} --no-print-directory"
passed=0 failed=0
failures=build/check-failures.txt
: > "$failures"

add() { passed=$((passed + $1)) failed=$((failed + $2)); }

# One line of the closing list of failures: what failed, in which file,
# and the log that tells why.
note() { printf '  %s\n' "$*" | cut -c1-220 >> "$failures"; }

# The failed Criterion tests of log $1: "[FAIL] suite::name: ...". The
# file is the one that defines Test(suite, name).
host_failures() {
  local suite name file
  sed 's/\x1b\[[0-9;]*m//g' "$1" | sed -n 's/^\[FAIL\] \([^:]*\)::\([^:]*\):.*/\1 \2/p' |
    sort -u | while read -r suite name; do
      file=$(grep -lE "^(Test|ParameterizedTest|Theory)\( *$suite *, *$name *[,)]" \
               tests-host/*.c tests-host/*/*.c 2>/dev/null | head -1)
      note "host $suite::$name  ${file:-tests-host/?}  (log: $1)"
    done
}

# The FAIL lines of an in-kernel boot's console log $2 (CPUS=$1), each
# under the suite whose "NAME: N passed, M failed" line follows it. The
# suites put the test's file in the line (user/lib/testlib.c).
suite_failures() {
  tr -d '\r' < "$2" | awk -v cpus="$1" -v logf="$2" '
    /^FAIL / { pend[n++] = substr($0, 6) }
    /^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed/ {
      s = $1; sub(/:$/, "", s)
      for (i = 0; i < n; i++)
        printf "CPUS=%s %s%s  (log: %s)\n", cpus,
               index(pend[i], s ":") == 1 ? "" : s " ", pend[i], logf
      n = 0
    }
    END { for (i = 0; i < n; i++) printf "CPUS=%s %s  (log: %s)\n", cpus, pend[i], logf }' |
    while read -r line; do note "$line"; done
  grep -h "^qemu-suite (CPUS=$1)" build/qemu-check.log 2>/dev/null |
    while read -r line; do note "$line (scripts/qemu-suite.sh; log: $2)"; done
}

# Add a script's closing line "NAME: N passed, M failed" from file OUT; a
# script that died before printing it counts as one failure.
add_summary() {
  local name=$1 out=$2 line script
  line=$(sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" "$out")
  if [ -n "$line" ]; then
    add $line
  else
    echo "check: $name printed no result"
    add 0 1
  fi
  if [ -z "$line" ] || [ "${line#* }" != 0 ]; then
    script=$(ls scripts/"$name".* 2>/dev/null | head -1)
    note "$name: $(grep -c "^FAIL\|^$name: [^0-9]" "$out") failed  (${script:-scripts/$name.sh}; log: $out)"
  fi
}

# docs/semantics.md: a process killed by a fault makes the kernel print one line
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
      note "CPUS=$cpus no console line \"pid N $want\"  (scripts/check.sh; log: $log)"
      add 0 1
    fi
  done
  # Every fault line ("... at 0xADDR"; not "illegal instruction at pc"),
  # whatever the suite, uses one of the two words.
  if tr -d '\r' < "$log" | grep '^pid [0-9]* (.* at 0x' |
     grep -vq ': \(segmentation fault\|bus error\) at 0x[0-9a-f]* (\(read\|write\|execute\))'; then
    echo "check (CPUS=$cpus): a fault line is not as docs/semantics.md says:"
    tr -d '\r' < "$log" | grep '^pid [0-9]* (.* at 0x' |
      grep -v ': \(segmentation fault\|bus error\) at 0x' | head -3
    note "CPUS=$cpus a fault line in other words  (scripts/check.sh; log: $log)"
    add 0 1
  else
    add 1 0
  fi
}

# The docs name only files, make targets and functions that exist
# (scripts/docrefs.py). First: it needs no build.
scripts/docrefs.py | tee build/docrefs.out
add_summary docrefs build/docrefs.out

# Build what the steps below run, on every core; each step then finds its
# part up to date. A part that does not build is reported by its step,
# which tries again alone. The tools first, one group at a time (a fresh
# machine installs them: two apt-gets at once would fight for its lock).
$make host-tools fuzz-tools cross-tools qemu-tools
$make -j"$(nproc 2>/dev/null || echo 2)" -k build/host/vmtests \
  build/sv39/sv39tests build/fuzz/vmfuzz kernel/kernel build/fs-check.img \
  build/fs-swap.img build/fs-baddisk.img build/fs-sysfuzz.img build/fs-crash.img \
  build/mkfs/fsck 2>&1 |
  tee build/check-build.log

# Host tests. Criterion's closing line: "Synthesis: Tested: T | Passing: P |
# Failing: F | Crashing: C".
$make test 2>&1 | tee build/host-test.log
host_status=${PIPESTATUS[0]}
# Several binaries (vmtests, sv39tests) each print one such line.
# Failing counts the crashed tests too (Crashing is a part of it).
while read -r p f _; do add "$p" "$f"; done < <(
  sed -n 's/.*Synthesis: Tested: [0-9]* | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2 \3/p' \
    build/host-test.log)
if [ "$host_status" != 0 ] && [ "$failed" = 0 ]; then
  echo "check: host tests did not build or run"
  note "host tests did not build or run  (log: build/host-test.log)"
  add 0 1
fi
host_failures build/host-test.log

# The set-up: the host tests need no RISC-V tools (scripts/tools-check.sh).
scripts/tools-check.sh 2>&1 | tee build/tools.out
add_summary tools build/tools.out

# The host fuzzer of kernel/vm for a minute (scripts/fuzz.sh; FUZZ_SECONDS
# changes it): a clean run counts as one test. It runs (niced) beside the
# first in-kernel boot, and reports after it.
FUZZ_SEED=${FUZZ_SEED:-1} $make fuzz SECONDS="${FUZZ_SECONDS:-60}" > build/fuzz.out 2>&1 &
fuzz_pid=$!

# In-kernel suites.
if [ -f user/autorun ]; then
  if $make kernel/kernel build/fs-check.img; then
    for cpus in ${CHECK_CPUS:-1 3}; do
      case " ${VMCHECK_CPUS-3} " in
        *" $cpus "*) export VMCHECK=1 ;;
        *) export VMCHECK=0 ;;
      esac
      scripts/qemu-suite.sh "$cpus" "${MEM:-128M}" build/fs-check.img "build/qemu-check-$cpus.log"
    done 2>&1 | tee build/qemu-check.log
    while read -r p f; do add "$p" "$f"; done < <(
      sed -n 's/^qemu CPUS=[0-9]*\( VMCHECK=[0-9]*\)\{0,1\}: \([0-9]*\) passed, \([0-9]*\) failed$/\2 \3/p' build/qemu-check.log)
    for cpus in ${CHECK_CPUS:-1 3}; do
      console_lines "build/qemu-check-$cpus.log" "$cpus"
      suite_failures "$cpus" "build/qemu-check-$cpus.log"
    done
  else
    echo "check: kernel or file system image did not build"
    note "kernel or file system image did not build  (run: make kernel/kernel build/fs-check.img)"
    add 0 1
  fi
fi

wait "$fuzz_pid"
cat build/fuzz.out
add_summary fuzz build/fuzz.out

# A boot at MEM=64M with 160 MiB of swap (more settings for qemu-suite.sh
# after the first four arguments) of build/fs-NAME.img: its suites, then
# one console line it must print (grep pattern LINE, shown as WHAT, printed
# by SOURCE), one test more. Logs: build/qemu-NAME.log and .out. QEMU has
# three harts and the kernel uses two (maxcpus=2): the third is parked
# (kernel/main.c) with every interrupt off, so work queued for it, or an
# IPI waited for, would hang the boot.
swap_boot() {
  local name=$1 line=$2 what=$3 source=$4 log=build/qemu-$1.log
  shift 4
  if ! $make kernel/kernel "build/fs-$name.img"; then
    echo "check: build/fs-$name.img did not build"
    add 0 1
    return
  fi
  env SWAP=160M MAXCPUS=2 "$@" scripts/qemu-suite.sh 3 64M "build/fs-$name.img" \
    "$log" | tee "build/qemu-$name.out"
  add_summary "qemu CPUS=3 MAXCPUS=2" "build/qemu-$name.out"
  suite_failures "$name" "$log"
  if tr -d '\r' < "$log" | grep -q "$line"; then
    add 1 0
  else
    echo "check ($name): no console line \"$what\""
    note "$name boot: no console line \"$what\"  ($source; log: $log)"
    add 0 1
  fi
}

# Paging: one boot running the paging suite (user/swaptests.c: 3 x RAM of
# anonymous memory, copy-on-write, mlock and MADV_FREE under pressure, the
# out-of-memory kill) and 20 s of vmstress, both with their leak checks.
# The kill must say so on the console (kernel/oom.c).
swap_boot swap '^out of memory: killed pid [0-9]* (swaptests)$' \
  "out of memory: killed pid N (swaptests)" kernel/oom.c

# A swap disk that fails every write (SWAP_FAIL=1: QEMU's blkdebug): no
# page is lost or counted as paged out, and a process writing 2 x RAM is
# killed for memory (swaptests baddisk, user/swaptests/t_bad.c); the
# kernel says so on the console (kernel/swap_dev.c).
swap_boot baddisk '^swap: write error at block' \
  "swap: write error at block N ..." kernel/swap_dev.c SWAP_FAIL=1

# A machine that dies while writing (scripts/crash-test.sh): QEMU killed
# at a random moment of user/fscrash's writes, then the same disk booted
# again; nothing a finished call wrote is lost, and a file cut short by the
# crash holds a prefix of what was written, never zeros in its place.
if $make kernel/kernel build/fs-crash.img; then
  scripts/crash-test.sh "${CRASH_ROUNDS:-4}" build/fs-crash.img build/crash-test.log |
    tee build/crash-test.out
  add_summary crash-test build/crash-test.out
else
  echo "check: the crash test's image did not build"
  add 0 1
fi

# The system-call fuzzer (user/sysfuzz.c), one minute per boot, then half
# a minute of vmstress: at CPUS=3 with 64 MiB and 160 MiB of swap (calls
# racing page-outs and page-ins: it found a fault that locked a freed
# object), and at CPUS=4 with 512 MiB and no swap (more harts racing, and
# a page cache that is seldom short).
# Each boot prints "qemu CPUS=N: P passed, F failed" (scripts/qemu-suite.sh).
# Victims die of the faults they provoke, but never execute a bad
# instruction: a kill line for one means a process ran from a page that
# was not its program's. CHECK_SYSFUZZ=0 skips them (a quicker run while
# working on something else).
# The labs' graders (see below) build and test for two minutes: they run
# beside the fuzzer boots, which take the same time whatever else runs,
# at the lowest priority, so that the fuzzer keeps most of the cores.
labcheck_pid=
if [ -d labs ]; then
  nice -n 19 scripts/labcheck.py > build/labcheck.out 2>&1 &
  labcheck_pid=$!
fi
if [ "${CHECK_SYSFUZZ:-1}" = 0 ]; then
  echo "check: sysfuzz boots skipped (CHECK_SYSFUZZ=0)"
elif $make kernel/kernel build/fs-sysfuzz.img; then
  for cfg in "3 64M 160M" "4 512M 0"; do
    set -- $cfg
    SWAP=$3 SUITE_TIMEOUT=420 scripts/qemu-suite.sh "$1" "$2" build/fs-sysfuzz.img \
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

# The course layer: every lab's grader fails the lab's student tree and
# passes the solution (scripts/labcheck.py, started above, after the build
# it copies into the student trees).
if [ -n "$labcheck_pid" ]; then
  wait "$labcheck_pid"
  cat build/labcheck.out
  add_summary labcheck build/labcheck.out
fi

# fs.img follows UPROGS_EXTRA (scripts/uprogs-list.sh); it ends as plain
# `make fs.img` builds it, which the console session below boots.
scripts/progress.sh "check: uprogs-list" scripts/uprogs-list.sh | tee build/uprogs-list.out
add_summary uprogs-list build/uprogs-list.out

# Console input: a scripted session typed into the serial port, far longer
# than the console's buffer, must arrive whole (scripts/console-input.sh).
if $make kernel/kernel fs.img >/dev/null; then
  scripts/progress.sh "check: console-input" scripts/console-input.sh fs.img build/console-input.log |
    tee build/console-input.out
  add_summary console-input build/console-input.out
else
  echo "check: fs.img did not build"
  note "fs.img did not build  (run: make fs.img)"
  add 0 1
fi

if [ -s "$failures" ]; then
  echo "check: what failed, its file, and the log that says why:"
  cat "$failures"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
