import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function run(command: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

/** overlayfs options are comma- and colon-separated; a path holding either cannot be passed. */
const UNSAFE_PATH = /[,:\\\s]/;

/**
 * A copy-on-write view of a snapshot directory at `target`: reads come from `lower` (never written),
 * every write lands in `upper`. Mounted on the host, so every command of the run (each its own
 * bubblewrap) sees one coherent mount through the workspace's bind mount. The layers must be
 * final before the call: overlayfs does not see a layer's owner or mode change once mounted.
 */
export async function mountOverlay(options: {
  lower: string;
  upper: string;
  work: string;
  target: string;
}): Promise<{ ok: true } | { ok: false; reason: string }> {
  const paths = [options.lower, options.upper, options.work, options.target];
  if (paths.some((path) => UNSAFE_PATH.test(path)))
    return { ok: false, reason: 'a path holds a character overlayfs options cannot carry' };
  await Promise.all([mkdir(options.upper, { recursive: true }), mkdir(options.work, { recursive: true })]);
  await mkdir(options.target, { recursive: true });
  const result = await run('mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${options.lower},upperdir=${options.upper},workdir=${options.work}`,
    options.target,
  ]);
  return result.ok ? { ok: true } : { ok: false, reason: result.output || 'mount failed' };
}

/** Unmounts; a mount still busy (a process holding a file) is detached lazily. */
export async function unmountOverlay(target: string): Promise<void> {
  const result = await run('umount', [target]);
  if (!result.ok) await run('umount', ['-l', target]);
}

/** Whether this host lets Baton mount overlays (root, or a user namespace that may), tried once. */
export async function overlaySupported(scratchDir: string): Promise<boolean> {
  const base = join(scratchDir, `overlay-probe-${process.pid}`);
  try {
    await mkdir(join(base, 'lower'), { recursive: true });
    await writeFile(join(base, 'lower', 'probe'), 'probe');
    const mounted = await mountOverlay({
      lower: join(base, 'lower'),
      upper: join(base, 'upper'),
      work: join(base, 'work'),
      target: join(base, 'merged'),
    });
    if (!mounted.ok) return false;
    await unmountOverlay(join(base, 'merged'));
    return true;
  } catch {
    return false;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** Mount targets under `root`, deepest first (read from the text of /proc/self/mountinfo). */
export function mountsUnder(root: string, mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((path) => path.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}
