/**
 * A real SMTP server (smtp-server) on a random loopback port that keeps every
 * message it accepts, for tests that need to read what authflow mailed.
 *
 *   const smtp = await startSmtpSink();                 // no auth, no TLS, 127.0.0.1:random
 *   const t = await openTestAuthflow({ smtp });          // test/helpers/server.ts: configures smtp + runs the sender
 *   const h = await serveAuthflow(t, 'node:http');       // (or startAuthflow(transport, { smtp }))
 *   ... make authflow send a message (register, reset, magic link…) ...
 *   const msg = await smtp.waitForMessage('ada@example.test', (m) => m.subject.includes('Reset'));
 *   const link = linkIn(msg);                            // first http(s) URL of the text part
 *   await smtp.close();
 *
 * Messages are parsed minimally: headers (unfolded, RFC 2047 words decoded),
 * `text` and `html` parts (quoted-printable / base64 decoded). `raw` keeps the
 * whole RFC 5322 message. `smtp.failNext(451, '…')` makes the next DATA
 * answer an error (4xx: the sender retries; 5xx: it gives up).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface CapturedMessage {
  /** Envelope sender (MAIL FROM). */
  readonly from: string;
  /** Envelope recipients (RCPT TO), lower-cased. */
  readonly to: readonly string[];
  /** Header name (lower-case) -> value (first occurrence, unfolded, RFC 2047 decoded). */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly raw: string;
  /** The user the client authenticated as (AUTH), if any. */
  readonly user: string | undefined;
}

export interface SmtpSinkOptions {
  /** Require AUTH (PLAIN/LOGIN) with these credentials. */
  readonly auth?: { readonly user: string; readonly password: string };
  /** Extra smtp-server options (e.g. `secure: true` with `key`/`cert`). */
  readonly server?: Partial<SMTPServerOptions>;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** Every accepted message, oldest first. */
  readonly messages: readonly CapturedMessage[];
  /** How many DATA commands were answered (accepted or failed). */
  readonly attempts: number;
  /** Answer the next `times` DATA commands with `code message` instead of accepting them. */
  failNext(code: number, message: string, times?: number): void;
  /** Resolves with the first message (already received or arriving) to `to` matching `predicate`. */
  waitForMessage(to: string, predicate?: (m: CapturedMessage) => boolean, timeoutMs?: number): Promise<CapturedMessage>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: CapturedMessage[] = [];
  const waiters = new Set<() => void>();
  const failures: { code: number; message: string }[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    ...options.server,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) return callback(null, { user: auth.username });
      const err = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts++;
        const fail = failures.shift();
        if (fail) return callback(Object.assign(new Error(fail.message), { responseCode: fail.code }));
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const user = typeof session.user === 'string' ? session.user : undefined;
        messages.push({ ...parseMessage(raw), raw, from, to, user });
        for (const w of waiters) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    messages,
    get attempts() {
      return attempts;
    },
    failNext(code, message, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ code, message });
    },
    waitForMessage(to, predicate = () => true, timeoutMs = 5000) {
      const want = to.toLowerCase();
      const find = () => messages.find((m) => m.to.includes(want) && predicate(m));
      return new Promise((resolve, reject) => {
        const found = find();
        if (found) return resolve(found);
        const check = () => {
          const m = find();
          if (!m) return;
          done();
          resolve(m);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no message to ${to} within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first http(s) URL in the message's text part (else its HTML part, entities decoded). */
export function linkIn(message: CapturedMessage): string {
  const m = /https?:\/\/[^\s"'<>]+/.exec(message.text) ?? /https?:\/\/[^\s"'<>]+/.exec(message.html);
  if (!m) throw new Error(`no link in message "${message.subject}"`);
  return decodeEntities(m[0]);
}

/** The href of every link in the HTML part, entities decoded (the composer escapes `=` as `&#61;`). */
export function hrefsIn(message: CapturedMessage): string[] {
  return [...message.html.matchAll(/href="([^"]*)"/g)].map((m) => decodeEntities(m[1]!));
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** A 4-10 digit code on its own (e.g. "Or enter this code: 123456"), if the text part holds one. */
export function codeIn(message: CapturedMessage): string | undefined {
  return /\b(\d{4,10})\b/.exec(message.text)?.[1];
}

// ---- minimal RFC 5322 / MIME parsing (enough for what nodemailer writes) ----

function parseMessage(raw: string): { headers: Map<string, string>; subject: string; text: string; html: string } {
  const { headers, body } = splitEntity(raw);
  const parts = { text: '', html: '' };
  collectParts(headers, body, parts);
  return { headers, subject: headers.get('subject') ?? '', ...parts };
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const normalized = entity.replace(/\r\n/g, '\n');
  const cut = normalized.indexOf('\n\n');
  const head = cut === -1 ? normalized : normalized.slice(0, cut);
  const body = cut === -1 ? '' : normalized.slice(cut + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeWords(line.slice(i + 1).trim()));
  }
  return { headers, body };
}

function collectParts(headers: Map<string, string>, body: string, out: { text: string; html: string }): void {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
    if (!boundary) return;
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const part = splitEntity(section.replace(/^\n/, ''));
      collectParts(part.headers, part.body, out);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit');
  if (type.startsWith('text/html') && !out.html) out.html = decoded;
  else if (type.startsWith('text/plain') && !out.text) out.text = decoded;
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body.replace(/=\n/g, ''));
    default:
      return body.replace(/\n$/, '');
  }
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? s.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\n$/, '');
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}
