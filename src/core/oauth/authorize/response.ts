import type { OAuthError } from '../errors.ts';
import type { AuthorizationRequest, ResponseMode } from '../authorization-request.ts';
import type { ErrorTarget } from './failure.ts';

/**
 * An authorization response to deliver to the client's redirection URI
 * (RFC 6749 §4.1.2 / §4.1.2.1) in its response mode. Always carries `iss`
 * (RFC 9207 §2) so the client can tell which issuer answered.
 */
export interface AuthorizationResponse {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly params: Readonly<Record<string, string>>;
}

export function codeResponse(request: AuthorizationRequest, issuer: string, code: string): AuthorizationResponse {
  return {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    params: { code, ...(request.state !== null ? { state: request.state } : {}), iss: issuer },
  };
}

export function errorResponse(target: ErrorTarget, issuer: string, error: OAuthError): AuthorizationResponse {
  return {
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    params: { error: error.error, ...(error.message ? { error_description: error.message } : {}), ...(target.state !== null ? { state: target.state } : {}), iss: issuer },
  };
}

/** The error target of a validated request. */
export function targetOf(request: AuthorizationRequest): ErrorTarget {
  return { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
}
