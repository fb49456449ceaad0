# Shared by the bench scripts (sourced): timing and ratio helpers.

# best N CMD...: the best of N wall-clock runs of CMD, in seconds; a failing run
# stops the bench with its command line.
best() {
    local n=$1 b=1e9 t0 t1
    shift
    for _ in $(seq "$n"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null || { echo "bench: failed: $*" >&2; exit 1; }
        t1=$(date +%s.%N)
        b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN { d = z - a; print (d < b) ? d : b }')
    done
    echo "$b"
}
# mbs BYTES SECONDS: throughput in MB/s.
mbs() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s / 1e6 }'; }
# ratio A B: A / B to two decimals (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
# peak_kib CMD...: the peak resident set of CMD in KiB.
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
