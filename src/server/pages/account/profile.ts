import type { H3Event } from 'h3';
import { OWN_PROFILE_FIELDS, updateOwnProfile, type OwnProfileInput } from '../../../core/users/account.ts';
import { accountForm, accountPath, requireAccount, seeOther, type AccountServerDeps } from './context.ts';
import { failedChange } from './view.ts';

/** POST /t/:tenant/account/profile — name, given/family name, language, picture, phone. */
export function accountProfile(deps: AccountServerDeps) {
  return async (event: H3Event): Promise<Response> => {
    const s = await requireAccount(event, deps);
    if (s instanceof Response) return s;
    const form = await accountForm(event, s);
    if (form instanceof Response) return form;
    const input: OwnProfileInput = Object.fromEntries(OWN_PROFILE_FIELDS.flatMap((f) => (form.has(f) ? [[f, form.get(f)!]] : [])));
    try {
      await updateOwnProfile(deps.accounts, s.t.tenant, s.user, input);
    } catch (e) {
      return failedChange(deps, s, 'profile', e);
    }
    return seeOther(accountPath(s.t, '?done=profile'));
  };
}
