/**
 * Throughput and error metrics as CloudWatch Embedded Metric Format log lines:
 * CloudWatch Logs extracts them into metrics, so the task needs no
 * cloudwatch:PutMetricData permission and no metrics endpoint in the VPC.
 * Counters are per interval (reset at each emission); gauges are the last value.
 */
/** The Service dimension of every metric: alarms on the producer's metrics name it. */
export const METRICS_SERVICE = 'pv-producer';

export const COUNTERS = [
  'ReadingsPolled',
  'ReadingsInvalid',
  'ReadingsQueued',
  'ReadingsPublished',
  'ReadingsDropped',
  'BatchesSent',
  'SendErrors',
  'SendRetries',
  'DeviceErrors',
  'PollsSkipped',
  'PollErrors',
] as const;
export type Counter = (typeof COUNTERS)[number];

export const GAUGES = ['QueueDepth', 'PollDurationMs', 'DevicesFailing'] as const;
export type Gauge = (typeof GAUGES)[number];

const UNITS: Record<Counter | Gauge, string> = {
  ReadingsPolled: 'Count',
  ReadingsInvalid: 'Count',
  ReadingsQueued: 'Count',
  ReadingsPublished: 'Count',
  ReadingsDropped: 'Count',
  BatchesSent: 'Count',
  SendErrors: 'Count',
  SendRetries: 'Count',
  DeviceErrors: 'Count',
  PollsSkipped: 'Count',
  PollErrors: 'Count',
  QueueDepth: 'Count',
  PollDurationMs: 'Milliseconds',
  DevicesFailing: 'Count',
};

export class Metrics {
  private counters = new Map<Counter, number>();
  private readonly gauges = new Map<Gauge, number>();
  private invalid = new Map<string, number>();
  private dropped = new Map<string, number>();
  /** totals since start, for /health and tests */
  readonly totals = new Map<Counter, number>();
  readonly invalidTotals = new Map<string, number>();
  readonly droppedTotals = new Map<string, number>();

  constructor(
    private readonly namespace: string,
    private readonly service = METRICS_SERVICE,
  ) {}

  add(name: Counter, n = 1): void {
    if (n === 0) return;
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
    this.totals.set(name, (this.totals.get(name) ?? 0) + n);
  }

  set(name: Gauge, value: number): void {
    this.gauges.set(name, value);
  }

  invalidReading(reasons: Iterable<string>): void {
    this.add('ReadingsInvalid');
    for (const r of new Set(reasons)) {
      this.invalid.set(r, (this.invalid.get(r) ?? 0) + 1);
      this.invalidTotals.set(r, (this.invalidTotals.get(r) ?? 0) + 1);
    }
  }

  droppedReadings(reason: string, n: number): void {
    if (n === 0) return;
    this.add('ReadingsDropped', n);
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + n);
    this.droppedTotals.set(reason, (this.droppedTotals.get(reason) ?? 0) + n);
  }

  total(name: Counter): number {
    return this.totals.get(name) ?? 0;
  }

  /** The EMF records of the interval ending now; resets the interval's counters. */
  flush(nowMs: number): object[] {
    const metric = (name: Counter | Gauge) => ({ Name: name, Unit: UNITS[name] });
    const values: Record<string, number> = {};
    for (const c of COUNTERS) values[c] = this.counters.get(c) ?? 0;
    for (const g of GAUGES) if (this.gauges.has(g)) values[g] = this.gauges.get(g)!;
    const names = [...COUNTERS, ...GAUGES.filter((g) => this.gauges.has(g))];
    const records: object[] = [
      {
        _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['Service']], Metrics: names.map(metric) }] },
        Service: this.service,
        ...values,
      },
    ];
    // one record per reason, so an alarm can watch one kind of bad data
    for (const [reason, n] of this.invalid) {
      records.push({
        _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['Service', 'Reason']], Metrics: [{ Name: 'ReadingsInvalid', Unit: 'Count' }] }] },
        Service: this.service,
        Reason: reason,
        ReadingsInvalid: n,
      });
    }
    for (const [reason, n] of this.dropped) {
      records.push({
        _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['Service', 'Reason']], Metrics: [{ Name: 'ReadingsDropped', Unit: 'Count' }] }] },
        Service: this.service,
        Reason: reason,
        ReadingsDropped: n,
      });
    }
    this.counters = new Map();
    this.invalid = new Map();
    this.dropped = new Map();
    return records;
  }
}
