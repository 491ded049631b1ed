import type { PlainRoute } from '../route-table.ts';
import { accountRevokeApp } from './account/apps.ts';
import { accountDelete } from './account/delete.ts';
import { accountEmailConfirm } from './account/email-confirm.ts';
import { accountEmail } from './account/email.ts';
import { accountExport } from './account/export.ts';
import { accountHome, accountLogin } from './account/home.ts';
import { accountPassword } from './account/password.ts';
import { accountProfile } from './account/profile.ts';
import { accountEndOtherSessions, accountEndSession } from './account/sessions.ts';
import { forgotPassword } from './handlers/forgot-password.ts';
import { pageNotFound, serverHome, tenantHome } from './handlers/landing.ts';
import { login } from './handlers/login.ts';
import { magicLink } from './handlers/magic-link.ts';
import { register } from './handlers/register.ts';
import { resetPasswordPage } from './handlers/reset-password.ts';
import { verifyEmailConfirm, verifyEmailPage, verifyEmailResend } from './handlers/verify-email.ts';

const ACCOUNT = '/t/:tenant/account';

/** The hosted pages under each issuer: HTML for people, errors as HTML pages. */
export const PAGE_ROUTES: readonly PlainRoute[] = [
  // What a person who opens the server's or a tenant's address finds.
  { method: 'GET', path: '/', handler: serverHome },
  { method: 'GET', path: '/t/:tenant', handler: tenantHome },
  // The sign-in steps of one authorization request.
  { method: 'GET', path: '/t/:tenant/login/:interaction', handler: login },
  { method: 'POST', path: '/t/:tenant/login/:interaction', handler: login },
  // Account recovery and passwordless sign-in links (docs/recovery.md).
  { method: 'GET', path: '/t/:tenant/forgot-password', handler: forgotPassword },
  { method: 'POST', path: '/t/:tenant/forgot-password', handler: forgotPassword },
  { method: 'GET', path: '/t/:tenant/reset-password', handler: resetPasswordPage },
  { method: 'POST', path: '/t/:tenant/reset-password', handler: resetPasswordPage },
  { method: 'GET', path: '/t/:tenant/magic-link', handler: magicLink },
  { method: 'POST', path: '/t/:tenant/magic-link', handler: magicLink },
  // Self-registration from the login page of an authorization request; email verification links.
  { method: 'GET', path: '/t/:tenant/register/:interaction', handler: register },
  { method: 'POST', path: '/t/:tenant/register/:interaction', handler: register },
  { method: 'GET', path: '/t/:tenant/verify-email', handler: verifyEmailPage },
  { method: 'POST', path: '/t/:tenant/verify-email', handler: verifyEmailConfirm },
  { method: 'POST', path: '/t/:tenant/verify-email/resend', handler: verifyEmailResend },
  // The self-service account page.
  { method: 'GET', path: ACCOUNT, handler: accountHome },
  { method: 'POST', path: `${ACCOUNT}/login`, handler: accountLogin },
  { method: 'POST', path: `${ACCOUNT}/profile`, handler: accountProfile },
  { method: 'POST', path: `${ACCOUNT}/email`, handler: accountEmail },
  { method: 'GET', path: `${ACCOUNT}/email/confirm`, handler: accountEmailConfirm },
  { method: 'POST', path: `${ACCOUNT}/email/confirm`, handler: accountEmailConfirm },
  { method: 'POST', path: `${ACCOUNT}/password`, handler: accountPassword },
  { method: 'POST', path: `${ACCOUNT}/sessions/end`, handler: accountEndSession },
  { method: 'POST', path: `${ACCOUNT}/sessions/end-others`, handler: accountEndOtherSessions },
  { method: 'POST', path: `${ACCOUNT}/apps/revoke`, handler: accountRevokeApp },
  { method: 'GET', path: `${ACCOUNT}/export`, handler: accountExport },
  { method: 'GET', path: `${ACCOUNT}/delete`, handler: accountDelete },
  { method: 'POST', path: `${ACCOUNT}/delete`, handler: accountDelete },
  // Unknown addresses a browser opens get an HTML page (in the tenant's look under a tenant); others, the JSON 404.
  { method: 'GET', path: '/t/:tenant/**', handler: pageNotFound },
  { method: 'GET', path: '/**', handler: pageNotFound },
];
