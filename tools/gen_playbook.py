#!/usr/bin/env python3
"""Build-time generator: data/playbook.csv -> a C table of struct ct_measure.

Python 3 standard library only. Each row's conditions ("when") and saving rule
("rule") are parsed and checked here, so a typo stops the build instead of
silently never applying. The struct is declared in src/insight/playbook.h.

when: conditions separated by ';', all of which must hold:
  gpu | !gpu            the platform draws GPU energy, or does not
  cloud | !cloud        the platform runs at a cloud provider, or does not
  method=M[|M...]       the platform's method (measured, calculated, provided)
  share>=X              the platform's share of the total is at least X
  util<X                the finding's utilisation is under X
  kind=K[|K...]         the platform's kind is one of them (laptop, desktop, ci,
                        server, gpu-server, cloud, storage, network, other)
  kind!=K[|K...]        the platform's kind is none of them
Rules never select on names: a platform renamed gets the same advice.
rule: fraction A | gpu_fraction A | region A | util T A

Usage: gen_playbook.py --csv data/playbook.csv -o OUT.c
"""
import argparse
import csv
import os
import sys

THEMES = ("models", "applications", "servers", "storage", "transfer", "templates")
EFFORT = {"low": "CT_EFFORT_LOW", "medium": "CT_EFFORT_MEDIUM", "high": "CT_EFFORT_HIGH"}
KINDS = {"platform_share": "CT_FIND_SHARE", "idle_gpu": "CT_FIND_IDLE_GPU",
         "low_utilisation": "CT_FIND_LOW_UTIL", "cleaner_region": "CT_FIND_REGION"}
METHODS = {"measured": 0, "calculated": 1, "provided": 2}
# enum ct_kind in src/config/team.h, in order
PLATFORM_KINDS = ("laptop", "desktop", "ci", "server", "gpu-server", "cloud", "storage", "network",
                  "other")
RULES = {"fraction": ("CT_RULE_FRACTION", 1), "gpu_fraction": ("CT_RULE_GPU_FRACTION", 1),
         "region": ("CT_RULE_REGION", 1), "util": ("CT_RULE_UTIL", 2)}


def fail(row, msg):
    sys.exit("gen_playbook.py: %s: %s" % (row.get("id", "?"), msg))


def c_str(s):
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


def number(row, text, lo, hi):
    try:
        v = float(text)
    except ValueError:
        fail(row, "not a number: %r" % text)
    if not lo <= v <= hi:
        fail(row, "%r is out of range (%g to %g)" % (text, lo, hi))
    return repr(v)


def kinds(row, text):
    ks = [k.strip() for k in text.split("|")]
    if any(k not in PLATFORM_KINDS for k in ks):
        fail(row, "unknown kind in %r; kinds: %s" % (text, ", ".join(PLATFORM_KINDS)))
    return str(sum(1 << PLATFORM_KINDS.index(k) for k in ks))


def parse_when(row):
    w = {"gpu": "-1", "cloud": "-1", "methods": "0", "min_share": "0.0", "max_util": "2.0",
         "kinds_any": "0", "kinds_none": "0"}
    for cond in filter(None, (c.strip() for c in row["when"].split(";"))):
        if cond in ("gpu", "!gpu", "cloud", "!cloud"):
            w[cond.lstrip("!")] = "0" if cond.startswith("!") else "1"
        elif cond.startswith("method="):
            ms = cond[7:].split("|")
            if any(m not in METHODS for m in ms):
                fail(row, "unknown method in %r" % cond)
            w["methods"] = str(sum(1 << METHODS[m] for m in ms))
        elif cond.startswith("share>="):
            w["min_share"] = number(row, cond[7:], 0, 1)
        elif cond.startswith("util<"):
            w["max_util"] = number(row, cond[5:], 0, 1)
        elif cond.startswith("kind!="):
            w["kinds_none"] = kinds(row, cond[6:])
        elif cond.startswith("kind="):
            w["kinds_any"] = kinds(row, cond[5:])
        else:
            fail(row, "unknown condition %r" % cond)
    return w


def parse_rule(row):
    parts = row["rule"].split()
    if not parts or parts[0] not in RULES:
        fail(row, "unknown rule %r" % row["rule"])
    enum, nargs = RULES[parts[0]]
    if len(parts) != 1 + nargs:
        fail(row, "rule %r wants %d number(s)" % (parts[0], nargs))
    args = [number(row, p, 0, 1) for p in parts[1:]]
    if nargs == 1:
        return enum, args[0], "0.0"
    if float(args[0]) <= 0:
        fail(row, "util's target must be above 0")
    return enum, args[0], args[1]


def entry(row):
    for col in ("id", "theme", "title", "effort", "applies", "rule", "how"):
        if not row.get(col, "").strip():
            fail(row, "%s is empty" % col)
    if row["theme"] not in THEMES:
        fail(row, "unknown theme %r" % row["theme"])
    if row["effort"] not in EFFORT:
        fail(row, "effort is low, medium or high, not %r" % row["effort"])
    if row["applies"] not in KINDS:
        fail(row, "applies names no finding kind: %r" % row["applies"])
    w = parse_when(row)
    rule, a, b = parse_rule(row)
    if rule == "CT_RULE_REGION" and row["applies"] != "cleaner_region":
        fail(row, "the region rule needs cleaner_region findings")
    if rule == "CT_RULE_UTIL" and row["applies"] != "low_utilisation":
        fail(row, "the util rule needs low_utilisation findings")
    return ("    {%s, %s, %s, %s, %s,\n     %s, %s, %s, %s, %s, %s, %s,\n     %s, %s, %s, %s, %s,\n     %s},"
            % (c_str(row["id"]), c_str(row["theme"]), c_str(row["title"]), EFFORT[row["effort"]],
               KINDS[row["applies"]], w["gpu"], w["cloud"], w["methods"], w["min_share"],
               w["max_util"], w["kinds_any"], w["kinds_none"], rule, a, b,
               c_str(row["when"]), c_str(row["rule"]), c_str(row["how"])))


def generate(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        sys.exit("gen_playbook.py: duplicate id")
    missing = set(THEMES) - {r["theme"] for r in rows}
    if missing:
        sys.exit("gen_playbook.py: no measure for theme(s) %s" % ", ".join(sorted(missing)))
    out = ["/* Generated by tools/gen_playbook.py from data/playbook.csv. Do not edit. */",
           '#include "insight/insight.h"', "",
           "const struct ct_measure ct_playbook[] = {"]
    out += [entry(r) for r in rows]
    out += ["};", "const int ct_playbook_n = %d;" % len(rows), ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    text = generate(a.csv)
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
