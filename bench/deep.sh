#!/bin/sh
# bench/deep.sh -- depth costs arithmetic, not bookkeeping: one epoch of a 1,000-layer
# width-64 tanh MLP on the 60,000 Fashion-MNIST training images (orthogonal kernels, SGD,
# batch 64; bench/deep.lua) against the same network in PyTorch (bench/deep_torch.py),
# both on one thread pinned to CPU 0, alternating, ROUNDS rounds; the medians of each
# epoch's seconds and their ratio.  The target is winit at <= 0.25 of PyTorch's time: at
# this width the arithmetic (about 1.5 TFLOP an epoch, 3 products of 64 x 64 x 64 per
# layer and step) is small, and a framework's per-layer overhead shows.
#
#   bench/deep.sh [-n ROUNDS] [-w WINIT] [-p PYTHON] [-d DEPTH] [-o DIR]
#
# `make bench-deep` runs this with the freshly built winit.  Options (environment
# variable in brackets):
#   -n ROUNDS  rounds [ROUNDS, default 3]
#   -w WINIT   the winit program [WINIT, default ./winit, else winit on PATH]
#   -p PYTHON  a Python with torch [PYTHON, default the first of python3, /usr/bin/python3
#              that can import torch]; without one, winit alone
#   -d DEPTH   hidden layers [DEPTH, default 1000]
#   -o DIR     keep the logs in DIR (default: a temporary directory, removed at the end)
# Exit status: 0 when every measurement ran (target met or not), 1 on an error.

# Word splitting of the number lists is intended.
# shellcheck disable=SC2086

set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lib.sh's die
me=deep.sh
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

rounds=${ROUNDS:-3}
winit=${WINIT:-}
python=${PYTHON:-}
depth=${DEPTH:-1000}
outdir=

while getopts n:w:p:d:o:h opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	w) winit=$OPTARG ;;
	p) python=$OPTARG ;;
	d) depth=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) sed -n '10p;13,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1 ;;
	esac
done

find_winit
make_work "$outdir" deep
find_torch_python
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# seconds=S from a run's line.
seconds_of()
{
	sed -n 's/^deep: .* seconds=\([0-9.]*\) .*/\1/p' "$1"
}

[ $have_torch = yes ] && echo "PyTorch $("$python" -c 'import torch; print(torch.__version__)')"
echo "One epoch, $depth x Dense(64, tanh) on Fashion-MNIST (60,000 images), SGD, batch 64, one thread"
printf '   %-7s %10s %10s %8s\n' round "winit s" "torch s" ratio
ws= ts= i=1
while [ "$i" -le "$rounds" ]; do
	$pin "$winit" run -j 1 "$here/deep.lua" --depth "$depth" >"$work/winit-$i.log" 2>&1 ||
		{ tail -n 20 "$work/winit-$i.log" >&2; die "winit failed (round $i)"; }
	w=$(seconds_of "$work/winit-$i.log")
	[ -n "$w" ] || die "no 'deep:' line in $work/winit-$i.log"
	ws="$ws $w"
	if [ $have_torch = yes ]; then
		$pin "$python" "$here/deep_torch.py" --depth "$depth" --threads 1 >"$work/torch-$i.log" 2>&1 ||
			{ tail -n 20 "$work/torch-$i.log" >&2; die "PyTorch failed (round $i)"; }
		t=$(seconds_of "$work/torch-$i.log")
		[ -n "$t" ] || die "no 'deep:' line in $work/torch-$i.log"
		ts="$ts $t"
		printf '   %-7s %10.2f %10.2f %8.3f\n' "$i" "$w" "$t" "$(calc "$w / $t")"
	else
		printf '   %-7s %10.2f %10s %8s\n' "$i" "$w" - -
	fi
	i=$((i + 1))
done
wm=$(median $ws)
if [ $have_torch = yes ]; then
	tm=$(median $ts)
	r=$(calc "$wm / $tm")
	printf '   %-7s %10.2f %10.2f %8.3f\n' median "$wm" "$tm" "$r"
	echo
	echo "winit / PyTorch, epoch seconds: $r (target <= 0.25): $(verdict "$r" "<=" 0.25)"
else
	printf '   %-7s %10.2f\n' median "$wm"
	echo
	echo "no PyTorch (no python3 that imports torch: apt-get install python3-torch): winit alone"
fi
