#!/bin/sh
# tests/csv_text.sh -- what the CSV files and the table say about text and about runs
# without a test set: labels and grid levels a spreadsheet would run as formulas (=, +, -,
# @, tab, CR) start with ' in runs.csv and summary.csv, numbers stay numbers (python3's csv
# module reads them back); runs trained without a test set are "no test set" in the table,
# not failed in summary.csv, as in the report.
set -u
test_name=csv_text
. "$top_srcdir/tests/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to read the CSV back: apt-get install python3 (setup.sh does)"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
cat >"$tmp/study.lua" <<'LUA'
local winit = require "winit"
local dir = arg[1]
local train, test = winit.datasets.fashion_mnist.load_data(dir .. "/data")
local function build()
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 8, activation = "relu" },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
  return m
end
local study = winit.Study { seed = 3 }
local labels = { "=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "-0.5", "1e-7", "a,=b", "plain" }
for i, l in ipairs(labels) do
  study:add { name = "run" .. i, label = l, model = build(), train = train, test = test, epochs = 1, batch_size = 256 }
end
-- Trained without a test set: nothing to test, nothing failed.
for r = 1, 3 do
  study:add { name = "untested#" .. r, label = "untested", model = build(), train = train, epochs = 1,
              batch_size = 256, validation_split = 0.2 }
end
local results = study:run { verbose = 0, save = dir .. "/res.json" }
results:print_table()
results:write_csv(dir .. "/csv")
local grid = winit.Study { seed = 3 }
grid:grid { factors = { act = { "=HYPERLINK(1)", "relu" } }, train = train, test = test, epochs = 1, batch_size = 256,
            build = function(cfg)
              local m = winit.Sequential {
                winit.layers.Flatten { input_shape = { 28, 28 } },
                winit.layers.Dense { 8, activation = cfg.act:sub(1, 1) == "=" and "tanh" or cfg.act },
                winit.layers.Dense { 10, activation = "softmax" },
              }
              m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
              return m
            end }
grid:run({ verbose = 0, save = dir .. "/grid.json" }):write_csv(dir .. "/gridcsv")
LUA
"$winit" run "$tmp/study.lua" "$tmp" >"$tmp/table" 2>&1; rc=$?
cp "$tmp/table" "$tmp/out"
[ "$rc" -eq 0 ] && ok "the study runs (exit 0: no run failed)" || no "the study runs (exit $rc)"
grep -q '^untested  *no test set (every run)$' "$tmp/table" && ok "print_table: untested runs show as 'no test set'" ||
	no "print_table: untested runs show as 'no test set'"
grep -q 'failed (see above)' "$tmp/table" && no "print_table: nothing says failed" || ok "print_table: nothing says failed"

cat >"$tmp/check.py" <<'PY'
import csv, sys
d = sys.argv[1]
fails = []
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails.append(what)
def rows(name):
    with open(f"{d}/{name}", newline="") as f:
        return list(csv.DictReader(f))
want = {"=1+2": "'=1+2", "+SUM(A1)": "'+SUM(A1)", "-2+3": "'-2+3", "@cmd": "'@cmd", "\tTAB": "'\tTAB",
        "\rCR": "'\rCR", "-0.5": "-0.5", "1e-7": "1e-7", "a,=b": "a,=b", "plain": "plain"}
runs = rows("runs.csv")
labels = [r["label"] for r in runs if r["run"].startswith("run")]
check(labels == list(want.values()), f"runs.csv: formulas start with ', numbers and the rest intact ({labels!r})")
summary = {r["label"]: r for r in rows("summary.csv")}
check(sorted(summary) == sorted(list(want.values()) + ["untested"]), f"summary.csv: the same labels ({sorted(summary)!r})")
float(summary["-0.5"]["label"])  # a number stays a number
u = summary["untested"]
check(u["n"] == "0" and u["failed"] == "0" and u["no_test"] == "3" and u["test_accuracy_mean"] == "NA",
      f"summary.csv: untested runs: n 0, failed 0, no_test 3 ({u['n']}, {u['failed']}, {u.get('no_test')})")
check(all(summary[l]["failed"] == "0" and summary[l]["no_test"] == "0" and summary[l]["n"] == "1"
          for l in want.values()), "summary.csv: the tested runs: n 1, failed 0, no_test 0")
check(all(r["status"] == "ok" for r in runs), "runs.csv: every run ok")
g = rows("../gridcsv/runs.csv")
check(sorted(r["act"] for r in g) == ["'=HYPERLINK(1)", "relu"], f"grid level: neutralised ({[r['act'] for r in g]!r})")
check(sorted(r["label"] for r in g) == ["'=HYPERLINK(1)", "relu"], "grid label: neutralised")
sys.exit(1 if fails else 0)
PY
if python3 "$tmp/check.py" "$tmp/csv" >"$tmp/py" 2>&1; then
	ok "python3 csv reads the neutralised fields back"
else
	cp "$tmp/py" "$tmp/out"
	no "python3 csv reads the neutralised fields back"
fi
sed 's/^/# /' "$tmp/py"

# The report agrees: 3 runs, none failed.
"$winit" report "$tmp/res.json" -o "$tmp/res.html" >"$tmp/out" 2>&1 || no "winit report"
grep -q '>untested</td><td class="l">[^<]*</td><td>3</td><td>0</td>' "$tmp/res.html" &&
	ok "the report: untested n 3, failed 0" || no "the report: untested n 3, failed 0"
finish
