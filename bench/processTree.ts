/**
 * CPU and memory of a process and everything below it, read from /proc (Linux). Spark's
 * work runs outside this Node process (the spark-submit JVM, the Python driver, the
 * pyspark daemon and its forked workers), where process.cpuUsage() cannot see it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** What a process of a Spark run is: the pyspark daemon's forked workers run the tasks' Python. */
export type ProcessKind = 'jvm' | 'python-driver' | 'python-daemon' | 'python-worker' | 'node' | 'other';

interface Stat {
  ppid: number;
  /** when it started (clock ticks since boot): with the pid, names one process even if its pid is reused */
  startTicks: number;
  /** the process's own CPU (all its threads), seconds */
  cpuSeconds: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: the fields start after the last ')'
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields 4 (ppid) and 14–15 (utime, stime) of proc(5), here from index 0 = field 3. Not the
    // children's cutime/cstime: a pyspark worker dies unreaped when its daemon is stopped, so
    // its CPU never reaches an ancestor; each process's own time, last seen, is summed instead
    const ticks = Number(f[11]) + Number(f[12]);
    return { ppid: Number(f[1]), startTicks: Number(f[19]), cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null; // gone since the listing
  }
}

/** kB fields of /proc/<pid>/status and smaps_rollup, in bytes (0 when the process is gone). */
function kbField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function kindOf(pid: number, parentKind: ProcessKind | undefined): ProcessKind {
  const cmd = readText(`/proc/${pid}/cmdline`).split('\0');
  const exe = cmd[0]?.split('/').pop() ?? '';
  if (exe === 'java') return 'jvm';
  if (exe === 'node') return 'node';
  if (exe.startsWith('python')) {
    // workers are forks of the daemon and keep its command line: their parent tells them apart
    if (cmd.includes('pyspark.daemon') || cmd.includes('pyspark.worker')) return parentKind === 'python-daemon' || parentKind === 'python-worker' ? 'python-worker' : 'python-daemon';
    return 'python-driver';
  }
  return 'other';
}

export interface TreeSample {
  t: number;
  /**
   * CPU seconds of the tree so far: the sum over every process seen below the root of its
   * own CPU when last sampled (a process misses at most the interval before its exit)
   */
  cpuSeconds: number;
  /** proportional set size of the tree (shared pages split among their sharers, so forks are not counted twice) */
  pssBytes: number;
}

export interface ProcessPeak {
  pid: number;
  kind: ProcessKind;
  /** the process's own peak resident set (VmHWM), shared pages included */
  peakRssBytes: number;
  /** its peak address space (VmPeak): what an RLIMIT_AS, such as spark.executor.pyspark.memory sets per worker, limits */
  peakVirtualBytes: number;
}

/** Samples the tree below `root` every `intervalMs` until stopped; keeps the tree's totals and each process's peaks. */
export class ProcessTreeSampler {
  readonly samples: TreeSample[] = [];
  readonly peaks = new Map<number, ProcessPeak>();
  /** each process's own CPU seconds when last seen, kept after it exits */
  private readonly cpuByProcess = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly root: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): TreeSample {
    const stats = new Map<number, Stat>();
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const s = readStat(pid);
      if (s) stats.set(pid, s);
    }
    const children = new Map<number, number[]>();
    for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
    const sample: TreeSample = { t: Date.now(), cpuSeconds: 0, pssBytes: 0 };
    const visit = (pid: number, parentKind: ProcessKind | undefined) => {
      const s = stats.get(pid);
      if (!s) return;
      this.cpuByProcess.set(`${pid}@${s.startTicks}`, s.cpuSeconds);
      sample.pssBytes += kbField(readText(`/proc/${pid}/smaps_rollup`), 'Pss');
      const status = readText(`/proc/${pid}/status`);
      const known = this.peaks.get(pid);
      const kind = known?.kind ?? kindOf(pid, parentKind);
      this.peaks.set(pid, {
        pid,
        kind,
        peakRssBytes: Math.max(known?.peakRssBytes ?? 0, kbField(status, 'VmHWM')),
        peakVirtualBytes: Math.max(known?.peakVirtualBytes ?? 0, kbField(status, 'VmPeak')),
      });
      for (const c of children.get(pid) ?? []) visit(c, kind);
    };
    visit(this.root, undefined);
    for (const cpu of this.cpuByProcess.values()) sample.cpuSeconds += cpu;
    this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The tree's peak PSS between two instants (epoch ms). */
  peakBytes(from = -Infinity, to = Infinity): number {
    return this.samples.filter((s) => s.t >= from && s.t <= to).reduce((m, s) => Math.max(m, s.pssBytes), 0);
  }

  /** CPU seconds between the samples nearest inside two instants; null when fewer than two samples fall inside. */
  cpuSecondsBetween(from: number, to: number): number | null {
    const inside = this.samples.filter((s) => s.t >= from && s.t <= to);
    return inside.length < 2 ? null : inside.at(-1)!.cpuSeconds - inside[0]!.cpuSeconds;
  }

  /** The largest per-process peaks of one kind (e.g. the Python workers': one task at a time each). */
  peakOf(kind: ProcessKind): { rssBytes: number; virtualBytes: number; processes: number } {
    const of = [...this.peaks.values()].filter((p) => p.kind === kind);
    return { rssBytes: Math.max(0, ...of.map((p) => p.peakRssBytes)), virtualBytes: Math.max(0, ...of.map((p) => p.peakVirtualBytes)), processes: of.length };
  }
}
