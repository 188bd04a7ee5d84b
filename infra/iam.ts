/**
 * The two IAM resources every component declares: a role a service may assume for
 * this account, and an inline policy built from infra/policies.ts.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy, type PolicyDocument } from './policies';

export function serviceRole(id: string, service: string, accountId: pulumi.Input<string>, tags: Record<string, string>, parent: pulumi.Resource): aws.iam.Role {
  return new aws.iam.Role(id, { assumeRolePolicy: pulumi.output(accountId).apply((a) => JSON.stringify(assumeRolePolicy(service, a))), tags }, { parent });
}

export function inlinePolicy(id: string, role: aws.iam.Role, policy: pulumi.Input<PolicyDocument>, parent: pulumi.Resource): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(id, { role: role.id, policy: pulumi.output(policy).apply((p) => JSON.stringify(p)) }, { parent });
}
