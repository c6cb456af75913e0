#!/usr/bin/env bash
# Draws the benchmark's PNG plots from its CSVs with gnuplot:
#
#   scripts/bench/plot.sh [DIR]        (default bench/results)
#
#   syscalls.png              syscalls per refresh vs extra processes, bpftop
#                             vs htop vs btop (log-log)     process-lens.csv
#   cpu.png                   CPU % of the running TUI vs extra processes
#                                                           process-lens.csv
#   collection-processes.png  bpftop's in-process refresh, its phases and the
#                             one-shot `snapshot --json` vs `ps -eo`, in ms
#                                                           process-lens.csv
#   collection-sockets.png    bpftop's network refresh vs `ss -tunap`, in ms,
#                             vs sockets                    net-refresh.csv
#
# Plots use the process levels only (the threads level has no place on a
# processes axis; the tables have it). A plot whose CSV is missing, or a
# series whose column is missing or all n/a (older CSVs have no btop
# columns), is left out. Measures nothing: re-run it on committed CSVs.
# Installs gnuplot-nox if gnuplot is missing.
set -euo pipefail
shopt -s inherit_errexit # $(...) fails as the script would
self=$(readlink -f "$0")
cd "$(dirname "$self")/../.."
# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh

case ${1:-} in -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//p}' "$self"; exit 0 ;; esac
dir=${1:-bench/results}
[ -d "$dir" ] || { echo "plot: no directory $dir" >&2; exit 1; }
bench_need gnuplot:gnuplot-nox

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Cairo draws smoother lines and text; the libgd `png` terminal is the fallback.
if gnuplot -e 'set terminal pngcairo' 2>/dev/null; then
  terminal="pngcairo size 960,600 noenhanced font 'Sans,11'"
else
  terminal="png size 960,600 noenhanced"
fi

# columns CSV ROWS NAME...: the named columns of CSV, space-separated, one
# line per row; NaN for a cell that is missing or not a number (n/a). ROWS:
# all, or processes: the rows of process levels above 0 (extra_threads 0),
# which a log x axis can show.
columns() {
  local want
  want=$(IFS=,; echo "${*:3}")
  awk -F, -v rows="$2" -v want="$want" '
    NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; n = split(want, w, ","); next }
    rows == "processes" && !($idx["extra_threads"] == 0 && $idx["extra_processes"] > 0) { next }
    {
      line = ""
      for (k = 1; k <= n; k++) {
        v = (w[k] in idx) ? $idx[w[k]] : ""
        if (v !~ /^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/) v = "NaN"
        line = line (k > 1 ? " " : "") v
      }
      print line
    }
  ' "$1"
}

# plot PNG DATA TITLE XLABEL YLABEL LOGY KEY SERIES...: a line plot of DATA's
# first column (x, log scale, ticks at its values) against each SERIES
# "COLUMN|TITLE|COLOR|DASHTYPE" (a column number of DATA) that holds a number.
# KEY: where the legend goes, inside the plot ("top left": where no line runs).
# Titles go into double-quoted gnuplot strings: no double quotes or backslashes.
# LOGY: 1 for a log y axis, 0 for a linear one from 0.
plot() {
  local png=$1 data=$2 title=$3 xlabel=$4 ylabel=$5 logy=$6 key=$7 spec col name color dash clauses=() xtics xrange
  shift 7
  [ -s "$data" ] || { echo "plot: no rows for $png; skipped" >&2; return 0; }
  for spec in "$@"; do
    IFS='|' read -r col name color dash <<<"$spec"
    if awk -v c="$col" '$c != "NaN" { found = 1 } END { exit !found }' "$data"; then
      clauses+=("'$data' using 1:$col with linespoints lw 2 pt 7 ps 1.2 lc rgb '$color' dt $dash title \"$name\"")
    fi
  done
  [ ${#clauses[@]} -gt 0 ] || { echo "plot: no numbers for $png; skipped" >&2; return 0; }
  # Ticks at the measured x values ("1,000"), and some room either side on the log axis.
  xtics=$(awk '$1 != "NaN" && !seen[$1]++ { s = sprintf("%d", $1); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); printf "%s\"%s\" %s", sep, s, $1; sep = ", " }' "$data")
  xrange=$(awk '$1 != "NaN" { if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 } END { printf "[%g:%g]", min / 1.6, max * 1.6 }' "$data")
  local yscale="unset logscale y; set yrange [0:*]"
  ((logy)) && yscale="set logscale y; set format y '%.10g'"
  gnuplot <<EOF
set terminal $terminal
set output '$dir/$png'
set datafile missing 'NaN'
set title "$title"
set xlabel "$xlabel"
set ylabel "$ylabel"
set logscale x
set xrange $xrange
set xtics ($xtics)
$yscale
set grid xtics ytics mytics
set key inside $key Left reverse box opaque
plot $(IFS=,; echo "${clauses[*]}")
EOF
  echo "plot: $dir/$png" >&2
}

processes=$dir/process-lens.csv
if [ -f "$processes" ]; then
  columns "$processes" processes extra_processes bpftop_syscalls_per_refresh htop_syscalls_per_refresh btop_syscalls_per_refresh >"$tmp/syscalls.dat"
  plot syscalls.png "$tmp/syscalls.dat" \
    "Syscalls per refresh of the running TUI (strace -f, every thread, 1 s refresh)" \
    "extra sleeping processes" "syscalls per refresh" 1 "top left" \
    "2|bpftop|#1f77b4|1" "3|htop|#d62728|1" "4|btop|#2ca02c|1"

  columns "$processes" processes extra_processes bpftop_cpu_pct htop_cpu_pct btop_cpu_pct >"$tmp/cpu.dat"
  plot cpu.png "$tmp/cpu.dat" \
    "CPU used by the running TUI at a 1 s refresh (120x40 tmux pane)" \
    "extra sleeping processes" "CPU, % of one core" 0 "top left" \
    "2|bpftop|#1f77b4|1" "3|htop|#d62728|1" "4|btop|#2ca02c|1"

  columns "$processes" processes extra_processes refresh_median_ms tasks_median_ms store_median_ms view_flat_median_ms snapshot_ms ps_ms >"$tmp/collection.dat"
  plot collection-processes.png "$tmp/collection.dat" \
    "Collection time: bpftop's refresh (median, in-process) and one-shot listings" \
    "extra sleeping processes" "milliseconds" 1 "bottom right" \
    "2|bpftop refresh (total)|#1f77b4|1" \
    "3|phase: task iterator + decode|#1f77b4|2" \
    "4|phase: store update|#17becf|2" \
    "5|phase: view build, flat|#9467bd|2" \
    "6|bpftop snapshot --json (one-shot, with startup)|#ff7f0e|1" \
    "7|ps -eo ... (one-shot)|#d62728|1"
else
  echo "plot: no $processes; process plots skipped" >&2
fi

sockets=$dir/net-refresh.csv
if [ -f "$sockets" ]; then
  columns "$sockets" all sockets bpftop_refresh_ms ss_ms >"$tmp/sockets.dat"
  plot collection-sockets.png "$tmp/sockets.dat" \
    "Connections: bpftop's network refresh (median) vs ss -tunap" \
    "TCP and UDP sockets on the machine (loopback connections opened, both ends, and any others)" "milliseconds" 1 "top left" \
    "2|bpftop refresh (iter/tcp + iter/udp + decode + store)|#1f77b4|1" "3|ss -tunap|#d62728|1"
else
  echo "plot: no $sockets; socket plot skipped" >&2
fi
