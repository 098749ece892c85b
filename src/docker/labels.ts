/**
 * The Docker labels that make containers the plugin's source of truth: after a restart the
 * plugin finds every pod, container and role again from these alone. Container names and the job ID are naming.ts's concern.
 */
import type { PodIdentity, Role } from './naming.ts';

export const LABEL = {
  /** Owner marker, value = the plugin instance name. */
  owner: 'io.interlink.docker-plugin.instance',
  podUid: 'io.interlink.pod.uid',
  podName: 'io.interlink.pod.name',
  podNamespace: 'io.interlink.pod.namespace',
  containerName: 'io.interlink.container.name',
  /** sandbox | init | main */
  role: 'io.interlink.container.role',
  /** Position among the pod's init or main containers. */
  index: 'io.interlink.container.index',
  /** On the sandbox only: the pod's restartPolicy, so init sequencing resumes after a restart. */
  restartPolicy: 'io.interlink.pod.restart-policy',
  /**
   * On every container of a pod: all its containers, as JSON `{"init": [names], "main": [names]}`
   * in spec order, so whether the pod is whole can be judged from any one of them.
   */
  podContainers: 'io.interlink.pod.containers',
  /** On the anchor, for partially offloaded pods: the containers the cluster runs (cluster-containers-label.ts). */
  clusterContainers: 'io.interlink.pod.cluster-containers',
  /** On main containers with probes or lifecycle hooks: their spec as compact JSON (probe-spec.ts). */
  probes: 'io.interlink.container.probes',
  /** Comma-separated GPU device IDs: a container's own; on the sandbox, every device the pod holds (gpu-holders.ts). */
  gpus: 'io.interlink.gpus',
  /** On a network helper: mesh | wstunnel; on the sandbox, the kind of helper it has (network-helper.ts). */
  helperKind: 'io.interlink.network-helper.kind',
  /** On the container that owns a pod's network (sandbox or lone container): the network it joined (pod-networks.ts). */
  podNetwork: 'io.interlink.pod.network',
} as const;

/** `--label k=v` pairs for a container of a pod. */
export function labelArgs(
  instance: string,
  pod: PodIdentity,
  role: Role,
  container?: { name: string; index: number },
): string[] {
  const labels: Record<string, string> = {
    [LABEL.owner]: instance,
    [LABEL.podUid]: pod.uid,
    [LABEL.podName]: pod.name,
    [LABEL.podNamespace]: pod.namespace,
    [LABEL.role]: role,
  };
  if (container) {
    labels[LABEL.containerName] = container.name;
    labels[LABEL.index] = String(container.index);
  }
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}
