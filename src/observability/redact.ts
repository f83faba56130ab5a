import { createSecretRegistry, type KnownSecretForm, MASK, type SecretRegistry } from './secret-registry.ts';

const REDACTED = MASK;

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

/** The secret values to mask: the registry Baton builds at start, or (in tests and tools) a plain list. */
export type KnownSecrets = SecretRegistry | readonly string[];

const listRegistries = new WeakMap<readonly string[], SecretRegistry>();

function registryOf(known: KnownSecrets): SecretRegistry {
  if (!Array.isArray(known)) return known as SecretRegistry;
  const list = known as readonly string[];
  let registry = listRegistries.get(list);
  if (!registry) {
    registry = createSecretRegistry();
    for (const [index, value] of list.entries()) registry.add(`secret ${index + 1}`, value);
    listRegistries.set(list, registry);
  }
  return registry;
}

/**
 * Masks known secret values (and their base64, URL and JSON forms) and, on top of that, anything
 * shaped like a credential.
 */
export function redactSecrets(text: string, knownSecrets: KnownSecrets = []): string {
  let result = registryOf(knownSecrets).maskKnown(text);
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}

/**
 * Only the known values, not the credential shapes: for text that is acted on (the model's tool
 * arguments), where a token the work legitimately handles is left for the secret scan to judge.
 */
export function maskKnownSecrets(text: string, knownSecrets: KnownSecrets): string {
  return registryOf(knownSecrets).maskKnown(text);
}

/** A masking function over a registry (or list), for code that only needs to clean text. */
export function createMasker(knownSecrets: KnownSecrets): (text: string) => string {
  return (text) => redactSecrets(text, knownSecrets);
}

/** Every form (plain and encoded) of the known secrets, longest first: what the secret scan looks for. */
export function knownSecretForms(knownSecrets: KnownSecrets): readonly KnownSecretForm[] {
  return registryOf(knownSecrets).forms();
}
