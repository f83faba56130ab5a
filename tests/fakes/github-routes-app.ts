import { gitAsync } from './github-git.ts';
import { type FakeGitHubWorld, isoTime, notFound, type Route, record } from './github-router.ts';
import { fakeUser, legacyPermission } from './github-state.ts';

/** The App, installation, repository, branch and permission endpoints. */
export function appRoutes(world: FakeGitHubWorld): Route[] {
  const { credentials } = world;
  const installation = () => ({
    id: credentials.installationId,
    app_id: credentials.appId,
    account: fakeUser('acme'),
    repository_selection: 'all',
    access_tokens_url: `${world.apiUrl}/app/installations/${credentials.installationId}/access_tokens`,
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      checks: 'read',
      metadata: 'read',
    },
  });
  return [
    {
      method: 'GET',
      pattern: '/app',
      auth: 'jwt',
      handle: () => ({
        status: 200,
        json: { id: credentials.appId, slug: world.botLogin.replace(/\[bot\]$/, ''), name: 'Baton' },
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/installation',
      auth: 'jwt',
      handle: () => ({ status: 200, json: installation() }),
    },
    {
      method: 'POST',
      pattern: '/app/installations/:id/access_tokens',
      auth: 'jwt',
      handle: ({ params, body }) => {
        if (Number(params.id) !== credentials.installationId) return notFound();
        const input = record(body);
        const repositories = Array.isArray(input.repositories) ? input.repositories.map(String) : undefined;
        const unknown = repositories?.find(
          (name) => ![...world.repos.values()].some((repo) => repo.name === name),
        );
        if (unknown !== undefined) {
          return {
            status: 422,
            json: {
              message: `There is at least one repository that does not exist or is not accessible to the parent installation.`,
            },
          };
        }
        const permissions =
          typeof input.permissions === 'object' && input.permissions !== null
            ? Object.fromEntries(
                Object.entries(input.permissions).map(([key, value]) => [key, String(value)]),
              )
            : undefined;
        const issued = credentials.issueToken({ repositories, permissions });
        return {
          status: 201,
          json: {
            token: issued.token,
            expires_at: isoTime(issued.expiresAt),
            permissions: permissions ?? installation().permissions,
            repository_selection: repositories ? 'selected' : 'all',
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/user',
      auth: 'token',
      handle: ({ caller }) =>
        caller.kind === 'installation'
          ? { status: 403, json: { message: 'Resource not accessible by integration' } }
          : { status: 200, json: fakeUser('octo-human') },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo',
      auth: 'token',
      handle: ({ repo }) => ({
        status: 200,
        json: {
          id: repo.id,
          name: repo.name,
          full_name: repo.fullName,
          owner: fakeUser(repo.owner),
          private: true,
          default_branch: repo.defaultBranch,
          html_url: `${world.webUrl}/${repo.fullName}`,
          clone_url: world.gitUrl(repo.fullName),
          url: `${world.apiUrl}/repos/${repo.fullName}`,
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/branches/:branch',
      auth: 'token',
      handle: async ({ repo, params }) => {
        const branch = params.branch ?? '';
        const resolved = await gitAsync(repo.barePath, [
          'rev-parse',
          '--verify',
          '--quiet',
          `refs/heads/${branch}`,
        ]);
        if (resolved.code !== 0) return { status: 404, json: { message: 'Branch not found' } };
        return {
          status: 200,
          json: {
            name: branch,
            commit: { sha: resolved.stdout },
            protected: repo.protectedBranches.has(branch),
            protection_url: `${world.apiUrl}/repos/${repo.fullName}/branches/${branch}/protection`,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/collaborators/:user/permission',
      auth: 'token',
      handle: ({ repo, params }) => {
        const login = params.user ?? '';
        const role = repo.permissions.get(login) ?? 'none';
        return {
          status: 200,
          json: { permission: legacyPermission(role), role_name: role, user: { ...fakeUser(login) } },
        };
      },
    },
  ];
}
