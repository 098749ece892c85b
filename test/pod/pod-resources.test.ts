/** The pod cgroup's limits, as the kubelet's ResourceConfigForPod sums them. */
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { podCpuLimit, podMemoryLimitBytes } from '../../src/pod/pod-resources.ts';
import { buildPod } from '../fixtures/pod-builder.ts';

const limited = (name: string, limits: Record<string, string>) => ({
  name,
  command: ['sleep', '1'],
  resources: { limits },
});

describe('pod-level limits', () => {
  it('holds a pod whose containers all have CPU limits to their sum, as a CFS quota per 100 ms', () => {
    const pod = buildPod({ containers: [limited('a', { cpu: '250m' }), limited('b', { cpu: '1.5' })] });
    expect(podCpuLimit(pod)).toEqual({ periodUs: 100_000, quotaUs: 175_000 });
  });

  it('takes the largest init container’s limit when it is more than the app containers’ sum', () => {
    const pod: Pod = buildPod({
      initContainers: [
        limited('i1', { cpu: '2', memory: '64Mi' }),
        limited('i2', { cpu: '100m', memory: '1Gi' }),
      ],
      containers: [
        limited('a', { cpu: '500m', memory: '32Mi' }),
        limited('b', { cpu: '500m', memory: '32Mi' }),
      ],
    });
    expect(podCpuLimit(pod)?.quotaUs).toBe(200_000);
    expect(podMemoryLimitBytes(pod)).toBe(1024 ** 3);
  });

  it('gives no pod limit of a resource when a container has none of it, or a zero CPU limit', () => {
    const partly = buildPod({
      containers: [limited('a', { cpu: '1', memory: '32Mi' }), limited('b', { memory: '8Mi' })],
    });
    expect(podCpuLimit(partly)).toBeUndefined();
    expect(podMemoryLimitBytes(partly)).toBe(40 * 1024 * 1024);
    const zero = buildPod({ containers: [limited('a', { cpu: '0' })] });
    expect(podCpuLimit(zero)).toBeUndefined();
    const initUnlimited = buildPod({
      initContainers: [{ name: 'i', command: ['true'] }],
      containers: [limited('a', { cpu: '1' })],
    });
    expect(podCpuLimit(initUnlimited)).toBeUndefined();
  });

  it('never gives the pod less than a container’s own quota (the 1 ms floor)', () => {
    const pod = buildPod({ containers: [limited('a', { cpu: '1m' }), limited('b', { cpu: '2m' })] });
    expect(podCpuLimit(pod)).toEqual({ periodUs: 100_000, quotaUs: 1000 });
  });
});
