/**
 * Everything about a pod that can be decided before anything exists: its volume plan and each
 * container's docker arguments. What is refused here is refused with a 4xx and nothing is
 * created; what kubelet would refuse per container (CreateContainerConfigError) is kept as a
 * waiting reason for that container.
 */

import type { Config } from '../../config/load-config.ts';
import type { Container, Pod, RetrievedPodData } from '../../contract/api-types.ts';
import { invalidField } from '../../errors.ts';
import type { NodeAllocatable } from '../../pod/downward-api.ts';
import { resolveContainerEnv } from '../../pod/env.ts';
import { expandCommand } from '../../pod/expand-vars.ts';
import { type PodGpuRequest, podGpuRequest } from '../../pod/gpu-request.ts';
import { checkPodSecurity } from '../../pod/pod-security.ts';
import { effectivePullPolicy } from '../../pod/pull-policy.ts';
import { planPodVolumes } from '../../pod/volume-plan.ts';
import type { VolumePlan } from '../../pod/volume-types.ts';
import { checkArgument, checkArgv, checkTotal } from '../engine/argv-limits.ts';
import { gpuArgs } from '../gpu/gpu-args.ts';
import { type PodIdentity, podIdentity } from '../naming.ts';
import { type EnvDelivery, EnvDeliveryRefusal, planEnvDelivery } from '../translate/env-delivery.ts';
import { containerCreateArgs, type PodNetwork, podNetworkArgs } from '../translate/pod-to-docker-args.ts';
import { resourceArgs } from '../translate/resource-args.ts';
import {
  needsImageUser,
  nonRootViolation,
  requiresNonRoot,
  securityArgs,
} from '../translate/security-args.ts';
import { mountArgsFor } from '../volumes/volume-mounts.ts';
import { envFilePath } from './container-command.ts';

export interface PreparedContainer {
  name: string;
  image: string;
  role: 'init' | 'main';
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** `docker create` / `docker run -d` args (after the verb) once the pod's network and the container's GPUs are known. */
  createArgs(network: PodNetwork, gpus?: readonly string[]): string[];
  /** The env file and CLI environment that go with those args: no env value is in them. */
  env: EnvDelivery;
  /** Set when kubelet would refuse to create this container. */
  configError?: { reason: string; message: string };
}

export interface PreparedPod {
  identity: PodIdentity;
  pod: Pod;
  volumes: VolumePlan;
  containers: PreparedContainer[];
  /** The GPUs to admit the pod with, and each container's share. */
  gpus: PodGpuRequest;
}

export interface HostFacts {
  nodeAllocatable: NodeAllocatable;
  /** Image → its USER ('' = root), for the images present locally that a check needs. */
  imageUsers: ReadonlyMap<string, string>;
  /** The names the docker CLI's environment already has: a pod's variable never goes there under one. */
  cliEnvNames?: ReadonlySet<string>;
  /** Whether the plugin can pin subPaths (make mounts on the host): where it cannot, they are refused. */
  subPathPins: boolean;
}

/** The images whose USER must be known to prepare this pod (runAsNonRoot, runAsGroup alone). */
export function imagesNeedingUser(pod: Pod): string[] {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return [
    ...new Set(all.filter((c) => requiresNonRoot(pod, c) || needsImageUser(pod, c)).map((c) => c.image)),
  ];
}

export function preparePod(data: RetrievedPodData, config: Config, host: HostFacts): PreparedPod {
  const pod = data.pod;
  const identity = podIdentity(pod);
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
  checkPodSecurity(pod, config.podSecurityLevel);
  checkArgv('/pod/spec', podNetworkArgs(pod), 'hostAliases and hostPorts');
  const gpus = podGpuRequest(pod);
  const volumes = planPodVolumes(data, {
    stateDir: config.stateDir,
    allowedHostPaths: config.allowedHostPaths,
    instance: config.instance,
    nodeAllocatable: host.nodeAllocatable,
    subPathPins: host.subPathPins,
  });

  const containers = all.map(({ c, role, index, field }): PreparedContainer => {
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
    const imageUser = host.imageUsers.get(c.image);
    const policy = {
      ...(imageUser !== undefined ? { imageUser } : needsImageUser(pod, c) ? { imageUser: '' } : {}),
    };
    // Refusals of the whole pod (policy, bad quantities) happen now, before anything exists.
    const extraArgs = [
      ...resourceArgs(c, field),
      ...securityArgs(pod, c, policy, field),
      ...mountArgsFor(volumes, c.name),
    ];
    const base = {
      name: c.name,
      image: c.image,
      role,
      pullPolicy: effectivePullPolicy(c),
      env: { args: [], cliEnv: {} },
    };
    if ('error' in env) return { ...base, createArgs: () => [], configError: env.error };
    const nonRoot = imageUser !== undefined ? nonRootViolation(pod, c, imageUser) : undefined;
    if (nonRoot)
      return {
        ...base,
        createArgs: () => [],
        configError: { reason: 'CreateContainerConfigError', message: nonRoot },
      };
    const vars = new Map(env.env);
    const { command, args } = expandCommand(c.command, c.args, vars);
    // Values resolved from configMaps and secrets, or grown by $(VAR) expansion, are checked as
    // the container's first process gets them from execve.
    const envStrings = env.env.map(([name, value]) => `${name}=${value}`);
    for (const [i, s] of envStrings.entries())
      checkArgument(
        `${field}/env`,
        s,
        `variable ${env.env[i]?.[0]}`,
        "as a variable of the container's environment",
      );
    for (const [i, word] of command.entries()) checkArgument(`${field}/command/${i}`, word);
    for (const [i, word] of args.entries()) checkArgument(`${field}/args/${i}`, word);
    checkTotal(field, [...envStrings, ...command, ...args], "the container's env, command and args");
    const delivery = deliverEnv(
      env.env,
      envFilePath(config.stateDir, identity.uid, role, c.name),
      host,
      field,
    );
    const createArgs = (network: PodNetwork, devices: readonly string[] = []) =>
      containerCreateArgs({
        pod,
        container: c,
        role,
        index,
        instance: config.instance,
        network,
        envArgs: delivery.args,
        command,
        args,
        extraArgs: [...extraArgs, ...gpuArgs(config.gpuMode, devices)],
      });
    // Whichever way it joins the pod's network, its whole command must fit what Linux takes, with
    // the variables that ride in the CLI's environment.
    const argv = createArgs({ kind: 'own' });
    checkArgv(field, argv, 'command, args, probes, mounts');
    const cliEnv = Object.entries(delivery.cliEnv).map(([n, v]) => `${n}=${v}`);
    checkTotal(field, [...argv, ...cliEnv], 'the docker command and the env it carries');
    return { ...base, createArgs, env: delivery };
  });
  return { identity, pod, volumes, containers, gpus };
}

/** The container's env as env-delivery.ts hands it to Docker; a variable it cannot hand over is a 422. */
function deliverEnv(
  env: ReadonlyArray<readonly [string, string]>,
  filePath: string,
  host: HostFacts,
  field: string,
): EnvDelivery {
  try {
    return planEnvDelivery(env, filePath, host.cliEnvNames ?? new Set());
  } catch (err) {
    if (err instanceof EnvDeliveryRefusal) throw invalidField(`${field}/env`, err.message);
    throw err;
  }
}
