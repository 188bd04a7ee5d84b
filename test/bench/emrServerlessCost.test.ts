/**
 * The EMR Serverless cost of a day (bench/emrServerlessCost.ts), from what bench:spark
 * measured: worked out by hand on round figures, so each assumption shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EMR_SERVERLESS_PRICES as P, emrServerlessJobCost } from '../../bench/emrServerlessCost';

const ROOT = join(__dirname, '..', '..');

const shape = { driver: { cpu: '2 vCPU', memory: '5 GB' }, executor: { cpu: '4 vCPU', memory: '13 GB' }, maxExecutors: 10 };

describe('emrServerlessJobCost', () => {
  test('billed executor time is the CPU time scaled linearly in device-days and divided by how busy the local run kept its cores', () => {
    // 1,000 devices: 3,600 CPU s in 2,400 s on 2 cores = 75 % busy; 10,000 devices: 36,000 CPU s → 48,000 vCPU-s billed
    const c = emrServerlessJobCost({ devices: 1000, cpuSeconds: 3600, wallSeconds: 2400, cores: 2 }, shape, 10_000);
    expect(c.executorVcpuHours).toBeCloseTo(48_000 / 3600, 9);
    // executors are billed whole: 13 GB for each 4 vCPU
    expect(c.executorGbHours).toBeCloseTo((48_000 / 4) * 13 / 3600, 9);
    // 10 executors side by side for 1,200 s each, one driver as long
    expect(c.driverSeconds).toBeCloseTo(1200, 9);
    const driver = (1200 / 3600) * (2 * P.perVcpuHour + 5 * P.perGbHour);
    expect(c.usd).toBeCloseTo(c.executorVcpuHours * P.perVcpuHour + c.executorGbHours * P.perGbHour + driver, 9);
  });

  test('doubling the fleet doubles the executor time (linear in device-days)', () => {
    const measured = { devices: 1000, cpuSeconds: 3600, wallSeconds: 2400, cores: 2 };
    const a = emrServerlessJobCost(measured, shape, 100_000);
    const b = emrServerlessJobCost(measured, shape, 200_000);
    expect(b.executorVcpuHours).toBeCloseTo(2 * a.executorVcpuHours, 9);
  });

  test('a job smaller than a minute of one executor is billed a minute for it and for the driver', () => {
    const c = emrServerlessJobCost({ devices: 1000, cpuSeconds: 20, wallSeconds: 10, cores: 2 }, shape, 1000);
    expect(c.executorVcpuHours).toBeCloseTo((60 * 4) / 3600, 9);
    expect(c.driverSeconds).toBe(60);
  });

  test('a measurement without CPU or wall time is refused, naming it', () => {
    expect(() => emrServerlessJobCost({ devices: 1000, cpuSeconds: 0, wallSeconds: 10, cores: 2 }, shape, 10_000)).toThrow(/CPU seconds.*"cpuSeconds":0/);
  });

  test('the prices name their source and date, and are those of the region and architecture the stacks deploy', () => {
    expect(P).toMatchObject({ source: expect.stringMatching(/^https:\/\/aws\.amazon\.com\/emr\/pricing/), read: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    for (const stack of ['dev', 'prod']) {
      const config = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, unknown> };
      expect(`${stack}: ${String(config.config['aws:region'])}`).toBe(`${stack}: ${P.region}`);
    }
    // the EMR Serverless application's architecture (infra/compute.ts)
    expect(readFileSync(join(ROOT, 'infra', 'compute.ts'), 'utf8')).toMatch(new RegExp(`architecture: '${P.architecture.toUpperCase()}'`));
  });
});
