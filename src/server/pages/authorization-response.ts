import type { AuthorizationResponse } from '../../core/oauth/authorize/response.ts';
import { cspSourceOf, pageResponse } from './page.ts';

/**
 * Delivers an authorization response (success or error) to the client:
 * `query` — a 303 to the redirection URI with the parameters added to its
 * query (RFC 6749 §4.1.2: an existing query is kept); `form_post` — a page
 * that posts them there (OAuth 2.0 Form Post Response Mode §2), by its one
 * static, hash-allowed script, or by a button without JavaScript.
 */
export function deliver(response: AuthorizationResponse, headers: Headers = new Headers()): Response {
  const target = cspSourceOf(response.redirectUri);
  if (response.responseMode === 'form_post') {
    const fields = Object.entries(response.params).map(([name, value]) => ({ name, value }));
    return pageResponse('form-post', { title: 'Continuing', tenantName: '', action: response.redirectUri, fields }, { formTargets: target ? [target] : [], headers });
  }
  const query = new URLSearchParams(response.params).toString();
  headers.set('location', `${response.redirectUri}${response.redirectUri.includes('?') ? '&' : '?'}${query}`);
  headers.set('cache-control', 'no-store');
  return new Response(null, { status: 303, headers });
}
