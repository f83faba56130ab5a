import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { BatonError } from '../../observability/errors.ts';

/** GitHub refuses an App JWT whose `exp` is more than ten minutes after `iat`. */
const LIFETIME_SECONDS = 9 * 60;
/** Clocks drift: GitHub recommends issuing the token a minute in the past. */
const BACKDATE_SECONDS = 60;

/** Parses the App's private key once; a bad key is a configuration error, said plainly. */
export function parseAppPrivateKey(pem: string): KeyObject {
  try {
    // Keys pasted into environment variables often carry literal `\n`.
    return createPrivateKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);
  } catch (error) {
    throw new BatonError({
      code: 'github_app_key_invalid',
      message: 'the GitHub App private key could not be read',
      hint: 'set GITHUB_APP_PRIVATE_KEY to the PEM file GitHub generated for the App (including the BEGIN/END lines)',
      cause: error,
    });
  }
}

/** An RS256 JSON web token that authenticates as the App itself (`iss`: the App id or its Client ID). */
export function signAppJwt(options: { appId: number | string; privateKey: KeyObject; nowMs: number }): {
  token: string;
  expiresAtMs: number;
} {
  const issuedAt = Math.floor(options.nowMs / 1000) - BACKDATE_SECONDS;
  const expiresAt = issuedAt + BACKDATE_SECONDS + LIFETIME_SECONDS;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: issuedAt, exp: expiresAt, iss: options.appId })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(options.privateKey).toString('base64url');
  return { token: `${unsigned}.${signature}`, expiresAtMs: expiresAt * 1000 };
}
