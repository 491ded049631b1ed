import type { Command } from 'commander';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { collectAnswers, initSummary, runInit } from './init.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  init?: boolean;
}

export function registerServe(program: Command, run: RunEnv): void {
  program
    .command('serve')
    .description('run the HTTP server (OIDC provider, management API, health and metrics) until SIGTERM')
    .option('--host <host>', 'address to listen on (config: host, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (config: port, default 8080)')
    .option('--init', 'initialise the data dir first (non-interactively) when it holds no install')
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as ServeFlags;
      if (flags.port !== undefined && !(/^\d{1,5}$/.test(flags.port) && Number(flags.port) <= 65535)) throw new UsageError(`--port must be a number from 0 to 65535, not "${flags.port}"`);
      // Listen for the stop signal from the start: a SIGTERM during start-up ends the run cleanly once started.
      const signal = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      const app = await import('../../app/index.ts');
      const { resolveDataDir } = await import('../../config/index.ts');

      if (flags.init && !app.isInitialized(resolveDataDir(ctx.globals.dataDir, ctx.env))) {
        const answers = await collectAnswers(ctx, { nonInteractive: true, host: flags.host, port: flags.port });
        const result = await runInit(ctx, answers);
        ctx.io.note(initSummary(result).replace(/\n\nNext:.*$/s, '\n'));
      }

      const config = await ctx.config({ ...(flags.host ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}) });
      app.assertUsableInstall(config);
      const af = await app.openAuthflow(config, { create: true });
      let serving;
      try {
        serving = await app.startServer(af);
      } catch (e) {
        await af.close();
        throw e;
      }
      af.logger.info({ url: serving.url, public_url: config.publicUrl, database: af.database.kind, ...(serving.metricsUrl ? { metrics_url: serving.metricsUrl } : {}) }, `authflow listening on ${serving.url}`);

      af.logger.info({ signal: await signal }, 'shutting down: draining in-flight requests');
      await serving.stop();
      af.logger.info('stopped');
      return 0;
    }));
}
