import { OWN_PROFILE_FIELDS, updateOwnProfile, type OwnProfileInput } from '../../../core/users/account.ts';
import { accountPath, accountRoute, seeOther, type AccountServerDeps } from './context.ts';
import { sectionChange } from './view.ts';

/** POST /t/:tenant/account/profile — name, given/family name, language, picture, phone. */
export function accountProfile(deps: AccountServerDeps) {
  return accountRoute(deps, async (req) => {
    const form = await req.accountForm();
    const input: OwnProfileInput = Object.fromEntries(OWN_PROFILE_FIELDS.flatMap((f) => (form.has(f) ? [[f, form.get(f)!]] : [])));
    return sectionChange(deps, req, 'profile', () => updateOwnProfile(deps.accounts, req.t.tenant, req.s.user, input), () => seeOther(accountPath(req.t, '?done=profile')));
  });
}
