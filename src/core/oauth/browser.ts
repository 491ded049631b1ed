import type { FlowDeps } from '../interaction/deps.ts';
import { currentPage, finish, openInteraction, submitInteraction } from '../interaction/machine.ts';
import { resumeSession } from '../sessions/sso.ts';
import { prepareDummyHash } from '../users/password.ts';
import { authorize } from './authorize/authorize.ts';
import { planLogout, performLogout } from './logout.ts';

/**
 * The browser half of the provider — authorization endpoint, sign-in steps,
 * RP-initiated logout — bound to its dependencies, for the HTTP handlers.
 */
export function createBrowserFlows(deps: FlowDeps) {
  // Unknown-user logins verify against a dummy hash: make it before the first one.
  void prepareDummyHash(deps.passwords).catch(() => {});
  let lastSweep = 0;
  /** Expired interactions are deleted now and then (at most once a minute per process). */
  const sweep = () => {
    const now = deps.clock.now();
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    void deps.repo.interactions.deleteExpired(now).catch(() => {});
  };
  return {
    authorize: (input: Parameters<typeof authorize>[1]) => {
      sweep();
      return authorize(deps, input);
    },
    openInteraction: (...args: Parameters<typeof openInteraction> extends [unknown, ...infer R] ? R : never) => openInteraction(deps, ...args),
    currentPage: (...args: Parameters<typeof currentPage> extends [unknown, ...infer R] ? R : never) => currentPage(deps, ...args),
    submitInteraction: (input: Parameters<typeof submitInteraction>[1]) => submitInteraction(deps, input),
    finishInteraction: (input: Parameters<typeof finish>[1]) => finish(deps, input),
    resumeSession: (...args: Parameters<typeof resumeSession> extends [unknown, ...infer R] ? R : never) => resumeSession(deps, ...args),
    planLogout: (input: Parameters<typeof planLogout>[1]) => planLogout(deps, input),
    performLogout: (...args: Parameters<typeof performLogout> extends [unknown, ...infer R] ? R : never) => performLogout(deps, ...args),
  };
}

export type BrowserFlows = ReturnType<typeof createBrowserFlows>;
