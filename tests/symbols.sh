#!/bin/sh
# tests/symbols.sh -- what the shared objects export: libwinit.so only winit_* symbols
# (its public API; internals are WINIT_INTERNAL or dropped by the export regex) and every
# function its public headers declare, the Lua module winit.so only luaopen_winit.  Reads
# the dynamic symbol tables with nm -D.
set -u
if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP: nm (binutils) not found: cannot read the dynamic symbol tables"
	exit 77
fi
test_name=symbols
. "$top_srcdir/tests/lib.sh"
b="$top_builddir"

# The shared object a libtool archive built: .libs/ + its dlname.
dlfile() { # LA
	name=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$1")
	[ -n "$name" ] && echo "$(dirname "$1")/.libs/$name"
}
# Defined dynamic symbols, one a line, without the linker's own markers.
exports() { # SO
	nm -D --defined-only "$1" | awk 'NF >= 3 { print $3 }' |
		grep -v -x -e _init -e _fini -e __bss_start -e _edata -e _end -e __end__ |
		sed 's/@.*//' | sort -u
}
# check LABEL SO REGEX WANT: every export matches REGEX (else list the others) and WANT
# is among them (so an empty table cannot pass).
check() {
	label=$1 so=$2 re=$3 want=$4
	if [ -z "$so" ] || [ ! -f "$so" ]; then
		no "$label: no shared object ('$so'); build first"
		return
	fi
	syms=$(exports "$so")
	bad=$(printf '%s\n' "$syms" | grep -v -E -e "$re" | grep -v '^$')
	if [ -z "$bad" ]; then
		ok "$label exports only $re"
	else
		no "$label exports $(printf '%s\n' "$bad" | wc -l) symbol(s) not matching $re:"
		printf '%s\n' "$bad" | sed 's/^/#   /'
	fi
	if printf '%s\n' "$syms" | grep -q -x -e "$want"; then
		ok "$label exports $want"
	else
		no "$label does not export $want"
	fi
}

lib=$(dlfile "$b/libwinit.la")
check "libwinit" "$lib" '^winit_' winit_registry_new
if [ -n "$lib" ] && [ -f "$lib" ]; then
	kern=$(exports "$lib" | grep '^winit_kern_')
	if [ -z "$kern" ]; then
		ok "libwinit hides the kernel sets (winit_kern_*)"
	else
		no "libwinit exports kernel internals:"
		printf '%s\n' "$kern" | sed 's/^/#   /'
	fi
fi
# Every export is declared in the public headers: an internal helper that happens to be
# named winit_* must be WINIT_INTERNAL, not part of the ABI by accident.
if [ -n "$lib" ] && [ -f "$lib" ]; then
	undeclared=
	for f in $(exports "$lib"); do
		grep -q -w -- "$f" "$top_srcdir"/include/winit/*.h || undeclared="$undeclared $f"
	done
	if [ -z "$undeclared" ]; then
		ok "every libwinit export is declared in include/winit/"
	else
		no "libwinit exports symbols no public header declares:$undeclared"
	fi
fi
# And the converse: every function a public header declares (plugin.h is the plugin ABI,
# plugin_util.h header-only) is exported -- a function built for several ISAs is an ifunc,
# which libtool's export list leaves local unless a plain function wraps it.
if [ -n "$lib" ] && [ -f "$lib" ]; then
	declared=$(for h in "$top_srcdir"/include/winit/*.h; do
		case $h in */plugin.h | */plugin_util.h) continue ;; esac
		grep -hE '^[A-Za-z_][A-Za-z0-9_ ]*[ *]+winit_[a-z0-9_]+\(' "$h" | grep -v '^static' |
			sed -E 's/.*[ *](winit_[a-z0-9_]+)\(.*/\1/'
	done | sort -u)
	syms=$(exports "$lib")
	missing=
	for f in $declared; do
		printf '%s\n' "$syms" | grep -q -x -e "$f" || missing="$missing $f"
	done
	n_decl=$(printf '%s\n' "$declared" | grep -c .)
	if [ -z "$missing" ] && [ "$n_decl" -gt 100 ]; then
		ok "every function declared in include/winit/ is exported ($n_decl)"
	else
		no "declared in include/winit/ but not exported ($n_decl declared):$missing"
	fi
fi
check "Lua module" "$(dlfile "$b/winit.la")" '^luaopen_winit$' luaopen_winit

finish
