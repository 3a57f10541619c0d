#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make check`'s test of the set-up (scripts/tools.mk, scripts/deps.sh):
# on a PATH without the RISC-V tools, where apt-get, dpkg and sudo only
# note that they were called,
#   - the host tests build and run (the targets are up to date after
#     `make test`, so this is quick) and nothing is installed;
#   - a kernel build with NO_DEPS=1 stops with one sentence naming the
#     cross compiler, not make's "Error 127";
#   - `make deps-host` asks apt for build-essential and libcriterion-dev
#     only.
# Prints "tools: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/tools-check.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin"
passed=0 failed=0
ok()   { echo "PASS tools.$1"; passed=$((passed + 1)); }
fail() { echo "FAIL tools.$1: $2"; failed=$((failed + 1)); }

# Every command on PATH but the RISC-V ones, first found first.
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  for f in "$d"/*; do
    n=${f##*/}
    case $n in riscv64-*|qemu-system-*|apt-get|apt-cache|dpkg-query|sudo) continue ;; esac
    [ -x "$f" ] && [ ! -e "$dir/bin/$n" ] && ln -s "$f" "$dir/bin/$n"
  done
done
# Package tools that log and pretend nothing is installed.
for n in apt-get dpkg-query sudo; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$n" "$dir" > "$dir/bin/$n"
  [ $n = dpkg-query ] && echo 'exit 1' >> "$dir/bin/$n"
  chmod +x "$dir/bin/$n"
done
printf '#!/bin/sh\nprintf "%%s:\\n  Candidate: 1.0\\n" "$1"\n' > "$dir/bin/apt-cache"
chmod +x "$dir/bin/apt-cache"
run() { env -u TOOLPREFIX PATH="$dir/bin" OPENSBI=/nonexistent make --no-print-directory "$@"; }

if run build/host/vmtests build/sv39/sv39tests > "$dir/out" 2>&1 && [ ! -e "$dir/calls" ]; then
  ok host_without_cross
else
  fail host_without_cross "$(tail -3 "$dir/out"; cat "$dir/calls" 2>/dev/null)"
fi

run NO_DEPS=1 B="$dir/b" kernel > "$dir/out" 2>&1
status=$?
if [ $status != 0 ] && grep -q '^make: the RISC-V cross compiler .* is missing' "$dir/out" &&
   ! grep -q 'Error 127' "$dir/out" && [ ! -e "$dir/calls" ]; then
  ok missing_cross_says_so
else
  fail missing_cross_says_so "status $status: $(head -3 "$dir/out")"
fi

rm -f "$dir/calls"
run deps-host > "$dir/out" 2>&1
if grep -q 'apt-get .*install.* build-essential libcriterion-dev$' "$dir/calls" 2>/dev/null; then
  ok deps_host_packages
else
  fail deps_host_packages "$(cat "$dir/calls" "$dir/out" 2>/dev/null | tail -3)"
fi

echo "tools: $passed passed, $failed failed"
[ $failed = 0 ]
