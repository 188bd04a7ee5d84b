/** The dev stage, built under Pulumi's mocks from Pulumi.dev.yaml. */
import { describeStack } from './stackAssertions';

const built = describeStack('dev');

describe('dev: what makes it dev', () => {
  it('is disposable, idle by default and small', () => {
    const stack = built();
    for (const b of stack.ofType('aws:s3/bucket:Bucket')) expect(b.inputs.forceDestroy).toBe(true);
    expect(stack.resources.filter((r) => r.protect)).toEqual([]);
    expect(stack.one('aws:scheduler/schedule:Schedule', '-daily').inputs.state).toBe('DISABLED');
    expect(stack.one('aws:emrserverless/application:Application').inputs.initialCapacities).toEqual([]);
    expect(stack.ofType('aws:ec2/subnet:Subnet')).toHaveLength(2);
    expect(stack.ofType('aws:sns/topicSubscription:TopicSubscription')).toEqual([]);
    expect(stack.config.kmsEncryption).toBe(false);
  });
});
