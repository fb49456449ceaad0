#!/usr/bin/env python3
"""Converts Cloud Carbon Footprint's coefficients (Apache-2.0) from ../shared/data/cloud/ccf
into data/ccf/*.csv, the tables co2tally's CCF-compatible estimator compiles in.

Inputs: CONSTANTS.md (the CCF application's constants, read from its source: PUE, min/max
watts per processor, memory per chip, replication factors, grid factors, coefficients) and
the cloud-carbon-coefficients instance and embodied CSVs. Running it again gives
byte-identical files. See data/SOURCES.md, section "data/ccf".

    python3 tools/import_ccf.py [--shared ../shared/data/cloud/ccf] [--out data/ccf]
"""
import argparse
import csv
import io
import os
import re

PROVIDERS = {'AWS': 'aws', 'GCP': 'gcp', 'Azure': 'azure'}

# Processor names as the instance tables spell them -> CCF's processor names.
# AWS lists CPU models, so their microarchitecture is ours to tell (Intel/AMD/AWS
# product pages); Azure and GCP list the microarchitecture itself.
AWS_CPU = {
    'Core i7-8700B': 'Coffee Lake', 'EPYC 7571': 'AMD EPYC 1st Gen',
    'EPYC 7R32': 'AMD EPYC 2nd Gen', 'Graviton': 'AWS Graviton', 'Graviton2': 'AWS Graviton2',
    'Xeon E5-2650': 'Sandy Bridge', 'Xeon E5-2651 v2': 'Ivy Bridge', 'Xeon E5-2665': 'Sandy Bridge',
    'Xeon E5-2666 v3': 'Haswell', 'Xeon E5-2670': 'Sandy Bridge', 'Xeon E5-2670 v2': 'Ivy Bridge',
    'Xeon E5-2676 v3': 'Haswell', 'Xeon E5-2680 v2': 'Ivy Bridge', 'Xeon E5-2686 v4': 'Broadwell',
    'Xeon E7-8880 v3': 'Haswell', 'Xeon Platinum 8124M': 'Skylake', 'Xeon Platinum 8151': 'Skylake',
    'Xeon Platinum 8175M': 'Skylake', 'Xeon Platinum 8176M': 'Skylake',
    'Xeon Platinum 8252C': 'Cascade Lake', 'Xeon Platinum 8259CL': 'Cascade Lake',
    'Xeon Platinum 8275CL': 'Cascade Lake', 'Xeon Platinum 8375C': 'Ice Lake',
}
AWS_GPU = {
    'K520': 'Nvidia K520', 'Radeon Pro V520': 'AMD Radeon Pro V520', 'T4': 'Nvidia T4',
    'Tesla A100': 'Nvidia Tesla A100', 'Tesla K80': 'Nvidia Tesla K80',
    'Tesla M60': 'Nvidia Tesla M60', 'Tesla V100': 'Nvidia Tesla V100',
}


def arch(name):
    name = name.strip()
    if name in ('', 'Unknown'):
        return ''
    return 'AMD ' + name if name.startswith('EPYC') else name


def num(s):
    s = s.strip().replace(',', '.')
    if s in ('', 'N/A'):
        return 0.0
    return float(s)


def fmt(x):
    s = repr(float(x))
    if s.endswith('.0'):
        s = s[:-2]
    return s


def md_tables(text):
    """{heading: [rows as dicts]} for every markdown table, keyed by the heading above it."""
    out, heading, rows, hdr = {}, None, None, None
    for line in text.splitlines():
        if line.startswith('#'):
            heading = line.lstrip('#').strip()
            hdr = None
            continue
        if line.startswith('|'):
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if hdr is None:
                hdr = cells
                rows = out.setdefault(heading, [])
            elif not set(''.join(cells)) <= set('-: '):
                rows.append(dict(zip(hdr, cells)))
        else:
            hdr = None
    return out


def constants(t):
    rows = []
    for r in t['1. Per-provider scalar constants']:
        if 'constant' not in r:
            continue  # the GCP regional PUE table under the same heading
        key = r['constant'].split(' ')[0]
        for prov, p in PROVIDERS.items():
            if r[prov] != '-':
                rows.append((p, key, r[prov]))
    return sorted(rows)


