/**
 * The downward API: a pod field (fieldRef) or a container resource (resourceFieldRef) as the
 * kubelet renders it. One code for both places a pod asks for it: env valueFrom and the items of
 * downwardAPI (also projected) volumes, so the same reference gives the same value in either.
 */
import type { Container, Pod } from '../contract/api-types.ts';
import { ContainerConfigError } from './container-config-error.ts';
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

export interface PodIPs {
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

/** A downward API reference, as env valueFrom and downwardAPI volume items both carry one. */
export interface DownwardRef {
  fieldRef?: { fieldPath?: unknown; apiVersion?: unknown } | null;
  resourceFieldRef?: { containerName?: unknown; resource?: unknown; divisor?: unknown } | null;
}

export interface DownwardContext {
  pod: Pod;
  /** The container a resourceFieldRef without containerName is about (env); volume items name theirs. */
  container?: Container;
  /** The IPs the plugin knows better than pod.status. */
  ips?: PodIPs;
  nodeAllocatable?: NodeAllocatable | undefined;
}

/**
 * The value of a downward API reference, or undefined when it has neither fieldRef nor
 * resourceFieldRef. Throws ContainerConfigError for what the kubelet would refuse.
 */
export function downwardValue(ref: DownwardRef, context: DownwardContext): string | undefined {
  const { pod } = context;
  if (ref.fieldRef) {
    const { fieldPath, apiVersion } = ref.fieldRef;
    return podFieldValue(
      pod,
      String(fieldPath ?? ''),
      context.ips,
      typeof apiVersion === 'string' ? apiVersion : undefined,
    );
  }
  if (ref.resourceFieldRef) {
    const { containerName, resource, divisor } = ref.resourceFieldRef;
    const target = containerName ? findContainer(pod, String(containerName)) : context.container;
    if (!target) throw new ContainerConfigError(`container ${String(containerName)} not found`);
    return containerResourceValue(
      target,
      String(resource ?? ''),
      typeof divisor === 'string' || typeof divisor === 'number' ? divisor : undefined,
      context.nodeAllocatable,
    );
  }
  return undefined;
}
