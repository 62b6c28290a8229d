#!/bin/sh
# tests/install.sh -- installing winit.
#
# Under `make check` (no argument): `make install prefix=DIR` into a fresh directory, as
# GNU users do, without reconfiguring: every part lands under DIR (the Lua module
# included: libtool used to refuse it) and the installed binary runs.
#
# Under `make installcheck` (argument: the configured prefix's bindir; distcheck runs it
# after installing into a temporary prefix): the installed winit alone, away from the
# build tree: it and the Lua module load the installed libwinit.so (readelf, ldd) and
# define none of its functions (nm), it lists only the installed plugins and runs the installed compare_inits.lua
# by its bare name on generated data; the man page, the completion, the examples and the
# Lua module are in place.
set -u
test_name=install
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=20 # make's last words
unset WINIT_PLUGIN_PATH WINIT_BUILD_PLUGIN_DIRS

if [ $# -eq 0 ]; then
	p="$tmp/prefix"
	if ${MAKE:-make} -s -C "$top_builddir" install prefix="$p" >"$tmp/out" 2>&1; then
		ok "make install prefix=DIR"
	else
		no "make install prefix=DIR"
	fi
	for f in bin/winit lib/lua/5.4/winit.so lib/winit/plugins/he_normal.so \
		lib/pkgconfig/winit.pc include/winit/plugin.h share/man/man1/winit.1 \
		share/bash-completion/completions/winit share/doc/winit/LICENSE \
		share/doc/winit/examples/example_plugin.c share/doc/winit/examples/example.lua \
		share/winit/scripts/compare_inits.lua; do
		[ -f "$p/$f" ] && ok "installed $f" || no "installed $f"
	done
	"$p/bin/winit" --version >"$tmp/out" 2>&1 && grep -q "^winit $PACKAGE_VERSION" "$tmp/out" \
		&& ok "the installed winit runs" || no "the installed winit runs"
	# Nothing installed names the build tree, debug information included (its
	# DW_AT_comp_dir is ".": configure's -fdebug-prefix-map).
	for f in bin/winit lib/libwinit.so lib/lua/5.4/winit.so lib/winit/plugins/he_normal.so; do
		grep -a -q -F "$top_builddir" "$p/$f" &&
			no "installed $f names the build tree $top_builddir" ||
			ok "installed $f does not name the build tree"
	done
	# The installation moved away from configure's prefix: the installed winit finds its
	# plugins, scripts and module where it now is (the checks installcheck runs).
	if ${SHELL:-sh} "$0" "$p/bin" >"$tmp/moved" 2>&1; then
		ok "winit installed with prefix=DIR works there ($(tail -n 1 "$tmp/moved"))"
	else
		no "winit installed with prefix=DIR works there"
		grep '^not ok' "$tmp/moved" | sed 's/^/#   /'
	fi
	# A prefix inside the build tree (issue 24, item 11): the installed winit is still an
	# installed one, with only PREFIX/lib/winit/plugins on its search path, not the build
	# tree's plugins (uninstalled is told by where the binary runs, not by a path prefix).
	inner=$(mktemp -d "$top_builddir/tests/install-inner-XXXXXX")
	if ${MAKE:-make} -s -C "$top_builddir" install prefix="$inner" >"$tmp/out" 2>&1; then
		ok "make install prefix=DIR inside the build tree"
	else
		no "make install prefix=DIR inside the build tree"
	fi
	"$inner/bin/winit" list >"$tmp/inner" 2>&1
	n=$(grep -c '\.so$' "$tmp/inner")
	others=$(grep '\.so$' "$tmp/inner" | grep -v -c " $inner/lib/winit/plugins/")
	[ "$n" -gt 20 ] && [ "$others" -eq 0 ] &&
		ok "installed inside the build tree: $n plugins, all from $inner/lib/winit/plugins" ||
		no "installed inside the build tree: $others of $n plugins from elsewhere: $(grep '\.so$' "$tmp/inner" | grep -v " $inner/" | head -n 1)"
	rm -rf "$inner"
	finish
	exit
fi

bindir=$1 prefix=$(dirname "$1")
winit="$bindir/winit"
cd "$tmp" || exit 1
# The engine is installed once: winit and the Lua module need the installed libwinit.so,
# find it from where they are (a run path relative to $ORIGIN: no LD_LIBRARY_PATH, no
# ldconfig, also after `make install prefix=DIR`), and define none of its functions (code:
# nm's T, W and i; its exported tables are copied into winit by the dynamic linker).
lib="$prefix/lib/libwinit.so.0"
cmod=$(find "$prefix" -name winit.so -path '*lua*' | head -n 1)
api=$(nm -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TWi]$/ && $3 ~ /^winit_/ { sub(/@.*/, "", $3); print $3 }' | sort -u)
printf '%s\n' "$api" >"$tmp/api"
n_api=$(grep -c . "$tmp/api")
for obj in "$winit:main" "$cmod:luaopen_winit"; do
	own=${obj##*:} obj=${obj%:*} name=${obj#"$prefix"/}
	readelf -d "$obj" 2>&1 | grep -q 'NEEDED.*\[libwinit\.so\.0\]' &&
		ok "$name needs libwinit.so.0" || no "$name needs libwinit.so.0 (readelf -d: $(readelf -d "$obj" 2>&1 | grep -c NEEDED) NEEDED, not it)"
	got=$(env -u LD_LIBRARY_PATH ldd "$obj" 2>&1 | awk '$1 == "libwinit.so.0" { print $3 }')
	[ -n "$got" ] && [ "$(realpath "$got" 2>/dev/null)" = "$(realpath "$lib")" ] &&
		ok "$name loads $lib without LD_LIBRARY_PATH" || no "$name loads $lib without LD_LIBRARY_PATH (ldd: '${got:-not needed or not found}')"
	nm --defined-only "$obj" >"$tmp/syms" 2>&1
	if [ "$n_api" -lt 100 ] || ! awk '{ print $3 }' "$tmp/syms" | grep -q -x "$own"; then
		no "$name: cannot compare symbol tables ($n_api functions in $lib; $own not in $name's)"
		continue
	fi
	dup=$(awk '$2 ~ /^[TtWi]$/ { print $3 }' "$tmp/syms" | sort -u | comm -12 - "$tmp/api")
	[ -z "$dup" ] && ok "$name defines none of libwinit's $n_api functions" ||
		no "$name defines $(printf '%s\n' "$dup" | wc -l) of libwinit's functions itself ($(printf '%s\n' "$dup" | head -n 3 | tr '\n' ' '))"
done
"$winit" list >"$tmp/out" 2>"$tmp/err"
n=$(grep -c '\.so$' "$tmp/out")
[ "$n" -gt 20 ] && ok "winit list finds the installed plugins ($n)" || no "winit list finds plugins ($n)"
others=$(grep '\.so$' "$tmp/out" | grep -v -c " $prefix/")
[ "$others" -eq 0 ] && ok "winit list shows only plugins under $prefix" || no "$others plugins from elsewhere"
[ -s "$tmp/err" ] && no "winit list warns: $(head -1 "$tmp/err")" || ok "winit list: no warnings"
if "$winit" run "$top_srcdir/tests/lua/make_data.lua" "$tmp" >"$tmp/out" 2>&1; then
	ok "generate data"
else
	no "generate data"
fi
if "$winit" run compare_inits.lua --epochs 1 --data "$tmp" --out "$tmp/r.json" >"$tmp/out" 2>&1; then
	ok "winit run compare_inits.lua (installed script, bare name)"
else
	no "winit run compare_inits.lua"
fi
grep -q "^he_normal " "$tmp/out" && ok "the study's table" || no "the study's table"
MANWIDTH=80 man "$prefix/share/man/man1/winit.1" 2>/dev/null | grep -q "^EXIT STATUS" \
	&& ok "man page installed" || no "man page installed"
[ -f "$prefix/share/bash-completion/completions/winit" ] && ok "completion installed" || no "completion installed"
[ -f "$prefix/share/doc/winit/examples/example_plugin.c" ] && ok "example plugin installed" || no "example plugin installed"
if [ -n "${LUA_INTERP:-}" ]; then
	cmod=$(find "$prefix" -name winit.so -path '*lua*' | head -n 1)
	# A module built with AddressSanitizer (configure --enable-sanitizers) loads into a
	# stock lua5.4 only with the ASan runtime loaded first.
	asan=
	if readelf -d "$cmod" 2>/dev/null | grep -q 'NEEDED.*\[libasan\.'; then
		asan=$(${CC:-cc} -print-file-name=libasan.so)
	fi
	${asan:+env LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0} \
		"$LUA_INTERP" -e "package.cpath = '$(dirname "$cmod")/?.so'" \
		-e 'local w = require "winit"; print("module " .. w.version .. " " .. #w.plugins())' >"$tmp/out" 2>&1
	grep -q "^module $PACKAGE_VERSION [1-9]" "$tmp/out" && ok "require \"winit\" from lua5.4" || no "require winit from lua5.4"
else
	echo "# lua5.4 not found: the installed Lua module is not loaded from a stock Lua"
fi
finish
