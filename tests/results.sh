#!/bin/sh
# tests/results.sh -- the results file from the command line: what may be at --out (a
# regular file, a link to one, nothing) is checked before anything trains; a directory
# or a device is refused and left as it was; a link keeps pointing at its updated
# target; a write that fails (a file size limit: EFBIG; a full tmpfs: ENOSPC) stops the
# study at once with the reason, and the file keeps the runs saved before.  Then every
# writer (winit/safe_write.h: study saves, model:save, save_weights, results:save,
# results:report with and without figures, write_csv, winit.plot.page, winit merge,
# winit report and its --csv) against a FIFO, a directory, a link to a file
# outside, an existing script: each refused and left as it was, the script replaced
# only with --force / overwrite = true; winit's own file of the kind rewritten freely
# (devices: tests/write_devices.sh).
set -u
test_name=results
. "$top_srcdir/tests/lib.sh"
trained() { grep -q "Epoch" "$tmp/out"; }
study() { # OUT [RUNS [EPOCHS]]
	"$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" "$@"
}

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"

# A directory at the path: refused before training, left alone.
mkdir "$tmp/adir"
touch "$tmp/adir/keep"
expect "a directory is refused up front" 1 "adir: cannot write results: it is a directory" -- study "$tmp/adir"
trained && no "nothing trained before refusing a directory" || ok "nothing trained before refusing a directory"
[ -d "$tmp/adir" ] && [ -f "$tmp/adir/keep" ] && ok "the directory is untouched" || no "the directory is untouched"

# A device: one of our own first (mknod, as root), then /dev/null itself.
if mknod "$tmp/null.json" c 1 3 2>"$tmp/mknod.err"; then
	expect "a device is refused up front" 1 "null.json: cannot write results: it is a device" -- study "$tmp/null.json"
	[ -c "$tmp/null.json" ] && ok "the device node is untouched" || no "the device node is untouched"
	if [ -c "$tmp/null.json" ]; then
		expect "/dev/null is refused up front" 1 "/dev/null: cannot write results: it is a device" -- study /dev/null
		trained && no "nothing trained before refusing /dev/null" || ok "nothing trained before refusing /dev/null"
		[ -c /dev/null ] && ok "/dev/null is still a device" || no "/dev/null is still a device"
	fi
else
	echo "# device cases skipped: mknod: $(cat "$tmp/mknod.err") (needs root)"
fi
mkfifo "$tmp/fifo.json"
expect "a FIFO is refused up front" 1 "fifo.json: cannot write results: it is a FIFO" -- study "$tmp/fifo.json"
[ -p "$tmp/fifo.json" ] && ok "the FIFO is untouched" || no "the FIFO is untouched"

# A symbolic link: the target (an earlier results file) is written, the link stays.
mkdir "$tmp/real"
printf '{\n  "format": "winit-results",\n  "version": 2,\n  "runs": []\n}\n' >"$tmp/real/r.json"
ln -s real/r.json "$tmp/link.json"
expect "a study saved through a link" 0 "random_normal" -- study "$tmp/link.json"
[ -L "$tmp/link.json" ] && ok "the link is kept" || no "the link is kept"
n=$(grep -c '"status": "ok"' "$tmp/real/r.json")
[ "$n" -eq 4 ] && ok "the link's target holds the four runs" || no "the link's target holds the four runs ($n)"

