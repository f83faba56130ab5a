import type { IncomingMessage } from 'node:http';

/** The TCP peer's address, never a header: a Host or X-Forwarded-For header is the client's to invent. */
export function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Whether the browser reached us over https (directly, or through a proxy that says so). */
export function isHttps(request: IncomingMessage, publicBaseUrl: string | undefined): boolean {
  if (publicBaseUrl?.startsWith('https:')) return true;
  if ((request.socket as { encrypted?: boolean }).encrypted) return true;
  return request.headers['x-forwarded-proto'] === 'https';
}

/** Only a path on this site: `/runs/x`, never `//evil.example` or `https://…`. */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/runs';
  return value;
}

/**
 * Whether the browser named this machine by a loopback name. Without sign-in, a page elsewhere that
 * re-points its own host name at 127.0.0.1 (DNS rebinding) would otherwise read the dashboard.
 */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}
