// Interleaved measurement: every target gets a warm-up, then the measured
// runs go A, B, C, A, B, C, … so that drift on the machine (other work,
// thermal, page cache) falls on all of them alike. Each run records the CPU
// split (server, load generator, everything else) and the server's RSS.
import { cpuWindow, memory, type CpuSplit } from './system.ts';

/** What one run of a target measured (throughput in its unit per second). */
export interface RunFigures {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly errors: number;
}

export interface Run extends RunFigures {
  readonly cpu: CpuSplit;
  /** Highest VmRSS of the server sampled during the run (MiB). */
  readonly rssMiB: number | null;
}

export interface Target {
  readonly name: string;
  /** The server process whose CPU and memory are the target's own (0: none). */
  readonly pid: number;
  run(seconds: number): Promise<RunFigures>;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Summary {
  readonly runs: readonly Run[];
  readonly rps: Spread;
  readonly p50ms: Spread;
  readonly p99ms: Spread;
  readonly errors: number;
  /** Medians over the runs, in cores. */
  readonly cpu: { server: number; load: number; other: number; bench: number };
  readonly rssMiB: number | null;
}

export interface Timing {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly runs: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

async function measured(target: Target, seconds: number): Promise<Run> {
  let rss = target.pid ? (memory(target.pid)?.rssMiB ?? null) : null;
  const sampler = setInterval(() => {
    const m = target.pid ? memory(target.pid) : undefined;
    if (m && (rss === null || m.rssMiB > rss)) rss = m.rssMiB;
  }, 250);
  const window = cpuWindow(target.pid);
  try {
    const figures = await target.run(seconds);
    return { ...figures, cpu: window.stop(), rssMiB: rss };
  } finally {
    clearInterval(sampler);
  }
}

export function summarize(runs: readonly Run[]): Summary {
  const rss = runs.map((r) => r.rssMiB).filter((x): x is number => x !== null);
  return {
    runs,
    rps: spread(runs.map((r) => r.rps)),
    p50ms: spread(runs.map((r) => r.p50ms)),
    p99ms: spread(runs.map((r) => r.p99ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    cpu: {
      server: median(runs.map((r) => r.cpu.server)),
      load: median(runs.map((r) => r.cpu.load)),
      other: median(runs.map((r) => r.cpu.other)),
      bench: median(runs.map((r) => r.cpu.bench)),
    },
    rssMiB: rss.length ? Math.max(...rss) : null,
  };
}

/** Warm-up for each target, then `runs` rounds of A, B, C…; returns each target's summary, by name. */
export async function interleave(targets: readonly Target[], timing: Timing, progress: (line: string) => void): Promise<Record<string, Summary>> {
  for (const t of targets) {
    progress(`  warm-up ${t.name} (${timing.warmupSeconds} s)`);
    await t.run(timing.warmupSeconds);
  }
  const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
  for (let i = 0; i < timing.runs; i++) {
    for (const t of targets) {
      const r = await measured(t, timing.seconds);
      runs.get(t.name)!.push(r);
      progress(`  run ${i + 1}/${timing.runs} ${t.name}: ${r.rps.toFixed(0)}/s p50 ${r.p50ms.toFixed(2)} ms p99 ${r.p99ms.toFixed(2)} ms${r.errors ? ` errors ${r.errors}` : ''} (server ${r.cpu.server.toFixed(2)} load ${r.cpu.load.toFixed(2)} other ${r.cpu.other.toFixed(2)} cores)`);
    }
  }
  return Object.fromEntries([...runs].map(([name, rs]) => [name, summarize(rs)]));
}
