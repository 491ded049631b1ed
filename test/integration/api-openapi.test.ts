// The OpenAPI 3.1 document of the management API (docs/cli.md: "OpenAPI 3.1 at
// /api/v1/openapi.json"): served without authentication, structurally valid,
// describing exactly the routes the server registers, with request bodies
// that are the very schemas the core validates with. (Every response in the
// other api-*.test.ts files is also checked against it: api-fixture.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp } from '../../src/app/index.ts';
import {
  API_SCOPES,
  createApiKeySchema,
  createClientSchema,
  createTenantSchema,
  rotateKeySchema,
  rotateSecretSchema,
  updateClientSchema,
  updateTenantSchema,
} from '../../src/core/admin/index.ts';
import { API_ROUTES } from '../../src/server/api/routes.ts';
import { DOC, PUBLIC_URL, resolvePointer, schemaValidator, startApi, type ApiHarness } from './api-fixture.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` anywhere in the document, with where it was found. */
function refsOf(node: unknown, at = '#'): [string, string][] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Json).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [[at, v] as [string, string]] : refsOf(v, `${at}/${k}`)));
}

function operations(doc: Json): { path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.entries(item as Json).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op: op as Json })));
}

describe('the management API OpenAPI document', () => {
  let api: ApiHarness;
  let served: Json;
  beforeAll(async () => {
    api = await startApi('node:http');
    const res = await api.fetch('/openapi.json'); // no Authorization header
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    served = (await res.json()) as Json;
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('is served without authentication, and is the document the other API tests check answers against', () => {
    expect(served).toEqual(DOC);
    expect(served.openapi).toMatch(/^3\.1\.\d+$/);
    expect(served.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(served.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(served.servers).toEqual([{ url: `${PUBLIC_URL}/api/v1` }]);
  });

  it('has only OpenAPI 3.1 top-level fields, paths that start with "/", and unique operationIds', () => {
    const allowed = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];
    expect(Object.keys(served).filter((k) => !allowed.includes(k) && !k.startsWith('x-'))).toEqual([]);
    for (const path of Object.keys(served.paths)) expect(path).toMatch(/^\//);
    const ids = operations(served).map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every $ref resolves inside the document', () => {
    const refs = refsOf(served);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(([, ref]) => resolvePointer(served, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('every path parameter is declared (in: path, required) and every declared one is in the path', () => {
    for (const { path, method, op } of operations(served)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = ((op.parameters ?? []) as Json[]).map((p) => (p.$ref ? (resolvePointer(served, p.$ref) as Json) : p));
      const declared = params.filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual([...inPath].sort());
      for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
      for (const p of params) {
        expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        expect(p.schema, `${method} ${path} ${p.name}`).toBeTypeOf('object');
      }
      const names = params.map((p) => `${p.in}:${p.name}`);
      expect(new Set(names).size, `${method} ${path}: duplicate parameters`).toBe(names.length);
    }
  });

  it('every operation answers a 2xx with a JSON schema, lists its problem responses, and names a declared security scheme and tag', () => {
    const schemes = Object.keys(served.components.securitySchemes);
    expect(served.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const tags = (served.tags as Json[]).map((t) => t.name);
    for (const { path, method, op } of operations(served)) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses);
      for (const s of statuses) expect(s, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
      const ok = statuses.filter((s) => /^2\d\d$/.test(s));
      expect(ok, where).toHaveLength(1);
      expect(op.responses[ok[0]!].description, where).toBeTruthy();
      expect(op.responses[ok[0]!].content['application/json'].schema.$ref, where).toMatch(/^#\/components\/schemas\//);
      for (const s of statuses.filter((x) => !/^2/.test(x))) {
        const r = resolvePointer(served, op.responses[s].$ref) as Json;
        expect(r.content['application/problem+json'].schema.$ref, `${where} ${s}`).toBe('#/components/schemas/Problem');
      }
      for (const t of op.tags) expect(tags).toContain(t);
      for (const requirement of op.security as Json[]) {
        for (const [scheme, scopes] of Object.entries(requirement)) {
          expect(schemes).toContain(scheme);
          for (const scope of scopes as string[]) expect(API_SCOPES).toContain(scope);
        }
      }
      // Any valid key may read GET /server: only 401 applies; every other authenticated operation needs a scope (403).
      if (op.security.length) expect(statuses, where).toEqual(expect.arrayContaining(op.security[0].apiKey.length ? ['401', '403'] : ['401']));
      if (path.includes('{')) expect(statuses, where).toContain('404');
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413', '415', '422']));
    }
  });

  it('every component schema is valid JSON Schema 2020-12 (it compiles), with closed objects', () => {
    for (const id of Object.keys(served.components.schemas)) {
      expect(() => schemaValidator(served, `#/components/schemas/${id}`), id).not.toThrow();
    }
    // A member the API does not know is refused (422), so request bodies are closed objects.
    for (const [id, schema] of Object.entries(served.components.schemas as Json)) {
      if (id.endsWith('Request')) expect(schema.additionalProperties, id).toBe(false);
    }
  });

  it('documents exactly the routes the server registers, and each one is reachable', async () => {
    const documented = operations(served).map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(documented).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());

    // What h3 actually routes under /api/v1 (HEAD mirrors GET; ALL answers 405/404).
    const { app, close } = createHttpApp(api.af);
    const registered = (app as unknown as { '~routes': { method: string; route: string }[] })['~routes']
      .filter((r) => r.route.startsWith('/api/v1/') && r.method !== '' && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.route.slice('/api/v1'.length).replace(/:([A-Za-z_]\w*)/g, '{$1}')}`)
      .sort();
    await close();
    expect(registered).toEqual(documented);

    // Behaviourally too: each documented operation is answered by its route (401 without a key, or 200 when public).
    for (const { path, method, op } of operations(served)) {
      const res = await api.request(method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x'), { token: null });
      expect(res.status, `${method} ${path}`).toBe(op.security.length ? 401 : 200);
    }
  });

  it('documents the security each route enforces: its scope, or none', () => {
    for (const route of API_ROUTES) {
      const op = served.paths[route.path][route.method.toLowerCase()];
      expect(op.security).toEqual(route.scope === 'authenticated' ? [{ apiKey: [] }] : route.scope ? [{ apiKey: [route.scope] }] : []);
    }
  });

  it('request bodies are the schemas the core validates with', () => {
    const asInput = (s: z.ZodType) => {
      const { $schema: _s, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input' }) as Json;
      return rest;
    };
    const expected: Record<string, [z.ZodType, string]> = {
      createTenant: [createTenantSchema, 'CreateTenantRequest'],
      updateTenant: [updateTenantSchema, 'UpdateTenantRequest'],
      createClient: [createClientSchema, 'CreateClientRequest'],
      updateClient: [updateClientSchema, 'UpdateClientRequest'],
      rotateClientSecret: [rotateSecretSchema, 'RotateSecretRequest'],
      rotateKey: [rotateKeySchema, 'RotateKeyRequest'],
      createApiKey: [createApiKeySchema, 'CreateApiKeyRequest'],
    };
    for (const { op } of operations(served)) {
      const entry = expected[op.operationId];
      if (!entry) continue;
      expect(op.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${entry[1]}`);
      expect(served.components.schemas[entry[1]], op.operationId).toEqual(asInput(entry[0]));
    }
    expect(served.paths['/tenants'].post.requestBody.required).toBe(true);
    expect(served.paths['/tenants/{tenant}/clients/{client_id}/rotate-secret'].post.requestBody.required).toBe(false);
  });

  it('documents the pagination query parameters with their bounds', () => {
    const params = served.paths['/tenants'].get.parameters as Json[];
    expect(params.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } });
    expect(params.find((p) => p.name === 'cursor')).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    expect((served.paths['/api-keys'].get.parameters as Json[]).map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'tenant']);
    expect(served.paths['/tenants/{tenant}'].patch.parameters.find((p: Json) => p.name === 'If-Match')).toMatchObject({ in: 'header' });
  });
});
