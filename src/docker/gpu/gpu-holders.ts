/**
 * Which GPUs are held, read from the labels of the containers the view has. A pod holds its
 * devices until it has ended for good, as the scheduler sees it: the scheduler frees a
 * Succeeded or Failed pod's GPUs at once, without waiting for the pod's deletion.
 */
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import {
  groupContainers,
  nextStep,
  type PodContainers,
  podShapeFromLabels,
  startFailed,
} from '../view/pod-containers.ts';

/**
 * Whether none of the pod's containers will run again, judged from Docker's state and the pod's
 * restart policy label alone (so it holds after a plugin restart).
 */
export function podHasEnded(uid: string, containers: PodContainers): boolean {
  const shape = podShapeFromLabels(uid, containers);
  const step = nextStep(shape, containers);
  if (step.kind === 'failed') return true;
  const mains = shape.spec?.containers ?? [];
  if (step.kind !== 'done' || mains.length === 0) return false;
  const policy = shape.spec?.restartPolicy ?? 'Always';
  // A container the pod's recorded set names but Docker lacks has not run yet.
  return mains.every((m) => {
    const c = containers.main.get(m.name);
    return c !== undefined && endedForGood(c, policy);
  });
}

function endedForGood(c: ContainerInspect, policy: string): boolean {
  // Docker never retries a container it could not start.
  if (startFailed(c)) return true;
  if (c.State.Status !== 'exited' && c.State.Status !== 'dead') return false;
  return policy === 'Never' || (policy === 'OnFailure' && c.State.ExitCode === 0);
}

/**
 * Every device held by a pod that has not ended. `incomplete(uid)`: the pod has containers
 * Docker does not have yet (an image being pulled, a config error), so it has not ended.
 */
export function gpusHeld(
  pods: Iterable<[uid: string, containers: readonly ContainerInspect[]]>,
  incomplete: (uid: string) => boolean,
): Set<string> {
  const held = new Set<string>();
  for (const [uid, list] of pods) {
    const labelled = list.filter((c) => c.Config.Labels?.[LABEL.gpus]);
    if (labelled.length === 0) continue;
    if (!incomplete(uid) && podHasEnded(uid, groupContainers(list))) continue;
    for (const c of labelled) for (const id of (c.Config.Labels?.[LABEL.gpus] ?? '').split(',')) held.add(id);
  }
  return held;
}
