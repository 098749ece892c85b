/**
 * Everything about a pod that can be decided before anything exists: identity, volume plan,
 * and each container's docker arguments. Whatever is refused here is refused with a 422 and
 * nothing is created.
 */
import type { Container, Pod, RetrievedPodData } from '../api-types.ts';
import type { Config } from '../config.ts';
import { invalidField } from '../errors.ts';
import type { PodIdentity } from './labels.ts';
import { containerCreateArgs, podIdentity } from './pod-to-docker-args.ts';

export interface PreparedContainer {
  name: string;
  role: 'init' | 'main';
  /** `docker create` args once the sandbox exists. */
  createArgs(sandboxId: string): string[];
  /** Set when kubelet would refuse to create this container (CreateContainerConfigError). */
  configError?: { reason: string; message: string };
}

export interface PreparedPod {
  identity: PodIdentity;
  pod: Pod;
  volumes: VolumePlanLike;
  containers: PreparedContainer[];
}

// Replaced by the volume planner's own type once wired.
type VolumePlanLike = { podUid: string };

export function preparePod(data: RetrievedPodData, config: Config): PreparedPod {
  const pod = data.pod;
  const identity = podIdentity(pod);
  const spec = pod.spec;
  if (!spec) throw invalidField('/pod/spec', 'is required to create a pod');
  const seen = new Set<string>();
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
  for (const { c, field } of all) {
    if (seen.has(c.name))
      throw invalidField(`${field}/name`, `"${c.name}" is used by another container of this pod`);
    seen.add(c.name);
  }
  const containers = all.map(({ c, role, index }): PreparedContainer => {
    const env = (c.env ?? []).map((e) => [e.name, e.value ?? ''] as const);
    return {
      name: c.name,
      role,
      createArgs: (sandboxId) =>
        containerCreateArgs({
          pod,
          container: c,
          role,
          index,
          instance: config.instance,
          sandboxId,
          env,
          command: c.command,
          args: c.args,
          extraArgs: [],
        }),
    };
  });
  return { identity, pod, volumes: { podUid: identity.uid }, containers };
}
