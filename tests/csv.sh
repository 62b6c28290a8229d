#!/bin/sh
# tests/csv.sh -- results:write_csv and `winit report RESULTS.json --csv DIR`: runs.csv and
# summary.csv read back by python3's csv module with no options (a header row of unique
# names, RFC 4180 quoting, '.' decimals, NA for missing), with a label that needs quoting
# and a run that failed; the CLI writes the very files the script does; bad DIRs.
set -u
test_name=csv
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
local function build(init, inputs)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { inputs, 28 } },
    winit.layers.Dense { 16, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
  return m
end
local study = winit.Study { seed = 5, target = 0.3 }
-- A unit-variance normal start: accuracies that differ between replicates.
for _, c in ipairs { { "glorot_normal", "glorot_normal" }, { 'he, "quoted"', { "random_normal", stddev = 1 } } } do
  for r = 1, 3 do
    study:add { name = c[1] .. "#" .. r, label = c[1], model = build(c[2], 28), train = train,
                test = test, epochs = 2, validation_split = 0.2, batch_size = 256 }
  end
end
-- 27 rows of 28 pixels do not match the data: this run fails.
study:add { name = "broken", model = build("zeros", 27), train = train, test = test, epochs = 2 }
local results = study:run { verbose = 0 }
results:write_csv(dir .. "/csv", { baseline = "glorot_normal" })
results:save(dir .. "/res.json")
LUA
# The broken run makes winit exit 1, after the script (and write_csv) finished.
"$winit" run "$tmp/study.lua" "$tmp" >"$tmp/out" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && grep -q "1 of 7 runs failed: broken" "$tmp/out" && [ -f "$tmp/csv/summary.csv" ]; then
	ok "write_csv runs; the failed run is reported"
else
	no "write_csv runs (exit $rc)"
fi

cat >"$tmp/check.py" <<'PY'
import csv, math, sys
d = sys.argv[1]
def rows(name):
    with open(f"{d}/{name}", newline="") as f:
        return list(csv.DictReader(f))
def num(v):
    return math.nan if v == "NA" else float(v)
fails = []
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails.append(what)
def header(name):
    with open(f"{d}/{name}", newline="") as f:
        return next(csv.reader(f))
for name in ("runs.csv", "summary.csv"):
    h = header(name)
    check(len(h) == len(set(h)) and all(c and c != "NA" and c.replace("_", "").isalnum() for c in h),
          f"{name}: header of unique names a data frame takes as they are ({len(h)} columns)")
runs = rows("runs.csv")
check(list(runs[0])[-3:] == ["target", "epochs_to_target", "steps_to_target"], "runs.csv: steps_to_target last")
st = [r["steps_to_target"] for r in runs if r["run"] != "broken"]
check(all(v == "NA" or v.isdigit() for v in st) and any(v != "NA" for v in st),
      f"steps_to_target: whole steps or NA, some reached ({sorted(set(st))})")
check(len(runs) == 6 * 2 + 1, f"runs.csv: one row per run and epoch, one for the failed run ({len(runs)})")
check(list(runs[0])[:4] == ["run", "label", "replicate", "design"], "runs.csv header")
he = [r for r in runs if r["label"] == 'he, "quoted"']
check(len(he) == 6 and he[0]["run"] == 'he, "quoted"#1', "a label with a comma and quotes reads back intact")
check(all(0 <= num(r["val_accuracy"]) <= 1 for r in runs[:12]), "val_accuracy parses as a number")
check(all(r["epoch"] in ("1", "2") for r in runs[:12]), "epochs 1 and 2")
broken = [r for r in runs if r["run"] == "broken"]
check(len(broken) == 1 and broken[0]["status"] == "failed" and broken[0]["test_accuracy"] == "NA"
      and broken[0]["epoch"] == "NA", "the failed run: status failed, NA for what it lacks")
check(runs[0]["target"] == "0.3" and runs[0]["run_seed"].isdigit(), "target and run seed")
summary = rows("summary.csv")
check([r["label"] for r in summary] == ["glorot_normal", 'he, "quoted"', "broken"], "summary.csv: one row per condition")
g, h, b = summary
check(g["n"] == "3" and g["baseline"] == "NA" and h["baseline"] == "glorot_normal", "n and baseline")
check(h["test"] == "paired_t" and not math.isnan(num(h["p"])) and num(h["p_holm"]) >= num(h["p"]), "paired test with p and p_holm")
acc = [num(r["test_accuracy"]) for r in runs if r["label"] == 'he, "quoted"' and r["epoch"] == "1"]
mean = sum(acc) / len(acc)
check(abs(num(h["test_accuracy_mean"]) - mean) < 1e-12, "summary mean = mean of the runs' test accuracy")
check(num(h["test_accuracy_ci_low"]) <= mean <= num(h["test_accuracy_ci_high"]), "the interval holds the mean")
check(b["n"] == "0" and b["failed"] == "1" and b["test_accuracy_mean"] == "NA", "a condition with no finished run: NA")
sys.exit(1 if fails else 0)
PY
if python3 "$tmp/check.py" "$tmp/csv" >"$tmp/py" 2>&1; then
	ok "python3 csv reads both files back"
else
	cp "$tmp/py" "$tmp/out"
	no "python3 csv reads both files back"
fi
sed 's/^/# /' "$tmp/py"

# The CLI on the saved results file: the same two files, byte for byte.
expect "winit report --csv" 0 "CSV written to $tmp/cli/runs.csv and $tmp/cli/summary.csv" -- \
	"$winit" report "$tmp/res.json" -o "$tmp/res.html" --csv "$tmp/cli" --baseline glorot_normal
for f in runs.csv summary.csv; do
	cmp "$tmp/csv/$f" "$tmp/cli/$f" >"$tmp/out" 2>&1 && ok "CLI and write_csv: the same $f" ||
		no "CLI and write_csv: the same $f"
done
if python3 "$tmp/check.py" "$tmp/cli" >"$tmp/py" 2>&1; then
	ok "python3 csv reads the CLI's files back"
else
	cp "$tmp/py" "$tmp/out"
	no "python3 csv reads the CLI's files back"
fi
expect "--csv: a DIR whose parent is missing" 1 "$tmp/no/such: cannot create directory: No such file or directory" -- \
	"$winit" report "$tmp/res.json" -o "$tmp/res2.html" --csv "$tmp/no/such"
: >"$tmp/file"
expect "--csv: a DIR that is a file" 1 "$tmp/file: exists and is not a directory" -- \
	"$winit" report "$tmp/res.json" -o "$tmp/res2.html" --csv "$tmp/file"
[ ! -e "$tmp/res2.html" ] && ok "no page when the CSV files fail" || no "no page when the CSV files fail"
expect "--baseline names no condition" 2 "--baseline 'nope' is not a label of" -- \
	"$winit" report "$tmp/res.json" --csv "$tmp/cli" --baseline nope
expect "--target without --csv" 2 "give --csv DIR too" -- "$winit" report "$tmp/res.json" --target 0.5
expect "--target out of range" 2 "expected a validation accuracy in (0, 1], got '85'" -- \
	"$winit" report "$tmp/res.json" --csv "$tmp/cli" --target 85
finish
