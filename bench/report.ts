// The bench's findings: each ratio next to its target, the raw
// figures behind them, memory, cold start, scale, and the noise seen; as
// JSON (everything, per run) and as a Markdown summary.
import type { ScenarioResult } from './context.ts';
import type { Summary, Timing } from './measure.ts';
import type { ColdStart } from './scenarios/cold-start.ts';
import type { EndpointProfile } from './scenarios/profiles.ts';
import type { ScaleResult } from './scenarios/scale.ts';
import type { WorkersResult } from './scenarios/workers.ts';
import type { Machine } from './system.ts';

export interface MemoryFigures {
  /** VmRSS after start-up, before any load (MiB). */
  readonly idleMiB: number | null;
  /** VmHWM after every scenario it served: the peak resident set (MiB). */
  readonly peakMiB: number | null;
}

export interface Ratio {
  readonly figure: string;
  /** The measured value: a ratio (×), milliseconds or MiB, per `unit`. */
  readonly value: number;
  /** The lowest and highest of the per-round ratios (rounds are interleaved pairs). */
  readonly range: readonly [number, number] | null;
  /** The same ratio per CPU-second each side spent (robust to a busy machine); null where it means nothing. */
  readonly perCpu: number | null;
  readonly unit: '×' | 'ms' | 'MiB';
  readonly target: string;
  readonly status: 'met' | 'missed';
  /** Within 10 % of the target: single runs vary ±15 % on this kind of machine. */
  readonly withinNoise: boolean;
}

export interface Report {
  readonly version: 1;
  readonly date: string;
  readonly commit: string;
  readonly quick: boolean;
  readonly durationSeconds: number;
  readonly machine: Machine;
  readonly loadGenerator: { readonly tool: string; readonly version: string; readonly connections: number; readonly medianCores: number };
  readonly timing: Timing;
  readonly metadataTiming: Timing;
  readonly scenarios: readonly ScenarioResult[];
  readonly coldStart: ColdStart;
  readonly memory: Record<string, MemoryFigures>;
  readonly scale: ScaleResult | null;
  /** `serve --workers 1` against `--workers 2` (null: skipped). */
  readonly workers: WorkersResult | null;
  /** The heaviest self-time frames per hot endpoint. */
  readonly profiles: readonly EndpointProfile[];
  readonly ratios: readonly Ratio[];
  readonly noise: { readonly medianOtherCores: number; readonly maxOtherCores: number; readonly noisyRuns: readonly string[] };
}

/** Other processes above this share of one core during a run are called noise. */
const NOISE_CORES = 0.15;

function pairRange(a: Summary, b: Summary, f: (s: Summary['runs'][number]) => number): readonly [number, number] | null {
  const n = Math.min(a.runs.length, b.runs.length);
  if (!n) return null;
  const rs = Array.from({ length: n }, (_, i) => f(a.runs[i]!) / f(b.runs[i]!));
  return [Math.min(...rs), Math.max(...rs)];
}

/** Work per CPU-second of the process doing it: the server, or (no server pid: the argon2 process) the load column. */
export function perCpuSecond(t: Summary): number {
  const cores = t.cpu.server > 0 ? t.cpu.server : t.cpu.load;
  return cores > 0 ? t.rps.median / cores : NaN;
}

function ratio(figure: string, a: Summary | undefined, b: Summary | undefined, atLeast: number | null, atMost: number | null, by: 'rps' | 'p50ms' = 'rps'): Ratio | undefined {
  if (!a || !b) return undefined;
  const value = a[by].median / b[by].median;
  const threshold = (atLeast ?? atMost)!;
  const met = atLeast !== null ? value >= atLeast : value <= atMost!;
  return {
    figure,
    value,
    range: pairRange(a, b, (r) => r[by]),
    perCpu: by === 'rps' ? perCpuSecond(a) / perCpuSecond(b) : null,
    unit: '×',
    target: atLeast !== null ? `≥ ${atLeast}×` : `≤ ${atMost}×`,
    status: met ? 'met' : 'missed',
    withinNoise: Math.abs(value / threshold - 1) < 0.1,
  };
}

