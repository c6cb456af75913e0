#!/usr/bin/env bash
# Rebuild the committed CO-RE object bpf/bpftop.bpf.o from bpf/bpftop.bpf.c.
#   scripts/build-bpf.sh            rebuild bpf/bpftop.bpf.o in place
#   scripts/build-bpf.sh --check    rebuild into a temporary file and fail if it
#                                   differs from the committed object
# Installs clang, llvm, bpftool and libbpf-dev from apt when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v clang >/dev/null || need+=(clang)
command -v llvm-strip >/dev/null || need+=(llvm)
command -v bpftool >/dev/null || need+=(bpftool)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "build-bpf: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi

out=bpf/bpftop.bpf.o
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -fdebug-prefix-map keeps the build directory out of the object, so a fresh
# clone anywhere produces the same bytes. bpftool gen object drops DWARF but
# keeps the BTF that CO-RE needs.
clang -g -O2 -target bpf -Wall -Werror \
  -fdebug-prefix-map="$PWD"=. -fno-ident \
  -I bpf -I "/usr/include/$(uname -m)-linux-gnu" \
  -c bpf/bpftop.bpf.c -o "$tmp/bpftop.full.o"
bpftool gen object "$tmp/bpftop.bpf.o" "$tmp/bpftop.full.o"

if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$tmp/bpftop.bpf.o" "$out"; then
    echo "build-bpf: $out does not match bpf/bpftop.bpf.c; run scripts/build-bpf.sh and commit the object" >&2
    exit 1
  fi
  echo "build-bpf: $out matches its source"
else
  cp "$tmp/bpftop.bpf.o" "$out"
  echo "build-bpf: wrote $out ($(stat -c %s "$out") bytes)"
fi
