/**
 * How many GPUs a pod asks for, and which of the pod's devices each container gets, by the
 * kubelet device manager's rules: init containers run one at a time and reuse the devices the
 * main containers get next, so the pod needs max(largest init request, sum of main requests).
 */
import type { Container, Pod } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import { parseQuantityExact, QuantityError } from './quantity.ts';

export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The resource name as a JSON pointer segment. */
const GPU_POINTER = 'nvidia.com~1gpu';

export interface ContainerGpus {
  name: string;
  role: 'init' | 'main';
  count: number;
}

export interface PodGpuRequest {
  /** Devices the pod holds from admission until it has ended. */
  need: number;
  containers: ContainerGpus[];
}

/**
 * GPUs a container asks for. Kubernetes requires requests to equal limits for extended
 * resources, so the limit is read, or the request when only that is set. A whole number or a 422.
 */
export function containerGpuCount(container: Container, field: string): number {
  const limit = container.resources?.limits?.[GPU_RESOURCE];
  const request = container.resources?.requests?.[GPU_RESOURCE];
  const q = limit ?? request;
  if (q === undefined) return 0;
  const at = `${field}/resources/${limit !== undefined ? 'limits' : 'requests'}/${GPU_POINTER}`;
  let exact: ReturnType<typeof parseQuantityExact>;
  try {
    exact = parseQuantityExact(q);
  } catch (err) {
    if (err instanceof QuantityError) throw invalidField(at, err.message);
    throw err;
  }
  if (exact.numerator < 0n || exact.numerator % exact.denominator !== 0n) {
    throw invalidField(at, 'must be a whole number of GPUs');
  }
  return Number(exact.numerator / exact.denominator);
}

/** The pod's GPU request: per container, and what the pod as a whole must be given at admission. */
export function podGpuRequest(pod: Pod): PodGpuRequest {
  const containers: ContainerGpus[] = [
    ...(pod.spec?.initContainers ?? []).map((c, i) => ({
      name: c.name,
      role: 'init' as const,
      count: containerGpuCount(c, `/pod/spec/initContainers/${i}`),
    })),
    ...(pod.spec?.containers ?? []).map((c, i) => ({
      name: c.name,
      role: 'main' as const,
      count: containerGpuCount(c, `/pod/spec/containers/${i}`),
    })),
  ];
  let largestInit = 0;
  let mains = 0;
  for (const c of containers) {
    if (c.role === 'init') largestInit = Math.max(largestInit, c.count);
    else mains += c.count;
  }
  return { need: Math.max(largestInit, mains), containers };
}

/** Where a container's devices sit in the pod's admitted list: `devices.slice(from, from + count)`. */
export interface GpuSlice {
  from: number;
  count: number;
}

/**
 * Each container's share of the pod's devices: main containers get disjoint slices, in order;
 * each init container gets the first devices, which the main containers reuse after it.
 * Keyed by `${role}/${name}`.
 */
export function gpuSlices(request: PodGpuRequest): Map<string, GpuSlice> {
  const out = new Map<string, GpuSlice>();
  let next = 0;
  for (const c of request.containers) {
    if (c.role === 'init') out.set(gpuKey(c.role, c.name), { from: 0, count: c.count });
    else {
      out.set(gpuKey(c.role, c.name), { from: next, count: c.count });
      next += c.count;
    }
  }
  return out;
}

export function gpuKey(role: 'init' | 'main', name: string): string {
  return `${role}/${name}`;
}
