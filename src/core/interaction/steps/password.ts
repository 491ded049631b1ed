import { verifyWithLockout } from '../../abuse/lockout.ts';
import { throttleSignInForm } from '../../abuse/forms.ts';
import { sha256 } from '../../../crypto/index.ts';
import { normalizeEmail } from '../../users/user.ts';
import { appendAccountEvent } from '../../audit/account-events.ts';
import { verifyPassword } from '../../users/password.ts';
import { loginPage, needsAuthentication, type Step } from './step.ts';

/** The same words for an unknown account, a wrong password and a disabled user. */
export const WRONG_CREDENTIALS = 'Incorrect email or password.';

/**
 * First factor: the password (RFC 8176 amr `pwd`). Served by the login page
 * together with `identify`. A failure sends the user back to `identify` with
 * one message, whatever the cause, after the same argon2id work. Tries are
 * counted by the tenant's lockout (src/core/abuse/lockout.ts): RateLimited,
 * with how long to wait, once a budget is spent.
 */
export const password: Step = {
  name: 'authenticate',
  fields: ['password'],
  pending: (ctx) => needsAuthentication(ctx.interaction) && ctx.interaction.state.candidateId !== undefined,
  page: loginPage,
  async submit(ctx, form) {
    const { deps, tenant, interaction } = ctx;
    const given = form.get('password') ?? '';
    const ip = ctx.device?.ip ?? null;
    await throttleSignInForm(deps, tenant, ip, 'login');
    const candidateId = interaction.state.candidateId ?? null;
    const user = candidateId ? await deps.repo.users.byId(tenant.id, candidateId) : undefined;
    const attempt = {
      tenant,
      factor: 'password',
      user,
      identifierKey: sha256(normalizeEmail(interaction.state.identifier ?? '')),
      ip,
      userAgent: ctx.device?.userAgent ?? null,
      deviceHash: ctx.deviceHash,
      issuer: ctx.issuer,
    };
    if (!(await verifyWithLockout(deps, attempt, () => verifyPassword(deps, user, given)))) {
      // An unknown address is recorded without it: the log names accounts by id only.
      await appendAccountEvent(deps.repo, {
        tenantId: tenant.id,
        at: deps.clock.now(),
        action: 'user.sign_in_failed',
        target: user ? `user:${user.id}` : null,
        data: { client_id: ctx.client.clientId, method: ['pwd'], reason: !user ? 'unknown_account' : user.disabled ? 'disabled' : 'wrong_password' },
        ip: ctx.device?.ip ?? null,
      });
      return { retry: WRONG_CREDENTIALS, reset: { candidateId: undefined } };
    }
    const remember = form.get('remember') === 'on' || form.get('remember') === '1';
    return { ok: { authenticated: { userId: user!.id, amr: ['pwd'], acr: null, at: deps.clock.now(), remember } } };
  },
};
