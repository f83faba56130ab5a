import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatonError } from '../../observability/errors.ts';
import type { PackageEcosystem } from './types.ts';

/** One host the egress proxy lets through. */
export interface AllowedHost {
  /** Lower-case name or IP literal; `*.example.com` matches every subdomain. */
  host: string;
  /** Absent: the standard ports 80 and 443. */
  port?: number;
  /**
   * True when an operator named it (the host's package-manager configuration or
   * `sandbox.setupAllowHosts`); only such an entry may lead to a private or loopback address.
   */
  listed: boolean;
}

export interface RegistryPlan {
  allow: AllowedHost[];
  /** Registry settings for the sandbox: URLs only, never a credential from the host. */
  env: Record<string, string>;
}

type HostEnv = Readonly<Record<string, string | undefined>>;

const DEFAULTS: Record<PackageEcosystem, readonly string[]> = {
  npm: ['https://registry.npmjs.org/', 'https://repo.yarnpkg.com/'],
  pypi: ['https://pypi.org/simple/', 'https://files.pythonhosted.org/'],
  go: ['https://proxy.golang.org/', 'https://sum.golang.org/', 'https://storage.googleapis.com/'],
  cargo: ['https://index.crates.io/', 'https://static.crates.io/', 'https://crates.io/'],
};

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `key=value` lines of an ini-style file (npmrc, pip.conf), `key = value` too; continuation lines joined. */
function iniValues(text: string, key: RegExp): string[] {
  const values: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^\s*([^=#;\s][^=]*?)\s*=\s*(.*)$/.exec(lines[index] ?? '');
    if (!match?.[1] || !key.test(match[1])) continue;
    let value = match[2] ?? '';
    // pip allows a value continued on indented lines (extra-index-url with several URLs).
    while (/^\s+\S/.test(lines[index + 1] ?? '') && !/=/.test(lines[index + 1] ?? '')) {
      value += ` ${(lines[index + 1] ?? '').trim()}`;
      index += 1;
    }
    values.push(...value.split(/\s+/).filter(Boolean));
  }
  return values;
}

/** A URL without user, password, query or fragment: what may enter the sandbox. */
export function withoutCredentials(url: string): string | undefined {
  try {
    const parsed = new URL(url.replace(/^sparse\+/, ''));
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return undefined;
  }
}

function hostOf(url: string, listed: boolean): AllowedHost | undefined {
  try {
    const parsed = new URL(url.replace(/^sparse\+/, ''));
    const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return { host, ...(parsed.port ? { port: Number(parsed.port) } : {}), listed };
  } catch {
    return undefined;
  }
}

/** `host`, `host:port` or `*.suffix` from `sandbox.setupAllowHosts`. */
export function parseAllowHost(entry: string): AllowedHost {
  const match = /^(\*\.)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!match?.[2])
    throw new BatonError({
      code: 'config_allow_host_invalid',
      message: `sandbox.setupAllowHosts: "${entry}" is not a host name`,
      hint: 'write a host (registry.example.com), host:port (10.0.0.5:4873) or a wildcard (*.example.com)',
    });
  const host = `${match[1] ?? ''}${match[2].replace(/^\[|\]$/g, '').toLowerCase()}`;
  return { host, ...(match[3] ? { port: Number(match[3]) } : {}), listed: true };
}