function absolute(figure: string, value: number | null, unit: 'ms' | 'MiB', below: number): Ratio | undefined {
  if (value === null || !Number.isFinite(value)) return undefined;
  return { figure, value, range: null, perCpu: null, unit, target: `< ${below} ${unit}`, status: value < below ? 'met' : 'missed', withinNoise: Math.abs(value / below - 1) < 0.1 };
}

export function ratios(scenarios: readonly ScenarioResult[], coldStart: ColdStart, memory: Record<string, MemoryFigures>, scale: ScaleResult | null, workers: WorkersResult | null = null): Ratio[] {
  const by = (id: string) => scenarios.find((s) => s.id === id)?.targets ?? {};
  const token = by('token');
  const intro = by('introspection');
  const ui = by('userinfo');
  const login = by('login');
  const af = memory.authflow;
  return [
    ratio('token: authflow / oidc-provider', token.authflow, token['oidc-provider'], 2, null),
    ratio('token: authflow / bare node:http ceiling', token.authflow, token.ceiling, 0.8, null),
    ratio('full sign-in: logins/s / raw argon2id hashes/s', login.authflow, login['argon2id raw'], 0.9, null),
    ratio('userinfo: authflow / bare JWT-verify ceiling', ui.authflow, ui.ceiling, 0.7, null),
    ratio('introspection: authflow / bare ceiling (client auth + JWT verify)', intro.authflow, intro.ceiling, 0.7, null),
    absolute('cold start to /readyz 200 (median)', coldStart.ms.median, 'ms', 500),
    absolute('RSS idle (authflow, --workers 1)', af?.idleMiB ?? null, 'MiB', 90),
    absolute('RSS peak under load (authflow, --workers 1, VmHWM)', af?.peakMiB ?? null, 'MiB', 150),
    ...(workers
      ? [
          ratio('token: --workers 2 / --workers 1 (2 cores, shared with the load generator)', workerTargets(workers, 'workers-token')['workers 2'], workerTargets(workers, 'workers-token')['workers 1'], 1.3, null),
          absolute('RSS idle (authflow, --workers 2: primary + workers)', workers.memory.idleMiB, 'MiB', 90 * 2),
          absolute('RSS peak (authflow, --workers 2: primary + workers)', workers.memory.peakMiB, 'MiB', 150 * 2),
        ]
      : []),
    ...(scale
      ? [
          ratio(`scale: token p50 latency, ${scale.size.users.toLocaleString('en')} users / empty`, scale.token.targets.scale, scale.token.targets.empty, null, 1.2, 'p50ms'),
          ratio(`scale: sign-in p50 latency, ${scale.size.users.toLocaleString('en')} users / empty`, scale.login.targets.scale, scale.login.targets.empty, null, 1.2, 'p50ms'),
        ]
      : []),
  ].filter((r): r is Ratio => r !== undefined);
}

function workerTargets(w: WorkersResult, id: string): Record<string, Summary> {
  return w.scenarios.find((s) => s.id === id)?.targets ?? {};
}

export function noise(scenarios: readonly ScenarioResult[]): Report['noise'] {
  const others: number[] = [];
  const noisy: string[] = [];
  for (const s of scenarios) {
    for (const [name, summary] of Object.entries(s.targets)) {
      summary.runs.forEach((r, i) => {
        others.push(r.cpu.other);
        if (r.cpu.other > NOISE_CORES) noisy.push(`${s.id}/${name} run ${i + 1}: ${r.cpu.other.toFixed(2)} cores elsewhere`);
      });
    }
  }
  const sorted = [...others].sort((a, b) => a - b);
  return { medianOtherCores: sorted[sorted.length >> 1] ?? 0, maxOtherCores: sorted[sorted.length - 1] ?? 0, noisyRuns: noisy };
}

