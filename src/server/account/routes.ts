import type { H3 } from 'h3';
import type { ServerDeps } from '../deps.ts';
import { accountDelete } from './delete.ts';
import { accountEmailConfirm } from './email-confirm.ts';
import { accountEmail } from './email.ts';
import { accountExport } from './export.ts';
import { accountHome, accountLogin } from './home.ts';
import { accountPassword } from './password.ts';
import { accountProfile } from './profile.ts';
import { accountEndOtherSessions, accountEndSession } from './sessions.ts';
import { accountRevokeApp } from './apps.ts';

/** The self-service account pages under each issuer (`/t/:tenant/account…`). */
export function registerAccount(app: H3, deps: ServerDeps): void {
  const base = '/t/:tenant/account';
  app.get(base, accountHome(deps));
  app.post(`${base}/login`, accountLogin(deps));
  app.post(`${base}/profile`, accountProfile(deps));
  app.post(`${base}/email`, accountEmail(deps));
  app.get(`${base}/email/confirm`, accountEmailConfirm(deps));
  app.post(`${base}/email/confirm`, accountEmailConfirm(deps));
  app.post(`${base}/password`, accountPassword(deps));
  app.post(`${base}/sessions/end`, accountEndSession(deps));
  app.post(`${base}/sessions/end-others`, accountEndOtherSessions(deps));
  app.post(`${base}/apps/revoke`, accountRevokeApp(deps));
  app.get(`${base}/export`, accountExport(deps));
  app.get(`${base}/delete`, accountDelete(deps));
  app.post(`${base}/delete`, accountDelete(deps));
}
