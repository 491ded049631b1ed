import type { OAuthError } from '../errors.ts';
import type { ResponseMode } from '../authorization-request.ts';

/** Where an authorization error response goes once the redirection URI is trusted. */
export interface ErrorTarget {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state: string | null;
}

/**
 * An authorization request refused. With a `target`, the error goes back to
 * the client (RFC 6749 §4.1.2.1, with `iss` per RFC 9207 §2); without one
 * (unknown client, unregistered redirect URI), it is shown to the user only.
 */
export class AuthorizationFailure extends Error {
  override name = 'AuthorizationFailure';
  readonly error: OAuthError;
  readonly target: ErrorTarget | null;
  constructor(error: OAuthError, target: ErrorTarget | null) {
    super(error.message, { cause: error });
    this.error = error;
    this.target = target;
  }
}
