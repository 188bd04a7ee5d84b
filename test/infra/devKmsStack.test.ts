/** The dev stage with the KMS key on: every shared check, the hardening's with a key, on a stage whose default is none. */
import { describeStack } from './stackAssertions';

const built = describeStack('dev', { 'pv-fault:kmsEncryption': true });

describe('dev with kmsEncryption: what the key changes', () => {
  it('takes a key a destroy can still undo for 7 days, and protects nothing', () => {
    const stack = built();
    expect(stack.config.kmsEncryption).toBe(true);
    expect(stack.one('aws:kms/key:Key').inputs.deletionWindowInDays).toBe(7);
    expect(stack.resources.filter((r) => r.protect)).toEqual([]);
  });
});
