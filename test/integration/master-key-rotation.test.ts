// docs/security.md, recoverable secrets secrets: AES-256-GCM under a master key ring with a
// rotation command. `secrets rotate-master-key` re-encrypts every secret
// without downtime: a running server follows the rewritten key file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type Serving } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { signingKeyContext } from '../../src/core/keys/signing-key.ts';
import { parseKeyRing } from '../../src/crypto/index.ts';
import { runCli } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

describe.each(DATABASES)('master key rotation (%s)', (database) => {
  let t: TestAuthflow | undefined;
  let serving: Serving | undefined;
  afterEach(async () => {
    await serving?.stop();
    await t?.close();
    serving = t = undefined;
  });

  it('re-encrypts every signing key under a new key; a running server keeps working and writes under the new key', async () => {
    t = await openTestAuthflow({ database });
    serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
    const keyFile = join(t.dataDir, 'master.key');
    const oldId = readFileSync(keyFile, 'utf8').split(':')[0]!;
    const env = t.config.database.kind === 'postgres' ? { AUTHFLOW_DATABASE_URL: t.config.database.url } : {};

    const r = await runCli(['--data-dir', t.dataDir, '--json', '--yes', 'secrets', 'rotate-master-key', '--drop-old'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ active_key_id: string; reencrypted: { signing_keys: number }; dropped: string[] }>();
    expect(out.reencrypted.signing_keys).toBe(2);
    expect(out.dropped).toEqual([oldId]);

    // Only the new key is left in the file, and it is private.
    const ring = parseKeyRing(readFileSync(keyFile, 'utf8'));
    expect(ring.ids).toEqual([out.active_key_id]);
    expect(ring.ids).not.toContain(oldId);

    // The running server (which loaded the old ring) rotates a signing key through its API …
    const { token } = await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'ops', scopes: ['keys:write'] });
    const res = await fetch(`${serving.url}/api/v1/tenants/main/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ alg: 'EdDSA' }),
    });
    expect(res.status).toBe(201);

    // … and every private key in the database, old and new, decrypts with the new ring alone.
    const tenant = (await t.af.repo.tenants.bySlug('main'))!;
    const keys = await t.af.repo.signingKeys.listByTenant(tenant.id);
    expect(keys).toHaveLength(3);
    for (const k of keys) {
      expect(ring.keyIdOf(k.privateJwkEnc)).toBe(out.active_key_id);
      const jwk = JSON.parse(ring.decrypt(k.privateJwkEnc, signingKeyContext(k.tenantId, k.kid))) as { kid: string; d?: string };
      expect(jwk.kid).toBe(k.kid);
      expect(jwk.d).toBeTruthy();
    }
    // The server itself still decrypts them (it followed the file).
    for (const k of keys) expect(() => t!.af.keyRing.decrypt(k.privateJwkEnc, signingKeyContext(k.tenantId, k.kid))).not.toThrow();
  });

  it('a second run finds nothing left under an old key; with AUTHFLOW_MASTER_KEY it refuses and says what to do', async () => {
    t = await openTestAuthflow({ database });
    const env = t.config.database.kind === 'postgres' ? { AUTHFLOW_DATABASE_URL: t.config.database.url } : {};
    const again = await runCli(['--data-dir', t.dataDir, '--json', 'secrets', 'reencrypt'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<{ reencrypted: { signing_keys: number } }>().reencrypted.signing_keys).toBe(0);

    const fromEnv = await runCli(['--data-dir', t.dataDir, 'secrets', 'rotate-master-key'], { env: { ...env, AUTHFLOW_MASTER_KEY: readFileSync(join(t.dataDir, 'master.key'), 'utf8').trim() } });
    expect(fromEnv.code).toBe(6);
    expect(fromEnv.stderr).toMatch(/generate-master-key/);
  });
});
