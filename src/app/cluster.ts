// `authflow serve` with workers > 1: node:cluster. The primary process
// answers no HTTP itself: it forks the workers (each a full server sharing
// the one port and the one database), runs the background jobs once (mail
// delivery, housekeeping), collects /metrics from every worker, restarts a
// worker that dies, and on SIGTERM drains them all before it stops.
import cluster, { type Worker } from 'node:cluster';
import { startHousekeeping } from '../core/housekeeping.ts';
import { createClusterMetrics, shareMetricsWithPrimary, type HttpMetrics } from '../server/index.ts';
import type { Authflow } from './open.ts';
import { startMailDelivery } from './mail.ts';
import type { Serving } from './serve.ts';

/** Messages between the primary and its workers (besides prom-client's own). */
type ToPrimary = { readonly type: 'authflow:metrics'; readonly id: number } | { readonly type: 'authflow:wake-mail' };
type ToWorker = { readonly type: 'authflow:metrics'; readonly id: number; readonly text?: string; readonly error?: string };

/** True in a process the primary forked. */
export function isServeWorker(): boolean {
  return cluster.isWorker;
}

/** A worker's way out: closes its channel to the primary (which would keep it alive), keeping its own exit code. */
export function leavePrimary(): void {
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** A restarted worker that dies again within this many ms counts as crashing; the primary gives up after MAX_QUICK_DEATHS in a row. */
const QUICK_DEATH_MS = 5_000;
const MAX_QUICK_DEATHS = 5;

/** The primary: forks `workers` servers, resolves once all of them listen. */
export async function startPrimary(af: Authflow, workers: number): Promise<Serving> {
  // Each worker re-runs this command line, so it reads the same config and flags (host and port included).
  const metrics = createClusterMetrics();
  let stopping = false;
  let quickDeaths = 0;
  const bornAt = new Map<Worker, number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    bornAt.set(worker, performance.now());
    worker.on('message', (m: ToPrimary) => {
      if (m?.type === 'authflow:wake-mail') af.mail.wake();
      else if (m?.type === 'authflow:metrics') {
        metrics.collect().then(
          (text) => send(worker, { type: 'authflow:metrics', id: m.id, text }),
          (e: unknown) => send(worker, { type: 'authflow:metrics', id: m.id, error: (e as Error).message }),
        );
      }
    });
    return worker;
  };

  const listening = new Promise<{ host: string; port: number }>((resolve, reject) => {
    let count = 0;
    cluster.on('listening', (_worker, address) => {
      if (++count === workers) resolve({ host: address.address, port: address.port });
    });
    cluster.on('exit', (worker, code, signal) => {
      const lived = performance.now() - (bornAt.get(worker) ?? 0);
      bornAt.delete(worker);
      if (stopping) return;
      if (count < workers) return reject(new Error(`a server worker exited (${signal ?? code}) before listening; see its log above`));
      quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
      af.logger.error({ worker_pid: worker.process.pid, code, signal }, 'server worker died; starting another');
      if (quickDeaths < MAX_QUICK_DEATHS) fork();
      else af.logger.fatal('server workers keep dying: not restarting them');
    });
  });
  for (let i = 0; i < workers; i++) fork();
  let address;
  try {
    address = await listening;
  } catch (e) {
    stopping = true;
    await stopWorkers(af.config.shutdownTimeoutMs);
    throw e;
  }

  // The jobs that must run once per install, not once per worker.
  const mail = startMailDelivery(af);
  const housekeeping = startHousekeeping({ stores: af.repo, clock: af.clock, log: af.logger });
  const shownHost = address.host.includes(':') ? `[${address.host}]` : address.host;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    role: 'primary',
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await stopWorkers(af.config.shutdownTimeoutMs);
        await housekeeping.stop();
        await mail.stop();
        await af.close();
        af.logger.flush?.();
      })();
      return stopped;
    },
  };
}

function send(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message);
}

/** SIGTERM to every worker (each drains its in-flight requests), SIGKILL to any still there after the drain time. */
async function stopWorkers(drainMs: number): Promise<void> {
  const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  await Promise.all(
    all.map(
      (w) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => w.process.kill('SIGKILL'), drainMs + 2_000);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    ),
  );
}

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
