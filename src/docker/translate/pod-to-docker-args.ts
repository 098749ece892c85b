/**
 * Translates a decided pod (pod/pod-decision.ts) into `docker` argument vectors: the sandbox that
 * holds the pod's network, and one container per spec container that joins it. Pure: no docker
 * calls, no files, no Kubernetes rules (those were applied when the pod was decided).
 */
import type { Container, Pod } from '../../contract/api-types.ts';
import type { ClusterContainers } from '../../pod/partial-offload.ts';
import type { ContainerDecision } from '../../pod/pod-decision.ts';
import type { PodNetworkSettings } from '../../pod/pod-network.ts';
import { clusterContainersLabel } from '../containers/cluster-containers-label.ts';
import { LABEL, labelArgs } from '../labels.ts';
import { containerName, podIdentity } from '../naming.ts';

/**
 * How a container gets its network: by joining the pod sandbox's, or (a pod of one container
 * and no init containers) by owning the pod's network itself, which saves a sandbox.
 */
export type PodNetwork = ({ kind: 'sandbox'; sandbox: string } | { kind: 'own' }) & {
  /** Joining args (a pod network and its label for an own network; the mesh's resolv.conf mount). */
  extraArgs?: readonly string[];
};

/** The label that lets sequencing resume after a restart, on the container that anchors the pod. */
export function restartPolicyLabel(pod: Pod): string[] {
  return ['--label', `${LABEL.restartPolicy}=${pod.spec?.restartPolicy ?? 'Always'}`];
}

/** The pod's full container set, carried by each of its containers (labels.ts, LABEL.podContainers). */
export function podContainersLabel(pod: Pod): string[] {
  const names = (list: Container[] | null | undefined) => (list ?? []).map((c) => c.name);
  const set = { init: names(pod.spec?.initContainers), main: names(pod.spec?.containers) };
  return ['--label', `${LABEL.podContainers}=${JSON.stringify(set)}`];
}

/** The pod's own network settings: hostname, published ports, host aliases (or the host's network). */
export function podNetworkArgs(network: PodNetworkSettings): string[] {
  const args: string[] = [];
  if (network.hostNetwork) args.push('--network', 'host');
  else args.push('--hostname', network.hostname);
  for (const p of network.ports) {
    args.push('--publish', `${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort}:${p.containerPort}/${p.protocol}`);
  }
  for (const alias of network.hostAliases) args.push('--add-host', `${alias.hostname}:${alias.ip}`);
  return args;
}

export interface SandboxInput {
  pod: Pod;
  instance: string;
  image: string;
  /** podNetworkArgs of the pod. */
  podNetwork: readonly string[];
  cluster: ClusterContainers | undefined;
  /** Volumes the sandbox keeps mounted for the pod's life (Memory emptyDirs). */
  extraArgs?: readonly string[];
}

/** `docker run -d` args for the pod sandbox, which holds the pod's network namespace. */
export function sandboxRunArgs({
  pod,
  instance,
  image,
  podNetwork,
  cluster,
  extraArgs = [],
}: SandboxInput): string[] {
  const id = podIdentity(pod);
  return [
    'run',
    '-d',
    '--name',
    containerName(id, 'sandbox'),
    ...labelArgs(instance, id, 'sandbox'),
    ...podContainersLabel(pod),
    ...restartPolicyLabel(pod),
    ...clusterContainersLabel(cluster),
    '--restart',
    'unless-stopped',
    ...podNetwork,
    ...extraArgs,
    image,
  ];
}

export interface ContainerInput {
  pod: Pod;
  container: ContainerDecision;
  instance: string;
  network: PodNetwork;
  /** How the env reaches Docker (env-delivery.ts): `--env-file` and `--env NAME`, never a value. */
  envArgs: readonly string[];
  /** Where the label file of containerFileLabels is written (label-file.ts), when it has any. */
  labelFile: string;
  /** podNetworkArgs of the pod, for a container that owns the pod's network. */
  podNetwork: readonly string[];
  cluster: ClusterContainers | undefined;
  /** Volume mounts, resources and security args made by their own modules. */
  extraArgs: readonly string[];
}

/** Docker's restart policy for a Kubernetes one; init containers never restart on success. */
export function dockerRestartPolicy(policy: string | undefined, role: 'init' | 'main'): string {
  if (policy === 'Always') return role === 'init' ? 'on-failure' : 'always';
  if (policy === 'OnFailure') return 'on-failure';
  return 'no';
}

/**
 * The container's labels whose values are the pod's free text, which go into a label file
 * (label-file.ts) and never into argv: its probes and hooks, read back by container-probes.ts
 * (init containers have none). Names and values are those an older plugin put in `--label`.
 */
export function containerFileLabels(decided: ContainerDecision): Array<[string, string]> {
  return decided.probes ? [[LABEL.probes, JSON.stringify(decided.probes)]] : [];
}

/** `docker create` args for one spec container (`docker run -d` takes the same after its verb). */
export function containerCreateArgs(input: ContainerInput): string[] {
  const { pod, container: decided, instance, network } = input;
  const { role, index, spec: container } = decided;
  const id = podIdentity(pod);
  const inFile = containerFileLabels(decided).map(([key]) => key);
  const args = [
    '--name',
    containerName(id, role, container.name),
    ...labelArgs(instance, id, role, { name: container.name, index }, inFile),
    ...(inFile.length > 0 ? ['--label-file', input.labelFile] : []),
    ...podContainersLabel(pod),
    ...(decided.termination.policy === 'FallbackToLogsOnError'
      ? ['--label', `${LABEL.terminationMessagePolicy}=FallbackToLogsOnError`]
      : []),
    ...(network.kind === 'sandbox'
      ? ['--network', `container:${network.sandbox}`]
      : [...restartPolicyLabel(pod), ...clusterContainersLabel(input.cluster), ...input.podNetwork]),
    ...(network.extraArgs ?? []),
    '--restart',
    dockerRestartPolicy(pod.spec?.restartPolicy, role),
    // Kubernetes keeps container logs on the node, rotated; so does this.
    '--log-driver',
    'json-file',
    '--log-opt',
    'max-size=10m',
    '--log-opt',
    'max-file=5',
    // As on a Kubernetes node, an image's HEALTHCHECK does not run: an image checking every 1 ms
    // made Docker exec in the container and the plugin read it again on every result.
    '--no-healthcheck',
  ];
  // The backend pulls, in the background and with back-off; docker only runs what is here.
  args.push('--pull', 'never');
  args.push(...input.envArgs);
  if (container.workingDir) args.push('--workdir', container.workingDir);
  if (container.tty) args.push('--tty');
  if (container.stdin) args.push('--interactive');
  args.push(...input.extraArgs);
  const plan = decided.entrypoint;
  if (plan.entrypoint !== undefined) args.push('--entrypoint', plan.entrypoint);
  args.push('--', container.image, ...plan.cmd);
  return args;
}
