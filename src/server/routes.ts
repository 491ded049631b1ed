import type { H3 } from 'h3';
import { registerApi } from './api/register.ts';
import { registerAccount } from './account/routes.ts';
import type { ServerDeps } from './deps.ts';
import { healthz } from './handlers/healthz.ts';
import { metrics } from './handlers/metrics.ts';
import { forgotPassword } from './handlers/forgot-password.ts';
import { login } from './handlers/login.ts';
import { magicLink } from './handlers/magic-link.ts';
import { resetPasswordPage } from './handlers/reset-password.ts';
import { readyz } from './handlers/readyz.ts';
import { register } from './handlers/register.ts';
import { verifyEmailConfirm, verifyEmailPage, verifyEmailResend } from './handlers/verify-email.ts';
import { registerOAuth } from './oauth/routes.ts';

/** The one route table. */
export function registerRoutes(app: H3, deps: ServerDeps): void {
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps));
  app.get('/metrics', metrics(deps));
  // Hosted sign-in pages of one authorization request (the sign-in steps).
  app.get('/t/:tenant/login/:interaction', login(deps));
  app.post('/t/:tenant/login/:interaction', login(deps));
  // Account recovery and passwordless sign-in links (docs/recovery.md).
  app.get('/t/:tenant/forgot-password', forgotPassword(deps));
  app.post('/t/:tenant/forgot-password', forgotPassword(deps));
  app.get('/t/:tenant/reset-password', resetPasswordPage(deps));
  app.post('/t/:tenant/reset-password', resetPasswordPage(deps));
  app.get('/t/:tenant/magic-link', magicLink(deps));
  app.post('/t/:tenant/magic-link', magicLink(deps));
  // Self-registration from the login page of an authorization request; email verification links.
  app.get('/t/:tenant/register/:interaction', register(deps));
  app.post('/t/:tenant/register/:interaction', register(deps));
  app.get('/t/:tenant/verify-email', verifyEmailPage(deps));
  app.post('/t/:tenant/verify-email', verifyEmailConfirm(deps));
  app.post('/t/:tenant/verify-email/resend', verifyEmailResend(deps));
  // The self-service account page (/t/:tenant/account…): its own table, src/server/account/routes.ts.
  registerAccount(app, deps);
  // Per-tenant OAuth/OIDC endpoints and metadata: their own table, src/server/oauth/routes.ts.
  registerOAuth(app, deps);
  // The management API: its own table, src/server/api/routes.ts.
  registerApi(app, deps);
}
