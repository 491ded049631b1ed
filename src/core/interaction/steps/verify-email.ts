import { sha256 } from '../../../crypto/index.ts';
import { consumeLimit } from '../../abuse/rate-limit.ts';
import { RateLimited } from '../../errors.ts';
import { settingsOf } from '../../tenants/tenant.ts';
import { MAX_CODE_ATTEMPTS } from '../../users/user-token.ts';
import { waitText } from '../../duration.ts';
import { RESEND_PER_USER, resendVerification, verifyEmailByCode } from '../../users/verify-email.ts';
import type { Page } from '../pages.ts';
import { needsAuthentication, type Step, type StepContext, type StepResult } from './step.ts';

/** A registration with an address that already had an account (see users/register.ts): nobody is signed in. */
interface RegistrationDecoy {
  readonly email: string;
  readonly userId: string | null;
  readonly attempts: number;
  readonly sentAt?: number;
}

// The same words for a real code and a decoy, so the pages never tell them apart.
const ENTER_CODE = 'Enter the 6-digit code from the email.';
const WRONG_CODE = 'That code is not right. Check the latest email we sent you and try again.';
const USED_CODE = 'This code no longer works (too many wrong tries, or a newer code was sent). Ask for a new code.';
const EXPIRED_CODE = 'This code has expired. Ask for a new code.';
const sent = (email: string) => `We sent a new code to ${email}.`;
const tooMany = (e: RateLimited) => `You asked for too many codes. Try again in ${waitText(e.retryAfter)}.`;

const decoyOf = (ctx: StepContext) => ctx.interaction.state.registrationDecoy as RegistrationDecoy | undefined;
const noticeOf = (ctx: StepContext) => (ctx.interaction.state.verifyNotice as string | null | undefined) ?? null;

/** The signed-in user of the interaction (just authenticated, or the SSO session's). */
export function signedInUser(ctx: StepContext): string | null {
  const { state, userId } = ctx.interaction;
  return state.authenticated?.userId ?? (state.sessionId ? userId : null);
}

/**
 * The tenant requires a verified address (`email_verification.required`) and
 * the signed-in user has not verified theirs: the sign-in waits here until a
 * code mailed to them is typed (or the mailed link is followed in another
 * tab). Wrong codes are counted (MAX_CODE_ATTEMPTS); new codes are limited
 * (RESEND_PER_USER).
 */
export const verifyEmail: Step = {
  name: 'verify-email',
  fields: ['code', 'resend'],
  async pending(ctx) {
    const userId = signedInUser(ctx);
    if (!userId || !settingsOf(ctx.tenant).email_verification.required) return false;
    const user = await ctx.deps.repo.users.byId(ctx.tenant.id, userId);
    return !!user && !user.emailVerified;
  },
  async page(ctx): Promise<Page> {
    const user = await ctx.deps.repo.users.byId(ctx.tenant.id, signedInUser(ctx)!);
    return { kind: 'verify-email', email: user?.email ?? '', codeSent: typeof ctx.interaction.state.verifyTokenId === 'string', notice: noticeOf(ctx), error: ctx.interaction.state.error ?? null };
  },
  async submit(ctx, form): Promise<StepResult> {
    const { deps, tenant } = ctx;
    const user = await deps.repo.users.byId(tenant.id, signedInUser(ctx)!);
    if (!user) return { retry: USED_CODE, reset: { verifyNotice: null } };
    if (form.has('resend')) {
      try {
        const verifyTokenId = await resendVerification(deps, { tenant, issuer: ctx.issuer!, user });
        return { retry: '', reset: { verifyTokenId, verifyNotice: sent(user.email) } };
      } catch (e) {
        if (e instanceof RateLimited) return { retry: tooMany(e), reset: { verifyNotice: null } };
        throw e;
      }
    }
    const code = (form.get('code') ?? '').trim();
    if (!code) return { retry: ENTER_CODE, reset: { verifyNotice: null } };
    const tokenId = ctx.interaction.state.verifyTokenId;
    if (typeof tokenId !== 'string') return { retry: USED_CODE, reset: { verifyNotice: null } };
    const result = await verifyEmailByCode(deps, { tenant, userId: user.id, tokenId, code });
    if (typeof result === 'object') return { ok: { verifyTokenId: null, verifyNotice: null } };
    return { retry: result === 'wrong' ? WRONG_CODE : result === 'expired' ? EXPIRED_CODE : USED_CODE, reset: { verifyNotice: null } };
  },
};

/**
 * The "check your email for a code" page after a registration with an address
 * that already has an account: the same page, messages, attempt counting,
 * expiry and resend limits as `verifyEmail`, but no code can ever be right
 * and nobody is signed in (the owner was mailed a note instead). Listed
 * before `identify`, since the interaction is not authenticated.
 */
export const registrationDecoy: Step = {
  name: 'verify-email',
  fields: ['code', 'resend'],
  pending: (ctx) => needsAuthentication(ctx.interaction) && decoyOf(ctx) !== undefined,
  page(ctx): Promise<Page> {
    return Promise.resolve({ kind: 'verify-email', email: decoyOf(ctx)!.email, codeSent: true, notice: noticeOf(ctx), error: ctx.interaction.state.error ?? null });
  },
  async submit(ctx, form): Promise<StepResult> {
    const { deps, tenant } = ctx;
    const decoy = decoyOf(ctx)!;
    const now = deps.clock.now();
    if (form.has('resend')) {
      try {
        await consumeLimit(deps.repo.rateLimits, `verify-resend:${tenant.id}:${decoy.userId ?? sha256(decoy.email)}`, RESEND_PER_USER, now);
        return { retry: '', reset: { registrationDecoy: { ...decoy, attempts: 0, sentAt: now }, verifyNotice: sent(decoy.email) } };
      } catch (e) {
        if (e instanceof RateLimited) return { retry: tooMany(e), reset: { verifyNotice: null } };
        throw e;
      }
    }
    const code = (form.get('code') ?? '').trim();
    if (!code) return { retry: ENTER_CODE, reset: { verifyNotice: null } };
    const sentAt = decoy.sentAt ?? ctx.interaction.createdAt;
    if (decoy.attempts >= MAX_CODE_ATTEMPTS) return { retry: USED_CODE, reset: { verifyNotice: null } };
    if (now >= sentAt + settingsOf(tenant).email_verification.token_ttl * 1000) return { retry: EXPIRED_CODE, reset: { verifyNotice: null } };
    const attempts = decoy.attempts + 1;
    return { retry: attempts >= MAX_CODE_ATTEMPTS ? USED_CODE : WRONG_CODE, reset: { registrationDecoy: { ...decoy, attempts }, verifyNotice: null } };
  },
};
