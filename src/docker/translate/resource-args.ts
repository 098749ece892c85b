/**
 * A container's resources as `docker create` arguments, with the kubelet's own formulas so a
 * container gets the same cgroup settings it would get on a real node.
 */
import type { Container, Quantity } from '../../contract/api-types.ts';
import { invalidField } from '../../errors.ts';
import {
  CPU_PERIOD_US,
  cpuLimitToQuota,
  cpuRequestToShares,
  memoryToBytes,
  parseQuantityExact,
  QuantityError,
} from '../../pod/quantity.ts';

// The Docker engine refuses smaller memory limits ("Minimum memory limit allowed is 6MB").
const DOCKER_MIN_MEMORY = 6 * 1024 * 1024;

const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

function convert<T>(q: Quantity, field: string, fn: (q: Quantity) => T): T {
  try {
    return fn(q);
  } catch (err) {
    if (err instanceof QuantityError) throw invalidField(field, err.message);
    throw err;
  }
}

/**
 * `docker create` args for a container's resources:
 * - limits.cpu → `--cpu-period 100000 --cpu-quota N`, the kubelet's CFS quota. Not `--cpus`:
 *   the engine refuses a `--cpus` above the host's CPU count, which Kubernetes allows.
 * - requests.cpu (or limits.cpu when no request is set, as API defaulting does) →
 *   `--cpu-shares`, the kubelet's formula. No request at all leaves Docker's default weight.
 * - limits.memory → `--memory` and an equal `--memory-swap`: no swap, as the kubelet does.
 * - nvidia.com/gpu: exclusive devices, given by gpu-args.ts once the pod is admitted.
 * - ephemeral-storage, hugepages and other extended resources are not enforced: the kubelet
 *   enforces ephemeral storage by eviction, which has no Docker equivalent.
 */
export function resourceArgs(container: Container, field: string): string[] {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const limitField = (name: string) => `${field}/resources/limits/${pointer(name)}`;
  const requestField = (name: string) => `${field}/resources/requests/${pointer(name)}`;
  const args: string[] = [];
  // Every quantity must parse, even of resources that are not enforced.
  for (const [name, q] of Object.entries(limits)) convert(q, limitField(name), parseQuantityExact);
  for (const [name, q] of Object.entries(requests)) convert(q, requestField(name), parseQuantityExact);

  if (limits.cpu !== undefined) {
    const quota = convert(limits.cpu, limitField('cpu'), cpuLimitToQuota);
    if (quota > 0) args.push('--cpu-period', String(CPU_PERIOD_US), '--cpu-quota', String(quota));
  }
  const shareSource =
    requests.cpu !== undefined
      ? { q: requests.cpu, field: requestField('cpu') }
      : limits.cpu !== undefined
        ? { q: limits.cpu, field: limitField('cpu') }
        : undefined;
  if (shareSource)
    args.push('--cpu-shares', String(convert(shareSource.q, shareSource.field, cpuRequestToShares)));

  if (limits.memory !== undefined) {
    const bytes = convert(limits.memory, limitField('memory'), memoryToBytes);
    if (bytes > 0) {
      if (bytes < DOCKER_MIN_MEMORY) {
        throw invalidField(
          limitField('memory'),
          `is ${bytes} bytes, below 6Mi, the smallest memory limit Docker accepts`,
        );
      }
      args.push('--memory', String(bytes), '--memory-swap', String(bytes));
    }
  }

  return args;
}
