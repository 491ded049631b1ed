import { request } from 'node:http';

/**
 * A fetch whose TCP connections leave from `localAddress` (any 127.x.y.z is
 * this machine on Linux): the server sees the request as coming from that
 * address, as it would see two different clients. Redirects are never
 * followed (the tests look at each hop).
 */
export function fetchFrom(localAddress: string): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init = {}) => {
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(init.body as string);
    const headers = Object.fromEntries(new Headers(init.headers));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, localAddress, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
          const status = res.statusCode ?? 0;
          resolve(new Response([101, 204, 205, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
