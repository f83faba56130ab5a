/** A secret as it may appear in files and output: raw, base64 (basic auth, `_auth`) and URL-encoded. */
export function secretForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < 8) continue;
    forms.add(value);
    forms.add(Buffer.from(value).toString('base64'));
    forms.add(encodeURIComponent(value));
  }
  return [...forms];
}

/** Replaces every form of the secrets in `text`. */
export function maskSecretForms(text: string, forms: readonly string[]): string {
  let result = text;
  for (const form of forms) result = result.split(form).join('[REDACTED]');
  return result;
}