# Every writer, through the one safe-write path (tests/writers_lib.sh; devices in
# tests/write_devices.sh, which needs root).
. "$top_srcdir/tests/writers_lib.sh"
mkdir "$tmp/outside"
for w in $writers; do
	d="$tmp/w-$w"
	mkdir "$d"
	# winit's own file of the kind: written, then rewritten without --force.
	expect "$w: writes a new file" 0 "" -- run_writer "$w" "$d/own"
	expect "$w: rewrites its own file without --force" 0 "" -- run_writer "$w" "$d/own"
	n=$(node "$w" "$d/fifo")
	mkfifo "$n"
	expect "$w: a FIFO is refused, without hanging" 1 "cannot write .*: it is a FIFO, not a regular file" -- run_writer "$w" "$d/fifo" force
	[ -p "$n" ] && ok "$w: the FIFO is left alone" || no "$w: the FIFO is left alone"
	n=$(node "$w" "$d/dir")
	mkdir "$n"
	touch "$n/keep"
	expect "$w: a directory is refused" 1 "cannot write .*: it is a directory, not a regular file" -- run_writer "$w" "$d/dir" force
	[ -f "$n/keep" ] && ok "$w: the directory is left alone" || no "$w: the directory is left alone"
	# A link to a file outside that is not of the kind: refused, naming both; forced, the
	# file it names is replaced and the link stays.
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tmp/outside/$w"
	cp "$tmp/outside/$w" "$tmp/outside/$w.orig"
	n=$(node "$w" "$d/link")
	ln -s "$tmp/outside/$w" "$n"
	expect "$w: a link to a foreign file is refused" 1 "(a link to $tmp/outside/$w): cannot write .*: the file exists and is not " -- run_writer "$w" "$d/link"
	cmp -s "$tmp/outside/$w" "$tmp/outside/$w.orig" && ok "$w: the linked file is kept byte for byte" || no "$w: the linked file is kept byte for byte"
	expect "$w: forced through a link" 0 "" -- run_writer "$w" "$d/link" force
	[ -L "$n" ] && ! cmp -s "$tmp/outside/$w" "$tmp/outside/$w.orig" && ok "$w: forced, the link stays and its file is replaced" \
		|| no "$w: forced, the link stays and its file is replaced"
	# An existing script: refused and kept, replaced with --force / overwrite = true.
	n=$(node "$w" "$d/victim.lua")
	printf -- '-- a script\nprint("keep me")\n' >"$n"
	cp "$n" "$tmp/victim.orig"
	expect "$w: an existing script is refused" 1 "victim.lua.*: cannot write .*: the file exists and is not .*; it starts with \"-- a script" -- run_writer "$w" "$d/victim.lua"
	cmp -s "$n" "$tmp/victim.orig" && ok "$w: the script is kept byte for byte" || no "$w: the script is kept byte for byte"
	expect "$w: replaces the script when forced" 0 "" -- run_writer "$w" "$d/victim.lua" force
	cmp -s "$n" "$tmp/victim.orig" && no "$w: the script is replaced when forced" || ok "$w: the script is replaced when forced"
	expect "$w: then rewrites it without --force" 0 "" -- run_writer "$w" "$d/victim.lua"
	ls "$d" | grep -q "\.tmp\." && no "$w: no temporary file left" || ok "$w: no temporary file left"
done

# winit run --force is every Lua writer's overwrite default.
printf -- '-- a script\n' >"$tmp/victim2.lua"
expect "winit run --force lets a study replace a script" 0 "written: study" -- \
	timeout 60 "$winit" run --force "$src/tests/lua/writers.lua" study "$tmp/victim2.lua"
grep -q '"format": "winit-results"' "$tmp/victim2.lua" && ok "the script now holds the results" || no "the script now holds the results"
printf -- '-- a script\n' >"$tmp/victim3.lua"
expect "winit run --force lets a page replace a script" 0 "written: page" -- \
	timeout 60 "$winit" run --force "$src/tests/lua/writers.lua" page "$tmp/victim3.lua"
cat >"$tmp/bad_overwrite.lua" <<'LUA'
local winit = require "winit"
local m = winit.Sequential { winit.layers.Flatten { input_shape = { 2 } }, winit.layers.Dense { 2, activation = "softmax" } }
m:compile { optimizer = "adam" }
m:save_weights(arg[1], { overwrite = "yes" })
LUA
expect "overwrite must be a boolean" 1 "save_weights: option 'overwrite' must be true or false, got string" -- \
	"$winit" run "$tmp/bad_overwrite.lua" "$tmp/never.bin"
[ -e "$tmp/never.bin" ] && no "nothing written with a bad overwrite" || ok "nothing written with a bad overwrite"

# A stale temporary file of a killed writer (a PID that is gone) is removed.
sh -c 'exit 0' &
dead=$!
wait $dead
echo "{" >"$tmp/s.json.tmp.$dead"
expect "a study next to a stale temporary file" 0 "glorot_normal" -- study "$tmp/s.json" 1
[ -e "$tmp/s.json.tmp.$dead" ] && no "the stale temporary file is removed" || ok "the stale temporary file is removed"

