#ifndef CT_CCF_H
#define CT_CCF_H
/* Cloud usage estimated the way Cloud Carbon Footprint (CCF) does, with its
 * coefficients (data/ccf, compiled in) and its rules, so the numbers agree
 * with CCF's to rounding (tests/ccf_parity checks them against CCF's own npm
 * packages):
 *  - compute: (min W + util/100 x (max W - min W)) x vCPU-hours x PUE x
 *    replication / 1000, min/max per vCPU by processor family: the average of
 *    the instance's families (their median when Sandy or Ivy Bridge is among
 *    them), the provider's average (GCP: median) when the family is unknown;
 *    util 50 % unless the row gives one;
 *  - GPUs: the same formula per GPU-hour with the GPU's min/max watts;
 *  - memory: GB-hours x 0.000392 kWh x PUE x replication; for a known
 *    instance type without given GB-hours, only the memory above what its
 *    processor family comes with (CCF's rule; none for burstable t-families);
 *  - storage: TB-hours x 1.2 (SSD) or 0.65 (HDD) Wh x PUE x replication / 1000;
 *  - networking: GB x 0.001 kWh x PUE;
 *  - PUE: AWS 1.135, Azure 1.185, GCP per region else 1.1 (CCF's, not the
 *    providers' newer reported values co2tally's reports use by default);
 *  - CO2e: kWh x CCF's grid factor of the region (metric t/kWh; its "Unknown"
 *    average when the region is not listed);
 *  - embodied (when asked): the server's embodied emissions x (hours / vCPUs /
 *    35040) x (vCPUs / the family's largest vCPUs), which is CCF's formula as
 *    implemented (its usage period is instance-hours divided by vCPUs); CCF
 *    also adds embodied / grid factor to its kWh, and so does kwh_ccf here.
 * Each energy also comes without PUE (device energy), which is what the
 * ledger stores: a report multiplies by the platform's PUE. */
#include "core/err.h"

struct ct_ccf_usage {
    const char *provider;      /* "aws", "gcp", "azure" */
    const char *region;        /* "us-east-1", "westeurope" (no provider prefix) */
    const char *service;       /* "AmazonEC2", ...: informational */
    const char *usage_type;    /* an instance type ("m5.large", "D2 v3", "n1-standard-4") or "" */
    const char *processor;     /* CCF processor names, ';'-separated, overriding the instance's; "" */
    double instance_hours;     /* NAN when not given */
    double vcpu_hours;         /* NAN: instance_hours x the instance's vCPUs (else 0) */
    double gpu_hours;          /* NAN: instance_hours x the instance's GPUs (else 0) */
    const char *gpu_model;     /* CCF GPU name; "": the instance's */
    double memory_gb_hours;    /* NAN: CCF's extra-memory rule for a known instance, else 0 */
    double storage_tb_hours;   /* NAN or 0: none */
    const char *storage_type;  /* "ssd" or "hdd" (needed with storage) */
    const char *replication;   /* "" (1), a number, or a CCF key: "S3", "STORAGE_GRS", ... */
    double network_gb;         /* NAN or 0: none */
    double utilisation;        /* percent 0..100; NAN: CCF's 50 */
    int embodied;              /* 1: add embodied emissions (needs a known instance type) */
};

struct ct_ccf_part {
    double kwh;                /* as CCF reports it: with PUE (and replication) */
    double kwh_device;         /* the same without PUE: what the ledger stores */
    double co2e_t;             /* metric tonnes */
};

enum { CT_CCF_CPU, CT_CCF_GPU, CT_CCF_MEMORY, CT_CCF_STORAGE, CT_CCF_NETWORK, CT_CCF_NPARTS };

struct ct_ccf_result {
    struct ct_ccf_part part[CT_CCF_NPARTS];
    double embodied_t, embodied_kwh;   /* embodied kWh: CCF's co2e / factor, not energy */
    double kwh_ccf, co2e_t;            /* CCF's totals for the row (embodied included) */
    double pue, factor_t;              /* PUE and grid factor (t/kWh) used */
    int factor_unknown;                /* the region is not in CCF's table */
    /* What the row resolved to (for the parity test and --explain). */
    char processors[160], gpu_processors[96];
    double vcpu_hours, gpu_hours, memory_gb_hours, replication, utilisation;
    double min_w, max_w, gpu_min_w, gpu_max_w;
    double inst_vcpus, largest_vcpus, scope3_t;
    int instance_known;
};

/* 0, or -1 with e filled (unknown provider, storage without a type, an unknown
 * replication key, embodied asked for an unknown instance, negative amounts). */
int ct_ccf_estimate(const struct ct_ccf_usage *u, struct ct_ccf_result *r, ct_err *e);

#endif
