import { isEmail, normalizeEmail } from '../../users/user.ts';
import { loginPage, needsAuthentication, type Step } from './step.ts';

/**
 * Who is signing in. Always succeeds for a well-formed identifier, whether or
 * not it names a user (`candidateId: null`): the next step fails the same
 * way for both, so the pages never reveal which addresses have accounts.
 */
export const identify: Step = {
  name: 'identify',
  fields: ['identifier'],
  pending: (ctx) => needsAuthentication(ctx.interaction) && ctx.interaction.state.candidateId === undefined,
  page: loginPage,
  async submit(ctx, form) {
    const identifier = (form.get('identifier') ?? '').trim();
    if (!identifier) return { retry: 'Enter your email address.', reset: { identifier: '' } };
    const email = normalizeEmail(identifier);
    if (identifier.length > 320 || !isEmail(email)) return { retry: 'Enter a valid email address.', reset: { identifier: identifier.slice(0, 320) } };
    const user = await ctx.deps.repo.users.byEmail(ctx.tenant.id, email);
    return { ok: { identifier, candidateId: user?.id ?? null } };
  },
};
