import { createHmac, timingSafeEqual } from 'node:crypto';

/** Equal strings, compared in constant time (for tokens and signatures). */
export function safeEqual(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Signer {
  /**
   * A tamper-proof token: the JSON payload and its HMAC, base64url. The purpose (`session`,
   * `signin`) is part of what is signed, so a token made for one use is refused for another.
   */
  sign(purpose: string, payload: object): string;
  /** The payload, or null when the token was altered, made for another purpose, is malformed, or has expired (`exp`, ms). */
  verify<T extends { exp: number }>(purpose: string, token: string, now: number): T | null;
  /** A keyed digest, e.g. the CSRF token of a session. */
  digest(purpose: string, value: string): string;
}

export function createSigner(secret: string): Signer {
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  return {
    sign(purpose, payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${mac(`token:${purpose}:${body}`)}`;
    },
    verify<T extends { exp: number }>(purpose: string, token: string, now: number): T | null {
      const [body, signature, extra] = token.split('.');
      if (
        !body ||
        !signature ||
        extra !== undefined ||
        !safeEqual(signature, mac(`token:${purpose}:${body}`))
      )
        return null;
      try {
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
        return typeof payload.exp === 'number' && payload.exp > now ? payload : null;
      } catch {
        return null;
      }
    },
    digest: (purpose, value) => mac(`${purpose}:${value}`),
  };
}
