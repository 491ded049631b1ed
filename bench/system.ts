// What the machine is and what its processes spend, from /proc: CPU ticks of
// the whole machine, of one process (all its threads), and of this process's
// reaped children (the load generators), and a process's resident memory.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc's CPU counters (USER_HZ). */
const HZ = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
}

export function machine(): Machine {
  const list = cpus();
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {}
  return { cores: list.length, cpuModel: list[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, kernel };
}

/** Busy and total ticks of all CPUs together (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces). */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** A process and its descendants (a `serve --workers N` primary and its workers). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (children) out.push(...children.split(/\s+/).map(Number));
    } catch {
      // Gone, or no children file: nothing to add.
    }
  }
  return out;
}

/** utime + stime of a process and its descendants, all threads (ticks). 0 once it is gone. */
export function processTicks(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const f = statFields(p);
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Exited meanwhile.
    }
  }
  return ticks;
}

/** This process's own ticks, and those of its children it has reaped (cutime + cstime). */
function selfTicks(): { own: number; children: number } {
  const f = statFields('self');
  return { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** VmRSS and VmHWM (peak) of one process, in MiB. */
function processMemory(pid: number): { rssMiB: number; hwmMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM of a process and its descendants, summed (MiB), and of each of them. */
export function memory(pid: number): { rssMiB: number; hwmMiB: number; processes: { pid: number; rssMiB: number; hwmMiB: number }[] } | undefined {
  const processes = processTree(pid).flatMap((p) => {
    const m = processMemory(p);
    return m ? [{ pid: p, ...m }] : [];
  });
  if (!processes.length) return undefined;
  return { rssMiB: processes.reduce((n, p) => n + p.rssMiB, 0), hwmMiB: processes.reduce((n, p) => n + p.hwmMiB, 0), processes };
}

/** Where the machine's CPU went during one measured run, in cores (1.0 = one core busy the whole time). */
export interface CpuSplit {
  readonly seconds: number;
  /** The server under test. */
  readonly server: number;
  /** The load generator (a child of this process, counted once reaped). */
  readonly load: number;
  /** This orchestrating process. */
  readonly bench: number;
  /** Everything else: other servers idling, other programs on the machine (noise). */
  readonly other: number;
  /** The machine's busy share, 0–1. */
  readonly busy: number;
}

export interface CpuWindow {
  /** Ends the window. Call after the load generator has exited (its ticks are counted when reaped). */
  stop(): CpuSplit;
}

export function cpuWindow(serverPid: number): CpuWindow {
  const t0 = performance.now();
  const m0 = machineTicks();
  const s0 = processTicks(serverPid);
  const self0 = selfTicks();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineTicks();
      const server = processTicks(serverPid) - s0;
      const self1 = selfTicks();
      const load = self1.children - self0.children;
      const bench = self1.own - self0.own;
      const busyTicks = m1.busy - m0.busy;
      const other = Math.max(0, busyTicks - server - load - bench);
      const cores = (ticks: number) => ticks / HZ / seconds;
      return { seconds, server: cores(server), load: cores(load), bench: cores(bench), other: cores(other), busy: m1.total > m0.total ? busyTicks / (m1.total - m0.total) : 0 };
    },
  };
}
