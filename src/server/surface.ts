import { API_BASE } from './api/reply.ts';
import { OAUTH_ROUTES, RFC8414_METADATA_PATH, TENANT_BASE } from './oauth/routes.ts';

/**
 * Which of the server's surfaces a path belongs to, from its raw path alone
 * (the front door needs it before any routing): each answers errors in its
 * own shape — OAuth JSON for protocol clients, an HTML page for people,
 * problem+json for the management API and the operations endpoints.
 */
export type Surface = 'oauth' | 'pages' | 'api' | 'ops';

const firstSegment = (path: string) => path.split('/', 2)[1] ?? '';

interface Classifier {
  readonly api: string;
  readonly metadata: string;
  readonly tenant: string;
  /** The first segment under the tenant of each endpoint that answers machines (not /authorize or /logout, which answer people). */
  readonly machine: ReadonlySet<string>;
}

// Built from the route tables on first use: the OAuth table and the error mapper import each other's modules.
let classifier: Classifier | undefined;
const tables = (): Classifier =>
  (classifier ??= {
    api: firstSegment(API_BASE),
    metadata: firstSegment(RFC8414_METADATA_PATH),
    tenant: firstSegment(TENANT_BASE),
    machine: new Set(OAUTH_ROUTES.filter((r) => r.cors !== 'none').map((r) => firstSegment(r.path))),
  });

export function surfaceOf(path: string): Surface {
  const c = tables();
  const first = firstSegment(path);
  if (first === c.api) return 'api';
  if (first === c.metadata && path.length > first.length + 1) return 'oauth';
  if (first === c.tenant && path.length > first.length + 1) {
    const rest = path.indexOf('/', first.length + 2);
    if (rest === -1) return 'pages';
    return c.machine.has(firstSegment(path.slice(rest))) ? 'oauth' : 'pages';
  }
  return 'ops';
}
