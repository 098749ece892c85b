/** The GET /status body: the pods as the Virtual Kubelet holds them, one per request as it polls. */
import type { Pod } from '../contract/api-types.ts';

type PodPhase = NonNullable<NonNullable<Pod['status']>['phase']>;

/**
 * `[pod]` with the JobID annotation once the plugin has answered the create (the VK keeps PodJID
 * there), and the phase the VK currently shows for it when given.
 */
export function statusRequest(pod: Pod, jid?: string, phase?: PodPhase): Pod[] {
  const sent: Pod = structuredClone(pod);
  if (jid !== undefined) sent.metadata.annotations = { ...sent.metadata.annotations, JobID: jid };
  if (phase !== undefined && sent.status) sent.status.phase = phase;
  return [sent];
}
