// `authflow serve` with workers > 1: node:cluster. The primary process
// answers no HTTP itself: it forks the workers (each a full server sharing
// the one port and the one database), runs the background jobs once (mail
// delivery, housekeeping), collects /metrics from every worker, restarts a
// worker that dies, and on SIGTERM drains them all before it stops.
//
// This module is light on purpose: the primary forks before it loads the
// rest of the program (the server, the stores), so the workers start sooner.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/index.ts';
import type { Authflow } from './open.ts';
import type { Serving } from './serve.ts';

/** Messages between the primary and its workers (besides prom-client's own). */
export type ToPrimary = { readonly type: 'authflow:metrics'; readonly id: number } | { readonly type: 'authflow:wake-mail' };
export type ToWorker = { readonly type: 'authflow:metrics'; readonly id: number; readonly text?: string; readonly error?: string };

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

/**
 * The primary: forks `workers` servers at once (each opens the database and
 * starts in parallel with the others), then, once every worker listens,
 * opens the install for its own jobs.
 */
export async function startPrimary(config: Config, workers: number, open: () => Promise<Authflow>): Promise<Serving & { readonly af: Authflow }> {
  // Each worker re-runs this command line, so it reads the same config and flags (host and port included).
  let metrics: { collect(): Promise<string> } | undefined;
  const collect = async () => (metrics ??= (await import('../server/index.ts')).createClusterMetrics()).collect();
  let stopping = false;
  let quickDeaths = 0;
  let af: Authflow | undefined;
  const bornAt = new Map<Worker, number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    bornAt.set(worker, performance.now());
    worker.on('message', (m: ToPrimary) => {
      if (m?.type === 'authflow:wake-mail') af?.mail.wake();
      else if (m?.type === 'authflow:metrics') {
        collect().then(
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
      af?.logger.error({ worker_pid: worker.process.pid, code, signal }, 'server worker died; starting another');
      if (quickDeaths < MAX_QUICK_DEATHS) fork();
      else af?.logger.fatal('server workers keep dying: not restarting them');
    });
  });
  for (let i = 0; i < workers; i++) fork();
  let address;
  try {
    // The workers get the cores first: the primary opens the install for its jobs once they listen.
    address = await listening;
    af = await open();
  } catch (e) {
    stopping = true;
    await stopWorkers(config.shutdownTimeoutMs);
    await af?.close();
    throw e;
  }
  const opened = af;

  // The jobs that must run once per install, not once per worker.
  const [{ startMailDelivery }, { startHousekeeping }] = await Promise.all([import('./mail.ts'), import('../core/housekeeping.ts')]);
  const mail = startMailDelivery(opened);
  const housekeeping = startHousekeeping({ stores: opened.repo, clock: opened.clock, log: opened.logger });
  const shownHost = address.host.includes(':') ? `[${address.host}]` : address.host;
  let stopped: Promise<void> | undefined;
  // Every worker listens on the metrics address too (the cluster shares the socket); each answers for all.
  const m = config.metricsListen;
  return {
    af: opened,
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    metricsUrl: m && m !== 'main' ? `http://${m.host.includes(':') ? `[${m.host}]` : m.host}:${m.port}` : undefined,
    role: 'primary',
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await stopWorkers(config.shutdownTimeoutMs);
        await housekeeping.stop();
        await mail.stop();
        await opened.close();
        opened.logger.flush?.();
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
