#!/usr/bin/env bash
# The whole test suite: installs what the tests need (Debian packages, the npm
# dependencies), builds dist/bpftop, then runs `bun test`. Extra arguments go
# to bun test (e.g. a path or -t PATTERN). A JUnit report lands in
# build/junit.xml for .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cc >/dev/null || need+=(gcc)
command -v clang >/dev/null || need+=(clang)
command -v llvm-strip >/dev/null || need+=(llvm)
command -v bpftool >/dev/null || need+=(bpftool)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v tmux >/dev/null || need+=(tmux)
command -v pkill >/dev/null || need+=(procps)
command -v setpriv >/dev/null || need+=(util-linux)
command -v nix-instantiate >/dev/null || need+=(nix-bin)
command -v setcap >/dev/null || need+=(libcap2-bin) # test/packaging: the capability install
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund

scripts/build.sh
mkdir -p build
exec node_modules/.bin/bun test --reporter=junit --reporter-outfile=build/junit.xml "$@"
