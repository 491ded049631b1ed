// The worker's side of `serve --workers N` (see cluster.ts): /metrics for
// the whole cluster, and mail queued here waking the primary's sender.
import { shareMetricsWithPrimary, type HttpMetrics } from '../server/index.ts';
import type { ToPrimary, ToWorker } from './cluster.ts';
import type { Authflow } from './open.ts';

/**
 * A worker's side: /metrics answers for the whole cluster (asked of the
 * primary), and mail queued here wakes the primary's sender.
 */
export function joinPrimary(af: Authflow, metrics: HttpMetrics): { exposition: () => Promise<string> } {
  shareMetricsWithPrimary(metrics);
  af.mail.setWake(() => process.send?.({ type: 'authflow:wake-mail' } satisfies ToPrimary));
  const pending = new Map<number, { resolve(text: string): void; reject(e: Error): void }>();
  let next = 0;
  process.on('message', (m: ToWorker) => {
    if (m?.type !== 'authflow:metrics') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.text !== undefined) p?.resolve(m.text);
    else p?.reject(new Error(m.error ?? 'the primary could not collect the metrics'));
  });
  return {
    exposition: () =>
      new Promise<string>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        process.send?.({ type: 'authflow:metrics', id } satisfies ToPrimary);
      }),
  };
}
