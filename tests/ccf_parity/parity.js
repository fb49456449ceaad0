// Runs Cloud Carbon Footprint's own estimators (npm @cloud-carbon-footprint/aws 0.15.0,
// /azure 1.8.0, and their /core) over the parity rows, with the inputs co2tally resolved
// for each row (printed by tests/ccf_estimate), and compares kWh and CO2e to a relative
// 1e-9. CCF's constants (watts per processor, PUE, grid factors, coefficients, replication
// factors, lifespan) come from the packages, so a wrong table or formula in co2tally fails.
// Where co2tally's instance facts (from cloud-carbon-coefficients) differ from the ones the
// packages embed, the row is listed in the report as a documented data difference.
// Usage: node parity.js rows.csv ours.jsonl [differences.txt]
'use strict'
const fs = require('fs')
process.removeAllListeners('warning')
const core = require('@cloud-carbon-footprint/core')
const awsDom = require('@cloud-carbon-footprint/aws/dist/domain')
const awsTypes = require('@cloud-carbon-footprint/aws/dist/lib/AWSInstanceTypes')
const azDom = require('@cloud-carbon-footprint/azure/dist/domain')
const azTypes = require('@cloud-carbon-footprint/azure/dist/lib/VirtualMachineTypes')

const P = {
  aws: { C: awsDom.AWS_CLOUD_CONSTANTS, F: awsDom.AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH },
  azure: { C: azDom.AZURE_CLOUD_CONSTANTS, F: azDom.AZURE_EMISSIONS_FACTORS_METRIC_TON_PER_KWH },
}

function parseCsv(text) {
  const lines = text.trim().split('\n')
  const hdr = lines[0].split(',')
  return lines.slice(1).map((l) => {
    const f = l.split(',')
    return Object.fromEntries(hdr.map((h, i) => [h, f[i] || '']))
  })
}

const rel = (a, b) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)))

function ccf(row, ours) {
  const { C, F } = P[row.provider]
  const region = row.region
  const pue = C.getPUE(region)
  const rf = ours.replication
  const util = row.utilisation !== '' ? Number(row.utilisation) : C.AVG_CPU_UTILIZATION_2020
  const procs = ours.processors ? ours.processors.split(';') : [core.COMPUTE_PROCESSOR_TYPES.UNKNOWN]
  const gprocs = ours.gpu_processors ? ours.gpu_processors.split(';') : [core.COMPUTE_PROCESSOR_TYPES.UNKNOWN]
  const est = new core.ComputeEstimator()
  const cpu = est.estimate([{ cpuUtilizationAverage: util, vCpuHours: ours.vcpu_hours }], region, F,
    { minWatts: C.getMinWatts(procs), maxWatts: C.getMaxWatts(procs), powerUsageEffectiveness: pue,
      replicationFactor: rf })[0]
  if (ours.gpu_hours > 0) {
    const g = est.estimate([{ cpuUtilizationAverage: util, vCpuHours: ours.gpu_hours }], region, F,
      { minWatts: C.getMinWatts(gprocs), maxWatts: C.getMaxWatts(gprocs), powerUsageEffectiveness: pue,
        replicationFactor: rf })[0]
    cpu.kilowattHours += g.kilowattHours
    cpu.co2e += g.co2e
  }
  const mem = new core.MemoryEstimator(C.MEMORY_COEFFICIENT).estimate(
    [{ gigabyteHours: ours.memory_gb_hours }], region, F, { powerUsageEffectiveness: pue, replicationFactor: rf })[0]
  let emb = { kilowattHours: 0, co2e: 0 }
  if (row.embodied === 'yes')
    emb = new core.EmbodiedEmissionsEstimator(C.SERVER_EXPECTED_LIFESPAN).estimate([{
      instancevCpu: ours.inst_vcpus, largestInstancevCpu: ours.largest_vcpus,
      usageTimePeriod: Number(row.instance_hours) / ours.inst_vcpus, scopeThreeEmissions: ours.scope3_t }],
    region, F)[0]
  let kwh = cpu.kilowattHours + mem.kilowattHours + emb.kilowattHours
  let co2 = cpu.co2e + mem.co2e + emb.co2e
  if (row.storage_tb_hours !== '') {
    const c = row.storage_type === 'ssd' ? C.SSDCOEFFICIENT : C.HDDCOEFFICIENT
    const s = new core.StorageEstimator(c).estimate([{ terabyteHours: Number(row.storage_tb_hours) }], region, F,
      { powerUsageEffectiveness: pue, replicationFactor: rf })[0]
    kwh += s.kilowattHours
    co2 += s.co2e
  } else { kwh += 0; co2 += 0 }
  const net = new core.NetworkingEstimator(C.NETWORKING_COEFFICIENT).estimate(
    [{ gigabytes: row.network_gb !== '' ? Number(row.network_gb) : 0 }], region, F, { powerUsageEffectiveness: pue })[0]
  kwh += net.kilowattHours
  co2 += net.co2e
  return { kwh, co2, pue, factor: F[region] || F.Unknown }
}

