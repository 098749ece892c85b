/**
 * What this host's engine cannot apply to a pod, for the pod rule (pod/engine-limits.ts). Here,
 * not in engine/, because engine/ is the floor and imports nothing of src/pod/.
 */
import type { EngineLimits } from '../pod/engine-limits.ts';
import type { EngineInfo } from './engine/docker-verbs.ts';
import type { RootlessEngine } from './engine/rootless-engine.ts';

/**
 * What a rootless engine cannot apply: memory and CPU limits on cgroup v1 (no cgroup is delegated
 * to a user there; Podman runs the container unlimited and says so only in its own log), and
 * host ports under the kernel's unprivileged port start. Pure.
 */
export function rootlessLimits(
  rootless: RootlessEngine | undefined,
  info: Pick<EngineInfo, 'CgroupVersion'>,
  unprivilegedPortStart: number,
): EngineLimits {
  if (!rootless) return { lowestHostPort: 0 };
  const who = `a rootless engine${rootless.uid !== undefined ? ` (user ${rootless.uid})` : ''}`;
  return {
    ...(info.CgroupVersion === '1'
      ? { noResourceLimits: `its pods run under ${who} on cgroup v1, where no cgroup can hold the limit` }
      : {}),
    lowestHostPort: unprivilegedPortStart,
    portsBoundBy: who,
  };
}
