import { BlockList, isIPv4 } from 'node:net';
import { getRequestIP, type H3Event } from 'h3';
import { normalizeIp } from '../core/abuse/network.ts';

/** The proxies whose X-Forwarded-For / Forwarded headers are believed (config `trusted_proxies`). */
export interface TrustedProxies {
  trusts(ip: string): boolean;
  readonly any: boolean;
}

/** A matcher for CIDRs and single addresses (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`), validated by the config loader. */
export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const c of cidrs) {
    const [address, bits] = c.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return {
    any: cidrs.length > 0,
    trusts: (ip) => cidrs.length > 0 && list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6'),
  };
}

/** Whether the socket peer is one of the trusted proxies (whose X-Request-Id, X-Forwarded-For, Forwarded are believed). */
export function fromTrustedProxy(event: H3Event, trusted: TrustedProxies): boolean {
  const peer = trusted.any ? normalizeIp(getRequestIP(event)) : undefined;
  return peer !== undefined && trusted.trusts(peer);
}

/**
 * The client's address: the socket peer, or — only when the peer is a
 * trusted proxy — the nearest address in X-Forwarded-For (else the RFC 7239
 * Forwarded `for=`) that is not itself a trusted proxy, read from the right
 * (entries to the left of an untrusted hop are whatever the client wrote).
 * Null when unknown (in-process requests).
 */
export function clientIp(event: H3Event, trusted: TrustedProxies): string | null {
  const peer = normalizeIp(getRequestIP(event));
  if (!peer || !trusted.any || !trusted.trusts(peer)) return peer ?? null;
  const chain = forwardedChain(event.req.headers);
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = normalizeIp(chain[i]);
    // A malformed entry: nothing to its left can be believed either; the last trusted hop is what we know.
    if (!hop) return peer;
    if (!trusted.trusts(hop)) return hop;
  }
  return normalizeIp(chain[0]) ?? peer;
}

function forwardedChain(headers: Headers): string[] {
  const xff = headers.get('x-forwarded-for');
  if (xff) return xff.split(',').map((s) => s.trim());
  const forwarded = headers.get('forwarded');
  if (!forwarded) return [];
  // RFC 7239 §4: for=192.0.2.60, for="[2001:db8::1]:4711", for=unknown; other parameters ignored.
  return forwarded.split(',').map((element) => {
    const m = /(?:^|;)\s*for=("?)([^";,]*)\1/i.exec(element);
    const node = m?.[2] ?? '';
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
    if (bracketed) return bracketed[1]!;
    return /^[\d.]+:\d+$/.test(node) ? node.replace(/:\d+$/, '') : node;
  });
}