function npmRegistries(hostEnv: HostEnv, nodePrefix: string): { main?: string; scoped: Map<string, string> } {
  const home = hostEnv.HOME ?? '';
  const files = [
    readOptional('/etc/npmrc'),
    readOptional(join(nodePrefix, 'etc', 'npmrc')),
    home ? readOptional(join(home, '.npmrc')) : '',
    hostEnv.NPM_CONFIG_USERCONFIG ? readOptional(hostEnv.NPM_CONFIG_USERCONFIG) : '',
  ];
  let main: string | undefined;
  const scoped = new Map<string, string>();
  for (const text of files) {
    for (const value of iniValues(text, /^registry$/)) main = value;
    for (const line of text.split('\n')) {
      const match = /^\s*(@[\w.-]+):registry\s*=\s*(\S+)/.exec(line);
      if (match?.[1] && match[2]) scoped.set(match[1], match[2]);
    }
  }
  main = hostEnv.npm_config_registry ?? hostEnv.NPM_CONFIG_REGISTRY ?? main;
  const yarnrc = home ? readOptional(join(home, '.yarnrc.yml')) : '';
  const yarnRegistry = /^\s*npmRegistryServer:\s*["']?([^"'\s]+)/m.exec(yarnrc)?.[1];
  if (yarnRegistry) scoped.set('yarn', yarnRegistry);
  return { main, scoped };
}

function pipIndexes(hostEnv: HostEnv): { index?: string; extra: string[] } {
  const home = hostEnv.HOME ?? '';
  const config = hostEnv.XDG_CONFIG_HOME ?? (home ? join(home, '.config') : '');
  const files = [
    readOptional('/etc/pip.conf'),
    config ? readOptional(join(config, 'pip', 'pip.conf')) : '',
    home ? readOptional(join(home, '.pip', 'pip.conf')) : '',
    hostEnv.PIP_CONFIG_FILE ? readOptional(hostEnv.PIP_CONFIG_FILE) : '',
  ];
  let index: string | undefined;
  let extra: string[] = [];
  for (const text of files) {
    index = iniValues(text, /^index[-_]url$/).at(-1) ?? index;
    const more = iniValues(text, /^extra[-_]index[-_]url$/);
    if (more.length > 0) extra = more;
  }
  index = hostEnv.PIP_INDEX_URL ?? hostEnv.UV_INDEX_URL ?? index;
  if (hostEnv.PIP_EXTRA_INDEX_URL) extra = hostEnv.PIP_EXTRA_INDEX_URL.split(/\s+/).filter(Boolean);
  return { index, extra };
}

function goProxies(hostEnv: HostEnv): string[] | undefined {
  if (!hostEnv.GOPROXY) return undefined;
  return hostEnv.GOPROXY.split(/[,|]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== 'direct' && entry !== 'off' && entry !== '');
}

function cargoIndexes(hostEnv: HostEnv): string[] {
  const cargoHome = hostEnv.CARGO_HOME ?? (hostEnv.HOME ? join(hostEnv.HOME, '.cargo') : '');
  if (!cargoHome) return [];
  const text = readOptional(join(cargoHome, 'config.toml')) || readOptional(join(cargoHome, 'config'));
  return [...text.matchAll(/^\s*(?:index|registry)\s*=\s*["']([^"']+)["']/gm)].flatMap((match) =>
    match[1] ? [match[1]] : [],
  );
}

/**
 * The registries the setup may reach and the settings the sandbox gets for them, read from the
 * host's own package-manager configuration (npm/pnpm/yarn, pip, GOPROXY, cargo) with the public
 * defaults where nothing is configured, plus `sandbox.setupAllowHosts`. Credentials in URLs are dropped.
 */
export function registryPlan(options: {
  hostEnv: HostEnv;
  ecosystems: readonly PackageEcosystem[];
  extraHosts: readonly string[];
  /** Node's install prefix: npm's global npmrc is `<prefix>/etc/npmrc`. */
  nodePrefix: string;
}): RegistryPlan {
  const { hostEnv } = options;
  const urls: { url: string; listed: boolean }[] = [];
  const env: Record<string, string> = {};
  const add = (url: string | undefined, listed: boolean) => {
    const clean = url ? withoutCredentials(url) : undefined;
    if (clean) urls.push({ url: clean, listed });
    return clean;
  };
  for (const ecosystem of options.ecosystems) {
    if (ecosystem === 'npm') {
      const npm = npmRegistries(hostEnv, options.nodePrefix);
      const main = add(npm.main, true);
      if (main) {
        env.npm_config_registry = main;
        env.COREPACK_NPM_REGISTRY = main.replace(/\/$/, '');
        env.YARN_NPM_REGISTRY_SERVER = main.replace(/\/$/, '');
      } else for (const url of DEFAULTS.npm) add(url, false);
      for (const [scope, url] of npm.scoped) {
        const clean = add(url, true);
        if (clean && scope !== 'yarn') env[`npm_config_${scope}:registry`] = clean;
      }
    } else if (ecosystem === 'pypi') {
      const pip = pipIndexes(hostEnv);
      const index = add(pip.index, true);
      if (index) {
        env.PIP_INDEX_URL = index;
        env.UV_INDEX_URL = index;
      } else for (const url of DEFAULTS.pypi) add(url, false);
      const extra = pip.extra.flatMap((url) => add(url, true) ?? []);
      if (extra.length > 0) {
        env.PIP_EXTRA_INDEX_URL = extra.join(' ');
        env.UV_EXTRA_INDEX_URL = extra.join(' ');
      }
    } else if (ecosystem === 'go') {
      const proxies = goProxies(hostEnv);
      if (proxies && proxies.length > 0) {
        const clean = proxies.flatMap((url) => add(url, true) ?? []);
        env.GOPROXY = clean.join(',');
      } else for (const url of DEFAULTS.go) add(url, false);
    } else {
      const indexes = cargoIndexes(hostEnv);
      for (const url of indexes) add(url, true);
      for (const url of DEFAULTS.cargo) add(url, false);
    }
  }
  const allow: AllowedHost[] = [];
  const seen = new Set<string>();
  for (const entry of [
    ...urls.flatMap(({ url, listed }) => hostOf(url, listed) ?? []),
    ...options.extraHosts.map(parseAllowHost),
  ]) {
    const id = `${entry.host}:${entry.port ?? ''}:${entry.listed}`;
    if (seen.has(id)) continue;
    seen.add(id);
    allow.push(entry);
  }
  return { allow, env };
}
