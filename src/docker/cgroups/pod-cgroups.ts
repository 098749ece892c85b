/**
 * The pod cgroups on this host (layout in cgroup-layout.ts): Docker makes a pod's cgroup when its
 * first container starts (`--cgroup-parent`) and never removes it, so the pod's cgroup outlives
 * its containers until the plugin removes it with the pod. A plugin restart needs nothing to adopt
 * them (a pod's path follows from its UID); what a crash left behind is swept at start-up.
 * Where the plugin cannot see the engine's cgroups (a remote DOCKER_HOST: another kernel), it says
 * so once and makes none: Docker then places containers where it always does.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../log.ts';
import {
  type CgroupDriver,
  type CgroupLayout,
  type CgroupVersion,
  cgroupDir,
  pluginCgroupPath,
  podCgroupLeaf,
  podCgroupParent,
  podCgroupPath,
} from './cgroup-layout.ts';

/** What `docker info` says of the engine's cgroups and kernel. */
export interface EngineCgroups {
  CgroupDriver?: string;
  CgroupVersion?: string;
  KernelVersion?: string;
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** A cgroup that could not be removed is tried again this long after, then twice as long each time. */
const FIRST_RETRY_MS = 5000;
const MAX_RETRY_MS = 60_000;
/**
 * Waits between the tries of a delete before it leaves the pod's cgroup for later: the engine's
 * own processes can still be leaving it just after the containers are gone (Podman's conmon runs
 * `podman container cleanup` in `<pod>/conmon`, slower on a loaded host).
 */
const SETTLE_MS = [20, 50, 100, 200, 400, 800];

/** What a later try at removing a pod's cgroup needs of the backend. */
export interface LeftoverRetry {
  /** Runs `fn` with no create or delete of the pod in between (the pod's lock). */
  exclusive(uid: string, fn: () => Promise<void>): Promise<void>;
  /** Whether the pod exists (again): in the view, or being created. */
  exists(uid: string): boolean;
  /** The pods in the view, for cgroups whose pod UID is not known (what a crash left). */
  existing(): string[];
}

/** What a pod's cgroup is held to (pod-resources.ts decides it): none of what is undefined. */
export interface PodLimits {
  memoryBytes: number | undefined;
  cpu: { periodUs: number; quotaUs: number } | undefined;
  /** Processes and threads of the whole pod at once (pids.max). */
  pids?: number | undefined;
}

export class PodCgroups {
  private layout: CgroupLayout | undefined;
  /** v1: the hierarchies mounted under the root (memory, cpu, ...); v2: the root alone. */
  private hierarchies: string[] = [];
  /** Pod cgroups (leaf → pod UID, when known) that could not be removed yet. */
  private readonly leftovers = new Map<string, string | undefined>();
  private retry: LeftoverRetry | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = FIRST_RETRY_MS;

  constructor(
    private readonly instance: string,
    private readonly log: Logger,
    private readonly root = CGROUP_ROOT,
  ) {}

  /** Turns pod cgroups on when the engine's cgroups are this host's; says once why not. */
  async detect(engine: EngineCgroups, localKernel = release()): Promise<void> {
    const driver = engine.CgroupDriver as CgroupDriver;
    const version = Number(engine.CgroupVersion) as CgroupVersion;
    const off = (reason: string) => this.log.warn('pods get no cgroup of their own', { reason });
    if ((driver !== 'cgroupfs' && driver !== 'systemd') || (version !== 1 && version !== 2))
      return off(
        `the engine's cgroup driver ${driver} (cgroup v${engine.CgroupVersion}) is not one the plugin knows`,
      );
    if (engine.KernelVersion !== localKernel)
      return off(
        `the engine runs on another kernel (${engine.KernelVersion}, here ${localKernel}): a remote DOCKER_HOST; ` +
          'OOM kills and usage come from Docker’s reports only',
      );
    const hierarchies = version === 2 ? [this.root] : await v1Hierarchies(this.root);
    if (hierarchies.length === 0) return off(`no cgroup v${version} hierarchy is mounted at ${this.root}`);
    // Not root (beside a rootless engine): neither the plugin nor the engine can make cgroups there.
    const closed = await firstUnwritable(hierarchies);
    if (closed)
      return off(
        `the plugin cannot make cgroups in ${closed} (it runs as user ${process.getuid?.()}, not root): ` +
          'the engine places containers in cgroups of its own, and the pod usage metrics stay empty',
      );
    this.layout = { driver, version, root: this.root, instance: this.instance };
    this.hierarchies = hierarchies;
  }

