# tests/writers_lib.sh -- every writer of winit, for results.sh and write_devices.sh;
# sourced after tests/lib.sh.  It writes $tmp/own.json (a results file the CLI writers
# read) and defines
#   $writers            the writers' names: study, save, save_weights, results_save,
#                       report, report_figures, write_csv, page (tests/lua/writers.lua),
#                       cli_merge (winit merge ARG own.json), cli_report (winit report
#                       own.json -o ARG), cli_csv (winit report own.json --csv ARG)
#   run_writer W ARG [force]
#                       W writing ARG, with --force / overwrite = true when asked; under
#                       `timeout`, so a writer blocked on a FIFO fails instead of hanging
#   node W ARG          the file W replaces for ARG: ARG, or ARG/runs.csv (made a
#                       directory) for the CSV writers
# shellcheck disable=SC2034 # $writers is for the test that sources this
writers="study save save_weights results_save report report_figures write_csv page cli_merge cli_report cli_csv"
"$winit" run "$src/tests/lua/writers.lua" results_save "$tmp/own.json" >"$tmp/out" 2>&1 \
	|| no "a results file for the writers"
run_writer() {
	w=$1 p=$2 f=${3:-}
	case $w in
	cli_merge) timeout 60 "$winit" merge ${f:+--force} "$p" "$tmp/own.json" ;;
	cli_report) timeout 60 "$winit" report ${f:+--force} "$tmp/own.json" -o "$p" ;;
	cli_csv) timeout 60 "$winit" report ${f:+--force} "$tmp/own.json" -o "$tmp/cli_csv.html" --csv "$p" ;;
	*) timeout 60 "$winit" run "$src/tests/lua/writers.lua" "$w" "$p" ${f:+overwrite} ;;
	esac
}
node() { case $1 in write_csv | cli_csv) mkdir -p "$2"; echo "$2/runs.csv" ;; *) echo "$2" ;; esac; }
