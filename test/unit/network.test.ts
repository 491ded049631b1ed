import { describe, expect, it } from 'vitest';
import { networkOf, normalizeIp } from '../../src/core/abuse/network.ts';
import { accountPolicy, pairPolicy } from '../../src/core/abuse/lockout.ts';
import { tenantSettingsSchema } from '../../src/core/tenants/settings.ts';

describe('client addresses for budgets', () => {
  it('normalizes IPv4-mapped IPv6 to IPv4, lower-cases IPv6, refuses what is not an address', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(normalizeIp('192.0.2.300')).toBeUndefined();
    expect(normalizeIp('unknown')).toBeUndefined();
    expect(normalizeIp(null)).toBeUndefined();
  });

  it('groups IPv4 by /24 and IPv6 by /64, whatever the notation', () => {
    expect(networkOf('192.0.2.77')).toBe('192.0.2.0/24');
    expect(networkOf('::ffff:192.0.2.77')).toBe('192.0.2.0/24');
    expect(networkOf('2001:db8:0:1:2:3:4:5')).toBe('2001:db8:0:1::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('2001:0db8:0000:0000::ffff')).toBe('2001:db8:0:0::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
    expect(networkOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(networkOf('garbage')).toBeUndefined();
  });
});

describe('lockout policies from the tenant settings', () => {
  it('defaults: 5 free tries, then 1, 2, 4, 8 minutes, then the 15-minute lock; 100 in a row per account (NIST SP 800-63B §5.2.2)', () => {
    const l = tenantSettingsSchema.parse({}).lockout;
    expect(pairPolicy(l)).toEqual({ free: 5, waits: [60_000, 120_000, 240_000, 480_000, 900_000], windowMs: 43_200_000 });
    expect(accountPolicy(l)).toEqual({ free: 100, waits: [43_200_000], windowMs: 43_200_000 });
  });

  it('a first wait equal to the maximum is a lock at once; the account cap cannot exceed 100', () => {
    expect(pairPolicy(tenantSettingsSchema.parse({ lockout: { first_wait: 300, max_wait: 300 } }).lockout).waits).toEqual([300_000]);
    expect(() => tenantSettingsSchema.parse({ lockout: { account_max_failures: 101 } })).toThrow();
    expect(() => tenantSettingsSchema.parse({ lockout: { first_wait: 600, max_wait: 60 } })).toThrow(/max_wait must be at least first_wait/);
  });
});
