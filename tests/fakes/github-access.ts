import type { FakeCredentials } from './github-credentials.ts';
import type { Caller } from './github-router.ts';
import type { FakeRepoState } from './github-state.ts';

/** Who a REST `Authorization` header belongs to: the App (JWT), an installation, a person, or nobody. */
export function identifyCaller(
  credentials: FakeCredentials,
  authorization: string | undefined,
): Caller | { invalid: string } {
  if (!authorization) return { kind: 'anonymous' };
  const [scheme, value = ''] = authorization.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer' && value.split('.').length === 3) {
    const check = credentials.verifyJwt(value);
    return check.ok
      ? { kind: 'jwt', appId: credentials.appId }
      : { invalid: check.message ?? 'Bad credentials' };
  }
  if (scheme?.toLowerCase() !== 'bearer' && scheme?.toLowerCase() !== 'token')
    return { invalid: 'Bad credentials' };
  const issued = credentials.findToken(value);
  if (issued) return { kind: 'installation', token: issued };
  if (credentials.personalTokens.has(value)) return { kind: 'personal', token: value };
  return { invalid: 'Bad credentials' };
}

/** An installation token narrowed to some repositories sees only those (others answer 404). */
export function callerCanSee(caller: Caller, repo: FakeRepoState): boolean {
  return (
    caller.kind !== 'installation' ||
    !caller.token.repositories ||
    caller.token.repositories.includes(repo.name)
  );
}
