#!/bin/sh
# bench/study.sh -- the study benchmark: winit against its PyTorch peer, side by side.
#
#   bench/study.sh [-n ROUNDS] [-s PARTS] [-e EPOCHS] [-w WINIT] [-p PYTHON] [-k BENCH_KERNELS]
#                  [-o DIR]
#
# Every measurement is repeated ROUNDS times (default 3), the two peers alternating
# (A B A B ...), and the medians are compared:
#
#   1. the whole seed study, as a user runs it: `winit run scripts/compare_inits.lua`
#      (default -j, all cores) against `python3 bench/compare_inits_torch.py` (PyTorch's
#      default threads): wall time and peak RSS from GNU time;
#   2. one-core training throughput: one he_normal run of the study, both pinned to CPU 0
#      with taskset, PyTorch with one thread: samples/s = 48,000 * epochs / (sum of the
#      per-epoch seconds in each results file);
#   3. winit's useful GFLOP/s in that run (409,088 FLOPs per training sample) as a
#      fraction of single-thread OpenBLAS cblas_sgemm doing the run's forward and
#      weight-gradient products (bench/bench_kernels finds OpenBLAS at run time), on each
#      kernel path the CPU has (WINIT_KERNELS=avx512 and avx2);
#   4. the winit study with -j 1 against -j 2: the speed-up, and whether the results files
#      are identical apart from their timing fields;
#   5. one run on 2 threads against 1 (bench/one_run.lua --jobs 2 / --jobs 1: the run's
#      passes split among a thread team): the speed-up and whether the results are identical;
#   6. small batches: one epoch of the study's model (width 128, one thread) at batch 16
#      against batch 256 (bench/scaling.lua), GFLOP/s;
#   7. the CNN study on one core: `winit run -j 1 scripts/compare_inits_cnn.lua` against
#      `bench/compare_inits_cnn_torch.py --threads 1`, both pinned to CPU 0 and both for
#      EPOCHS epochs (default 1: a 5-epoch round of PyTorch takes ~12 minutes here): wall
#      time (target: winit <= 0.5 of PyTorch's) and training samples/s;
#   8. the CNN's two Conv2D layers alone (bench/conv.lua), GFLOP/s on each kernel path
#      against the GEMM rate of their im2col products (bench_kernels: winit's kernels on
#      the same path, single-thread OpenBLAS).
#
# OpenBLAS 0.3.21 (Debian 12) does not know recent CPU models and falls back to its SSE3
# "Prescott" kernels on them; unless OPENBLAS_CORETYPE is set, the OpenBLAS figures run
# with OPENBLAS_CORETYPE=SkylakeX on a CPU with AVX-512, Haswell on one with AVX2 only.
#
# Without PyTorch only the winit parts run.  `make bench-study` runs this with the
# freshly built winit.  Options (environment variable in brackets):
#   -n ROUNDS         rounds per measurement [ROUNDS, default 3]
#   -s PARTS          the parts to run, comma-separated, e.g. 7,8 [PARTS, default all]
#   -e EPOCHS         epochs of part 7's CNN runs [CNN_EPOCHS, default 1]
#   -w WINIT          the winit program [WINIT, default ./winit, else winit on PATH]
#   -p PYTHON         a Python with torch [PYTHON, default the first of python3,
#                     /usr/bin/python3 that can import torch]
#   -k BENCH_KERNELS  bench_kernels program for the OpenBLAS figure
#                     [BENCH_KERNELS, default bench/bench_kernels next to WINIT]
#   -o DIR            keep results files and logs in DIR (default: a temporary directory,
#                     removed at the end)
# Exit status: 0 when every measurement ran (targets missed or not), 1 on an error.

# Word splitting of the number lists and of $pin is intended.
# shellcheck disable=SC2046,SC2086

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
me=study.sh
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

rounds=${ROUNDS:-3}
parts=${PARTS:-1,2,3,4,5,6,7,8}
cnn_epochs=${CNN_EPOCHS:-1}
winit=${WINIT:-}
python=${PYTHON:-}
bench_kernels=${BENCH_KERNELS:-}
outdir=

