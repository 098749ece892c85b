/**
 * What the plugin knows of the Docker host: the engine's `docker info` (cached, since the ping
 * comes every few seconds and the numbers rarely change) and the users images run as, which
 * preparing a pod needs for its security checks.
 */
import type { Pod } from '../../contract/api-types.ts';
import type { HostFacts } from '../../pod/pod-decision.ts';
import { imagesNeedingUser } from '../../pod/security-context.ts';
import type { DockerCli } from './docker-cli.ts';
import { type EngineInfo, engineInfo, imageUsers } from './docker-verbs.ts';

const INFO_TTL_MS = 60_000;

export class HostInfo {
  private info: { at: number; value: Promise<EngineInfo> } | undefined;

  constructor(private readonly docker: DockerCli) {}

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

  /** What deciding a pod needs from the host: its size (downward API) and image users (security checks). */
  async factsFor(
    pod: Pod,
    { cached = true }: { cached?: boolean } = {},
  ): Promise<Omit<HostFacts, 'subPathPins'>> {
    const info = await this.engine({ cached });
    const images = imagesNeedingUser(pod);
    // Images not present yet are checked by nobody: the pull happens at create (documented).
    const users = images.length > 0 ? await imageUsers(this.docker, images) : new Map<string, string>();
    return { nodeAllocatable: { cpu: info.NCPU, memory: info.MemTotal }, imageUsers: users };
  }
}
