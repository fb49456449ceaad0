#!/bin/sh
# Runs every fuzz target for SECONDS each, on its kept corpus (fuzz/corpus/NAME),
# seeded from the project's own examples. New inputs libFuzzer finds are merged
# back into the kept corpus; a crash stops the run with its reproducer saved.
set -eu
build=$1 seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
for t in team; do
    corpus="$root/fuzz/corpus/$t"
    mkdir -p "$corpus" "$root/fuzz/corpus-new/$t"
    if [ "$t" = team ]; then cp "$root"/examples/*.ini "$corpus/" 2>/dev/null || true; fi
    echo "== fuzz_$t for ${seconds}s"
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=8192 \
        -artifact_prefix="$root/fuzz/crash-$t-" "$root/fuzz/corpus-new/$t" "$corpus"
    "$build/fuzz/fuzz_$t" -merge=1 "$corpus" "$root/fuzz/corpus-new/$t" >/dev/null 2>&1
    rm -rf "$root/fuzz/corpus-new/$t"
done
