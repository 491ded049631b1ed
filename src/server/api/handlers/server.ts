import { json } from '../reply.ts';
import type { Handler } from '../route.ts';

// GET /api/v1/server — what `authflow doctor --url` checks a remote server by.

export const serverStatus: Handler = async (c) => {
  const report = c.deps.lifecycle.draining ? { ready: false, checks: { lifecycle: { ok: false, detail: 'shutting down' } } } : await c.deps.readiness();
  return json(200, {
    version: c.deps.build.version,
    commit: c.deps.build.commit,
    time: new Date(c.deps.clock.now()).toISOString(),
    ready: report.ready,
    checks: report.checks,
    public_url: c.deps.publicUrl,
  });
};
