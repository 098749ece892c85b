/**
 * What a pod asks of its network, decided from its spec and annotations: the host's network or
 * its own (hostname, host ports, host aliases), and what interLink's annotations ask on top (a
 * full mesh, a tunnel client command, or nothing). Docker's spelling is translate/pod-to-docker-args.ts.
 */
import type { Pod } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import {
  CONTACT_HOST_VAR,
  MeshScriptError,
  type PodNetworking,
  PRE_EXEC_ANNOTATION,
  podNetworking,
} from './mesh-script.ts';
import { TunnelAnnotationError } from './tunnel-annotations.ts';

export interface HostPort {
  hostIP?: string;
  hostPort: number;
  containerPort: number;
  /** tcp, udp or sctp. */
  protocol: string;
}

export interface PodNetworkSettings {
  hostNetwork: boolean;
  /** The pod's name as the kubelet makes a hostname of it (unused on the host's network). */
  hostname: string;
  /** Ports published on the host (none on the host's network, where they are the host's already). */
  ports: HostPort[];
  /** /etc/hosts entries. */
  hostAliases: Array<{ hostname: string; ip: string }>;
}

/** The pod's own network settings. */
export function podNetworkSettings(pod: Pod): PodNetworkSettings {
  const spec = pod.spec;
  const hostNetwork = spec?.hostNetwork === true;
  const ports: HostPort[] = [];
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || hostNetwork) continue;
      ports.push({
        ...(p.hostIP ? { hostIP: p.hostIP } : {}),
        hostPort: p.hostPort,
        containerPort: p.containerPort,
        protocol: (p.protocol ?? 'TCP').toLowerCase(),
      });
    }
  }
  const hostAliases = (spec?.hostAliases ?? []).flatMap((alias) =>
    alias.ip ? (alias.hostnames ?? []).map((hostname) => ({ hostname, ip: alias.ip as string })) : [],
  );
  return {
    hostNetwork,
    hostname: pod.metadata.name.slice(0, 63).replace(/\.+$/, ''),
    ports,
    hostAliases,
  };
}

/**
 * What the pod's annotations ask of its network. A pre-exec annotation whose EOFMESH heredoc has no
 * end is refused (422); a mesh script of a shape not known here runs as written (mesh-script.ts).
 */
export function planPodNetworking(pod: Pod): PodNetworking {
  // A pod on the host's network must not have the host's routes and resolver rewritten.
  if (pod.spec?.hostNetwork) return { kind: 'none' };
  try {
    return podNetworking(pod.metadata.annotations);
  } catch (err) {
    if (err instanceof TunnelAnnotationError)
      throw invalidField(annotationField(err.annotation), err.message);
    if (!(err instanceof MeshScriptError)) throw err;
    throw invalidField(annotationField(PRE_EXEC_ANNOTATION), err.message);
  }
}

/** The JSON pointer of an annotation in a /create body. */
export function annotationField(annotation: string): string {
  return `/pod/metadata/annotations/${annotation.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * A container's env with the mesh's contact host (interLink PR #541) added: in a batch job the
 * script exports it to the command it wraps; here the containers do not inherit the helper's
 * environment, so the plugin gives it to them. A value the pod sets itself wins.
 */
export function meshContactEnv(
  env: ReadonlyArray<readonly [string, string]>,
  networking: PodNetworking,
): ReadonlyArray<readonly [string, string]> {
  if (networking.kind !== 'mesh' || !networking.contactHost) return env;
  if (env.some(([name]) => name === CONTACT_HOST_VAR)) return env;
  return [...env, [CONTACT_HOST_VAR, networking.contactHost]];
}
