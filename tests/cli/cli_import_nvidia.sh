# co2tally import on nvidia-smi logs: every fixture imports, and its energy per GPU
# matches a figure computed here, in Python, from the file itself; then bad lines,
# duplicates, stdin, gzip, transactions and the progress bar.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
shared="$CT_SHARED/fixtures/nvidia-smi"
own="$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi"
db="$tmp/l.db"
ct() { "$CO2TALLY" --db "$db" "$@"; }
count() { sqlite3 "$db" "select (select count(*) from sources) || ' ' || (select count(*) from energy)"; }

# The independent reading of each format, and the documented rule: trapezoid per
# GPU; gaps over --max-gap, else 5 x the smallest step bridged so far (300 s
# before one is), are not bridged, the first one too; a sample with no
# neighbour counts as W x (--interval, else that step, once one is known).
cat >"$tmp/check.py" <<'PY'
import datetime, json, math, re, sys
path, got_json = sys.argv[1], sys.argv[2]
opts = dict(a.split("=", 1) for a in sys.argv[3:])
start = float(opts["start"]) if "start" in opts else None
interval = float(opts["interval"]) if "interval" in opts else None
raw = open(path, "rb").read().decode()
cut = not raw.endswith("\n") and raw != ""
lines = raw.replace("\r\n", "\n").split("\n")
if lines and lines[-1] == "":
    lines.pop()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

def utc(date, hms):
    y, mo, d = int(date[0:4]), int(date[5:7]), int(date[8:10])
    h, mi, s = hms.split(":")
    base = datetime.datetime(y, mo, d, int(h), int(mi), tzinfo=datetime.timezone.utc).timestamp()
    return base + float(s)

def ctime(s):
    p = s.split()
    return utc("%s-%02d-%02d" % (p[4], MONTHS.index(p[1]) + 1, int(p[2])), p[3])

def missing(v):
    return v.startswith("[") or v in ("N/A", "-")

def query():
    ev, cols, k, seen, ords = [], None, 0, set(), []
    known = {"timestamp", "index", "uuid", "pci.bus_id", "name", "power.draw",
             "power.draw.average", "power.draw.instant", "utilization.gpu"}
    for i, ln in enumerate(lines):
        f = [x.strip() for x in ln.split(",")]
        names = [re.sub(r"\s*\[.*\]$", "", x) for x in f]
        if any(n in known for n in names):
            cols, nf = {n: j for j, n in enumerate(names)}, len(f)
            continue
        if cols is None:  # noheader: by the values' shapes
            cols, nf = {}, len(f)
            for j, x in enumerate(f):
                if re.match(r"\d{4}/\d\d/\d\d ", x): cols["timestamp"] = j
                elif x.startswith("GPU-"): cols["uuid"] = j
                elif x.endswith(" W") and "power.draw" not in cols: cols["power.draw"] = j
        pc = next(cols[p] for p in ("power.draw.average", "power.draw", "power.draw.instant") if p in cols)
        if cut and i == len(lines) - 1 and (len(f) != nf or not f[pc].endswith(" W")):
            continue  # the truncated last line
        idc = next((cols[c] for c in ("uuid", "pci.bus_id", "index") if c in cols), None)
        if idc is None:
            nm = f[cols["name"]] if "name" in cols else ""
            if ords and nm == ords[0]: ords = []
            ords.append(nm)
            dev = "gpu:%d" % (len(ords) - 1)
        else:
            dev = "gpu:" + f[idc]
        if dev in seen:
            k, seen = k + 1, set()
        seen.add(dev)
        if "timestamp" in cols:
            d, hms = f[cols["timestamp"]].split(" ")
            t = utc(d, hms)
        else:
            t = start + k * interval
        if not missing(f[pc]):
            ev.append((dev, t, float(f[pc].replace(" W", ""))))
    return ev

