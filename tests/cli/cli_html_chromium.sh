# The HTML report in headless Chromium: the page loads from a file with the network
# shut; the DOM's donut slices carry the JSON report's kgCO2e and shares; a
# screenshot is not blank (decoded here with zlib, no imaging library); printing
# gives A4 pages. Skipped (77) where Debian's chromium is not installed.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "ok - # SKIP chromium is not installed (scripts/setup.sh installs it)"
    exit 77
fi
team="$CT_SOURCE_ROOT/examples/team.ini"
ct() { "$CO2TALLY" --db "$tmp/ex.db" --config "$team" "$@"; }
chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --hide-scrollbars "$@" 2>>"$tmp/chrome.log"
}

expect_rc 0 "estimate the example team" -- ct estimate
expect_rc 0 "report --format html -o FILE" -- ct report --format html -o "$tmp/report.html"
expect_rc 0 "report --json" -- ct report --json
cp "$tmp/out" "$tmp/report.json"

chrome --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"
[ -s "$tmp/dom.html" ] && ok "chromium loads the page" || bad "no DOM: $(tail -c 400 "$tmp/chrome.log")"
python3 - "$tmp/dom.html" "$tmp/report.json" <<'PY' && ok "slices match the JSON report's shares" || bad "slices vs JSON"
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.slices, self.recs, self.segs, self.scripts = [], 0, 0, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "g" and cls == "slice":
            self.slices.append((a["data-key"], float(a["data-share"]), float(a["data-kgco2e"])))
        self.recs += tag == "g" and cls == "rec"
        self.segs += tag == "rect" and cls == "seg"
        self.scripts += tag in ("script", "link", "iframe", "img")

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
r = json.load(open(sys.argv[2]))
groups = [(g["key"], g["share"], g["extrapolated_kgco2e"]) for g in r["platforms"] if g["series"]]
assert len(d.slices) == len(groups), (d.slices, groups)
for (k, s, kg), (gk, gs, gkg) in zip(d.slices, groups):
    assert k == gk and abs(s - gs) <= 1e-12 and abs(kg - gkg) <= 1e-9 * max(1, gkg), (k, s, kg, gk, gs, gkg)
assert abs(sum(s for _, s, _ in d.slices) - 1) < 1e-9
assert d.recs == len(r["advice"]["recommendations"]), (d.recs, len(r["advice"]["recommendations"]))
assert d.segs >= 12 and d.scripts == 0
PY

chrome --window-size=1280,2400 --screenshot="$tmp/shot.png" "file://$tmp/report.html" >/dev/null
python3 - "$tmp/shot.png" <<'PY' && ok "the screenshot is not blank" || bad "blank or unreadable screenshot"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride, prev, colours, ink = zlib.decompress(idat), w * bpp, None, set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):   # undo the PNG filter of the row
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x] if prev else 0
        c = prev[x - bpp] if prev and x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, w, 4):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            ink += px != b"\xff\xff\xff"
samples = (h // 4 + 1) * (w // 4 + 1)
assert len(colours) >= 30, len(colours)
assert ink > 0.1 * samples, (ink, samples)
PY

chrome --print-to-pdf="$tmp/report.pdf" --no-pdf-header-footer "file://$tmp/report.html" >/dev/null
python3 - "$tmp/report.pdf" <<'PY' && ok "prints on A4" || bad "not A4: $(grep -a -o 'MediaBox[^]]*]' "$tmp/report.pdf" | head -2)"
import re, sys
boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)", open(sys.argv[1], "rb").read())
assert boxes, "no MediaBox"
for w, h in boxes:   # A4 is 595.28 x 841.89 pt; Chromium rounds to whole device pixels
    assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)
PY

# Readable at any width: at 400, 800 and 1280 px every label is at least 11 px
# (SVG text measured after its viewBox scaling), no table is wider than the
# window (under 600 px rows become cards), and no quadrant label or point
# overlaps another. The checks run in a copy of the page with a script added
# (tests/cli/layout_check.js); the page itself has none.
sed 's#</body>#<script src="layout_check.js"></script></body>#' "$tmp/report.html" >"$tmp/layout.html"
cp "$CT_SOURCE_ROOT/tests/cli/layout_check.js" "$tmp/"
for w in 400 800 1280; do
    # Headless windows have a minimum width; a frame of exactly w pixels is the
    # page's viewport at any width.
    printf '<!DOCTYPE html><html><body style="margin:0"><iframe src="layout.html" width="%d" height="3000" style="border:0"></iframe></body></html>' "$w" >"$tmp/frame-$w.html"
    chrome --allow-file-access-from-files --window-size=1400,3000 --dump-dom "file://$tmp/frame-$w.html" >"$tmp/layout-$w.html"
    python3 - "$tmp/layout-$w.html" "$w" <<'PY' && ok "layout at $w px: labels >= 11 px, tables fit, no overlaps" || bad "layout at $w px"