usage()
{
	sed -n '4,5p;38,49p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

while getopts n:s:e:w:p:k:o:h opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	s) parts=$OPTARG ;;
	e) cnn_epochs=$OPTARG ;;
	w) winit=$OPTARG ;;
	p) python=$OPTARG ;;
	k) bench_kernels=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $rounds in
'' | *[!0-9]* | 0) echo "study.sh: -n wants a positive integer, got '$rounds'" >&2; exit 1 ;;
esac
case $cnn_epochs in
'' | *[!0-9]* | 0) echo "study.sh: -e wants a positive integer, got '$cnn_epochs'" >&2; exit 1 ;;
esac
for p in $(echo "$parts" | tr ',' ' ') ''; do
	case $p in
	'') [ -n "$parts" ] && break ;;
	[1-8]) continue ;;
	esac
	echo "study.sh: -s wants part numbers from 1 to 8, comma-separated, got '$parts'" >&2
	exit 1
done

# want N: whether part N is to run
want()
{
	case ,$parts, in
	*,$1,*) return 0 ;;
	esac
	return 1
}

# --- tools --------------------------------------------------------------------------------

find_winit
need_gnu_time

# part 2 pins to CPU 0 with this prefix
pin="taskset -c 0"
taskset -c 0 true 2>/dev/null || pin=

if [ -z "$bench_kernels" ]; then
	bench_kernels=$(dirname "$winit")/bench/bench_kernels
fi
# the measurements run in the work directory: make relative paths absolute
case $bench_kernels in
/*) ;;
*/*) [ -d "$(dirname "$bench_kernels")" ] &&
	bench_kernels=$(cd "$(dirname "$bench_kernels")" && pwd)/$(basename "$bench_kernels") ;;
esac
case $python in
/* | '') ;;
*/*) python=$(cd "$(dirname "$python")" && pwd)/$(basename "$python") ;;
esac

find_torch_python

make_work "$outdir" study-bench

# --- helpers ------------------------------------------------------------------------------

# epoch_sum FILE: "N S": the number of epochs and the sum of their "seconds" in a results
# file (winit's or compare_inits_torch.py --out's; both one key per line).
epoch_sum()
{
	awk '/"history": *\[/ { h = 1; next }
		h && /^[ \t]*\]/ { h = 0 }
		h && /"seconds":/ { gsub(/[",]/, ""); s += $2; n++ }
		END { printf "%d %.6f\n", n, s }' "$1"
}

# strip_timing FILE: the results file without its timing fields
strip_timing()
{
	grep -v '"seconds":' "$1"
}

# kernels_table: bench_kernels' table, single-thread OpenBLAS beside it (run once, kept)
kernels_table()
{
	if [ ! -f "$work/kernels.txt" ]; then
		coretype=${OPENBLAS_CORETYPE:-}
		if [ -z "$coretype" ]; then
			if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
				coretype=SkylakeX
			elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
				coretype=Haswell
			fi
		fi
		OPENBLAS_CORETYPE=$coretype OPENBLAS_NUM_THREADS=1 $pin "$bench_kernels" \
			>"$work/kernels.txt" 2>/dev/null
	fi
	cat "$work/kernels.txt"
}

kib2mib()
{
	calc "$1 / 1024"
}

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo '?')
study_script=$srcdir/scripts/compare_inits.lua
torch_script=$srcdir/bench/compare_inits_torch.py
one_run=$srcdir/bench/one_run.lua
cnn_script=$srcdir/scripts/compare_inits_cnn.lua
cnn_torch=$srcdir/bench/compare_inits_cnn_torch.py
conv_script=$srcdir/bench/conv.lua
[ -f "$study_script" ] || die "$study_script not found"

cd "$work" || die "cannot enter $work"

echo "winit study benchmark: $rounds round(s) per measurement, peers alternating; medians"
echo "  winit:   $winit ($("$winit" --version 2>/dev/null | head -n 1)), $ncpu CPUs online"
if [ $have_torch = yes ]; then
	tv=$("$python" -c 'import torch; print(torch.__version__, torch.get_num_threads())')
	echo "  PyTorch: $python (torch ${tv% *}, default threads ${tv#* })"
else
	echo "  PyTorch not found: apt-get install python3-torch  (running the winit-only parts)"
fi
[ -n "$pin" ] || echo "  taskset not usable: part 2 runs unpinned"
load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo '?')
echo "  load average before starting: $load"
if [ "$load" != '?' ] && awk "BEGIN { exit !($load > 0.5) }"; then
	echo "  WARNING: the machine is busy; figures (above all -j scaling) will be pessimistic"
