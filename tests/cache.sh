#!/bin/sh
# tests/cache.sh -- the dataset cache end to end, on the real Fashion-MNIST: a study's
# results file is the same without the cache, with a cold one (which it fills: one file
# per split) and a warm one, with `--no-cache` (which leaves no cache behind), with an
# unwritable cache directory (silently no cache) and with a damaged cache file (rebuilt).
set -u
test_name=cache
. "$top_srcdir/tests/lib.sh"
data=${WINIT_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -d "$data" ]; then
	echo "not ok - Fashion-MNIST not found at $data: install it with" \
		"\`apt-get install dataset-fashion-mnist\` (or set WINIT_FASHION_MNIST_DIR)"
	exit 1
fi
# A results file without what depends on the machine or the moment.
strip() { grep -v -e '"seconds":' -e '"generator":' -e '"kernels":' "$1"; }
# study NAME [winit run options]: one 1-epoch run on the real data, saved to $tmp/NAME.json;
# stderr kept in $tmp/NAME.err.
study() {
	name=$1
	shift
	"$winit" run -j 1 "$@" "$src/tests/lua/small_study.lua" "$data" "$tmp/$name.json" 1 1 off \
		>"$tmp/out" 2>"$tmp/$name.err"
	st=$?
	cat "$tmp/$name.err" >>"$tmp/out"
	[ $st -eq 0 ] || { no "$name: winit run exits 0 (got $st)"; return 1; }
	strip "$tmp/$name.json" >"$tmp/$name.txt"
	if cmp -s "$tmp/plain.txt" "$tmp/$name.txt"; then
		ok "$name: the results file equals the one without a cache"
	else
		no "$name: the results file equals the one without a cache"
		diff "$tmp/plain.txt" "$tmp/$name.txt" | head -6 | sed 's/^/#   /'
	fi
}

WINIT_NO_CACHE=1 WINIT_CACHE_DIR="$tmp/never" "$winit" run -j 1 "$src/tests/lua/small_study.lua" \
	"$data" "$tmp/plain.json" 1 1 off >"$tmp/out" 2>&1 || no "the study without a cache"
strip "$tmp/plain.json" >"$tmp/plain.txt"
[ ! -e "$tmp/never" ] && ok "WINIT_NO_CACHE=1: no cache directory" ||
	no "WINIT_NO_CACHE=1: no cache directory"

export WINIT_CACHE_DIR="$tmp/cache"
study cold
n=0
for f in "$tmp/cache"/train-images-idx3-ubyte.gz.*.cache "$tmp/cache"/t10k-images-idx3-ubyte.gz.*.cache; do
	[ -f "$f" ] && n=$((n + 1))
done
set -- "$tmp/cache"/*
[ "$n" -eq 2 ] && [ $# -eq 2 ] &&
	ok "a cold cache gets one file per split, no temporary left" ||
	no "a cold cache gets one file per split, no temporary left ($*)"
set -- "$tmp/cache"/train-images-idx3-ubyte.gz.*.cache
train=$1
# 4 KiB of header, 60000 images of 784 pixels, 60000 labels.
[ "$(wc -c <"$train")" -eq $((4096 + 60000 * 784 + 60000)) ] &&
	ok "the training split's cache file has its size" || no "the training split's cache file has its size"
cp "$train" "$tmp/good.cache"
inode() { stat -c %i "$1"; }
before=$(inode "$train")
study warm
[ "$(inode "$train")" = "$before" ] && ok "a warm cache is read, not written again" ||
	no "a warm cache is read, not written again"

WINIT_CACHE_DIR="$tmp/off" study nocache --no-cache
[ ! -e "$tmp/off" ] && ok "--no-cache: no cache directory" || no "--no-cache: no cache directory"

: >"$tmp/file"
WINIT_CACHE_DIR="$tmp/file/winit" study unwritable
[ -s "$tmp/unwritable.err" ] && no "an unwritable cache directory is silent" ||
	ok "an unwritable cache directory is silent"

# One pixel of the cache changed: not believed, and the file is written anew.
printf 'X' | dd of="$train" bs=1 seek=$((4096 + 1000000)) conv=notrunc 2>/dev/null
cmp -s "$train" "$tmp/good.cache" && no "the cache file was damaged for the test"
before=$(inode "$train")
study damaged
[ "$(inode "$train")" != "$before" ] && cmp -s "$train" "$tmp/good.cache" && ok "a damaged cache file is rebuilt" ||
	no "a damaged cache file is rebuilt"
finish
