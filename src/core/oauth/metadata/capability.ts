import type { TenantSettings } from '../../tenants/settings.ts';

/** A value of an authorization server metadata member (RFC 8414 §2, OIDC Discovery §3). */
export type MetadataValue = string | number | boolean | readonly string[];
export type Metadata = Readonly<Record<string, MetadataValue>>;

/**
 * What one implemented feature adds to the tenant's metadata document: the
 * endpoint it serves (the member naming its URL, and its path under the
 * issuer) and the members it implies. The OAuth route table registers each
 * endpoint WITH its capability, so the document advertises exactly what is
 * served: adding an endpoint grows it, nothing else does.
 *
 * Array members that several capabilities give are merged (union, in order);
 * any other member may be given by one capability only.
 *
 * @example the authorization endpoint, registered with its route:
 * ```ts
 * export const AUTHORIZATION_ENDPOINT: Capability = {
 *   endpoint: { member: 'authorization_endpoint', path: '/authorize' },
 *   metadata: { response_types_supported: ['code'], code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true },
 * };
 * ```
 */
export interface Capability {
  readonly endpoint?: { readonly member: string; readonly path: string };
  readonly metadata?: Metadata | ((settings: TenantSettings) => Metadata);
}

/** A capability that is an endpoint. */
export type EndpointCapability = Capability & { readonly endpoint: { readonly member: string; readonly path: string } };
