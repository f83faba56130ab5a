import type { IncomingMessage } from 'node:http';

export type BodyResult = { type: 'ok'; body: Buffer } | { type: 'too_large' } | { type: 'aborted' };

/**
 * Reads the whole body, up to `limitBytes`. A body over the limit is drained (so the client sees the
 * 413 instead of a reset) but not kept; past `drainBytes` the connection is simply dropped.
 */
export function readBody(
  request: IncomingMessage,
  limitBytes: number,
  drainBytes = limitBytes * 8,
): Promise<BodyResult> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > drainBytes) {
    request.destroy();
    return Promise.resolve({ type: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) chunks.push(chunk);
      else if (received > drainBytes) request.destroy();
    });
    request.on('end', () =>
      resolve(received > limitBytes ? { type: 'too_large' } : { type: 'ok', body: Buffer.concat(chunks) }),
    );
    request.on('error', () => resolve({ type: 'aborted' }));
    request.on('close', () => {
      if (!request.complete) resolve(received > limitBytes ? { type: 'too_large' } : { type: 'aborted' });
    });
  });
}
