// Command-line options of `npm run bench`.
import { parseArgs } from 'node:util';
import type { LoadTool } from './load.ts';
import type { Timing } from './measure.ts';
import type { DatasetSize } from './dataset.ts';

export interface Options {
  readonly quick: boolean;
  readonly build: boolean;
  readonly tool: LoadTool | undefined;
  readonly connections: number;
  readonly timing: Timing;
  /** Shorter runs for the cheap GET endpoints (JWKS, discovery). */
  readonly metadataTiming: Timing;
  readonly loginConcurrency: number;
  readonly coldStarts: number;
  readonly scale: DatasetSize | undefined;
  /** Seconds of load per endpoint with the CPU profiler on. */
  readonly profileSeconds: number;
}

export const USAGE = `Usage: npm run bench [-- options]
  --quick              about 2 minutes: shorter runs, and a 100,000-user / 100-tenant scale data set
  --load wrk|autocannon  the load generator (default: wrk when installed, else autocannon)
  --connections N      load generator connections (default 32)
  --no-build           use dist/authflow as it is, even if older than the sources
  --no-scale           skip the large-database comparison
  -h, --help`;

export function parseOptions(argv: readonly string[]): Options | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      load: { type: 'string' },
      connections: { type: 'string', default: '32' },
      'no-build': { type: 'boolean', default: false },
      'no-scale': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  if (values.load !== undefined && values.load !== 'wrk' && values.load !== 'autocannon') throw new Error(`--load must be wrk or autocannon, not ${values.load}`);
  const connections = Number(values.connections);
  if (!Number.isInteger(connections) || connections < 1 || connections > 256) throw new Error('--connections must be an integer from 1 to 256');
  const quick = values.quick;
  return {
    quick,
    build: !values['no-build'],
    tool: values.load as LoadTool | undefined,
    connections,
    timing: quick ? { warmupSeconds: 1, seconds: 2, runs: 3 } : { warmupSeconds: 3, seconds: 6, runs: 5 },
    metadataTiming: quick ? { warmupSeconds: 1, seconds: 1, runs: 3 } : { warmupSeconds: 2, seconds: 4, runs: 3 },
    loginConcurrency: 8,
    coldStarts: 10,
    scale: values['no-scale'] ? undefined : quick ? { users: 100_000, tenants: 100 } : { users: 1_000_000, tenants: 1_000 },
    profileSeconds: quick ? 3 : 6,
  };
}
