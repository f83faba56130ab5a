import type { IncomingMessage } from 'node:http';
import type { SlackArgs } from './slack-state.ts';

export function readRaw(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Fields the Web API carries as JSON inside a form value (`blocks=[...]`). */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata', 'view']);

function decodeJsonFields(args: SlackArgs): SlackArgs {
  const decoded: SlackArgs = { ...args };
  for (const [key, value] of Object.entries(decoded)) {
    if (!JSON_FIELDS.has(key) || typeof value !== 'string') continue;
    try {
      decoded[key] = JSON.parse(value);
    } catch {
      // Left as a string: the method answers as Slack would for a malformed field.
    }
  }
  return decoded;
}

/** A Web API body: form-encoded (what WebClient sends), JSON, or multipart. */
export async function parseArgs(contentType: string | undefined, raw: Buffer): Promise<SlackArgs> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (raw.length === 0) return {};
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return decodeJsonFields(typeof parsed === 'object' && parsed !== null ? (parsed as SlackArgs) : {});
  }
  if (type === 'multipart/form-data') {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType ?? '' },
      body: raw,
    }).formData();
    const args: SlackArgs = {};
    for (const [key, value] of form.entries())
      args[key] = typeof value === 'string' ? value : await value.text();
    return decodeJsonFields(args);
  }
  return decodeJsonFields(Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
}

/** The bytes of an upload: a multipart form's file part, or the raw body. */
export async function uploadedText(contentType: string | undefined, raw: Buffer): Promise<string> {
  if (!(contentType ?? '').toLowerCase().startsWith('multipart/form-data')) return raw.toString('utf8');
  const form = await new Request('http://fake.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType ?? '' },
    body: raw,
  }).formData();
  for (const value of form.values()) if (typeof value !== 'string') return value.text();
  const first = form.values().next();
  return typeof first.value === 'string' ? first.value : '';
}
