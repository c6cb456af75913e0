#!/usr/bin/env bash
# Runs a command with N extra sleeping processes (or, with -t, N threads) alive:
#   scripts/bench/with-load.sh [-t] N -- COMMAND...
# e.g. scripts/bench/with-load.sh 10000 -- node_modules/.bin/bun scripts/bench/refresh.ts
# The load is gone when this script exits, however it exits.
set -euo pipefail
# shellcheck source=scripts/bench/lib.sh
source "$(dirname "$0")/lib.sh"

load_args=()
[ "${1:-}" = -t ] && { load_args+=(-t); shift; }
if [ $# -lt 3 ] || [ "$2" != -- ]; then
  echo "usage: with-load.sh [-t] N -- COMMAND..." >&2
  exit 2
fi
load_args+=("$1")
shift 2

bench_need cc:gcc
tmp=$(mktemp -d)
trap 'bench_load_stop; bench_restore_limits; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_load_build "$tmp"
maps=0
[ "${load_args[0]}" = -t ] && maps=$((2 * load_args[1])) # a stack and its guard page per thread
bench_raise_limits "${load_args[-1]}" "$maps"
printf 'with-load: %s\n' "${BENCH_LIMIT_NOTES[@]}" >&2
bench_load_start "$tmp/spawn-load" "${load_args[@]}"
"$@"
