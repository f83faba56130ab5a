import { lookup } from 'node:dns/promises';
import { z } from 'zod';
import { fenceUntrusted } from '../context/fence.ts';
import { refusedAddressReason } from './address-policy.ts';
import { defineTool, type ToolDefinition } from './define-tool.ts';
import { htmlToText } from './html-to-text.ts';
import { failure, success } from './tool-result.ts';
import type { ToolContext, ToolResult } from './types.ts';

const MAX_BYTES = 1_000_000;
const TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|toml)|[^;]+\+(json|xml))/i;

const parameters = z.object({
  url: z.string().min(1).describe('An http(s) URL on an allowed host.'),
});

export interface FetchUrlToolOptions {
  /** Resolves a host name to its addresses. Default: the system resolver (node:dns/promises). */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

async function systemResolve(hostname: string): Promise<string[]> {
  const records = await lookup(hostname, { all: true, verbatim: true });
  return records.map((record) => record.address);
}

export function createFetchUrlTool(
  options: FetchUrlToolOptions = {},
): ToolDefinition<z.infer<typeof parameters>> {
  const resolveHost = options.resolveHost ?? systemResolve;
  return defineTool({
    name: 'fetch_url',
    parameters,
    effect: 'network',
    async execute(args, context): Promise<ToolResult> {
      const policy = context.policies.fetchUrl;
      if (!policy.enabled) {
        return failure(
          'fetch_url is turned off in this deployment.',
          'Work from the repository and the task text instead.',
        );
      }
      if (!context.fetch) return failure('fetch_url has no network client in this run.');
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(TIMEOUT_MS)]);
      let url: URL;
      try {
        url = new URL(args.url);
      } catch {
        return failure(
          `"${args.url}" is not a valid URL.`,
          'Give a full URL such as https://docs.example.com/page.',
        );
      }
      for (let redirects = 0; ; redirects += 1) {
        const refusal = await checkTarget(url, policy.allowHosts, resolveHost);
        if (refusal) return failure(refusal, `Allowed hosts: ${policy.allowHosts.join(', ') || '(none)'}.`);
        context.progress(`fetching ${url.href.slice(0, 80)}`);
        let response: Response;
        try {
          response = await context.fetch(url, {
            redirect: 'manual',
            signal,
            headers: { accept: 'text/*, application/json;q=0.9, */*;q=0.5' },
          });
        } catch (error) {
          const reason =
            signal.aborted && !context.signal.aborted
              ? `timed out after ${TIMEOUT_MS} ms`
              : errorMessage(error);
          return failure(`Fetching ${url.href} failed: ${reason}`);
        }
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          if (redirects >= MAX_REDIRECTS) return failure(`Too many redirects from ${args.url}.`);
          url = new URL(location, url);
          continue;
        }
        return readResponse(url, response, context);
      }
    },
  });
}

export const fetchUrlTool = createFetchUrlTool();

/**
 * Every hop is checked: scheme, allowlisted name, and every address the name resolves to. The name is
 * resolved again by the HTTP client, so a rebinding DNS server could still race this; the allowlist of
 * trusted hosts is the main defence, this check stops the honest mistakes and internal aliases.
 */
async function checkTarget(
  url: URL,
  allowHosts: readonly string[],
  resolveHost: (hostname: string) => Promise<string[]>,
): Promise<string | null> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `Only http and https URLs can be fetched, not ${url.protocol}`;
  if (url.username || url.password) return 'URLs with credentials are refused.';
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isAllowedHost(hostname, allowHosts))
    return `The host ${hostname} is not on the allowed list for fetch_url.`;
  let addresses: string[];
  try {
    addresses = /^[\d.]+$|:/.test(hostname) ? [hostname] : await resolveHost(hostname);
  } catch (error) {
    return `Could not resolve ${hostname}: ${errorMessage(error)}`;
  }
  if (addresses.length === 0) return `${hostname} has no addresses.`;
  for (const address of addresses) {
    const reason = refusedAddressReason(address);
    if (reason) return `Refused: ${hostname} resolves to ${address}, ${reason}.`;
  }
  return null;
}

/** `example.com` allows exactly that name; `*.example.com` allows its subdomains. */
export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  return allowHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    if (allowed.startsWith('*.'))
      return hostname.endsWith(allowed.slice(1)) && hostname.length > allowed.length - 1;
    return hostname === allowed;
  });
}

async function readResponse(url: URL, response: Response, context: ToolContext): Promise<ToolResult> {
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType && !TEXT_TYPES.test(contentType)) {
    await response.body?.cancel();
    return failure(`${url.href} returned ${contentType}, which is not text.`);
  }
  const { text, cut } = await readBounded(response);
  const body = /html/i.test(contentType) ? htmlToText(text) : text;
  const header =
    `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url.href} (${contentType || 'no content type'})` +
    (cut ? `; only the first ${MAX_BYTES} bytes were read` : '');
  context.log.debug({ url: url.href, status: response.status }, 'fetch_url');
  const output = `${header}\n${fenceUntrusted(url.href, body)}`;
  return response.ok
    ? success(output)
    : failure(`${url.href} answered HTTP ${response.status}.`, output.slice(0, 2000));
}

async function readBounded(response: Response): Promise<{ text: string; cut: boolean }> {
  if (!response.body) return { text: '', cut: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BYTES) {
      cut = true;
      await reader.cancel();
      break;
    }
  }
  const buffer = Buffer.concat(chunks).subarray(0, MAX_BYTES);
  return { text: new TextDecoder('utf-8', { fatal: false }).decode(buffer), cut };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
