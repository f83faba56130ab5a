import { createPublicKey, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IssuedToken } from './github-state.ts';

export interface JwtCheck {
  ok: boolean;
  /** GitHub's message for a rejected JWT. */
  message?: string;
  payload?: { iat: number; exp: number; iss: string | number };
}

export interface FakeCredentials {
  appId: number;
  /** The App's Client ID (`Iv23…`), accepted as the JWT issuer like the numeric id. */
  clientId: string;
  privateKeyPem: string;
  installationId: number;
  issuedTokens: IssuedToken[];
  /** Payloads of every JWT the fake accepted. */
  acceptedJwts: { iat: number; exp: number; iss: string | number }[];
  verifyJwt(token: string): JwtCheck;
  issueToken(input: { repositories?: string[]; permissions?: Record<string, string> }): IssuedToken;
  /** The installation token behind a credential, when it is valid now. */
  findToken(token: string): IssuedToken | undefined;
  personalTokens: Set<string>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token shaped like GitHub's (`ghs_` + 36 characters), so redaction sees it as one. */
export function randomToken(prefix: 'ghs' | 'ghp'): string {
  const bytes = randomBytes(36);
  return `${prefix}_${[...bytes].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('')}`;
}

function decodeSegment(segment: string | undefined): unknown {
  if (segment === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The App's key pair and the installation tokens it issues, checked against the fake's clock. */
export function createFakeCredentials(options: { now: () => number; appId?: number }): FakeCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const verifyKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
  const appId = options.appId ?? 4242;
  const clientId = `Iv23liFake${appId}`;
  const issuedTokens: IssuedToken[] = [];
  const acceptedJwts: FakeCredentials['acceptedJwts'] = [];
  const seconds = () => Math.floor(options.now() / 1000);

  const verifyJwt = (token: string): JwtCheck => {
    const [headerPart, payloadPart, signaturePart] = token.split('.');
    const header = decodeSegment(headerPart) as { alg?: unknown } | undefined;
    const payload = decodeSegment(payloadPart) as { iat?: unknown; exp?: unknown; iss?: unknown } | undefined;
    if (!header || !payload || signaturePart === undefined) {
      return { ok: false, message: 'A JSON web token could not be decoded' };
    }
    if (header.alg !== 'RS256') return { ok: false, message: 'A JSON web token could not be decoded' };
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${headerPart}.${payloadPart}`);
    if (!verifier.verify(verifyKey, Buffer.from(signaturePart, 'base64url'))) {
      return { ok: false, message: 'A JSON web token could not be decoded' };
    }
    const { iat, exp, iss } = payload;
    if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > seconds() + 60) {
      return {
        ok: false,
        message: "'Issued at' claim ('iat') must be an Integer representing a time in the past.",
      };
    }
    if (typeof exp !== 'number' || exp <= seconds()) {
      return {
        ok: false,
        message:
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
      };
    }
    if (exp - seconds() > 600 || exp - iat > 660) {
      return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
    }
    // GitHub accepts the App's Client ID as the issuer as well as its numeric id.
    if (String(iss) !== String(appId) && iss !== clientId) {
      return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
    }
    const accepted = { iat, exp, iss: iss as string | number };
    acceptedJwts.push(accepted);
    return { ok: true, payload: accepted };
  };

  const credentials: FakeCredentials = {
    appId,
    clientId,
    privateKeyPem,
    installationId: 77_000 + Math.floor(Math.random() * 1000),
    issuedTokens,
    acceptedJwts,
    personalTokens: new Set(),
    verifyJwt,
    issueToken: (input) => {
      const issued: IssuedToken = {
        token: randomToken('ghs'),
        installationId: credentials.installationId,
        repositories: input.repositories,
        permissions: input.permissions,
        expiresAt: options.now() + 60 * 60 * 1000,
        revoked: false,
      };
      issuedTokens.push(issued);
      return issued;
    },
    findToken: (token) =>
      issuedTokens.find(
        (issued) => issued.token === token && !issued.revoked && issued.expiresAt > options.now(),
      ),
  };
  return credentials;
}
