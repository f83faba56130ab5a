const REDACTED = '[redacted]';

/**
 * Shapes of credentials that must never leave Baton, whether or not we know the value.
 * Kept conservative so ordinary text is not mangled. Named so a finding can say what it saw
 * (the secret scan reports the name, never the value).
 */
export const SECRET_SHAPES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g }, // Slack bot/user/refresh tokens
  { name: 'slack-app-token', pattern: /\bxapp-[A-Za-z0-9-]{10,}/g }, // Slack app-level tokens
  { name: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/g },
  { name: 'github-fine-grained-token', pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}/g },
  { name: 'api-secret-key', pattern: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/g }, // OpenAI / Anthropic style keys
  { name: 'linear-key', pattern: /\blin_(?:api|oauth)_[A-Za-z0-9]{20,}/g },
  { name: 'aws-access-key-id', pattern: /\bAKIA[0-9A-Z]{16}\b/g },
  {
    name: 'private-key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
];

const SECRET_PATTERNS: readonly RegExp[] = SECRET_SHAPES.map((shape) => shape.pattern);

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
