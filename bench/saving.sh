#!/bin/sh
# bench/saving.sh -- what saving results costs as a study grows: a study of 100 tiny runs
# against one of 1,600 (bench/tiny_runs.lua: 4-feature generated data, 1 epoch,
# diagnostics off, so saving is nearly all the work), alternating, medians.  Saving must
# cost the same per run however many runs came before: the target is 1,600 runs in at
# most 24 times the wall time of 100 (16 times is linear; a file rewritten whole after
# every run grows with the square of the runs: 240 times).
#
#   bench/saving.sh [-n ROUNDS] [-w WINIT] [-o DIR]
#
# `make bench-saving` runs this with the freshly built winit.  Options (environment
# variable in brackets):
#   -n ROUNDS  rounds per size [ROUNDS, default 3]
#   -w WINIT   the winit program [WINIT, default ./winit, else winit on PATH]
#   -o DIR     keep results files and logs in DIR (default: a temporary directory,
#              removed at the end)
# Exit status: 0 when every measurement ran (target met or not), 1 on an error.

# Word splitting of the number lists is intended.
# shellcheck disable=SC2086

set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lib.sh's die
me=saving.sh
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

rounds=${ROUNDS:-3}
winit=${WINIT:-}
outdir=

while getopts n:w:o:h opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	w) winit=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) sed -n '9p;12,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1 ;;
	esac
done
case $rounds in
'' | *[!0-9]* | 0) die "-n wants a positive integer, got '$rounds'" ;;
esac

find_winit
need_gnu_time
make_work "$outdir" saving-bench
cd "$work" || die "cannot enter $work"

echo "winit saving benchmark: $rounds round(s) per size, 100 and 1600 runs alternating; medians"
echo "  winit: $winit ($("$winit" --version 2>/dev/null | head -n 1))"
echo "  file system of $work: $(df -T "$work" | awk 'NR == 2 { print $2 }')"
echo
printf '   %-7s %10s %10s %8s\n' round "100 wall" "1600 wall" ratio
small='' big='' ratios=''
i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % 2)) -eq 1 ]; then order="100 1600"; else order="1600 100"; fi
	for n in $order; do
		rm -f "$work/t$n.json" "$work/t$n.json".*
		timed "t$n-$i" "$winit" run "$here/tiny_runs.lua" "$n" "$work/t$n.json"
		runs=$(grep -c '"name": "t' "$work/t$n.json")
		[ "$runs" -eq "$n" ] || die "t$n.json holds $runs runs, not $n"
		if [ "$n" = 100 ]; then w100=$wall; else w1600=$wall; fi
	done
	r=$(calc "$w1600 / $w100")
	small="$small $w100" big="$big $w1600" ratios="$ratios $r"
	printf '   %-7s %10.2f %10.2f %8.2f\n' "$i" "$w100" "$w1600" "$r"
	i=$((i + 1))
done
m=$(median $ratios)
printf '   %-7s %10.2f %10.2f %8.2f\n' median "$(median $small)" "$(median $big)" "$m"
echo
echo "1,600 runs / 100 runs, wall time: $m (target <= 24): $(verdict "$m" "<=" 24)"
