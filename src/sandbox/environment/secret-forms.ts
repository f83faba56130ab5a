import { createSecretRegistry } from '../../observability/secret-registry.ts';

/**
 * A secret as it may appear in files and output, from the secret registry's own list: raw, base64
 * (standard and URL-safe, at every byte alignment, so a token inside a longer `_auth` value is
 * found too), URL-encoded and JSON-escaped. Longest first, so masking replaces the longest form.
 */
export function secretForms(values: readonly string[]): string[] {
  const registry = createSecretRegistry();
  for (const [index, value] of values.entries()) registry.add(`setup secret ${index + 1}`, value);
  return registry.forms().map((form) => form.text);
}

/** Replaces every form of the secrets in `text`. */
export function maskSecretForms(text: string, forms: readonly string[]): string {
  let result = text;
  for (const form of forms) result = result.split(form).join('[REDACTED]');
  return result;
}