import html, json, re, sys
m = re.search(r'data-layout="([^"]*)"', open(sys.argv[1], encoding="utf-8").read())
assert m, "the layout script did not run"
r = json.loads(html.unescape(m.group(1)))
assert r["width"] <= int(sys.argv[2]), r["width"]
assert not r["small"], r["small"][:5]
assert not r["wide"], r["wide"]
assert not r["overlap"], r["overlap"][:5]
PY
done
chrome --window-size=400,3000 --screenshot="$tmp/narrow.png" "file://$tmp/report.html" >/dev/null
[ -s "$tmp/narrow.png" ] && ok "a 400 px screenshot" || bad "no 400 px screenshot"

# A partly covered platform: five weeks of a 4-GPU nvidia-smi log on a measured
# server beside the example team's estimates. The pie's slices carry the
# extrapolated year's shares (what the monthly chart shows), not the observed
# kgCO2e the ledger happens to hold.
cat "$team" >"$tmp/team2.ini"
printf '\n[platform gpu-servers]\nmethod = measured\nhosts = gpu-01\npue = 1.4\n' >>"$tmp/team2.ini"
python3 - "$tmp/gpu.csv" <<'PY'
import datetime, sys
t0 = datetime.datetime(2023, 3, 6, tzinfo=datetime.timezone.utc)
with open(sys.argv[1], "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    for k in range(5 * 7 * 288):          # every 5 minutes for five weeks
        t = t0 + datetime.timedelta(minutes=5 * k)
        for g in range(4):
            busy = (k // 12 + g) % 3 != 0
            f.write("%s, %d, %.2f W, %d %%\n" % (t.strftime("%Y/%m/%d %H:%M:%S.000"), g,
                                                 320.0 + 10 * g if busy else 60.0, 90 if busy else 0))
PY
ct2() { "$CO2TALLY" --db "$tmp/two.db" --config "$tmp/team2.ini" "$@"; }
expect_rc 0 "estimate beside a measured platform" -- ct2 estimate
expect_rc 0 "import five weeks of nvidia-smi" -- ct2 import --host gpu-01 --max-gap 600 "$tmp/gpu.csv"
expect_rc 0 "the page" -- ct2 report --format html -o "$tmp/two.html"
expect_rc 0 "the JSON" -- ct2 report --json
cp "$tmp/out" "$tmp/two.json"
chrome --dump-dom "file://$tmp/two.html" >"$tmp/two-dom.html"
python3 - "$tmp/two-dom.html" "$tmp/two.json" <<'PY' && ok "the pie shows the extrapolated year's shares" || bad "pie vs extrapolated shares"
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2]))
slices = {m.group(1): (float(m.group(2)), float(m.group(3))) for m in re.finditer(
    r'<g class="slice" data-key="([^"]*)" data-kgco2e="([^"]*)" data-share="([^"]*)"', dom)}
plats = {p["key"]: p for p in r["platforms"] if p["series"]}
assert set(slices) == set(plats), (slices.keys(), plats.keys())
total = r["total"]["extrapolated_kgco2e"]
for k, (kg, share) in slices.items():
    p = plats[k]
    assert abs(share - p["extrapolated_kgco2e"] / total) < 1e-12, (k, share)
    assert abs(kg - p["extrapolated_kgco2e"]) < 1e-9 * kg, (k, kg)
g = plats["gpu-servers"]
# five weeks of 52: the observed share is a small part of the year's
assert g["share"] > 5 * g["share_observed"], (g["share"], g["share_observed"])
assert abs(sum(s for _, s in slices.values()) - 1) < 1e-9
months = sum(m["platforms"]["gpu-servers"]["extrapolated_kgco2e"] for m in r["months"])
assert abs(months - g["extrapolated_kgco2e"]) < 1e-9 * months
PY
finish
