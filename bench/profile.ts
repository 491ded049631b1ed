// The flame-graph summary of a V8 CPU profile (`--cpu-prof`): the frames
// where the samples landed (self time), heaviest first. Frames are named
// `function (file:line)`; idle and the program root are left out of the
// shares, garbage collection is kept (it is work the server caused).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { basename, relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Frame {
  readonly frame: string;
  /** Share of the busy samples (idle excluded), 0–1. */
  readonly self: number;
}

export interface ProfileSummary {
  /** Milliseconds the main thread was busy during the profile. */
  readonly busyMs: number;
  readonly top: readonly Frame[];
}

const NOT_WORK = new Set(['(idle)', '(root)', '(program)']);

/** The bundle's source map, so that frames of the minified single binary name their source file and line. */
export interface BundleMap {
  /** The bundle's file name as profiles show it (e.g. authflow.cjs). */
  readonly file: string;
  readonly map: SourceMap;
  /** Sources are shown relative to this directory. */
  readonly root: string;
}

export function loadBundleMap(mapFile: string, root: string): BundleMap | undefined {
  if (!existsSync(mapFile)) return undefined;
  return { file: basename(mapFile).replace(/\.map$/, ''), map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload), root };
}

function frameName(n: ProfileNode, bundle: BundleMap | undefined): string {
  const { functionName, url, lineNumber, columnNumber } = n.callFrame;
  const fn = functionName || '(anonymous)';
  if (!url) return fn;
  const file = basename(url.replace(/^file:\/\//, ''));
  if (bundle && file === bundle.file) {
    const entry = bundle.map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
    if (entry.originalSource) {
      const source = relative(bundle.root, entry.originalSource.replace(/^file:\/\//, '')).replace(/^(\.\.\/)+/, '');
      return `${entry.name ?? fn} (${source}:${(entry.originalLine ?? 0) + 1})`;
    }
  }
  return `${fn} (${file}:${lineNumber + 1})`;
}

/** The `count` heaviest self-time frames of a .cpuprofile file. */
export function summarizeProfile(file: string, count = 10, bundle?: BundleMap): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    if (!node || NOT_WORK.has(node.callFrame.functionName)) continue;
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    const name = frameName(node, bundle);
    self.set(name, (self.get(name) ?? 0) + us);
  }
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({ frame, self: busy ? us / busy : 0 }));
  return { busyMs: busy / 1000, top };
}
