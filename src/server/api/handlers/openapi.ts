import { buildOpenApi, type OpenApiDocument } from '../openapi.ts';
import { json } from '../reply.ts';
import type { ApiRoute, Handler } from '../route.ts';

/** GET /api/v1/openapi.json — the document of `routes`, built once per public URL. */
export function serveOpenApi(routes: () => readonly ApiRoute[]): Handler {
  const built = new Map<string, OpenApiDocument>();
  return async (c) => {
    let doc = built.get(c.deps.publicUrl);
    if (!doc) built.set(c.deps.publicUrl, (doc = buildOpenApi(routes(), c.deps.publicUrl)));
    return json(200, doc);
  };
}