fi
echo

# --- 1. the whole study -------------------------------------------------------------------

if want 1; then
	echo "1. Whole study: winit run scripts/compare_inits.lua (default -j) vs"
	echo "   python3 bench/compare_inits_torch.py (default threads); wall s, peak RSS MiB"
	printf '   %-7s %9s %9s %9s %9s\n' round "winit s" "winit MiB" "torch s" "torch MiB"
	w_walls='' w_rsss='' t_walls='' t_rsss=''
	i=1
	while [ $i -le "$rounds" ]; do
		timed "study-winit-$i" "$winit" run "$study_script" --out "$work/study-winit-$i.json"
		w_walls="$w_walls $wall"
		w_rsss="$w_rsss $rss"
		ww=$wall
		wr=$(kib2mib "$rss")
		tw=- tr=-
		if [ $have_torch = yes ]; then
			timed "study-torch-$i" "$python" "$torch_script" --out "$work/study-torch-$i.json"
			t_walls="$t_walls $wall"
			t_rsss="$t_rsss $rss"
			tw=$wall
			tr=$(printf "%.1f" "$(kib2mib "$rss")")
		fi
		printf '   %-7s %9.2f %9.1f %9s %9s\n' "$i" "$ww" "$wr" "$tw" "$tr"
		i=$((i + 1))
	done
	w_wall=$(median $w_walls)
	w_rss=$(median $w_rsss)
	w_rss_mib=$(kib2mib "$w_rss")
	if [ $have_torch = yes ]; then
		t_wall=$(median $t_walls)
		t_rss=$(median $t_rsss)
		printf '   %-7s %9.2f %9.1f %9.2f %9.1f\n' median "$w_wall" "$w_rss_mib" "$t_wall" \
			"$(kib2mib "$t_rss")"
		r=$(calc "$w_wall / $t_wall")
		printf '   wall winit/torch: %.3f (torch/winit %.2fx; target <= 0.2, i.e. >= 5x): %s\n' \
			"$r" "$(calc "$t_wall / $w_wall")" "$(verdict "$r" '<=' 0.2)"
		printf '   peak RSS winit/torch: %.3f\n' "$(calc "$w_rss / $t_rss")"
	else
		printf '   %-7s %9.2f %9.1f\n' median "$w_wall" "$w_rss_mib"
	fi
	printf '   winit peak RSS: %.1f MiB (target <= 150 MiB): %s\n' "$w_rss_mib" \
		"$(verdict "$w_rss_mib" '<=' 150)"
	echo
fi

# --- 2. one-core throughput ---------------------------------------------------------------

