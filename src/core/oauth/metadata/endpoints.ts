import { SIGNING_ALGS } from '../../../crypto/index.ts';
import { ASSERTION_ALGS, INTROSPECTION_AUTH_METHODS, REVOCATION_AUTH_METHODS, TOKEN_ENDPOINT_AUTH_METHODS } from '../client-auth/index.ts';
import type { Capability, EndpointCapability } from './capability.ts';

// The capabilities of the endpoints in src/server/oauth/routes.ts. The
// endpoints enforce the same constants these advertise.

/** OIDC Discovery §3 members every tenant has, whatever else is enabled. */
export const PROVIDER: Capability = {
  metadata: {
    // REQUIRED members; authorization_endpoint's capability adds "code".
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: SIGNING_ALGS,
    // Claims of the tokens issued today (RFC 9068 §2.2); the ID token and userinfo capabilities add the user claims.
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat'],
  },
};

/** RFC 7517 key set; OIDC Discovery `jwks_uri`. */
export const JWKS: EndpointCapability = {
  endpoint: { member: 'jwks_uri', path: '/jwks' },
};

/** RFC 6749 §3.2. */
export const TOKEN_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'token_endpoint', path: '/token' },
  metadata: {
    token_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
  },
};

/** RFC 7662; metadata per RFC 8414 §2. */
export const INTROSPECTION_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'introspection_endpoint', path: '/introspect' },
  metadata: {
    introspection_endpoint_auth_methods_supported: INTROSPECTION_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
  },
};

/** RFC 7009; metadata per RFC 8414 §2. */
export const REVOCATION_ENDPOINT: EndpointCapability = {
  endpoint: { member: 'revocation_endpoint', path: '/revoke' },
  metadata: {
    revocation_endpoint_auth_methods_supported: REVOCATION_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
  },
};
