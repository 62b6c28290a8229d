#!/bin/bash
# tests/completion.sh -- the bash completion script: subcommands, plugin names for
# `info` (through `winit list --names`), .lua files for `run` and a script's own options.
# The test wrapper runs *.sh under sh: this one needs bash.
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null 2>&1 || { echo "SKIP: bash not found: cannot test its completion"; exit 77; }
	exec bash "$0" "$@"
fi
set -u
test_name=completion
. "$top_srcdir/tests/lib.sh"
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
check "winit i<TAB> is info" "info" "$winit" i
check "winit ch<TAB> is check-plugin" "check-plugin" "$winit" ch
check "info he_<TAB>: plugin names" "he_normal he_uniform" "$winit" info he_
check "info --activation rel<TAB>: activations only" "relu" "$winit" info x --activation rel
check "list --k<TAB>" "--kind" "$winit" list --k
check "list --kind a<TAB>" "activation" "$winit" list --kind a
mkdir -p "$tmp/d"
touch "$tmp/d/study.lua" "$tmp/d/notes.txt"
check "run: .lua files" "$tmp/d/study.lua" "$winit" run "$tmp/d/s"
check "run: not other files" "" "$winit" run "$tmp/d/n"
check "run --tr<TAB>" "--traceback" "$winit" run --tr
check "run --res<TAB>" "--resume" "$winit" run --res
check "a script's own options" "--repeats" "$winit" run "$top_srcdir/scripts/compare_inits.lua" --rep
check "winit rep<TAB> is report" "report" "$winit" rep
check "report --c<TAB>" "--csv" "$winit" report x.json --c
check "report --b<TAB>" "--baseline" "$winit" report x.json --b
touch "$tmp/d/results.json"
check "report: .json files" "$tmp/d/results.json" "$winit" report "$tmp/d/r"
check "report --csv: directories only" "$tmp/d" "$winit" report x.json --csv "$tmp/d"
check "report --target: no file names" "" "$winit" report x.json --target "$tmp/d/r"
check "help rep<TAB>" "report" "$winit" help rep
finish
