/**
 * Whether a container's run ended in an OOM kill: only when the kernel says so, as the kubelet
 * does (containerd reports OOMKilled only when the cgroup's oom_kill counter rose). The sources are
 * Docker's `State.OOMKilled` and `oom` event, and the kernel's own log of the kill, which names the
 * victim's cgroup (kernel-oom-log.ts). An exit code is never taken for one: 137 is any SIGKILL
 * (`docker kill`, a probe's kill, `exit 137`). The kernel logs a kill before the process is gone,
 * so reading the log when Docker reports the exit is all the waiting an exit needs.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../../log.ts';
import { KERNEL_LOG, KernelOomLog } from './kernel-oom-log.ts';

/** Clock skew allowed between the kernel's clock, read as wall time, and Docker's run times. */
const KERNEL_SKEW_MS = 50;

/** Kills kept at most; the kernel log holds kills of every container on the host. */
const MAX_KEPT = 10_000;

/** Running containers whose process was already gone, after which the engine's are taken for not this kernel's. */
const UNANSWERED_MAX = 3;

interface Kill {
  atMs: number;
  /** Kernel times are exact; Docker's `oom` event may come after the exit, even after a restart. */
  fromKernel: boolean;
}

export interface OomAttributionOptions {
  log: Logger;
  /** The kernel log to read; false: Docker's reports only. */
  kernelLog?: string | false;
  /**
   * Whether a running container's process is one this kernel runs (false: a remote engine;
   * undefined: no such process any more, so no answer).
   */
  onThisKernel?: (id: string, pid: number) => boolean | undefined;
}

export class OomAttribution {
  private readonly kills = new Map<string, Kill[]>();
  private kernel: KernelOomLog | undefined;
  private warned = false;
  private engineChecked = false;
  private unanswered = 0;
  private readonly log: Logger;
  private readonly onThisKernel: (id: string, pid: number) => boolean | undefined;

  constructor(options: OomAttributionOptions) {
    this.log = options.log;
    this.onThisKernel = options.onThisKernel ?? processInContainer;
    const kernelLog = options.kernelLog ?? KERNEL_LOG;
    if (kernelLog === false) return;
    try {
      this.kernel = KernelOomLog.open(kernelLog);
      this.catchUp();
    } catch (err) {
      this.kernelUnseen(`the kernel log (${kernelLog}) cannot be read: ${(err as Error).message}`);
    }
  }

  /** Whether the kernel's own record of OOM kills is read (false: only Docker's reports count). */
  get readsKernel(): boolean {
    return this.kernel !== undefined;
  }

  /**
   * The engine's containers are not this kernel's (a remote DOCKER_HOST, another VM): its log says
   * nothing of them. Said once; Docker's own reports are all there is then.
   */
  kernelUnseen(why: string): void {
    this.kernel?.close();
    this.kernel = undefined;
    if (this.warned) return;
    this.warned = true;
    this.log.warn('OOM kills are taken from Docker’s reports only, which can miss some', { reason: why });
  }

  /**
   * A running container: the first whose process is still there tells whether the engine runs on
   * this kernel. A short run can be over when it is looked at (Podman reports a run as running
   * until its monitor has seen the exit): that one says nothing, unless it keeps happening.
   */
  sawRunning(id: string, pid: number): void {
    if (this.engineChecked || !this.kernel || !(pid > 0)) return;
    const here = this.onThisKernel(id, pid);
    if (here === undefined && ++this.unanswered < UNANSWERED_MAX) return;
    this.engineChecked = true;
    if (!here) {
      this.kernelUnseen(
        'the engine’s containers do not run on the kernel the plugin sees (a remote DOCKER_HOST?)',
      );
    }
  }

  /** Docker reported an OOM kill (`oom` event). */
  reported(id: string, atMs: number): void {
    this.add(id, { atMs, fromKernel: false });
  }

  /** Reads the kills the kernel logged since the last read. */
  catchUp(): void {
    if (!this.kernel) return;
    try {
      for (const k of this.kernel.drain()) this.add(k.containerId, { atMs: k.atMs, fromKernel: true });
    } catch (err) {
      this.kernelUnseen(`reading the kernel log failed: ${(err as Error).message}`);
    }
  }

  /**
   * Whether an OOM kill of the container was reported during the run that started at `startedAt`
   * and ended at `finishedAt` (undefined: still running, or unknown).
   */
  killedInRun(id: string, startedAt: string | undefined, finishedAt?: string): boolean {
    const kills = this.kills.get(id);
    if (!kills) return false;
    const started = startedAt ? Date.parse(startedAt) : Number.NaN;
    const finished = finishedAt ? Date.parse(finishedAt) : Number.NaN;
    return kills.some((k) => {
      if (k.fromKernel) {
        if (!Number.isNaN(started) && k.atMs < started - KERNEL_SKEW_MS) return false;
        return Number.isNaN(finished) || finished <= 0 || k.atMs <= finished + KERNEL_SKEW_MS;
      }
      // Docker's times are to the nanosecond and the event's too; unknown start: the oom counts.
      return Number.isNaN(started) || k.atMs >= Math.floor(started);
    });
  }

  /** How many times the container was OOM-killed (all runs), by the kernel's count where it is read. */
  count(id: string): number {
    this.catchUp();
    const kills = this.kills.get(id) ?? [];
    const kernel = kills.filter((k) => k.fromKernel).length;
    return kernel > 0 || this.kernel ? kernel : kills.length;
  }

  /** The container is gone. */
  forget(id: string): void {
    this.kills.delete(id);
  }

  close(): void {
    this.kernel?.close();
    this.kernel = undefined;
  }

  private add(id: string, kill: Kill): void {
    const list = this.kills.get(id) ?? [];
    if (list.some((k) => k.fromKernel === kill.fromKernel && k.atMs === kill.atMs)) return;
    list.push(kill);
    this.kills.delete(id);
    this.kills.set(id, list.slice(-8));
    if (this.kills.size > MAX_KEPT) {
      const oldest = this.kills.keys().next().value;
      if (oldest !== undefined) this.kills.delete(oldest);
    }
  }
}

/**
 * Whether `pid` on this kernel is the container's process: its cgroup path names the container.
 * Undefined when there is no such process (any more).
 */
function processInContainer(id: string, pid: number): boolean | undefined {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(id);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : false;
  }
}
