#!/bin/sh
# tests/c_study.sh -- a study from C, as docs/examples (plugins/examples/study.c) shows it:
# built in a fresh directory against the installed headers and library alone (pkg-config),
# it runs two conditions with three replicates, saves a results file that winit report
# and winit merge read, gives the same numbers when run again, and --resume computes
# nothing; then plugins/examples/study_grid.c, a grid with schedules and early stopping.
set -u
test_name=c_study
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=20

root="$tmp/root"
${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$root" >"$tmp/out" 2>&1 || no "make install into a staging root"
pc=$(find "$root" -name winit.pc | head -n 1)
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
lib=$(dirname "$(find "$root" -name 'libwinit.so' | head -n 1)")
mkdir -p "$tmp/user"
cp "$top_srcdir/plugins/examples/study.c" "$tmp/user/"
cd "$tmp/user" || exit 1
# A library built with AddressSanitizer (configure --enable-sanitizers) needs programs
# built with it too.
san=
if nm -D "$lib/libwinit.so" 2>/dev/null | grep -q ' __asan_init'; then
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
if ${CC:-cc} -O2 -Wall -Wextra -Werror $san $(pkg-config --cflags winit) study.c -o study \
	$(pkg-config --libs winit) >"$tmp/out" 2>&1; then
	ok "study.c builds against the installed headers and library alone"
else
	no "study.c builds against the installed headers and library alone"
fi
export LD_LIBRARY_PATH="$lib"
./study "$tmp/r.json" >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q "^6 runs saved to $tmp/r.json" "$tmp/out" && ok "the study runs and saves six runs" \
	|| no "the study runs and saves six runs (exit $st)"
grep -q "^glorot_normal    3 " "$tmp/out" && grep -q "^he_normal        3 " "$tmp/out" \
	&& ok "the table has both conditions with three replicates" || no "the table has both conditions with three replicates"
grep -q "paired t-test" "$tmp/out" && ok "replicates are paired" || no "replicates are paired"
expect "winit report reads the file" 0 "report written" -- "$winit" report "$tmp/r.json" -o "$tmp/r.html"
expect "winit merge copies it byte for byte" 0 "6 runs from 1 file" -- "$winit" merge "$tmp/m.json" "$tmp/r.json"
cmp -s "$tmp/r.json" "$tmp/m.json" && ok "merged file equal" || no "merged file equal"

./study "$tmp/r.json" --resume >"$tmp/out" 2>&1
grep -q "resume: all 6 runs already finished in $tmp/r.json: nothing to run" "$tmp/out" \
	&& ok "--resume computes nothing the second time" || no "--resume computes nothing the second time"
./study "$tmp/again.json" >"$tmp/out" 2>&1
grep -v '"seconds"' "$tmp/r.json" >"$tmp/a"
grep -v '"seconds"' "$tmp/again.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "run again: the same file, timings aside" || no "run again: the same file, timings aside"
./study "$tmp/again.json" >"$tmp/out" 2>&1
grep -q "again.json held 6 runs of an earlier study: kept as $tmp/again.json.1" "$tmp/out" \
	&& ok "run again without --resume: the earlier file is kept aside" || no "run again without --resume: the earlier file is kept aside"
expect "a bad argument is a usage error" 2 "usage: ./study RESULTS.json" -- ./study

# A grid from C whose runs carry a learning-rate schedule and an early stopping
# (plugins/examples/study_grid.c): the engine's order and labels, runs stopped early,
# both recorded in the file, the same numbers again, nothing to do on --resume.
cp "$top_srcdir/plugins/examples/study_grid.c" "$tmp/user/"
if ${CC:-cc} -O2 -Wall -Wextra -Werror $san $(pkg-config --cflags winit) study_grid.c -o study_grid \
	$(pkg-config --libs winit) >"$tmp/out" 2>&1; then
	ok "study_grid.c builds against the installed headers and library alone"
else
	no "study_grid.c builds against the installed headers and library alone"
fi
./study_grid "$tmp/g.json" >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q "^8 runs saved to $tmp/g.json" "$tmp/out" && ok "the grid study runs and saves eight runs" \
	|| no "the grid study runs and saves eight runs (exit $st)"
grep -E '^[a-z_]+ / [a-z]+#[12]: ' "$tmp/out" | cut -d: -f1 | tr '\n' ',' >"$tmp/names"
[ "$(cat "$tmp/names")" = "glorot_normal / exponential#1,glorot_normal / exponential#2,glorot_normal / cosine#1,glorot_normal / cosine#2,he_normal / exponential#1,he_normal / exponential#2,he_normal / cosine#1,he_normal / cosine#2," ] \
	&& ok "the grid's runs in order: the last factor fastest, replicates together" || no "the grid's runs in order: $(cat "$tmp/names")"
# Early stopping (val_loss, patience 1) ends every run before its 12 epochs, at least at
# the second (Keras never stops after the first).
[ "$(grep -cE ': ([2-9]|1[01]) of 12 epochs$' "$tmp/out")" -eq 8 ] \
	&& ok "every run stopped early, after 2 to 11 of its 12 epochs" || no "every run stopped early, after 2 to 11 of its 12 epochs"
[ "$(grep -c '"schedule": {' "$tmp/g.json")" -eq 8 ] && [ "$(grep -c '"name": "CosineDecay"' "$tmp/g.json")" -eq 4 ] \
	&& [ "$(grep -c '"early_stopping": {' "$tmp/g.json")" -eq 8 ] && [ "$(grep -c '"schedule": "cosine"' "$tmp/g.json")" -eq 4 ] \
	&& ok "the file records each run's schedule, early stopping and cell" || no "the file records each run's schedule, early stopping and cell"
expect "winit report reads the grid's file" 0 "report written" -- "$winit" report "$tmp/g.json" -o "$tmp/g.html"
./study_grid "$tmp/g.json" --resume >"$tmp/out" 2>&1
grep -q "resume: all 8 runs already finished in $tmp/g.json: nothing to run" "$tmp/out" \
	&& ok "the grid: --resume computes nothing the second time" || no "the grid: --resume computes nothing the second time"
./study_grid "$tmp/g2.json" >"$tmp/out" 2>&1
grep -v '"seconds"' "$tmp/g.json" >"$tmp/a"
grep -v '"seconds"' "$tmp/g2.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "the grid run again: the same file, timings aside" || no "the grid run again: the same file, timings aside"
finish
