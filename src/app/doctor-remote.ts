import { connect, type PeerCertificate } from 'node:tls';
import type { Check } from './doctor.ts';

/** Clock difference above which tokens start failing for some relying parties (their own leeway is often 30 s or less). */
const MAX_SKEW_MS = 30_000;
const TIMEOUT_MS = 5_000;

interface ServerStatus {
  readonly version: string;
  readonly commit: string;
  readonly time: string;
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
  readonly public_url: string;
}

/**
 * Checks a running server the way a client of it sees it: TLS, readiness, the API key, the version it runs
 * and its clock. Reads only what the management API and /readyz answer; never the local data dir.
 */
export async function diagnoseRemote(options: { url: URL; apiKey: string; localVersion: string; now?: () => number }): Promise<Check[]> {
  const now = options.now ?? Date.now;
  const base = options.url.href.replace(/\/+$/, '');
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  if (options.url.protocol === 'https:') add(await tlsCheck(options.url));
  else add({ name: 'tls', status: 'warn', detail: `${base} is plain http: the API key and tokens cross the network in clear`, fix: 'reach the server through https' });

  let ready: Response;
  try {
    ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (e) {
    add({ name: 'reachable', status: 'fail', detail: `no answer from ${base}: ${causeOf(e)}`, fix: 'check the URL, that "authflow serve" runs, and any proxy or firewall in between' });
    return checks;
  }
  const readyBody = (await ready.json().catch(() => null)) as { checks?: ServerStatus['checks'] } | null;
  if (ready.status === 200) add({ name: 'readiness', status: 'ok', detail: `${base}/readyz answers 200` });
  else add({ name: 'readiness', status: 'fail', detail: `${base}/readyz answers ${ready.status}${failing(readyBody?.checks)}`, fix: 'run "authflow doctor" on the server for the details' });

  const sentAt = now();
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/server`, { headers: { authorization: `Bearer ${options.apiKey}` }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (e) {
    add({ name: 'api', status: 'fail', detail: `the management API did not answer: ${causeOf(e)}`, fix: 'check the URL and any proxy in front of /api/v1' });
    return checks;
  }
  const receivedAt = now();
  if (res.status === 401) {
    add({ name: 'api key', status: 'fail', detail: 'the server refused the API key (401)', fix: 'set AUTHFLOW_API_KEY to a key of this server that is not revoked or expired' });
    return checks;
  }
  if (res.status !== 200) {
    add({ name: 'api', status: 'fail', detail: `GET ${base}/api/v1/server answered ${res.status}`, fix: 'is this an authflow server of this version or later?' });
    return checks;
  }
  const status = (await res.json()) as ServerStatus;
  add({ name: 'api key', status: 'ok', detail: 'accepted by the management API' });
  add(
    status.version === options.localVersion
      ? { name: 'version', status: 'ok', detail: `authflow ${status.version} (commit ${status.commit}), as this CLI` }
      : { name: 'version', status: 'warn', detail: `the server runs authflow ${status.version} (commit ${status.commit}); this CLI is ${options.localVersion}`, fix: 'upgrade the older of the two' },
  );
  // The server's clock against the middle of the round trip.
  const skew = Date.parse(status.time) - (sentAt + receivedAt) / 2;
  add(
    Math.abs(skew) <= MAX_SKEW_MS
      ? { name: 'clock', status: 'ok', detail: `the server's clock is within ${Math.max(1, Math.round(Math.abs(skew) / 1000))} s of this machine's` }
      : { name: 'clock', status: 'fail', detail: `the server's clock is ${Math.round(skew / 1000)} s away from this machine's`, fix: 'synchronise both clocks (NTP): tokens carry times' },
  );
  if (status.public_url.replace(/\/+$/, '') !== base) add({ name: 'public url', status: 'warn', detail: `the server's public URL is ${status.public_url}, not ${base}`, fix: 'fine behind an internal address; otherwise pass --url with the public URL' });
  return checks;
}

function failing(checks: ServerStatus['checks'] | undefined): string {
  const bad = Object.entries(checks ?? {}).filter(([, c]) => !c.ok);
  return bad.length ? ` (${bad.map(([name, c]) => `${name}: ${c.detail ?? 'failing'}`).join('; ')})` : '';
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** The certificate the server presents: trusted, for its name, and not about to expire. */
async function tlsCheck(url: URL): Promise<Check> {
  const port = Number(url.port || 443);
  return new Promise<Check>((resolve) => {
    const socket = connect({ host: url.hostname, port, servername: url.hostname, timeout: TIMEOUT_MS }, () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      const authorized = socket.authorized;
      const error = socket.authorizationError;
      socket.end();
      if (!authorized) return resolve({ name: 'tls', status: 'fail', detail: `the certificate of ${url.host} is not trusted: ${String(error)}`, fix: 'install a certificate from a CA clients trust (or set NODE_EXTRA_CA_CERTS for a private CA)' });
      const days = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
      resolve(days < 14 ? { name: 'tls', status: 'warn', detail: `the certificate of ${url.host} expires in ${days} day(s) (${cert.valid_to})`, fix: 'renew it' } : { name: 'tls', status: 'ok', detail: `trusted certificate for ${url.host}, valid for ${days} more days` });
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve({ name: 'tls', status: 'fail', detail: `no TLS handshake with ${url.host} within ${TIMEOUT_MS / 1000} s`, fix: 'check the URL and the proxy in front of authflow' });
    });
    socket.on('error', (e) => resolve({ name: 'tls', status: 'fail', detail: `TLS with ${url.host} failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`, fix: 'check the URL and the certificate' }));
  });
}
