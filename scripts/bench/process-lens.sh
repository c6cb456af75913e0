#!/usr/bin/env bash
# Process-lens benchmark: bpftop against htop and ps with 0, 100, 1,000 and
# 10,000 extra sleeping processes (and, with --threads, 20,000 extra threads).
#
#   scripts/bench/process-lens.sh [--levels "0 100 1000 10000"] [--threads]
#
# Per level it measures
#   refresh_ms       median (and p95) in-process refresh, scripts/bench/refresh.ts
#   syscalls         syscalls per refresh of the running TUI (strace -f, all threads)
#   cpu              CPU of the running TUI at a 1 s refresh, % of one core
#   rss              VmRSS of the running TUI
#   one-shot         `bpftop snapshot --json --interval 10` against `ps -eo ...` (hyperfine medians)
# bpftop and htop run one after the other, never side by side, each in a
# detached 120x40 tmux session. Writes bench/results/process-lens.{csv,md} and
# the raw syscall counts / hyperfine output under bench/results/raw/. Needs root; takes
# about 8 minutes for the four default levels on 2 cores, 10 with --threads.
set -euo pipefail
shopt -s inherit_errexit # $(...) fails as the script would
self=$(readlink -f "$0")
cd "$(dirname "$self")/../.."
source scripts/bench/lib.sh

levels="0 100 1000 10000"
threads_level=20000
with_threads=0
while [ $# -gt 0 ]; do
  case $1 in
    --levels) levels=$2; shift 2 ;;
    --threads) with_threads=1; shift ;;
    -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$self"; exit 0 ;;
    *) echo "process-lens: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "process-lens: needs root (BPF, strace -p, sysctls)" >&2; exit 1; }

readonly DELAY_MS=1000  # TUI refresh period: bpftop -d 1000, htop -d 10 (tenths of a second)
readonly SETTLE_S=3     # after start: both TUIs read every cmdline on their first refresh
readonly TRACED_REFRESHES=10
readonly TRACE_CAP_S=60 # traced, htop refreshes every ~10 s at 10,000 processes, every 30+ s at 20,000 threads
readonly CPU_S=20
readonly COLS=120 ROWS=40
readonly REFRESHES=200  # refresh.ts sample count
readonly PS_CMD="ps -eo pid,ppid,user,stat,pcpu,rss,vsz,etime,args"
results=bench/results
raw=$results/raw

bench_need strace:strace htop:htop tmux:tmux ps:procps cc:gcc timeout:coreutils getconf:libc-bin
# hyperfine is optional: without it the one-shot commands are timed by bash.
bench_need hyperfine:hyperfine 2>/dev/null || echo "process-lens: no hyperfine; timing one-shot commands with bash" >&2
[ -x dist/bpftop ] || scripts/build.sh
bun=node_modules/.bin/bun
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
bpftop_built=$(date -u -r dist/bpftop '+%Y-%m-%d %H:%M UTC')
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
  # htop's (and any) saved configuration out of the measurement.
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
  local name=$1 pid
  pid=$(tui_start "$name" "$2")
  interruptible sleep "$SETTLE_S"
  kill -0 "$pid" 2>/dev/null || { echo "process-lens: $2 exited early" >&2; return 1; }
  syscalls_per_refresh "$pid" "$3" "$name"
  interruptible sleep 1 # let the tracer's detach settle before sampling CPU
  cpu_percent "$pid"
  rss=$(rss_mib "$pid")
  "${tmux_cmd[@]}" kill-session -t "$name"
  # The next measurement must not share the CPU with this TUI's exit.
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# one_shot_ms TAG: sets `snapshot_ms` and `ps_ms`, the median wall time of each command.
one_shot_ms() {
  if command -v hyperfine >/dev/null; then
    interruptible hyperfine --warmup 2 --runs 10 --style none --export-json "$raw/oneshot-$1.json" --export-csv "$tmp/oneshot.csv" \
      -n snapshot "$snapshot_cmd > /dev/null" -n ps "$PS_CMD > /dev/null" >/dev/null
    # CSV columns: command,mean,stddev,median,... in seconds.
    snapshot_ms=$(awk -F, '$1 == "snapshot" { printf "%.1f", $4 * 1000 }' "$tmp/oneshot.csv")
    ps_ms=$(awk -F, '$1 == "ps" { printf "%.1f", $4 * 1000 }' "$tmp/oneshot.csv")
  else
    snapshot_ms=$(bash_median_ms "$snapshot_cmd")
    ps_ms=$(bash_median_ms "$PS_CMD")
  fi
}

# bash_median_ms COMMAND: hyperfine's fallback; 2 warm-up runs, median of 10.
bash_median_ms() {
  local t0 times=()
  for _ in 1 2; do $1 >/dev/null; done
  for _ in $(seq 10); do
    t0=$EPOCHREALTIME
    $1 >/dev/null
    times+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a) * 1000 }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (v[5] + v[6]) / 2 }'
}

# json FILE EXPR: evaluates EXPR on the JSON in FILE (as `j`).
json() {
  "$bun" -e "const j = JSON.parse(require('fs').readFileSync('$1', 'utf8')); console.log($2)"
}

# --- run ---

mkdir -p "$results" "$raw" "$tmp/home"
bench_load_build "$tmp"

