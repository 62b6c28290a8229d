#!/bin/bash
# tests/completion.sh -- the bash completion script: subcommands, plugin names for
# `info` (through `winit list --names`), .lua files for `run` and a script's own options.
# The test wrapper runs *.sh under sh: this one needs bash.
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null 2>&1 || { echo "SKIP: bash not found: cannot test its completion"; exit 77; }
	exec bash "$0" "$@"
fi
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winit-comp-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=/dev/null
source "$top_srcdir/share/bash-completion/completions/winit"
[ "$(complete -p winit)" = "complete -F _winit winit" ] && ok "complete -p winit" || no "complete -p winit: $(complete -p winit)"
# comp WORDS...: complete the last word, print the candidates sorted on one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_winit
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
# check NAME WANT WORDS...
check() {
	name=$1 want=$2
	shift 2
	got=$(comp "$@")
	[ "$got" = "$want" ] && ok "$name" || no "$name: got '$got', wanted '$want'"
}
w="$top_builddir/winit"
check "winit i<TAB> is info" "info" "$w" i
check "winit ch<TAB> is check-plugin" "check-plugin" "$w" ch
check "info he_<TAB>: plugin names" "he_normal he_uniform" "$w" info he_
check "info --activation rel<TAB>: activations only" "relu" "$w" info x --activation rel
check "list --k<TAB>" "--kind" "$w" list --k
check "list --kind a<TAB>" "activation" "$w" list --kind a
mkdir -p "$tmp/d"
touch "$tmp/d/study.lua" "$tmp/d/notes.txt"
check "run: .lua files" "$tmp/d/study.lua" "$w" run "$tmp/d/s"
check "run: not other files" "" "$w" run "$tmp/d/n"
check "run --tr<TAB>" "--traceback" "$w" run --tr
check "run --res<TAB>" "--resume" "$w" run --res
check "a script's own options" "--repeats" "$w" run "$top_srcdir/scripts/compare_inits.lua" --rep
check "winit rep<TAB> is report" "report" "$w" rep
check "report --c<TAB>" "--csv" "$w" report x.json --c
check "report --b<TAB>" "--baseline" "$w" report x.json --b
touch "$tmp/d/results.json"
check "report: .json files" "$tmp/d/results.json" "$w" report "$tmp/d/r"
check "report --csv: directories only" "$tmp/d" "$w" report x.json --csv "$tmp/d"
check "report --target: no file names" "" "$w" report x.json --target "$tmp/d/r"
check "help rep<TAB>" "report" "$w" help rep
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
