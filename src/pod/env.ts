/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables in
 * pkg/kubelet/kubelet_pods.go): envFrom first, then env in order, `$(VAR)` expanded in plain
 * values only, valueFrom resolved from the objects interLink sent and from the pod itself.
 * Needed when interLink runs with SkipDownwardAPIResolution; otherwise the Virtual Kubelet has
 * already done all of this and the env arrives as plain name/value pairs.
 */
import type { ConfigMap, Container, Pod, Secret } from '../contract/api-types.ts';
import { divideCeil, type ExactQuantity, parseQuantityExact, scaledCeil } from './quantity.ts';

/** What the node could give a container; the downward API reports it for an unset limit. */
export interface NodeAllocatable {
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Bytes; only needed for `limits.ephemeral-storage` without a limit. */
  ephemeralStorage?: number;
}

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

/** A reason the kubelet would refuse to start the container (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
}

const OPERATOR = '$';

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion Expand): `$(NAME)` becomes
 * lookup(NAME), or stays as written when lookup gives undefined; `$$` is an escaped `$`, so
 * `$$(NAME)` is the literal `$(NAME)`; any other `$` is kept, as is an unterminated `$(`.
 */
export function expandVars(text: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < text.length; cursor++) {
    if (text[cursor] !== OPERATOR || cursor + 1 >= text.length) continue;
    out += text.slice(checkpoint, cursor);
    const next = text[cursor + 1];
    let advance = 1;
    if (next === OPERATOR) {
      out += OPERATOR;
    } else if (next === '(') {
      const close = text.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
      } else {
        const name = text.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      // Go reads one rune here; a surrogate pair is one rune, so keep both halves together.
      const codePoint = text.codePointAt(cursor + 1) as number;
      advance = codePoint > 0xffff ? 2 : 1;
      out += OPERATOR + text.slice(cursor + 1, cursor + 1 + advance);
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + text.slice(checkpoint);
}

/**
 * Command and args with `$(VAR)` expanded from the container's final env, as the kubelet does
 * (ExpandContainerCommandAndArgs). An empty array means "not set": use the image's.
 */
export function expandCommand(
  command: string[] | null | undefined,
  args: string[] | null | undefined,
  env: Map<string, string>,
): { command: string[]; args: string[] } {
  const lookup = (name: string) => env.get(name);
  return {
    command: (command ?? []).map((c) => expandVars(c, lookup)),
    args: (args ?? []).map((a) => expandVars(a, lookup)),
  };
}

// RelaxedEnvironmentVariableValidation (on by default since Kubernetes 1.32): printable ASCII but '='.
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

interface PodIPs {
  podIP?: string | undefined;
  hostIP?: string | undefined;
}

type StatusWithIPs = {
  podIP?: string;
  hostIP?: string;
  podIPs?: Array<{ ip?: string }> | null;
  hostIPs?: Array<{ ip?: string }> | null;
};

function ipList(
  given: string | undefined,
  list: Array<{ ip?: string }> | null | undefined,
  single: string | undefined,
): string[] {
  if (given) return [given];
  const ips = (list ?? []).map((entry) => entry.ip ?? '').filter(Boolean);
  if (ips.length > 0) return ips;
  return single ? [single] : [];
}

/** Go's strconv.Quote, which the kubelet's FormatMap uses for label and annotation values. */
function goQuote(value: string): string {
  const named: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '"': '\\"',
    '\\': '\\\\',
  };
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (named[ch]) out += named[ch];
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** `k="v"` lines, sorted by key: the downward API's rendering of all labels or annotations. */
export function formatMap(map: Record<string, string> | null | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${goQuote((map as Record<string, string>)[k] as string)}`)
    .join('\n');
}

/**
 * The downward API value of a pod field (env fieldRef or downwardAPI volume item), as the
 * kubelet's podFieldSelectorRuntimeValue. Throws ContainerConfigError for an unsupported path.
 */
export function podFieldValue(pod: Pod, fieldPath: string, ips: PodIPs = {}, apiVersion?: string): string {
  if (apiVersion && apiVersion !== 'v1')
    throw new ContainerConfigError(`unsupported pod version: ${apiVersion}`);
  const status = (pod.status ?? {}) as StatusWithIPs;
  const subscript = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/s.exec(fieldPath);
  if (subscript) {
    const map = subscript[1] === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[subscript[2] as string] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return ipList(ips.podIP, status.podIPs, status.podIP)[0] ?? '';
    case 'status.podIPs':
      return ipList(ips.podIP, status.podIPs, status.podIP).join(',');
    case 'status.hostIP':
    case 'status.hostIPs': {
      const hostIPs = ipList(ips.hostIP, status.hostIPs, status.hostIP);
      if (hostIPs.length === 0) throw new ContainerConfigError('the host IP is not known (no status.hostIP)');
      return fieldPath === 'status.hostIP' ? (hostIPs[0] as string) : hostIPs.join(',');
    }
    default:
      throw new ContainerConfigError(`field label not supported: ${fieldPath}`);
  }
}

function quantity(q: string | number, what: string): ExactQuantity {
  try {
    return parseQuantityExact(q);
  } catch (err) {
    throw new ContainerConfigError(`${what}: ${(err as Error).message}`);
  }
}

/**
 * The downward API value of a container resource (resourceFieldRef), as the kubelet computes it:
 * ceil(value ÷ divisor) where cpu is counted in millicores first; an unset limit is the node's
 * allocatable; an unset request is the limit if one is set (API defaulting), else 0.
 */
export function containerResourceValue(
  container: Container,
  resource: string,
  divisor: string | number | undefined,
  nodeAllocatable?: NodeAllocatable,
): string {
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(resource);
  if (!match) throw new ContainerConfigError(`unsupported container resource : ${resource}`);
  const [, kind, name] = match as unknown as [
    string,
    'limits' | 'requests',
    'cpu' | 'memory' | 'ephemeral-storage',
  ];
  let div = divisor === undefined || divisor === '' ? undefined : quantity(divisor, 'divisor');
  if (!div || div.numerator === 0n) div = { numerator: 1n, denominator: 1n };

  const limit = container.resources?.limits?.[name];
  const request = container.resources?.requests?.[name];
  let value: ExactQuantity;
  if (kind === 'requests') {
    const given = request ?? limit;
    value = given === undefined ? { numerator: 0n, denominator: 1n } : quantity(given, resource);
  } else if (limit !== undefined) {
    value = quantity(limit, resource);
  } else {
    const allocatable = {
      cpu: nodeAllocatable?.cpu,
      memory: nodeAllocatable?.memory,
      'ephemeral-storage': nodeAllocatable?.ephemeralStorage,
    }[name];
    if (allocatable === undefined) {
      throw new ContainerConfigError(
        `${resource} is not set and the node's allocatable ${name} is not known`,
      );
    }
    value = quantity(allocatable, `allocatable ${name}`);
  }
  if (name === 'cpu') {
    const milli = (q: ExactQuantity) => ({ numerator: scaledCeil(q, 1000n), denominator: 1n });
    return divideCeil(milli(value), milli(div)).toString();
  }
  const whole = (q: ExactQuantity) => ({ numerator: scaledCeil(q, 1n), denominator: 1n });
  return divideCeil(whole(value), whole(div)).toString();
}

