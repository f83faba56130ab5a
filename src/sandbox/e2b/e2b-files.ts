import type { Sandbox as SdkSandbox } from 'e2b';
import { CommandExitError } from 'e2b';
import { BatonError } from '../../observability/errors.ts';
import { SANDBOX_WORKDIR } from '../local/paths.ts';

/** Larger files are refused by readFile, as on the local provider: read parts of them with exec. */
const MAX_READ_BYTES = 10 * 1024 * 1024;

/*
 * The path is resolved INSIDE the sandbox (symlinks are the sandbox's), then checked to stay in the
 * workspace, so the tools behave as on the local provider. The E2B VM is the isolation boundary;
 * this check is about the tools' contract, not about protecting the host.
 */
const RESOLVE = `p=$(realpath -m -- "$BATON_PATH") || exit 5
case "$p" in ${SANDBOX_WORKDIR}|${SANDBOX_WORKDIR}/*) ;; *) exit 3 ;; esac`;

const READ_SCRIPT = `${RESOLVE}
[ -e "$p" ] || exit 4
[ -f "$p" ] || exit 6
[ "$(stat -c %s -- "$p")" -le ${MAX_READ_BYTES} ] || exit 7
cat -- "$p"`;

const WRITE_SCRIPT = `${RESOLVE}
[ "$p" != "${SANDBOX_WORKDIR}" ] && [ ! -d "$p" ] || exit 6
mkdir -p -- "$(dirname -- "$p")" && printf %s "$p"`;

function refusal(exitCode: number, path: string, stderr: string): BatonError {
  switch (exitCode) {
    case 3:
      return new BatonError({
        code: 'sandbox_path_escape',
        message: `path "${path}" is outside the workspace`,
        hint: `use a path relative to the workspace root (${SANDBOX_WORKDIR})`,
      });
    case 4:
      return new BatonError({ code: 'sandbox_file_not_found', message: `${path} does not exist` });
    case 6:
      return new BatonError({ code: 'sandbox_not_a_file', message: `${path} is not a regular file` });
    case 7:
      return new BatonError({
        code: 'sandbox_file_too_large',
        message: `${path} is more than ${MAX_READ_BYTES} bytes`,
        hint: 'read a part of it with exec (head, tail, sed -n) or search it with rg',
      });
    default:
      return new BatonError({
        code: 'sandbox_file_unreadable',
        message: `cannot open ${path}: ${stderr.trim()}`,
      });
  }
}

async function runScript(
  sandbox: SdkSandbox,
  script: string,
  target: string,
  path: string,
  requestTimeoutMs: number,
) {
  try {
    const result = await sandbox.commands.run(script, { envs: { BATON_PATH: target }, requestTimeoutMs });
    return result.stdout;
  } catch (error) {
    if (error instanceof CommandExitError) throw refusal(error.exitCode, path, error.stderr);
    throw error;
  }
}

export function readChecked(sandbox: SdkSandbox, path: string, relative: string, requestTimeoutMs: number) {
  return runScript(sandbox, READ_SCRIPT, `${SANDBOX_WORKDIR}/${relative}`, path, requestTimeoutMs);
}

/** The resolved sandbox path to write, its directory made. */
export function writeTarget(sandbox: SdkSandbox, path: string, relative: string, requestTimeoutMs: number) {
  if (!relative) throw refusal(6, path, '');
  return runScript(sandbox, WRITE_SCRIPT, `${SANDBOX_WORKDIR}/${relative}`, path, requestTimeoutMs);
}
