#!/usr/bin/env bash
# fs.img follows UPROGS_EXTRA (mkfs/mkfs.mk's FS_LIST): a program added to
# the list is in the image, a dropped one is gone, also when its binary is
# older than the image. Run by `make check`; leaves fs.img as a plain
# `make fs.img` builds it. Prints "uprogs-list: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
make="${MAKE:-make} --no-print-directory"
dir=build/uprogs-list
probe=$dir/fsprobe.c
passed=0 failed=0

mkdir -p "$dir"
[ -f "$probe" ] || echo 'int main(void) { return 0; }' > "$probe"

# build EXTRA WANT WHAT: make fs.img with UPROGS_EXTRA=EXTRA; the probe
# must be in the image iff WANT is 1. mkfs writes a fresh image, so its
# name (a directory entry) is in it only if the file is.
build() {
  local have=0
  if ! $make fs.img UPROGS_EXTRA="$1" > "$dir/make.log" 2>&1; then
    echo "uprogs-list: make fs.img UPROGS_EXTRA='$1' failed"
    failed=$((failed + 1))
    return
  fi
  grep -aq fsprobe fs.img && have=1
  if [ "$have" = "$2" ]; then
    passed=$((passed + 1))
  else
    echo "uprogs-list: $3"
    failed=$((failed + 1))
  fi
}

build "$probe" 1 "a program added to UPROGS_EXTRA is not in fs.img"
build "" 0 "a program dropped from UPROGS_EXTRA stays in fs.img"
build "$probe" 1 "a program added back (binary older than fs.img) is missing"
build "" 0 "a program dropped again stays in fs.img"
echo "uprogs-list: $passed passed, $failed failed"
[ "$failed" = 0 ]
