/**
 * A pod's phase read from its containers as Docker reports them, by kubelet's rules: Pending
 * until every main container has started, Running while one runs (or restarts), Succeeded when
 * all exited 0, Failed when one exited otherwise and will not restart, or an init container failed.
 * Containers still waiting for their image are not in Docker yet: such a pod counts as Pending.
 */
import { LABEL } from '../docker/labels.ts';

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

/** The parts of `docker inspect` the phase needs. */
export interface ContainerLike {
  State: { Status: string; ExitCode: number };
  Config: { Labels: Record<string, string> | null };
}

export function podPhase(containers: readonly ContainerLike[]): PodPhase {
  const role = (c: ContainerLike) => c.Config.Labels?.[LABEL.role];
  const failed = (c: ContainerLike) =>
    (c.State.Status === 'exited' && c.State.ExitCode !== 0) || c.State.Status === 'dead';
  if (containers.some((c) => role(c) === 'init' && failed(c))) return 'Failed';
  const mains = containers.filter((c) => role(c) === 'main');
  if (mains.length === 0) return 'Pending';
  if (mains.some((c) => ['running', 'restarting', 'paused'].includes(c.State.Status))) return 'Running';
  if (mains.some((c) => c.State.Status === 'created' || c.State.Status === 'removing')) return 'Pending';
  return mains.some(failed) ? 'Failed' : 'Succeeded';
}
