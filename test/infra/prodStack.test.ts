/** The prod stage, built under Pulumi's mocks from Pulumi.prod.yaml. */
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
    expect(stack.one('aws:scheduler/schedule:Schedule').inputs.state).toBe('ENABLED');
    expect((stack.one('aws:emrserverless/application:Application').inputs.initialCapacities as unknown[]).length).toBe(2);
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
