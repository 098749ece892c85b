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
  /** FallbackToLogsOnError on a container whose terminationMessagePolicy says so (view/termination-messages.ts). */
  terminationMessagePolicy: 'io.interlink.container.termination-message-policy',
} as const;

const OUR_KEYS: readonly string[] = Object.values(LABEL);
const OUR_KEY_SET = new Set(OUR_KEYS);

/** `--label k=v` pairs for a container of a pod. */
export function labelArgs(
  instance: string,
  pod: PodIdentity,
  /** A spec container's role, or the network helper's (network-helper.ts). */
  role: Role | 'network-helper',
  container?: { name: string; index: number },
  /** Keys a label file gives (translate/label-file.ts): not blanked here, as `--label` would win over the file. */
  inFile: readonly string[] = [],
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
  // Every other key of ours, empty, first: a label given later in argv (probes, GPUs…) wins.
  const blanks = OUR_KEYS.filter((k) => !(k in labels) && !inFile.includes(k)).flatMap((k) => [
    '--label',
    `${k}=`,
  ]);
  return [...blanks, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])];
}

/**
 * The image's own labels reach its containers' (Docker merges them) and a pod chooses its image,
 * so an image could carry labels of ours: a probe that connects where the image says, GPUs held,
 * a network counted full. labelArgs gives each container every key of ours, empty where it does
 * not apply, which overrides the image's; this drops the empty ones, and every label not ours,
 * as the view reads a container.
 */
export function ownLabels(
  labels: Readonly<Record<string, string>> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (v !== '' && OUR_KEY_SET.has(k)) out[k] = v;
  return out;
}