function findContainer(pod: Pod, name: string): Container {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const found = all.find((c) => c.name === name);
  if (!found) throw new ContainerConfigError(`container ${name} not found`);
  return found;
}

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

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | null | undefined;
    let decode = (v: string) => v;
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = configMaps.get(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      data = cm.data;
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const secret = secrets.get(name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      data = secret.data;
      decode = decodeSecret;
    }
    for (const [key, value] of Object.entries(data ?? {})) {
      // The kubelet skips (with a warning event) keys that are not valid variable names.
      if (ENV_NAME.test(prefix + key)) env.set(prefix + key, decode(value));
    }
  }

  const lookup = (name: string) => env.get(name);
  const ips = { podIP: input.podIP, hostIP: input.hostIP };
  for (const entry of container.env ?? []) {
    const source = entry.valueFrom;
    let value = entry.value ?? '';
    if (value !== '') {
      if (input.expand !== false) value = expandVars(value, lookup);
    } else if (source?.fieldRef) {
      value = podFieldValue(pod, source.fieldRef.fieldPath, ips, source.fieldRef.apiVersion);
    } else if (source?.resourceFieldRef) {
      const ref = source.resourceFieldRef;
      const target = ref.containerName ? findContainer(pod, ref.containerName) : container;
      value = containerResourceValue(target, ref.resource, ref.divisor, input.nodeAllocatable);
    } else if (source?.configMapKeyRef) {
      const { name = '', key, optional } = source.configMapKeyRef;
      const cm = configMaps.get(name);
      if (!cm) {
        if (optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      const found = cm.data?.[key];
      if (found === undefined) {
        if (optional) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
      }
      value = found;
    } else if (source?.secretKeyRef) {
      const { name = '', key, optional } = source.secretKeyRef;
      const secret = secrets.get(name);
      if (!secret) {
        if (optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      const found = secret.data?.[key];
      if (found === undefined) {
        if (optional) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
      }
      value = decodeSecret(found);
    }
    env.set(entry.name, value);
  }
  return env;
}
