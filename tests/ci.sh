#!/bin/sh
# tests/ci.sh -- CI runs the README's test command: the last line of .ci/run is the second
# of the two commands the README starts with, .ci/run is executable shell, and it finds the
# clone's root however it is invoked.
set -u
test_name=ci
. "$top_srcdir/tests/lib.sh"
src=$(cd "$src" && pwd)

# The README's first indented block: its two commands.
cmds=$(awk '/^    [^ ]/ { print substr($0, 5); n++; next } n { exit }' "$src/README.md")
first=$(printf '%s\n' "$cmds" | sed -n 1p)
second=$(printf '%s\n' "$cmds" | sed -n 2p)
count=$(printf '%s\n' "$cmds" | grep -c .)
[ "$count" -eq 2 ] && ok "the README starts with two commands" ||
	no "the README's first block has $count commands: $cmds"
[ "$first" = "./setup.sh run" ] && ok "first: $first" || no "first README command: '$first'"
[ "$second" = "./setup.sh check" ] && ok "second: $second" || no "second README command: '$second'"
last=$(grep -v '^[[:space:]]*\(#\|$\)' "$src/.ci/run" | tail -n 1)
[ "$last" = "$second" ] && ok ".ci/run ends with the README's test command" ||
	no ".ci/run's last command is '$last', the README's is '$second'"
[ -x "$src/.ci/run" ] && ok ".ci/run is executable" || no ".ci/run is not executable"
sh -n "$src/.ci/run" && ok ".ci/run is valid shell" || no ".ci/run: shell syntax error"

# From the clone's root whichever way it is started: run a copy whose command only prints
# where it ran (setup.sh replaced by a stub in a scratch tree).
mkdir -p "$tmp/clone/.ci" "$tmp/elsewhere"
cp "$src/.ci/run" "$tmp/clone/.ci/run"
printf '#!/bin/sh\necho "ran $1 in $(pwd)"\n' >"$tmp/clone/setup.sh"
chmod +x "$tmp/clone/setup.sh" "$tmp/clone/.ci/run"
root=$(cd "$tmp/clone" && pwd)
for how in "sh .ci/run" "./.ci/run" "sh $root/.ci/run"; do
	got=$(cd "$tmp/clone" && $how </dev/null 2>&1)
	[ "$got" = "ran check in $root" ] && ok "$how runs setup.sh check in the root" ||
		no "$how: $got"
done
got=$(cd "$tmp/elsewhere" && sh "$root/.ci/run" </dev/null 2>&1)
[ "$got" = "ran check in $root" ] && ok "started elsewhere, it runs in the clone's root" ||
	no "from elsewhere: $got"
got=$(cd "$tmp/clone" && sh <"$root/.ci/run" 2>&1)
[ "$got" = "ran check in $root" ] && ok "fed on stdin from the root, it runs there" ||
	no "sh < .ci/run: $got"
finish
