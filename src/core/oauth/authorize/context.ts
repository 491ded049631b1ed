import type { Client } from '../../clients/client.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import type { AuthorizationRequest } from '../authorization-request.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What the authorization checks (../checks) read and fill in, in order. A
 * check throws an OAuthError to refuse the request; once `client` and
 * `redirectUri` are known, the refusal is redirected to the client.
 */
export interface CheckContext {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly signer: TenantSigner;
  readonly now: number;
  /** Every parameter with all its values (duplicates are refused by a check). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  client?: Client;
  /** The request as validated so far. */
  readonly request: Partial<Mutable<AuthorizationRequest>>;
}

/** The single value of a parameter, or undefined when absent. Empty values count as absent (RFC 6749 §3.1). */
export function param(ctx: Pick<CheckContext, 'params'>, name: string): string | undefined {
  const v = ctx.params.get(name)?.[0];
  return v === undefined || v === '' ? undefined : v;
}

/** A space-delimited list parameter (RFC 6749 §3.3) as a de-duplicated array. */
export function list(value: string | undefined): string[] {
  return value ? [...new Set(value.split(' ').filter(Boolean))] : [];
}
