#!/bin/sh
# SPDX-License-Identifier: MIT
# The tools each make target needs, and how to get them on Debian 12 and
# 13 and Ubuntu 24.04 (README.md, "Setting up").
#
#   scripts/deps.sh install GROUP...   install what GROUP needs (apt-get)
#   scripts/deps.sh need GROUP...      nothing if GROUP's tools are here;
#                                      else install them, or say in one
#                                      sentence what is missing and fail
#
# Groups: host (cc, make, Criterion: `make test`), cross (the RISC-V
# compiler), qemu (qemu-system-riscv64 and OpenSBI), gdb, coverage (gcovr),
# python (bench, compdb), fuzz (clang and libFuzzer: `make fuzz`);
# kernel = cross + qemu; all = every group.
# A group's packages differ between releases, so each is a list of
# alternatives "a|b", of which the first that apt knows is installed: the
# RISC-V QEMU is package qemu-system-riscv on Debian 13 but part of
# qemu-system-misc before. The Makefile passes HOSTCC, TOOLPREFIX (the
# cross compiler's prefix it found) and OPENSBI in the environment.
set -u
HOSTCC=${HOSTCC:-cc}
TOOLPREFIX=${TOOLPREFIX:-riscv64-unknown-elf-}
OPENSBI=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
CROSS_PREFIXES="riscv64-unknown-elf- riscv64-linux-gnu- riscv64-unknown-linux-gnu-"

# The packages of a group, alternatives joined by '|'.
packages() {
  case $1 in
  host)     echo "build-essential libcriterion-dev" ;;
  cross)    echo "gcc-riscv64-unknown-elf|gcc-riscv64-linux-gnu" ;;
  qemu)     echo "qemu-system-riscv|qemu-system-misc opensbi" ;;
  gdb)      echo "gdb-multiarch" ;;
  coverage) echo "gcovr" ;;
  python)   echo "python3" ;;
  fuzz)     echo "clang libclang-rt-dev" ;;
  esac
}

# What of group $1 is missing, as a phrase for a sentence; empty if nothing.
missing() {
  case $1 in
  host)
    command -v "$HOSTCC" >/dev/null 2>&1 || { echo "a C compiler ($HOSTCC)"; return; }
    command -v make >/dev/null 2>&1 || { echo "make"; return; }
    echo '#include <criterion/criterion.h>' | "$HOSTCC" -E -x c - >/dev/null 2>&1 ||
      echo "the Criterion test library (criterion/criterion.h)" ;;
  cross)
    command -v "${TOOLPREFIX}gcc" >/dev/null 2>&1 && return
    case " $CROSS_PREFIXES " in
    *" $TOOLPREFIX "*) echo "the RISC-V cross compiler (riscv64-unknown-elf-gcc or riscv64-linux-gnu-gcc)" ;;
    *) echo "the RISC-V cross compiler ${TOOLPREFIX}gcc (TOOLPREFIX)" ;;
    esac ;;
  qemu)
    command -v qemu-system-riscv64 >/dev/null 2>&1 || { echo "qemu-system-riscv64"; return; }
    [ -f "$OPENSBI" ] || echo "the OpenSBI firmware ($OPENSBI)" ;;
  gdb)      command -v gdb-multiarch >/dev/null 2>&1 || echo "gdb-multiarch" ;;
  coverage) command -v gcovr >/dev/null 2>&1 || echo "gcovr" ;;
  python)   command -v python3 >/dev/null 2>&1 || echo "python3" ;;
  fuzz)
    command -v clang >/dev/null 2>&1 || { echo "clang"; return; }
    echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
      clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 ||
      echo "libFuzzer for clang (libclang-rt-dev)" ;;
  esac
}

expand() {
  for g in "$@"; do
    case $g in
    kernel) echo cross qemu ;;
    all)    echo host cross qemu gdb coverage python fuzz ;;
    host|cross|qemu|gdb|coverage|python|fuzz) echo "$g" ;;
    *) echo "deps: no group '$g' (host cross qemu gdb coverage python fuzz kernel all)" >&2
       exit 2 ;;
    esac
  done
}

installed() {
  dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'
}

# Is one of the alternatives "a|b|..." installed?
have_one() {
  for p in $(echo "$1" | tr '|' ' '); do installed "$p" && return 0; done
  return 1
}

# Does apt have a version of package $1 to install?
known() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

# The first alternative of "a|b|..." that apt knows; empty if none.
choose() {
  for p in $(echo "$1" | tr '|' ' '); do known "$p" && { echo "$p"; return; }; done
}

do_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: this is not a Debian or Ubuntu system; install the packages for: $*" >&2
    return 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  want=""
  for g in "$@"; do want="$want $(packages "$g")"; done
  todo=""
  for alts in $want; do
    have_one "$alts" || todo="$todo $alts"
  done
  [ -z "$todo" ] && return 0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  pkgs=""
  for alts in $todo; do
    p=$(choose "$alts")
    if [ -z "$p" ]; then
      echo "deps: apt knows none of the packages $(echo "$alts" | sed 's/|/, /g')" >&2
      return 1
    fi
    pkgs="$pkgs $p"
  done
  echo "deps: installing$pkgs"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends $pkgs
}

# The prefix under which a cross compiler is installed now, if any.
found_prefix() {
  for p in $CROSS_PREFIXES; do
    command -v "${p}gcc" >/dev/null 2>&1 && { echo "$p"; return; }
  done
}

do_need() {
  lack=""
  for g in "$@"; do [ -n "$(missing "$g")" ] && lack="$lack $g"; done
  [ -z "$lack" ] && return 0
  if [ -z "${NO_DEPS:-}" ]; then
    echo "deps: installing the tools for:$lack" >&2
    do_install $lack >&2
  fi
  for g in $lack; do
    what=$(missing "$g")
    [ -z "$what" ] && continue
    p=$(found_prefix)
    if [ "$g" = cross ] && [ -n "$p" ]; then
      echo "make: the RISC-V cross compiler is ${p}gcc, not ${TOOLPREFIX}gcc: run make again, or set TOOLPREFIX=$p." >&2
    else
      echo "make: $what is missing: \`make deps-$g\` installs it on Debian or Ubuntu (README.md, Setting up)." >&2
    fi
    return 1
  done
}

case ${1:-} in
install) shift; groups=$(expand "$@") || exit 2; do_install $groups ;;
need)    shift; groups=$(expand "$@") || exit 2; do_need $groups ;;
*) echo "usage: scripts/deps.sh install|need GROUP..." >&2; exit 2 ;;
esac
