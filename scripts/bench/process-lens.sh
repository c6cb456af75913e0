#!/usr/bin/env bash
# Process-lens benchmark: bpftop against htop, btop and ps with 100, 1,000,
# 5,000 and 10,000 extra sleeping processes (and, with --threads, 20,000 extra
# threads in one process). Part of scripts/bench/run.sh; runs alone too.
#
#   scripts/bench/process-lens.sh [--levels "100 1000 5000 10000"] [--threads[=N]]
#                                 [--quick] [--out DIR]
#
#   --levels L    extra processes per level, space- or comma-separated; 0 (no
#                 load) is a level too
#   --threads     one more level with 20,000 extra threads (--threads=N: N)
#   --quick       a smoke test: 3 traced refreshes, 5 s of CPU, 30 in-process
#                 refreshes, 3 hyperfine runs (numbers are rough)
#   --out DIR     where the results go (default bench/results)
#
# Per level it measures
#   refresh_ms       median (and p95) in-process refresh, scripts/bench/refresh.ts
#   syscalls         syscalls per refresh of the running TUI (strace -f, all threads)
#   cpu              CPU of the running TUI at a 1 s refresh, % of one core
#   rss              VmRSS of the running TUI
#   one-shot         `bpftop snapshot --json --interval 10` against `ps -eo ...` (hyperfine medians)
# bpftop, htop and btop run one after the other, never side by side, each in
# a detached 120x40 tmux session. Writes DIR/process-lens.csv, the raw
# syscall counts, refresh phases and hyperfine output under DIR/raw/, and
# DIR/summary.md (scripts/bench/report.ts) after each level. Needs root; takes
# 4 to 6 minutes a level on 2 cores (each TUI runs 45 s before its CPU is sampled), about 25
# minutes for the default levels and --threads; under a minute a level with --quick.
set -euo pipefail
shopt -s inherit_errexit # $(...) fails as the script would
self=$(readlink -f "$0")
cd "$(dirname "$self")/../.."
# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh

levels="100 1000 5000 10000"
threads_level=0 # 0: no threads level
quick=0
results=bench/results
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --levels) levels=${2//,/ }; shift 2 ;;
    --threads) threads_level=20000; shift ;;
    --threads=*) threads_level=${1#--threads=}; shift ;;
    --quick) quick=1; shift ;;
    --out) results=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//p}' "$self"; exit 0 ;;
    *) echo "process-lens: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in $levels $threads_level; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "process-lens: levels and --threads want whole numbers, not \"$n\"" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "process-lens: needs root (BPF, strace -p, sysctls)" >&2; exit 1; }

readonly DELAY_MS=1000  # TUI refresh period: bpftop -d 1000, htop -d 10 (tenths of a second), btop update_ms 1000
readonly SETTLE_S=3     # after start: the TUIs read every cmdline on their first refresh
readonly COLS=120 ROWS=40
readonly PS_CMD="ps -eo pid,ppid,user,stat,pcpu,rss,vsz,etime,args"
if ((quick)); then
  readonly TRACED_REFRESHES=3 TRACE_CAP_S=20 CPU_S=5 CPU_FROM_S=10 REFRESHES=30 ONESHOT_RUNS=3
else
  readonly TRACED_REFRESHES=10
  readonly TRACE_CAP_S=60 # traced, htop refreshes every ~10 s at 10,000 processes, every 30+ s at 20,000 threads
  readonly CPU_S=30
  # CPU is sampled from this long after start: a TUI's steady state, not its
  # start-up (bpftop's JavaScript is still being JIT-compiled in its first ~30 s).
  readonly CPU_FROM_S=45
  readonly REFRESHES=200  # refresh.ts sample count
  readonly ONESHOT_RUNS=10
fi
raw=$results/raw

bench_need strace:strace htop:htop btop:btop tmux:tmux ps:procps cc:gcc timeout:coreutils getconf:libc-bin
# hyperfine is optional: without it the one-shot commands are timed by bash.
bench_need hyperfine:hyperfine 2>/dev/null || echo "process-lens: no hyperfine; timing one-shot commands with bash" >&2
[ -x dist/bpftop ] || scripts/build.sh
bun=$PWD/node_modules/.bin/bun
clk_tck=$(getconf CLK_TCK)

