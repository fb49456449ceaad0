#!/bin/sh
# Runs every fuzz target for SECONDS each, on its kept corpus (fuzz/corpus/NAME),
# seeded from the project's own examples. New inputs libFuzzer finds are merged
# back into the kept corpus; a crash stops the run with its reproducer saved.
set -eu
build=$1 seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
targets="team $(cd "$root/fuzz/corpus" && ls | grep -v '^team$' | tr '\n' ' ')"
for t in $targets; do
    corpus="$root/fuzz/corpus/$t"
    mkdir -p "$corpus" "$root/fuzz/corpus-new/$t"
    if [ "$t" = team ]; then cp "$root"/examples/*.ini "$corpus/" 2>/dev/null || true; fi
    echo "== fuzz_$t for ${seconds}s"
    exe="$build/fuzz/fuzz_$(echo "$t" | tr -c 'a-zA-Z0-9\n' '_')"
    [ -x "$exe" ] || { echo "no fuzz target for $t"; exit 1; }
    "$exe" -max_total_time="$seconds" -max_len=8192 \
        -artifact_prefix="$root/fuzz/crash-$t-" "$root/fuzz/corpus-new/$t" "$corpus"
    "$exe" -merge=1 "$corpus" "$root/fuzz/corpus-new/$t" >/dev/null 2>&1
    rm -rf "$root/fuzz/corpus-new/$t"
done
