import { describe, expect, it } from 'vitest';
import { policiesSchema } from '../../../src/config/schema.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { refusedAddressReason } from '../../../src/tools/address-policy.ts';
import { createFetchUrlTool, fetchUrlTool } from '../../../src/tools/fetch-url.ts';
import { createToolState, type ToolContext } from '../../../src/tools/types.ts';
import { createRecordingReporter } from '../../fakes/recording-reporter.ts';

/** fetch_url never touches the workspace; this sandbox fails the test if it does. */
const untouchableSandbox: Sandbox = {
  id: 'none',
  workdir: '/workspace',
  exec: async () => {
    throw new Error('fetch_url must not use the sandbox');
  },
  readFile: async () => {
    throw new Error('fetch_url must not use the sandbox');
  },
  writeFile: async () => {
    throw new Error('fetch_url must not use the sandbox');
  },
  exportChanges: async () => {
    throw new Error('fetch_url must not use the sandbox');
  },
  dispose: async () => undefined,
};

/** A fetch that serves canned responses by URL and records what was asked. */
function servingFetch(routes: Record<string, () => Response>) {
  const requested: string[] = [];
  const fetcher: typeof fetch = async (input) => {
    const url = input instanceof URL ? input.href : typeof input === 'string' ? input : input.url;
    requested.push(url);
    const route = routes[url];
    return route
      ? route()
      : new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  };
  return { fetcher, requested };
}

function contextFor(options: { enabled: boolean; allowHosts: string[]; fetch?: typeof fetch }): ToolContext {
  return {
    runId: 'run-fetch',
    sandbox: untouchableSandbox,
    signal: new AbortController().signal,
    log: createSilentLogger(),
    reporter: createRecordingReporter(),
    state: createToolState(),
    policies: policiesSchema.parse({
      fetchUrl: { enabled: options.enabled, allowHosts: options.allowHosts },
    }),
    outputLimit: 10_000,
    progress: () => undefined,
    fetch: options.fetch,
    secrets: [],
  };
}

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'IPv4-mapped a loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped a loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a00:1', 'NAT64 form of a private'],
    ['2002:a00:1::', '6to4 form of a private'],
    ['fd00:ec2::254', 'unique-local'],
    ['fc12::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusedAddressReason(address)).toContain(reason);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '[2a00:1450:4001::200e]',
  ])('allows the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeNull();
  });

  it('refuses what is not an address', () => {
    expect(refusedAddressReason('example.com')).toBe('not an IP address');
  });
});

describe('fetch_url', () => {
  const publicResolver = async (hostname: string) =>
    hostname === 'docs.example.com' ? ['93.184.215.14'] : [];

  it('is refused when the policy turns it off', async () => {
    const { fetcher, requested } = servingFetch({});
    const result = await fetchUrlTool.execute(
      { url: 'https://docs.example.com/' },
      contextFor({ enabled: false, allowHosts: ['docs.example.com'], fetch: fetcher }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBe('fetch_url is turned off in this deployment.');
    expect(requested).toEqual([]);
  });

  it('refuses a host that is not on the allowed list', async () => {
    const { fetcher, requested } = servingFetch({});
    const tool = createFetchUrlTool({ resolveHost: publicResolver });
    const result = await tool.execute(
      { url: 'https://evil.example.net/' },
      contextFor({ enabled: true, allowHosts: ['docs.example.com'], fetch: fetcher }),
    );
    expect(!result.ok && result.error).toBe(
      'The host evil.example.net is not on the allowed list for fetch_url.',
    );
    expect(requested).toEqual([]);
  });

  it('refuses an allowed name that resolves to a private address, before any request', async () => {
    const { fetcher, requested } = servingFetch({});
    const tool = createFetchUrlTool({ resolveHost: async () => ['93.184.215.14', '10.0.0.5'] });
    const result = await tool.execute(
      { url: 'https://docs.example.com/' },
      contextFor({ enabled: true, allowHosts: ['docs.example.com'], fetch: fetcher }),
    );
    expect(!result.ok && result.error).toBe(
      'Refused: docs.example.com resolves to 10.0.0.5, a private address.',
    );
    expect(requested).toEqual([]);
  });

  it('refuses localhost through the real system resolver, and loopback literals', async () => {
    const { fetcher, requested } = servingFetch({});
    const context = contextFor({
      enabled: true,
      allowHosts: ['localhost', '127.0.0.1', '::1'],
      fetch: fetcher,
    });
    const byName = await fetchUrlTool.execute({ url: 'http://localhost:8080/' }, context);
    expect(!byName.ok && byName.error).toMatch(
      /^Refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address\.$/,
    );
    const literal = await fetchUrlTool.execute({ url: 'http://127.0.0.1/' }, context);
    expect(!literal.ok && literal.error).toContain('loopback');
    const literal6 = await fetchUrlTool.execute({ url: 'http://[::1]/' }, context);
    expect(!literal6.ok && literal6.error).toContain('loopback');
    expect(requested).toEqual([]);
  });

  it('refuses schemes other than http(s)', async () => {
    const result = await fetchUrlTool.execute(
      { url: 'file:///etc/passwd' },
      contextFor({ enabled: true, allowHosts: [''], fetch: servingFetch({}).fetcher }),
    );
    expect(!result.ok && result.error).toContain('Only http and https');
  });

  // The allowed path cannot use a loopback server (loopback is refused by design), so the resolver maps the
  // name to a public-looking address and the injected fetch serves the page in place of the network.
  it('fetches an allowed host, turns HTML into text and fences it as untrusted', async () => {
    const { fetcher, requested } = servingFetch({
      'https://docs.example.com/guide': () =>
        new Response(
          '<html><head><title>t</title><style>p{}</style></head><body><h1>Guide</h1><p>Use &amp; enjoy.</p><script>x()</script></body></html>',
          { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } },
        ),
    });
    const tool = createFetchUrlTool({ resolveHost: publicResolver });
    const result = await tool.execute(
      { url: 'https://docs.example.com/guide' },
      contextFor({ enabled: true, allowHosts: ['docs.example.com'], fetch: fetcher }),
    );
    expect(result).toEqual({
      ok: true,
      truncated: false,
      output:
        'HTTP 200 from https://docs.example.com/guide (text/html; charset=utf-8)\n' +
        '<untrusted source="https://docs.example.com/guide">\nGuide\nUse & enjoy.\n</untrusted>',
    });
    expect(requested).toEqual(['https://docs.example.com/guide']);
  });

  it('checks every redirect hop against the policy', async () => {
    const { fetcher, requested } = servingFetch({
      'https://docs.example.com/moved': () =>
        new Response(null, {
          status: 302,
          headers: { location: 'http://169.254.169.254/latest/meta-data/' },
        }),
    });
    const tool = createFetchUrlTool({ resolveHost: publicResolver });
    const result = await tool.execute(
      { url: 'https://docs.example.com/moved' },
      contextFor({ enabled: true, allowHosts: ['docs.example.com', '169.254.169.254'], fetch: fetcher }),
    );
    expect(!result.ok && result.error).toContain('169.254.169.254, a link-local address');
    expect(requested).toEqual(['https://docs.example.com/moved']);
  });
});
