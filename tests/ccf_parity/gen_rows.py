#!/usr/bin/env python3
"""Writes rows.csv: the usage rows of the CCF parity test (deterministic). Covers AWS and
Azure instance families (CPU and GPU), explicit processors, unknown types, memory,
SSD/HDD storage with CCF replication keys, networking, regions (known and unknown),
utilisation and embodied emissions."""
import csv
import random

rnd = random.Random(20250101)
AWS_TYPES = ['m5.large', 'm5.4xlarge', 'm5.24xlarge', 'c5.xlarge', 'c5.9xlarge', 'r5.2xlarge',
             'r5.16xlarge', 'm4.large', 'm4.10xlarge', 'c4.2xlarge', 'i3.xlarge', 'x1.16xlarge',
             'z1d.large', 'm5zn.xlarge', 'a1.large', 'm6g.xlarge', 'c6g.2xlarge', 't3.medium',
             't2.large', 'm5a.xlarge', 'c5a.4xlarge', 'p3.2xlarge', 'p3.8xlarge', 'p3.16xlarge',
             'p2.xlarge', 'p4d.24xlarge', 'g4dn.xlarge', 'g4dn.12xlarge', 'g3.4xlarge',
             'g4ad.4xlarge', 'mac1.metal', 'unknown.type']
AWS_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1',
               'eu-north-1', 'ap-southeast-1', 'ap-south-1', 'sa-east-1', 'ca-central-1',
               'me-central-1', 'xx-nowhere-1']
AZ_TYPES = ['D2 v3', 'D4 v3', 'D16s v3', 'E8 v3', 'F4s v2', 'D4as v4', 'NC6s v3', 'NC4as T4 v3',
            'B2s', 'A2 v2', 'unknown vm']
AZ_REGIONS = ['westeurope', 'northeurope', 'uksouth', 'EastUS', 'WestUS', 'CentralUS',
              'southeastasia', 'japaneast', 'brazilsouth', 'nowhere']
PROCS = ['Cascade Lake', 'Skylake', 'Broadwell', 'Haswell', 'Sandy Bridge;Ivy Bridge',
         'Cascade Lake;Skylake', 'AMD EPYC 2nd Gen', 'Coffee Lake', 'Ivy Bridge;Sandy Bridge;Haswell']
AWS_REPL = ['', 'S3', 'EC2_EBS_VOLUME', 'EFS', 'RDS_AURORA', '3']
AZ_REPL = ['', 'STORAGE_LRS', 'STORAGE_GRS', 'COSMOS_DB', '2']
COLS = ['provider', 'region', 'service', 'usage_type', 'processor', 'instance_hours', 'vcpu_hours',
        'gpu_hours', 'gpu_model', 'memory_gb_hours', 'storage_tb_hours', 'storage_type',
        'replication', 'network_gb', 'utilisation', 'embodied', 'start', 'end']


def amount(lo, hi):
    return '%.4f' % rnd.uniform(lo, hi)


def row(i):
    aws = i % 3 != 2
    r = dict.fromkeys(COLS, '')
    r['provider'] = 'aws' if aws else 'azure'
    r['region'] = rnd.choice(AWS_REGIONS if aws else AZ_REGIONS)
    r['start'], r['end'] = '2024-01-01', '2024-02-01'
    kind = i % 5
    if kind in (0, 1):   # an instance for some hours (vCPU, GPU and memory from its type)
        r['service'] = 'AmazonEC2' if aws else 'Virtual Machines'
        r['usage_type'] = rnd.choice(AWS_TYPES if aws else AZ_TYPES)
        r['instance_hours'] = amount(1, 744)
        if aws and kind == 0 and r['usage_type'] != 'unknown.type':
            r['embodied'] = 'yes'
    elif kind == 2:      # vCPU-hours with a processor family, sometimes a utilisation
        r['service'] = 'compute'
        r['processor'] = rnd.choice(PROCS)
        r['vcpu_hours'] = amount(1, 5000)
        if i % 2:
            r['utilisation'] = '%d' % rnd.randint(0, 100)
    elif kind == 3:      # storage
        r['service'] = 'storage'
        r['storage_tb_hours'] = amount(0.01, 2000)
        r['storage_type'] = rnd.choice(['ssd', 'hdd'])
        r['replication'] = rnd.choice(AWS_REPL if aws else AZ_REPL)
    else:                # networking, memory, GPUs by model
        r['service'] = 'mixed'
        r['network_gb'] = amount(0, 10000)
        r['memory_gb_hours'] = amount(0, 20000)
        r['gpu_hours'] = amount(0, 700)
        r['gpu_model'] = rnd.choice(['Nvidia Tesla V100', 'Nvidia T4', 'Nvidia Tesla A100',
                                     'Nvidia Tesla K80', 'Nvidia Tesla M60'])
    return r


with open('rows.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, COLS, lineterminator='\n')
    w.writeheader()
    for i in range(300):
        w.writerow(row(i))
