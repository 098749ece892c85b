/**
 * What the sidecar costs the host, read from /proc: resident memory, CPU time, and the docker
 * processes it has running (by subcommand, so a `docker inspect` per /status would show).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Memory {
  rssMb: number;
  /** Peak resident set since the process started. */
  hwmMb: number;
}

export function memoryOf(pid: number): Memory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** User + system CPU seconds the process has used (clock ticks are 100 Hz on Linux). */
export function cpuSecondsOf(pid: number): number {
  const stat = readStat(pid);
  return stat ? (stat.utime + stat.stime) / 100 : Number.NaN;
}

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  utime: number;
  stime: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may hold spaces: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const rest = text
    .slice(close + 2)
    .split(' ')
    .map((s) => Number(s));
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  return { pid, comm, ppid: rest[1] as number, utime: rest[11] as number, stime: rest[12] as number };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/**
 * CPU seconds of the engine's daemons (dockerd, containerd and the containers' shims): what a
 * side's work cost the engine, beside what its client cost.
 */
export function daemonCpuSeconds(): number {
  return allStats()
    .filter((s) => s.comm === 'dockerd' || s.comm === 'containerd' || s.comm.startsWith('containerd-shim'))
    .reduce((sum, s) => sum + (s.utime + s.stime) / 100, 0);
}

/** Direct children of a process (this kernel has no /proc/PID/task/TID/children, so scan /proc). */
export function childrenOf(pid: number): Stat[] {
  return allStats().filter((s) => s.ppid === pid);
}

/**
 * The node process that runs the sidecar: the spawned pid itself when it is node with no node
 * child, otherwise the deepest node below it (`npx tsx` and the tsx CLI only relay to a child).
 */
export function findNodePid(rootPid: number): number | undefined {
  const stats = allStats();
  const isNode = (s: Stat) => s.comm === 'node' || s.comm.startsWith('node');
  let found: number | undefined;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const s = stats.find((x) => x.pid === pid);
    if (s && isNode(s)) found = pid;
    for (const c of stats) if (c.ppid === pid) queue.push(c.pid);
  }
  return found;
}

function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export interface DockerChild {
  pid: number;
  /** The docker subcommand: events, inspect, logs, run, ... */
  verb: string;
}

/** The docker CLI processes the sidecar has running now. */
export function dockerChildrenOf(pid: number): DockerChild[] {
  return childrenOf(pid)
    .filter((s) => s.comm === 'docker')
    .map((s) => {
      const argv = readCmdline(s.pid).slice(1);
      // A process that already exited (a zombie until node reaps it) has no command line left.
      const verb = argv.find((a) => !a.startsWith('-')) ?? '(exited)';
      return {
        pid: s.pid,
        verb: verb === 'container' ? `container ${argv[argv.indexOf('container') + 1] ?? ''}`.trim() : verb,
      };
    });
}

export interface SpawnWatch {
  /** Stops sampling: the most docker children seen at once, and distinct processes per verb. */
  stop(): { maxConcurrent: number; distinctByVerb: Record<string, number>; samples: number };
}

/**
 * Samples the sidecar's docker children every `intervalMs` (a /proc scan costs ~3 ms, so not too
 * often: the load generator shares the cores). Short-lived processes between two
 * samples are missed, so this is a lower bound: enough to tell "none" from "one per request".
 */
export function watchDockerChildren(pid: number, intervalMs = 250): SpawnWatch {
  const seen = new Map<number, string>();
  let maxConcurrent = 0;
  let samples = 0;
  const sample = () => {
    const kids = dockerChildrenOf(pid);
    samples++;
    maxConcurrent = Math.max(maxConcurrent, kids.length);
    for (const k of kids) seen.set(k.pid, k.verb);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const distinctByVerb: Record<string, number> = {};
      for (const verb of seen.values()) distinctByVerb[verb] = (distinctByVerb[verb] ?? 0) + 1;
      return { maxConcurrent, distinctByVerb, samples };
    },
  };
}

/** Every process below `rootPid`, itself included. */
export function treeOf(rootPid: number): number[] {
  const stats = allStats();
  const out: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    for (const c of stats) if (c.ppid === pid) queue.push(c.pid);
  }
  return out;
}

/** Resident memory summed over a process tree (what `npm start` costs: npm, sh and node). */
export function treeMemoryOf(rootPid: number): Memory | undefined {
  const mems = treeOf(rootPid)
    .map(memoryOf)
    .filter((m): m is Memory => m !== undefined && Number.isFinite(m.rssMb));
  if (mems.length === 0) return undefined;
  return {
    rssMb: mems.reduce((s, m) => s + m.rssMb, 0),
    hwmMb: mems.reduce((s, m) => s + m.hwmMb, 0),
  };
}
