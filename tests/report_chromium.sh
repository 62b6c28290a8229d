#!/bin/sh
# tests/report_chromium.sh -- the report renders: `winit report` pages (the fixture with
# diagnostics, a study on generated data without) open in headless Chromium, the
# screenshot is not blank and the page logs no console error.  Two controls show the
# checks can fail: an empty page is blank, a page with a script error logs it.
# Needs Debian's chromium (setup.sh installs it for `check`) and python3; without them
# the test says why and skips (exit 77).
set -u
if ! command -v chromium >/dev/null 2>&1; then
	echo "skip: chromium is not installed (Debian package chromium; ./setup.sh check installs it)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip: python3 is not installed (it reads the screenshots' pixels)"
	exit 77
fi
test_name=report_chromium
. "$top_srcdir/tests/lib.sh"

# shot NAME FILE.html: a 1200x3000 screenshot in NAME.png, Chromium's log in NAME.log.
shot() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$tmp/profile-$1" \
		--enable-logging=stderr --v=0 --window-size=1200,3000 \
		--screenshot="$tmp/$1.png" "file://$2" >"$tmp/$1.log" 2>&1
	[ -s "$tmp/$1.png" ] || { no "$1: no screenshot"; sed 's/^/#   /' "$tmp/$1.log" | tail -5; return 1; }
}
# stats NAME: "colors=N ink=F" of NAME.png
stats() { python3 "$src/tests/tools/png_stats.py" "$tmp/$1.png"; }
# The pages have no script: any console line (":CONSOLE", "Uncaught ...") is an error.
console_errors() { grep -E "Uncaught|:CONSOLE" "$tmp/$1.log"; }

# rendered NAME FILE.html MIN_COLORS: the page draws (many colours, some ink), no console error.
rendered() {
	shot "$1" "$2" || return
	s=$(stats "$1")
	colors=$(echo "$s" | sed -n 's/.*colors=\([0-9]*\).*/\1/p')
	ink=$(echo "$s" | sed -n 's/.*ink=\([0-9.]*\).*/\1/p')
	if [ "${colors:-0}" -ge "$3" ] && awk -v i="${ink:-0}" 'BEGIN { exit !(i >= 0.02) }'; then
		ok "$1 renders ($s)"
	else
		no "$1 looks blank ($s; wanted at least $3 colours and 2% ink)"
	fi
	if console_errors "$1" >"$tmp/err"; then
		no "$1 logs console errors"; sed 's/^/#   /' "$tmp/err" | head -5
	else
		ok "$1 logs no console error"
	fi
}

cp "$src/tests/data/results_diag.json" "$tmp/diag.json"
"$winit" report "$tmp/diag.json" >/dev/null 2>&1 || no "winit report on the fixture"
rendered diagnostics "$tmp/diag.html" 200

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >/dev/null 2>&1 || no "generate data"
"$winit" run -j 2 "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 2 --repeats 2 \
	--out "$tmp/study.json" >/dev/null 2>&1 || no "study on generated data"
rendered study "$tmp/study.html" 100

# Controls: the checks above can fail.
printf '<!DOCTYPE html><html><body></body></html>\n' >"$tmp/empty.html"
if shot empty "$tmp/empty.html"; then
	s=$(stats empty)
	case $s in
	*" colors=1 "*) ok "control: an empty page is blank ($s)" ;;
	*) no "control: an empty page should be blank ($s)" ;;
	esac
fi
printf '<!DOCTYPE html><html><body><p>x</p><script>no_such_function();</script></body></html>\n' >"$tmp/bad.html"
if shot bad "$tmp/bad.html"; then
	console_errors bad >/dev/null && ok "control: a script error is caught in the log" ||
		no "control: a script error should show in the log"
fi

# WINIT_KEEP_SCREENSHOTS=DIR keeps them for a look.
if [ -n "${WINIT_KEEP_SCREENSHOTS:-}" ]; then
	mkdir -p "$WINIT_KEEP_SCREENSHOTS" && cp "$tmp"/*.png "$WINIT_KEEP_SCREENSHOTS"/
fi

finish
