/**
 * A container's resources decided with the kubelet's own formulas, so a container gets the same
 * cgroup settings it would get on a real node:
 * - limits.cpu → a CFS quota per 100 ms period;
 * - requests.cpu (or limits.cpu when no request is set, as API defaulting does) → CPU shares,
 *   the kubelet's formula. No request at all leaves the runtime's default weight;
 * - limits.memory → a memory limit with no swap, as the kubelet does;
 * - nvidia.com/gpu: exclusive devices, by gpu-request.ts;
 * - ephemeral-storage, hugepages and other extended resources are not enforced: the kubelet
 *   enforces ephemeral storage by eviction, which has no Docker equivalent.
 */
import type { Container, Quantity } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import {
  CPU_PERIOD_US,
  cpuLimitToQuota,
  cpuRequestToShares,
  memoryToBytes,
  parseQuantityExact,
  QuantityError,
} from './quantity.ts';
import { pointer } from './volume-paths.ts';

export interface ContainerResources {
  /** The CPU limit as a CFS quota per period (µs); only when the quota is above 0. */
  cpu?: { periodUs: number; quotaUs: number };
  cpuShares?: number;
  /** Memory limit in bytes, with no swap; only when above 0. */
  memoryBytes?: number;
}

function convert<T>(q: Quantity, field: string, fn: (q: Quantity) => T): T {
  try {
    return fn(q);
  } catch (err) {
    if (err instanceof QuantityError) throw invalidField(field, err.message);
    throw err;
  }
}

/** The container's resources; every quantity must parse, even of resources that are not enforced. */
export function containerResources(container: Container, field: string): ContainerResources {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const limitField = (name: string) => `${field}/resources/limits/${pointer(name)}`;
  const requestField = (name: string) => `${field}/resources/requests/${pointer(name)}`;
  const out: ContainerResources = {};
  for (const [name, q] of Object.entries(limits)) convert(q, limitField(name), parseQuantityExact);
  for (const [name, q] of Object.entries(requests)) convert(q, requestField(name), parseQuantityExact);

  if (limits.cpu !== undefined) {
    const quota = convert(limits.cpu, limitField('cpu'), cpuLimitToQuota);
    if (quota > 0) out.cpu = { periodUs: CPU_PERIOD_US, quotaUs: quota };
  }
  const shareSource =
    requests.cpu !== undefined
      ? { q: requests.cpu, field: requestField('cpu') }
      : limits.cpu !== undefined
        ? { q: limits.cpu, field: limitField('cpu') }
        : undefined;
  if (shareSource) out.cpuShares = convert(shareSource.q, shareSource.field, cpuRequestToShares);

  if (limits.memory !== undefined) {
    const bytes = convert(limits.memory, limitField('memory'), memoryToBytes);
    if (bytes > 0) out.memoryBytes = bytes;
  }
  return out;
}
