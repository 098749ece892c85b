/**
 * The kernel's own record of OOM kills. Every kill writes one `oom-kill:` line to the kernel log
 * naming the victim's memory cgroup (`task_memcg=`), whose last part is the container's id
 * (cgroupfs: `/<parent>/<id>`, systemd: `/<slice>/docker-<id>.scope`). On cgroup v1 this is the
 * only record of a kill that outlives the container: the `oom_kill` counter in `memory.oom_control`
 * counts in the victim's own cgroup only (not its parents), and Docker removes that cgroup before
 * it reports the exit. It is also what Docker's `oom` event is made from, minus Docker's races.
 * Read without blocking, on demand: a drain costs one read per record and one that finds none.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface KernelOomKill {
  containerId: string;
  /** When the kernel killed it, ms since the epoch. */
  atMs: number;
}

export const KERNEL_LOG = '/dev/kmsg';

// The kernel's line starts `oom-kill:constraint=CONSTRAINT_…`. Other records can start with text a
// container chose: a segfault's names the process (`<comm>[pid]: segfault … in <file>`), so a
// process named `oom-kill:` crashing in a file named `task_memcg=…-<id>` would otherwise read as a
// kill of that container. A name holds 15 bytes at most: too few to reach `constraint=CONSTRAINT_`.
const OOM_RECORD = /^(\d+),(\d+),(\d+),[^;]*;oom-kill:constraint=CONSTRAINT_[A-Z]+,.*?\btask_memcg=([^,\s]*)/;
const CONTAINER_CGROUP = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?$/;

/**
 * One kernel log record (`prio,seq,usec,flags;message`) as an OOM kill of a container, or
 * undefined. `bootMs` is the wall time of the kernel clock's zero.
 */
export function parseOomRecord(line: string, bootMs: number): KernelOomKill | undefined {
  const m = OOM_RECORD.exec(line);
  if (!m) return undefined;
  const id = CONTAINER_CGROUP.exec(m[4] ?? '')?.[1];
  if (!id) return undefined;
  return { containerId: id, atMs: bootMs + Number(m[3]) / 1000 };
}

/** The wall time at which the monotonic clock (the kernel log's clock) read zero. */
export function monotonicZeroMs(): number {
  return Date.now() - Number(process.hrtime.bigint() / 1_000_000n);
}

export class KernelOomLog {
  private readonly buffer = Buffer.alloc(16 * 1024);
  private carry = '';

  private constructor(private fd: number | undefined) {}

  /** Opens the kernel log at its oldest record (so kills from before a plugin restart are read too). */
  static open(path = KERNEL_LOG): KernelOomLog {
    return new KernelOomLog(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
  }

  /** Every OOM kill logged since the last drain. */
  drain(): KernelOomKill[] {
    const kills: KernelOomKill[] = [];
    if (this.fd === undefined) return kills;
    const bootMs = monotonicZeroMs();
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // EPIPE: records were overwritten before this read; the next read goes on after them.
        if (code === 'EPIPE') continue;
        if (code === 'EAGAIN') break;
        throw err;
      }
      if (n === 0) break;
      // /dev/kmsg hands one record per read; a plain file (tests) hands any chunk.
      const lines = (this.carry + this.buffer.toString('utf8', 0, n)).split('\n');
      this.carry = lines.pop() ?? '';
      for (const line of lines) {
        const kill = parseOomRecord(line, bootMs);
        if (kill) kills.push(kill);
      }
    }
    return kills;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
