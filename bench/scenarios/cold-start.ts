// Cold start: `dist/authflow serve` from spawn to /readyz 200, on a copy of a
// provisioned data dir (the OS page cache is warm: the binary has run before).
import { join } from 'node:path';
import { median, spread, type Spread } from '../measure.ts';
import { copyDataDir, serveAuthflow } from '../peers/authflow.ts';
import { memory } from '../system.ts';
import type { Context } from '../context.ts';

export interface ColdStart {
  readonly runs: readonly number[];
  readonly ms: Spread;
  /** VmRSS right after /readyz answered, median (MiB). */
  readonly rssAtReadyMiB: number;
}

export async function coldStartScenario(ctx: Pick<Context, 'binary' | 'env' | 'runDir' | 'progress'>, pristineDataDir: string, label: string, count: number): Promise<ColdStart> {
  ctx.progress(`cold start to /readyz 200 (${label}, ${count}×)`);
  const runs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = join(ctx.runDir, `cold-${label}-${i}`);
    copyDataDir(pristineDataDir, dataDir);
    const s = await serveAuthflow(ctx.binary, ctx.env, dataDir, ctx.runDir, `authflow-cold-${label}`);
    runs.push(s.readyMs);
    rss.push(memory(s.proc.pid)?.rssMiB ?? NaN);
    await s.proc.stop();
  }
  ctx.progress(`  median ${median(runs).toFixed(0)} ms (min ${Math.min(...runs).toFixed(0)}, max ${Math.max(...runs).toFixed(0)})`);
  return { runs, ms: spread(runs), rssAtReadyMiB: median(rss) };
}
