import type { AuthorizationRequest } from '../oauth/authorization-request.ts';

/**
 * One authorization request while the user signs in and consents (mirrors the
 * `interactions` table). The browser holds `id` and a 256-bit secret in a
 * cookie; only the secret's SHA-256 is stored. Short-lived.
 */
export interface Interaction {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly secretHash: string;
  readonly request: AuthorizationRequest;
  /** The step the user is at (see steps/); `done` once finished. */
  readonly step: string;
  readonly state: InteractionState;
  readonly userId: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** What the steps have learnt so far. Steps added later keep their own fields here. */
export interface InteractionState {
  /** The identifier typed (or hinted), for prefilling the form again. */
  readonly identifier?: string;
  /** The user the identifier names, or null when it names nobody (not revealed to the browser). */
  readonly candidateId?: string | null;
  /** Set once a first factor succeeded in this interaction. */
  readonly authenticated?: { readonly userId: string; readonly amr: readonly string[]; readonly acr: string | null; readonly at: number; readonly remember: boolean };
  /** The live SSO session the request can rely on (when no authentication is needed). */
  readonly sessionId?: string | null;
  /** Scopes the user approved on the consent page in this interaction. */
  readonly consented?: readonly string[];
  /** Set when the last form post failed; shown once on the page. */
  readonly error?: string | null;
  readonly [extension: string]: unknown;
}

/** Minutes a sign-in may take before the request must be started again. */
export const INTERACTION_TTL_MS = 10 * 60_000;
