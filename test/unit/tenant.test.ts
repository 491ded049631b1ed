import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../src/core/errors.ts';
import { discoveryUrlOf, issuerOf, RESERVED_SLUGS, validateSlug } from '../../src/core/tenants/tenant.ts';

function slugError(slug: string): ValidationFailed {
  try {
    validateSlug(slug);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailed);
    return e as ValidationFailed;
  }
  throw new Error(`"${slug}" was accepted`);
}

describe('validateSlug: a lower-case DNS label (RFC 1035 §2.3.1, RFC 1123 §2.1)', () => {
  it.each(['acme', 'a', 'z9', 'acme-corp', 'a-b-c', 'xn--bcher-kva', 'tenant2', 'a'.repeat(63), `a${'-'.repeat(61)}b`])('accepts %j', (slug) => {
    expect(validateSlug(slug)).toBe(slug);
  });

  it.each([
    ['empty', ''],
    ['64 characters (RFC 1035 §2.3.4: labels are 63 octets or less)', 'a'.repeat(64)],
    ['a leading hyphen', '-acme'],
    ['a trailing hyphen', 'acme-'],
    ['only a hyphen', '-'],
    ['upper case', 'Acme'],
    ['an underscore', 'acme_corp'],
    ['a dot', 'acme.corp'],
    ['a slash', 'acme/corp'],
    ['a space', 'acme corp'],
    ['surrounding whitespace', ' acme'],
    ['a trailing newline', 'acme\n'],
    ['a percent-encoded character', 'acme%2e'],
    ['non-ASCII', 'bücher'],
    ['a homoglyph', 'аcme'], // Cyrillic а
    ['path traversal', '..'],
  ])('rejects %s', (_, slug) => {
    const e = slugError(slug);
    expect(e.code).toBe('validation_failed');
    expect(e.field).toBe('slug');
    expect(e.message).toMatch(/^slug: /);
  });

  it('rejects every reserved word, naming it', () => {
    expect(RESERVED_SLUGS.size).toBeGreaterThan(0);
    for (const slug of RESERVED_SLUGS) {
      const e = slugError(slug);
      expect(e.field).toBe('slug');
      expect(e.message).toBe(`slug: "${slug}" is reserved`);
    }
  });

  it('reserves the instance-level path segments (docs/cli.md: /api/v1, /healthz, /readyz, /metrics, /t/…)', () => {
    for (const word of ['api', 'healthz', 'readyz', 'metrics', 't', 'admin', 'well-known']) expect(RESERVED_SLUGS.has(word)).toBe(true);
  });

  it('only reserves valid slugs (an unreachable entry would hide a typo)', () => {
    for (const slug of RESERVED_SLUGS) expect(slug).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

describe('issuerOf (OIDC Discovery §4: discovery at {issuer}/.well-known/openid-configuration)', () => {
  it('is {public_url}/t/{slug} without a custom domain', () => {
    expect(issuerOf({ slug: 'acme', customDomain: null }, 'https://id.example.com')).toBe('https://id.example.com/t/acme');
    expect(issuerOf({ slug: 'acme', customDomain: null }, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/t/acme');
  });

  it('keeps a path in the public URL', () => {
    expect(issuerOf({ slug: 'acme', customDomain: null }, 'https://example.com/auth')).toBe('https://example.com/auth/t/acme');
  });

  it("is https://{custom domain} when the tenant has one, whatever the public URL", () => {
    expect(issuerOf({ slug: 'acme', customDomain: 'login.acme.com' }, 'http://127.0.0.1:8080')).toBe('https://login.acme.com');
  });

  it('has no trailing slash, so discovery and endpoint URLs join cleanly', () => {
    const issuer = issuerOf({ slug: 'acme', customDomain: null }, 'https://id.example.com');
    expect(issuer.endsWith('/')).toBe(false);
    expect(discoveryUrlOf(issuer)).toBe('https://id.example.com/t/acme/.well-known/openid-configuration');
    expect(discoveryUrlOf(issuerOf({ slug: 'acme', customDomain: 'login.acme.com' }, 'https://x'))).toBe('https://login.acme.com/.well-known/openid-configuration');
  });
});
