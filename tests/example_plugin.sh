#!/bin/sh
# tests/example_plugin.sh -- the plugin author's workflow, exactly as documented: install
# winit (into a staging root), build plugins/examples/example_plugin.c in a fresh
# directory with only `pkg-config --cflags winit`, load it through WINIT_PLUGIN_PATH and
# use it from a Lua script.
set -u
test_name=example_plugin
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=20 # make's and the compiler's last words

root="$tmp/root"
if ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$root" >"$tmp/out" 2>&1; then
	ok "make install into a staging root"
else
	no "make install into a staging root"
fi
pc=$(find "$root" -name winit.pc | head -n 1)
[ -n "$pc" ] && ok "winit.pc installed" || no "winit.pc installed"
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
hdr=$(find "$root" -path '*/include/winit/plugin.h' | head -n 1)
[ -n "$hdr" ] && ok "headers installed under include/winit" || no "headers installed"

# The author's directory holds nothing but the plugin's source and their script.
mkdir -p "$tmp/author"
cp "$top_srcdir/plugins/examples/example_plugin.c" "$top_srcdir/plugins/examples/example.lua" "$tmp/author/"
cd "$tmp/author" || exit 1
cflags=$(pkg-config --cflags winit) || no "pkg-config --cflags winit"
case $cflags in *"$root"*) ok "pkg-config points into the installed tree" ;; *) no "pkg-config cflags: $cflags" ;; esac
if ${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror $cflags example_plugin.c -o example.so -lm >"$tmp/out" 2>&1; then
	ok "plugin builds against the installed headers alone"
else
	no "plugin builds against the installed headers alone"
fi
if nm -D --defined-only example.so | grep -q ' winit_plugin_describe$'; then
	ok "exports winit_plugin_describe"
else
	no "exports winit_plugin_describe"
fi

export WINIT_PLUGIN_PATH="$tmp/author"
"$winit" list >"$tmp/out" 2>&1
grep -q "scaled_uniform .*$tmp/author/example.so" "$tmp/out" && ok "winit list finds it on the search path" || no "winit list finds it"
grep -q "bent_identity" "$tmp/out" && ok "both plugins of the object are listed" || no "both plugins listed"
"$winit" info scaled_uniform --shape 784x128 >"$tmp/out" 2>&1
grep -q "stddev for 784x128.*0.0357143" "$tmp/out" && ok "winit info: sd for a shape" || no "winit info sd"
grep -q "mode .*fan_in fan_out fan_avg" "$tmp/out" && ok "winit info: parameters" || no "winit info params"

"$winit" check-plugin example.so >"$tmp/out" 2>&1 && grep -q "checks, 0 failed" "$tmp/out" \
	&& ok "winit check-plugin passes it" || no "winit check-plugin passes it"
"$winit" run "$top_srcdir/tests/lua/make_data.lua" "$tmp" >"$tmp/out" 2>&1 || no "generate data"
if "$winit" run example.lua --data "$tmp" --repeats 2 --epochs 1 --out "$tmp/r.json" >"$tmp/out" 2>&1; then
	ok "example.lua runs with the plugin"
else
	no "example.lua runs with the plugin"
fi
grep -q "^scaled_uniform  *2 " "$tmp/out" && ok "table row for the new initializer" || no "table row for scaled_uniform"
grep -q "^bent_identity  *2 " "$tmp/out" && ok "table row for the new activation" || no "table row for bent_identity"
# Two replicates: each condition against the first, with the difference and its interval
# but no p-value (a test needs 3 replicates), saying so.
grep -q "^Against .*paired t-test" "$tmp/out" && grep -q "no p-value: 2 and 2 replicates" "$tmp/out" \
	&& ok "compared with statistics" || no "paired comparison without a p-value"

# A bad parameter is caught with the plugin's own declaration.
cat >bad.lua <<'LUA'
local winit = require "winit"
winit.layers.Dense { 4, kernel_initializer = { "scaled_uniform", mode = "fan_sideways" } }
LUA
"$winit" run bad.lua >"$tmp/out" 2>&1
grep -q "bad.lua:2:.*scaled_uniform.*mode.*fan_in" "$tmp/out" && ok "parameter validated from the declaration" || no "parameter validated"

finish
