import { escapeHtml, page } from '../html.ts';
import type { SignInMethod } from './dashboard-auth.ts';

export interface SignInPageOptions {
  method: SignInMethod['type'];
  /** Where to go after signing in. */
  next?: string;
  error?: string;
  /** The token form's CSRF value (also set as a cookie). */
  loginToken: string;
}

export function renderSignInPage(options: SignInPageOptions): string {
  const next = options.next ?? '/runs';
  const error = options.error ? `<p class="notice error" role="alert">${escapeHtml(options.error)}</p>` : '';
  let body: string;
  switch (options.method) {
    case 'slack':
      body = `<p>Baton shows you the runs you asked for and those your team gave you access to.</p>
<p><a class="button primary" href="/auth/slack?next=${encodeURIComponent(next)}">Sign in with Slack</a></p>`;
      break;
    case 'token':
      body = `<form method="post" action="/auth/token" class="stack">
<input type="hidden" name="login" value="${escapeHtml(options.loginToken)}"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="token">Dashboard token</label><input id="token" name="token" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button></form>`;
      break;
    case 'proxy':
      body =
        '<p>Sign-in is handled by the reverse proxy in front of Baton. Open the dashboard through it.</p>';
      break;
    case 'loopback':
      body = '<p>Sign-in is off: the dashboard answers only on the machine it runs on.</p>';
      break;
  }
  return page({ title: 'Sign in', body: `<h1>Sign in</h1>${error}${body}` });
}
