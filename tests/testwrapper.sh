#!/bin/sh
# Runs one test program; under $VALGRIND when WINIT_VALGRIND=1 (`make check-valgrind` sets
# both, and refuses to start without valgrind).  Shell tests (*.sh) run under sh.
prog=$1; shift
case $prog in
*.sh) exec ${SHELL:-/bin/sh} "$prog" "$@" ;;
esac
if [ "${WINIT_VALGRIND:-0}" = 1 ]; then
	exec "${top_builddir:-.}/libtool" --mode=execute "${VALGRIND:-valgrind}" --quiet --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite --trace-children=yes \
		--suppressions="${top_srcdir:-.}/tests/valgrind.supp" "$prog" "$@"
fi
exec "$prog" "$@"