if want 2; then
	echo "2. One-core training throughput: one he_normal run (5 epochs x 48,000 samples, batch 64,"
	echo "   validation included in the epoch times), taskset -c 0; torch: 1 thread"
	printf '   %-7s %14s %14s\n' round "winit samp/s" "torch samp/s"
	w_sps='' t_sps=''
	i=1
	while [ $i -le "$rounds" ]; do
		timed "one-winit-$i" $pin "$winit" run "$one_run" --out "$work/one-winit-$i.json"
		set -- $(epoch_sum "$work/one-winit-$i.json")
		[ "$1" -gt 0 ] || die "no epoch timings in one-winit-$i.json"
		ws=$(calc "48000 * $1 / $2")
		w_sps="$w_sps $ws"
		ts=-
		if [ $have_torch = yes ]; then
			timed "one-torch-$i" $pin env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
				"$python" "$torch_script" --inits he_normal --threads 1 \
				--out "$work/one-torch-$i.json"
			set -- $(epoch_sum "$work/one-torch-$i.json")
			[ "$1" -gt 0 ] || die "no epoch timings in one-torch-$i.json"
			ts=$(calc "48000 * $1 / $2")
			t_sps="$t_sps $ts"
			ts=$(printf '%.0f' "$ts")
		fi
		printf '   %-7s %14.0f %14s\n' "$i" "$ws" "$ts"
		i=$((i + 1))
	done
	w_sp=$(median $w_sps)
	if [ $have_torch = yes ]; then
		t_sp=$(median $t_sps)
		printf '   %-7s %14.0f %14.0f\n' median "$w_sp" "$t_sp"
		r=$(calc "$w_sp / $t_sp")
		printf '   winit/torch: %.2fx (target >= 1.7x): %s\n' "$r" "$(verdict "$r" '>=' 1.7)"
	else
		printf '   %-7s %14.0f\n' median "$w_sp"
	fi
	echo
fi

# --- 3. fraction of OpenBLAS SGEMM --------------------------------------------------------

