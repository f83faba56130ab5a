import { BatonError } from '../observability/errors.ts';

/** One line that names the setting: PORT / server.port (or the one given), or server.host. */
export function listenError(
  error: NodeJS.ErrnoException,
  where: { host: string; port: number; setting?: string },
): BatonError {
  const address = `${where.host}:${where.port}`;
  const setting = where.setting ?? 'PORT / server.port';
  switch (error.code) {
    case 'EADDRINUSE':
      return new BatonError({
        code: 'gateway_port_in_use',
        message: `Port ${where.port} is already in use on ${where.host} (${setting})`,
        hint: `set ${setting.replace(' / ', ' or ')} to a free port, or stop what listens on ${where.port}`,
        cause: error,
      });
    case 'EACCES':
      return new BatonError({
        code: 'gateway_port_denied',
        message: `Baton may not listen on ${address} (${setting}): ${error.message}`,
        hint: 'ports below 1024 need privileges: use a port from 1024 up behind a proxy',
        cause: error,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BatonError({
        code: 'gateway_host_invalid',
        message: `Baton cannot listen on ${address}: no such local address (server.host)`,
        hint: 'set server.host to 0.0.0.0 (every interface), 127.0.0.1, or an address of this machine',
        cause: error,
      });
    default:
      return new BatonError({
        code: 'gateway_listen_failed',
        message: `Baton could not listen on ${address} (${setting}, server.host): ${error.message}`,
        cause: error,
      });
  }
}
