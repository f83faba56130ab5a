import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Directories the fake shows from the host, read-only: envd answers "permission denied" there. */
const READ_ONLY = ['/usr', '/etc', '/bin', '/lib', '/lib64', '/sbin', '/proc', '/dev'];

/**
 * A sandbox path as envd sees it (absolute, or relative to the user's home), resolved inside the
 * sandbox's root the way the VM would: symlinks are followed relative to the sandbox's own `/`.
 * Returns the sandbox path and the host path.
 */
export function resolveSandboxPath(
  root: string,
  path: string,
  home: string,
): { inside: string; host: string; readOnly: boolean } {
  let pending = posix
    .normalize(posix.isAbsolute(path) ? path : posix.join(home, path))
    .split('/')
    .filter(Boolean);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const [part, ...rest] = pending;
    pending = rest;
    if (part === undefined || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    const host = join(root, ...candidate);
    let target: string | undefined;
    try {
      if (lstatSync(host).isSymbolicLink()) target = readlinkSync(host);
    } catch {
      // A missing component: the rest of the path is taken as written.
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    hops += 1;
    if (hops > 40) throw new Error('too many levels of symbolic links');
    pending = [...target.split('/').filter(Boolean), ...pending];
    if (posix.isAbsolute(target)) resolved.length = 0;
  }
  const inside = `/${resolved.join('/')}`;
  const readOnly = READ_ONLY.some((prefix) => inside === prefix || inside.startsWith(`${prefix}/`));
  return { inside, host: join(root, ...resolved), readOnly };
}
