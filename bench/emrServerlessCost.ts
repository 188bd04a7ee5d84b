/**
 * What a day of the Spark jobs would cost on EMR Serverless, from what a local run
 * measured. The prices have one home, here, with where and when they were read.
 */
import type { SparkWorker } from '../infra/sparkJobs';

/**
 * EMR Serverless on-demand prices, x86_64 (the application's architecture,
 * infra/compute.ts), for eu-west-1 (Pulumi.<stack>.yaml aws:region), USD.
 * Source: https://aws.amazon.com/emr/pricing/ ("Amazon EMR Serverless"), read 2026-12-02.
 * That page renders its rates client-side, so they were taken as two public sources
 * quoting it give them (the same figures for us-east-1 and eu-west-1); check the page
 * before quoting a cost.
 */
export const EMR_SERVERLESS_PRICES = {
  source: 'https://aws.amazon.com/emr/pricing/',
  read: '2026-12-02',
  region: 'eu-west-1',
  architecture: 'x86_64',
  perVcpuHour: 0.052624,
  perGbHour: 0.0057785,
  /** ephemeral storage beyond the 20 GB each worker gets free; the jobs ask for none */
  perStorageGbHour: 0.000111,
  /** each worker is billed for at least a minute */
  minimumWorkerSeconds: 60,
} as const;

/** One job as measured on local[2]: its processes' CPU seconds and wall seconds for `devices` device-days. */
export interface MeasuredJob {
  devices: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** the cores it ran on (local[2]: 2) */
  cores: number;
}

export interface JobShape {
  driver: SparkWorker;
  executor: SparkWorker;
  /** spark.dynamicAllocation.maxExecutors */
  maxExecutors: number;
}

export interface JobCost {
  devices: number;
  executorVcpuHours: number;
  executorGbHours: number;
  driverSeconds: number;
  usd: number;
}

const number = (s: string) => Number.parseFloat(s);

/**
 * The EMR Serverless cost of one job for `devices` device-days. Assumptions, all explicit:
 * the work (CPU seconds) is linear in device-days, fixed costs included (so small fleets
 * are over-estimated); executors are busy as the local run kept its cores (CPU ÷ wall ÷
 * cores), so billed executor vCPU time is the CPU time divided by that utilisation; they
 * are billed for the whole worker (vCPU and GB as the job asks, infra/sparkJobs.ts);
 * maxExecutors run side by side, and one driver runs for as long as they do; every worker
 * is billed for at least a minute; no storage beyond the free 20 GB.
 */
export function emrServerlessJobCost(measured: MeasuredJob, shape: JobShape, devices: number, prices = EMR_SERVERLESS_PRICES): JobCost {
  if (!(measured.devices > 0 && measured.cpuSeconds > 0 && measured.wallSeconds > 0 && measured.cores > 0)) throw new Error(`a measured job needs devices, CPU seconds, wall seconds and cores > 0 (got ${JSON.stringify(measured)})`);
  const utilisation = Math.min(1, measured.cpuSeconds / (measured.wallSeconds * measured.cores));
  const executorCores = number(shape.executor.cpu);
  const executorGb = number(shape.executor.memory);
  const vcpuSeconds = (measured.cpuSeconds * (devices / measured.devices)) / utilisation;
  // whole executors, each billed its minimum at least
  const executors = Math.min(shape.maxExecutors, Math.max(1, Math.ceil(vcpuSeconds / executorCores / prices.minimumWorkerSeconds)));
  const executorSeconds = Math.max(vcpuSeconds / executorCores, executors * prices.minimumWorkerSeconds);
  const driverSeconds = Math.max(prices.minimumWorkerSeconds, executorSeconds / executors);
  const executorVcpuHours = (executorSeconds * executorCores) / 3600;
  const executorGbHours = (executorSeconds * executorGb) / 3600;
  const driverVcpuHours = (driverSeconds * number(shape.driver.cpu)) / 3600;
  const driverGbHours = (driverSeconds * number(shape.driver.memory)) / 3600;
  const usd = (executorVcpuHours + driverVcpuHours) * prices.perVcpuHour + (executorGbHours + driverGbHours) * prices.perGbHour;
  return { devices, executorVcpuHours, executorGbHours, driverSeconds, usd };
}