  /** The layout in use; undefined when pods get no cgroup of their own. */
  get current(): CgroupLayout | undefined {
    return this.layout;
  }

  /** `--cgroup-parent` for each of the pod's containers (none when off). */
  parentArgs(uid: string): string[] {
    return this.layout ? ['--cgroup-parent', podCgroupParent(this.layout, uid)] : [];
  }

  /** The pod's cgroup directory in one controller's hierarchy (v2: the one). */
  podDir(uid: string, controller: string): string | undefined {
    return this.layout ? cgroupDir(this.layout, controller, podCgroupPath(this.layout, uid)) : undefined;
  }

  /**
   * Sets the pod's limits on its cgroup before its first container starts (pod-resources.ts
   * decides them). cgroupfs only: with systemd the slice is systemd's to configure. The CPU quota
   * is at least each container's own, so the engine can still set theirs beneath it (cgroup v1
   * refuses a child a larger quota than its parent's).
   */
  async limitPod(uid: string, limits: PodLimits): Promise<void> {
    const layout = this.layout;
    if (layout?.driver !== 'cgroupfs') return;
    const v2 = layout.version === 2;
    const { memoryBytes, cpu, pids } = limits;
    if (pids !== undefined) await this.write(uid, 'pids', [['pids.max', String(pids)]]);
    if (memoryBytes !== undefined)
      await this.write(uid, 'memory', [[v2 ? 'memory.max' : 'memory.limit_in_bytes', String(memoryBytes)]]);
    if (cpu)
      await this.write(
        uid,
        'cpu',
        v2
          ? [['cpu.max', `${cpu.quotaUs} ${cpu.periodUs}`]]
          : [
              ['cpu.cfs_period_us', String(cpu.periodUs)],
              ['cpu.cfs_quota_us', String(cpu.quotaUs)],
            ],
      );
  }

  /** Writes files of the pod's cgroup in one controller's hierarchy, making the cgroup first. */
  private async write(uid: string, controller: string, files: ReadonlyArray<readonly [string, string]>) {
    const layout = this.layout;
    if (!layout) return;
    const dir = cgroupDir(layout, controller, podCgroupPath(layout, uid));
    try {
      if (layout.version === 2) await this.delegate(controller);
      await mkdir(dir, { recursive: true });
      for (const [file, value] of files) await writeFile(join(dir, file), value);
    } catch (err) {
      this.log.warn('could not set a pod limit on its cgroup', {
        podUid: uid,
        controller,
        error: (err as Error).message,
      });
    }
  }

  /**
   * cgroup v2: a cgroup has a controller's files (memory.max, ...) only when its parent lists the
   * controller in cgroup.subtree_control, and a cgroup the plugin made lists none. The engine's
   * runtime enables them down to a container's cgroup when it makes one, but the pod's limits are
   * written before its first container: so the root and the plugin's cgroup enable it first.
   */
  private async delegate(controller: string): Promise<void> {
    const layout = this.layout;
    if (!layout) return;
    const plugin = join(layout.root, pluginCgroupPath(layout));
    await mkdir(plugin, { recursive: true });
    for (const dir of [layout.root, plugin]) {
      await writeFile(join(dir, 'cgroup.subtree_control'), `+${controller}`);
    }
  }

  /**
   * Removes the pod's cgroup, once its containers are gone. With systemd the slice is systemd's
   * to remove (it goes when its last scope has).
   */
  async remove(uid: string): Promise<void> {
    if (this.layout?.driver !== 'cgroupfs') return;
    const leaf = podCgroupLeaf(this.layout, uid);
    for (const ms of SETTLE_MS) {
      if (await this.removeLeaves([leaf], { quiet: true })) return;
      await delay(ms);
    }
    if (!(await this.removeLeaves([leaf]))) this.leaveForLater(leaf, uid);
  }

  /**
   * How a later try removes a pod's cgroup that a removal or the sweep could not (a process, or a
   * container's cgroup the engine had not removed yet, was still in it): with the pod's create and
   * delete held off, and not once the pod exists again. Until this is given, nothing is retried.
   */
  retryLeftovers(retry: LeftoverRetry): void {
    this.retry = retry;
    this.armRetry();
  }

