import { RateLimited } from '../../errors.ts';
import { settingsOf } from '../../tenants/tenant.ts';
import { cancelMagicLink, magicLinkOf, sendMagicLink, type MagicLinkState } from '../../users/magic-link.ts';
import { normalizeEmail } from '../../users/user.ts';
import { waitText } from '../../duration.ts';
import { needsAuthentication, type Step, type StepContext, type StepResult } from './step.ts';

const enabled = (ctx: StepContext) => settingsOf(ctx.tenant).magic_links.enabled;

/** Seconds between reloads of the "check your email" page when the link may be opened on another device. */
const REFRESH_SECONDS = 5;

async function request(ctx: StepContext, form: ReadonlyMap<string, string>): Promise<StepResult> {
  const { state } = ctx.interaction;
  const email = normalizeEmail(state.identifier ?? '');
  try {
    const tokenId = await sendMagicLink(ctx.deps, {
      tenant: ctx.tenant,
      issuer: ctx.issuer ?? '',
      interactionId: ctx.interaction.id,
      candidateId: state.candidateId ?? null,
      email,
      ip: ctx.device?.ip ?? null,
    });
    const remember = form.get('remember') === 'on' || form.get('remember') === '1';
    const magicLink: MagicLinkState = { tokenId, remember, sentAt: ctx.deps.clock.now() };
    return { ok: { magicLink } };
  } catch (e) {
    if (e instanceof RateLimited) return { retry: `Too many sign-in links were requested. Try again in ${waitText(e.retryAfter)}.`, reset: { candidateId: undefined } };
    throw e;
  }
}

/**
 * The login form's first factor, by the method the user chose: the password
 * step as before, or — when the tenant enables magic links and the form says
 * `method=magic_link` — a sign-in link mailed to the address. The same page
 * follows for an address without an account (nothing is sent). While a link
 * is out, the password is not asked for: `magicLinkSent` waits instead.
 */
export function withMagicLinks(password: Step): Step {
  return {
    ...password,
    fields: [...password.fields, 'method'],
    pending: async (ctx) => !magicLinkOf(ctx.interaction) && (await password.pending(ctx)),
    submit: (ctx, form) => (form.get('method') === 'magic_link' && enabled(ctx) ? request(ctx, form) : password.submit(ctx, form)),
  };
}

/**
 * "Check your email": pending while the interaction's sign-in link is out.
 * Following the link (./users/magic-link.ts followMagicLink) authenticates
 * the interaction, and this step is then done; in the same browser the link
 * continues the sign-in itself, from another device (when allowed) this
 * page reloads itself and continues. `magic_link=resend` mails a new link,
 * `magic_link=cancel` goes back to the login form (the link dies).
 */
export const magicLinkSent: Step = {
  name: 'magic-link',
  fields: ['magic_link'],
  pending: (ctx) => needsAuthentication(ctx.interaction) && !!magicLinkOf(ctx.interaction),
  page(ctx) {
    const { state } = ctx.interaction;
    const refresh = settingsOf(ctx.tenant).magic_links.cross_device ? REFRESH_SECONDS : null;
    const notice = typeof state.magicLinkNotice === 'string' ? state.magicLinkNotice : null;
    return Promise.resolve({ kind: 'magic-link-sent', email: state.identifier ?? '', refresh, notice, error: state.error || null });
  },
  async submit(ctx, form) {
    const current = magicLinkOf(ctx.interaction)!;
    if (form.get('magic_link') === 'resend') {
      const sent = await request(ctx, new Map([['remember', current.remember ? 'on' : '']]));
      // A refused resend keeps the link that is out and says why; a new one shows this page again with a notice.
      if ('retry' in sent) return { retry: sent.retry, reset: { magicLinkNotice: null } };
      if (!('ok' in sent)) return sent;
      return { retry: '', reset: { ...sent.ok, magicLinkNotice: 'We sent a new link. Only the newest link works.' } };
    }
    await cancelMagicLink(ctx.deps, ctx.tenant, current);
    return { ok: { magicLink: undefined, magicLinkNotice: null, candidateId: undefined } };
  },
};
