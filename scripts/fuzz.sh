#!/usr/bin/env bash
# `make fuzz`: run the host fuzzer of kernel/vm (tests-host/fuzz) for a
# number of seconds, starting from a copy of the seed corpus.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS
#
# libFuzzer stops at the first crash and leaves the input in
# BUILD_DIR/crash-*; replay it with `BUILD_DIR/vmfuzz FILE` (add
# VMFUZZ_TRACE=1 to see each operation). Prints the closing line
# "fuzz: N passed, M failed" that scripts/check.sh counts: a clean run is
# 1 passed. The log is BUILD_DIR/fuzz.log.
set -u
b=$1 seconds=$2
bin=$b/vmfuzz corpus=$b/corpus log=$b/fuzz.log
mkdir -p "$corpus"
cp tests-host/fuzz/corpus/* "$corpus"/
rm -f "$b"/crash-* "$b"/leak-* "$b"/timeout-* "$b"/oom-*
# -max_len: a few hundred operations are plenty for a 32-page window;
# -timeout: one input runs in milliseconds, a second means it hangs.
# FUZZ_SEED: libFuzzer's seed (0, the default, picks one); make check
# fixes it so that its run is the same sequence every time.
nice "$bin" -seed="${FUZZ_SEED:-0}" -max_total_time="$seconds" -max_len=1024 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$b/" \
  "$corpus" > "$log" 2>&1
status=$?
grep -E '^#[0-9]+.*(DONE|pulse)|^stat::(number_of_executed_units|peak_rss)' "$log" | tail -3
if [ "$status" = 0 ]; then
  echo "fuzz: 1 passed, 0 failed"
else
  grep -E 'panic:|ERROR:|SUMMARY:' "$log" | head -5
  ls "$b"/crash-* "$b"/leak-* "$b"/timeout-* "$b"/oom-* 2>/dev/null
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi
