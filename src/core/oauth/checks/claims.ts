import { InvalidRequest } from '../errors.ts';
import { isOpenId } from '../authorization-request.ts';
import { param, type CheckContext } from '../authorize/context.ts';

const TARGETS = ['id_token', 'userinfo'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * OIDC Core §5.5 claims parameter: a JSON object whose `id_token` and
 * `userinfo` members map claim names to null or to `{ essential, value,
 * values }`. Malformed → invalid_request. Essential claim names are recorded
 * (§5.5.1); the claims themselves are released at the token and userinfo
 * endpoints. Only for OpenID Connect requests.
 */
export function checkClaims(ctx: CheckContext): void {
  ctx.request.claims = null;
  ctx.request.essentialClaims = { idToken: [], userinfo: [] };
  const raw = param(ctx, 'claims');
  if (raw === undefined) return;
  if (!isOpenId({ scopes: ctx.request.scopes ?? [] })) throw new InvalidRequest('the claims parameter needs the openid scope');
  if (raw.length > 4000) throw new InvalidRequest('the claims parameter is too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequest('the claims parameter is not valid JSON');
  }
  if (!isObject(parsed)) throw new InvalidRequest('the claims parameter must be a JSON object');
  const claims: Record<string, unknown> = {};
  const essential = { idToken: [] as string[], userinfo: [] as string[] };
  for (const target of TARGETS) {
    const member = parsed[target];
    if (member === undefined) continue;
    if (!isObject(member)) throw new InvalidRequest(`claims.${target} must be a JSON object`);
    for (const [name, spec] of Object.entries(member)) {
      if (spec !== null && !isObject(spec)) throw new InvalidRequest(`claims.${target}.${name.slice(0, 40)} must be null or an object`);
      if (isObject(spec)) {
        if (spec.essential !== undefined && typeof spec.essential !== 'boolean') throw new InvalidRequest(`claims.${target}.${name.slice(0, 40)}.essential must be a boolean`);
        if (spec.values !== undefined && !Array.isArray(spec.values)) throw new InvalidRequest(`claims.${target}.${name.slice(0, 40)}.values must be an array`);
        if (spec.essential === true) essential[target === 'id_token' ? 'idToken' : 'userinfo'].push(name);
      }
    }
    claims[target] = member;
  }
  ctx.request.claims = claims;
  ctx.request.essentialClaims = essential;
}
