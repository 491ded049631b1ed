import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends bytes exactly as written (no client normalises the path or the
 * headers) and reads one response. `head` is the request line and header
 * lines without the final blank line; `Connection: close` is added.
 */
export function rawRequest(url: string, head: string, body = '', options: { timeoutMs?: number } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${options.timeoutMs ?? 5000} ms to ${head.split('\r\n')[0]}`)), options.timeoutMs ?? 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`no HTTP response to ${head.split('\r\n')[0]}: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const raw = text.slice(end + 4);
      const body = headers['transfer-encoding'] === 'chunked' ? unchunk(raw) : raw;
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') });
    });
    socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/** Opens a connection, sends `head` and part of a body, then drops the connection. */
export function abortMidBody(url: string, head: string, partialBody: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${head}\r\n\r\n${partialBody}`, () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** RFC 9112 §7.1 chunked transfer coding, decoded (no trailers). */
function unchunk(raw: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.slice(at, eol), 16);
    if (!size) return out;
    out += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
