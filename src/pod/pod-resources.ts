/**
 * Pod-level resource accounting as the kubelet does it for Guaranteed and Burstable pods
 * (ResourceConfigForPod): the pod's limit of a resource is the sum of its app containers' limits,
 * or the largest init container's when that is more (init containers run one at a time, before
 * the app containers). Only when every container has a limit of that resource; otherwise the pod
 * has none of it (as a BestEffort or partly limited pod on a kubelet). A zero CPU limit is none.
 */
import type { Pod } from '../contract/api-types.ts';
import { CPU_PERIOD_US, cpuToMilliCpus, memoryToBytes } from './quantity.ts';

type Limits = { resources?: { limits?: Record<string, string | number> | null } | null };

/** The pod's limit from each container's (undefined: that container has none). */
function podLimit(pod: Pod, limit: (c: Limits) => number | undefined): number | undefined {
  const apps = (pod.spec?.containers ?? []).map(limit);
  const inits = (pod.spec?.initContainers ?? []).map(limit);
  if (apps.length === 0 || [...apps, ...inits].some((v) => v === undefined)) return undefined;
  const sum = (apps as number[]).reduce((a, b) => a + b, 0);
  return Math.max(sum, ...(inits as number[]));
}

export function podMemoryLimitBytes(pod: Pod): number | undefined {
  return podLimit(pod, (c) => {
    const q = c.resources?.limits?.memory;
    return q === undefined ? undefined : memoryToBytes(q);
  });
}

/** The pod cgroup's CFS bandwidth: `quotaUs` of CPU time per `periodUs`. */
export interface PodCpuLimit {
  periodUs: number;
  quotaUs: number;
}

/** The kubelet's MilliCPUToQuota of the pod's CPU limit: at least 1 ms per 100 ms period. */
export function podCpuLimit(pod: Pod): PodCpuLimit | undefined {
  const milli = podLimit(pod, (c) => {
    const q = c.resources?.limits?.cpu;
    const m = q === undefined ? 0 : cpuToMilliCpus(q);
    return m > 0 ? m : undefined;
  });
  if (milli === undefined) return undefined;
  return { periodUs: CPU_PERIOD_US, quotaUs: Math.max(1000, Math.floor((milli * CPU_PERIOD_US) / 1000)) };
}
