import { RateLimited } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { RateLimitStore } from '../ports.ts';
import { NO_SIGNALS, type SecuritySignals } from '../security/signals.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { waitText } from '../duration.ts';
import { networkOf, normalizeIp } from './network.ts';

type Deps = { readonly repo: { readonly rateLimits: RateLimitStore }; readonly clock: Clock; readonly signals?: SecuritySignals | undefined };

/** The sign-in forms sharing the per-address budget. */
export type SignInForm = 'login' | 'account_login' | 'forgot_password' | 'magic_link' | 'register';

/**
 * Counts one post of a sign-in form from `ip` and its /24 or /64 (the
 * tenant's `throttle.form_posts_per_*`): RateLimited once either budget is
 * spent, whatever the form and whatever was typed.
 */
export async function throttleSignInForm(deps: Deps, tenant: Tenant, ip: string | null, _form: SignInForm): Promise<void> {
  const th = settingsOf(tenant).throttle;
  const address = normalizeIp(ip) ?? 'unknown';
  const now = deps.clock.now();
  const keys = [`form-ip:${tenant.id}:${address}`, `form-net:${tenant.id}:${networkOf(address) ?? address}`];
  const limits = [th.form_posts_per_address, th.form_posts_per_network];
  const counts =
    limits[0]!.window === limits[1]!.window
      ? await deps.repo.rateLimits.hitMany(keys, limits[0]!.window * 1000, now)
      : await Promise.all(keys.map((k, i) => deps.repo.rateLimits.hit(k, limits[i]!.window * 1000, now)));
  const over = counts.find((c, i) => c.count > limits[i]!.max);
  if (!over) return;
  (deps.signals ?? NO_SIGNALS).throttled('sign_in_form');
  const seconds = (over.resetAt - now) / 1000;
  throw new RateLimited(`Too many requests from your network. Try again in ${waitText(seconds)}.`, seconds);
}
