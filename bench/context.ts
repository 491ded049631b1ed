// What every scenario gets: the options, the running servers, the load
// generator, and the shape of what it hands back to the report.
import { runLoad, type LoadSpec, type LoadTool } from './load.ts';
import type { Summary, Target } from './measure.ts';
import type { Options } from './options.ts';
import type { AuthflowServer, Provisioned } from './peers/authflow.ts';

export interface Peer {
  readonly url: string;
  readonly pid: number;
  readonly clientId: string;
  readonly clientSecret: string;
  stop(): Promise<void>;
}

export interface Context {
  readonly opts: Options;
  readonly tool: LoadTool;
  readonly root: string;
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  /** Temp dir of this run: data dirs, logs, wrk scripts. */
  readonly runDir: string;
  readonly authflow: AuthflowServer & { readonly provisioned: Provisioned; readonly dataDir: string };
  readonly oidcProvider: Peer;
  readonly ceiling: Peer;
  progress(line: string): void;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly targets: Record<string, Summary>;
  readonly notes: readonly string[];
}

/** A target driven by the load generator with a fixed request. */
export function loadTarget(ctx: Context, name: string, pid: number, request: Omit<LoadSpec, 'connections' | 'seconds'>): Target {
  return { name, pid, run: (seconds) => runLoad(ctx.tool, { ...request, connections: ctx.opts.connections, seconds }, ctx.runDir) };
}

/** Fails loudly when a request the scenario is about to repeat does not do what it should. */
export function check(ok: boolean, what: string, detail: string): void {
  if (!ok) throw new Error(`sanity check failed: ${what}: ${detail.slice(0, 500)}`);
}