def write(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(header)
    w.writerows(rows)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(buf.getvalue())


def processors(t):
    rows = []
    mem = {r['processor']: r for r in t['3. Memory per physical chip by processor (GB per chip)']}
    title = '2. Min / max watts per vCPU by processor (CPUs) and per GPU (GPUs)'
    for r in t[title]:
        kind = 'gpu' if r['kind'].startswith('GPU') else 'cpu'
        for prov, p in PROVIDERS.items():
            lo, hi = r[prov + ' min W'], r[prov + ' max W']
            if lo == '-':
                continue
            m = mem.get(r['processor'], {}).get(prov + ' GB/chip', '-')
            rows.append((p, r['processor'], kind, lo, hi, '' if m in ('-', None) else m))
    return sorted(rows)


def grids(t):
    rows = []
    for title, p in (('6.2 AWS regions', 'aws'),
                     ('6.3 GCP regions (default: grid factors, no CFE)', 'gcp'),
                     ('6.5 Azure regions', 'azure')):
        for r in t[title]:
            rows.append((p, r['region'], r['t CO2e / kWh']))
    return sorted(rows)


def replication(t):
    return sorted((PROVIDERS[r['provider']], r['service key'], r['factor'])
                  for r in t['4. Replication factors (storage / database services)'])


def gcp_pue(text):
    rows = []
    for m in re.finditer(r'^\| ([a-z0-9-]+) \| (1\.\d+) \|$', text, re.M):
        rows.append(('gcp', m.group(1), m.group(2)))
    return sorted(rows)


def read_csv(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.DictReader(f))


def instances(src):
    out = {}
    emb = {r['type']: r for r in read_csv(os.path.join(src, 'coefficients-aws-embodied.csv'))}
    for r in read_csv(os.path.join(src, 'aws-instances.csv')):
        t = r['Instance type']
        gpu = AWS_GPU.get(r['Platform GPU Name'], '')
        out[('aws', t)] = [t.split('.')[0], num(r['Instance vCPU']),
                           num(r['Instance Memory (in GB)']),
                           [AWS_CPU[r['Platform CPU Name']]], num(r['Instance Number of GPU']), gpu,
                           num(emb[t]['total']) if t in emb else 0.0,
                           num(r['Platform Total Number of vCPU']),
                           num(r['Platform Memory (in GB)'])]
    for prov, fname, typ, fam in (('azure', 'azure', 'Virtual Machine', 'Series'),
                                  ('gcp', 'gcp', 'Machine type', 'Machine Family')):
        emb = {}
        for r in read_csv(os.path.join(src, 'coefficients-%s-embodied.csv' % fname)):
            emb.setdefault(r['type'], r)  # several microarchitectures: the first row's
        for r in read_csv(os.path.join(src, '%s-instances.csv' % fname)):
            t = r[typ]
            a = arch(r['Microarchitecture'])
            if (prov, t) in out:
                if a and a not in out[(prov, t)][3]:
                    out[(prov, t)][3].append(a)
                continue
            out[(prov, t)] = [r[fam], num(r['Instance vCPUs']), num(r['Instance Memory']),
                              [a] if a else [], num(r['Instance GPUs']), '',
                              num(emb[t]['total']) if t in emb else 0.0,
                              num(r['Platform vCPUs (highest vCPU possible)']),
                              num(r['Platform Memory'])]
    rows = []
    for (p, t), v in sorted(out.items()):
        fam, vc, mem, procs, g, gm, e, lv, lm = v
        rows.append((p, t, fam, fmt(vc), fmt(mem), ';'.join(procs), fmt(g), gm, fmt(e), fmt(lv),
                     fmt(lm)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('--shared', default=os.path.join(here, '..', '..', 'shared', 'data', 'cloud', 'ccf'))
    ap.add_argument('--out', default=os.path.join(here, '..', 'data', 'ccf'))
    a = ap.parse_args()
    text = open(os.path.join(a.shared, 'CONSTANTS.md'), encoding='utf-8').read()
    t = md_tables(text)
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, 'constants.csv'), ['provider', 'key', 'value'], constants(t))
    write(os.path.join(a.out, 'pue.csv'), ['provider', 'region', 'pue'], gcp_pue(text))
    write(os.path.join(a.out, 'processors.csv'),
          ['provider', 'processor', 'kind', 'min_watts', 'max_watts', 'gb_per_chip'], processors(t))
    write(os.path.join(a.out, 'replication.csv'), ['provider', 'key', 'factor'], replication(t))
    write(os.path.join(a.out, 'grid.csv'), ['provider', 'region', 't_per_kwh'], grids(t))
    write(os.path.join(a.out, 'instances.csv'),
          ['provider', 'type', 'family', 'vcpus', 'memory_gb', 'processors', 'gpus', 'gpu_model',
           'embodied_kg', 'platform_vcpus', 'platform_memory_gb'], instances(a.shared))


if __name__ == '__main__':
    main()
