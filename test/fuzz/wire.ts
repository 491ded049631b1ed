import { connect } from 'node:net';

/** One HTTP/1.1 response as read off the socket. */
export interface WireResponse {
  readonly status: number;
  /** Header names lower-cased; a repeated field keeps every value. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
}

export interface WireExchange {
  /** Every response the connection carried, in order (1xx interim responses included). */
  readonly responses: readonly WireResponse[];
  /** Why the bytes received are not a sequence of well-formed responses, if they are not. */
  readonly malformed?: string;
  /** A socket error or a timeout. */
  readonly error?: string;
  readonly ms: number;
}

/**
 * Writes `bytes` exactly as given on a new connection and reads until the
 * first final response is complete (then closes) or the server closes.
 * `halfClose` shuts our side down after writing, so that a body shorter than
 * its Content-Length ends at EOF instead of waiting for the server's timeout.
 */
export function exchange(host: string, port: number, bytes: Buffer, options: { headRequest: boolean; timeoutMs: number; halfClose?: boolean }): Promise<WireExchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      error = `no end of answer within ${options.timeoutMs} ms`;
      socket.destroy();
    }, options.timeoutMs);
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const parsed = parseResponses(Buffer.concat(chunks), options.headRequest);
      resolve({ ...parsed, ...(error ? { error } : {}), ms: performance.now() - started });
    };
    socket.on('connect', () => (options.halfClose ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const parsed = parseResponses(Buffer.concat(chunks), options.headRequest);
      // Complete when a final response parsed in full and nothing after it is pending.
      if (!parsed.malformed && parsed.responses.some((r) => r.status >= 200) && !parsed.openEnded) {
        settle();
        socket.destroy();
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // The server may reset a connection whose request it refused before reading all of it.
      error ??= e.code ?? e.message;
    });
    // The server has said all it will (our side may still be open: allowHalfOpen).
    socket.on('end', () => {
      settle();
      socket.destroy();
    });
    socket.on('close', settle);
  });
}

const STATUS_LINE = /^HTTP\/1\.[01] ([1-5][0-9]{2})(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const FIELD_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([\t\x20-\x7e\x80-\xff]*?)[\t ]*$/;

/** RFC 9112 message parsing of what a server sent, strictly. */
export function parseResponses(raw: Buffer, headRequest: boolean): { responses: WireResponse[]; malformed?: string; openEnded?: boolean } {
  const responses: WireResponse[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at, 'latin1');
    if (end === -1) return { responses, malformed: `incomplete header section: ${JSON.stringify(raw.subarray(at, at + 120).toString('latin1'))}` };
    const lines = raw.subarray(at, end).toString('latin1').split('\r\n');
    const statusLine = STATUS_LINE.exec(lines[0]!);
    if (!statusLine) return { responses, malformed: `bad status line: ${JSON.stringify(lines[0]!.slice(0, 120))}` };
    const status = Number(statusLine[1]);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const m = FIELD_LINE.exec(line);
      if (!m) return { responses, malformed: `bad header line: ${JSON.stringify(line.slice(0, 120))}` };
      const name = m[1]!.toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), m[2]!]);
    }
    at = end + 4;
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    let body: Buffer = Buffer.alloc(0);
    if (headRequest || status < 200 || status === 204 || status === 304) {
      // no content
    } else if (te) {
      if (cl) return { responses, malformed: 'both Transfer-Encoding and Content-Length' };
      if (te.join(',').trim().toLowerCase() !== 'chunked') return { responses, malformed: `unexpected Transfer-Encoding ${te.join(',')}` };
      const chunks: Buffer[] = [];
      for (;;) {
        const eol = raw.indexOf('\r\n', at, 'latin1');
        if (eol === -1) return { responses, malformed: 'truncated chunked body' };
        const sizeText = raw.subarray(at, eol).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return { responses, malformed: `bad chunk size ${JSON.stringify(sizeText)}` };
        const size = Number.parseInt(sizeText, 16);
        at = eol + 2;
        if (size === 0) {
          const trailerEnd = raw.indexOf('\r\n', at, 'latin1');
          if (trailerEnd !== at) return { responses, malformed: 'chunked body without its final CRLF (or with trailers)' };
          at += 2;
          break;
        }
        if (at + size + 2 > raw.length) return { responses, malformed: 'truncated chunk' };
        chunks.push(raw.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(chunks);
    } else if (cl) {
      if (new Set(cl).size !== 1 || !/^[0-9]{1,12}$/.test(cl[0]!)) return { responses, malformed: `bad Content-Length ${cl.join(',')}` };
      const length = Number(cl[0]);
      if (at + length > raw.length) return { responses, malformed: `body shorter than its Content-Length (${raw.length - at} < ${length})` };
      body = raw.subarray(at, at + length);
      at += length;
    } else {
      // Delimited by the end of the connection (RFC 9112 §6.3 item 8).
      responses.push({ status, headers, body: raw.subarray(at) });
      return { responses, openEnded: true };
    }
    responses.push({ status, headers, body });
  }
  return { responses };
}
