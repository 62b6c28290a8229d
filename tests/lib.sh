# tests/lib.sh -- what the scripted tests share, sourced after `set -u` with the test's
# name in $test_name:
#
#   test_name=cli
#   . "$top_srcdir/tests/lib.sh"
#
# It sets $winit (the build's winit), $src (the source tree) and $tmp (a scratch directory
# removed on exit), turns the progress line off, and defines
#   ok NAME / no NAME   one "ok - " / "not ok - " line, counted (no also shows $tmp/out)
#   expect NAME STATUS PATTERN -- COMMAND...
#                       the command's exit status, and PATTERN (a grep BRE) in its stdout
#                       and stderr
#   finish              the summary line; its status is the test's (0: nothing failed)
winit="$top_builddir/winit"
src="$top_srcdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winit-$test_name-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export WINIT_NO_PROGRESS=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() {
	fail=$((fail + 1))
	echo "not ok - $1"
	[ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | head -30
}
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then no "$name (exit $got, wanted $want)"; return; fi
	if ! grep -q -- "$pat" "$tmp/out"; then no "$name (no '$pat' in output)"; return; fi
	ok "$name"
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