def dmon():
    ev, cols, k, seen = [], None, 0, set()
    for ln in lines:
        tok = ln.replace(",", " ").split()
        if ln.startswith("#"):
            tok = ln[1:].replace(",", " ").split()
            if "gpu" in tok: cols = {n: j for j, n in enumerate(tok)}
            continue
        dev = "gpu:" + tok[cols["gpu"]]
        if dev in seen: k, seen = k + 1, set()
        seen.add(dev)
        if "Date" in cols:
            d = tok[cols["Date"]]
            t = utc("%s-%s-%s" % (d[:4], d[4:6], d[6:]), tok[cols["Time"]])
        else:
            t = start + k * interval
        if not missing(tok[cols["pwr"]]):
            ev.append((dev, t, float(tok[cols["pwr"]])))
    return ev

def q():
    ev, t, blocks, g = [], None, -1, None
    def flush():
        if g and "w" in g:
            ev.append(("gpu:" + g.get("uuid", g["bus"]), t if t is not None else start + blocks * interval, g["w"]))
    sec = None
    for ln in lines:
        if "NVSMI LOG" in ln:
            flush(); g = None; blocks += 1; t = None; continue
        if ln.startswith("Timestamp"): t = ctime(ln.split(":", 1)[1].strip()); continue
        if ln.startswith("GPU "):
            flush(); g = {"bus": ln[4:].strip()}; continue
        s = ln.strip()
        if ln.startswith("    ") and not ln.startswith("        "):
            sec = s
            if s.startswith("GPU UUID"): g["uuid"] = s.split(":", 1)[1].strip()
            continue
        if sec in ("GPU Power Readings", "Power Readings") and ":" in s:
            key, v = [x.strip() for x in s.split(":", 1)]
            rank = {"Average Power Draw": 3, "Power Draw": 2, "Instantaneous Power Draw": 1}.get(key, 0)
            if rank and not missing(v) and rank > g.get("rank", 0):
                g["w"], g["rank"] = float(v.split()[0]), rank
    flush()
    return ev

def table():
    ev, t, k, pend, gpus = [], None, -1, None, None
    for ln in lines:
        if re.match(r"^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}$", ln.strip()):
            t = ctime(ln.strip()); continue
        if "NVIDIA-SMI" in ln:
            k += 1; tt = t if t is not None else start + k * interval; t = None; gpus = False; continue
        if ln.startswith("|=") and gpus is False: gpus = True; continue
        if "Processes" in ln: gpus = None; continue
        if gpus and pend is None:
            m = re.match(r"^\|\s+(\d+)\s", ln)
            if m: pend = m.group(1)
        elif gpus:
            w = ln.split("|")[1].split(" / ")[0].split()[-1]
            if w != "N/A": ev.append(("gpu:" + pend, tt, float(w.rstrip("W"))))
            pend = None
    return ev

def energy(ev):
    # The gap limit goes by the step known before a pair; only a bridged pair
    # teaches the step; a lone sample while no step is known waits for one.
    out, last, single, pend, step = {}, {}, {}, {}, None
    gap = lambda: float(opts["max_gap"]) if "max_gap" in opts else (300 if (interval or step) is None else 5 * (interval or step))
    def flush_pend(d):
        if d in pend and (interval or step) is not None:
            w, room = pend.pop(d)
            out[d] += w * min(interval or step, room)
    def lone(d, room):
        if (interval or step) is None:
            pend[d] = (last[d][1], room)
            return
        flush_pend(d)
        out[d] += last[d][1] * min(interval or step, room)
    for d, t, w in ev:
        out.setdefault(d, 0.0)
        if d not in last:
            last[d], single[d] = (t, w), True
            continue
        dt = t - last[d][0]
        if dt <= 0: continue
        if dt <= gap():
            if interval is None and (step is None or dt < step): step = dt
            flush_pend(d)
            out[d] += (last[d][1] + w) / 2 * dt
            single[d] = False
        else:
            if single[d]: lone(d, dt)
            single[d] = True
        last[d] = (t, w)
    for d in last:
        if single[d]: lone(d, math.inf)
        flush_pend(d)
    return out

