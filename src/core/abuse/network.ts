import { isIPv4, isIPv6 } from 'node:net';

/** An address as counters key it: IPv4-mapped IPv6 (::ffff:192.0.2.1) as plain IPv4, IPv6 lower-case; undefined when not an IP address. */
export function normalizeIp(ip: string | null | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1];
  if (isIPv4(ip)) return ip;
  return isIPv6(ip) ? ip.toLowerCase() : undefined;
}

/**
 * The network an address belongs to for per-network budgets: its /24
 * (IPv4) or /64 (IPv6, one subscriber's allocation), e.g. `192.0.2.0/24`,
 * `2001:db8:0:1::/64`; undefined when `ip` is not an address.
 */
export function networkOf(ip: string | null | undefined): string | undefined {
  const a = normalizeIp(ip);
  if (!a) return undefined;
  if (isIPv4(a)) return `${a.split('.').slice(0, 3).join('.')}.0/24`;
  const groups = expandIpv6(a).slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ''));
  return `${groups.join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part becomes two groups). */
function expandIpv6(a: string): string[] {
  let text = a;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}
