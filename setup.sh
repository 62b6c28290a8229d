#!/bin/sh
# setup.sh -- install winit's dependencies (Debian 12 packages), build, and then either
# run the seed study or the test suite.
#
#   ./setup.sh run     install, build in build/, run scripts/compare_inits.lua
#   ./setup.sh check   install (with chromium, python3 and NumPy for the report and .npy
#                      tests), build in build/, run `make check`, 20 s of each fuzz
#                      harness (`make fuzz`), the MPI tests in a build configured
#                      --with-mpi and a test-only prefix (build-mpi/), installed there
#                      first for the plugin-search tests, the same tests under ASan+UBSan
#                      (build-sanitizers/), and `make distcheck`
#   ./setup.sh deps    only install the Debian packages
#
# Packages are installed with apt-get (through sudo when not root) only when missing.
# Extra arguments after `run` go to the script, e.g. ./setup.sh run --seed 7.
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config liblua5.4-dev lua5.4 \
zlib1g-dev libdeflate-dev libjansson-dev check dataset-fashion-mnist man-db python3"
# `check` also fuzzes the IDX, .npy, results and saved-model readers and the Lua binding, 20 s per
# harness (make fuzz): clang +
# libFuzzer; the report's tests parse its XML and read screenshots with python3, and render
# it in headless chromium; tests/npy.sh reads files NumPy writes (python3-numpy); the MPI
# tests run in a build configured --with-mpi (Open MPI).
CHECK_PACKAGES="clang libfuzzer-14-dev python3 python3-numpy chromium libopenmpi-dev openmpi-bin"

here=$(cd "$(dirname "$0")" && pwd)
build="$here/build"

say() { printf 'setup: %s\n' "$*"; }

install_deps() { # [EXTRA PACKAGES...]
	missing=
	for p in $PACKAGES "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		say "all Debian packages present"
		return
	fi
	say "installing:$missing"
	if [ "$(id -u)" = 0 ]; then
		SUDO=
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		say "need root to install:$missing (run as root, or install sudo)" >&2
		exit 1
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

build() {
	cd "$here"
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		say "autoreconf"
		autoreconf -fi
	fi
	mkdir -p "$build"
	cd "$build"
	if [ ! -f Makefile ]; then
		say "configure"
		"$here/configure" -q
	fi
	say "make"
	make -j"$(nproc)" >/dev/null
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case $cmd in
deps)
	install_deps
	;;
run)
	install_deps
	build
	cd "$here"
	say "running scripts/compare_inits.lua"
	exec "$build/winit" run scripts/compare_inits.lua "$@"
	;;
check)
	PACKAGES="$PACKAGES $CHECK_PACKAGES"
	install_deps
	build
	cd "$build"
	say "make check"
	status=0
	make -j"$(nproc)" check || status=$?
	# One closing line over every Check case and scripted check, from the test logs.
	cat tests/*.log tests/fuzz/*.log | awk '
		/^[0-9]+%: Checks: / { gsub(",", ""); n += $3; f += $5 + $7 }
		/^[0-9]+ passed, [0-9]+ failed$/ { n += $1 + $3; f += $3 }
		END { printf "tests: %d passed, %d failed\n", n - f, f }'
	[ "$status" -eq 0 ] || exit "$status"
	if command -v clang >/dev/null 2>&1; then
		say "make fuzz FUZZ_SECONDS=20"
		make fuzz FUZZ_SECONDS=20 >fuzz.log 2>&1 || { tail -n 40 fuzz.log; say "fuzzing found a crash"; exit 1; }
		grep '^stat::number_of_executed_units' fuzz.log
	else
		say "clang not found: fuzzing skipped (install clang libfuzzer-14-dev)"
	fi
	# One extra configuration, not a second matrix: only what MPI changes runs there.  The
	# same build is installed into its configured prefix first: an installed copy must
	# never interfere with the build tree's winit (the plugin-search tests run from it).
	say "make check --with-mpi after make install into its prefix (the wire, MPI, plugin-search and theory-under-mpirun tests)"
	mkdir -p "$here/build-mpi"
	(cd "$here/build-mpi" &&
		{ grep -qx "prefix = $here/build-mpi/prefix" Makefile 2>/dev/null ||
			"$here/configure" -q --with-mpi --prefix="$here/build-mpi/prefix"; } &&
		make -j"$(nproc)" >/dev/null && make install >/dev/null &&
		make -j"$(nproc)" check TESTS="tests/check_wire tests/mpi.sh tests/check_registry tests/cli.sh tests/width.sh tests/trainability.sh" >/dev/null 2>&1) ||
		{ tail -n 40 "$here"/build-mpi/tests/*.log; say "MPI or installed-prefix run failed"; exit 1; }
	grep -h '^[0-9]*%: Checks\|passed, .* failed$' "$here/build-mpi/tests/mpi.sh.log" \
		"$here"/build-mpi/tests/check_registry.log "$here"/build-mpi/tests/cli.sh.log \
		"$here"/build-mpi/tests/width.sh.log "$here"/build-mpi/tests/trainability.sh.log
	say "make check under AddressSanitizer and UBSan"
	mkdir -p "$here/build-sanitizers"
	(cd "$here/build-sanitizers" &&
		{ [ -f Makefile ] || "$here/configure" -q --enable-sanitizers; } &&
		make -j"$(nproc)" >/dev/null &&
		make -j"$(nproc)" check >/dev/null 2>&1) ||
		{ tail -n 40 "$here"/build-sanitizers/tests/*.log; say "sanitizer run failed"; exit 1; }
	say "make distcheck"
	make -j"$(nproc)" distcheck >distcheck.log 2>&1 || { tail -n 60 distcheck.log; exit 1; }
	tail -n 4 distcheck.log
	;;
*)
	echo "usage: ./setup.sh [run|check|deps] [script args...]" >&2
	exit 2
	;;
esac
