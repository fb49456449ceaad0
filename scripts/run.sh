#!/bin/sh
# The main job of `make run`: estimate the calculated platforms of the example team
# into the embedded SQLite ledger, measure this machine for ten seconds with
# whatever sensors it has, and write the reports.
set -eu
bin=$1 db=$2 team=$3
ct() { "$bin" --db "$db" --config "$team" "$@"; }
echo "== co2tally estimate ($team -> $db)"
ct estimate
echo
echo "== co2tally agent --duration 10 (this machine, with whatever sensors it has)"
ct agent --duration 10 ||
    echo "(the agent could not sample this machine; the report goes on without it)"
echo
echo "== co2tally report (the example team's year)"
ct report --by platform
ct report --by platform --format json -o report.json
ct report --by platform --format csv -o report.csv
ct report --by platform --format html -o report.html
echo
today=$(date -u +%Y-%m-%d)
tomorrow=$(date -u -d "$today + 1 day" +%Y-%m-%d)
echo "== this machine today, from the agent's ten seconds (extrapolated to the day)"
ct report --from "$today" --to "$tomorrow" --by device | sed -n '1,/^total/p'
echo
echo "reports written to report.json, report.csv and report.html"
