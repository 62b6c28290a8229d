#!/bin/sh
# bench/diagnostics.sh -- what per-layer diagnostics cost: the whole seed study with them
# on (the default) against off, side by side.
#
#   bench/diagnostics.sh [-n ROUNDS] [-w WINIT] [-o DIR] [-- SCRIPT OPTIONS...]
#
# `winit run -j 1 scripts/compare_inits.lua` (default epochs, one training at a time, so
# the two conditions see the same machine) runs ROUNDS times (default 3) with
# `--diagnostics on` and ROUNDS times with `--diagnostics off`, alternating (on off,
# off on, on off, ...: neither always runs first, so a drift in the machine's speed
# favours neither).  The medians of the wall times give the overhead,
# on / off - 1, against the target: at most 5% of the study's wall time.  CPU times
# (user + system) are shown beside them: on a shared machine they move less than wall
# time.  The script also checks that every training number (losses, accuracies) is the
# same to the bit with diagnostics on and off: diagnostics observe, they never change a
# run.
#
# `make bench-diagnostics` runs this with the freshly built winit.  Options (environment
# variable in brackets):
#   -n ROUNDS  rounds per condition [ROUNDS, default 3]
#   -w WINIT   the winit program [WINIT, default ./winit, else winit on PATH]
#   -o DIR     keep results files and logs in DIR (default: a temporary directory,
#              removed at the end)
#   -- ...     more options for compare_inits.lua (e.g. -- --epochs 1 for a quick look)
# Exit status: 0 when every measurement ran (target met or not), 1 on an error.

# Word splitting of the number lists and of $extra is intended.
# shellcheck disable=SC2046,SC2086

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
me=diagnostics.sh
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

rounds=${ROUNDS:-3}
winit=${WINIT:-}
outdir=

usage()
{
	sed -n '5p;18,25p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

while getopts n:w:o:h opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	w) winit=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
extra="$*"
case $rounds in
'' | *[!0-9]* | 0) echo "diagnostics.sh: -n wants a positive integer, got '$rounds'" >&2; exit 1 ;;
esac

# --- tools --------------------------------------------------------------------------------

find_winit
need_gnu_time
make_work "$outdir" diag-bench

# numbers FILE: the training numbers of a results file (every run's history without its
# timings, and its test figures), nothing else: snapshots hold losses and accuracies too
numbers()
{
	python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["runs"]:
    print(r["name"], r["test_loss"], r["test_accuracy"], [sorted(e.items()) for e in r["history"] if e.pop("seconds", 0) is not None])' "$1"
}

study_script=$srcdir/scripts/compare_inits.lua
[ -f "$study_script" ] || die "$study_script not found"
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo '?')

cd "$work" || die "cannot enter $work"

echo "winit diagnostics benchmark: $rounds round(s) per condition, on and off alternating; medians"
echo "  winit: $winit ($("$winit" --version 2>/dev/null | head -n 1)), $ncpu CPUs online"
echo "  study: winit run -j 1 scripts/compare_inits.lua${extra:+ $extra} --diagnostics on|off"
load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?')
echo "  load average before starting: $load"
if [ "$load" != '?' ] && awk "BEGIN { exit !($load > 0.5) }"; then
	echo "  WARNING: the machine is busy; wall times will spread (CPU times less so)"
fi
echo

printf '   %-7s %9s %9s %9s %9s\n' round "on wall" "off wall" "on CPU" "off CPU"
on_walls='' off_walls='' on_cpus='' off_cpus='' same=yes
on_wall=0 off_wall=0 on_cpu=0 off_cpu=0
i=1
while [ $i -le "$rounds" ]; do
	# odd rounds on first, even rounds off first
	if [ $((i % 2)) -eq 1 ]; then order="on off"; else order="off on"; fi
	for d in $order; do
		timed "$d-$i" "$winit" run -j 1 "$study_script" $extra --diagnostics "$d" \
			--out "$work/$d-$i.json"
		if [ "$d" = on ]; then on_wall=$wall on_cpu=$cpu; else off_wall=$wall off_cpu=$cpu; fi
	done
	on_walls="$on_walls $on_wall"
	off_walls="$off_walls $off_wall"
	on_cpus="$on_cpus $on_cpu"
	off_cpus="$off_cpus $off_cpu"
	printf '   %-7s %9.2f %9.2f %9.2f %9.2f\n' "$i" "$on_wall" "$off_wall" "$on_cpu" "$off_cpu"
	numbers "$work/on-$i.json" >"$work/on-$i.num"
	numbers "$work/off-$i.json" >"$work/off-$i.num"
	[ -s "$work/on-$i.num" ] || die "no training numbers in on-$i.json"
	cmp -s "$work/on-$i.num" "$work/off-$i.num" || same=no
	i=$((i + 1))
done
on_w=$(median $on_walls)
off_w=$(median $off_walls)
on_c=$(median $on_cpus)
off_c=$(median $off_cpus)
printf '   %-7s %9.2f %9.2f %9.2f %9.2f\n' median "$on_w" "$off_w" "$on_c" "$off_c"
echo
ov=$(calc "100 * ($on_w / $off_w - 1)")
ovc=$(calc "100 * ($on_c / $off_c - 1)")
printf '   overhead of diagnostics, wall time: on/off = %.4f, %+.2f%% (target <= 5%%): %s\n' \
	"$(calc "$on_w / $off_w")" "$ov" "$(verdict "$ov" '<=' 5)"
printf '   overhead of diagnostics, CPU time:  on/off = %.4f, %+.2f%%\n' \
	"$(calc "$on_c / $off_c")" "$ovc"
snaps=$(grep -c '"step":' "$work/on-1.json")
runs=$(grep -c '"test_accuracy":' "$work/on-1.json")
printf '   %s snapshots over %s runs; results file %s bytes with diagnostics, %s without\n' \
	"$snaps" "$runs" "$(wc -c <"$work/on-1.json" | tr -d ' ')" "$(wc -c <"$work/off-1.json" | tr -d ' ')"
echo "   training numbers identical on and off: $same (losses and accuracies of every round)"
[ -n "$outdir" ] && echo && echo "results files and logs kept in $work"
exit 0
