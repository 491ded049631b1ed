import { OAUTH_ROUTES } from './oauth/routes.ts';

/**
 * Which of the server's surfaces a path belongs to, from its raw path alone
 * (the front door needs it before any routing): each answers errors in its
 * own shape — OAuth JSON for protocol clients, an HTML page for people,
 * problem+json for the management API and the operations endpoints.
 */
export type Surface = 'oauth' | 'pages' | 'api' | 'ops';

// The first segment of each per-tenant endpoint that answers machines (not /authorize or /logout, which answer people).
// Computed on first use: the route table and the error mapper import each other's modules.
let oauthSegments: ReadonlySet<string> | undefined;
const machineSegments = () => (oauthSegments ??= new Set(OAUTH_ROUTES.filter((r) => r.cors !== 'none').map((r) => r.path.split('/')[1] ?? '')));

export function surfaceOf(path: string): Surface {
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (path.startsWith('/.well-known/')) return 'oauth';
  if (path.startsWith('/t/')) {
    const rest = path.indexOf('/', 3);
    if (rest === -1) return 'pages';
    const segment = path.slice(rest + 1).split('/', 1)[0] ?? '';
    return machineSegments().has(segment) ? 'oauth' : 'pages';
  }
  return 'ops';
}
