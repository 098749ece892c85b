/**
 * Pod-level resource accounting as the kubelet does it for Guaranteed and Burstable pods: the
 * pod's memory limit is the sum of its app containers' limits, or the largest init container's
 * when that is more (init containers run one at a time, before the app containers). Only when
 * every container has a memory limit; otherwise the pod has none (as a BestEffort or partly
 * limited pod on a kubelet).
 */
import type { Pod } from '../contract/api-types.ts';
import { memoryToBytes } from './quantity.ts';

export function podMemoryLimitBytes(pod: Pod): number | undefined {
  const limit = (c: { resources?: { limits?: Record<string, string | number> | null } | null }) => {
    const q = c.resources?.limits?.memory;
    return q === undefined ? undefined : memoryToBytes(q);
  };
  const apps = (pod.spec?.containers ?? []).map(limit);
  const inits = (pod.spec?.initContainers ?? []).map(limit);
  if (apps.length === 0 || [...apps, ...inits].some((b) => b === undefined)) return undefined;
  const sum = (apps as number[]).reduce((a, b) => a + b, 0);
  return Math.max(sum, ...(inits as number[]));
}