// ------------------------------------------------------------------ Markdown

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '–');
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const n2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function ratioCell(r: Ratio): string {
  if (r.unit !== '×') return `${r.unit === 'ms' ? n0(r.value) : n1(r.value)} ${r.unit}`;
  return `**${n2(r.value)}×**${r.range ? ` (${n2(r.range[0])}–${n2(r.range[1])})` : ''}`;
}

function statusCell(r: Ratio): string {
  return `${r.status === 'met' ? 'met' : '**missed**'}${r.withinNoise ? ' (within noise)' : ''}`;
}

function scenarioRows(s: ScenarioResult, label = s.title): string[] {
  return Object.entries(s.targets).map(([name, t]) =>
    `| ${label} | ${name} | ${n0(t.rps.median)} (${n0(t.rps.min)}–${n0(t.rps.max)}) | ${n1(perCpuSecond(t))} | ${ms(t.p50ms.median)} | ${ms(t.p99ms.median)} | ${n2(t.cpu.server)} | ${n2(t.cpu.load)} | ${n2(t.cpu.other)} | ${t.errors} |`,
  );
}

const TABLE_HEAD = ['| scenario | target | per second: median (min–max) | per CPU-second | p50 ms | p99 ms | server CPU | load gen CPU | other CPU | errors |', '|---|---|---|---|---|---|---|---|---|---|'];

