import type { JSONWebKeySet } from 'jose';
import type { SigningAlg } from '../../crypto/index.ts';
import type { GrantType } from '../oauth/grant-types/grant-type.ts';

/** How a client may authenticate at the token endpoint, as OIDC Core §9 names the methods. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/**
 * What a client registers: one of the methods, or `client_secret` — its secret
 * by either client_secret_basic or client_secret_post, the default for a client
 * with a secret (libraries differ in which one they send first).
 */
export const AUTH_METHODS = ['client_secret', 'client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type RegisteredAuthMethod = (typeof AUTH_METHODS)[number];

/** The methods a registration accepts. */
export function acceptedAuthMethods(registered: RegisteredAuthMethod): readonly TokenEndpointAuthMethod[] {
  return registered === 'client_secret' ? ['client_secret_basic', 'client_secret_post'] : [registered];
}

/** Whether a registration authenticates with a client secret. */
export const usesClientSecret = (registered: RegisteredAuthMethod): boolean => registered === 'client_secret' || registered === 'client_secret_basic' || registered === 'client_secret_post';

/** An OAuth client registered in a tenant. Secrets are held only as SHA-256. */
export interface Client {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  readonly type: 'confidential' | 'public';
  readonly secretHash: string | null;
  /** After a rotation, the old secret keeps working until `previousSecretExpiresAt`. */
  readonly previousSecretHash: string | null;
  readonly previousSecretExpiresAt: number | null;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly grantTypes: readonly GrantType[];
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly tokenEndpointAuthMethod: RegisteredAuthMethod;
  readonly jwks: JSONWebKeySet | null;
  readonly jwksUri: string | null;
  readonly idTokenSignedResponseAlg: SigningAlg;
  /** Seconds; null means the tenant's setting. */
  readonly accessTokenTtl: number | null;
  readonly refreshTokenTtl: number | null;
  /** First-party clients skip the consent screen. */
  readonly firstParty: boolean;
  readonly corsOrigins: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}
