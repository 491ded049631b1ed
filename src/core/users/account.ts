// The self-service account page's use-cases (`/account` under each issuer):
// each takes its dependencies, the tenant and the signed-in user, and
// records what it changes in the audit log in the same transaction.
export { type AccountDeps, hasPassword } from './account/internal.ts';
export { type AccountHolder, resumeAccount, signInToAccount } from './account/sign-in.ts';
export { OWN_PROFILE_FIELDS, type OwnProfileInput, updateOwnProfile } from './account/profile.ts';
export { confirmEmailChange, type EmailChangeRefusal, inspectEmailChange, requestEmailChange } from './account/email-change.ts';
export { changeOwnPassword } from './account/password.ts';
export { endOtherSessions, endOwnSession, listOwnSessions } from './account/sessions.ts';
export { type AuthorizedApp, listAuthorizedApps, revokeAuthorizedApp } from './account/apps.ts';
export { deleteOwnAccount } from './account/delete.ts';
export { exportUserData } from './export-data.ts';
