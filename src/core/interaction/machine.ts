import { safeEqual, sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import type { Client } from '../clients/client.ts';
import type { AuthorizationRequest } from '../oauth/authorization-request.ts';
import { completeAuthorization } from '../oauth/authorize/complete.ts';
import { recordAudit } from '../audit/record.ts';
import { errorResponse, targetOf, type AuthorizationResponse } from '../oauth/authorize/response.ts';
import type { Session } from '../sessions/session.ts';
import { establishSession, resumeSession, touchSession, type Device, type StartedSession } from '../sessions/sso.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { deviceHashOf, recordSignInDevice } from '../users/devices.ts';
import { RateLimited } from '../errors.ts';
import { appendAccountEvent } from '../audit/account-events.ts';
import type { FlowDeps } from './deps.ts';
import { INTERACTION_TTL_MS, type Interaction, type InteractionState } from './interaction.ts';
import type { PageView } from './pages.ts';
import { STEPS } from './registry.ts';
import type { Step, StepContext } from './steps/step.ts';

/** A new interaction and the secret for its cookie (returned once). */
export interface StartedInteraction {
  readonly interaction: Interaction;
  readonly secret: string;
}

/** What to do after a form post. */
export type Outcome =
  /** Show the page again (a step asked to retry); `retryAfter`: a budget is spent (429 + Retry-After, seconds). */
  | { readonly kind: 'page'; readonly view: PageView; readonly retryAfter?: number }
  /** Go (303) to the interaction's page: the next step. */
  | { readonly kind: 'next' }
  /** Deliver the authorization response; `session`: a new SSO session cookie to set. */
  | { readonly kind: 'respond'; readonly response: AuthorizationResponse; readonly session?: StartedSession & { readonly remember: boolean }; readonly deviceSecret?: string }
  /** The interaction is gone (finished in another tab, expired). */
  | { readonly kind: 'expired' }
  /** The licensed monthly-active-user limit is reached and this user is not counted yet: the sign-in cannot complete. */
  | { readonly kind: 'user_limit' };

/** Starts the sign-in sequence for a validated request; `session`: a live session the request may rely on. */
export async function startInteraction(
  deps: FlowDeps,
  input: { tenant: Tenant; client: Client; request: AuthorizationRequest; session: Session | undefined; needsLogin: boolean },
): Promise<StartedInteraction> {
  const now = deps.clock.now();
  const secret = typedSecret('ix');
  const state: InteractionState = { sessionId: input.needsLogin ? null : input.session!.id };
  const interaction: Interaction = {
    id: uuidv7(now),
    tenantId: input.tenant.id,
    clientId: input.client.clientId,
    secretHash: sha256(secret),
    request: input.request,
    step: '',
    state,
    userId: input.needsLogin ? null : input.session!.userId,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL_MS,
  };
  const first = await pendingStep({ deps, tenant: input.tenant, client: input.client, interaction });
  await deps.repo.interactions.insert({ ...interaction, step: first?.name ?? 'done' });
  return { interaction, secret };
}

/**
 * The interaction `id` names, if this browser holds its secret (constant-time
 * check), it has not expired and its client still exists in the tenant.
 */
export async function openInteraction(deps: FlowDeps, tenant: Tenant, id: string, secret: string | undefined): Promise<{ interaction: Interaction; client: Client } | undefined> {
  if (!secret || secret.length > 100 || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const interaction = await deps.repo.interactions.byId(tenant.id, id);
  if (!interaction || !safeEqual(sha256(secret), interaction.secretHash) || interaction.expiresAt <= deps.clock.now()) return undefined;
  const client = await deps.client(interaction.clientId);
  if (!client || client.tenantId !== tenant.id) return undefined;
  return { interaction, client };
}

/** The page of the current step, or undefined when every step is done (the request can complete). */
export async function currentPage(deps: FlowDeps, tenant: Tenant, client: Client, interaction: Interaction): Promise<PageView | undefined> {
  const ctx: StepContext = { deps, tenant, client, interaction };
  const step = await pendingStep(ctx);
  return step ? viewOf(ctx, step) : undefined;
}

/**
 * Handles a form posted from an interaction page: runs the current step and,
 * while the same form carries their fields, the ones after it; then shows
 * the next page or completes the authorization.
 */
export async function submitInteraction(
  deps: FlowDeps,
  input: { tenant: Tenant; issuer: string; client: Client; interaction: Interaction; form: ReadonlyMap<string, string>; sessionSecret: string | undefined; device: Device; deviceSecret?: string | undefined },
): Promise<Outcome> {
  const { tenant, client } = input;
  const deviceHash = deviceHashOf(input.deviceSecret);
  let ctx: StepContext = { deps, tenant, client, interaction: input.interaction, issuer: input.issuer, device: input.device, ...(deviceHash ? { deviceHash } : {}) };
  let step = await pendingStep(ctx);
  let ran = false;
  while (step && step.fields.some((f) => input.form.has(f))) {
    ran = true;
    let result;
    let retryAfter: number | undefined;
    try {
      result = await step.submit(ctx, input.form);
    } catch (e) {
      // A spent budget (lockout, throttle) shows the same page with how long to wait.
      if (!(e instanceof RateLimited)) throw e;
      result = { retry: e.message, reset: { candidateId: undefined } };
      retryAfter = e.retryAfter;
    }
    if ('fail' in result || 'retry' in result) deps.analytics?.failure(tenant.id, step.name);
    if ('fail' in result) {
      if (!(await deps.repo.interactions.delete(tenant.id, ctx.interaction.id))) return { kind: 'expired' };
      return { kind: 'respond', response: errorResponse(targetOf(ctx.interaction.request), input.issuer, result.fail) };
    }
    if ('retry' in result) {
      const interaction = { ...ctx.interaction, state: { ...ctx.interaction.state, ...result.reset, error: result.retry } };
      ctx = { ...ctx, interaction };
      const again = (await pendingStep(ctx))!;
      await deps.repo.interactions.update({ ...interaction, step: again.name });
      return { kind: 'page', view: await viewOf(ctx, again), ...(retryAfter !== undefined ? { retryAfter } : {}) };
    }
    const authenticated = result.ok.authenticated;
    ctx = { ...ctx, interaction: { ...ctx.interaction, state: { ...ctx.interaction.state, ...result.ok, error: null }, userId: authenticated?.userId ?? ctx.interaction.userId } };
    step = await pendingStep(ctx);
  }
  // A form for a step that is no longer current (back button, second tab): show the current page.
  if (step || !ran) {
    if (ran) await deps.repo.interactions.update({ ...ctx.interaction, step: step!.name });
    return { kind: 'next' };
  }
  return finish(deps, { ...input, interaction: ctx.interaction });
}

/**
 * Every step is done: establish (or reuse) the SSO session, consume the
 * interaction (once: a replayed post finds it gone) and complete the request.
 */
export async function finish(
  deps: FlowDeps,
  input: { tenant: Tenant; issuer: string; client: Client; interaction: Interaction; sessionSecret: string | undefined; device: Device; deviceSecret?: string | undefined },
): Promise<Outcome> {
  const { tenant, interaction } = input;
  const current = await resumeSession(deps, tenant, input.sessionSecret);
  const auth = interaction.state.authenticated;
  let session: Session;
  let started: (StartedSession & { remember: boolean }) | undefined;
  let deviceSecret: string | undefined;
  const userId = auth?.userId ?? current?.userId;
  if (userId && deps.activity && !(await deps.activity.admit(tenant.id, userId))) {
    // In a transaction of its own: the chain head stays locked until the event commits.
    await deps.repo.transaction((tx) => recordAudit(tx, { tenantId: tenant.id, at: deps.clock.now(), actor: `user:${userId}`, action: 'signin.refused', target: `user:${userId}`, data: { reason: 'license_mau_limit', client_id: input.client.clientId }, ip: input.device.ip }));
    return { kind: 'user_limit' };
  }
  if (auth) {
    if (!(await deps.repo.interactions.delete(tenant.id, interaction.id))) return { kind: 'expired' };
    started = { ...(await establishSession(deps, tenant, { userId: auth.userId, amr: auth.amr, acr: auth.acr, at: auth.at }, input.device, current)), remember: auth.remember };
    session = started.session;
    // The browser's device cookie (set when missing): a first sign-in from it after others is a `user.new_device` event and mail.
    deviceSecret = (await recordSignInDevice(deps, tenant, { issuer: input.issuer, userId: auth.userId, secret: input.deviceSecret, device: input.device })).secret;
    await deps.repo.users.recordLogin(tenant.id, auth.userId, deps.clock.now());
    await appendAccountEvent(deps.repo, {
      tenantId: tenant.id,
      at: deps.clock.now(),
      action: 'user.signed_in',
      target: `user:${auth.userId}`,
      data: { client_id: input.client.clientId, method: auth.amr, session_id: session.id, ...(auth.acr ? { acr: auth.acr } : {}) },
      ip: input.device.ip,
    });
  } else {
    if (!current || current.id !== interaction.state.sessionId) {
      // The session this request relied on ended meanwhile (logout in another tab): sign in again.
      await deps.repo.interactions.update({ ...interaction, step: 'identify', state: { ...interaction.state, sessionId: null, candidateId: undefined, error: null }, userId: null });
      return { kind: 'next' };
    }
    if (!(await deps.repo.interactions.delete(tenant.id, interaction.id))) return { kind: 'expired' };
    session = current;
    await touchSession(deps, tenant, current);
  }
  const response = await completeAuthorization(deps, { tenant, issuer: input.issuer, client: input.client, request: interaction.request, session });
  deps.analytics?.signIn({ tenantId: tenant.id, amr: auth ? auth.amr : 'sso', clientId: input.client.clientId, userAgent: input.device.userAgent });
  return { kind: 'respond', response, ...(started ? { session: started } : {}), ...(deviceSecret ? { deviceSecret } : {}) };
}

async function pendingStep(ctx: StepContext): Promise<Step | undefined> {
  for (const step of STEPS) if (await step.pending(ctx)) return step;
  return undefined;
}

async function viewOf(ctx: StepContext, step: Step): Promise<PageView> {
  return { page: await step.page(ctx), clientName: ctx.client.name, tenantName: ctx.tenant.name };
}
