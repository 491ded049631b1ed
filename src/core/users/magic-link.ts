import { safeEqual, sha256, uuidv7 } from '../../crypto/index.ts';
import { throttleSignInForm } from '../abuse/forms.ts';
import { consumeLimit, type Limit } from '../abuse/rate-limit.ts';
import type { Clock } from '../clock.ts';
import type { Interaction } from '../interaction/interaction.ts';
import { queueEmail, type MailDeps } from '../mail/mail.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { lifetimeText } from '../duration.ts';
import { consumeUserToken, findUserToken, issueUserToken, type TokenRefusal } from './user-token.ts';

type Deps = { readonly repo: Repository; readonly clock: Clock; readonly mail: MailDeps };

/** Sign-in links one address may ask for (keyed by the address's hash, known or not). */
export const MAGIC_LINKS_PER_ADDRESS: Limit = { max: 5, windowMs: 15 * 60_000 };
/** Sign-in links asked for from one IP address. */
export const MAGIC_LINKS_PER_IP: Limit = { max: 20, windowMs: 15 * 60_000 };

/**
 * RFC 8176 has no value for "followed a link mailed to the address"; the
 * link is a one-time secret delivered out of band, so it is reported as
 * `otp` (docs/recovery.md).
 */
export const MAGIC_LINK_AMR = 'otp';

/** What the interaction remembers while a sign-in link is out (`tokenId` null: the address has no account; nothing was sent). */
export interface MagicLinkState {
  readonly tokenId: string | null;
  readonly remember: boolean;
  readonly sentAt: number;
}

/** The outstanding sign-in link of an interaction, if any. */
export function magicLinkOf(interaction: Interaction): MagicLinkState | undefined {
  const v = interaction.state.magicLink as MagicLinkState | undefined;
  return v && typeof v === 'object' ? v : undefined;
}

/**
 * Mails a sign-in link for interaction `interactionId` to `email` if
 * `candidateId` names an enabled user; otherwise does comparable work and
 * sends nothing (the page says "check your email" either way). Both spend
 * the per-address and per-IP budgets (RateLimited). Issuing a link
 * invalidates the user's older ones. Returns the token id, or null.
 */
export async function sendMagicLink(
  deps: Deps,
  input: { tenant: Tenant; issuer: string; interactionId: string; candidateId: string | null; email: string; ip: string | null },
): Promise<string | null> {
  const { tenant } = input;
  const now = deps.clock.now();
  const message = 'Too many sign-in links were requested.';
  await throttleSignInForm(deps, tenant, input.ip, 'magic_link');
  await consumeLimit(deps.repo.rateLimits, `magic-ip:${tenant.id}:${input.ip ?? 'unknown'}`, MAGIC_LINKS_PER_IP, now, message);
  await consumeLimit(deps.repo.rateLimits, `magic:${tenant.id}:${sha256(input.email)}`, MAGIC_LINKS_PER_ADDRESS, now, message);
  const ttl = settingsOf(tenant).magic_links.token_ttl;
  const id = await deps.repo.transaction(async (s) => {
    const user = input.candidateId ? await s.users.byId(tenant.id, input.candidateId) : undefined;
    if (!user || user.disabled) {
      // Comparable work for an address with no (enabled) account (see password-reset.ts).
      const nobody = uuidv7(now);
      await s.userTokens.invalidate(tenant.id, nobody, ['magic_link'], now);
      await s.userTokens.byId(tenant.id, nobody);
      await s.outbox.byId(nobody);
      deps.mail.composer.compose(tenant, 'magic_link', { tenant_name: tenant.name, email: input.email, link: `${input.issuer}/magic-link?token=`, expires_in: lifetimeText(ttl) });
      return null;
    }
    const issued = await issueUserToken(s, { tenantId: tenant.id, userId: user.id, kind: 'magic_link', now, ttlMs: ttl * 1000, data: { interactionId: input.interactionId } });
    await queueEmail(s, deps.mail, {
      tenant,
      userId: user.id,
      to: user.email,
      template: 'magic_link',
      vars: { link: `${input.issuer}/magic-link?token=${encodeURIComponent(issued.token)}`, expires_in: lifetimeText(ttl) },
    });
    return issued.record.id;
  });
  if (id) deps.mail.wake();
  return id;
}

