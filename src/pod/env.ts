/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables in
 * pkg/kubelet/kubelet_pods.go): envFrom first, then env in order, `$(VAR)` expanded in plain
 * values only (expand-vars.ts), valueFrom resolved from the objects interLink sent and from the
 * pod itself (downward-api.ts). Needed when interLink runs with SkipDownwardAPIResolution;
 * otherwise the Virtual Kubelet has already done all of this and the env arrives as plain
 * name/value pairs.
 */
import type { ConfigMap, Container, Pod, Secret } from '../contract/api-types.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { downwardValue, type NodeAllocatable } from './downward-api.ts';
import { expandVars } from './expand-vars.ts';

export interface EnvInput {
  pod: Pod;
  container: Container;
  configMaps: ConfigMap[];
  secrets: Secret[];
  /** The IP the pod really got; wins over pod.status.podIP. */
  podIP?: string;
  /** The host's IP; wins over pod.status.hostIP. */
  hostIP?: string;
  nodeAllocatable?: NodeAllocatable;
  /**
   * Expand `$(VAR)` in plain values (default true). Pass false when the Virtual Kubelet already
   * resolved the env, or `$$(X)` would be expanded twice.
   */
  expand?: boolean;
}

export type EnvResult =
  | { env: Array<[name: string, value: string]> }
  | { error: { reason: 'CreateContainerConfigError'; message: string } };

// RelaxedEnvironmentVariableValidation (on by default since Kubernetes 1.32): printable ASCII but '='.
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

const byName = <T extends { metadata?: { name: string } }>(objects: T[]) => {
  const map = new Map<string, T>();
  for (const o of objects)
    if (o.metadata?.name !== undefined && !map.has(o.metadata.name)) map.set(o.metadata.name, o);
  return map;
};

const decodeSecret = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** Resolves a container's env the kubelet's way; a refusal comes back as CreateContainerConfigError. */
export function resolveContainerEnv(input: EnvInput): EnvResult {
  try {
    return { env: [...buildEnv(input)] };
  } catch (err) {
    if (err instanceof ContainerConfigError)
      return { error: { reason: 'CreateContainerConfigError', message: err.message } };
    throw err;
  }
}

function buildEnv(input: EnvInput): Map<string, string> {
  const { pod, container } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const configMaps = byName(input.configMaps ?? []);
  const secrets = byName(input.secrets ?? []);
  const env = new Map<string, string>();

  /** A ConfigMap's data or a Secret's, decoded; undefined when it was not sent but is optional. */
  const objectData = (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean | null | undefined) => {
    const object = (kind === 'ConfigMap' ? configMaps : secrets).get(name);
    if (!object) {
      if (optional) return undefined;
      throw new ContainerConfigError(`${kind.toLowerCase()} "${name}" not found`);
    }
    const data = object.data ?? {};
    if (kind === 'ConfigMap') return data;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decodeSecret(v)]));
  };

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const data = objectData(from.configMapRef ? 'ConfigMap' : 'Secret', ref.name ?? '', ref.optional);
    for (const [key, value] of Object.entries(data ?? {})) {
      // The kubelet skips (with a warning event) keys that are not valid variable names.
      if (ENV_NAME.test(prefix + key)) env.set(prefix + key, value);
    }
  }

  const lookup = (name: string) => env.get(name);
  const ips = { podIP: input.podIP, hostIP: input.hostIP };
  for (const entry of container.env ?? []) {
    const source = entry.valueFrom;
    let value = entry.value ?? '';
    if (value !== '') {
      if (input.expand !== false) value = expandVars(value, lookup);
    } else if (source?.fieldRef || source?.resourceFieldRef) {
      value = downwardValue(source, { pod, container, ips, nodeAllocatable: input.nodeAllocatable }) ?? '';
    } else {
      const keyRef = source?.configMapKeyRef ?? source?.secretKeyRef;
      if (keyRef) {
        const kind = source?.configMapKeyRef ? 'ConfigMap' : 'Secret';
        const { name = '', key, optional } = keyRef;
        const found = objectData(kind, name, optional)?.[key];
        if (found === undefined) {
          if (optional) continue;
          throw new ContainerConfigError(`couldn't find key ${key} in ${kind} ${namespace}/${name}`);
        }
        value = found;
      }
    }
    env.set(entry.name, value);
  }
  return env;
}
