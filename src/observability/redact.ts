const REDACTED = '[redacted]';

/**
 * Shapes of credentials that must never leave Baton, whether or not we know the value.
 * Kept conservative so ordinary text is not mangled.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack bot/user/refresh tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g, // Slack app-level tokens
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/g, // OpenAI / Anthropic style keys
  /\blin_(?:api|oauth)_[A-Za-z0-9]{20,}/g, // Linear keys
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Masks known secret values and anything shaped like a credential. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    // Short values would mask ordinary words; real credentials are long.
    if (secret.length >= 8) result = result.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}
