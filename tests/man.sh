#!/bin/sh
# tests/man.sh -- docs/winit.1 renders with man(1) without warnings and documents every
# subcommand and the exit statuses `winit --help` gives.
set -u
if ! command -v man >/dev/null 2>&1; then
	echo "SKIP: man(1) not found (Debian: apt-get install man-db): cannot render docs/winit.1"
	exit 77
fi
test_name="man" # quoted: a string, not the command (SC2209)
. "$top_srcdir/tests/lib.sh"
page="$src/docs/winit.1"
out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$page" 2>"$tmp/err")
err=$(cat "$tmp/err")
[ -z "$err" ] && ok "man -l renders without a message" || no "man -l said: $err"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES LICENSE; do
	printf '%s\n' "$out" | grep -q "^$section\$" && ok "section $section" || no "section $section"
done
for cmd in run merge list info check-plugin report; do
	printf '%s\n' "$out" | grep -q "^       winit $cmd" && ok "synopsis of $cmd" || no "synopsis of $cmd"
done
printf '%s\n' "$out" | grep -q -- "--traceback" && ok "run --traceback documented" || no "run --traceback documented"
printf '%s\n' "$out" | grep -q -- "--resume" && ok "run --resume documented" || no "run --resume documented"
for st in 0 1 2 "130, 143"; do
	printf '%s\n' "$out" | sed -n '/^EXIT STATUS/,/^FILES/p' | grep -q "^       $st\( \|$\)" && ok "exit status $st" || no "exit status $st"
done
grep -q "^\.TH WINIT 1 [0-9-]* \"winit $PACKAGE_VERSION\"" "$page" && ok "the page's version is $PACKAGE_VERSION" \
	|| no "the page's .TH line names another version than $PACKAGE_VERSION (update docs/winit.1)"
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$w" ] && ok "groff -ww: no warnings" || no "groff -ww: $w"
fi
finish
