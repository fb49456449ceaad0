#!/usr/bin/env python3
"""Build-time generator: data/*.csv -> one C file of const tables.

Python 3 standard library only. The tables are declared in src/data/tables.h;
those the library searches are sorted here (bytewise, as strcmp orders them)
so that lookups can use bsearch. Any inconsistency (an unknown source id, a
duplicate key, a value that is not a number) stops the build.

Usage: gen_data.py --data DIR -o OUT.c
"""
import argparse
import csv
import os
import re
import sys

BASIS = {"lifecycle": "CT_BASIS_LIFECYCLE", "direct": "CT_BASIS_DIRECT",
         "unspecified": "CT_BASIS_UNSPECIFIED"}
KIND = {"cpu": "CT_CHIP_CPU", "gpu": "CT_CHIP_GPU"}


def fail(msg):
    sys.exit("gen_data.py: " + msg)


def read(data, name):
    with open(os.path.join(data, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def c_str(s):
    """A C string literal; non-ASCII bytes as octal escapes, '?' escaped
    against trigraphs."""
    out = []
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\?':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7f:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_num(text, what):
    try:
        v = float(text)
    except ValueError:
        fail("%s: not a number: %r" % (what, text))
    if v != v or v in (float("inf"), float("-inf")):
        fail("%s: not finite: %r" % (what, text))
    return repr(v)


def chip_key(name):
    """Must match chip_key() in src/account/chips.c: ASCII lower case, runs of
    space, tab, '-' and '_' become one space, none at either end."""
    s = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in name)
    return re.sub(r"[ \t_-]+", " ", s).strip(" ")


class Gen:
    def __init__(self, data):
        self.data = data
        self.sources = {r["id"]: r for r in read(data, "sources.csv")}
        self.out = []

    def src(self, sid, what):
        if sid not in self.sources:
            fail("%s: unknown source id %r" % (what, sid))
        return c_str(sid)

    def emit(self, line=""):
        self.out.append(line)

    # ------------------------------------------------------------ grid
    def locations(self):
        locs = {}  # key -> dict(code, name, family, values=[(year, basis, g, gd, src)])

        def add(key, code, name, family, year, basis, g, gd, sid):
            loc = locs.setdefault(key, {"code": code, "name": name, "family": family, "values": {}})
            if year in loc["values"]:
                fail("duplicate value for %s %d" % (key, year))
            loc["values"][year] = (BASIS[basis], c_num(g, key), gd, self.src(sid, key))
            loc["name"] = name  # the latest row's name wins (rows come in year order)

        for r in read(self.data, "grid_owid.csv"):
            add(r["code"].lower(), r["code"], r["name"], "CT_FAM_COUNTRY", int(r["year"]),
                "lifecycle", r["g_per_kwh"], "-1.0", "owid-ember")
        # Ember's latest-year table only fills what OWID lacks (a country or a
        # newer year); where both have the year, OWID's series is kept.
        for r in read(self.data, "grid_ember.csv"):
            key, year = r["code"].lower(), int(r["year"])
            if key in locs and year in locs[key]["values"]:
                continue
            name = locs[key]["name"] if key in locs else r["name"]
            add(key, r["code"], name, "CT_FAM_COUNTRY", year, "lifecycle", r["g_per_kwh"], "-1.0",
                "ember-latest")
        for r in read(self.data, "grid_electricitymaps.csv"):
            add("em:" + r["zone"].lower(), r["zone"], r["name"], "CT_FAM_EM", int(r["year"]),
                "lifecycle", r["lifecycle_g_per_kwh"], c_num(r["direct_g_per_kwh"], r["zone"]),
                "electricitymaps-2024")
        for r in read(self.data, "grid_gcp.csv"):
            add("gcp:" + r["region"].lower(), "gcp:" + r["region"], r["name"], "CT_FAM_GCP",
                int(r["year"]), r["basis"], r["g_per_kwh"], "-1.0", "gcp-region-carbon")
        for r in read(self.data, "grid_ccf.csv"):
            fam = "CT_FAM_AWS" if r["code"].startswith("aws:") else "CT_FAM_AZURE"
            add(r["code"].lower(), r["code"], r["name"], fam, 0, r["basis"], r["g_per_kwh"], "-1.0",
                "ccf-coefficients")
        return locs

    def grid(self):
        locs = self.locations()
        keys = sorted(locs, key=lambda k: k.encode())
        self.emit("const struct ct_tab_value ct_tab_values[] = {")
        first = []
        n = 0
        for k in keys:
            first.append(n)
            for year in sorted(locs[k]["values"]):
                basis, g, gd, sid = locs[k]["values"][year]
                self.emit("    {%d, %s, %s, %s, %s}," % (year, basis, g, gd, sid))
                n += 1
        self.emit("};")
        self.emit("const size_t ct_tab_n_values = %d;" % n)
        self.emit()
        self.emit("const struct ct_tab_location ct_tab_locations[] = {")
        for k, f in zip(keys, first):
            loc = locs[k]
            self.emit("    {%s, %s, %s, %s, %d, %d}," % (c_str(k), c_str(loc["code"]), c_str(loc["name"]),
                                                        loc["family"], f, len(loc["values"])))
        self.emit("};")
        self.emit("const size_t ct_tab_n_locations = %d;" % len(keys))
        self.emit()

    # ------------------------------------------------------------ PUE, chips
    def pue(self):
        rows = sorted(read(self.data, "pue.csv"), key=lambda r: r["key"].encode())
        self.emit("const struct ct_tab_pue ct_tab_pue[] = {")
        for r in rows:
            self.emit("    {%s, %s, %d, %s, %s}," % (c_str(r["key"]), c_num(r["pue"], r["key"]),
                                                    int(r["year"] or 0), self.src(r["source"], r["key"]),
                                                    c_str(r["note"])))
        self.emit("};")
        self.emit("const size_t ct_tab_n_pue = %d;" % len(rows))
        self.emit()
        rows = sorted(read(self.data, "vcpu.csv"), key=lambda r: r["key"].encode())
        if "average" not in [r["key"] for r in rows]:
            fail("vcpu.csv: no 'average' row (the default where no provider is known)")
        self.emit("const struct ct_tab_vcpu ct_tab_vcpu[] = {")
        for v in rows:
            self.emit("    {%s, %s, %s, %s, %s}," % (
                c_str(v["key"]), c_num(v["min_watts"], "vcpu"), c_num(v["max_watts"], "vcpu"),
                self.src(v["source"], "vcpu"), c_str(v["note"])))
        self.emit("};")
        self.emit("const size_t ct_tab_n_vcpu = %d;" % len(rows))
        self.emit()

    def chips(self):
        # Priority order: the vendors' datasheets (chips_vendor.csv, each row
        # with its own source and address), then CodeCarbon, then Green
        # Algorithms; the first row for a key wins, the rule the lookup documents.
        seen = {}
        for r in read(self.data, "chips_vendor.csv"):
            key = chip_key(r["name"])
            if not key or key in seen:
                fail("chips_vendor.csv: empty or duplicate chip %r" % r["name"])
            if not r["url"].startswith("https://") or not r["note"]:
                fail("chips_vendor.csv: %r needs its address (url) and a note" % r["name"])
            idle = c_num(r["idle_watts"], r["name"]) if r["idle_watts"] else "-1.0"
            seen[key] = (c_str(r["name"]), KIND[r["kind"]], c_num(r["watts"], r["name"]), idle,
                         self.src(r["source"], r["name"]), c_str(r["url"]), c_str(r["note"]))
        for fname, sid in (("chips_codecarbon.csv", "codecarbon"),
                           ("chips_green_algorithms.csv", "green-algorithms")):
            for r in read(self.data, fname):
                key = chip_key(r["name"])
                if key and key not in seen:
                    seen[key] = (c_str(r["name"]), KIND[r["kind"]], c_num(r["watts"], r["name"]), "-1.0",
                                 self.src(sid, fname), "NULL", "NULL")
        self.emit("const struct ct_tab_chip ct_tab_chips[] = {")
        for key in sorted(seen, key=lambda k: k.encode()):
            self.emit("    {%s, %s, %s, %s, %s, %s, %s, %s}," % ((c_str(key),) + seen[key]))
        self.emit("};")
        self.emit("const size_t ct_tab_n_chips = %d;" % len(seen))
        self.emit()

    # ------------------------------------------------------------ the rest
    def equivalents(self):
        rows = read(self.data, "equivalents.csv")
        for kind, var in (("equivalent", "ct_tab_equivalents"), ("reference", "ct_tab_references")):
            sel = [r for r in rows if r["kind"] == kind]
            self.emit("const struct ct_equivalent %s[] = {" % var)
            for r in sel:
                self.emit("    {%s, %s, %s, %s, %s}," % (c_str(r["key"]), c_str(r["label"]),
                                                        c_num(r["kg_per_unit"], r["key"]),
                                                        self.src(r["source"], r["key"]), c_str(r["note"])))
            self.emit("};")
            self.emit("const int %s_n = %d;" % (var, len(sel)))
            self.emit()

    def source_table(self):
        self.emit("const struct ct_source ct_tab_sources[] = {")
        for sid in sorted(self.sources, key=lambda k: k.encode()):
            r = self.sources[sid]
            self.emit("    {%s, %s, %s, %s}," % (c_str(sid), c_str(r["title"]), c_str(r["licence"]),
                                                c_str(r["url"])))
        self.emit("};")
        self.emit("const size_t ct_tab_n_sources = %d;" % len(self.sources))

    def run(self):
        self.emit("/* Generated by tools/gen_data.py from the CSV files in data/. Do not edit. */")
        self.emit("#include \"data/tables.h\"")
        self.emit()
        self.grid()
        self.pue()
        self.chips()
        self.equivalents()
        self.source_table()
        return "\n".join(self.out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    text = Gen(a.data).run()
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
