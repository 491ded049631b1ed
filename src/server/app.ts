import { H3 } from 'h3';
import type { ServerDeps } from './deps.ts';
import { finishRequest, startRequest } from './middleware/request-context.ts';
import { respondToError } from './respond.ts';
import { registerRoutes } from './routes.ts';

const DEPS = new WeakMap<H3, ServerDeps>();

/** Builds the h3 application. It does not listen: see listen.ts, or call `app.fetch` in tests. */
export function createServer(deps: ServerDeps): H3 {
  const app = new H3({
    silent: true,
    onRequest: startRequest(deps),
    onResponse: finishRequest(deps),
    onError: respondToError,
  });
  registerRoutes(app, deps);
  DEPS.set(app, deps);
  return app;
}

/** The dependencies an app was built with (the front door logs and counts through them). */
export function appDeps(app: H3): ServerDeps | undefined {
  return DEPS.get(app);
}
