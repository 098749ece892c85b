/**
 * What the engine cannot do for a pod on this host, and the pods refused for it. A rootless engine
 * (Podman or Docker run by an unprivileged user) on cgroup v1 has no cgroup of its own to put a
 * limit in: Podman then runs the container with no limit and a warning in its own log only. An
 * unprivileged user cannot bind host ports below net.ipv4.ip_unprivileged_port_start. A pod that
 * asks for either is refused at /create with the field and the reason, never run with its limit
 * dropped or left to fail at start. The facts come from the host (engine/host-info.ts); the rule
 * is here.
 */
import { invalidField } from '../errors.ts';
import type { ContainerResources } from './container-resources.ts';
import type { PodNetworkSettings } from './pod-network.ts';

export interface EngineLimits {
  /** Why the engine cannot apply memory and CPU limits; undefined when it can. */
  noResourceLimits?: string;
  /** The lowest host port the engine can bind (a pod's hostPort, or any port on the host's network); 0: any. */
  lowestHostPort: number;
  /** Who binds the host's ports, for the refusal: e.g. "rootless Podman (user 1001)". */
  portsBoundBy?: string;
}

/** An engine that can apply everything a pod asks (rootful Docker or Podman). */
export const NO_ENGINE_LIMITS: EngineLimits = { lowestHostPort: 0 };

interface ContainerAsked {
  field: string;
  spec: {
    ports?: Array<{ containerPort: number; hostPort?: number | null }> | null;
  };
  resources: ContainerResources;
}

/** Throws the 4xx of the first thing the pod asks that the engine cannot do. */
export function checkEngineLimits(
  containers: readonly ContainerAsked[],
  network: PodNetworkSettings,
  limits: EngineLimits,
): void {
  if (limits.noResourceLimits) {
    for (const c of containers) {
      const limit = c.resources.memoryBytes !== undefined ? 'memory' : c.resources.cpu ? 'cpu' : undefined;
      if (limit)
        throw invalidField(
          `${c.field}/resources/limits/${limit}`,
          `cannot be applied on this node: ${limits.noResourceLimits}. Remove the ${limit} limit, or run the pod on a node whose engine can enforce it`,
        );
    }
  }
  if (limits.lowestHostPort > 0) {
    // On the host's network a container's own ports are the host's (the kubelet fills hostPort in).
    for (const c of containers) {
      for (const [i, p] of (c.spec.ports ?? []).entries()) {
        const port = network.hostNetwork ? p.containerPort : p.hostPort;
        if (port && port < limits.lowestHostPort)
          throw invalidField(
            `${c.field}/ports/${i}/${network.hostNetwork ? 'containerPort' : 'hostPort'}`,
            `${port} cannot be bound on this node's network: ${limits.portsBoundBy ?? 'the engine'} may bind only ports from ${limits.lowestHostPort} up (net.ipv4.ip_unprivileged_port_start)`,
          );
      }
    }
  }
}
