import { AccessDenied } from '../../oauth/errors.ts';
import { consentNeeded } from '../../oauth/authorize/consent.ts';
import { describeScopes } from '../scope-descriptions.ts';
import type { Step, StepContext } from './step.ts';

const userOf = (ctx: StepContext) => ctx.interaction.state.authenticated?.userId ?? ctx.interaction.userId;

/**
 * OIDC Core §3.1.2.4: the user approves the requested scopes for this
 * client (remembered in the grant), or refuses (RFC 6749 §4.1.2.1 access_denied).
 */
export const consent: Step = {
  name: 'consent',
  fields: ['decision'],
  async pending(ctx) {
    const userId = userOf(ctx);
    if (!userId) return false;
    const grant = await ctx.deps.repo.grants.byUserAndClient(ctx.tenant.id, userId, ctx.client.clientId);
    return consentNeeded(ctx.client, ctx.interaction.request, grant, ctx.interaction.state.consented);
  },
  async page(ctx) {
    const user = await ctx.deps.repo.users.byId(ctx.tenant.id, userOf(ctx)!);
    return { kind: 'consent', account: user?.email ?? '', scopes: describeScopes(ctx.tenant, ctx.interaction.request.scopes), error: ctx.interaction.state.error ?? null };
  },
  async submit(ctx, form) {
    const decision = form.get('decision');
    if (decision === 'deny') return { fail: new AccessDenied('the user denied the request') };
    if (decision !== 'allow') return { retry: 'Choose Allow or Deny.', reset: {} };
    return { ok: { consented: [...ctx.interaction.request.scopes] } };
  },
};