# A write that fails: a file size limit that one run's file fits under and two runs'
# does not.  The study stops at the second save, runs 3 and 4 never start, the file
# keeps run 1, and the message gives strerror's text.
if ! command -v prlimit >/dev/null 2>&1; then
	echo "# failed-write cases skipped: no prlimit (Debian util-linux)"
else
	study "$tmp/one.json" 1 >/dev/null 2>&1
	size=$(wc -c <"$tmp/one.json")
	limit=$((size + size / 2))
	{ prlimit --fsize=$limit "$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" \
		"$tmp/full.json" 4; echo "exit=$?"; } 2>&1 | cat >"$tmp/out"
	grep -q "^exit=1$" "$tmp/out" && ok "a failed write exits 1" || no "a failed write exits 1"
	grep -q "full.json: cannot write results (write failed): File too large; the study stopped (the file keeps the 1 run saved before)" "$tmp/out" \
		&& ok "a failed write names the file and the reason" || no "a failed write names the file and the reason"
	grep -q "\[r3\]\|\[r4\]" "$tmp/out" && no "no run starts after a failed write" || ok "no run starts after a failed write"
	n=$(grep -c '"status": "ok"' "$tmp/full.json")
	[ "$n" -eq 1 ] && ok "the file keeps the run saved before" || no "the file keeps the run saved before ($n)"
	tail -c 2 "$tmp/full.json" | grep -q "}" && ok "the file is whole" || no "the file is whole"
	ls "$tmp" | grep -q "full.json.tmp" && no "no temporary file left after a failed write" || ok "no temporary file left after a failed write"
	# The very first save fails: nothing of the study is on disk, and it says so.
	{ prlimit --fsize=100 "$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" \
		"$tmp/none.json" 4; echo "exit=$?"; } 2>&1 | cat >"$tmp/out"
	grep -q "^exit=1$" "$tmp/out" && grep -q "none.json: cannot write results (write failed): File too large; the study stopped before any run could be saved" "$tmp/out" \
		&& ok "a failed first save says no run was saved" || no "a failed first save says no run was saved"
	[ -e "$tmp/none.json" ] && no "no file after a failed first save" || ok "no file after a failed first save"
	grep -q "^\[r2\]" "$tmp/out" && no "no run starts after a failed first save" || ok "no run starts after a failed first save"
fi

# A full disk, for real: a 24 KiB tmpfs (root only; skipped with the reason otherwise).
# One run of 40 epochs without diagnostics writes about 10 KiB (3 pages), two about 20 KiB:
# the second save finds no space while the first file is still there.
mkdir "$tmp/mnt"
if mount -t tmpfs -o size=24k tmpfs "$tmp/mnt" 2>"$tmp/mount.err"; then
	trap 'umount "$tmp/mnt" 2>/dev/null; rm -rf "$tmp"' EXIT
	"$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" "$tmp/mnt/r.json" 4 40 off >"$tmp/out" 2>&1
	got=$?
	[ "$got" -eq 1 ] && ok "a full disk exits 1" || no "a full disk exits 1 (got $got)"
	grep -q "r.json: cannot write results (write failed): No space left on device; the study stopped (the file keeps the 1 run saved before)" "$tmp/out" \
		&& ok "a full disk is named with the system's reason" || no "a full disk is named with the system's reason"
	grep -q "^\[r3\]" "$tmp/out" && no "no run starts after the disk is full" || ok "no run starts after the disk is full"
	n=$(grep -c '"status": "ok"' "$tmp/mnt/r.json")
	[ "$n" -eq 1 ] && ok "the full disk keeps the run saved before" || no "the full disk keeps the run saved before ($n)"
	ls "$tmp/mnt" | grep -q "\.tmp\." && no "no temporary file left on the full disk" || ok "no temporary file left on the full disk"
	umount "$tmp/mnt"
else
	echo "# full-disk cases skipped: mount -t tmpfs: $(cat "$tmp/mount.err") (needs root)"
fi

finish
