/**
 * The operators' CloudWatch dashboard, as a pure function of the resources it shows:
 * EMR Serverless capacity and job states (the groups of the original design's
 * dashboard: capacity snapshot, application, pre-initialised capacity, drivers,
 * executors, jobs, job runs), then the daily state machine, the API and the producer.
 */

export interface DashboardTargets {
  region: string;
  emrApplicationId: string;
  emrApplicationName: string;
  stateMachineArn: string;
  apiId: string;
  apiStage: string;
  apiFunctionName: string;
  producerNamespace: string;
}

type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const EMR = 'AWS/EMRServerless';
const WORKER_TYPES = { driver: 'Spark_Driver', executor: 'Spark_Executor' } as const;
const POOLS = { preInitialized: 'PreInitCapacity', onDemand: 'OnDemandCapacity' } as const;

export function dashboardBody(t: DashboardTargets): string {
  const app = ['ApplicationId', t.emrApplicationId, 'ApplicationName', t.emrApplicationName];
  const worker = (metric: string, type: string, pool: string, extra: Record<string, unknown> = {}): MetricRow => [EMR, metric, ...app, 'WorkerType', type, 'CapacityAllocationType', pool, extra];
  const appMetric = (metric: string, extra: Record<string, unknown> = {}): MetricRow => [EMR, metric, ...app, extra];
  /** The four worker series (driver/executor × pre-initialised/on-demand) of one metric, hidden, for expressions. */
  const fourPools = (metric: string, prefix: string): MetricRow[] => [
    worker(metric, WORKER_TYPES.driver, POOLS.preInitialized, { id: `${prefix}dp`, visible: false }),
    worker(metric, WORKER_TYPES.executor, POOLS.preInitialized, { id: `${prefix}ep`, visible: false }),
    worker(metric, WORKER_TYPES.driver, POOLS.onDemand, { id: `${prefix}do`, visible: false }),
    worker(metric, WORKER_TYPES.executor, POOLS.onDemand, { id: `${prefix}eo`, visible: false }),
  ];
  const byPool = (metric: string, prefix: string): MetricRow[] => [
    [{ expression: `${prefix}dp+${prefix}ep`, label: 'pre-initialised', id: `${prefix}p` }],
    [{ expression: `${prefix}do+${prefix}eo`, label: 'on-demand', id: `${prefix}o` }],
    ...fourPools(metric, prefix),
  ];
  const utilisation: MetricRow[] = [
    [{ expression: '100*(rdp+rep)/(rdp+rep+idle)', label: 'pre-initialised workers in use %', id: 'util' }],
    worker('RunningWorkerCount', WORKER_TYPES.driver, POOLS.preInitialized, { id: 'rdp', visible: false }),
    worker('RunningWorkerCount', WORKER_TYPES.executor, POOLS.preInitialized, { id: 'rep', visible: false }),
    appMetric('IdleWorkerCount', { id: 'idle', visible: false }),
  ];
  const perWorkerType = (type: string): MetricRow[] => [worker('RunningWorkerCount', type, POOLS.preInitialized, { label: 'pre-initialised' }), worker('RunningWorkerCount', type, POOLS.onDemand, { label: 'on-demand' })];
  const allocated = (type: string, metric: string): MetricRow[] => [worker(metric, type, POOLS.preInitialized, { label: 'pre-initialised' }), worker(metric, type, POOLS.onDemand, { label: 'on-demand' })];

  const widgets: Widget[] = [];
  let y = 0;
  const section = (title: string, text: string) => {
    widgets.push({ type: 'text', x: 0, y, width: 24, height: 2, properties: { markdown: `## ${title}\n${text}` } });
    y += 2;
  };
  /** A row of equally wide metric widgets. */
  const row = (height: number, ...charts: { title: string; metrics: MetricRow[]; view?: string; stat?: string; stacked?: boolean; yMax?: number }[]) => {
    const width = 24 / charts.length;
    charts.forEach((c, i) => {
      widgets.push({
        type: 'metric',
        x: i * width,
        y,
        width,
        height,
        properties: {
          title: c.title,
          region: t.region,
          metrics: c.metrics,
          view: c.view ?? 'timeSeries',
          stat: c.stat ?? 'Sum',
          period: 60,
          stacked: c.stacked ?? false,
          ...(c.yMax !== undefined ? { yAxis: { left: { min: 0, max: c.yMax } } } : {}),
        },
      });
    });
    y += height;
  };

  section('EMR Serverless: capacity snapshot', 'Pre-initialised against on-demand capacity now: is the warm pool used?');
  row(
    5,
    { title: 'Pre-initialised capacity worker utilisation %', metrics: utilisation, view: 'gauge', stat: 'Average', yMax: 100 },
    { title: 'Available workers (drivers + executors)', metrics: [[{ expression: 'adp+aep+ado+aeo+aidle', label: 'available workers', id: 'avail' }], ...fourPools('RunningWorkerCount', 'a'), appMetric('IdleWorkerCount', { id: 'aidle', visible: false })], view: 'singleValue' },
    { title: 'Running drivers', metrics: perWorkerType(WORKER_TYPES.driver), view: 'singleValue' },
    { title: 'Running executors', metrics: perWorkerType(WORKER_TYPES.executor), view: 'singleValue' },
  );
  section('EMR Serverless: application', `Capacity used by the application ${t.emrApplicationName}.`);
  row(
    6,
    { title: 'Running workers', metrics: byPool('RunningWorkerCount', 'w'), stacked: true },
    { title: 'CPU allocated (vCPU)', metrics: byPool('CPUAllocated', 'c'), stacked: true },
    { title: 'Memory allocated (GB)', metrics: byPool('MemoryAllocated', 'm'), stacked: true },
    { title: 'Disk allocated (GB)', metrics: byPool('StorageAllocated', 's'), stacked: true },
  );
  section('EMR Serverless: pre-initialised capacity', 'How much of the warm pool the jobs use (none in dev).');
  row(
    6,
    { title: 'Pre-initialised total workers', metrics: [[{ expression: 'tdp+tep+tidle', label: 'total workers', id: 'total' }], worker('RunningWorkerCount', WORKER_TYPES.driver, POOLS.preInitialized, { id: 'tdp', visible: false }), worker('RunningWorkerCount', WORKER_TYPES.executor, POOLS.preInitialized, { id: 'tep', visible: false }), appMetric('IdleWorkerCount', { id: 'tidle', visible: false })] },
    { title: 'Idle workers', metrics: [appMetric('IdleWorkerCount', { label: 'idle workers' })] },
    { title: 'Pre-initialised capacity worker utilisation %', metrics: utilisation, stat: 'Average', yMax: 100 },
  );
  for (const [label, type] of [
    ['drivers', WORKER_TYPES.driver],
    ['executors', WORKER_TYPES.executor],
  ] as const) {
    section(`EMR Serverless: ${label}`, `Capacity used by Spark ${label}, pre-initialised and on-demand.`);
    row(
      6,
      { title: `Running ${label}`, metrics: perWorkerType(type), stacked: true },
      { title: 'CPU allocated (vCPU)', metrics: allocated(type, 'CPUAllocated'), stacked: true },
      { title: 'Memory allocated (GB)', metrics: allocated(type, 'MemoryAllocated'), stacked: true },
      { title: 'Disk allocated (GB)', metrics: allocated(type, 'StorageAllocated'), stacked: true },
    );
  }
  section('EMR Serverless: jobs', 'Job outcomes per application, and the job-run states per minute.');
  row(
    6,
    { title: 'Job metrics', metrics: ['RunningJobs', 'SuccessJobs', 'FailedJobs', 'CancelledJobs'].map((m) => appMetric(m, { label: m })) },
    { title: 'Job runs (per minute)', metrics: ['PendingJobs', 'RunningJobs', 'FailedJobs'].map((m) => appMetric(m, { label: m })), view: 'singleValue' },
  );

  section('Daily state machine', 'Executions of the daily run (schedule and reruns).');
  row(
    6,
    { title: 'Executions', metrics: ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map((m) => ['AWS/States', m, 'StateMachineArn', t.stateMachineArn, { label: m }]) },
    { title: 'Execution time (ms)', metrics: [['AWS/States', 'ExecutionTime', 'StateMachineArn', t.stateMachineArn, { stat: 'Maximum', label: 'longest' }]], stat: 'Maximum' },
  );
  section('Prediction API', 'Requests, errors and latency as dashboards see them.');
  const apiDims = ['ApiId', t.apiId, 'Stage', t.apiStage];
  row(
    6,
    { title: 'Requests and errors', metrics: ['Count', '4xx', '5xx'].map((m) => ['AWS/ApiGateway', m, ...apiDims, { label: m }]) },
    { title: 'Latency (ms)', metrics: ['p50', 'p99'].map((p) => ['AWS/ApiGateway', 'Latency', ...apiDims, { stat: p, label: `latency ${p}` }]), stat: 'p99' },
    { title: 'Lookup Lambda', metrics: [['AWS/Lambda', 'Errors', 'FunctionName', t.apiFunctionName, { label: 'errors' }], ['AWS/Lambda', 'Throttles', 'FunctionName', t.apiFunctionName, { label: 'throttles' }]] },
  );
  section('Producer', 'Readings published to the topic and readings rejected by validation (embedded metrics of the producer).');
  row(6, { title: 'Producer metrics', metrics: [[{ expression: `SEARCH('Namespace="${t.producerNamespace}"', 'Sum', 60)`, id: 'producer' }]] });

  return JSON.stringify({ widgets });
}
