/** Where the authorization response goes (OAuth 2.0 Multiple Response Types §2.1; Form Post Response Mode §2). */
export type ResponseMode = 'query' | 'form_post';

/** OIDC Core §3.1.2.1 prompt values authflow acts on (`select_account` is handled as `login`). */
export type Prompt = 'none' | 'login' | 'consent';

/**
 * A validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1):
 * what the checks in ./checks produced, kept in the interaction while the
 * user signs in. Plain JSON, so it survives storage unchanged.
 */
export interface AuthorizationRequest {
  readonly clientId: string;
  /** Exactly as registered and sent (RFC 6749 §3.1.2.3: the token request must repeat it). */
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  /** Requested scopes, de-duplicated, in request order. */
  readonly scopes: readonly string[];
  readonly state: string | null;
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: 'S256' | null;
  readonly prompt: readonly Prompt[];
  /** Seconds (OIDC Core §3.1.2.1 max_age). */
  readonly maxAge: number | null;
  readonly loginHint: string | null;
  readonly uiLocales: readonly string[];
  /** OIDC Core §5.5 claims request: `{ id_token?: {…}, userinfo?: {…} }`. */
  readonly claims: Readonly<Record<string, unknown>> | null;
  /** Names of claims requested as essential (§5.5.1), per target; recorded. */
  readonly essentialClaims: { readonly idToken: readonly string[]; readonly userinfo: readonly string[] };
  readonly acrValues: readonly string[];
  /** `sub` of a verified id_token_hint (§3.1.2.1), when one was sent. */
  readonly idTokenHintSub: string | null;
}

/** Whether the request is an OpenID Connect one (OIDC Core §3.1.2.1: scope contains `openid`). */
export function isOpenId(request: Pick<AuthorizationRequest, 'scopes'>): boolean {
  return request.scopes.includes('openid');
}
