import { describe, expect, it } from 'vitest';
import { findGitHubRefs, githubWebHost } from '../../../src/integrations/github/links.ts';
import { mentionsBaton, stripMention } from '../../../src/triggers/github/request-text.ts';
import { verifyGitHubSignature } from '../../../src/triggers/github/verify-signature.ts';
import { signWebhook } from '../../fakes/github-webhooks.ts';

describe('findGitHubRefs', () => {
  it('finds pull request and issue links on github.com and on the configured Enterprise host, once each', () => {
    const text = [
      'see https://github.com/acme/widgets/pull/12 and https://github.com/acme/widgets/pull/12/files',
      'also https://GitHub.com/acme/api.v2/issues/7#issuecomment-3',
      'and https://ghe.example.com/platform/infra/pull/401 (enterprise)',
      'not https://gitlab.com/acme/widgets/pull/5 nor https://github.com/acme/widgets/commit/abc',
    ].join('\n');
    expect(findGitHubRefs(text, { apiUrl: 'https://ghe.example.com/api/v3' })).toEqual([
      { repo: 'acme/widgets', number: 12 },
      { repo: 'acme/api.v2', number: 7 },
      { repo: 'platform/infra', number: 401 },
    ]);
  });

  it('ignores an Enterprise host that is not configured', () => {
    expect(findGitHubRefs('https://ghe.example.com/platform/infra/pull/401')).toEqual([]);
  });

  it('derives the web host from the API URL', () => {
    expect(githubWebHost(undefined)).toBe('github.com');
    expect(githubWebHost('https://api.github.com')).toBe('github.com');
    expect(githubWebHost('https://ghe.example.com/api/v3')).toBe('ghe.example.com');
    expect(githubWebHost('http://127.0.0.1:4567/api/v3')).toBe('127.0.0.1:4567');
  });
});

describe('mentions', () => {
  it('recognises the mention as a word, outside quotes and code', () => {
    expect(mentionsBaton('@baton rename this', '@baton')).toBe(true);
    expect(mentionsBaton('Hey @Baton, please', '@baton')).toBe(true);
    expect(mentionsBaton('mail me@baton.dev', '@baton')).toBe(false);
    expect(mentionsBaton('ping @baton-team', '@baton')).toBe(false);
    expect(mentionsBaton('> @baton do it\nno thanks', '@baton')).toBe(false);
    expect(mentionsBaton('run `@baton go` to start', '@baton')).toBe(false);
    expect(mentionsBaton('```\n@baton go\n```\nexample', '@baton')).toBe(false);
  });

  it('strips the mention from the request', () => {
    expect(stripMention('@baton rename this', '@baton')).toBe('rename this');
    expect(stripMention('Hey @baton: call it beta', '@baton')).toBe('Hey call it beta');
    expect(stripMention('@baton', '@baton')).toBe('');
  });
});

describe('verifyGitHubSignature', () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');

  it('accepts the HMAC over the raw bytes and nothing else', () => {
    const signature = signWebhook(body.toString('utf8'), 'secret');
    expect(verifyGitHubSignature(body, signature, 'secret')).toBe(true);
    expect(verifyGitHubSignature(body, signature, 'other')).toBe(false);
    expect(verifyGitHubSignature(Buffer.from(`${body.toString('utf8')} `), signature, 'secret')).toBe(false);
    expect(verifyGitHubSignature(body, signature.toUpperCase().replace('SHA256=', 'sha256='), 'secret')).toBe(
      true,
    );
    expect(verifyGitHubSignature(body, undefined, 'secret')).toBe(false);
    expect(verifyGitHubSignature(body, signature.slice(0, -2), 'secret')).toBe(false);
    expect(verifyGitHubSignature(body, signature.replace('sha256=', 'sha1='), 'secret')).toBe(false);
  });
});