export function markdown(r: Report): string {
  const m = r.machine;
  const lg = r.loadGenerator;
  const t = r.timing;
  const lines: string[] = [];
  lines.push(`# authflow benchmark: ${r.date}, commit ${r.commit}${r.quick ? ' (--quick)' : ''}`, '');
  lines.push(
    `Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}; Node.js ${m.node}. ` +
      `Load generator: ${lg.version} (${lg.tool === 'wrk' ? '-t1 ' : ''}-c${lg.connections}), ${n2(lg.medianCores)} cores median (${n0((lg.medianCores / m.cores) * 100)} % of the machine). ` +
      `Each figure: ${t.warmupSeconds} s warm-up per target, then ${t.runs} runs × ${t.seconds} s per target, interleaved A/B/A/B (JWKS and discovery: ${r.metadataTiming.runs} × ${r.metadataTiming.seconds} s). ` +
      `Medians, with min–max. Wall time ${n0(r.durationSeconds)} s.`,
    '',
  );
  if (r.noise.medianOtherCores > NOISE_CORES) {
    lines.push(
      `> **The machine was busy**: other processes used a median ${n2(r.noise.medianOtherCores)} cores during the measured runs (of ${m.cores}). Absolute figures are low and ratios less reliable; the per-CPU-second column compares the work each side got done per CPU-second it used. Re-run on a quiet machine for figures to quote.`,
      '',
    );
  }
  lines.push('## Against the targets', '', '| figure | measured (per-round range) | per CPU-second | target | status |', '|---|---|---|---|---|');
  for (const x of r.ratios) lines.push(`| ${x.figure} | ${ratioCell(x)} | ${x.perCpu === null ? '–' : `${n2(x.perCpu)}×`} | ${x.target} | ${statusCell(x)} |`);
  lines.push('', 'Ratios are of medians; a ratio within 10 % of its target is within this machine\'s run-to-run noise (single runs vary ±15 %). "Per CPU-second": the same ratio of work done per CPU-second of the process doing it (server process; for raw argon2id its own process).', '');

  lines.push('## Throughput and latency', '', ...TABLE_HEAD);
  for (const s of r.scenarios) lines.push(...scenarioRows(s));
  if (r.scale) lines.push(...scenarioRows(r.scale.token, 'scale: token'), ...scenarioRows(r.scale.login, 'scale: sign-in'));
  lines.push('', 'CPU columns are in cores (1.00 = one core busy for the whole run): the server process (all threads), the load generator (wrk/autocannon, or the login driver / argon2 process), and everything else on the machine.', '');
  const notes = r.scenarios.flatMap((s) => s.notes);
  if (notes.length) lines.push(...notes.map((n) => `- ${n}`), '');

  if (r.workers) {
    lines.push('## --workers 1 and --workers 2', '', ...TABLE_HEAD);
    for (const s of r.workers.scenarios) lines.push(...scenarioRows(s));
    lines.push('', 'The same install (one SQLite file); server CPU of --workers 2 is the primary and its workers together.', '');
  }

  const mib = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${n1(x)} MiB`);
  lines.push('## Memory', '', '| process | RSS idle | RSS peak (VmHWM) |', '|---|---|---|');
  for (const [name, f] of Object.entries(r.memory)) lines.push(`| ${name} | ${mib(f.idleMiB)} | ${mib(f.peakMiB)} |`);
  if (r.workers) {
    const w = r.workers.memory;
    lines.push(`| authflow --workers 2, total | ${mib(w.idleMiB)} | ${mib(w.peakMiB)} |`);
    w.processes.forEach((p, i) => lines.push(`| authflow --workers 2, ${i === 0 ? 'primary' : `worker ${i}`} | ${mib(p.idleMiB)} | ${mib(p.peakMiB)} |`));
  }
  lines.push('');

  if (r.profiles.length) {
    lines.push('## Where the time goes', '', 'Each endpoint under load in its own `serve --workers 1` with `--cpu-prof`; the ten frames with the most self time, as a share of the main thread\'s busy time (start-up included), named through the bundle\'s source map. Signing and verifying run partly on libuv\'s threads, which the profile does not see.', '');
    for (const p of r.profiles) {
      lines.push(`**${p.endpoint}**: ${n0(p.requests)} requests, main thread busy ${n0(p.busyMs)} ms (${n0(p.busyUsPerRequest)} µs per request).`, '', '| self | frame |', '|---|---|');
      for (const f of p.top) lines.push(`| ${n1(f.self * 100)} % | \`${f.frame}\` |`);
      lines.push('');
    }
  }

  const cs = r.coldStart;
  lines.push('## Cold start', '', `\`dist/authflow serve\` from spawn to the first \`/readyz\` 200, ${cs.runs.length} starts on a provisioned data dir: median **${n0(cs.ms.median)} ms** (min ${n0(cs.ms.min)}, max ${n0(cs.ms.max)}); RSS when ready ${n1(cs.rssAtReadyMiB)} MiB.`, '');

  if (r.scale) {
    const s = r.scale;
    lines.push(
      '## Scale',
      '',
      `${s.size.users.toLocaleString('en')} users and ${s.size.tenants.toLocaleString('en')} tenants (SQLite file ${n0(s.dbMiB)} MiB, ${s.cached ? 'from bench/.cache' : `generated in ${n0(s.generateSeconds ?? NaN)} s`})${r.quick ? ' — the --quick size; the full run uses 1,000,000 users and 1,000 tenants' : ''}. ` +
        `Cold start on it: median ${n0(s.coldStart.ms.median)} ms over ${s.coldStart.runs.length}; idle RSS ${s.idleRssMiB === null ? '–' : `${n1(s.idleRssMiB)} MiB`}.`,
      '',
    );
  }

  lines.push('## Noise', '');
  lines.push(`CPU used by other processes during measured runs: median ${n2(r.noise.medianOtherCores)} cores, max ${n2(r.noise.maxOtherCores)} cores.`);
  const noisy = r.noise.noisyRuns;
  if (noisy.length > 8) lines.push('', `${noisy.length} measured runs had more than ${NOISE_CORES} cores used elsewhere, for example:`, ...noisy.slice(0, 5).map((n) => `- ${n}`));
  else if (noisy.length) lines.push('', `Runs with more than ${NOISE_CORES} cores used elsewhere:`, ...noisy.map((n) => `- ${n}`));
  else lines.push('', `No measured run had more than ${NOISE_CORES} cores used elsewhere.`);
  lines.push('');
  return lines.join('\n');
}
