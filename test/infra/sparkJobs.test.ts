import { confOf, jobWorkers, parseSparkSubmitParameters, pysparkMemoryFor, PYTHON_WORKER_PEAK_MIB, readSparkSubmitParameters, sparkWorkers } from '../../infra/sparkJobs';

describe('Spark submit parameters', () => {
  it('reads the committed file: both jobs, nothing fetched at start', () => {
    const p = readSparkSubmitParameters();
    expect(p.ingest).toMatch(/--conf /);
    expect(p.predict).toMatch(/--conf /);
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['an array', '[]', 'expected an object'],
    ['a missing job', '{"ingest": "--conf a=b"}', '"predict" must be a non-empty string'],
    ['--packages (no NAT)', '{"ingest": "--packages org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.5", "predict": "--conf a=b"}', '"ingest" fetches packages at job start (--packages)'],
    ['a jar from the internet', '{"ingest": "--conf a=b", "predict": "--jars https://repo1.maven.org/x.jar"}', '"predict" fetches packages at job start (https://)'],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseSparkSubmitParameters(text, 'submit.json')).toThrow(message);
  });
});

describe('the workers the jobs ask for', () => {
  it('are memory + overhead (10 %, at least 384 MiB) + Python memory, in whole GB, the same for both jobs', () => {
    // 4g + 409.6m; 8g + 819.2m + 3g
    expect(sparkWorkers(readSparkSubmitParameters())).toEqual({ driver: { cpu: '2 vCPU', memory: '5 GB' }, executor: { cpu: '4 vCPU', memory: '12 GB' } });
    expect(jobWorkers('--conf spark.driver.cores=1 --conf spark.driver.memory=2g --conf spark.driver.memoryOverhead=1g --conf spark.executor.cores=1 --conf spark.executor.memory=1024m', 'x')).toEqual({
      driver: { cpu: '1 vCPU', memory: '3 GB' },
      executor: { cpu: '1 vCPU', memory: '2 GB' }, // 1 GiB + 384 MiB
    });
  });

  it('refuse jobs of different sizes, and a size they cannot read, naming it', () => {
    const ingest = '--conf spark.driver.cores=2 --conf spark.driver.memory=4g --conf spark.executor.cores=4 --conf spark.executor.memory=8g';
    expect(() => sparkWorkers({ ingest, predict: `${ingest} --conf spark.executor.pyspark.memory=4g` }, 'p.json')).toThrow('p.json: the executors of ingest (4 vCPU, 9 GB) and predict (4 vCPU, 13 GB) differ');
    expect(() => jobWorkers('--conf spark.driver.cores=2', 'p.json "ingest"')).toThrow('p.json "ingest": spark.driver.memory is not set');
    expect(() => jobWorkers('--conf spark.driver.cores=2 --conf spark.driver.memory=lots', 'p.json "ingest"')).toThrow('spark.driver.memory=lots is not a Spark memory size');
  });
});

describe('the Python memory of the executors', () => {
  it.each(['ingest', 'predict'] as const)('%s: spark.executor.pyspark.memory is twice the measured peak of a Python worker, for each executor core', (job) => {
    const conf = confOf(readSparkSubmitParameters()[job]);
    expect(conf.get('spark.executor.pyspark.memory')).toBe(pysparkMemoryFor(Number(conf.get('spark.executor.cores'))));
  });

  it('gives each worker twice its peak address space in 256 MiB steps (pyspark sets the share as RLIMIT_AS)', () => {
    expect(PYTHON_WORKER_PEAK_MIB).toBeGreaterThan(0);
    expect(pysparkMemoryFor(4, 358)).toBe('3g'); // 716 → 768 MiB per worker
    expect(pysparkMemoryFor(4, 512)).toBe('4g');
    expect(pysparkMemoryFor(2, 100)).toBe('512m');
  });
});
