import { existsSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';
import type { SandboxUser } from './sandbox-user.ts';

/*
 * The sandbox's /etc is built, not the host's: Baton's own passwd/group/hosts/nsswitch.conf, plus
 * read-only binds of the few host files programs need to run (TLS roots, the dynamic linker's
 * config, time zone, alternatives, package managers' system config). Everything else the host
 * keeps in /etc (shadow, sudoers, ssh host keys, service config holding passwords) never appears.
 */

/** Host paths bound when they exist. Globs are expanded once, when the provider starts. */
const HOST_ETC = [
  // TLS roots (Debian, RHEL, Alpine layouts); /etc/ssl/private (keys) is deliberately not here.
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
  '/etc/ssl/cert.pem',
  '/etc/pki/tls/certs',
  '/etc/pki/ca-trust/extracted',
  '/etc/ca-certificates.conf',
  // Programs and libraries.
  '/etc/alternatives',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/protocols',
  '/etc/services',
  '/etc/gai.conf',
  '/etc/host.conf',
  '/etc/os-release',
  '/etc/debian_version',
  '/etc/mime.types',
  '/etc/perl',
  '/etc/python3*',
  // Package managers' system-wide configuration.
  '/etc/npmrc',
  '/etc/yarnrc',
  '/etc/pip.conf',
  '/etc/xdg/pip',
  '/etc/gemrc',
];

/** Only when the sandbox has a network: without one, a resolver config only invites timeouts. */
const NETWORK_ETC = ['/etc/resolv.conf'];

/** Never visible, even when an operator lists them in `sandbox.etcExtra`. */
const FORBIDDEN = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssh',
  '/etc/ssl/private',
  '/etc/security/opasswd',
];

export interface SandboxEtc {
  /** Generated files, written into the sandbox's own /etc: path → content. */
  files: ReadonlyArray<readonly [string, string]>;
  /** Host paths bound read-only at the same path. */
  binds: readonly string[];
  /** Host paths bound read-only only when the network is on. */
  networkBinds: readonly string[];
}

function assertExtraAllowed(path: string): void {
  const normal = posix.normalize(path);
  const bad =
    !posix.isAbsolute(path) ||
    normal !== path.replace(/\/+$/, '') ||
    !normal.startsWith('/etc/') ||
    FORBIDDEN.some((forbidden) => normal === forbidden || normal.startsWith(`${forbidden}/`)) ||
    FORBIDDEN.some((forbidden) => forbidden.startsWith(`${normal}/`));
  if (bad) {
    throw new BatonError({
      code: 'sandbox_etc_extra_invalid',
      message: `sandbox.etcExtra entry "${path}" is not allowed`,
      hint: 'list absolute, normalised paths under /etc; shadow, gshadow, sudoers, ssh and ssl/private (or a directory holding them) are never exposed',
    });
  }
}

/** `/etc/python3*` → every entry of /etc starting with `python3`; other paths as they are. */
function expandTrailingStar(path: string): string[] {
  if (!path.endsWith('*')) return [path];
  const directory = posix.dirname(path);
  const prefix = posix.basename(path).slice(0, -1);
  try {
    return readdirSync(directory)
      .filter((name) => name.startsWith(prefix))
      .sort()
      .map((name) => posix.join(directory, name));
  } catch {
    return [];
  }
}

export function buildSandboxEtc(options: {
  user: SandboxUser;
  /** Operator-listed host paths under /etc (`sandbox.etcExtra`). */
  extra?: readonly string[];
  exists?: (path: string) => boolean;
}): SandboxEtc {
  const exists = options.exists ?? existsSync;
  for (const path of options.extra ?? []) assertExtraAllowed(path);
  const expand = (paths: readonly string[]) => paths.flatMap(expandTrailingStar).filter(exists);
  const { uid, gid } = options.user;
  const passwd = [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    `baton:x:${uid}:${gid}:Baton sandbox:/home/baton:/bin/sh`,
    ...(uid === 65534 ? [] : ['nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin']),
  ];
  const group = ['root:x:0:', `baton:x:${gid}:`, ...(gid === 65534 ? [] : ['nogroup:x:65534:'])];
  const files: Array<readonly [string, string]> = [
    ['/etc/passwd', `${passwd.join('\n')}\n`],
    ['/etc/group', `${group.join('\n')}\n`],
    ['/etc/hostname', 'baton\n'],
    ['/etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tbaton\n::1\tlocalhost ip6-localhost ip6-loopback\n'],
    [
      '/etc/nsswitch.conf',
      'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n',
    ],
  ];
  return {
    files,
    binds: [...new Set([...expand(HOST_ETC), ...expand(options.extra ?? [])])],
    networkBinds: expand(NETWORK_ETC),
  };
}
