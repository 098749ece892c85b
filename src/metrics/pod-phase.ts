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
  // One pass, no allocation: a scrape computes this for every pod.
  let mains = 0;
  let running = false;
  let starting = false;
  let mainFailed = false;
  for (const c of containers) {
    const role = c.Config.Labels?.[LABEL.role];
    const status = c.State.Status;
    const failed = (status === 'exited' && c.State.ExitCode !== 0) || status === 'dead';
    if (role === 'init' && failed) return 'Failed';
    if (role !== 'main') continue;
    mains++;
    if (status === 'running' || status === 'restarting' || status === 'paused') running = true;
    else if (status === 'created' || status === 'removing') starting = true;
    else if (failed) mainFailed = true;
  }
  if (mains === 0) return 'Pending';
  if (running) return 'Running';
  if (starting) return 'Pending';
  return mainFailed ? 'Failed' : 'Succeeded';
}
