import { recordAudit } from '../../audit/record.ts';
import { AccessDenied } from '../../oauth/errors.ts';
import { settingsOf } from '../../tenants/tenant.ts';
import type { Page } from '../pages.ts';
import type { Step } from './step.ts';
import { signedInUser } from './verify-email.ts';

/**
 * The tenant publishes terms of service (settings.terms) and the signed-in
 * user has not accepted the current version: they accept it (recorded with
 * version and time, audited `user.terms_accepted`) or decline, which ends the
 * request with access_denied (RFC 6749 §4.1.2.1), as denying consent does.
 */
export const terms: Step = {
  name: 'terms',
  fields: ['terms'],
  async pending(ctx) {
    const current = settingsOf(ctx.tenant).terms;
    const userId = signedInUser(ctx);
    if (!current || !userId) return false;
    return !(await ctx.deps.repo.terms.accepted(ctx.tenant.id, userId, current.version));
  },
  async page(ctx): Promise<Page> {
    const current = settingsOf(ctx.tenant).terms!;
    const userId = signedInUser(ctx)!;
    const [user, earlier] = await Promise.all([ctx.deps.repo.users.byId(ctx.tenant.id, userId), ctx.deps.repo.terms.ofUser(ctx.tenant.id, userId)]);
    return {
      kind: 'terms',
      account: user?.email ?? '',
      version: current.version,
      termsUrl: current.terms_url,
      privacyUrl: current.privacy_url ?? null,
      updated: earlier.length > 0,
      error: ctx.interaction.state.error ?? null,
    };
  },
  async submit(ctx, form) {
    const decision = form.get('terms');
    if (decision === 'decline') return { fail: new AccessDenied('the user declined the terms of service') };
    if (decision !== 'accept') return { retry: 'Accept or decline the terms to continue.', reset: {} };
    const { deps, tenant } = ctx;
    const current = settingsOf(tenant).terms;
    const userId = signedInUser(ctx)!;
    if (current) {
      const now = deps.clock.now();
      await deps.repo.transaction(async (s) => {
        if (await s.terms.accepted(tenant.id, userId, current.version)) return;
        await s.terms.accept({ tenantId: tenant.id, userId, version: current.version, acceptedAt: now });
        await recordAudit(s, { tenantId: tenant.id, at: now, actor: `user:${userId}`, action: 'user.terms_accepted', target: `user:${userId}`, data: { version: current.version } });
      });
    }
    return { ok: {} };
  },
};
