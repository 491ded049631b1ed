import { uuidv7 } from '../../crypto/index.ts';
import { throttleSignInForm } from '../abuse/forms.ts';
import { consumeLimit } from '../abuse/rate-limit.ts';
import { recordAudit } from '../audit/record.ts';
import { Conflict, RateLimited, ValidationFailed } from '../errors.ts';
import type { FlowDeps } from '../interaction/deps.ts';
import type { Interaction, InteractionState } from '../interaction/interaction.ts';
import { queueEmail } from '../mail/mail.ts';
import type { PROFILE_FIELDS } from '../tenants/settings.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { PASSWORD } from './password.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { isEmail, normalizeEmail, type User } from './user.ts';
import { localeSchema, phoneSchema } from './user-input.ts';
import { RESEND_PER_IP, sendVerification } from './verify-email.ts';

type ProfileField = (typeof PROFILE_FIELDS)[number];

/** What the registration form says about itself (the server renders it). */
export interface RegistrationForm {
  readonly requiredFields: readonly ProfileField[];
  readonly terms: { readonly version: string; readonly termsUrl: string; readonly privacyUrl: string | null } | null;
}

export function registrationForm(tenant: Tenant): RegistrationForm {
  const s = settingsOf(tenant);
  return {
    requiredFields: s.registration.required_fields,
    terms: s.terms ? { version: s.terms.version, termsUrl: s.terms.terms_url, privacyUrl: s.terms.privacy_url ?? null } : null,
  };
}

/** `invalid`: show the form again with `message` (reveals nothing about accounts); `registered`: go on with the interaction. */
export type RegistrationOutcome = { readonly kind: 'invalid'; readonly field: string; readonly message: string } | { readonly kind: 'registered'; readonly interaction: Interaction };

/** A silent cap on "someone tried to register with your address" notes to one user. */
const EXISTS_NOTICES_PER_USER = { max: 3, windowMs: 60 * 60_000 };

const LABELS: Record<ProfileField, string> = { name: 'your full name', given_name: 'your first name', family_name: 'your last name', phone: 'your phone number', locale: 'your language' };

function profileOf(tenant: Tenant, form: ReadonlyMap<string, string>): Partial<Pick<User, 'name' | 'givenName' | 'familyName' | 'phone' | 'locale'>> {
  const out: Record<string, string> = {};
  for (const field of settingsOf(tenant).registration.required_fields) {
    const raw = (form.get(field) ?? '').trim();
    if (!raw) throw new ValidationFailed(field, `Enter ${LABELS[field]}.`);
    if (raw.length > (field === 'name' ? 200 : 100)) throw new ValidationFailed(field, `${LABELS[field]} is too long.`);
    if (field === 'phone') {
      const p = phoneSchema.safeParse(raw);
      if (!p.success) throw new ValidationFailed(field, 'Enter your phone number in international form, such as +14155550123.');
      out.phone = p.data;
    } else if (field === 'locale') {
      const l = localeSchema.safeParse(raw);
      if (!l.success) throw new ValidationFailed(field, 'Enter a language tag such as en-US.');
      out.locale = l.data;
    } else out[{ name: 'name', given_name: 'givenName', family_name: 'familyName' }[field]] = raw;
  }
  return out;
}

/**
 * Self-registration from the hosted login page of an interaction. Checks the
 * tenant allows it, the address (domain allow-list), the required profile
 * fields, the password policy and the terms; then hashes the password
 * (argon2id, outside the transaction) and, in one transaction: creates the
 * user with the password, records the terms acceptance (version and time),
 * audits `user.registered` and mails a verification link and 6-digit code.
 * The interaction continues signed in as the new user (amr `pwd`).
 *
 * An address that already has an account is answered exactly the same way
 * (no user enumeration): the same work, the same next page — "check your
 * email for a code" — but nobody is signed in, and the owner gets a note
 * that someone tried to register with their address instead.
 */
