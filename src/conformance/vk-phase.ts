/**
 * The pod phase the Virtual Kubelet derives from a plugin's status answer: a pure copy of
 * `checkPodsStatus` with `handleInitContainersUpdate` and `handleContainersUpdate`
 * (interlink-hq/interLink pkg/virtualkubelet/execute.go), quirks included, so the kit judges an answer
 * the way the cluster will. Only the containers the answer lists count: a pod whose answer lists none
 * is Succeeded at once, and an init container left waiting after another failed keeps it Pending.
 */
import type { PodStatus } from '../contract/api-types.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface VkVerdict {
  phase: PodPhase;
  /** The reason the VK writes beside the phase ("Completed", "Error: 3", "Init", ...); '' when unchanged. */
  reason: string;
  /** False when the VK ignores the answer (no entry, empty name, pod already terminal): phase unchanged. */
  news: boolean;
}

export function isTerminal(phase: PodPhase): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The exit code a state counts with, or undefined when the state is not terminated. */
function terminatedExitCode(state: PodStatus['containers'][number]['state'] | undefined): number | undefined {
  const terminated = state?.terminated;
  return terminated ? terminated.exitCode : undefined;
}

/**
 * The VK's phase after it reads `answer` (the first entry of the plugin's answer; undefined for `[]`)
 * for a pod that had `previous`. 'Unknown' stays 'Unknown' until an answer says something.
 */
export function vkPhase(answer: PodStatus | undefined, previous: PodPhase = 'Unknown'): VkVerdict {
  const unchanged: VkVerdict = { phase: previous, reason: '', news: false };
  // An empty answer is "no news"; an entry without a name is skipped; a terminal pod is not updated.
  if (!answer?.name || isTerminal(previous)) return unchanged;

  const inits = answer.initContainers ?? [];
  const mains = answer.containers ?? [];

  let initTerminated = 0;
  let initErrored = false;
  let initFailedReason = '';
  let waitingForInits = false;
  let initRunning = false;
  if (inits.length > 0) {
    for (const c of inits) {
      const code = terminatedExitCode(c.state);
      if (code !== undefined) {
        initTerminated++;
        if (code !== 0) {
          initErrored = true;
          initFailedReason = `Error: ${code}`;
        }
      } else if (c.state?.waiting) {
        waitingForInits = true;
      } else if (c.state?.running) {
        initRunning = true;
      }
    }
    if (initTerminated === inits.length) waitingForInits = false;
  }

  let mainTerminated = 0;
  let errored = false;
  let failedReason = '';
  let running = false;
  // While inits wait or run, the VK shows every container as waiting, so none counts as terminated.
  if (!waitingForInits && !initRunning) {
    for (const c of mains) {
      const code = terminatedExitCode(c.state);
      if (code !== undefined) {
        mainTerminated++;
        if (code !== 0) {
          errored = true;
          failedReason = `Error: ${code}`;
        }
      } else if (c.state?.running) {
        running = true;
      }
    }
  }

  if (mainTerminated === mains.length) {
    if (errored || initErrored)
      return { phase: 'Failed', reason: errored ? failedReason : initFailedReason, news: true };
    return { phase: 'Succeeded', reason: 'Completed', news: true };
  }
  // Later assignments win, as in the Go code: waiting-for-inits over init-running, running over both.
  let verdict: VkVerdict = { ...unchanged, news: true };
  if (initRunning) verdict = { phase: 'Pending', reason: 'Init', news: true };
  if (waitingForInits) verdict = { phase: 'Pending', reason: 'Waiting for init containers', news: true };
  if (running && previous !== 'Running') verdict = { phase: 'Running', reason: 'Running', news: true };
  return verdict;
}