tmp=$(mktemp -d)
# A private tmux server (own socket, no config file), so cleanup can kill it whole.
tmux_cmd=(tmux -L "bpftop-bench-$$" -f /dev/null)
cleanup() {
  # What `interruptible` left running (a sleep, strace, hyperfine, refresh.ts).
  # shellcheck disable=SC2046 # one pid per word
  kill $(jobs -p) 2>/dev/null || true
  "${tmux_cmd[@]}" kill-server 2>/dev/null || true
  bench_load_stop
  bench_restore_limits
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Every level measures this one copy, even if dist/bpftop is rebuilt meanwhile.
bpftop_bin=$tmp/bpftop
cp dist/bpftop "$bpftop_bin"
snapshot_cmd="$bpftop_bin snapshot --json --interval 10"

# --- measurements ---
# The long steps run in this shell, not in $(...), and wait through
# `interruptible`: bash runs the INT/TERM traps only between foreground
# commands, so a 60 s step in $(...) would hold off the cleanup that long.

# interruptible COMMAND...: runs COMMAND; a signal to this script cuts the wait short.
interruptible() {
  "$@" &
  wait $!
}

# tui_start NAME COMMAND: runs COMMAND in a detached COLSxROWS tmux session; prints its pid.
tui_start() {
  # exec, so the pane's pid is the TUI's, not a shell's. A private HOME keeps
  # htop's and btop's saved configurations out of the measurement.
  "${tmux_cmd[@]}" new-session -d -s "$1" -x "$COLS" -y "$ROWS" "exec env HOME=$tmp/home $2"
  "${tmux_cmd[@]}" list-panes -t "$1" -F '#{pane_pid}'
}

# syscalls_per_refresh PID MARKER NAME: traces every thread of PID until
# TRACED_REFRESHES refreshes have completed (or TRACE_CAP_S passed) and sets
# `syscalls` to the syscalls made per complete refresh; the per-syscall breakdown goes to
# $raw/syscalls-NAME.txt. MARKER is a syscall the TUI makes once per refresh:
# counting from its first to its last occurrence covers whole refreshes only.
# (strace -c over a fixed 10 s divided by 10 undercounts a TUI that ptrace
# slows below its refresh rate: htop at 10,000 processes manages ~1 refresh in
# 10 s while traced.)
syscalls_per_refresh() {
  local pid=$1 marker=$2 name=$3 trace=$tmp/trace.txt strace_pid seen forks
  # Processes started meanwhile (by anyone) cost each TUI a cmdline read or more; count them.
  forks=$(forks_since_boot)
  strace -f -q -p "$pid" -o "$trace" &
  strace_pid=$!
  local deadline=$((SECONDS + TRACE_CAP_S))
  # Few checks, and the first only once the refreshes should be done: every
  # check starts processes (sleep, grep), and a TUI reads each new process's
  # cmdline, which would add to the count being measured.
  interruptible sleep $(((TRACED_REFRESHES + 1) * DELAY_MS / 1000 + 1))
  while seen=$(grep -cF "$marker" "$trace" || true); ((seen <= TRACED_REFRESHES && SECONDS < deadline)); do
    interruptible sleep 5
  done
  # SIGINT makes strace detach cleanly, leaving the TUI running.
  kill -INT "$strace_pid" 2>/dev/null || true # gone already if the TUI died
  wait "$strace_pid" || true
  forks=$(($(forks_since_boot) - forks))

  # Lines look like "PID name(args) = ret"; a call cut by another thread's is
  # "PID name(args <unfinished ...>" then "PID <... name resumed> ...": count the first.
  syscalls=$(awk -v marker="$marker" -v out="$raw/syscalls-$name.txt" -v forks="$forks" '
    index($0, marker) { if (refreshes++ == 0) counting = 1; else { total += pending; for (c in p) n[c] += p[c] }; pending = 0; delete p }
    counting && $2 ~ /^[a-z_0-9]+\(/ { c = $2; sub(/\(.*/, "", c); p[c]++; pending++ }
    END {
      if (refreshes < 2) { print "n/a"; print "fewer than two refreshes traced" > out; exit }
      done = refreshes - 1
      printf "%d syscalls per refresh over %d refreshes (all threads); %d processes started on the machine meanwhile (this script included)\n", total / done + 0.5, done, forks > out
      close(out)
      for (c in n) printf "%10.1f %s\n", n[c] / done, c | "sort -rn >> " out
      printf "%.0f", total / done
    }' "$trace")
  rm -f "$trace"
}

# forks_since_boot: the "processes" counter of /proc/stat (read without starting a process).
forks_since_boot() {
  local key value
  while read -r key value _; do
    [ "$key" = processes ] && { echo "$value"; return; }
  done </proc/stat
}

# cpu_ticks PID: utime + stime of PID, in clock ticks (fields 14 and 15 of
# /proc/PID/stat; counted after the ") " that ends comm, which may hold spaces).
cpu_ticks() {
  local stat fields
  stat=$(<"/proc/$1/stat")
  read -r -a fields <<<"${stat##*) }"
  echo $((fields[11] + fields[12]))
}

# cpu_percent PID: sets `cpu` to the CPU use of PID over CPU_S seconds, % of one core.
cpu_percent() {
  local t0 c0 t1 c1
  t0=$EPOCHREALTIME c0=$(cpu_ticks "$1")
  interruptible sleep "$CPU_S"
  t1=$EPOCHREALTIME c1=$(cpu_ticks "$1")
  cpu=$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", 100 * d / hz / (t1 - t0) }')
}

rss_mib() {
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# measure_tui NAME COMMAND MARKER: runs COMMAND in tmux and sets `syscalls`
# (per refresh; MARKER: see syscalls_per_refresh), `cpu` (%) and `rss` (MiB).
measure_tui() {
  local name=$1 pid started=$SECONDS
  pid=$(tui_start "$name" "$2")
  interruptible sleep "$SETTLE_S"
  kill -0 "$pid" 2>/dev/null || { echo "process-lens: $2 exited early" >&2; return 1; }
  syscalls_per_refresh "$pid" "$3" "$name"
  interruptible sleep 1 # let the tracer's detach settle before sampling CPU
  local warm=$((started + CPU_FROM_S - SECONDS))
  ((warm > 0)) && interruptible sleep "$warm"
  cpu_percent "$pid"
  rss=$(rss_mib "$pid")
  "${tmux_cmd[@]}" kill-session -t "$name"
  # The next measurement must not share the CPU with this TUI's exit.
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# btop_config: btop's configuration in the private HOME: its defaults (it
# fills in what the file leaves out) but the refresh period. btop rewrites
# the file, whole, when it exits.
btop_config() {
  mkdir -p "$tmp/home/.config/btop"
  echo "update_ms = $DELAY_MS" >"$tmp/home/.config/btop/btop.conf"
}

# one_shot_ms TAG: sets `snapshot_ms` and `ps_ms`, the median wall time of each command.
one_shot_ms() {
  if command -v hyperfine >/dev/null; then
    interruptible hyperfine --warmup 2 --runs "$ONESHOT_RUNS" --style none --export-json "$raw/oneshot-$1.json" --export-csv "$tmp/oneshot.csv" \
      -n snapshot "$snapshot_cmd > /dev/null" -n ps "$PS_CMD > /dev/null" >/dev/null
    # CSV columns: command,mean,stddev,median,... in seconds.
    snapshot_ms=$(awk -F, '$1 == "snapshot" { printf "%.1f", $4 * 1000 }' "$tmp/oneshot.csv")
    ps_ms=$(awk -F, '$1 == "ps" { printf "%.1f", $4 * 1000 }' "$tmp/oneshot.csv")
  else
    snapshot_ms=$(bash_median_ms "$snapshot_cmd")
    ps_ms=$(bash_median_ms "$PS_CMD")
  fi
}

# bash_median_ms COMMAND: hyperfine's fallback; 2 warm-up runs, median of ONESHOT_RUNS.
bash_median_ms() {
  local t0 times=()
  for _ in 1 2; do $1 >/dev/null; done
  for _ in $(seq "$ONESHOT_RUNS"); do
    t0=$EPOCHREALTIME
    $1 >/dev/null
    times+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a) * 1000 }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); printf "%.1f", NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

# json FILE EXPR: evaluates EXPR on the JSON in FILE (as `j`).
json() {
  "$bun" -e "const j = JSON.parse(require('fs').readFileSync('$1', 'utf8')); console.log($2)"
}

# --- run ---

mkdir -p "$results" "$raw" "$tmp/home"
# run.sh checks the machine and describes it for the whole run; alone, this script does.
if [ -z "${BENCH_RUN:-}" ]; then
  bench_idle_check
  bench_machine "scripts/bench/process-lens.sh${args[*]+ ${args[*]}}" >"$results/machine.txt"
fi
bench_load_build "$tmp"

max_extra=0
for n in $levels; do ((n > max_extra)) && max_extra=$n; done
maps=0
if ((threads_level > 0)); then
  ((threads_level > max_extra)) && max_extra=$threads_level
  maps=$((2 * threads_level)) # a stack and its guard page per thread
fi
bench_raise_limits "$max_extra" "$maps"
printf 'process-lens: %s\n' "${BENCH_LIMIT_NOTES[@]}" >&2
printf '%s\n' "${BENCH_LIMIT_NOTES[@]}" >"$raw/limits.txt"
# How this run measured, for the notes under the table (report.ts).
cat >"$raw/process-lens-settings.txt" <<EOF
delay_ms: $DELAY_MS
settle_s: $SETTLE_S
traced_refreshes: $TRACED_REFRESHES
trace_cap_s: $TRACE_CAP_S
cpu_s: $CPU_S
cpu_from_s: $CPU_FROM_S
refreshes: $REFRESHES
oneshot_runs: $ONESHOT_RUNS
terminal: ${COLS}x${ROWS}
ps_cmd: $PS_CMD
quick: $quick
EOF

csv=$results/process-lens.csv
echo "level,extra_processes,extra_threads,tasks,processes,refresh_median_ms,refresh_p95_ms,tasks_median_ms,store_median_ms,view_flat_median_ms,view_tree_median_ms,bpftop_syscalls_per_refresh,htop_syscalls_per_refresh,btop_syscalls_per_refresh,bpftop_cpu_pct,htop_cpu_pct,btop_cpu_pct,bpftop_rss_mib,htop_rss_mib,btop_rss_mib,snapshot_ms,ps_ms" >"$csv"

run_level() { # LABEL EXTRA_PROCESSES EXTRA_THREADS
  local label=$1 procs=$2 threads=$3 started=$SECONDS
  echo "process-lens: level $label" >&2
  if ((threads > 0)); then
    bench_load_start "$tmp/spawn-load" -t "$threads"
  elif ((procs > 0)); then
    bench_load_start "$tmp/spawn-load" "$procs"
  fi

  local r=$raw/refresh-$label.json refresh
  interruptible "$bun" scripts/bench/refresh.ts --json --refreshes "$REFRESHES" >"$r"
  # tasks,processes,total median,total p95,then the medians of the phases
  refresh=$(json "$r" '[j.tasks, j.processes, ...[j.ms.total.median, j.ms.total.p95, j.ms.tasks.median, j.ms.store.median, j.ms.viewFlat.median, j.ms.viewTree.median].map((v) => v.toFixed(3))].join(",")')

  # Once-per-refresh syscalls: bpftop preads /proc/stat (its data, "cpu  ...",
  # is on the line whether or not the call was split; BPF_ITER_CREATE is not a
  # marker, as the socket iterators run it too), htop reopens /proc/meminfo,
  # btop reopens /proc/loadavg (it opens /proc/stat twice a refresh, and
  # /proc/meminfo and /proc/uptime more often).
  local b h t
  measure_tui "bpftop-$label" "$bpftop_bin -d $DELAY_MS" '"cpu  '
  b=("$syscalls" "$cpu" "$rss")
  measure_tui "htop-$label" "htop -d $((DELAY_MS / 100))" 'openat(AT_FDCWD, "/proc/meminfo"'
  h=("$syscalls" "$cpu" "$rss")
  # --utf-force: btop refuses to start without a UTF-8 locale, which the
  # tmux server may not pass on; the pane renders UTF-8 either way.
  btop_config
  measure_tui "btop-$label" "btop --utf-force" 'openat(AT_FDCWD, "/proc/loadavg"'
  t=("$syscalls" "$cpu" "$rss")
  one_shot_ms "$label"
  bench_load_stop

  echo "$label,$procs,$threads,$refresh,${b[0]},${h[0]},${t[0]},${b[1]},${h[1]},${t[1]},${b[2]},${h[2]},${t[2]},$snapshot_ms,$ps_ms" >>"$csv"
  # The report so far, so a run cut short still leaves the levels it finished.
  "$bun" scripts/bench/report.ts "$results" >/dev/null || echo "process-lens: report.ts failed; the CSV is complete" >&2
  echo "process-lens: level $label done in $((SECONDS - started)) s" >&2
}

for n in $levels; do run_level "$n" "$n" 0; done
((threads_level > 0)) && run_level "${threads_level}t" 0 "$threads_level"

echo "process-lens: wrote $csv, $raw/ and $results/summary.md" >&2
