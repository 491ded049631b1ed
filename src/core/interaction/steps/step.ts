import type { Client } from '../../clients/client.ts';
import type { OAuthError } from '../../oauth/errors.ts';
import type { Device } from '../../sessions/sso.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import type { FlowDeps } from '../deps.ts';
import type { Interaction, InteractionState } from '../interaction.ts';
import type { Page } from '../pages.ts';

export interface StepContext {
  readonly deps: FlowDeps;
  readonly tenant: Tenant;
  readonly client: Client;
  readonly interaction: Interaction;
  /** The tenant's issuer, for links a step mails (set when a form is submitted; absent when only a page is shown). */
  readonly issuer?: string;
  /** The browser's user agent and IP (set when a form is submitted), e.g. for per-IP rate limits. */
  readonly device?: Device;
  /** SHA-256 of the browser's device cookie, when it sent one (a browser the user signed in with before has its own lockout counter). */
  readonly deviceHash?: string;
}

/** ok: merge into the state and go on; retry: show the page again with a message; fail: end the request with an error to the client. */
export type StepResult =
  | { readonly ok: Partial<InteractionState> }
  | { readonly retry: string; readonly reset: Partial<InteractionState> }
  | { readonly fail: OAuthError };

/**
 * One step of the sign-in sequence. The machine runs the first pending step
 * of the registry (./registry.ts); a new method (passkey, TOTP, magic link,
 * SMS) is a new step there, not a change here. A page may serve consecutive
 * steps: a posted form runs every step whose `fields` it carries.
 */
export interface Step {
  readonly name: string;
  /** Form fields this step reads. */
  readonly fields: readonly string[];
  /** Whether the step still has to run for this interaction. */
  pending(ctx: StepContext): boolean | Promise<boolean>;
  page(ctx: StepContext): Promise<Page>;
  submit(ctx: StepContext, form: ReadonlyMap<string, string>): Promise<StepResult>;
}

/** No live session to rely on and no authentication yet in this interaction. */
export function needsAuthentication(ix: Interaction): boolean {
  return !ix.state.authenticated && !ix.state.sessionId;
}

/** The login form's page: the identifier as typed (or hinted) and the last error. */
export function loginPage(ctx: StepContext): Promise<Page> {
  const { state, request } = ctx.interaction;
  return Promise.resolve({ kind: 'login', identifier: state.identifier ?? request.loginHint ?? '', error: state.error ?? null });
}