max_extra=0
for n in $levels; do ((n > max_extra)) && max_extra=$n; done
maps=0
if ((with_threads)); then
  ((threads_level > max_extra)) && max_extra=$threads_level
  maps=$((2 * threads_level)) # a stack and its guard page per thread
fi
bench_raise_limits "$max_extra" "$maps"
printf 'process-lens: %s\n' "${BENCH_LIMIT_NOTES[@]}" >&2

csv=$results/process-lens.csv
echo "level,extra_processes,extra_threads,tasks,processes,refresh_median_ms,refresh_p95_ms,tasks_median_ms,store_median_ms,view_flat_median_ms,view_tree_median_ms,bpftop_syscalls_per_refresh,htop_syscalls_per_refresh,bpftop_cpu_pct,htop_cpu_pct,bpftop_rss_mib,htop_rss_mib,snapshot_ms,ps_ms" >"$csv"

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
  # marker, as the socket iterators run it too), htop reopens /proc/meminfo.
  local b h
  measure_tui "bpftop-$label" "$bpftop_bin -d $DELAY_MS" '"cpu  '
  b=("$syscalls" "$cpu" "$rss")
  measure_tui "htop-$label" "htop -d $((DELAY_MS / 100))" 'openat(AT_FDCWD, "/proc/meminfo"'
  h=("$syscalls" "$cpu" "$rss")
  one_shot_ms "$label"
  bench_load_stop

  echo "$label,$procs,$threads,$refresh,${b[0]},${h[0]},${b[1]},${h[1]},${b[2]},${h[2]},$snapshot_ms,$ps_ms" >>"$csv"
  write_report
  echo "process-lens: level $label done in $((SECONDS - started)) s" >&2
}

# --- report ---

# top_syscalls TUI LEVEL: the five syscalls TUI made most per refresh at LEVEL.
top_syscalls() {
  awk 'NR > 1 && NR <= 6 { printf "%s%s %s", sep, $2, $1; sep = ", " }' "$raw/syscalls-$1-$2.txt"
}

# write_report: bench/results/process-lens.md from the CSV so far, so a run
# cut short still leaves the levels it finished. Sets `table` (also printed at the end).
write_report() {
  table=$(awk -F, '
    NR == 1 {
      print "| extra | tasks | refresh median ms (p95) | syscalls/refresh bpftop | htop | CPU % bpftop | htop | RSS MiB bpftop | htop | one-shot ms bpftop snapshot | ps |"
      print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
      next
    }
    { printf "| %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $4, $6, $7, $12, $13, $14, $15, $16, $17, $18, $19 }
  ' "$csv")
  local phases mem cpu_model top_level
  # The largest process level so far (the threads level has no htop count).
  top_level=$(awk -F, 'NR > 1 && $3 == 0 { level = $1 } END { print level }' "$csv")
  phases=$(awk -F, '
    NR == 1 { print "| extra | tasks (iter + decode) | store update | view, flat | view, tree |"; print "|---|--:|--:|--:|--:|"; next }
    { printf "| %s | %s | %s | %s | %s |\n", $1, $8, $9, $10, $11 }
  ' "$csv")
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1024 / 1024 }' /proc/meminfo)
  cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
  {
    echo "# Process lens: bpftop vs htop and ps"
    echo
    echo "Machine: Linux $(uname -r), $(nproc) CPUs ($cpu_model), $mem RAM; $(htop --version | head -n1), dist/bpftop built $bpftop_built. Run $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "$table"
    echo
    echo "* extra: sleeping processes added by spawn-load (\`t\`: threads in one process); tasks: all tasks the iterator saw."
    echo "* refresh: Monitor.refresh (iterator read + decode, 4 /proc preads, events, store update) plus the flat view build, in-process (scripts/bench/refresh.ts, $REFRESHES refreshes)."
    echo "* syscalls/refresh: \`strace -f\` on the running TUI (every thread) at a $DELAY_MS ms refresh, counted over whole refreshes only, from a once-per-refresh marker syscall to its last occurrence: $TRACED_REFRESHES or more, or as many as fit in $TRACE_CAP_S s when tracing slows the TUI down. Breakdowns in raw/syscalls-*.txt."
    echo "* CPU %: utime+stime over $CPU_S s at a $DELAY_MS ms refresh, of one core; RSS: VmRSS after it. Both TUIs in a ${COLS}x${ROWS} tmux pane, default settings."
    echo "* one-shot: hyperfine median of \`bpftop snapshot --json --interval 10\` and \`$PS_CMD\`, output to /dev/null."
    echo "* Most frequent syscalls per refresh at level $top_level: bpftop: $(top_syscalls bpftop "$top_level"); htop: $(top_syscalls htop "$top_level")."
    echo
    echo "Refresh phases, median ms:"
    echo
    echo "$phases"
    echo
    echo "Limits checked:"
    echo
    printf -- '* %s\n' "${BENCH_LIMIT_NOTES[@]}"
  } >"$results/process-lens.md"
}

for n in $levels; do run_level "$n" "$n" 0; done
((with_threads)) && run_level "${threads_level}t" 0 "$threads_level"

echo
echo "$table"
echo
echo "process-lens: wrote $csv, $results/process-lens.md and $raw/"
