#!/bin/sh
# Runs one test program; under valgrind when WINIT_VALGRIND=1 and valgrind is present
# (`make check-valgrind` sets it).  Shell tests (*.sh) run under sh.
prog=$1; shift
case $prog in
*.sh) exec ${SHELL:-/bin/sh} "$prog" "$@" ;;
esac
if [ "${WINIT_VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	exec "${top_builddir:-.}/libtool" --mode=execute valgrind --quiet --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite --trace-children=yes \
		--suppressions="${top_srcdir:-.}/tests/valgrind.supp" "$prog" "$@"
fi
exec "$prog" "$@"
