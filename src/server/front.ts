import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { toNodeHandler, type H3 } from 'h3';
import { appDeps } from './app.ts';
import { setDefaultHeaders } from './middleware/security-headers.ts';
import { malformedRequest, unexpectedFailure } from './respond.ts';
import { checkFragment, checkHost, checkPath, pathOf, type Refusal } from './request-target.ts';
import { surfaceOf } from './surface.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The node:http request handler: the front door every request passes.
 * It refuses a request-target or Host that could be read as another path or
 * that a URL parser would choke on (400, in the shape of the surface the path
 * belongs to) before h3 parses anything, and it answers whatever escapes h3,
 * so that no request can take the process down or reach a route its raw path
 * does not name.
 */
export function frontDoor(app: H3): NodeHandler {
  const h3 = toNodeHandler(app);
  const deps = appDeps(app);
  return (req, res) => {
    const refusal = admit(req);
    if (refusal) {
      void answer(res, refusal.response, 'refused', req, refusal.message);
      return;
    }
    try {
      const pending = h3(req, res) as unknown;
      if (pending instanceof Promise) pending.catch((e: unknown) => escaped(e));
    } catch (e) {
      escaped(e);
    }
    function escaped(e: unknown): void {
      deps?.logger.error({ req_id: randomUUID(), err: { type: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message : undefined } }, 'request failed outside its handler');
      if (!res.headersSent) void answer(res, unexpectedFailure(surfaceOf(pathOf(req.url ?? '/'))), 'unhandled', req);
      else res.destroy();
    }
  };

  function admit(req: IncomingMessage): { response: Response; message: string } | undefined {
    const target = req.url ?? '';
    let refusal: Refusal | undefined = duplicateHost(req) ?? checkHost(req.headers.host);
    if (!refusal && !target.startsWith('/')) refusal = absoluteForm(req);
    if (!refusal) refusal = checkFragment(req.url ?? '') ?? checkPath(pathOf(req.url ?? ''));
    if (!refusal) return undefined;
    // An absolute-form target (RFC 9112 §3.2.2) names its surface by the path after the authority.
    const path = pathOf(target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/');
    return { response: malformedRequest(surfaceOf(path), refusal.message), message: refusal.message };
  }

  async function answer(res: ServerResponse, response: Response, route: string, req: IncomingMessage, reason?: string): Promise<void> {
    const id = randomUUID();
    setDefaultHeaders(response.headers, id);
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    headers['content-length'] = String(body.byteLength);
    // The request was not read: do not keep a connection whose framing we no longer trust.
    headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    deps?.metrics.observe(req.method ?? 'UNKNOWN', route, response.status, 0);
    if (reason) deps?.logger.debug({ req_id: id, method: req.method, status: response.status, reason }, 'request refused');
  }
}

/** RFC 9112 §3.2: more than one Host field line is a 400 (node keeps only the first). */
function duplicateHost(req: IncomingMessage): Refusal | undefined {
  let seen = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.length === 4 && req.rawHeaders[i]!.toLowerCase() === 'host') seen++;
  return seen > 1 ? { status: 400, message: 'The request has more than one Host header.' } : undefined;
}

/**
 * RFC 9112 §3.2.2: an origin server accepts the absolute-form and takes the
 * host from it, ignoring Host. It is rewritten to origin-form so that the
 * rest of the server sees one form.
 */
function absoluteForm(req: IncomingMessage): Refusal | undefined {
  const m = /^https?:\/\/([^/?#]*)([^#]*)$/i.exec(req.url ?? '');
  if (!m) return { status: 400, message: 'The request target must be an absolute path.' };
  const authority = m[1]!;
  const rest = m[2] || '/';
  const refusal = checkHost(authority);
  if (refusal) return refusal;
  if (!rest.startsWith('/')) return { status: 400, message: 'The request target must be an absolute path.' };
  req.headers.host = authority;
  req.url = rest;
  return undefined;
}