  /** Removes every pod cgroup of this plugin whose pod is not in `keep` (what a crash left). */
  async sweep(keep: Iterable<string>): Promise<void> {
    const layout = this.layout;
    if (layout?.driver !== 'cgroupfs') return;
    const wanted = new Set([...keep].map((uid) => podCgroupLeaf(layout, uid)));
    const leaves = new Set<string>();
    for (const h of this.hierarchies) {
      const parent = join(h, pluginCgroupPath(layout));
      for (const e of await readdir(parent, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory() && e.name.startsWith('pod') && !wanted.has(e.name)) leaves.add(e.name);
      }
    }
    for (const leaf of leaves) if (!(await this.removeLeaves([leaf]))) this.leaveForLater(leaf, undefined);
  }

  private leaveForLater(leaf: string, uid: string | undefined): void {
    this.leftovers.set(leaf, uid);
    this.armRetry();
  }

  /** Tries the leftovers again after a delay that doubles while some stay (up to a minute). */
  private armRetry(): void {
    if (this.retryTimer || !this.retry || this.leftovers.size === 0) return;
    this.retryTimer = setTimeout(() => void this.retryNow(), this.retryDelayMs);
    this.retryTimer.unref();
  }

  private async retryNow(): Promise<void> {
    const retry = this.retry;
    const layout = this.layout;
    if (!retry || !layout) return;
    for (const [leaf, uid] of [...this.leftovers]) {
      const again = async () => {
        const back =
          uid !== undefined
            ? retry.exists(uid)
            : retry.existing().some((u) => podCgroupLeaf(layout, u) === leaf);
        // A pod made anew with the same UID owns the cgroup again: its own delete removes it.
        if (back || (await this.removeLeaves([leaf], { quiet: true }))) this.leftovers.delete(leaf);
      };
      await (uid !== undefined ? retry.exclusive(uid, again) : again()).catch(() => {});
    }
    this.retryTimer = undefined;
    this.retryDelayMs =
      this.leftovers.size === 0 ? FIRST_RETRY_MS : Math.min(this.retryDelayMs * 2, MAX_RETRY_MS);
    if (this.leftovers.size > 0) this.armRetry();
  }

  /** Removes the plugin-wide parent if no pod is left in it (at the plugin's stop: no create races it). */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retry = undefined;
    const layout = this.layout;
    if (layout?.driver !== 'cgroupfs') return;
    for (const h of this.hierarchies) await rmdir(join(h, pluginCgroupPath(layout))).catch(() => {});
  }

  /** Whether every hierarchy's cgroup of these pods is gone now. */
  private async removeLeaves(leaves: readonly string[], { quiet = false } = {}): Promise<boolean> {
    const layout = this.layout;
    if (!layout) return true;
    let all = true;
    for (const leaf of leaves) {
      for (const h of this.hierarchies) {
        const dir = join(h, pluginCgroupPath(layout), leaf);
        await removeEmptyChildren(dir);
        await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
          // ENOENT: never made in that hierarchy, or gone. EBUSY: a process is still in it.
          if (err.code === 'ENOENT') return;
          all = false;
          if (!quiet)
            this.log.warn('could not remove a pod cgroup; trying again later', { dir, error: err.code });
        });
      }
    }
    return all;
  }
}

/**
 * The cgroups inside a pod's, once its containers are gone. Podman's cgroupfs manager puts each
 * container's monitor (conmon) in `<cgroup-parent>/conmon` and never removes it, which would keep
 * the pod's cgroup busy for ever; one a process is still in stays (EBUSY), and so does the pod's.
 */
async function removeEmptyChildren(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await rmdir(join(dir, e.name)).catch(() => {});
  }
}

async function firstUnwritable(dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const ok = await access(dir, constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!ok) return dir;
  }
  return undefined;
}

/** The v1 hierarchies: the directories under the root (cpu,cpuacct style links are skipped). */
async function v1Hierarchies(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = join(root, name);
    const st = await lstat(dir).catch(() => undefined);
    if (st?.isDirectory() && !st.isSymbolicLink()) found.push(dir);
  }
  return found;
}
