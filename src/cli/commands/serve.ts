import type { Command } from 'commander';
import type * as ClusterModule from '../../app/cluster.ts';
import type * as AppModule from '../../app/index.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { collectAnswers, initSummary, runInit } from './init.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  workers?: string;
  init?: boolean;
}

type App = typeof AppModule;
type Cluster = typeof ClusterModule;

export function registerServe(program: Command, run: RunEnv): void {
  program
    .command('serve')
    .description('run the HTTP server (OIDC provider, management API, health and metrics) until SIGTERM')
    .option('--host <host>', 'address to listen on (config: host, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (config: port, default 8080)')
    .option('--workers <n>', 'server processes sharing the port; 1 serves from this process (config: workers, default one per CPU)')
    .option('--init', 'initialise the data dir first (non-interactively) when it holds no install')
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as ServeFlags;
      if (flags.port !== undefined && !(/^\d{1,5}$/.test(flags.port) && Number(flags.port) <= 65535)) throw new UsageError(`--port must be a number from 0 to 65535, not "${flags.port}"`);
      if (flags.workers !== undefined && !(/^\d{1,2}$/.test(flags.workers) && Number(flags.workers) >= 1 && Number(flags.workers) <= 64)) throw new UsageError(`--workers must be a number from 1 to 64, not "${flags.workers}"`);
      // Listen for the stop signal from the start: a SIGTERM during start-up ends the run cleanly once started.
      const signal = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      // Light: a primary forks its workers before it loads the rest of the program.
      const cluster = await import('../../app/cluster.ts');
      if (!cluster.isServeWorker()) return serve(ctx, flags, signal, cluster);
      // A process `serve --workers N` forked runs this same command line; its channel to the
      // primary would keep it alive after the run (or a failed start), so it is closed on the way out.
      const stopped = new Promise<'disconnect'>((resolve) => process.once('disconnect', () => resolve('disconnect')));
      return serve(ctx, flags, Promise.race([signal, stopped]), cluster).finally(cluster.leavePrimary);
    }));
}

async function serve(ctx: CommandContext, flags: ServeFlags, signal: Promise<string>, cluster: Cluster): Promise<number> {
  const { resolveDataDir } = await import('../../config/index.ts');
  const { assertUsableInstall } = await import('../../app/data-dir.ts');
  const loadApp = (): Promise<App> => import('../../app/index.ts');
  if (flags.init && !(await loadApp()).isInitialized(resolveDataDir(ctx.globals.dataDir, ctx.env))) {
    const answers = await collectAnswers(ctx, { nonInteractive: true, host: flags.host, port: flags.port });
    const result = await runInit(ctx, answers);
    ctx.io.note(initSummary(result).replace(/\n\nNext:.*$/s, '\n'));
  }

  const config = await ctx.config({ ...(flags.host ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.workers !== undefined ? { workers: flags.workers } : {}) });
  assertUsableInstall(config);
  const open = async () => (await loadApp()).openAuthflow(config, { create: true });
  let af;
  let serving;
  if (config.workers > 1 && !cluster.isServeWorker()) {
    // The workers start at once; the primary loads the program and opens the install for its background jobs once they listen.
    serving = await cluster.startPrimary(config, config.workers, open);
    af = serving.af;
  } else {
    const app = await loadApp();
    af = await open();
    try {
      serving = await app.startServing(af);
    } catch (e) {
      await af.close();
      throw e;
    }
  }
  // A worker stops with its primary (SIGTERM, or the primary gone); the primary (or the one process) says where it listens.
  if (serving.role === 'worker') {
    await signal;
    await serving.stop();
    return 0;
  }
  const workers = serving.role === 'primary' ? config.workers : 1;
  af.logger.info({ url: serving.url, public_url: config.publicUrl, database: af.database.kind, workers, ...(serving.metricsUrl ? { metrics_url: serving.metricsUrl } : {}) }, `authflow listening on ${serving.url}`);

  af.logger.info({ signal: await signal }, 'shutting down: draining in-flight requests');
  await serving.stop();
  af.logger.info('stopped');
  return 0;
}
