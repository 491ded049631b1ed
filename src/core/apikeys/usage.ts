import type { Clock } from '../clock.ts';
import type { ApiKeyStore } from '../ports.ts';

/**
 * Counts API key uses in memory and writes them in batches, so an API
 * request costs no database write. `flush` runs on a timer and at shutdown.
 */
export function createUsageRecorder(store: Pick<ApiKeyStore, 'recordUse'>, clock: Clock, intervalMs = 2000) {
  let pending = new Map<string, { count: number; last: number }>();
  const flush = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    for (const [id, u] of batch) await store.recordUse(id, u.count, u.last);
  };
  const timer = setInterval(() => void flush().catch(() => {}), intervalMs);
  timer.unref();
  return {
    record(apiKeyId: string): void {
      const u = pending.get(apiKeyId);
      if (u) {
        u.count++;
        u.last = clock.now();
      } else pending.set(apiKeyId, { count: 1, last: clock.now() });
    },
    flush,
    async stop(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}
export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
