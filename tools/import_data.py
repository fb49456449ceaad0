#!/usr/bin/env python3
"""One-off converter: ../shared/data (as published upstream) -> data/*.csv.

The output is the project's own, normalised copy of the reference data: UTF-8,
LF line endings, one header row, plain columns, one file per licence so that
share-alike data (Ember, Electricity Maps) stays separable. Running it again
gives byte-identical files. Every fix of a known defect is listed in FIXES or
in a comment at the place it is applied, and documented in data/SOURCES.md.

Usage: python3 tools/import_data.py [--shared ../shared/data] [--out data]
"""
import argparse
import csv
import json
import os
import re
import shutil
import sys
from decimal import Decimal, InvalidOperation, getcontext

getcontext().prec = 28
MILE_KM = Decimal("1.609344")  # international mile, exact

# Known defects in the published files, fixed here by exact match so that a
# change upstream fails loudly instead of being "fixed" twice.
FIXES = {
    # CCF Azure factors published without their leading "0." (metric t/kWh).
    ("azure", "Finland Central"): ("000077", "0.000077"),
    ("azure", "Germany West Central"): ("000402", "0.000402"),
}


def dec(text):
    """Parses a decimal number as written; raises ValueError when it is not one."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("not a number: %r" % text) from None
    if not d.is_finite():
        raise ValueError("not finite: %r" % text)
    return d


def fmt(d, sig=None):
    """Plain decimal text: no exponent, no trailing zeros ("15.0" -> "15")."""
    if sig is not None:
        d = Decimal(format(d, ".%dg" % sig))
    d = d.normalize()
    return format(d, "f")


def clean_name(s):
    """Tidies a chip or place name: NBSP to space, drops zero-width spaces,
    collapses runs of spaces, trims."""
    s = s.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r" {2,}", " ", s).strip()


def read_csv(path, skip=0):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [r for r in rows[skip:] if any(c.strip() for c in r)]


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)
    print("%-36s %5d rows" % (os.path.relpath(path), len(rows)))


# ---------------------------------------------------------------- grid
def grid_owid(src):
    rows = read_csv(os.path.join(src, "grid/owid-carbon-intensity-electricity.csv"))
    assert rows[0][:3] == ["Entity", "Code", "Year"], rows[0]
    assert "gCO2/kWh" in rows[0][3]
    out = []
    for entity, code, year, value in rows[1:]:
        # Real ISO3 codes only; OWID's own aggregates (OWID_KOS ...) are left
        # out, except the world, which we call WORLD.
        if code == "OWID_WRL":
            code = "WORLD"
        elif not re.fullmatch(r"[A-Z]{3}", code):
            continue
        out.append((code, entity, int(year), fmt(dec(value))))
    out.sort(key=lambda r: (r[0], r[2]))
    return [(c, n, str(y), v) for c, n, y, v in out]


def grid_ember(src):
    with open(os.path.join(src, "grid/ember-latest-by-country.json"), encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for key in sorted(data):
        e = data[key]
        code = e["country_code"]
        if not re.fullmatch(r"[A-Z]{3}", code):
            continue  # regions (Africa, EU, World ...) have no code
        # Format the float through repr, which is the JSON text for these values.
        out.append((code, e["country_or_region"], str(int(e["year"])),
                    fmt(dec(repr(e["emissions_intensity_gco2_per_kwh"])))))
    out.sort()
    return out


def grid_em(src):
    rows = read_csv(os.path.join(src, "grid/electricitymaps-yearly-2024.csv"))
    hdr = rows[0]
    assert "(direct)" in hdr[4] and "(Life cycle)" in hdr[5], hdr
    out = []
    for r in rows[1:]:
        when, country, zone_name, zone = r[0], r[1], r[2], r[3]
        if zone == "GLOBAL":
            # Added by Green Algorithms from Ember (2023), not Electricity Maps
            # data; the world value comes from OWID (WORLD) instead.
            continue
        name = zone_name if zone_name == country else "%s (%s)" % (zone_name, country)
        out.append((zone, clean_name(name), when[:4], fmt(dec(r[4])), fmt(dec(r[5]))))
    out.sort()
    return out


def grid_gcp(src):
    out = []
    for year in range(2019, 2025):
        rows = read_csv(os.path.join(src, "cloud/gcp-region-carbon-%d.csv" % year))
        hdr = rows[0][3]
        # 2019-2020 say "Lifecycle"; 2021+ say only "Grid carbon intensity",
        # which Google describes as "operational gross emissions" without
        # saying whether upstream emissions are in: unspecified.
        basis = "lifecycle" if hdr.startswith("Lifecycle") else "unspecified"
        for region, location, cfe, value in rows[1:]:
            cfe_text = fmt(dec(cfe)) if cfe.strip() else ""
            out.append((region, location.strip(), str(year), fmt(dec(value)), cfe_text, basis))
    out.sort(key=lambda r: (r[0], int(r[2])))
    return out


def ccf_basis(origin):
    # EPA eGRID and EEA publish combustion (direct) factors; the other
    # origins (carbonfootprint.com, EMA Singapore) do not say.
    return "direct" if origin in ("EPA", "EEA") else "unspecified"


def grid_ccf(src):
    out = []
    for provider in ("aws", "azure"):
        rows = read_csv(os.path.join(src, "cloud/ccf/grid-emissions-factors-%s.csv" % provider))
        assert rows[0][3] == "CO2e (metric ton/kWh)", rows[0]
        for r in rows[1:]:
            if len(r) == 6 and r[5] == "":
                r = r[:5]  # Finland Central: stray trailing comma
            region, place, nerc, value, origin = r
            fix = FIXES.get((provider, region))
            if fix:
                assert value == fix[0], (region, value)
                value = fix[1]
            g = dec(value) * 1000000  # metric t/kWh -> g/kWh
            if provider == "aws":
                key = region
            else:
                key = re.sub(r"[^a-z0-9]", "", region.lower())
            name = place if provider == "aws" else "%s (%s)" % (region, place)
            if nerc:
                name += ", NERC " + nerc
            out.append(("%s:%s" % (provider, key), name, fmt(g), ccf_basis(origin), origin))
    out.sort()
    return out


# ---------------------------------------------------------------- PUE, vCPU
def pick(rows, scope, year=None):
    hits = [r for r in rows if r["provider_scope"] == scope and (year is None or r["year"] == year)]
    assert len(hits) == 1, (scope, year, hits)
    return hits[0]


def constants_table_rows(src):
    with open(os.path.join(src, "cloud/ccf/CONSTANTS.md"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("|"):
                yield [c.strip() for c in line.strip().strip("|").split("|")]


def pue_rows(src):
    with open(os.path.join(src, "misc/pue.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # Providers' own latest reported fleet averages; the survey average for
    # on-premises rooms (Uptime 2024, the newest, also Green Algorithms'
    # default); 1.0 for a laptop (no facility around it).
    chosen = [
        ("aws", pick(rows, "AWS global fleet", "2024"), "aws-pue",
         "AWS reported global fleet PUE for 2024 (1.15 in 2023 too)"),
        ("azure", pick(rows, "Microsoft Azure fleet"), "microsoft-pue",
         "Microsoft global facility average (newest designs about 1.12)"),
        ("gcp", pick(rows, "Google fleet (trailing twelve months)"), "google-pue",
         "Google fleet trailing-twelve-month PUE, about 1.10"),
        ("laptop", pick(rows, "Laptop / desktop / personal computer"), "green-algorithms",
         "no facility overhead (Green Algorithms and CodeCarbon convention)"),
        ("onprem", pick(rows, "Industry average (Uptime Institute survey)", "2024"), "uptime-2024",
         "industry survey average, 2024 (1.58 in 2023; IDC estimates 1.63)"),
    ]
    out = [(k, fmt(dec(r["pue"])), r["year"], s, n) for k, r, s, n in chosen]
    for cells in constants_table_rows(src):
        if len(cells) == 2 and re.fullmatch(r"[a-z]+-[a-z]+\d+", cells[0]):
            out.append(("gcp:" + cells[0], fmt(dec(cells[1])), "", "ccf-app",
                        "Google regional trailing-twelve-month PUE as used by Cloud Carbon Footprint"))
    out.sort()
    return out


def vcpu_rows(src):
    """W per vCPU when the processor is unknown: "average" (AWS's, the default
    where no provider is known, as before) and one row per provider, from the
    AWS, Azure and GCP columns of CONSTANTS.md (GCP gives medians)."""
    vals = {}
    for cells in constants_table_rows(src):
        if cells and cells[0].startswith(("MIN_WATTS_", "MAX_WATTS_")) and len(cells) >= 4:
            vals[cells[0].split(" ")[0]] = cells[1:4]  # AWS, GCP, Azure columns
    aws_min, aws_max = vals["MIN_WATTS_AVG"][0], vals["MAX_WATTS_AVG"][0]
    az_min, az_max = vals["MIN_WATTS_AVG"][2], vals["MAX_WATTS_AVG"][2]
    gcp_min, gcp_max = vals["MIN_WATTS_MEDIAN"][1], vals["MAX_WATTS_MEDIAN"][1]
    f = lambda v: fmt(dec(v))
    return [("average", f(aws_min), f(aws_max), "ccf-app",
             "AWS average over processors, W per vCPU, used by CCF when the processor is unknown"),
            ("aws", f(aws_min), f(aws_max), "ccf-app",
             "AWS MIN_WATTS_AVG / MAX_WATTS_AVG, W per vCPU (CCF, processor unknown)"),
            ("azure", f(az_min), f(az_max), "ccf-app",
             "Azure MIN_WATTS_AVG / MAX_WATTS_AVG, W per vCPU (CCF, processor unknown)"),
            ("gcp", f(gcp_min), f(gcp_max), "ccf-app",
             "Google Cloud MIN_WATTS_MEDIAN / MAX_WATTS_MEDIAN, W per vCPU (CCF uses the median for GCP)")]


# ---------------------------------------------------------------- chips
def chips_codecarbon(src):
    rows = read_csv(os.path.join(src, "hardware/codecarbon-cpu-power.csv"))
    assert rows[0] == ["Name", "TDP"], rows[0]
    out = []
    for name, tdp in rows[1:]:
        try:
            w = dec(tdp)
        except ValueError:
            continue  # "27.29.5" and the like: ranges run together; ambiguous
        if w <= 0:
            continue  # "Intel Quark Microcontroller D1000, 0.0": no usable TDP
        out.append((clean_name(name), "cpu", fmt(w)))
    return out


def chips_green_algorithms(src):
    out = []
    for kind in ("cpu", "gpu"):
        rows = read_csv(os.path.join(src, "hardware/green-algorithms-TDP_%s.csv" % kind))
        # Row 0 is a units row ("index,in Watt,..."); row 1 the header.
        assert rows[0][0] == "index" and rows[1][:2] == ["model", "TDP"], rows[:2]
        for r in rows[2:]:
            if r[0].strip() == "Any" or not r[1].strip():
                continue  # per-core placeholder for unknown models, no TDP
            out.append((clean_name(r[0]), kind, fmt(dec(r[1]))))
    return out


# ---------------------------------------------------------------- equivalents
def equivalents(src):
    with open(os.path.join(src, "misc/equivalents.csv"), encoding="utf-8", newline="") as f:
        eq = {r["key"]: r for r in csv.DictReader(f)}
    ga = {r[0]: r[1] for r in read_csv(os.path.join(src, "misc/green-algorithms-referenceValues.csv"), 2)}

    def t(key, unit):
        assert eq[key]["unit"].startswith(unit), (key, eq[key]["unit"])
        return dec(eq[key]["value"]) * 1000  # t -> kg

    # carbonfootprint.com value in Green Algorithms must equal the row we use.
    assert dec(ga["flight_NY-SF"]) == t("flight_ny_sf_carbonfootprint", "t CO2e") * 1000
    rows = [
        ("equivalent", "flight_ny_sf", "one-way New York - San Francisco flights (passenger)",
         t("flight_ny_sf_carbonfootprint", "t CO2e per passenger"), "green-algorithms",
         "carbonfootprint.com calculator as used by Green Algorithms; EPA hub factors give about 425 kg"),
        ("equivalent", "flight_ny_sf_epa", "one-way New York - San Francisco flights (passenger, EPA factors)",
         t("flight_ny_sf_epa", "t CO2e per passenger"), "epa-ghg-hub",
         "2,586 mi x EPA long-haul factors (AR5 GWPs), no radiative forcing; computed, distance unconfirmed"),
        ("equivalent", "car_km", "km driven by an average US gasoline passenger car",
         t("vehicle_mile", "t CO2e per mile") / MILE_KM, "epa-equivalencies",
         "EPA 3.93e-4 t CO2e per mile (FHWA 2022 edition) / 1.609344 km per mile"),
        ("equivalent", "car_year", "years of driving an average US gasoline passenger car",
         t("vehicle_year_current", "t CO2e per vehicle"), "epa-equivalencies",
         "EPA edition using FHWA 2022 data (22.8 mpg, 10,917 mi/yr)"),
        ("equivalent", "home_year", "years of electricity use of an average US home",
         t("home_electricity_year", "t CO2 per home"), "epa-equivalencies",
         "older EPA edition (with 3.98e-4 t/mile), t CO2; current edition value not confirmed"),
        ("equivalent", "smartphone_charge", "smartphone charges",
         t("smartphone_charge", "t CO2 per smartphone"), "epa-equivalencies",
         "current EPA edition (eGRID2022 vintage), t CO2"),
        ("equivalent", "tree_seedling_10yr", "urban tree seedlings grown for 10 years (CO2 absorbed)",
         t("tree_seedling_10yr", "t CO2 sequestered"), "epa-equivalencies",
         "survival-weighted, over 10 years; not an annual rate"),
        ("equivalent", "tree_year", "tree-years of CO2 absorption",
         dec(ga["treeYear"]) / 1000, "green-algorithms", "11 kg CO2 per tree per year"),
        ("reference", "gpt3", "GPT-3 (175B) training",
         t("gpt3_training_excl_pue", "t CO2"), "luccioni-2022",
         "1,287 MWh x 429 g/kWh; excludes PUE (552 t with PUE 1.1, Patterson et al. 2021)"),
        ("reference", "gpt3_pue", "GPT-3 (175B) training, including PUE",
         t("gpt3_training_incl_pue", "t CO2"), "patterson-2021", "1,287 MWh, PUE 1.1 included"),
        ("reference", "llama2", "Llama 2 pretraining (7B, 13B, 34B and 70B together)",
         t("llama2_total", "t CO2"), "touvron-2023",
         "four models, 3,311,616 A100-80GB GPU-hours; offset by Meta"),
    ]
    for size in ("7b", "13b", "34b", "70b"):
        rows.append(("reference", "llama2_" + size, "Llama 2 %s pretraining" % size.upper(),
                     t("llama2_" + size, "t CO2"), "touvron-2023", eq["llama2_" + size]["notes"]))
    return [(k, key, label, fmt(v, 15), s, n) for k, key, label, v, s, n in rows]


# ---------------------------------------------------------------- sources
SOURCES = [
    ("apple-power", "Apple - power consumption and thermal output of Mac mini and Mac Studio (support pages)",
     "fact (cited)", "https://support.apple.com/en-us/102027"),
    ("aws-pue", "AWS - data centers sustainability page (global PUE)", "fact (cited)",
     "https://aws.amazon.com/sustainability/data-centers/"),
    ("ccf-app", "Cloud Carbon Footprint - application constants", "Apache-2.0",
     "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint"),
    ("ccf-coefficients", "Cloud Carbon Footprint - cloud-carbon-coefficients grid emission factors",
     "Apache-2.0", "https://github.com/cloud-carbon-footprint/cloud-carbon-coefficients"),
    ("codecarbon", "CodeCarbon - CPU power (TDP) table", "MIT",
     "https://github.com/mlco2/codecarbon"),
    ("electricitymaps-2024", "Electricity Maps - 2024 yearly carbon intensity (via Green Algorithms data)",
     "ODbL-1.0", "https://www.electricitymaps.com"),
    ("ember-latest", "Ember - latest yearly electricity data per country (via Green Web Foundation CO2.js)",
     "CC-BY-SA-4.0", "https://github.com/thegreenwebfoundation/co2.js"),
    ("epa-equivalencies", "US EPA - Greenhouse Gas Equivalencies Calculator, calculations and references",
     "public-domain", "https://www.epa.gov/energy/greenhouse-gas-equivalencies-calculator-calculations-and-references"),
    ("epa-ghg-hub", "US EPA - GHG Emission Factors Hub (business travel, long-haul air)", "public-domain",
     "https://www.epa.gov/climateleadership/ghg-emission-factors-hub"),
    ("gcp-region-carbon", "Google Cloud - carbon free energy for Google Cloud regions", "Apache-2.0",
     "https://github.com/GoogleCloudPlatform/region-carbon-info"),
    ("google-pue", "Google - data center efficiency (fleet PUE, as reported)", "fact (cited)",
     "https://www.google.com/about/datacenters/efficiency/"),
    ("green-algorithms", "Green Algorithms - tool data (TDP, reference values, PUE)", "CC-BY-4.0",
     "https://github.com/GreenAlgorithms/green-algorithms-tool"),
    ("luccioni-2022", "Luccioni, Viguier, Ligozat 2022 - Estimating the carbon footprint of BLOOM, Table 4",
     "fact (cited)", "https://arxiv.org/abs/2211.02001"),
    ("microsoft-pue", "Microsoft - datacenter efficiency (global PUE, as reported)", "fact (cited)",
     "https://datacenters.microsoft.com/sustainability/efficiency/"),
    ("owid-ember", "Our World in Data - carbon intensity of electricity (Ember; Energy Institute)",
     "CC-BY-4.0", "https://ourworldindata.org/grapher/carbon-intensity-electricity"),
    ("patterson-2021", "Patterson et al. 2021 - Carbon emissions and large neural network training",
     "fact (cited)", "https://arxiv.org/abs/2104.10350"),
    ("touvron-2023", "Touvron et al. 2023 - Llama 2: open foundation and fine-tuned chat models, Table 2",
     "fact (cited)", "https://arxiv.org/abs/2307.09288"),
    ("uptime-2024", "Uptime Institute - Global Data Center Survey 2024", "fact (cited)",
     "https://datacenter.uptimeinstitute.com/rs/711-RIA-145/images/2024.GlobalDataCenterSurvey.Report.pdf"),
    ("vendor", "Chip vendors' datasheets and product pages (each chip row gives its address)", "fact (cited)",
     "https://www.nvidia.com/en-us/data-center/"),
]

LICENCE_COPIES = [
    ("grid/electricitymaps-LICENSE.txt", "licences/ODbL-1.0-electricitymaps.txt"),
    ("cloud/ccf/LICENSE", "licences/Apache-2.0.txt"),
]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(root, "data"))
    a = ap.parse_args()
    src, out = a.shared, a.out
    os.makedirs(os.path.join(out, "licences"), exist_ok=True)
    j = lambda n: os.path.join(out, n)
    write_csv(j("grid_owid.csv"), ["code", "name", "year", "g_per_kwh"], grid_owid(src))
    write_csv(j("grid_ember.csv"), ["code", "name", "year", "g_per_kwh"], grid_ember(src))
    write_csv(j("grid_electricitymaps.csv"),
              ["zone", "name", "year", "direct_g_per_kwh", "lifecycle_g_per_kwh"], grid_em(src))
    write_csv(j("grid_gcp.csv"), ["region", "name", "year", "g_per_kwh", "google_cfe", "basis"], grid_gcp(src))
    write_csv(j("grid_ccf.csv"), ["code", "name", "g_per_kwh", "basis", "origin"], grid_ccf(src))
    write_csv(j("pue.csv"), ["key", "pue", "year", "source", "note"], pue_rows(src))
    write_csv(j("vcpu.csv"), ["key", "min_watts", "max_watts", "source", "note"], vcpu_rows(src))
    write_csv(j("chips_codecarbon.csv"), ["name", "kind", "watts"], chips_codecarbon(src))
    write_csv(j("chips_green_algorithms.csv"), ["name", "kind", "watts"], chips_green_algorithms(src))
    write_csv(j("equivalents.csv"), ["kind", "key", "label", "kg_per_unit", "source", "note"], equivalents(src))
    write_csv(j("sources.csv"), ["id", "title", "licence", "url"], SOURCES)
    for frm, to in LICENCE_COPIES:
        shutil.copyfile(os.path.join(src, frm), j(to))
    return 0


if __name__ == "__main__":
    sys.exit(main())
