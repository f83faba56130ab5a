import { fileURLToPath } from 'node:url';

/** Where the host proxy's socket and the forwarder appear inside the sandbox. */
export const SANDBOX_EGRESS_SOCKET = '/opt/baton/egress.sock';
const SANDBOX_FORWARDER = '/opt/baton/egress-forwarder.mjs';
/** The forwarder's port on the sandbox's own loopback interface. */
export const SANDBOX_PROXY_PORT = 3128;

/** Host path of the forwarder script (plain JavaScript: it runs under the sandbox's node as is). */
export const FORWARDER_PATH = fileURLToPath(new URL('./egress-forwarder.mjs', import.meta.url));

/** A command's route out: the sandbox keeps its own network namespace; only this proxy leads out. */
export interface EgressRoute {
  /** Host path of the egress proxy's unix socket. */
  socketPath: string;
  /** Absolute path of node inside the sandbox (the host's, mounted read-only). */
  nodePath: string;
}

/** The mounts a command with an egress route needs, appended to bubblewrap's arguments. */
export function egressMountArgs(route: EgressRoute): string[] {
  return ['--bind', route.socketPath, SANDBOX_EGRESS_SOCKET, '--ro-bind', FORWARDER_PATH, SANDBOX_FORWARDER];
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The command with the forwarder started first: the shell waits for its "ready" line on a FIFO, so
 * the command never races the port. The forwarder dies with the sandbox's pid namespace.
 */
export function withEgressForwarder(route: EgressRoute, command: string): string {
  return [
    'baton_fifo="/tmp/.baton-egress-$$"',
    'mkfifo "$baton_fifo" || exit 125',
    `${quote(route.nodePath)} ${SANDBOX_FORWARDER} ${SANDBOX_EGRESS_SOCKET} ${SANDBOX_PROXY_PORT} >"$baton_fifo" 2>/dev/null &`,
    'read -r baton_ready <"$baton_fifo"; rm -f "$baton_fifo"',
    '[ "$baton_ready" = ready ] || { echo "baton: the egress forwarder did not start" >&2; exit 125; }',
    'unset baton_fifo baton_ready',
    command,
  ].join('\n');
}

/** Proxy variables every common client reads (npm, pip, uv, go, cargo, curl, corepack). */
export function egressEnv(): Record<string, string> {
  const proxy = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    npm_config_proxy: proxy,
    npm_config_https_proxy: proxy,
    // Nothing bypasses the proxy: there is no other way out anyway, and a bypass would only fail late.
    NO_PROXY: '',
    no_proxy: '',
    npm_config_noproxy: '',
  };
}
