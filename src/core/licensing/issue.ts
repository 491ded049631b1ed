import { z } from 'zod';
import { generateEd25519Key, publicOf, signEd25519, uuidv7, type Ed25519KeyPair, type JWK } from '../../crypto/index.ts';
import { parseInput } from '../validation.ts';
import { DEFAULT_GRACE_DAYS, ENTITLEMENTS, LIMITS, type Entitlement, type Limits } from './catalogue.ts';
import { LICENSE_TYP, LicenseInvalid, type License } from './license.ts';

// The vendor's side: a signing key and licenses signed with it. Works with no
// data directory and no network.

const slug = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const issueLicenseSchema = z.strictObject({
  licensee: z.string().trim().min(1, 'must name the customer').max(200),
  plan: z.string().trim().min(1).max(100).default('enterprise'),
  tenant: z.string().regex(slug, 'must be a tenant slug').optional(),
  instance: z.string().min(1).max(100).optional(),
  entitlements: z.array(z.enum(ENTITLEMENTS, { error: `must be one of ${ENTITLEMENTS.join(', ')}` })).default([]),
  limits: z.partialRecord(z.enum(LIMITS), z.number().int().min(0, 'must be 0 or more')).default({}),
  not_before: z.number().int().optional(),
  expires_at: z.number().int(),
  grace_days: z.number().int().min(0).max(365).default(DEFAULT_GRACE_DAYS),
});
export type IssueLicenseInput = z.input<typeof issueLicenseSchema>;

/** A new vendor key: keep the private JWK secret; publish the public one in the build's license-keys.json. */
export function generateVendorKey(): Promise<Ed25519KeyPair> {
  return generateEd25519Key();
}

/** Signs a license with the vendor's private Ed25519 JWK. */
export async function issueLicense(privateJwk: JWK, raw: IssueLicenseInput, now: number): Promise<License> {
  const input = parseInput(issueLicenseSchema, raw);
  try {
    publicOf(privateJwk);
  } catch (e) {
    throw new LicenseInvalid(`the vendor key was refused: ${(e as Error).message}`);
  }
  if (typeof privateJwk.d !== 'string') throw new LicenseInvalid('the vendor key was refused: it is a public key; issuing needs the private JWK from "license keygen"');
  const notBefore = input.not_before ?? now;
  if (input.expires_at <= notBefore) throw new LicenseInvalid('the license would expire before it starts: choose a later --expires');
  const id = `lic_${uuidv7(now).replace(/-/g, '')}`;
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const claims = {
    jti: id,
    sub: input.licensee,
    iat: seconds(now),
    nbf: seconds(notBefore),
    exp: seconds(input.expires_at),
    grace_days: input.grace_days,
    scope: input.tenant ? 'tenant' : 'instance',
    ...(input.tenant ? { tenant: input.tenant } : {}),
    ...(input.instance ? { instance: input.instance } : {}),
    plan: input.plan,
    entitlements: [...new Set(input.entitlements)] as Entitlement[],
    limits: input.limits as Limits,
  } as const;
  const token = await signEd25519(privateJwk, new TextEncoder().encode(JSON.stringify(claims)), LICENSE_TYP);
  return {
    id,
    licensee: claims.sub,
    plan: claims.plan,
    scope: claims.scope,
    tenant: input.tenant,
    instance: input.instance,
    issuedAt: claims.iat * 1000,
    notBefore: claims.nbf * 1000,
    expiresAt: claims.exp * 1000,
    graceDays: claims.grace_days,
    entitlements: claims.entitlements,
    limits: claims.limits,
    token,
  };
}
