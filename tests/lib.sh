# tests/lib.sh -- what the scripted tests share, sourced after `set -u` with the test's
# name in $test_name:
#
#   test_name=cli
#   . "$top_srcdir/tests/lib.sh"
#
# It sets $winit (the build's winit), $src (the source tree) and $tmp (a scratch directory
# removed on exit), turns the progress line off, and defines
#   ok NAME / no NAME   one "ok - " / "not ok - " line, counted; no also shows $no_file
#                       when it exists: its first $no_lines lines, or its last with
#                       no_from=tail (a test may set these after sourcing)
#   expect NAME STATUS PATTERN -- COMMAND...
#                       the command's exit status, and PATTERN (a grep BRE) in its stdout
#                       and stderr
#   mpi_why_not         why `mpirun -np 2 winit` cannot run here (stdout; status 1: no
#                       MPI in winit, 2: no mpirun), nothing and 0 when it can
#   mpi_np2 ARGS...     `winit run -j 1 ARGS...` under `mpirun -np 2` (no binding to
#                       cores), output in $tmp/out, status in $got; returns 0 when it
#                       ran and exited 0, 1 when it ran and failed, 2 when it was not
#                       checked: a build without MPI (said, not a failure) or one with
#                       MPI but no mpirun (a failure)
#   finish              the summary line; its status is the test's (0: nothing failed)
# A test that must skip (exit 77) before any of this, or re-exec itself under another
# shell, does so before sourcing.
# shellcheck disable=SC2034 # $winit and $src are for the test that sources this
winit="$top_builddir/winit"
# shellcheck disable=SC2034
src="$top_srcdir"
# shellcheck disable=SC2154 # set by the test
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winit-$test_name-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export WINIT_NO_PROGRESS=1
pass=0 fail=0
no_file="$tmp/out" no_lines=30 no_from=head
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() {
	fail=$((fail + 1))
	echo "not ok - $1"
	if [ -f "$no_file" ]; then sed 's/^/#   /' "$no_file" | "$no_from" -n "$no_lines"; fi
	return 0 # `A && no X || ok X` must not count X twice
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
# Why `mpirun -np 2 winit` cannot run here, on stdout: status 1 without MPI in winit, 2
# without mpirun; 0 (nothing said) when it can.
mpi_why_not() {
	if "$winit" --version | grep -q 'no MPI'; then
		echo "winit was built without MPI (configure --with-mpi)"
		return 1
	fi
	if ! command -v mpirun >/dev/null 2>&1; then
		echo "winit is built with MPI but mpirun is not on PATH (apt-get install openmpi-bin)"
		return 2
	fi
}
mpi_np2() {
	why=$(mpi_why_not)
	case $? in
	1) echo "# mpirun -np 2 not checked: $why; tests/mpi.sh skips too"; return 2 ;;
	2) no "$why"; return 2 ;;
	esac
	timeout -k 10 120 mpirun --oversubscribe --allow-run-as-root --bind-to none -np 2 "$winit" run -j 1 "$@" \
		>"$tmp/out" 2>&1
	got=$?
	[ "$got" -eq 0 ] || return 1
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
