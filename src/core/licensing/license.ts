import { z } from 'zod';
import { SignatureInvalid, verifyEd25519 } from '../../crypto/index.ts';
import { AuthflowError } from '../errors.ts';
import { DEFAULT_GRACE_DAYS, ENTITLEMENTS, LIMITS, type Entitlement, type Limits } from './catalogue.ts';

/** The JWS `typ` of a license. */
export const LICENSE_TYP = 'authflow-license+jwt';
const DAY = 86_400_000;

/** A license (or usage report) that cannot be used, with the one sentence that says why: exit 5 / HTTP 422. */
export class LicenseInvalid extends AuthflowError {
  override name = 'LicenseInvalid';
  constructor(message: string) {
    super('validation_failed', message);
  }
}

/** The signed claims of a license (JWT names for times, in seconds). */
export const licenseClaimsSchema = z.strictObject({
  jti: z.string().min(1).max(100),
  iss: z.string().max(200).optional(),
  sub: z.string().min(1).max(200),
  iat: z.number().int(),
  nbf: z.number().int(),
  exp: z.number().int(),
  grace_days: z.number().int().min(0).max(365).default(DEFAULT_GRACE_DAYS),
  scope: z.enum(['instance', 'tenant']),
  tenant: z.string().min(1).max(63).optional(),
  instance: z.string().min(1).max(100).optional(),
  plan: z.string().min(1).max(100),
  entitlements: z.array(z.enum(ENTITLEMENTS)).max(ENTITLEMENTS.length),
  limits: z.partialRecord(z.enum(LIMITS), z.number().int().min(0)),
});
export type LicenseClaims = z.output<typeof licenseClaimsSchema>;

/** A verified license, times in ms. */
export interface License {
  readonly id: string;
  readonly licensee: string;
  readonly plan: string;
  readonly scope: 'instance' | 'tenant';
  /** The tenant slug a tenant license is for. */
  readonly tenant: string | undefined;
  /** The instance id the license is bound to, if any. */
  readonly instance: string | undefined;
  readonly issuedAt: number;
  readonly notBefore: number;
  readonly expiresAt: number;
  readonly graceDays: number;
  readonly entitlements: readonly Entitlement[];
  readonly limits: Limits;
  /** The signed text (compact JWS). */
  readonly token: string;
}

export type LicensePhase = 'not_yet_valid' | 'valid' | 'grace' | 'expired';

/** Where a license stands at `now`: valid, in grace after expiry, or past grace (then it grants nothing). */
export function phaseOf(license: Pick<License, 'notBefore' | 'expiresAt' | 'graceDays'>, now: number): LicensePhase {
  if (now < license.notBefore) return 'not_yet_valid';
  if (now < license.expiresAt) return 'valid';
  return now < graceEnd(license) ? 'grace' : 'expired';
}

export function graceEnd(license: Pick<License, 'expiresAt' | 'graceDays'>): number {
  return license.expiresAt + license.graceDays * DAY;
}

/**
 * The JWS inside a license file: lines starting with `#` are the human header
 * and are ignored, the rest (possibly wrapped by a mail program) is joined.
 */
export function licenseTokenOf(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
}

/** Verifies a license's signature against the build's vendor keys and reads its claims (dates are not judged here). */
export async function readLicense(text: string): Promise<License> {
  const token = licenseTokenOf(text);
  if (!token) throw new LicenseInvalid('the license is empty: expected the text of a .lic file');
  let payload: Uint8Array;
  try {
    ({ payload } = await verifyEd25519(token, LICENSE_TYP));
  } catch (e) {
    if (e instanceof SignatureInvalid) throw new LicenseInvalid(`the license was refused: ${e.message}`);
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new LicenseInvalid('the license was refused: its signed content is not JSON');
  }
  const parsed = licenseClaimsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LicenseInvalid(`the license was refused: its "${issue.path.join('.') || 'claims'}" is not something this version understands`);
  }
  const c = parsed.data;
  if (c.scope === 'tenant' && !c.tenant) throw new LicenseInvalid('the license was refused: a tenant license must name its tenant');
  if (c.exp <= c.nbf) throw new LicenseInvalid('the license was refused: it expires before it starts');
  return {
    id: c.jti,
    licensee: c.sub,
    plan: c.plan,
    scope: c.scope,
    tenant: c.scope === 'tenant' ? c.tenant : undefined,
    instance: c.instance,
    issuedAt: c.iat * 1000,
    notBefore: c.nbf * 1000,
    expiresAt: c.exp * 1000,
    graceDays: c.grace_days,
    entitlements: [...new Set(c.entitlements)],
    limits: c.limits,
    token,
  };
}

/**
 * Checks that a verified license may be installed now, where it is being
 * installed: in its validity period (not expired, not yet to come), the right
 * scope, tenant and instance.
 */
export function assertInstallable(license: License, where: { now: number; instanceId: string; tenantSlug?: string | undefined }): void {
  const phase = phaseOf(license, where.now);
  if (phase === 'not_yet_valid') throw new LicenseInvalid(`the license ${license.id} is not valid before ${isoDay(license.notBefore)}`);
  if (phase !== 'valid') throw new LicenseInvalid(`the license ${license.id} expired on ${isoDay(license.expiresAt)}`);
  if (license.instance && license.instance !== where.instanceId) throw new LicenseInvalid(`the license ${license.id} is for another installation (instance ${license.instance}, this is ${where.instanceId})`);
  if (where.tenantSlug === undefined && license.scope !== 'instance') throw new LicenseInvalid(`the license ${license.id} is for tenant ${license.tenant}: install it with "authflow tenant update ${license.tenant} --license FILE"`);
  if (where.tenantSlug !== undefined && license.scope !== 'tenant') throw new LicenseInvalid(`the license ${license.id} is an instance license: install it with "authflow license install FILE"`);
  if (where.tenantSlug !== undefined && license.tenant !== where.tenantSlug) throw new LicenseInvalid(`the license ${license.id} is for tenant ${license.tenant}, not ${where.tenantSlug}`);
}

/** The human header written above the JWS in a .lic file. */
export function licenseFileText(license: License): string {
  const limits = Object.entries(license.limits).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    '# authflow license',
    `# id:           ${license.id}`,
    `# licensee:     ${license.licensee}`,
    `# plan:         ${license.plan}`,
    `# scope:        ${license.scope === 'tenant' ? `tenant ${license.tenant}` : 'instance'}${license.instance ? ` (instance ${license.instance})` : ''}`,
    `# valid:        ${isoDay(license.notBefore)} to ${isoDay(license.expiresAt)}, then ${license.graceDays} days of grace`,
    `# entitlements: ${license.entitlements.join(', ') || 'none'}`,
    `# limits:       ${limits}`,
    '# These lines are for people; only the signed text below counts.',
    license.token,
    '',
  ].join('\n');
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
