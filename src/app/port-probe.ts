import { createServer } from 'node:net';
import { listenError } from '../gateway/listen-error.ts';

/**
 * Binds the gateway's address for a moment before anything else is opened, so a port in use or
 * out of reach stops `baton start` at once, with the setting to change, rather than after the
 * store, the queue and the sandbox pool have started. The real listen still reports a port lost
 * to a race in between.
 */
export async function assertPortAvailable(options: {
  host: string;
  port: number;
  /** The variable and key that set the port, for the message. */
  setting?: string;
}): Promise<void> {
  if (options.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
    probe.listen({ port: options.port, host: options.host, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
