import type { GrantType } from '../grant-types/grant-type.ts';
import type { TenantSettings } from '../../tenants/settings.ts';
import { scopesOf } from '../../tenants/settings.ts';
import type { Capability, MetadataValue } from './capability.ts';

export interface MetadataInput {
  readonly issuer: string;
  readonly settings: TenantSettings;
  /** The capabilities of every registered endpoint (and the provider's own). */
  readonly capabilities: readonly Capability[];
  /** The grant types the token endpoint serves; the tenant may allow fewer. */
  readonly grantTypes: readonly GrantType[];
}

/**
 * A tenant's authorization server metadata: the one document behind both
 * `/.well-known/openid-configuration` (OIDC Discovery §3) and
 * `/.well-known/oauth-authorization-server` (RFC 8414 §3), built only from
 * what is registered, so it advertises exactly what is served.
 */
export function buildServerMetadata(input: MetadataInput): Record<string, MetadataValue> {
  const doc: Record<string, MetadataValue> = { issuer: input.issuer };
  for (const cap of input.capabilities) {
    if (cap.endpoint) put(doc, cap.endpoint.member, `${input.issuer}${cap.endpoint.path}`);
    const members = typeof cap.metadata === 'function' ? cap.metadata(input.settings) : cap.metadata;
    for (const [name, value] of Object.entries(members ?? {})) put(doc, name, value);
  }
  // RFC 8414 §2: the grants this tenant's token endpoint will actually serve.
  if (doc.token_endpoint !== undefined) put(doc, 'grant_types_supported', input.grantTypes.filter((g) => input.settings.grant_types.includes(g)));
  put(doc, 'scopes_supported', [...scopesOf(input.settings)]);
  return doc;
}

function put(doc: Record<string, MetadataValue>, name: string, value: MetadataValue): void {
  const existing = doc[name];
  if (existing === undefined) {
    doc[name] = Array.isArray(value) ? [...value] : value;
  } else if (Array.isArray(existing) && Array.isArray(value)) {
    doc[name] = [...new Set([...existing, ...value])];
  } else {
    throw new Error(`metadata member "${name}" is given by two capabilities`);
  }
}
