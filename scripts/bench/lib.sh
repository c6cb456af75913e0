# shellcheck shell=bash
# Helpers shared by the benchmark scripts. Source it (bash, set -euo pipefail);
# it defines functions and variables only.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOAD_PID=
# What bench_raise_limits changed, "path original" per line, for bench_restore_limits.
BENCH_CHANGED_SYSCTLS=()
# Human-readable record of the limits checked and raised, for reports.
BENCH_LIMIT_NOTES=()

# bench_need CMD:PACKAGE...: installs the packages of the commands not on PATH
# (apt-get update first, once per run). Fails if one cannot be installed.
bench_need() {
  local spec missing=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null || missing+=("${spec#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bench: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${BENCH_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    BENCH_APT_UPDATED=1
  fi
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# bench_load_build DIR: compiles spawn-load.c into DIR/spawn-load.
bench_load_build() {
  cc -O2 -pthread -o "$1/spawn-load" "$BENCH_DIR/spawn-load.c"
}

# bench_load_start BIN [-t] N: starts N sleeping processes (-t: threads) in the
# background and returns once they all exist. Sets LOAD_PID.
bench_load_start() {
  local bin=$1 out
  shift
  out=$(mktemp)
  "$bin" "$@" >"$out" &
  LOAD_PID=$!
  # 10,000 forks take ~10 s on a small VM; two minutes means something is wrong.
  local deadline=$((SECONDS + 120))
  until grep -qx ready "$out"; do
    if ! kill -0 "$LOAD_PID" 2>/dev/null || ((SECONDS > deadline)); then
      echo "bench: spawn-load $* did not get ready" >&2
      bench_load_stop
      rm -f "$out"
      return 1
    fi
    sleep 0.1
  done
  rm -f "$out"
}

# bench_load_stop: stops the load (spawn-load kills and reaps its children on SIGTERM).
bench_load_stop() {
  [ -n "$LOAD_PID" ] || return 0
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" 2>/dev/null || true
  LOAD_PID=
}

# bench_raise_limits EXTRA_TASKS [MAPS_PER_PROCESS]: makes room for EXTRA_TASKS
# more tasks, as root: RLIMIT_NPROC for this shell and its children, and the
# system-wide pid_max and threads-max (restored by bench_restore_limits).
# MAPS_PER_PROCESS: the memory mappings one process will need (thread stacks).
bench_raise_limits() {
  local extra=$1 maps=${2:-0} now want
  now=$(cut -d/ -f2 /proc/loadavg | cut -d' ' -f1)
  # Twice the tasks we will have: pids are handed out round-robin, and fork
  # slows down when it must search a nearly full pid space.
  want=$((2 * (now + extra)))

  # fork enforces RLIMIT_NPROC on users other than uid 0 only; raise it anyway
  # (to the hard limit where "unlimited" is refused) so the note says where it stands.
  local nproc_before
  nproc_before=$(ulimit -u)
  if [ "$nproc_before" != unlimited ]; then
    ulimit -u unlimited 2>/dev/null || ulimit -u "$(ulimit -Hu)" 2>/dev/null || true
  fi
  if [ "$(ulimit -u)" != "$nproc_before" ]; then
    BENCH_LIMIT_NOTES+=("ulimit -u: $nproc_before -> $(ulimit -u) (this run only)")
  else
    BENCH_LIMIT_NOTES+=("ulimit -u: $nproc_before (cannot be raised here; uid 0 is exempt from it)")
  fi
  bench_raise_sysctl /proc/sys/kernel/pid_max "$want" 4194304
  bench_raise_sysctl /proc/sys/kernel/threads-max "$want" 4194304
  if [ "$maps" -gt 0 ]; then
    bench_raise_sysctl /proc/sys/vm/max_map_count $((maps + 1000)) 2147483647
  fi

  # A pids controller on our cgroup would refuse forks long before pid_max.
  local cg pids_max
  cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
  pids_max=$(cat "/sys/fs/cgroup$cg/pids.max" 2>/dev/null || echo max)
  if [ "$pids_max" != max ] && [ "$pids_max" -lt "$want" ]; then
    BENCH_LIMIT_NOTES+=("cgroup pids.max of $cg is $pids_max, below $want: the load may not start")
  fi
}

# bench_raise_sysctl PATH WANT CEILING: sets PATH to WANT (at most CEILING) if lower.
bench_raise_sysctl() {
  local path=$1 want=$2 ceiling=$3 before
  before=$(cat "$path")
  ((want > ceiling)) && want=$ceiling
  if ((before >= want)); then
    BENCH_LIMIT_NOTES+=("$(basename "$path"): $before (enough)")
  elif echo "$want" >"$path" 2>/dev/null; then
    BENCH_CHANGED_SYSCTLS+=("$path $before")
    BENCH_LIMIT_NOTES+=("$(basename "$path"): $before -> $want (restored at exit)")
  else
    BENCH_LIMIT_NOTES+=("$(basename "$path"): $before, below the $want wanted, and could not be raised")
  fi
}

# bench_restore_limits: puts back the sysctls bench_raise_limits changed.
bench_restore_limits() {
  local entry
  for entry in ${BENCH_CHANGED_SYSCTLS[@]+"${BENCH_CHANGED_SYSCTLS[@]}"}; do
    echo "${entry#* }" >"${entry%% *}" 2>/dev/null || true
  done
  BENCH_CHANGED_SYSCTLS=()
}

# bench_version CMD: the first line of CMD's version output ("not installed" without CMD).
bench_version() {
  local flag=--version
  [ "$(basename "$1")" = tmux ] && flag=-V
  if command -v "$1" >/dev/null; then
    # awk reads to the end: `head` would leave the writer a SIGPIPE, a failure under pipefail.
    "$1" "$flag" 2>&1 | awk 'NR == 1'
  else
    echo "not installed"
  fi
}

# bench_idle_check: warns when the machine is busy (1-minute load average
# of 0.5 or more per CPU, or over 1,000 tasks): its figures would be skewed.
bench_idle_check() {
  local load tasks
  read -r load _ _ tasks _ </proc/loadavg
  tasks=${tasks#*/}
  if awk -v l="$load" -v n="$(nproc)" -v t="$tasks" 'BEGIN { exit !(l >= 0.5 * n || t > 1000) }'; then
    echo "bench: WARNING: the machine is busy (load average $load on $(nproc) CPUs, $tasks tasks); the results will be skewed" >&2
  fi
}

# bench_machine COMMAND: "key: value" lines describing this machine, the tools
# compared and dist/bpftop, for the reports (DIR/machine.txt, read by
# report.ts). COMMAND: the command line that produces the results.
bench_machine() {
  local cpu_model commit tool
  cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | awk 'NR == 1')
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD -- src bpf 2>/dev/null || commit+=" with uncommitted changes to src/ or bpf/"
  echo "run: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: $1"
  echo "kernel: Linux $(uname -r) ($(uname -m))"
  echo "os: $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
  echo "cpu: ${cpu_model:-unknown}, $(nproc) CPUs online to this run"
  echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1024 / 1024 }' /proc/meminfo)"
  # Other work on the machine skews every figure: say how busy it was.
  echo "at start: load average $(cut -d' ' -f1-3 /proc/loadavg), $(cut -d/ -f2 /proc/loadavg | cut -d' ' -f1) tasks"
  echo "bpftop: $(dist/bpftop --version 2>/dev/null || echo unknown), dist/bpftop built $(date -u -r dist/bpftop '+%Y-%m-%d %H:%M UTC' 2>/dev/null || echo never), commit $commit"
  echo "bun: $(node_modules/.bin/bun --version 2>/dev/null || echo unknown)"
  for tool in htop btop ps ss strace hyperfine tmux gnuplot; do
    echo "$tool: $(bench_version "$tool")"
  done
}
