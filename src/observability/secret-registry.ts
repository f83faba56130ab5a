/**
 * One registry of every secret value Baton holds: the secrets it read at start, the tokens it mints
 * while it runs, and secrets added later (an environment's setup). Each value is masked in its plain
 * form and in the forms it travels in when something encodes it: base64 (standard and URL-safe, at
 * every byte alignment, so a value inside a larger encoded string is caught too), URL encoding,
 * JSON string escaping and hex (either case).
 */

export const MASK = '[redacted]';

/** Shorter values would mask ordinary words; real credentials are long. */
export const DEFAULT_MIN_SECRET_LENGTH = 8;

export interface KnownSecretForm {
  /** The name of the secret this form belongs to (`SLACK_SIGNING_SECRET`), never the value. */
  name: string;
  /** How the value was encoded: `plain`, `base64`, `url`, `json`, `hex`. */
  encoding: string;
  text: string;
}

export interface SecretRegistry {
  /** Registers a value Baton holds, with its encoded forms. Values under the minimum length are listed in `tooShort`. */
  add(name: string, value: string): void;
  /** Masks every known form, longest first. Pattern redaction is applied separately (see redact.ts). */
  maskKnown(text: string): string;
  /** Every registered form, longest first: what the secret scan looks for. */
  forms(): readonly KnownSecretForm[];
  /** The names of the values too short to mask (the operator is told at start). */
  tooShort(): readonly string[];
  readonly minLength: number;
}

/**
 * The runs of base64 characters that encode only bytes of `value`, when `value` starts `offset`
 * bytes (0, 1 or 2) into a 3-byte group. Characters shared with neighbouring bytes are left out.
 */
function base64Cores(value: Buffer): string[] {
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(offset), value]);
    const firstGroup = offset === 0 ? 0 : 1;
    const lastGroup = Math.floor(shifted.length / 3);
    if (lastGroup <= firstGroup) continue;
    const encoded = shifted.subarray(firstGroup * 3, lastGroup * 3).toString('base64');
    cores.push(encoded, encoded.replaceAll('+', '-').replaceAll('/', '_'));
  }
  // The exact encoding of the value on its own (with its last partial group and padding).
  const whole = value.toString('base64');
  cores.push(whole, whole.replace(/=+$/, ''), value.toString('base64url'));
  return cores;
}

function formsOf(name: string, value: string): KnownSecretForm[] {
  const forms: KnownSecretForm[] = [{ name, encoding: 'plain', text: value }];
  for (const text of base64Cores(Buffer.from(value, 'utf8'))) forms.push({ name, encoding: 'base64', text });
  forms.push({ name, encoding: 'url', text: encodeURIComponent(value) });
  forms.push({ name, encoding: 'json', text: JSON.stringify(value).slice(1, -1) });
  const hex = Buffer.from(value, 'utf8').toString('hex');
  forms.push({ name, encoding: 'hex', text: hex }, { name, encoding: 'hex', text: hex.toUpperCase() });
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createSecretRegistry(options: { minLength?: number } = {}): SecretRegistry {
  const minLength = options.minLength ?? DEFAULT_MIN_SECRET_LENGTH;
  const byText = new Map<string, KnownSecretForm>();
  const short = new Set<string>();
  let sorted: KnownSecretForm[] = [];
  let matcher: RegExp | undefined;

  const rebuild = () => {
    sorted = [...byText.values()].sort(
      (a, b) => b.text.length - a.text.length || a.text.localeCompare(b.text),
    );
    // One alternation, longest first, so a value and its longer encodings are masked in one pass.
    matcher =
      sorted.length > 0
        ? new RegExp(sorted.map((form) => escapeRegExp(form.text)).join('|'), 'g')
        : undefined;
  };

  return {
    minLength,
    add(name, value) {
      if (value.length < minLength) {
        if (value.trim() !== '') short.add(name);
        return;
      }
      let added = false;
      for (const form of formsOf(name, value)) {
        if (form.text.length < minLength || byText.has(form.text)) continue;
        byText.set(form.text, form);
        added = true;
      }
      if (added) rebuild();
    },
    maskKnown(text) {
      if (!matcher || text === '') return text;
      return text.replace(matcher, MASK);
    },
    forms: () => sorted,
    tooShort: () => [...short],
  };
}

/** The lines of a PEM key that are secret: the base64 body, not the public BEGIN/END boilerplate. */
export function pemSecretLines(pem: string): string[] {
  return pem
    .replace(/\\n/g, '\n')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----') && !/^[A-Za-z-]+:/.test(line));
}
