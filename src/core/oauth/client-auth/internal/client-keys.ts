import type { JSONWebKeySet } from '../../../../crypto/index.ts';
import { readAtMost } from '../../../bounded-read.ts';
import type { Client } from '../../../clients/client.ts';
import type { Clock } from '../../../clock.ts';

/** A client's public keys for private_key_jwt: its registered `jwks`, or what its `jwks_uri` serves. */
export interface ClientKeys {
  /** `refresh`: fetch `jwks_uri` again unless it was fetched very recently (a kid it does not know may be new). */
  keysOf(client: Client, options?: { refresh?: boolean }): Promise<JSONWebKeySet | undefined>;
}

export interface ClientKeysOptions {
  readonly clock: Clock;
  /** The fetch used for jwks_uri (an operator-configured URL, docs/security.md "Air-gapped"). */
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** How long a fetched key set is used before it is fetched again. */
  readonly ttlMs?: number;
  /** The shortest interval between two fetches of one URL (a forced refresh included). */
  readonly minIntervalMs?: number;
}

interface Entry {
  jwks: JSONWebKeySet | undefined;
  fetchedAt: number;
  pending: Promise<JSONWebKeySet | undefined> | undefined;
}

const MAX_ENTRIES = 1000;

/**
 * Fetches and caches `jwks_uri` key sets: a timeout, a size limit, no
 * redirects, a TTL, and at most one fetch per URL at a time and per
 * `minIntervalMs`. A failed fetch keeps serving the last good set.
 */
export function createClientKeys(options: ClientKeysOptions): ClientKeys {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const minIntervalMs = options.minIntervalMs ?? 30_000;
  const cache = new Map<string, Entry>();

  const load = async (uri: string): Promise<JSONWebKeySet | undefined> => {
    try {
      const res = await doFetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/jwk-set+json, application/json' } });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        return undefined;
      }
      const jwks = JSON.parse(await readText(res, maxBytes)) as unknown;
      return isKeySet(jwks) ? jwks : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    async keysOf(client, opts = {}) {
      if (client.jwks) return client.jwks;
      const uri = client.jwksUri;
      if (!uri) return undefined;
      const now = options.clock.now();
      let entry = cache.get(uri);
      const stale = !entry || now - entry.fetchedAt >= ttlMs || (opts.refresh === true && now - entry.fetchedAt >= minIntervalMs);
      if (entry && !stale) return entry.jwks;
      if (!entry) {
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
        entry = { jwks: undefined, fetchedAt: 0, pending: undefined };
        cache.set(uri, entry);
      }
      const e = entry;
      e.pending ??= load(uri).then((jwks) => {
        e.fetchedAt = options.clock.now();
        if (jwks) e.jwks = jwks;
        e.pending = undefined;
        return e.jwks;
      });
      return e.pending;
    },
  };
}

async function readText(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > limit) throw new Error('too large');
  return new TextDecoder('utf-8', { fatal: true }).decode(await readAtMost(res.body, limit, () => new Error('too large')));
}

function isKeySet(v: unknown): v is JSONWebKeySet {
  return typeof v === 'object' && v !== null && Array.isArray((v as { keys?: unknown }).keys) && (v as { keys: unknown[] }).keys.every((k) => typeof k === 'object' && k !== null && !('d' in k) && !('k' in k));
}
