// The metadata builder (RFC 8414 §2, OIDC Discovery §3) grows only by
// registered capabilities; the JWKS cache lifetime stays below the rotation
// delay and the next key transition.

import { describe, expect, it } from 'vitest';
import { jwksMaxAge } from '../../src/core/keys/jwks.ts';
import type { SigningKey } from '../../src/core/keys/signing-key.ts';
import type { Capability } from '../../src/core/oauth/metadata/capability.ts';
import { INTROSPECTION_ENDPOINT, JWKS, PROVIDER, REVOCATION_ENDPOINT, TOKEN_ENDPOINT } from '../../src/core/oauth/metadata/endpoints.ts';
import { buildServerMetadata } from '../../src/core/oauth/metadata/server-metadata.ts';
import { tenantSettingsSchema } from '../../src/core/tenants/settings.ts';

const ISS = 'https://id.example.com/t/acme';
const settings = (s: Record<string, unknown> = {}) => tenantSettingsSchema.parse(s);
const BASE: Capability[] = [PROVIDER, JWKS, TOKEN_ENDPOINT, INTROSPECTION_ENDPOINT, REVOCATION_ENDPOINT];

describe('buildServerMetadata', () => {
  it('lists the registered endpoints and nothing that is not registered', () => {
    const doc = buildServerMetadata({ issuer: ISS, settings: settings(), capabilities: BASE, grantTypes: ['client_credentials'] });
    expect(doc.token_endpoint).toBe(`${ISS}/token`);
    expect(doc.jwks_uri).toBe(`${ISS}/jwks`);
    expect(doc).not.toHaveProperty('authorization_endpoint');
    expect(doc).not.toHaveProperty('userinfo_endpoint');
    expect(doc).not.toHaveProperty('code_challenge_methods_supported');
    expect(doc.response_types_supported).toEqual([]);
    expect(doc.grant_types_supported).toEqual(['client_credentials']);
    // Without the token endpoint there is no grant to advertise.
    expect(buildServerMetadata({ issuer: ISS, settings: settings(), capabilities: [PROVIDER, JWKS], grantTypes: ['client_credentials'] })).not.toHaveProperty('grant_types_supported');
  });

  it('grows when an endpoint registers its capability: arrays merge, scalars are set once', () => {
    const authorize: Capability = {
      endpoint: { member: 'authorization_endpoint', path: '/authorize' },
      metadata: { response_types_supported: ['code'], code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true },
    };
    const userinfo: Capability = { endpoint: { member: 'userinfo_endpoint', path: '/userinfo' }, metadata: (s) => ({ claims_supported: ['email', ...Object.keys(s.scopes)] }) };
    const doc = buildServerMetadata({ issuer: ISS, settings: settings({ scopes: { 'read:x': {} } }), capabilities: [...BASE, authorize, userinfo], grantTypes: ['authorization_code', 'client_credentials'] });
    expect(doc.authorization_endpoint).toBe(`${ISS}/authorize`);
    expect(doc.userinfo_endpoint).toBe(`${ISS}/userinfo`);
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.claims_supported).toEqual(['iss', 'sub', 'aud', 'exp', 'iat', 'email', 'read:x']);
    expect(() => buildServerMetadata({ issuer: ISS, settings: settings(), capabilities: [TOKEN_ENDPOINT, TOKEN_ENDPOINT], grantTypes: [] })).toThrow(/token_endpoint/);
  });

  it("offers only the grants the tenant allows, and the tenant's scopes", () => {
    const doc = buildServerMetadata({ issuer: ISS, settings: settings({ grant_types: ['authorization_code'], scopes: { 'read:x': {} } }), capabilities: BASE, grantTypes: ['authorization_code', 'client_credentials'] });
    expect(doc.grant_types_supported).toEqual(['authorization_code']);
    expect(doc.scopes_supported).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'read:x']);
  });
});

describe('jwksMaxAge', () => {
  const now = 1_700_000_000_000;
  const key = (over: Partial<SigningKey>): SigningKey =>
    ({ id: 'k', tenantId: 't', kid: 'k', alg: 'ES256', state: 'active', publicJwk: {}, privateJwkEnc: '', createdAt: now - 1, activatedAt: now - 1, retiredAt: null, expiresAt: null, ...over }) as SigningKey;

  it('is min(900, key_rotation_delay / 4) with no pending transition', () => {
    expect(jwksMaxAge([key({})], settings(), now)).toBe(900);
    expect(jwksMaxAge([key({})], settings({ key_rotation_delay: 400 }), now)).toBe(100);
    expect(jwksMaxAge([key({})], settings({ key_rotation_delay: 0 }), now)).toBe(0);
  });

  it('never reaches past the next key transition (activation, retirement, expiry)', () => {
    const pending = key({ kid: 'n', state: 'next', activatedAt: now + 60_000 });
    expect(jwksMaxAge([key({ retiredAt: now + 60_000 }), pending], settings(), now)).toBe(60);
    expect(jwksMaxAge([key({ state: 'retired', retiredAt: now - 1, expiresAt: now + 30_500 })], settings(), now)).toBe(30);
  });
});
