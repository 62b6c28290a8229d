#!/bin/sh
# tests/write_devices.sh -- every writer (tests/writers_lib.sh) against a device node of
# our own, made with mknod in the scratch directory: refused with the reason, also with
# --force / overwrite = true, and left a device.  Then, as the issue reported them, the
# machine's /dev/null (winit report -o) and /dev/full (winit merge), each only after the
# same writer left our own node alone, so a broken build can never replace them.
# Needs root (mknod): skipped otherwise, with the reason, exit 77.
set -u
probe=$(mktemp -d "${TMPDIR:-/tmp}/winit-mknod-XXXXXX")
if ! mknod "$probe/null" c 1 3 2>"$probe/err"; then
	echo "SKIP: device cases need mknod: $(cat "$probe/err") (run as root)"
	rm -rf "$probe"
	exit 77
fi
rm -rf "$probe"
test_name=write_devices
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/writers_lib.sh"

for w in $writers; do
	d="$tmp/w-$w"
	mkdir "$d"
	n=$(node "$w" "$d/dev")
	mknod "$n" c 1 3
	f0=$fail
	expect "$w: a device is refused" 1 "cannot write .*: it is a device, not a regular file" -- run_writer "$w" "$d/dev"
	expect "$w: a device is refused when forced" 1 "cannot write .*: it is a device, not a regular file" -- run_writer "$w" "$d/dev" force
	[ -c "$n" ] && ok "$w: the device is left alone" || no "$w: the device is left alone"
	[ "$fail" -eq "$f0" ] && eval "dev_safe_$w=1"
	# A link to a device is a device.
	l=$(node "$w" "$d/devlink")
	ln -s "$n" "$l"
	expect "$w: a link to a device is refused" 1 "(a link to $n): cannot write .*: it is a device" -- run_writer "$w" "$d/devlink" force
	[ -c "$n" ] && [ -L "$l" ] && ok "$w: the device and the link are left alone" || no "$w: the device and the link are left alone"
done

if [ "${dev_safe_cli_report:-0}" -eq 1 ] && [ -c /dev/null ]; then
	expect "winit report -o /dev/null is refused" 1 "/dev/null: cannot write the report: it is a device" -- \
		"$winit" report "$tmp/own.json" -o /dev/null
	[ -c /dev/null ] && ok "/dev/null is still a device" || no "/dev/null is still a device"
else
	no "/dev/null not tried: winit report did not leave a device node of our own alone"
fi
if [ "${dev_safe_cli_merge:-0}" -eq 1 ] && [ -c /dev/full ]; then
	expect "winit merge /dev/full is refused" 1 "/dev/full: cannot write results: it is a device" -- \
		"$winit" merge /dev/full "$tmp/own.json"
	[ -c /dev/full ] && ok "/dev/full is still a device" || no "/dev/full is still a device"
else
	no "/dev/full not tried: winit merge did not leave a device node of our own alone"
fi

finish
