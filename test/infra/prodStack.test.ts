/** The prod stage, built under Pulumi's mocks from Pulumi.prod.yaml. */
import { readSparkSubmitParameters, sparkWorkers } from '../../infra/sparkJobs';
import { describeStack } from './stackAssertions';

const built = describeStack('prod', { 'pv-fault:alarmEmail': 'pv-ops@example.com' });

describe('prod: what makes it prod', () => {
  it('protects its data, runs daily on a warm pool and keeps gold', () => {
    const stack = built();
    for (const b of stack.ofType('aws:s3/bucket:Bucket')) {
      expect(b.inputs.forceDestroy).toBe(false);
      expect(b.protect).toBe(true);
    }
    expect(stack.one('aws:msk/serverlessCluster:ServerlessCluster').protect).toBe(true);
    // its data, topic and logs under the stage's own key, which a destroy cannot take with it
    expect(stack.config.kmsEncryption).toBe(true);
    expect(stack.one('aws:kms/key:Key').protect).toBe(true);
    expect(stack.one('aws:scheduler/schedule:Schedule', '-daily').inputs.state).toBe('ENABLED');
    // the warm pool has the jobs' own worker sizes, so the jobs start on it instead of beside it
    const workers = sparkWorkers(readSparkSubmitParameters());
    // EMR's notation: "4vCPU", "13GB"
    const size = (w: { cpu: string; memory: string }) => ({ cpu: w.cpu.replace(' ', ''), memory: w.memory.replace(' ', '') });
    expect((stack.one('aws:emrserverless/application:Application').inputs.initialCapacities as { initialCapacityType: string; initialCapacityConfig: { workerConfiguration: unknown } }[]).map((c) => [c.initialCapacityType, c.initialCapacityConfig.workerConfiguration])).toEqual([
      ['Driver', size(workers.driver)],
      ['Executor', size(workers.executor)],
    ]);
    expect(stack.ofType('aws:ec2/subnet:Subnet')).toHaveLength(3);
    const goldRules = stack.ofType('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').flatMap((lc) => (lc.inputs.rules as { id: string }[]).map((r) => r.id));
    expect(goldRules.filter((id) => id.startsWith('expire-window') || id.startsWith('expire-daily'))).toEqual([]);
    // Modbus: the plant network is reachable on port 502 only, and the map travels with the task
    const modbus = stack.ofType('aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter((r) => r.inputs.fromPort === 502);
    expect(modbus.map((r) => r.inputs.cidrIpv4)).toEqual([stack.config.producer.scadaCidr]);
    const email = stack.one('aws:sns/topicSubscription:TopicSubscription');
    expect(email.inputs).toMatchObject({ protocol: 'email', endpoint: 'pv-ops@example.com' });
  });
});