// co2tally's instance facts against the ones CCF's packages embed.
function dataDifferences(row, ours) {
  const t = row.usage_type
  const out = []
  if (!t) return out
  if (row.provider === 'aws') {
    const [fam, size] = t.split('.')
    const ccfProcs = (awsTypes.INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING[t] || []).join(';')
    if (ccfProcs !== ours.processors) out.push(`processors co2tally '${ours.processors}' CCF '${ccfProcs}'`)
    const e = awsTypes.EC2_INSTANCE_TYPES[fam] && awsTypes.EC2_INSTANCE_TYPES[fam][size]
    if (e && row.instance_hours && Math.abs(e[0] * Number(row.instance_hours) - ours.vcpu_hours) > 1e-9)
      out.push(`vCPUs co2tally ${ours.vcpu_hours / Number(row.instance_hours)} CCF ${e[0]}`)
    if (e && row.embodied === 'yes' && rel(e[2], ours.scope3_t) > 1e-9)
      out.push(`embodied t co2tally ${ours.scope3_t} CCF ${e[2]}`)
    if (!e) out.push('type not in CCF 0.15.0 EC2_INSTANCE_TYPES')
    if (awsTypes.BURSTABLE_INSTANCE_BASELINE_UTILIZATION[t])
      out.push('burstable: CCF scales vCPU-hours by the baseline utilisation')
  } else {
    const ccfProcs = (azTypes.INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING[t] || []).join(';')
    if (ccfProcs !== ours.processors) out.push(`processors co2tally '${ours.processors}' CCF '${ccfProcs}'`)
  }
  return out
}

function main() {
  const [rowsPath, oursPath, diffPath] = process.argv.slice(2)
  const rows = parseCsv(fs.readFileSync(rowsPath, 'utf8'))
  const ours = fs.readFileSync(oursPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  if (rows.length !== ours.length) throw new Error(`${rows.length} rows but ${ours.length} results`)
  let worst = 0, fails = 0
  const diffs = []
  rows.forEach((row, i) => {
    const o = ours[i]
    const c = ccf(row, o)
    const checks = [['kWh', o.kwh, c.kwh], ['CO2e', o.co2e_t, c.co2], ['PUE', o.pue, c.pue],
      ['factor', o.factor_t, c.factor]]
    for (const [what, a, b] of checks) {
      const r = rel(a, b)
      worst = Math.max(worst, r)
      if (!(r <= 1e-9)) { fails++; console.log(`row ${o.line}: ${what} co2tally ${a} CCF ${b} (relative ${r})`) }
    }
    const d = dataDifferences(row, o)
    if (d.length) diffs.push(`line ${o.line} ${row.provider} ${row.usage_type}: ${d.join('; ')}`)
  })
  if (diffPath) fs.writeFileSync(diffPath, diffs.join('\n') + '\n')
  console.log(`ccf parity: ${rows.length} rows, max relative difference ${worst.toExponential(3)}, ` +
    `${fails} over 1e-9; ${diffs.length} rows whose instance facts differ from CCF 0.15.0's tables`)
  process.exit(fails ? 1 : 0)
}
main()
