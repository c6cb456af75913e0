#!/usr/bin/env bash
# The whole benchmark, one command. As root, from anywhere in the repository:
#
#   scripts/bench/run.sh
#
# Installs what it needs with apt-get (btop, gnuplot-nox, htop, hyperfine,
# iproute2, procps, strace, tmux, gcc), builds dist/bpftop if missing, then
#   1. processes: bpftop vs htop vs btop vs ps at 100, 1,000, 5,000 and
#      10,000 extra sleeping processes, and at 20,000 extra threads
#      (process-lens.sh: in-process refresh time and phases, syscalls per
#      refresh (strace), CPU % and RSS of each TUI at a 1 s refresh in a
#      120x40 tmux pane, one-shot `bpftop snapshot --json` vs `ps -eo ...`);
#   2. connections: loopback TCP throughput without/with bpftop, and bpftop's
#      network refresh vs `ss -tunap` at 100, 1,000 and 10,000 sockets (net.ts);
#   3. events: exec rate and drops of the trace pipeline (events.ts);
#   4. plots (plot.sh, gnuplot) and summary.md (report.ts) from the CSVs.
# Takes about 30 minutes on 2 cores; run it on an otherwise idle machine (the
# CPU figures are shares of one core, and other sockets count in the
# connection figures). Results go to bench/results/:
#   summary.md                 machine, tables, plots, how to reproduce
#   process-lens.csv           one row per process level
#   net-refresh.csv            one row per socket count
#   net-throughput.csv         one row per write size
#   events.csv                 one row per generator count
#   *.png                      syscalls.png, cpu.png, collection-processes.png,
#                              collection-sockets.png
#   machine.txt, raw/          machine and tool versions; per-level details
#
# Options (the defaults make the published run):
#   --out DIR         write the results to DIR instead of bench/results
#   --levels L        extra processes per level (default "100 1000 5000 10000";
#                     space- or comma-separated; 0, no load, is a level too)
#   --threads N       the threads level (default 20000)
#   --no-threads      no threads level
#   --sockets S       socket counts (default "100 1000 10000")
#   --only PARTS      run only some of process,net,events (comma-separated);
#                     the plots and summary cover every CSV in DIR
#   --quick           a smoke test: short measurements everywhere, rough numbers
#   -h, --help        this text
# e.g. a smoke test in about 2 minutes:
#   scripts/bench/run.sh --out /tmp/bench --levels 100 --sockets 100 --no-threads --quick
set -euo pipefail
shopt -s inherit_errexit # $(...) fails as the script would
self=$(readlink -f "$0")
cd "$(dirname "$self")/../.."
# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh

out=bench/results
levels="100 1000 5000 10000"
threads=20000
sockets="100 1000 10000"
parts="process,net,events"
quick=0
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --levels) levels=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-threads) threads=0; shift ;;
    --sockets) sockets=$2; shift 2 ;;
    --only) parts=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//p}' "$self"; exit 0 ;;
    *) echo "run: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for part in ${parts//,/ }; do
  case $part in process | net | events) ;; *) echo "run: --only wants process, net or events, not \"$part\"" >&2; exit 2 ;; esac
done
[[ $threads =~ ^[0-9]+$ ]] || { echo "run: --threads wants a whole number" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run: needs root (BPF, strace -p, sysctls, apt-get)" >&2; exit 1; }
wants() { [[ ,$parts, == *,$1,* ]]; }

# Everything up front, so a missing package fails the run in its first minute.
bench_need strace:strace htop:htop btop:btop tmux:tmux ps:procps ss:iproute2 cc:gcc \
  hyperfine:hyperfine gnuplot:gnuplot-nox timeout:coreutils getconf:libc-bin
[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund
[ -x dist/bpftop ] || scripts/build.sh
bun=$PWD/node_modules/.bin/bun

bench_idle_check
mkdir -p "$out/raw"
# Tells process-lens.sh that this run describes the machine.
export BENCH_RUN=1
bench_machine "scripts/bench/run.sh${args[*]+ ${args[*]}}" >"$out/machine.txt"

# A part runs in the background and this shell waits for it: bash runs the
# INT/TERM traps only between foreground commands, and a background command
# ignores SIGINT, so the traps hand the signal on as SIGTERM (each part
# cleans up on it: load, tmux server, sysctls).
child=
stop() {
  [ -z "$child" ] || { kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; }
  exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM

# part NAME COMMAND...: runs one part, timed. A part that fails is reported
# and the run goes on: the others' results are worth having.
failed=()
part() {
  local name=$1 started=$SECONDS
  shift
  echo "run: $name: $*" >&2
  "$@" &
  child=$!
  if wait "$child"; then
    echo "run: $name done in $((SECONDS - started)) s" >&2
  else
    echo "run: $name FAILED (exit $?) after $((SECONDS - started)) s" >&2
    failed+=("$name")
  fi
  child=
}

started=$SECONDS
if wants process; then
  lens=(scripts/bench/process-lens.sh --out "$out" --levels "$levels")
  ((threads > 0)) && lens+=("--threads=$threads")
  ((quick)) && lens+=(--quick)
  part processes "${lens[@]}"
fi
if wants net; then
  net=("$bun" scripts/bench/net.ts --out "$out" --sockets "${sockets// /,}")
  ((quick)) && net+=(--runs 1 --seconds 1)
  part connections "${net[@]}"
fi
if wants events; then
  events=("$bun" scripts/bench/events.ts --out "$out")
  ((quick)) && events+=(--seconds 2)
  part events "${events[@]}"
fi
part plots scripts/bench/plot.sh "$out"
part summary "$bun" scripts/bench/report.ts "$out"
echo "run: everything in $((SECONDS - started)) s; see $out/summary.md" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "run: failed: ${failed[*]}" >&2
  exit 1
fi
