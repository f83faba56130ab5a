import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';
import type { SandboxUser } from './sandbox-user.ts';

/*
 * The sandbox's /etc is built, not the host's. It is written once per provider as a directory of
 * its own (a copy of the chosen host files, symbolic links kept as links) and bound read-only as a
 * whole: one mount, where binding each host file separately cost ~20 mounts and ~30% more start
 * time per command. The copy is taken when the provider starts, so a host change to these files
 * (new CA roots) reaches sandboxes at Baton's next start.
 *
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

/** The prepared /etc: bound as a whole; `networkDir()` has a mount point for each live network file. */
export interface PreparedEtc {
  dir: string;
  /** Written the first time a sandbox with a network needs it. */
  networkDir(): string;
  /** Host files bound live over `networkDir`'s placeholders when the network is on (resolv.conf). */
  networkBinds: readonly string[];
  /** Host files left out because Baton could not read them (filled while a tree is written). */
  unreadable: readonly string[];
}

/**
 * A name for the tree from what it would hold, read from the host without writing anything:
 * the generated files, and every source entry's path, mode, size, mtime and link target. An
 * unchanged host reuses the tree Baton wrote at an earlier start.
 */
function fingerprint(etc: SandboxEtc, placeholders: readonly string[]): string {
  const hash = createHash('sha256');
  for (const [path, content] of etc.files) hash.update(`${path}\0${content}\0`);
  hash.update(`${placeholders.join('\0')}\0`);
  const walk = (path: string) => {
    const info = lstatSync(path);
    hash.update(`${path}\0${info.mode}\0${info.size}\0${info.mtimeMs}\0`);
    if (info.isSymbolicLink()) hash.update(readlinkSync(path));
    else if (info.isDirectory()) {
      let names: string[] = [];
      readable(() => (names = readdirSync(path)), path, []);
      for (const name of names.sort()) walk(posix.join(path, name));
    }
  };
  for (const source of etc.binds) walk(source);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Copies a host path under /etc. A relative link is rewritten to the absolute path it meant there
 * (`os-release` → `/usr/lib/os-release`), so it resolves the same inside the sandbox and, on the
 * host, no dangling link sits in the data directory. Sockets, FIFOs and links that dangle on the
 * host already are left out.
 */
function copyEntry(source: string, target: string, unreadable: string[]): void {
  const info = lstatSync(source);
  if (info.isSymbolicLink()) {
    const link = readlinkSync(source);
    const absolute = posix.isAbsolute(link) ? link : posix.resolve(posix.dirname(source), link);
    // A link that already dangles on the host (an alternative whose package is gone) is left out.
    if (existsSync(absolute)) symlinkSync(absolute, target);
  } else if (info.isDirectory()) {
    let names: string[] = [];
    if (!readable(() => (names = readdirSync(source)), source, unreadable)) return;
    mkdirSync(target, { mode: 0o755 });
    for (const name of names) copyEntry(posix.join(source, name), posix.join(target, name), unreadable);
  } else if (info.isFile()) {
    if (!readable(() => copyFileSync(source, target), source, unreadable)) return;
    chmodSync(target, info.mode & 0o7777);
  }
}

/** Runs a read; a host file Baton may not read (Baton is not root) is listed and left out. */
function readable(read: () => unknown, path: string, unreadable: string[]): boolean {
  try {
    read();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    unreadable.push(path);
    return false;
  }
}

function writeTree(
  etc: SandboxEtc,
  directory: string,
  placeholders: readonly string[],
  unreadable: string[],
): void {
  mkdirSync(directory, { mode: 0o755 });
  for (const source of etc.binds) {
    const target = join(directory, posix.relative('/etc', source));
    mkdirSync(posix.dirname(target), { recursive: true, mode: 0o755 });
    copyEntry(source, target, unreadable);
  }
  for (const [path, content] of etc.files)
    writeFileSync(join(directory, posix.relative('/etc', path)), content, { mode: 0o644 });
  symlinkSync('/proc/self/mounts', join(directory, 'mtab'));
  for (const path of placeholders)
    writeFileSync(join(directory, posix.relative('/etc', path)), '', { mode: 0o644 });
}

/**
 * Writes the /etc trees under `root` (one per content, so several Baton processes sharing a data
 * directory reuse the same one and never remove one another's), and returns where they are.
 */
export function prepareSandboxEtc(etc: SandboxEtc, root: string): PreparedEtc {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const unreadable: string[] = [];
  const place = (placeholders: readonly string[]) => {
    const final = join(root, fingerprint(etc, placeholders));
    if (existsSync(final)) return final;
    const temporary = join(root, `.build-${randomBytes(6).toString('hex')}`);
    try {
      writeTree(etc, temporary, placeholders, unreadable);
      try {
        renameSync(temporary, final);
      } catch (error) {
        // Another process wrote the same tree meanwhile: either copy is the same.
        if (!existsSync(final)) throw error;
      }
      return final;
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  };
  let networkDir: string | undefined;
  return {
    dir: place([]),
    networkDir: () => {
      networkDir ??= place(etc.networkBinds);
      return networkDir;
    },
    networkBinds: etc.networkBinds,
    unreadable,
  };
}
