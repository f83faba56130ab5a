/** An issue or pull request: `owner/name` and its number (issues and PRs share one number space). */
export interface GitHubRef {
  repo: string;
  number: number;
}

const PUBLIC_API_HOST = 'api.github.com';
const PUBLIC_WEB_HOST = 'github.com';

/**
 * The host people browse for a given REST base URL: `github.com` for the public API, the server's
 * own host for GitHub Enterprise (`https://ghe.example.com/api/v3` → `ghe.example.com`).
 */
export function githubWebHost(apiUrl?: string): string {
  if (!apiUrl) return PUBLIC_WEB_HOST;
  let host: string;
  try {
    host = new URL(apiUrl).host.toLowerCase();
  } catch {
    return PUBLIC_WEB_HOST;
  }
  return host === PUBLIC_API_HOST ? PUBLIC_WEB_HOST : host;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Issue and pull request URLs in free text (a Slack message, a Linear description), in order of
 * appearance, each once: `https://github.com/acme/widgets/pull/12`, `…/issues/12`, and the same on
 * the GitHub Enterprise host the API URL points at. Deeper links (`/pull/12/files`, `#issuecomment-1`)
 * name the same pull request.
 */
export function findGitHubRefs(text: string, options: { apiUrl?: string } = {}): GitHubRef[] {
  const hosts = [...new Set([PUBLIC_WEB_HOST, githubWebHost(options.apiUrl)])].map(escapeRegExp);
  const pattern = new RegExp(
    `https?://(?:www\\.)?(?:${hosts.join('|')})/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})/(?:pull|pulls|issues)/(\\d{1,9})(?![\\d])`,
    'gi',
  );
  const seen = new Set<string>();
  const refs: GitHubRef[] = [];
  for (const match of text.matchAll(pattern)) {
    const [, owner, name, number] = match;
    if (!owner || !name || !number) continue;
    const repo = `${owner}/${name.replace(/\.git$/i, '')}`;
    const key = `${repo.toLowerCase()}#${number}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ repo, number: Number(number) });
  }
  return refs;
}
