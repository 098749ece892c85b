/**
 * The pod decision: everything Kubernetes' rules say about a pod, decided before any Docker
 * argument is built. Per container: its env, command, effective securityContext (with the
 * kubelet's runAsNonRoot verdict), resources, probes and pull policy; for the pod: its volumes,
 * GPUs and networking. What is refused here is refused with a 4xx and nothing is created; what
 * the kubelet would refuse per container (CreateContainerConfigError) is kept as that
 * container's configError. Pure: the host facts it needs are given to it.
 */
import type { Config } from '../config/load-config.ts';
import type { Container, Pod, RetrievedPodData } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import { type EntrypointPlan, entrypointPlan } from './command.ts';
import { type ContainerResources, containerResources } from './container-resources.ts';
import type { NodeAllocatable } from './downward-api.ts';
import { checkEngineLimits, type EngineLimits, NO_ENGINE_LIMITS } from './engine-limits.ts';
import { resolveContainerEnv } from './env.ts';
import { expandCommand } from './expand-vars.ts';
import { type GpuSlice, gpuKey, gpuSlices, type PodGpuRequest, podGpuRequest } from './gpu-request.ts';
import { invalidImageMessage, isImageReference } from './image-reference.ts';
import type { PodNetworking } from './mesh-script.ts';
import { type ClusterContainers, clusterContainers, hasClusterContainers } from './partial-offload.ts';
import {
  meshContactEnv,
  type PodNetworkSettings,
  planPodNetworking,
  podNetworkSettings,
} from './pod-network.ts';
import { type PodCpuLimit, podCpuLimit, podMemoryLimitBytes } from './pod-resources.ts';
import { checkPodSecurity } from './pod-security.ts';
import { type ContainerProbeSpec, containerProbeSpec } from './probe-spec.ts';
import { effectivePullPolicy } from './pull-policy.ts';
import {
  type ContainerSecurity,
  decideSecurity,
  needsImageUser,
  nonRootViolation,
} from './security-context.ts';
import { type TerminationMessageSpec, terminationMessageSpec } from './termination-message.ts';
import { planPodVolumes } from './volume-plan.ts';
import type { VolumePlan } from './volume-types.ts';

/** What deciding a pod needs to know of the host. */
export interface HostFacts {
  nodeAllocatable: NodeAllocatable;
  /** Image → its USER ('' = root), for the images present locally that imagesNeedingUser named. */
  imageUsers: ReadonlyMap<string, string>;
  /** Whether the plugin can pin subPaths (make mounts on the host): where it cannot, they are refused. */
  subPathPins: boolean;
  /** What the engine cannot apply (a rootless engine); none when absent. */
  engineLimits?: EngineLimits;
}

/** The settings the pod rules read. */
export type PodRules = Pick<Config, 'stateDir' | 'allowedHostPaths' | 'instance' | 'podSecurityLevel'>;

export interface ContainerDecision {
  spec: Container;
  name: string;
  image: string;
  role: 'init' | 'main';
  /** Its place among the containers of its role. */
  index: number;
  /** Its JSON pointer in the request, for refusals. */
  field: string;
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  resources: ContainerResources;
  security: ContainerSecurity;
  /** Set when the kubelet would refuse to create this container; then env and command are empty. */
  configError?: { reason: string; message: string };
  /** name → value, resolved and expanded, in order. */
  env: ReadonlyArray<readonly [string, string]>;
  /** command and args after `$(VAR)` expansion (for refusals that name a word). */
  command: string[];
  args: string[];
  /** What replaces the image's ENTRYPOINT and CMD. */
  entrypoint: EntrypointPlan;
  /** Probes and hooks (main containers only). */
  probes?: ContainerProbeSpec;
  /** Its share of the GPUs the pod is admitted with. */
  gpus: GpuSlice;
  /** Where it writes its termination message and what stands in when it writes none. */
  termination: TerminationMessageSpec;
}

export interface PodDecision {
  pod: Pod;
  volumes: VolumePlan;
  /** Init containers first, then the main ones, each in spec order. */
  containers: ContainerDecision[];
  /** The GPUs to admit the pod with (each container's share is its `gpus`). */
  gpus: PodGpuRequest;
  /** The pod's memory limit (its cgroup's), when every container has one. */
  memoryLimitBytes: number | undefined;
  /** The pod's CPU limit (its cgroup's CFS quota), when every container has one. */
  cpuLimit: PodCpuLimit | undefined;
  network: PodNetworkSettings;
  /** What interLink's annotations ask of the network on top (mesh, wstunnel, nothing). */
  networking: PodNetworking;
  /** Containers a partially offloaded pod keeps in the cluster; undefined when it runs all of them here. */
  cluster: ClusterContainers | undefined;
}