kind = opts["format"]
want = energy({"nvidia-smi": query, "nvidia-smi-dmon": dmon, "nvidia-smi-q": q, "nvidia-smi-table": table}[kind]())
got = json.load(open(got_json))["files"][0]
assert got["format"] == kind, (got["format"], kind)
assert got["status"] == "imported", got["status"]
g = {d["device"]: d for d in got["devices"]}
assert set(g) == set(want), (sorted(g), sorted(want))
for d, j in want.items():
    assert abs(g[d]["joules"] - j) <= 1e-9 * max(1.0, j), (d, g[d]["joules"], j)
    assert abs(g[d]["mean_watts"] * g[d]["seconds"] - j) <= 1e-6 * max(1.0, j)
    assert 0 <= g[d]["idle_joules"] <= g[d]["joules"] + 1e-9
print("%.9f" % sum(want.values()))
PY

start=1668729600 # 2022-11-18T00:00:00Z, for the logs that carry no time
opts_for() {
    case "$(basename "$1")" in
    ksysguard*|bpytop*|thamada*|dmon-old*) echo "--start @$start --interval 1" ;;
    q-single*) echo "--interval 1" ;;
    *) echo "" ;;
    esac
}
format_for() {
    case "$(basename "$1")" in
    dmon*) echo nvidia-smi-dmon ;; q-*) echo nvidia-smi-q ;;
    *table*|*nvidia-smi.txt) echo nvidia-smi-table ;; *) echo nvidia-smi ;;
    esac
}
sum=0
for f in "$shared"/* "$own"/*; do
    b=$(basename "$f")
    case "$b" in empty.csv|query-bad-line.csv|*.gz) continue ;; esac
    opts=$(opts_for "$f")
    # shellcheck disable=SC2086
    if ct import --host gpu-01 --json $opts "$f" >"$tmp/j" 2>"$tmp/err"; then
        pyopts="format=$(format_for "$f")"
        case "$opts" in *--start*) pyopts="$pyopts start=$start interval=1" ;; *--interval*) pyopts="$pyopts interval=1" ;; esac
        # shellcheck disable=SC2086
        if e=$(python3 "$tmp/check.py" "$f" "$tmp/j" $pyopts 2>&1); then
            ok "$b: energy per GPU matches the file"
            sum=$(python3 -c "print($sum + $e)")
        else
            bad "$b: $e"
        fi
    else
        bad "$b does not import: $(cat "$tmp/err")"
    fi
done
python3 - "$sum" "$(sqlite3 "$db" 'select sum(joules) from energy')" <<'PY' && ok "the ledger holds the sum" || bad "ledger total"
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
assert abs(a - b) <= 1e-9 * a, (a, b)
PY
[ "$(sqlite3 "$db" "select count(distinct host) || host from energy_records")" = "1gpu-01" ] && ok "--host stored" || bad "host"

# Duplicates: the same content again, gzipped, or through stdin changes nothing.
before=$(count)
expect_rc 0 "import again" -- ct import "$own/query-units-2gpu.csv"
expect_grep "$tmp/out" "already imported" "second import says so"
expect_rc 0 "gzip of the same content" -- ct import "$own/query-units-2gpu.csv.gz"
expect_grep "$tmp/out" "already imported" "gzip is the same source"
expect_rc 0 "stdin" -- bash -c "cat '$own/query-nounits.csv' | '$CO2TALLY' --db '$db' import -"
expect_grep "$tmp/out" "already imported" "stdin is the same source"
[ "$(count)" = "$before" ] && ok "ledger unchanged by duplicates" || bad "ledger changed: $before -> $(count)"

# A bad line: FILE:LINE and what was expected; nothing of it (or of the files
# imported with it) is kept.
db="$tmp/bad.db"
printf '[team]\ncountry = SGP\n[platform gpu-servers]\nmethod = measured\nhosts = g1\n' >"$tmp/team.ini"
expect_rc 0 "fresh ledger" -- ct --config "$tmp/team.ini" import --platform gpu-servers "$own/query-crlf.csv"
before=$(count)
expect_rc 1 "bad line fails" -- ct import "$own/query-gap.csv" "$own/query-bad-line.csv"
expect_grep "$tmp/err" "query-bad-line.csv:5: expected a power draw such as '250.00 W', got 'lots W'" "error names file, line and what was expected"
[ "$(count)" = "$before" ] && ok "ledger unchanged after a bad line" || bad "ledger changed: $before -> $(count)"
expect_rc 0 "--skip-bad" -- ct import --skip-bad "$own/query-bad-line.csv"
expect_grep "$tmp/out" "skipped 1 bad line" "skipped lines are counted"
expect_rc 0 "now a bad file that was imported is only a duplicate" -- ct import "$own/query-bad-line.csv"
expect_grep "$tmp/out" "already imported" "duplicate wins over the bad line"
expect_rc 0 "truncated last line" -- ct import "$own/query-truncated.csv"
expect_grep "$tmp/out" "skipped 1 truncated last line" "truncated line is reported"
[ "$(sqlite3 "$db" "select distinct platform from energy_records where platform != ''")" = "gpu-servers" ] && ok "--platform stored" || bad "platform"

# Nothing to import, and what to pass when a log cannot become energy by itself.
before=$(count)
expect_rc 0 "empty file" -- ct import "$own/empty.csv"
expect_grep "$tmp/out" "empty; nothing imported" "empty file says so"
expect_rc 1 "no timestamps" -- ct import "$shared/ksysguard-gpu-27-nvidia-smi-query-loop-driver520.csv"
expect_grep "$tmp/err" "ksysguard-gpu-27-nvidia-smi-query-loop-driver520.csv:2: the log has no timestamps: pass --start TIME" "names --start"
expect_grep "$tmp/err" "and --interval S" "names --interval"
expect_rc 1 "single reading" -- ct import "$own/q-single.txt"
expect_grep "$tmp/err" "pass --interval S to count it as 312.45 W x S seconds" "single reading needs --interval"
expect_rc 1 "not a log" -- ct import "$CT_SOURCE_ROOT/README.md"
expect_grep "$tmp/err" "not a log format co2tally knows" "unknown format"
expect_rc 1 "missing file" -- ct import "$tmp/nope.csv"
expect_grep "$tmp/err" "cannot open $tmp/nope.csv" "missing file named"
[ "$(count)" = "$before" ] && ok "ledger unchanged by failures" || bad "ledger changed: $before -> $(count)"
expect_rc 2 "bad --format" -- ct import --format nope "$own/query-crlf.csv"
expect_rc 2 "no FILE" -- ct import
expect_rc 2 "bad --interval" -- ct import --interval 0 "$own/query-crlf.csv"
expect_rc 0 "--help" -- ct import --help
head -1 "$tmp/out" | grep -q "^usage: co2tally import" && ok "help starts with usage" || bad "help: $(head -1 "$tmp/out")"
expect_grep "$tmp/out" "nvidia-smi-dmon" "help lists the formats"
expect_rc 0 "--format forces a format" -- ct import --format nvidia-smi --json "$own/query-reordered.csv"
expect_grep "$tmp/out" '"format": "nvidia-smi"' "json names the format"

# Progress: nothing when stderr is not a terminal; a bar on one for a big file.
python3 - "$tmp/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    for s in range(110000):
        for g in range(4):
            f.write("2023/10/%02d %02d:%02d:%02d.000, %d, %d.25 W, %d %%\n" % (1 + s // 86400, s // 3600 % 24, s // 60 % 60, s % 60, g, 100 + g, g * 10))
PY
expect_rc 0 "big file, no terminal" -- ct import "$tmp/big.csv"
if grep -q "$(printf '\r')" "$tmp/err"; then bad "progress drawn without a terminal"; else ok "no progress bar without a terminal"; fi
rm -f "$tmp/bar.db"
if script -qec "'$CO2TALLY' --db '$tmp/bar.db' import '$tmp/big.csv' >/dev/null" "$tmp/typescript" >/dev/null 2>&1; then
    grep -q "%" "$tmp/typescript" && ok "progress bar on a terminal" || bad "no progress bar on a terminal: $(head -c 300 "$tmp/typescript")"
else
    bad "import under script(1) failed: $(head -c 300 "$tmp/typescript")"
fi
finish