export async function registerUser(
  deps: FlowDeps,
  input: { tenant: Tenant; issuer: string; interaction: Interaction; form: ReadonlyMap<string, string>; ip: string | null },
): Promise<RegistrationOutcome> {
  const { tenant, interaction, form } = input;
  const settings = settingsOf(tenant);
  const typed = (form.get('email') ?? '').trim();
  const email = normalizeEmail(typed);
  if (!typed || typed.length > 320 || !isEmail(email)) return { kind: 'invalid', field: 'email', message: 'Enter a valid email address.' };
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const allowed = settings.registration.allowed_email_domains;
  if (allowed.length && !allowed.includes(domain)) return { kind: 'invalid', field: 'email', message: `Accounts can only be created with an address at ${allowed.join(', ')}.` };
  let profile;
  const password = form.get('password') ?? '';
  try {
    profile = profileOf(tenant, form);
    checkPasswordPolicy(tenant, password, { email });
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    const message = e.field === 'password' ? `Password ${e.message.slice('password: '.length)}.` : e.message.slice(`${e.field}: `.length);
    return { kind: 'invalid', field: e.field!, message };
  }
  if (settings.terms && form.get('accept_terms') !== 'on') return { kind: 'invalid', field: 'accept_terms', message: 'Accept the terms of service to create an account.' };

  const now = deps.clock.now();
  await throttleSignInForm(deps, tenant, input.ip, 'register');
  await consumeLimit(deps.repo.rateLimits, `register-ip:${tenant.id}:${input.ip ?? 'unknown'}`, RESEND_PER_IP, now, 'Too many accounts were requested from your network.');
  // Hash first, for new and existing addresses alike: argon2id must not hold the write lock, and both cases cost the same.
  const hash = await deps.passwords.hash(password);
  const user: User = {
    id: uuidv7(now),
    tenantId: tenant.id,
    email,
    emailVerified: false,
    phone: null,
    phoneVerified: false,
    name: null,
    givenName: null,
    familyName: null,
    locale: null,
    picture: null,
    attributes: {},
    externalId: null,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    ...profile,
  };
  let state: Partial<InteractionState>;
  try {
    state = await deps.repo.transaction(async (s) => {
      const existing = await s.users.byEmail(tenant.id, email);
      if (existing) throw new Conflict('email taken');
      await s.users.insert(user);
      await s.credentials.insert({ id: uuidv7(now), userId: user.id, tenantId: tenant.id, kind: PASSWORD, secret: hash, data: {}, createdAt: now, lastUsedAt: null });
      if (settings.terms) await s.terms.accept({ tenantId: tenant.id, userId: user.id, version: settings.terms.version, acceptedAt: now });
      await recordAudit(s, { tenantId: tenant.id, at: now, actor: `user:${user.id}`, action: 'user.registered', target: `user:${user.id}`, data: { client_id: interaction.clientId, ...(settings.terms ? { terms_version: settings.terms.version } : {}) }, ip: input.ip });
      const verifyTokenId = await sendVerification(s, deps, { tenant, issuer: input.issuer, user });
      return {
        identifier: email,
        candidateId: user.id,
        authenticated: { userId: user.id, amr: ['pwd'], acr: null, at: now, remember: false },
        verifyTokenId,
        verifyNotice: null,
        registrationDecoy: undefined,
      } satisfies Partial<InteractionState>;
    });
    deps.analytics?.registration(tenant.id);
  } catch (e) {
    if (!(e instanceof Conflict)) throw e;
    state = await alreadyRegistered(deps, { tenant, issuer: input.issuer, email, interaction });
  }
  deps.mail.wake();
  const next: Interaction = { ...interaction, state: { ...interaction.state, ...state, error: null }, userId: (state.authenticated as { userId: string } | undefined)?.userId ?? interaction.userId, step: 'verify-email' };
  await deps.repo.interactions.update(next);
  return { kind: 'registered', interaction: next };
}

/** The address has an account: note it to the owner (a few times an hour at most) and show the same "check your email" page. */
async function alreadyRegistered(deps: FlowDeps, input: { tenant: Tenant; issuer: string; email: string; interaction: Interaction }): Promise<Partial<InteractionState>> {
  const { tenant } = input;
  const owner = await deps.repo.users.byEmail(tenant.id, input.email);
  if (owner && !owner.disabled) {
    try {
      await consumeLimit(deps.repo.rateLimits, `register-exists:${tenant.id}:${owner.id}`, EXISTS_NOTICES_PER_USER, deps.clock.now());
      await deps.repo.transaction((s) =>
        queueEmail(s, deps.mail, { tenant, userId: owner.id, to: owner.email, template: 'account_exists', vars: {} }),
      );
    } catch (e) {
      if (!(e instanceof RateLimited)) throw e;
    }
  }
  return { identifier: input.email, registrationDecoy: { email: input.email, userId: owner?.id ?? null, attempts: 0, sentAt: deps.clock.now() }, verifyNotice: null };
}
