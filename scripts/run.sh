#!/bin/sh
# The main job of `make run`: estimate the calculated platforms of the example team
# into the embedded SQLite ledger and print the per-platform report.
set -eu
bin=$1 db=$2 team=$3
echo "== co2tally estimate ($team -> $db)"
"$bin" --db "$db" --config "$team" estimate
echo
echo "== co2tally report"
"$bin" --db "$db" --config "$team" report --by platform
"$bin" --db "$db" --config "$team" report --by platform --format json -o report.json
"$bin" --db "$db" --config "$team" report --by platform --format csv -o report.csv
echo
echo "report written to report.json and report.csv"
