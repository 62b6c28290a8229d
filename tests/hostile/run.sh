#!/bin/sh
# tests/hostile/run.sh -- the hostile harness: what a hostile but realistic user tries,
# against a built winit, each attempt classified (HACKING.md).  Not part of make check.
#
#   tests/hostile/run.sh [-b SECONDS] [-s SEED] [-c CLASSES] [-o OUT] BUILD_DIR
#
# BUILD_DIR is a configured and built tree (its winit; `make check TESTS=` there builds
# the test plugins).  CLASSES (comma-separated, default all): data lua results model
# paths kills plugins; the budget (default 900 s) is shared among them.  OUT (default
# ./hostile-out) gets attempts.tsv (one line per attempt), table.md (the counts), and
# findings/ (for every attempt not "clear" or "ok": its inputs, output and repro.sh).
# Exit status 0 when every attempt was a clear error or ok, 1 otherwise.  Runs nice'd.
set -eu
budget=900 seed=1 classes=data,lua,results,model,paths,kills,plugins out=./hostile-out
while getopts b:s:c:o: o; do
	case $o in
	b) budget=$OPTARG ;; s) seed=$OPTARG ;; c) classes=$OPTARG ;; o) out=$OPTARG ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,13p' "$0"; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ -x "$build/winit" ] || { echo "run.sh: no $build/winit" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec nice -n 10 python3 -B "$here/hostile.py" --winit "$build/winit" --build "$build" \
	--src "$src" --out "$out" --budget "$budget" --seed "$seed" --classes "$classes"
