import { NotFound, ValidationFailed } from '../../../core/errors.ts';
import { hasPassword, listAuthorizedApps, listOwnSessions } from '../../../core/users/account.ts';
import { csrfToken } from '../csrf.ts';
import { pageResponse } from '../page.ts';
import { accountPath, type AccountRequest, type AccountServerDeps, type SignedIn } from './context.ts';
import { describeDevice, shownTime } from './device.ts';

/** The sections of the account page; each shows its own error. */
export type Section = 'profile' | 'email' | 'password' | 'sessions' | 'apps';

/** What `?done=` after a change says (fixed texts: nothing from the URL is echoed). */
const NOTICES: Readonly<Record<string, string>> = {
  profile: 'Your profile was saved.',
  email_sent: 'We sent a confirmation link to the new address. Your email address changes when you open it.',
  email: 'Your email address was changed.',
  password: 'Your password was changed.',
  session: 'That session was signed out.',
  sessions: 'Every other session was signed out.',
  app: 'The application no longer has access to your account.',
};

/** Labels of the fields a ValidationFailed may name. */
const LABELS: Readonly<Record<string, string>> = {
  name: 'Full name',
  given_name: 'Given name',
  family_name: 'Family name',
  locale: 'Language',
  picture: 'Picture URL',
  phone: 'Phone',
  email: 'New email address',
  password: 'Password',
  current_password: 'Current password',
  new_password: 'New password',
  confirm_password: 'The repeated password',
};

export interface AccountPageOptions {
  readonly status?: number;
  readonly notice?: string | undefined;
  readonly section?: Section;
  readonly error?: string;
  readonly headers?: Headers;
}

/** The account page of the signed-in user. */
export async function accountPage(deps: AccountServerDeps, s: SignedIn, options: AccountPageOptions = {}): Promise<Response> {
  const { t, user, session } = s;
  const a = deps.accounts;
  const [sessions, apps, withPassword] = await Promise.all([listOwnSessions(a, t.tenant, user), listAuthorizedApps(a, t.tenant, user), hasPassword(a, user)]);
  const errors = options.section && options.error ? { [options.section]: options.error } : {};
  const data = {
    title: 'Your account',
    tenantName: t.tenant.name,
    csrf: s.csrf,
    logoutCsrf: csrfToken(s.secret, 'logout'),
    notice: options.notice ? (NOTICES[options.notice] ?? null) : null,
    errors,
    user: {
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name ?? '',
      givenName: user.givenName ?? '',
      familyName: user.familyName ?? '',
      locale: user.locale ?? '',
      picture: user.picture ?? '',
      phone: user.phone ?? '',
    },
    hasPassword: withPassword,
    sessions: sessions.map((x) => ({ id: x.id, device: describeDevice(x.userAgent), ip: x.ip ?? 'unknown', created: shownTime(x.createdAt), lastSeen: shownTime(x.lastSeenAt), current: x.id === session.id })),
    others: sessions.some((x) => x.id !== session.id),
    apps: apps.map((x) => ({ clientId: x.grant.clientId, name: x.clientName ?? x.grant.clientId, scopes: x.grant.scopes.join(' '), since: shownTime(x.grant.createdAt) })),
    actions: {
      profile: accountPath(t, '/profile'),
      email: accountPath(t, '/email'),
      password: accountPath(t, '/password'),
      endSession: accountPath(t, '/sessions/end'),
      endOthers: accountPath(t, '/sessions/end-others'),
      revokeApp: accountPath(t, '/apps/revoke'),
      exportData: accountPath(t, '/export'),
      deleteAccount: accountPath(t, '/delete'),
      logout: `${t.base}/logout`,
    },
  };
  return pageResponse('account', data, { status: options.status ?? 200, ...(options.headers ? { headers: options.headers } : {}) });
}

/** A refusal as the user reads it ("Current password is not correct"). */
export function refusalText(e: ValidationFailed | Error): string {
  if (e instanceof ValidationFailed && e.field) {
    const detail = e.message.slice(e.field.length + 2);
    return `${LABELS[e.field] ?? e.field} ${detail}${/[.!?]$/.test(detail) ? '' : '.'}`;
  }
  return e.message;
}

/**
 * Runs a change of one section, then `done`; a refusal shows the account
 * page again with the section's error (422 for invalid input, 404 for
 * something already gone, 429 with Retry-After for too many attempts).
 * Anything else propagates (the error page).
 */
export async function sectionChange(deps: AccountServerDeps, req: AccountRequest, section: Section, change: () => Promise<unknown>, done: () => Response): Promise<Response> {
  req.showAgain((error, status) => accountPage(deps, req.s, { status, section, error }));
  try {
    await change();
  } catch (e) {
    if (e instanceof ValidationFailed) return accountPage(deps, req.s, { status: 422, section, error: refusalText(e) });
    if (e instanceof NotFound) return accountPage(deps, req.s, { status: 404, section, error: e.message });
    throw e;
  }
  return done();
}
