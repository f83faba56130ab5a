import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeDestination } from '../../../src/sandbox/environment/egress-proxy.ts';
import { parseAllowHost, registryPlan } from '../../../src/sandbox/environment/registries.ts';

const publicLookup = async () => [{ address: '104.16.1.35' }];
const privateLookup = async () => [{ address: '10.1.2.3' }];

describe('the egress allowlist', () => {
  const home = mkdtempSync(join(tmpdir(), 'baton-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reads the registries the host package managers use, drops credentials, defaults to the public ones', () => {
    writeFileSync(
      join(home, '.npmrc'),
      'registry=https://npm.internal.example:8443/repo/\n@acme:registry=https://npm.acme.example/\n//npm.internal.example:8443/:_authToken=HOSTTOKEN\n',
    );
    const plan = registryPlan({
      hostEnv: {
        HOME: home,
        PIP_INDEX_URL: 'https://user:pass@pypi.internal.example/simple/',
        PIP_EXTRA_INDEX_URL: 'https://extra.example/simple/ file:///opt/wheels',
        GOPROXY: 'https://goproxy.example,direct',
      },
      ecosystems: ['npm', 'pypi', 'go', 'cargo'],
      extraHosts: ['10.0.0.5:4873', '*.corp.example'],
      nodePrefix: '/nonexistent',
    });
    expect(plan.env.npm_config_registry).toBe('https://npm.internal.example:8443/repo/');
    expect(plan.env['npm_config_@acme:registry']).toBe('https://npm.acme.example/');
    expect(plan.env.PIP_INDEX_URL).toBe('https://pypi.internal.example/simple/');
    expect(plan.env.PIP_EXTRA_INDEX_URL).toBe('https://extra.example/simple/');
    expect(plan.env.GOPROXY).toBe('https://goproxy.example/');
    expect(JSON.stringify(plan)).not.toMatch(/HOSTTOKEN|pass@/);
    const hosts = plan.allow.map(
      (entry) => `${entry.host}${entry.port ? `:${entry.port}` : ''}${entry.listed ? '' : ' (default)'}`,
    );
    expect(hosts).toEqual([
      'npm.internal.example:8443',
      'npm.acme.example',
      'pypi.internal.example',
      'extra.example',
      'goproxy.example',
      'index.crates.io (default)',
      'static.crates.io (default)',
      'crates.io (default)',
      '10.0.0.5:4873',
      '*.corp.example',
    ]);
  });

  it('refuses what is not listed, other ports, and private addresses behind a default entry', async () => {
    const allow = [
      { host: 'registry.npmjs.org', listed: false },
      { host: '127.0.0.1', port: 4873, listed: true },
      { host: '*.corp.example', listed: true },
    ];
    expect(
      await judgeDestination({ host: 'registry.npmjs.org', port: 443, allow, lookup: publicLookup }),
    ).toEqual({
      allowed: true,
      address: '104.16.1.35',
    });
    expect(
      await judgeDestination({ host: 'registry.npmjs.org', port: 443, allow, lookup: privateLookup }),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('private address'),
    });
    expect(
      await judgeDestination({ host: 'registry.npmjs.org', port: 8080, allow, lookup: publicLookup }),
    ).toMatchObject({
      allowed: false,
    });
    expect(await judgeDestination({ host: 'evil.example', port: 443, allow, lookup: publicLookup })).toEqual({
      allowed: false,
      reason: 'not on the setup allowlist',
    });
    expect(
      await judgeDestination({ host: '127.0.0.1', port: 4873, allow, lookup: publicLookup }),
    ).toMatchObject({ allowed: true });
    expect(
      await judgeDestination({ host: '127.0.0.1', port: 4874, allow, lookup: publicLookup }),
    ).toMatchObject({ allowed: false });
    expect(
      await judgeDestination({ host: 'npm.corp.example', port: 443, allow, lookup: privateLookup }),
    ).toMatchObject({
      allowed: true,
      address: '10.1.2.3',
    });
  });

  it('says what is wrong with a bad setupAllowHosts entry', () => {
    expect(() => parseAllowHost('http://x/')).toThrow(/not a host name/);
    expect(parseAllowHost('[::1]:8080')).toEqual({ host: '::1', port: 8080, listed: true });
  });
});
