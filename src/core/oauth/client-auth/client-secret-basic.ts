import type { ClientAuthMethod, ClientAuthRequest } from './method.ts';
import { authFailed, formUrlDecode, secretMatches } from './internal/credentials.ts';

const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/**
 * RFC 6749 §2.3.1 client_secret_basic: HTTP Basic (RFC 7617) whose user and
 * password are the client_id and secret, each form-urlencoded first.
 */
export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',
  presented: (req) => req.authorization !== null,
  claimedClientId: (req) => credentials(req)?.id,
  async verify(req, client, deps) {
    const c = credentials(req);
    if (!c) throw authFailed();
    if (!secretMatches(client, c.secret, deps.clock.now())) throw authFailed();
  },
};

/** The decoded id and secret, or undefined when the header is not well-formed Basic credentials. */
function credentials(req: ClientAuthRequest): { id: string; secret: string } | undefined {
  const m = BASIC.exec(req.authorization ?? '');
  if (!m) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(m[1]!, 'base64'));
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const id = formUrlDecode(text.slice(0, colon));
  const secret = formUrlDecode(text.slice(colon + 1));
  return id && secret ? { id, secret } : undefined;
}
