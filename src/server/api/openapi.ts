import { z } from 'zod';
import { API_BASE } from './reply.ts';
import type { ApiRoute } from './route.ts';
import { requestComponents, responseComponents, SCOPES } from './schemas.ts';

// The OpenAPI 3.1 document of the management API, built from the route table
// and the zod schemas the handlers and the core validate with.

export type OpenApiDocument = Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, unknown>> };
type Json = Record<string, unknown>;

const ref = (kind: string, id: string) => ({ $ref: `#/components/${kind}/${id}` });

const PROBLEMS: Readonly<Record<number, { id: string; description: string; headers?: string[] }>> = {
  400: { id: 'BadRequest', description: 'The body is not UTF-8 JSON.' },
  401: { id: 'Unauthorized', description: 'No valid API key (missing, malformed, unknown, revoked or expired: the answer is the same).', headers: ['WWW-Authenticate'] },
  403: { id: 'Forbidden', description: 'The API key lacks the scope (`insufficient_scope`) or the action needs an instance-admin key (`not_permitted`).', headers: ['WWW-Authenticate'] },
  404: { id: 'NotFound', description: 'No such resource, or one the API key may not see (another tenant\'s).' },
  409: { id: 'Conflict', description: 'The change clashes with existing data (e.g. a slug or name already in use).' },
  412: { id: 'PreconditionFailed', description: 'If-Match does not match the current ETag: fetch the resource again.' },
  413: { id: 'ContentTooLarge', description: 'The body is larger than 64 KiB.' },
  415: { id: 'UnsupportedMediaType', description: 'The body is not `application/json`.' },
  422: { id: 'UnprocessableContent', description: 'Input that breaks a rule; `field` names it (unknown members included).' },
};
const SERVER_ERROR = { id: 'ServerError', description: 'The server or a dependency (the database) failed; nothing internal is disclosed.' };

const HEADERS: Readonly<Record<string, Json>> = {
  ETag: { description: 'Strong entity tag of the resource; send it back in If-Match.', required: true, schema: { type: 'string' } },
  Location: { description: 'Path of the created resource.', required: true, schema: { type: 'string' } },
  Link: { description: 'RFC 8288 link to the next page (`rel="next"`), when there is one.', required: false, schema: { type: 'string' } },
  'WWW-Authenticate': { description: 'RFC 6750 bearer challenge (on 403 for a missing scope only).', schema: { type: 'string' } },
};

const PARAMETERS: Readonly<Record<string, string>> = {
  tenant: 'Tenant slug or id.',
  client_id: 'The client\'s client_id.',
  kid: 'Signing key id.',
  user: 'User id or email address.',
  session: 'Session id (as listed by GET …/sessions).',
  id: 'API key id or key_id.',
  mail: 'Outbox item id (as listed by GET /mail).',
};

/** The OpenAPI 3.1 document for `routes`, served under `publicUrl`. */
export function buildOpenApi(routes: readonly ApiRoute[], publicUrl: string): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.1',
    info: {
      title: 'authflow management API',
      version: '1',
      description: 'Tenants, OAuth/OIDC clients, signing keys, users\' consents and API keys. Authenticate with an API key: `Authorization: Bearer af_…`. Errors are RFC 9457 problem details with a stable `code`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: `${publicUrl}${API_BASE}` }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'tenants', description: 'Tenants (instance-admin keys create and delete them).' },
      { name: 'clients', description: 'OAuth/OIDC clients of a tenant.' },
      { name: 'keys', description: 'Signing keys of a tenant.' },
      { name: 'users', description: 'End users of a tenant and what they consented to.' },
      { name: 'api-keys', description: 'Management API keys.' },
      { name: 'audit', description: 'The hash-chained audit log of a tenant.' },
      { name: 'security', description: 'Security events of a tenant: lockouts, new devices, refresh-token reuse, password and email changes, API keys used from new addresses.' },
      { name: 'mail', description: 'The mail outbox: what authflow sent or will send (without SMTP, how an operator reads a link).' },
      { name: 'usage', description: 'Monthly active users and daily sign-in analytics.' },
      { name: 'meta', description: 'This document.' },
    ],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'af_<env>_<key id>_<secret>',
          description: `An authflow API key, instance-wide or limited to one tenant, holding scopes (${SCOPES.join(', ')}); \`X:write\` implies \`X:read\`. Each operation lists the scope it needs.`,
        },
      },
      schemas: { ...components(requestComponents, 'input'), ...components(responseComponents, 'output') },
      responses: Object.fromEntries(
        [...Object.values(PROBLEMS), SERVER_ERROR].map((p: { id: string; description: string; headers?: string[] }) => [
          p.id,
          {
            description: p.description,
            ...(p.headers ? { headers: Object.fromEntries(p.headers.map((h) => [h, ref('headers', h)])) } : {}),
            content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
          },
        ]),
      ),
      headers: HEADERS,
    },
  };
}

function operation(route: ApiRoute): Json {
  const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const parameters: Json[] = pathParams.map((name) => ({ name, in: 'path', required: true, description: PARAMETERS[name] ?? name, schema: { type: 'string', minLength: 1 } }));
  for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
    const s = schema as z.ZodType;
    const { description, ...jsonSchema } = clean(z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input' }));
    parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, ...(description ? { description } : {}), schema: jsonSchema });
  }
  const errors = new Set<number>(route.errors ?? []);
  if (route.errors?.includes(412)) parameters.push({ name: 'If-Match', in: 'header', required: false, description: 'The ETag last read: the update is refused (412) if the resource changed since.', schema: { type: 'string' } });
  if (route.scope === 'authenticated') errors.add(401);
  else if (route.scope) [401, 403].forEach((s) => errors.add(s));
  if (pathParams.length) errors.add(404);
  if (route.body) [400, 413, 415].forEach((s) => errors.add(s));
  // Input that breaks a rule, including a query parameter the route does not know.
  errors.add(422);

  const ok = route.ok;
  const responses: Json = {
    [ok.status]: {
      description: ok.description,
      ...(ok.headers?.length ? { headers: Object.fromEntries(ok.headers.map((h) => [h, ref('headers', h)])) } : {}),
      content: { 'application/json': { schema: ref('schemas', componentId(responseComponents, ok.schema)) } },
    },
  };
  for (const status of [...errors].sort()) responses[status] = ref('responses', PROBLEMS[status]!.id);
  responses['5XX'] = ref('responses', SERVER_ERROR.id);

  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.scope === 'authenticated' ? [{ apiKey: [] }] : route.scope ? [{ apiKey: [route.scope] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: route.body.required, content: { 'application/json': { schema: ref('schemas', componentId(requestComponents, route.body.schema)) } } } }
      : {}),
    responses,
  };
}

function componentId(registry: z.core.$ZodRegistry<{ id: string }>, schema: z.ZodType): string {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error('a route uses a schema that is not registered as an OpenAPI component (src/server/api/schemas.ts)');
  return id;
}

/** Registered schemas as JSON Schema 2020-12, referring to each other as components. */
function components(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, clean(s)]));
}

/** Drops the per-schema `$schema` and `$id` that zod emits (the document declares its dialect once). */
function clean(schema: object): Json {
  const { $schema: _s, $id: _i, ...rest } = schema as Json;
  return rest;
}