export function decidePod(data: RetrievedPodData, rules: PodRules, host: HostFacts): PodDecision {
  const pod = data.pod;
  const spec = pod.spec;
  if (!spec) throw invalidField('/pod/spec', 'is required to create a pod');
  const all: Array<{ c: Container; role: 'init' | 'main'; index: number; field: string }> = [
    ...(spec.initContainers ?? []).map((c, index) => ({
      c,
      role: 'init' as const,
      index,
      field: `/pod/spec/initContainers/${index}`,
    })),
    ...spec.containers.map((c, index) => ({
      c,
      role: 'main' as const,
      index,
      field: `/pod/spec/containers/${index}`,
    })),
  ];
  const seen = new Set<string>();
  for (const { c, field } of all) {
    if (seen.has(c.name))
      throw invalidField(`${field}/name`, `"${c.name}" is used by another container of this pod`);
    seen.add(c.name);
  }
  checkPodSecurity(pod, rules.podSecurityLevel);
  const network = podNetworkSettings(pod);
  const gpus = podGpuRequest(pod);
  const slices = gpuSlices(gpus);
  const volumes = planPodVolumes(data, {
    stateDir: rules.stateDir,
    allowedHostPaths: rules.allowedHostPaths,
    instance: rules.instance,
    nodeAllocatable: host.nodeAllocatable,
    subPathPins: host.subPathPins,
  });

  const networking = planPodNetworking(pod);
  const containers = all.map(({ c, role, index, field }): ContainerDecision => {
    const entry = data.container?.find((e) => e.name === c.name);
    // The Virtual Kubelet normally sends env resolved and expanded; only unresolved refs
    // (interLink's SkipDownwardAPIResolution) mean values still need kubelet's expansion.
    const unresolved = (c.env ?? []).some((e) => e.valueFrom) || (c.envFrom ?? []).length > 0;
    const env = resolveContainerEnv({
      pod,
      container: c,
      configMaps: entry?.configMaps ?? [],
      secrets: entry?.secrets ?? [],
      nodeAllocatable: host.nodeAllocatable,
      expand: unresolved,
    });
    // An image not present yet is checked by nobody: the pull happens at create (documented).
    const imageUser = host.imageUsers.get(c.image);
    // Refusals of the whole pod (policy, bad quantities) happen now, before anything exists.
    const resources = containerResources(c, field);
    const security = decideSecurity(
      pod,
      c,
      imageUser !== undefined ? { imageUser } : needsImageUser(pod, c) ? { imageUser: '' } : {},
      field,
    );
    const base = {
      spec: c,
      name: c.name,
      image: c.image,
      role,
      index,
      field,
      pullPolicy: effectivePullPolicy(c),
      resources,
      security,
      gpus: slices.get(gpuKey(role, c.name)) ?? { from: 0, count: 0 },
      termination: terminationMessageSpec(c, field),
      ...(role === 'main' ? { probes: containerProbeSpec(pod, c) } : {}),
    };
    const unmade = { env: [], command: [], args: [], entrypoint: { cmd: [] } };
    if (!isImageReference(c.image))
      return {
        ...base,
        ...unmade,
        configError: { reason: 'InvalidImageName', message: invalidImageMessage(c.image) },
      };
    if ('error' in env) return { ...base, ...unmade, configError: env.error };
    const nonRoot = imageUser !== undefined ? nonRootViolation(pod, c, imageUser) : undefined;
    if (nonRoot)
      return { ...base, ...unmade, configError: { reason: 'CreateContainerConfigError', message: nonRoot } };
    const { command, args } = expandCommand(c.command, c.args, new Map(env.env));
    const withMesh = meshContactEnv(env.env, networking);
    return { ...base, env: withMesh, command, args, entrypoint: entrypointPlan(command, args) };
  });
  // What the engine would drop or fail on is refused now, with nothing made.
  checkEngineLimits(containers, network, host.engineLimits ?? NO_ENGINE_LIMITS);
  const cluster = clusterContainers(pod);
  return {
    pod,
    volumes,
    containers,
    gpus,
    memoryLimitBytes: podMemoryLimitBytes(pod),
    cpuLimit: podCpuLimit(pod),
    network,
    networking,
    cluster: hasClusterContainers(cluster) ? cluster : undefined,
  };
}