if want 3; then
	echo "3. One run's useful GFLOP/s on one core vs single-thread OpenBLAS doing the same pair of"
	echo "   products (forward 64x784 @ 784x128 and weight gradient 784x64 @ 64x128), per kernel path"
	ob='' ob_src=''
	if [ -x "$bench_kernels" ]; then
		kout=$(kernels_table)
		echo "$kout" | sed -n 's/^OpenBLAS: /   OpenBLAS: /p'
		# The two products have equal FLOP counts: the pair's rate is their harmonic mean.
		ob=$(echo "$kout" | awk '/^study fwd X@W1/ && $NF ~ /%$/ { f = $(NF - 1) }
			/^study dW1 X\^T@dY/ && $NF ~ /%$/ { w = $(NF - 1) }
			END { if (f > 0 && w > 0) printf "%.2f", 2 / (1 / f + 1 / w) }')
		[ -n "$ob" ] && ob_src="bench_kernels: forward + weight gradient, best of 5 each"
	fi
	if [ -z "$ob" ]; then
		echo "   OpenBLAS not found at run time (apt-get install libopenblas0, or set"
		echo "   WINIT_BENCH_OPENBLAS to its path): percentages skipped"
	else
		printf '   OpenBLAS: %.1f GFLOP/s [%s]\n' "$ob" "$ob_src"
	fi
	# the epoch times also contain the forward pass over the 12,000 validation rows:
	# 2 * (784*128 + 128*10) = 203,264 FLOPs each, i.e. 12000 * 203264 / (48000 * 409088) more
	val_factor=$(calc "1 + 12000 * 203264 / (48000 * 409088)")
	default_path=$("$winit" --version | sed -n 's/.*kernels \([a-z0-9]*\).*/\1/p')
	for path in avx512 avx2; do
		WINIT_KERNELS=$path "$winit" --version >/dev/null 2>&1 || {
			echo "   kernel path $path: not available on this CPU"
			continue
		}
		if [ "$path" = "$default_path" ] && [ -n "${w_sp:-}" ]; then
			sp=$w_sp # measured in part 2
		else
			sps=''
			i=1
			while [ $i -le "$rounds" ]; do
				timed "one-$path-$i" $pin env WINIT_KERNELS=$path "$winit" run "$one_run" \
					--out "$work/one-$path-$i.json"
				set -- $(epoch_sum "$work/one-$path-$i.json")
				sps="$sps $(calc "48000 * $1 / $2")"
				i=$((i + 1))
			done
			sp=$(median $sps)
		fi
		useful=$(calc "$sp * 409088 / 1e9")
		printf '   kernel path %s: %.0f samples/s -> %.2f useful GFLOP/s (%.2f counting validation)\n' \
			"$path" "$sp" "$useful" "$(calc "$useful * $val_factor")"
		if [ -n "$ob" ]; then
			pct=$(calc "100 * $useful / $ob")
			printf '     at %.1f%% of OpenBLAS (target >= 85%%): %s; %.1f%% counting validation\n' \
				"$pct" "$(verdict "$pct" '>=' 85)" "$(calc "100 * $useful * $val_factor / $ob")"
		fi
	done
	echo
fi

# --- 4. -j scaling ------------------------------------------------------------------------

if want 4; then
	echo "4. -j scaling: winit run -j 1 vs -j 2 scripts/compare_inits.lua (wall s)"
	printf '   %-7s %9s %9s %11s\n' round "-j 1" "-j 2" "-j 2 CPUs"
	j1s='' j2s='' j2cpus='' same=yes
	i=1
	while [ $i -le "$rounds" ]; do
		timed "j1-$i" "$winit" run -j 1 "$study_script" --out "$work/j1-$i.json"
		a=$wall
		j1s="$j1s $wall"
		timed "j2-$i" "$winit" run -j 2 "$study_script" --out "$work/j2-$i.json"
		j2s="$j2s $wall"
		c=$(calc "$cpu / $wall")
		j2cpus="$j2cpus $c"
		printf '   %-7s %9.2f %9.2f %11.2f\n' "$i" "$a" "$wall" "$c"
		strip_timing "$work/j1-$i.json" >"$work/j1-$i.notime"
		strip_timing "$work/j2-$i.json" >"$work/j2-$i.notime"
		cmp -s "$work/j1-$i.notime" "$work/j2-$i.notime" || same=no
		cmp -s "$work/j1-$i.notime" "$work/j1-1.notime" || same=no
		i=$((i + 1))
	done
	# the default-jobs runs of part 1 must agree too
	if [ -f "$work/study-winit-1.json" ]; then
		strip_timing "$work/study-winit-1.json" >"$work/study-winit-1.notime"
		cmp -s "$work/j1-1.notime" "$work/study-winit-1.notime" || same=no
	fi
	j1=$(median $j1s)
	j2=$(median $j2s)
	printf '   %-7s %9.2f %9.2f %11.2f\n' median "$j1" "$j2" "$(median $j2cpus)"
	s=$(calc "$j1 / $j2")
	printf '   speed-up -j 2 over -j 1: %.2fx (target >= 1.8x): %s\n' "$s" "$(verdict "$s" '>=' 1.8)"
	echo "   bit-identical: $same (results files of every -j 1, -j 2 and default-j run, timing fields aside)"
	echo "   (-j 2 CPUs = its CPU time / wall time: near 1.0 means the two trainings did not"
	echo "   get two CPUs' worth of time -- another load, or serialisation inside winit)"
	[ "$ncpu" = 1 ] && echo "   (only one CPU online: no speed-up is possible)"
	echo
fi

# --- 5. one run on a thread team ----------------------------------------------------------

if want 5; then
	echo "5. One run on 2 threads vs 1: bench/one_run.lua --jobs 2 / --jobs 1 (5 epochs; samples/s"
	echo "   from the epoch times)"
	printf '   %-7s %12s %12s\n' round "1 thread" "2 threads"
	t1s='' t2s='' tsame=yes
	i=1
	while [ $i -le "$rounds" ]; do
		for j in 1 2; do
			timed "team$j-$i" "$winit" run "$one_run" --jobs $j --out "$work/team$j-$i.json"
			set -- $(epoch_sum "$work/team$j-$i.json")
			[ "$1" -gt 0 ] || die "no epoch timings in team$j-$i.json"
			sp=$(calc "48000 * $1 / $2")
			if [ $j = 1 ]; then sp1=$sp; else sp2=$sp; fi
			strip_timing "$work/team$j-$i.json" >"$work/team$j-$i.notime"
		done
		t1s="$t1s $sp1"
		t2s="$t2s $sp2"
		cmp -s "$work/team1-$i.notime" "$work/team2-$i.notime" || tsame=no
		printf '   %-7s %12.0f %12.0f\n' "$i" "$sp1" "$sp2"
		i=$((i + 1))
	done
	t1=$(median $t1s)
	t2=$(median $t2s)
	printf '   %-7s %12.0f %12.0f\n' median "$t1" "$t2"
	s=$(calc "$t2 / $t1")
	printf '   speed-up of 2 threads: %.2fx (target >= 1.7x): %s\n' "$s" "$(verdict "$s" '>=' 1.7)"
	echo "   bit-identical: $tsame (results files of every 1- and 2-thread run, timing fields aside)"
	echo
fi

# --- 6. small batches ---------------------------------------------------------------------

if want 6; then
	echo "6. Small batches: the study's model (784 -> 128 relu -> 10), one thread, one epoch at"
	echo "   batch 16 and 256 (bench/scaling.lua; GFLOP/s of the training products)"
	printf '   %-7s %10s %10s\n' round "batch 16" "batch 256"
	g16s='' g256s=''
	i=1
	while [ $i -le "$rounds" ]; do
		timed "scaling-$i" "$winit" run "$srcdir/bench/scaling.lua" --widths 128 --depths 1 \
			--batches 16,256
		set -- $(awk '$1 == 128 && $2 == 1 && $3 == 16 { a = $NF } $1 == 128 && $2 == 1 && $3 == 256 { b = $NF }
			END { print a, b }' "$work/scaling-$i.log")
		[ $# -eq 2 ] || die "no batch 16/256 lines in scaling-$i.log"
		g16s="$g16s $1"
		g256s="$g256s $2"
		printf '   %-7s %10.1f %10.1f\n' "$i" "$1" "$2"
		i=$((i + 1))
	done
	g16=$(median $g16s)
	g256=$(median $g256s)
	printf '   %-7s %10.1f %10.1f\n' median "$g16" "$g256"
	r=$(calc "100 * $g16 / $g256")
	printf '   batch 16 at %.1f%% of batch 256 (target >= 75%%): %s\n' "$r" "$(verdict "$r" '>=' 75)"
fi

# --- 7. the CNN study on one core ---------------------------------------------------------

if want 7; then
	echo "7. The CNN study on one core: winit run -j 1 scripts/compare_inits_cnn.lua vs"
	echo "   python3 bench/compare_inits_cnn_torch.py --threads 1, both --epochs $cnn_epochs (the"
	echo "   four initializers x $cnn_epochs epoch(s) of 48,000 samples; winit with its default"
	echo "   per-layer diagnostics), both taskset -c 0; wall s and training samples/s"
	printf '   %-7s %9s %9s %13s %13s\n' round "winit s" "torch s" "winit samp/s" "torch samp/s"
	cw_walls='' ct_walls='' cw_sps='' ct_sps=''
	i=1
	while [ $i -le "$rounds" ]; do
		timed "cnn-winit-$i" $pin "$winit" run -j 1 "$cnn_script" --epochs "$cnn_epochs" \
			--out "$work/cnn-winit-$i.json"
		cw_walls="$cw_walls $wall"
		ww=$wall
		set -- $(epoch_sum "$work/cnn-winit-$i.json")
		[ "$1" -gt 0 ] || die "no epoch timings in cnn-winit-$i.json"
		ws=$(calc "48000 * $1 / $2")
		cw_sps="$cw_sps $ws"
		tw=- ts=-
		if [ $have_torch = yes ]; then
			timed "cnn-torch-$i" $pin env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
				"$python" "$cnn_torch" --threads 1 --epochs "$cnn_epochs" \
				--out "$work/cnn-torch-$i.json"
			ct_walls="$ct_walls $wall"
			tw=$wall
			set -- $(epoch_sum "$work/cnn-torch-$i.json")
			[ "$1" -gt 0 ] || die "no epoch timings in cnn-torch-$i.json"
			ts=$(calc "48000 * $1 / $2")
			ct_sps="$ct_sps $ts"
			ts=$(printf '%.0f' "$ts")
		fi
		printf '   %-7s %9.2f %9s %13.0f %13s\n' "$i" "$ww" "$tw" "$ws" "$ts"
		i=$((i + 1))
	done
	cw_wall=$(median $cw_walls)
	if [ $have_torch = yes ]; then
		ct_wall=$(median $ct_walls)
		printf '   %-7s %9.2f %9.2f %13.0f %13.0f\n' median "$cw_wall" "$ct_wall" \
			"$(median $cw_sps)" "$(median $ct_sps)"
		r=$(calc "$cw_wall / $ct_wall")
		printf '   wall winit/torch: %.3f (torch/winit %.2fx; target <= 0.5): %s\n' "$r" \
			"$(calc "$ct_wall / $cw_wall")" "$(verdict "$r" '<=' 0.5)"
	else
		printf '   %-7s %9.2f %9s %13.0f\n' median "$cw_wall" - "$(median $cw_sps)"
	fi
	echo
fi

# --- 8. the conv layers against the GEMM rate ---------------------------------------------

if want 8; then
	echo "8. The tutorial CNN's Conv2D layers alone, one core (bench/conv.lua: one epoch of 6,400"
	echo "   random images, batch 64): useful GFLOP/s of each layer's products (forward, kernel"
	echo "   gradient, and conv2's input gradient) against the GEMM rate of the same im2col"
	echo "   products (bench_kernels' \"cnn conv\" lines: winit's kernels on that path, OpenBLAS)"
	kout=
	[ -x "$bench_kernels" ] && kout=$(kernels_table)
	[ -n "$kout" ] && echo "$kout" | sed -n 's/^OpenBLAS: /   OpenBLAS: /p'
	for path in avx512 avx2; do
		WINIT_KERNELS=$path "$winit" --version >/dev/null 2>&1 || {
			echo "   kernel path $path: not available on this CPU"
			continue
		}
		g1s='' g2s=''
		i=1
		while [ $i -le "$rounds" ]; do
			timed "conv-$path-$i" $pin env WINIT_KERNELS=$path "$winit" run "$conv_script"
			g1s="$g1s $(awk '$1 == "conv1" && $2 == "GFLOP/s" { print $3 }' "$work/conv-$path-$i.log")"
			g2s="$g2s $(awk '$1 == "conv2" && $2 == "GFLOP/s" { print $3 }' "$work/conv-$path-$i.log")"
			i=$((i + 1))
		done
		for layer in conv1 conv2; do
			if [ $layer = conv1 ]; then g=$(median $g1s); else g=$(median $g2s); fi
			line=$(printf '   %s %s: %.1f GFLOP/s' "$path" "$layer" "$g")
			if [ -n "$kout" ]; then
				# the layer's products have equal FLOP counts: their rate is the harmonic mean
				set -- $(echo "$kout" | awk -v l="$layer" -v p="$path" '
					$1 == "cnn" && $2 == l {
						ob = $NF ~ /%$/
						if (ob) w = p == "avx512" ? $(NF - 4) : $(NF - 3)
						else w = p == "avx512" ? $(NF - 2) : $(NF - 1)
						if (w > 0) { sw += 1 / w; nw++ }
						if (ob && $(NF - 1) > 0) { so += 1 / $(NF - 1); no++ }
					}
					END { printf "%s %s\n", nw ? nw / sw : 0, no ? no / so : 0 }')
				[ "$(calc "($1 > 0)")" = 1 ] &&
					line="$line; $(printf "winit's GEMM on its products %.1f (%.0f%%)" "$1" \
						"$(calc "100 * $g / $1")")"
				[ "$(calc "($2 > 0)")" = 1 ] &&
					line="$line; $(printf 'OpenBLAS %.1f (%.0f%%)' "$2" "$(calc "100 * $g / $2")")"
			fi
			echo "$line"
		done
	done
	echo "   (conv1's products are 9 deep: memory-bound in any library; the layer's time also"
	echo "   holds im2col's copies, the pooling, the 10-unit Dense and Adam, its count only the"
	echo "   convolution)"
	echo
fi

[ -n "$outdir" ] && echo && echo "results files and logs kept in $work"
exit 0
