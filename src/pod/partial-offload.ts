/**
 * interLink's partial offload (0.6.1): containers named in two pod annotations stay in the
 * cluster's shadow pod. The Virtual Kubelet sends /create without them, but /status and /delete
 * with the full pod, so a plugin must tell the containers it runs from the ones it was never given.
 */
import type { Pod } from '../contract/api-types.ts';

export const DISABLE_OFFLOAD_ANNOTATION = {
  main: 'interlink.eu/disable-offload-containers',
  init: 'interlink.eu/disable-offload-init-containers',
} as const;

export type ContainerKind = keyof typeof DISABLE_OFFLOAD_ANNOTATION;

/** The names of the containers that run in the cluster, not here. */
export interface ClusterContainers {
  main: readonly string[];
  init: readonly string[];
}

/** Comma-separated names, spaces trimmed, empty entries dropped: as the Virtual Kubelet parses them. */
function names(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
}

/** The containers the pod's annotations keep in the cluster (none without the annotations). */
export function clusterContainers(pod: Pod): ClusterContainers {
  const annotations = pod.metadata.annotations ?? {};
  return {
    main: names(annotations[DISABLE_OFFLOAD_ANNOTATION.main]),
    init: names(annotations[DISABLE_OFFLOAD_ANNOTATION.init]),
  };
}

export function hasClusterContainers(c: ClusterContainers): boolean {
  return c.main.length > 0 || c.init.length > 0;
}

/**
 * The part of a full pod that the plugin runs: the pod without its cluster containers. A container
 * the plugin holds anyway (`held`: it was sent one, e.g. by an interLink before 0.6.1) stays, so
 * the plugin reports exactly what it runs.
 */
export function offloadedPart(
  pod: Pod,
  held: (kind: ContainerKind, name: string) => boolean = () => false,
): Pod {
  const cluster = clusterContainers(pod);
  if (!hasClusterContainers(cluster) || !pod.spec) return pod;
  const keep = (kind: ContainerKind) => (c: { name: string }) =>
    !cluster[kind].includes(c.name) || held(kind, c.name);
  return {
    ...pod,
    spec: {
      ...pod.spec,
      containers: pod.spec.containers.filter(keep('main')),
      ...(pod.spec.initContainers ? { initContainers: pod.spec.initContainers.filter(keep('init')) } : {}),
    },
  };
}

/** Which list names the container, if any: for the answer to a log request about it. */
export function clusterKindOf(cluster: ClusterContainers, name: string): ContainerKind | undefined {
  if (cluster.main.includes(name)) return 'main';
  if (cluster.init.includes(name)) return 'init';
  return undefined;
}

/** A sentence for a person asking about a container the cluster runs (e.g. its logs). */
export function runsInClusterMessage(pod: string, name: string, kind: ContainerKind): string {
  return (
    `container ${name} of pod ${pod} runs in the cluster, not on this plugin's host ` +
    `(annotation ${DISABLE_OFFLOAD_ANNOTATION[kind]}): its logs are in the cluster`
  );
}
