#!/bin/sh
# The main job of `make run`: estimate the calculated platforms of the example team
# into the embedded SQLite ledger and print the per-platform report.
set -eu
bin=$1 db=$2 team=$3
echo "== co2tally estimate ($team -> $db)"
"$bin" --db "$db" --config "$team" estimate
echo
echo "== co2tally agent --duration 10 (this machine, with whatever sensors it has)"
"$bin" --db "$db" --config "$team" agent --duration 10 ||
    echo "(the agent could not sample this machine; the report goes on without it)"
echo
echo "== co2tally report"
"$bin" --db "$db" --config "$team" report --by platform
"$bin" --db "$db" --config "$team" report --by platform --format json -o report.json
"$bin" --db "$db" --config "$team" report --by platform --format csv -o report.csv
echo
echo "report written to report.json and report.csv"
