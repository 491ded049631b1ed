import type { Clock } from '../../clock.ts';
import type { MailDeps } from '../../mail/mail.ts';
import type { Repository } from '../../ports.ts';
import type { SecuritySignals } from '../../security/signals.ts';
import type { Grant, TokenRequest, TokenResponse } from './grant-type.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import type { ActivityMeter } from '../../usage/activity.ts';
import * as authorizationCode from './authorization-code.ts';
import * as clientCredentials from './client-credentials.ts';
import * as refreshToken from './refresh-token.ts';

/** What the grants need; each grant module takes the part it uses. */
export interface GrantDeps {
  readonly signer: TenantSigner;
  readonly clock: Clock;
  /** Codes, refresh tokens and users (authorization_code, refresh_token). */
  readonly repo: Repository;
  /** Notices (refresh-token reuse tells the user). */
  readonly mail: MailDeps;
  readonly signals?: SecuritySignals | undefined;
  readonly activity?: ActivityMeter;
}

/** A grant module (STYLE rule 1): `grantType`, its `parameters`, and `handle(deps, request)`. */
interface GrantModule<D> {
  readonly grantType: Grant['grantType'];
  readonly parameters: readonly string[];
  handle(deps: D, request: TokenRequest): Promise<TokenResponse>;
}

const bind = <D>(m: GrantModule<D>, deps: D): Grant => ({ grantType: m.grantType, parameters: m.parameters, handle: (req) => m.handle(deps, req) });

/**
 * The grants the token endpoint serves, in one list: add a grant here. Its
 * `grant_type` then also appears in `grant_types_supported`.
 */
export function createGrants(deps: GrantDeps): readonly Grant[] {
  return [
    bind(authorizationCode, deps),
    bind(clientCredentials, deps),
    bind(refreshToken, deps),
  ];
}
