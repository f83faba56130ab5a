const REPLACEMENT = '\uFFFD';
// NUL and unpaired surrogates are legal in a JS string but jsonb refuses them (22P05, 22P02).
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what has to go.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * JSON text that jsonb accepts. Tool output is arbitrary (a `cat` of a binary file has NUL bytes);
 * one odd character must not make a run fail to record what happened.
 */
export function toStorableJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'string' ? field.replace(UNSTORABLE, REPLACEMENT) : field,
  );
}
