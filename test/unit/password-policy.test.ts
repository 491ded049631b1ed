// NIST SP 800-63B §5.1.1.2 as the tenant's password policy: length bounds,
// the shipped list of common passwords (case-insensitive), not the user's
// own email, and no composition rules.
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../src/core/errors.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { checkPasswordPolicy, isCommonPassword, MAX_PASSWORD_LENGTH } from '../../src/core/users/password-policy.ts';

const tenant = (password_policy?: Record<string, unknown>): Tenant => ({ id: 't1', slug: 'acme', name: 'Acme', customDomain: null, settings: password_policy ? { password_policy } : {}, createdAt: 0, updatedAt: 0 });

function refusal(t: Tenant, password: string, email?: string): string | undefined {
  try {
    checkPasswordPolicy(t, password, { email });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailed);
    expect((e as ValidationFailed).field).toBe('password');
    return (e as Error).message;
  }
}

describe('checkPasswordPolicy', () => {
  it('§5.1.1.2: at least min_length characters (default 8), counted in code points', () => {
    expect(refusal(tenant(), 'x7#kq2!')).toMatch(/^password: must be at least 8 characters/);
    expect(refusal(tenant(), 'x7#kq2!m')).toBeUndefined();
    // Four emoji are four characters, not eight UTF-16 units.
    expect(refusal(tenant(), '🐙🦑🦀🐚🐠🐡🐟')).toMatch(/at least 8/);
    expect(refusal(tenant({ min_length: 12 }), 'x7#kq2!m-zz')).toMatch(/at least 12 characters .*password_policy\.min_length/);
    expect(refusal(tenant({ min_length: 12 }), 'x7#kq2!m-zzz')).toBeUndefined();
  });

  it(`at most ${MAX_PASSWORD_LENGTH} characters (§5.1.1.2 asks for at least 64)`, () => {
    expect(refusal(tenant(), 'v'.repeat(MAX_PASSWORD_LENGTH) + 'w')).toMatch(/at most 256 characters/);
    expect(refusal(tenant(), 'qz'.repeat(MAX_PASSWORD_LENGTH / 2))).toBeUndefined();
  });

  it('§5.1.1.2: refuses the most common passwords, whatever their case; refuse_common: false allows them', () => {
    for (const p of ['password', 'PASSWORD', 'Password1', 'iloveyou', 'QwErTyUiOp', 'trustno1', '123456789']) {
      expect(refusal(tenant(), p), p).toBe('password: is one of the most commonly used passwords; choose one that is harder to guess');
    }
    expect(refusal(tenant({ refuse_common: false }), 'password')).toBeUndefined();
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
  });

  it("refuses the user's own email address (any case, surrounding spaces)", () => {
    expect(refusal(tenant(), ' Ada@Example.com ', 'ada@example.com')).toBe('password: must not be your email address');
    expect(refusal(tenant(), 'ada@example.com-2', 'ada@example.com')).toBeUndefined();
  });

  it('§5.1.1.2: no composition rules (lower-case letters only, or digits and spaces, are fine when long and uncommon)', () => {
    expect(refusal(tenant(), 'correct horse battery staple')).toBeUndefined();
    expect(refusal(tenant(), 'zebracandlemoss')).toBeUndefined();
    expect(refusal(tenant(), '8 2 7 4 1 9 3 6')).toBeUndefined();
  });

  it('is fast after the first call (the list is built once)', () => {
    isCommonPassword('warm-up');
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) isCommonPassword(`uncommon-${i}-passphrase`);
    // Generous for a shared CI machine: a lookup is a Set probe, well under a microsecond.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
