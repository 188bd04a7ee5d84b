/** The dev stage with the operator's dashboard switched off: every shared check still holds, and nothing of it is declared. */
import { describeStack } from './stackAssertions';

const built = describeStack('dev', { 'pv-fault:webDashboard': { enabled: false } });

describe('dev without the web dashboard', () => {
  it('declares no distribution, user pool or identity pool, and still routes and reads the series', () => {
    const stack = built();
    expect(stack.config.webDashboard).toBeNull();
    for (const type of ['aws:cloudfront/distribution:Distribution', 'aws:cognito/userPool:UserPool', 'aws:cognito/identityPool:IdentityPool', 'aws:cloudfront/originAccessControl:OriginAccessControl']) expect(stack.ofType(type)).toEqual([]);
    expect(stack.ofType('aws:apigatewayv2/route:Route').map((r) => r.inputs.routeKey)).toContain('GET /devices/{deviceId}/series');
  });
});