/** Why a sign-in link was refused; `expired` also covers a sign-in that expired or moved on. */
export type MagicLinkRefusal = TokenRefusal;

/** A usable link: the token's record, and the interaction still waiting for it. */
async function usable(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, token: string) {
  const now = deps.clock.now();
  const found = await findUserToken(deps.repo, tenant.id, 'magic_link', token, now);
  if (typeof found === 'string') return found;
  const interactionId = typeof found.data.interactionId === 'string' ? found.data.interactionId : '';
  const interaction = interactionId ? await deps.repo.interactions.byId(tenant.id, interactionId) : undefined;
  if (!interaction || interaction.expiresAt <= now || magicLinkOf(interaction)?.tokenId !== found.id) return 'expired';
  return { record: found, interaction };
}

/** Checks a sign-in link without spending it (the "Continue signing in" page shown on GET). */
export async function checkMagicLink(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, token: string): Promise<MagicLinkRefusal | undefined> {
  const found = await usable(deps, tenant, token);
  return typeof found === 'string' ? found : undefined;
}

/** What following a sign-in link did. */
export type MagicLinkOutcome =
  /** Signed in, in the browser that asked: continue the sign-in at the interaction. */
  | { readonly kind: 'continue'; readonly interactionId: string }
  /** Signed in for the browser that asked (cross-device allowed): it continues there. */
  | { readonly kind: 'approved' }
  /** Opened in another browser and the tenant does not allow that: the link still works where it was asked for. */
  | { readonly kind: 'other-browser' }
  | { readonly kind: 'refused'; readonly reason: MagicLinkRefusal };

/**
 * Follows a sign-in link (the POST of its confirmation page). The link is
 * bound to the browser that asked for it: that browser holds the
 * interaction's cookie, whose secret `interactionSecret(id)` gives (checked
 * against the stored hash in constant time). Elsewhere it works only when
 * the tenant allows `magic_links.cross_device`. In one transaction the link
 * is spent (once: a replay is `used`) and the interaction becomes
 * authenticated (amr `otp`); the address counts as verified.
 */
export async function followMagicLink(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, input: { token: string; interactionSecret: (interactionId: string) => string | undefined }): Promise<MagicLinkOutcome> {
  const found = await usable(deps, tenant, input.token);
  if (typeof found === 'string') return { kind: 'refused', reason: found };
  const secret = input.interactionSecret(found.interaction.id);
  const sameBrowser = !!secret && secret.length <= 100 && safeEqual(sha256(secret), found.interaction.secretHash);
  if (!sameBrowser && !settingsOf(tenant).magic_links.cross_device) return { kind: 'other-browser' };
  const result = await deps.repo.transaction(async (s): Promise<MagicLinkRefusal | undefined> => {
    const now = deps.clock.now();
    if (!(await consumeUserToken(s, found.record, now))) return 'used';
    const interaction = await s.interactions.byId(tenant.id, found.interaction.id);
    const state = interaction ? magicLinkOf(interaction) : undefined;
    if (!interaction || interaction.expiresAt <= now || state?.tokenId !== found.record.id) return 'expired';
    const user = await s.users.byId(tenant.id, found.record.userId);
    if (!user || user.disabled) return 'unknown';
    if (!user.emailVerified) await s.users.update({ ...user, emailVerified: true, updatedAt: now });
    await s.interactions.update({
      ...interaction,
      userId: user.id,
      state: { ...interaction.state, magicLink: undefined, candidateId: user.id, error: null, authenticated: { userId: user.id, amr: [MAGIC_LINK_AMR], acr: null, at: now, remember: state.remember } },
    });
    return undefined;
  });
  if (result) return { kind: 'refused', reason: result };
  return sameBrowser ? { kind: 'continue', interactionId: found.interaction.id } : { kind: 'approved' };
}

/** Spends an interaction's outstanding link (the user chose another way to sign in). */
export async function cancelMagicLink(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, state: MagicLinkState): Promise<void> {
  if (state.tokenId) await deps.repo.userTokens.consume(tenant.id, state.tokenId, deps.clock.now());
}
