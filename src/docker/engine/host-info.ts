/**
 * What the plugin knows of the Docker host: the engine's `docker info` (cached, since the ping
 * comes every few seconds and the numbers rarely change) and the users images run as, which
 * preparing a pod needs for its security checks.
 */
import type { Pod } from '../../contract/api-types.ts';
import type { HostFacts } from '../../pod/pod-decision.ts';
import { imagesNeedingUser } from '../../pod/security-context.ts';
import { rootlessLimits } from '../engine-limits.ts';
import type { DockerCli } from './docker-cli.ts';
import { type EngineInfo, engineInfo, imageUsers } from './docker-verbs.ts';
import { CGROUP_ROOT, cappedSize, type NodeSize, userCaps } from './rootless-capacity.ts';
import { detectRootless, type RootlessEngine, unprivilegedPortStart } from './rootless-engine.ts';

const INFO_TTL_MS = 60_000;

export class HostInfo {
  private info: { at: number; value: Promise<EngineInfo> } | undefined;
  /** Whether the engine is rootless, read once: an engine does not change user while it answers. */
  private rootless: Promise<RootlessEngine | undefined> | undefined;
  /** The node's size per `docker info` read: the user's caps are read again with it, once a minute. */
  private readonly sizes = new WeakMap<EngineInfo, Promise<NodeSize>>();

  constructor(
    private readonly docker: DockerCli,
    /** Where the cgroup v2 tree is (a test gives a made-up one). */
    private readonly cgroupRoot = CGROUP_ROOT,
  ) {}

  /**
   * `docker info`, read again once a minute; a failed read is not kept. `cached: false` asks the
   * daemon now: while the events stream is down nothing else says that Docker still answers.
   */
  engine({ cached = true }: { cached?: boolean } = {}): Promise<EngineInfo> {
    const now = Date.now();
    if (!cached || !this.info || now - this.info.at > INFO_TTL_MS) {
      const value = engineInfo(this.docker);
      this.info = { at: now, value };
      value.catch(() => {
        if (this.info?.value === value) this.info = undefined;
      });
    }
    return this.info.value;
  }

  /** The user a rootless engine runs as; undefined for an engine run by root. */
  rootlessEngine(): Promise<RootlessEngine | undefined> {
    if (!this.rootless) {
      const value = this.engine().then((info) => detectRootless(this.docker, info));
      this.rootless = value;
      value.catch(() => {
        if (this.rootless === value) this.rootless = undefined;
      });
    }
    return this.rootless;
  }

  /**
   * The CPUs and memory the node has: the host's totals, or a rootless engine's user's caps on
   * cgroup v2 where they are lower (rootless-capacity.ts).
   */
  async nodeSize({ cached = true }: { cached?: boolean } = {}): Promise<NodeSize> {
    const info = await this.engine({ cached });
    let size = this.sizes.get(info);
    if (!size) {
      size = this.readNodeSize(info);
      this.sizes.set(info, size);
    }
    return size;
  }

  private async readNodeSize(info: EngineInfo): Promise<NodeSize> {
    const host = { cpu: info.NCPU, memory: info.MemTotal };
    if (info.CgroupVersion !== '2') return host;
    const uid = (await this.rootlessEngine().catch(() => undefined))?.uid;
    return uid === undefined ? host : cappedSize(info, await userCaps(uid, this.cgroupRoot));
  }

  /** What deciding a pod needs from the host: its size (downward API) and image users (security checks). */
  async factsFor(
    pod: Pod,
    { cached = true }: { cached?: boolean } = {},
  ): Promise<Omit<HostFacts, 'subPathPins'>> {
    const info = await this.engine({ cached });
    // Of the info just read.
    const nodeAllocatable = await this.nodeSize({ cached: true });
    const images = imagesNeedingUser(pod);
    // Images not present yet are checked by nobody: the pull happens at create (documented).
    const users = images.length > 0 ? await imageUsers(this.docker, images) : new Map<string, string>();
    const rootless = await this.rootlessEngine();
    const engineLimits = rootlessLimits(rootless, info, rootless ? await unprivilegedPortStart() : 0);
    return { nodeAllocatable, imageUsers: users, engineLimits };
  }
}
