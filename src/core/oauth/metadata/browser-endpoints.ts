import type { Capability } from './capability.ts';

type EndpointCapability = Capability & { readonly endpoint: { readonly member: string; readonly path: string } };

// The capabilities of the browser endpoints (src/server/oauth/handlers/authorize.ts,
// logout.ts). The checks in ../checks enforce exactly what these advertise.

/** RFC 6749 §3.1, OIDC Core §3.1.2; RFC 9207 `iss` in every response; RFC 7636 S256 only. */
export const AUTHORIZATION_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'authorization_endpoint', path: '/authorize' },
  metadata: {
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: true,
    claim_types_supported: ['normal'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    display_values_supported: ['page', 'popup', 'touch', 'wap'],
  },
};

/** OpenID Connect RP-Initiated Logout 1.0 §2.1. */
export const END_SESSION_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'end_session_endpoint', path: '/logout' },
};
