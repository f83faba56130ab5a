export { parseAppPrivateKey, signAppJwt } from './app-jwt.ts';
export {
  createGitHubAuth,
  type GitHubAuth,
  type GitHubAuthOptions,
  installationPermissions,
} from './auth.ts';
export { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './client.ts';
export {
  createGitHubPublisher,
  createGitHubRemoteBranchReader,
  GITHUB_TOKEN_USER,
  repoAuthFor,
} from './publisher.ts';
export { createGitHubPullRequests } from './pull-requests.ts';
export { rateLimitWait } from './rate-limit.ts';
export { splitRepo } from './repo-name.ts';
