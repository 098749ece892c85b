/**
 * The names of a pod's containers and the pod's job ID, made in one place (as cri-dockerd's
 * naming.go). Labels (labels.ts) are how the plugin finds a pod again; names exist for two other
 * reasons:
 * - Docker refuses a second container of the same name, so a create that is retried (or raced)
 *   cannot make a pod's container twice, and a `docker run` that failed to start its command is
 *   found again by its name.
 * - The job ID interLink stores for the pod is the prefix of these names, so
 *   `docker ps --filter name=<JID>` lists the pod.
 * Changing the scheme strands what an older plugin made: a retried create would no longer collide
 * with its containers, and the job IDs interLink holds would no longer match any name.
 */
import type { Pod } from '../contract/api-types.ts';

/** A container's part in its pod: the sandbox holding the network, an init container, or a main one. */
export type Role = 'sandbox' | 'init' | 'main';

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

export function podIdentity(pod: Pod): PodIdentity {
  return { uid: pod.metadata.uid, name: pod.metadata.name, namespace: pod.metadata.namespace || 'default' };
}

/** A docker container name for a pod's container: readable in `docker ps`, unique per pod UID. */
export function containerName(pod: PodIdentity, role: Role, name?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '-');
  const suffix = role === 'sandbox' ? 'sandbox' : `${role === 'init' ? 'init_' : ''}${safe(name ?? '')}`;
  return `k8s_${safe(pod.namespace)}_${safe(pod.name)}_${pod.uid.slice(0, 8)}_${suffix}`;
}

/** The job ID interLink stores for the pod: the prefix of all its container names. */
export function podJobId(pod: PodIdentity): string {
  return containerName(pod, 'sandbox').replace(/_sandbox$/, '');
}
