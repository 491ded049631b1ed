import type { Clock } from './clock.ts';
import type { Stores } from './ports.ts';

/** How long sent mail stays in the outbox (for `mail list` and support questions). */
export const SENT_MAIL_RETENTION_MS = 30 * 86_400_000;
/**
 * How long an expired authorization code is kept: a replay shortly after
 * expiry is still recognised as a replay (RFC 6749 §4.1.2 asks to revoke
 * what the code issued), rather than as an unknown code.
 */
export const EXPIRED_CODE_RETENTION_MS = 86_400_000;

/** Rows deleted by one pass, per kind. */
export interface HousekeepingCounts {
  readonly userTokens: number;
  readonly rateLimits: number;
  readonly interactions: number;
  readonly authCodes: number;
  readonly sentMail: number;
}

type HousekeepingStores = Pick<Stores, 'userTokens' | 'rateLimits' | 'interactions' | 'authCodes' | 'outbox'>;

/**
 * Deletes rows nobody can use any more: expired mailed links and codes, ended
 * rate-limit windows, abandoned login interactions, long-expired
 * authorization codes and old sent mail. Each delete is idempotent, so
 * several servers sharing one Postgres may run it at the same time. (Used
 * client-assertion jtis and expired revocations are already trimmed by their
 * stores on write.)
 */
export async function runHousekeeping(stores: HousekeepingStores, now: number): Promise<HousekeepingCounts> {
  return {
    userTokens: await stores.userTokens.deleteExpired(now),
    rateLimits: await stores.rateLimits.deleteExpired(now),
    interactions: await stores.interactions.deleteExpired(now),
    authCodes: await stores.authCodes.deleteExpired(now - EXPIRED_CODE_RETENTION_MS),
    sentMail: await stores.outbox.deleteSentBefore(now - SENT_MAIL_RETENTION_MS),
  };
}

export interface HousekeepingLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface HousekeepingOptions {
  readonly stores: HousekeepingStores;
  readonly clock: Clock;
  readonly log: HousekeepingLog;
  /** Between passes (default 10 minutes), each stretched by up to `jitter` of it so servers drift apart. */
  readonly intervalMs?: number;
  readonly jitter?: number;
  /** Before the first pass (default 30 s: after start-up, not during it). */
  readonly firstDelayMs?: number;
  /** Tests: a random number in [0, 1). */
  readonly random?: () => number;
}

export interface Housekeeper {
  /** Runs a pass now (waits for one already running); never throws. */
  runNow(): Promise<HousekeepingCounts | undefined>;
  /** Cancels the next pass and waits for a running one to finish. */
  stop(): Promise<void>;
}

export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * Runs `runHousekeeping` in the background: first shortly after start, then
 * every interval with jitter. Timers are unref'd (they never keep the
 * process alive) and a pass runs outside any request, so it never blocks one.
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeper {
  const interval = options.intervalMs ?? HOUSEKEEPING_INTERVAL_MS;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<HousekeepingCounts | undefined> | undefined;
  let stopped = false;

  const pass = async (): Promise<HousekeepingCounts | undefined> => {
    const started = options.clock.now();
    try {
      const counts = await runHousekeeping(options.stores, started);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const fields = { deleted: counts, total, ms: options.clock.now() - started };
      if (total > 0) options.log.info(fields, 'housekeeping: expired rows deleted');
      else options.log.debug(fields, 'housekeeping: nothing to delete');
      return counts;
    } catch (e) {
      // The database may be briefly unreachable; the next pass tries again. No bound values in the log.
      options.log.warn({ err: { name: (e as Error).name, message: (e as Error).message } }, 'housekeeping pass failed');
      return undefined;
    }
  };
  const runNow = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().then(() => schedule(interval * (1 + jitter * random())));
    }, delay);
    timer.unref?.();
  };
  schedule((options.firstDelayMs ?? 30_000) * (1 + jitter * random()));

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
