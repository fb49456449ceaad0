#!/bin/sh
# The device check for a machine with a real NVIDIA GPU: doctor, the agent for 30 s
# around a GPU load with idle stretches, and measure around a GPU job, with
# nvidia-smi sampled at the same time for comparison. Expects a prepared folder
# .gpucheck (co2tally, its libraries, burn) and writes to $OUT.
set -u
G=.gpucheck
export LD_LIBRARY_PATH=$PWD/$G/lib
ct() { "$G/co2tally" --db "$OUT/ledger.db" --config examples/team.ini "$@"; }
nvidia-smi --query-gpu=timestamp,index,uuid,power.draw,utilization.gpu --format=csv,nounits -lms 200 >"$OUT/nvidia-smi.csv" &
smi=$!
echo "== doctor"; ct doctor
t0=$(date +%s.%N)
echo "== agent --duration 30 (load 12 s, then idle)"
ct agent --duration 30 --interval 1 &
agent=$!
sleep 3; "$G/burn" 12 0; wait $agent
t1=$(date +%s.%N)
echo "== measure -- burn 8"
ct measure --json -- "$G/burn" 8 0
t2=$(date +%s.%N)
sleep 0.5; kill $smi
echo "== report by device ($(date +%Y))"
ct report --year "$(date +%Y)" --by device
# nvidia-smi's energy in the agent window and the measure window (trapezoid by
# segment midpoint; nvidia-smi prints local time, which is UTC on that machine).
awk -F', ' -v a="$t0" -v b="$t1" -v c="$t2" 'NR > 1 {
    cmd = "date -u -d \"" $1 "\" +%s.%N"; cmd | getline t; close(cmd); w = $4 + 0
    if (pt != "") { m = (t + pt) / 2; e = (t - pt) * (w + pw) / 2
        if (m >= a && m < b) ea += e; else if (m >= b && m < c) em += e }
    pt = t; pw = w }
  END { printf "nvidia-smi: agent window %.0f J, measure window %.0f J\n", ea, em }' "$OUT/nvidia-smi.csv"
