import { describe, expect, it } from 'vitest';
import { dashboardSignIn } from '../../../src/app/compose-dashboard.ts';
import { readEnvironment } from '../../../src/app/environment.ts';
import { parseConfig } from '../../../src/config/index.ts';

describe('choosing the dashboard sign-in', () => {
  it('answers on loopback without sign-in, unless sandboxed commands share the host network', () => {
    const environment = readEnvironment({});
    expect(dashboardSignIn(parseConfig({}), environment)).toEqual({ type: 'loopback' });
    expect(() => dashboardSignIn(parseConfig({ sandbox: { network: 'on' } }), environment)).toThrow(
      /sandbox\.network is on, so sandboxed commands could reach it on loopback/,
    );
    const withToken = readEnvironment({ DASHBOARD_TOKEN: 'a-dashboard-token-0123456789' });
    expect(dashboardSignIn(parseConfig({ sandbox: { network: 'on' } }), withToken).type).toBe('token');
  });
});
