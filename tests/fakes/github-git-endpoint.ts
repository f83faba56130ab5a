import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerCanSee } from './github-access.ts';
import type { FakeCredentials } from './github-credentials.ts';
import { serveGitHttp } from './github-git.ts';
import type { Caller } from './github-router.ts';
import type { FakeRepoState, RecordedGitHubRequest } from './github-state.ts';

/**
 * One smart-HTTP request: Basic auth as `x-access-token` with a valid installation token (or a
 * personal token), scoped like REST, then `git http-backend`. The token's `workflows` permission
 * reaches the pre-receive hook, which refuses workflow changes without it.
 */
export async function handleGitRequest(options: {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  recorded: RecordedGitHubRequest;
  repos: ReadonlyMap<string, FakeRepoState>;
  credentials: FakeCredentials;
  root: string;
}): Promise<void> {
  const { request, response, url, recorded, repos, credentials } = options;
  const match = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
  const repo = match ? repos.get(`${match[1]}/${match[2]}`.toLowerCase()) : undefined;
  const deny = (status: number, message: string, headers: Record<string, string> = {}) => {
    recorded.status = status;
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(`${message}\n`);
  };
  if (!match || !repo) return deny(404, 'Repository not found.');
  const [scheme, encoded = ''] = (request.headers.authorization ?? '').split(' ', 2);
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const user = decoded.slice(0, separator);
  const password = decoded.slice(separator + 1);
  const issued = credentials.findToken(password);
  const valid =
    scheme?.toLowerCase() === 'basic' &&
    separator > 0 &&
    ((user === 'x-access-token' && issued !== undefined) || credentials.personalTokens.has(password));
  if (!valid)
    return deny(401, 'Invalid username or password.', { 'www-authenticate': 'Basic realm="GitHub"' });
  const caller: Caller = issued
    ? { kind: 'installation', token: issued }
    : { kind: 'personal', token: password };
  if (!callerCanSee(caller, repo)) return deny(404, 'Repository not found.');
  const workflows =
    caller.kind === 'personal' || issued?.permissions?.workflows === 'write' ? 'write' : 'none';
  recorded.status = await serveGitHttp({
    request,
    response,
    projectRoot: options.root,
    pathInfo: `/${repo.fullName}.git${match[3]}`,
    query: url.search.replace(/^\?/, ''),
    remoteUser: user,
    hookEnv: { FAKE_GITHUB_WORKFLOWS: workflows },
  });
}
