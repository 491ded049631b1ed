// Hashes made by other systems (docs/security.md: "imported bcrypt/argon2 hashes
// verify and are upgraded on next login"): each accepted format verifies the
// right password and refuses a wrong one; malformed hashes and hashes whose
// cost would make a sign-in a denial of service are refused up front.
import { pbkdf2Sync, scryptSync } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, inspectPasswordHash, verifyPasswordHash } from '../../src/crypto/index.ts';

const PW = 'correct horse battery staple';
const WRONG = 'correct horse battery stapler';
// Bytes whose standard base64 has '+' and '/' in it, to tell the two alphabets apart.
const SALT = Buffer.from('fbefbeffff00112233445566778899aa', 'hex');
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
/** passlib's "adapted base64": '.' instead of '+', no padding. */
const ab64 = (b: Buffer) => b64(b).replaceAll('+', '.');

async function formats(): Promise<Record<string, string>> {
  const scrypt = scryptSync(PW, SALT, 32, { N: 2 ** 10, r: 8, p: 1 });
  const pb = (digest: string, len: number) => pbkdf2Sync(PW, SALT, 1000, len, digest);
  const bc = await bcrypt.hash(PW, 4);
  return {
    argon2id: await argon2Hash(PW, { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    argon2i: await argon2Hash(PW, { algorithm: 1, memoryCost: 2048, timeCost: 2, parallelism: 2 }),
    'bcrypt $2b$': bc,
    'bcrypt $2a$': bc.replace(/^\$2b\$/, '$2a$'),
    'bcrypt $2y$ (PHP)': bc.replace(/^\$2b\$/, '$2y$'),
    'scrypt (standard base64)': `$scrypt$ln=10,r=8,p=1$${b64(SALT)}$${b64(scrypt)}`,
    'scrypt (passlib adapted base64)': `$scrypt$ln=10,r=8,p=1$${ab64(SALT)}$${ab64(scrypt)}`,
    'pbkdf2-sha256 i=': `$pbkdf2-sha256$i=1000$${b64(SALT)}$${b64(pb('sha256', 32))}`,
    'pbkdf2-sha256 (passlib)': `$pbkdf2-sha256$1000$${ab64(SALT)}$${ab64(pb('sha256', 32))}`,
    'pbkdf2-sha512 (passlib)': `$pbkdf2-sha512$1000$${ab64(SALT)}$${ab64(pb('sha512', 64))}`,
    'pbkdf2-sha1': `$pbkdf2-sha1$i=1000$${b64(SALT)}$${b64(pb('sha1', 20))}`,
    '$pbkdf2$ (passlib pbkdf2_sha1)': `$pbkdf2$1000$${ab64(SALT)}$${ab64(pb('sha1', 20))}`,
  };
}

describe('foreign password hashes', () => {
  it('each accepted format verifies the right password and refuses a wrong one', async () => {
    const all = await formats();
    for (const [name, encoded] of Object.entries(all)) {
      expect(inspectPasswordHash(encoded), name).toMatchObject({ ok: true });
      expect(await verifyPasswordHash(encoded, PW), name).toBe(true);
      expect(await verifyPasswordHash(encoded, WRONG), name).toBe(false);
      expect(await verifyPasswordHash(encoded, ''), name).toBe(false);
    }
    expect(inspectPasswordHash(all['pbkdf2-sha512 (passlib)']!)).toEqual({ ok: true, format: 'pbkdf2-sha512' });
    expect(inspectPasswordHash(all['$pbkdf2$ (passlib pbkdf2_sha1)']!)).toEqual({ ok: true, format: 'pbkdf2-sha1' });
  });

  it("verifies passlib's own documented example (pbkdf2_sha256, password \"password\")", async () => {
    const passlib = '$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M';
    expect(await verifyPasswordHash(passlib, 'password')).toBe(true);
    expect(await verifyPasswordHash(passlib, 'Password')).toBe(false);
  });

  it('refuses malformed and unknown hashes (never verifies them)', async () => {
    const all = await formats();
    const bad = [
      '',
      'plaintext-password',
      '5f4dcc3b5aa765d61d8327deb882cf99', // unsalted MD5
      '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
      '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/', // md5-crypt
      '$6$rounds=5000$salt$hash', // sha512-crypt
      all['bcrypt $2b$']!.slice(0, -1), // truncated
      '$2x$04$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf',
      '$scrypt$ln=10,r=8$c2FsdA$aGFzaA', // no p
      '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA', // hash shorter than 16 bytes
      '$pbkdf2-md5$1000$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
      '$pbkdf2-sha256$1000$c2Fs!A$aGFzaGhhc2hoYXNoaGFzaA',
      '$argon2id$v=19$m=1024,t=1$c2FsdHNhbHQ$aGFzaGhhc2g', // no p
      `$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$${'A'.repeat(1100)}`, // absurdly long
    ];
    for (const encoded of bad) {
      const r = inspectPasswordHash(encoded);
      expect(r.ok, encoded).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^(is|has) /);
      expect(await verifyPasswordHash(encoded, PW)).toBe(false);
    }
  });

  it('refuses hashes whose cost would make each sign-in a denial of service, without running them', async () => {
    const salt = b64(SALT);
    const over = {
      'bcrypt cost 16': '$2b$16$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf',
      'bcrypt cost 31': '$2b$31$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf',
      'scrypt N = 2^21': `$scrypt$ln=21,r=8,p=1$${salt}$${b64(Buffer.alloc(32, 1))}`,
      'scrypt 128·N·r over 1 GiB': `$scrypt$ln=20,r=16,p=1$${salt}$${b64(Buffer.alloc(32, 1))}`,
      'pbkdf2 10,000,001 iterations': `$pbkdf2-sha256$i=10000001$${salt}$${b64(Buffer.alloc(32, 1))}`,
      'argon2 m = 1 GiB': `$argon2id$v=19$m=1048576,t=2,p=1$${salt}$${b64(Buffer.alloc(32, 1))}`,
      'argon2 t = 100': `$argon2id$v=19$m=19456,t=100,p=1$${salt}$${b64(Buffer.alloc(32, 1))}`,
    };
    for (const [name, encoded] of Object.entries(over)) {
      const r = inspectPasswordHash(encoded);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.reason, name).toMatch(/range|accepted/);
      const started = performance.now();
      expect(await verifyPasswordHash(encoded, PW), name).toBe(false);
      expect(performance.now() - started, name).toBeLessThan(50);
    }
    // The limits themselves are accepted.
    expect(inspectPasswordHash('$2b$15$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf').ok).toBe(true);
    expect(inspectPasswordHash(`$pbkdf2-sha256$i=10000000$${salt}$${b64(Buffer.alloc(32, 1))}`).ok).toBe(true);
    expect(inspectPasswordHash(`$scrypt$ln=20,r=8,p=1$${salt}$${b64(Buffer.alloc(32, 1))}`).ok).toBe(true);
  });

  it('PasswordHasher.verify dispatches by prefix; needsRehash is true for everything but argon2id with the current parameters', async () => {
    const hasher = createPasswordHasher({ memoryCost: 1536, timeCost: 1, parallelism: 1 });
    const current = await hasher.hash(PW);
    expect(hasher.needsRehash(current)).toBe(false);
    expect(await hasher.verify(current, PW)).toBe(true);
    for (const [name, encoded] of Object.entries(await formats())) {
      expect(await hasher.verify(encoded, PW), name).toBe(true);
      expect(await hasher.verify(encoded, WRONG), name).toBe(false);
      expect(hasher.needsRehash(encoded), name).toBe(true);
    }
    // Our own argon2id hashes verify whatever parameters the config once had (no import caps on them).
    const heavy = await argon2Hash(PW, { algorithm: 2, memoryCost: 64, timeCost: 17, parallelism: 1 }); // t over the import cap
    expect(inspectPasswordHash(heavy).ok).toBe(false);
    expect(await hasher.verify(heavy, PW)).toBe(true);
  });
});
