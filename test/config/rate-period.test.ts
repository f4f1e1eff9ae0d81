import { describe, expect, it } from 'vitest';
import { gatewayConfig } from '../../src/config/schema.ts';
import { connectorManifest } from '../../src/connectors/manifest.ts';

describe('rate limit periods', () => {
  const app = { id: 'a', connector: 'demo', tokens: ['env:T'] };
  it.each([0, '0s', '0ms', '0.0 m'])('refuses a zero period %s in gateway.yaml', (per) => {
    const result = gatewayConfig.safeParse({
      apiVersion: 'scimgw/v1',
      kind: 'Gateway',
      apps: [{ ...app, rateLimit: { requests: 5, per } }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('The period must be longer than 0');
  });

  it('accepts a positive period and requests: 0 (pacing off)', () => {
    expect(
      gatewayConfig.safeParse({
        apiVersion: 'scimgw/v1',
        kind: 'Gateway',
        apps: [{ ...app, rateLimit: { requests: 0, per: '500ms' } }],
      }).success,
    ).toBe(true);
  });

  it('refuses a zero period in connector.yaml', () => {
    const shape = connectorManifest.shape.rateLimit.unwrap();
    expect(shape.safeParse({ requests: 5, per: '0s' }).success).toBe(false);
    expect(shape.safeParse({ requests: 5, per: '1m' }).success).toBe(true);
  });
});
