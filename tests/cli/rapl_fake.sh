# Shared by the agent and measure tests: a fake sysfs RAPL tree whose package
# counter a background writer advances at a known rate.
#   rapl_tree DIR            makes DIR/class/powercap/intel-rapl:0/{name,energy_uj,max_energy_range_uj}
#   rapl_start DIR WATTS     starts the writer (pid in $rapl_pid); rapl_stop stops it
# The writer sets energy_uj = 1e9 + WATTS x 1e6 x (elapsed seconds) every 5 ms, in
# place and at a fixed width (10 digits), because the sensor keeps the file open
# and preads it: a rename would leave it reading the old file. As root it runs at
# a real-time priority, so a loaded machine (the whole suite in parallel) does not
# leave the counter lagging behind the clock.
rapl_tree() {
    local z="$1/class/powercap/intel-rapl:0"
    mkdir -p "$z"
    echo package-0 >"$z/name"
    echo 1000000000 >"$z/energy_uj"
    echo 262143328850 >"$z/max_energy_range_uj"
}
rapl_start() {
    local rt=""
    chrt -f 10 true 2>/dev/null && rt="chrt -f 10"
    $rt python3 - "$1/class/powercap/intel-rapl:0/energy_uj" "$2" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
watts, t0 = float(sys.argv[2]), time.monotonic()
while True:
    v = 1000000000 + int(watts * 1e6 * (time.monotonic() - t0))
    os.pwrite(fd, b"%010d\n" % v, 0)
    time.sleep(0.005)
PY
    rapl_pid=$!
    # wait for the first write so the counter is moving before anything reads it
    sleep 0.2
}
rapl_stop() { kill "$rapl_pid" 2>/dev/null; wait "$rapl_pid" 2>/dev/null; }
