import { parseSparkSubmitParameters, readSparkSubmitParameters } from '../../infra/sparkJobs';

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
