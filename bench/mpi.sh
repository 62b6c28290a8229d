#!/bin/sh
# bench/mpi.sh -- a study across MPI ranks against one rank, side by side.
#
#   bench/mpi.sh [-n ROUNDS] [-w WINIT] [-o DIR]
#
# The study: scripts/compare_inits.lua with 4 replicates of its 4 initializers, 1 epoch
# each (16 runs) on Fashion-MNIST.  Every round runs it with 1 thread x 1 rank
# (`mpirun -np 1 winit run -j 1`) and with 1 thread x 2 ranks (`-np 2 -j 1`), alternating,
# and the medians of the wall times are compared: the target is 2 ranks <= 0.6x one.  It
# also reports rank 0's dispatcher time per run received (WINIT_DIST_STATS) and checks
# that the two results files are equal apart from timings.  One untimed load first
# fills the dataset cache (src/data/cache.c): every round measures the steady state users
# see (WINIT_NO_CACHE=1: without the cache).  Needs a quiet machine with at least 2 cores
# and winit configured --with-mpi; `make bench-mpi` runs it with the build's winit.
# Options (environment variable in brackets):
#   -n ROUNDS   rounds (default 3) [ROUNDS]
#   -w WINIT    the winit program (default ./winit, else winit on PATH) [WINIT]
#   -o DIR      keep results files and logs in DIR (default: a temporary directory)
# Exit status: 0 when every measurement ran (target met or not), 1 on an error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
me=mpi.sh
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
	*)
		sed -n '4p;15,18p' "$0" | sed 's/^# \{0,1\}//' >&2
		exit 1
		;;
	esac
done
find_winit
"$winit" --version | grep -q 'no MPI' && die "$winit is built without MPI (configure --with-mpi)"
command -v mpirun >/dev/null || die "mpirun not found (apt-get install openmpi-bin)"
make_work "$outdir" bench-mpi
outdir=$work
root=
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
export WINIT_NO_PROGRESS=1 WINIT_DIST_STATS=1

now() { date +%s.%N; }
# one NP ROUND: one study on NP ranks of one thread each; prints the wall seconds.
one() {
	t0=$(now)
	# shellcheck disable=SC2086
	mpirun $root -np "$1" "$winit" run -j 1 "$srcdir/scripts/compare_inits.lua" --repeats 4 \
		--epochs 1 --out "$outdir/np$1.$2.json" >"$outdir/np$1.$2.log" 2>&1 ||
		die "the $1-rank study failed; see $outdir/np$1.$2.log"
	calc "$(now) - $t0"
}

echo "winit: $("$winit" --version); $(nproc) cores; $rounds rounds"
# Fill the dataset cache once, untimed (a cold cache costs the first load ~0.1 s more).
echo 'require("winit").datasets.fashion_mnist.load_data()' >"$outdir/warm.lua"
"$winit" run "$outdir/warm.lua" >"$outdir/warm.log" 2>&1 ||
	die "loading Fashion-MNIST failed; see $outdir/warm.log"
off=${WINIT_NO_CACHE:-}
if [ -n "$off" ] && [ "$off" != 0 ]; then
	echo "dataset cache: off (WINIT_NO_CACHE=$off)"
else
	echo "dataset cache: on (${WINIT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/winit}), warmed"
fi
echo "study: compare_inits.lua --repeats 4 --epochs 1 (16 runs), 1 thread per rank"
t1='' t2=''
r=1
while [ $r -le "$rounds" ]; do
	a=$(one 1 $r) || exit 1
	b=$(one 2 $r) || exit 1
	printf 'round %d: 1 rank %.2f s, 2 ranks %.2f s\n' $r "$a" "$b"
	t1="$t1 $a" t2="$t2 $b"
	r=$((r + 1))
done
# shellcheck disable=SC2086 # the lists split into numbers
m1=$(median $t1) m2=$(median $t2)
ratio=$(calc "$m2 / $m1")
printf 'median: 1 rank %.2f s, 2 ranks %.2f s: %.3fx (target <= 0.6x: %s)\n' "$m1" "$m2" "$ratio" \
	"$(verdict "$ratio" '<=' 0.6)"
grep -h 'dispatcher:' "$outdir"/np2.*.log | sed 's/^winit: /rank 0 /'
strip() { grep -v -e '"seconds":' -e '"generator":' -e '"kernels":' "$1"; }
if [ "$(strip "$outdir/np1.1.json" | cksum)" = "$(strip "$outdir/np2.1.json" | cksum)" ]; then
	echo "results files: equal apart from timings"
else
	echo "results files: DIFFER (see $outdir)"
	exit 1
fi
