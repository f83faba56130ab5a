import type { IncomingMessage } from 'node:http';
import type { E2BUser } from './e2b-sandbox-process.ts';

/* The Connect protocol's JSON form, as envd speaks it: errors, 5-byte stream envelopes, the user. */

export type Json = Record<string, unknown>;

export class ConnectFailure extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_argument' | 'permission_denied' | 'unauthenticated' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

export const HTTP_STATUS: Record<ConnectFailure['code'], number> = {
  not_found: 404,
  invalid_argument: 400,
  permission_denied: 403,
  unauthenticated: 401,
  internal: 500,
};

export function envelope(flags: number, message: Json): Buffer {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export function unwrapEnvelope(body: Buffer): Json {
  if (body.length < 5) throw new ConnectFailure('invalid_argument', 'missing envelope');
  return JSON.parse(body.subarray(5, 5 + body.readUInt32BE(1)).toString('utf8')) as Json;
}

/** The user a request runs as: envd takes it from Basic auth (`user:`), else the default user. */
export function userOf(request: IncomingMessage, query?: URLSearchParams): E2BUser {
  const named = query?.get('username');
  if (named === 'root' || named === 'user') return named;
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const name = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0];
    if (name === 'root') return 'root';
  }
  return 'user';
}

export const homeOf = (user: E2BUser) => (user === 'root' ? '/root' : '/home/user');
