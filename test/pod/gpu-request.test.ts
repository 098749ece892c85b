import { describe, expect, it } from 'vitest';
import type { Container, Pod, ResourceRequirements } from '../../src/contract/api-types.ts';
import { PluginError } from '../../src/errors.ts';
import { containerGpuCount, gpuSlices, podGpuRequest } from '../../src/pod/gpu-request.ts';

const FIELD = '/pod/spec/containers/1';
const container = (resources: ResourceRequirements, name = 'app'): Container => ({
  name,
  image: 'busybox:1.36',
  resources,
});
const gpus = (n: number | string): ResourceRequirements => ({ limits: { 'nvidia.com/gpu': n } });

describe('containerGpuCount', () => {
  it.each<[string, ResourceRequirements, number]>([
    ['no resources', null, 0],
    ['no GPU', { limits: { cpu: '1' } }, 0],
    ['a GPU limit', gpus('2'), 2],
    ['a GPU limit as a JSON number', gpus(1), 1],
    ['a GPU request alone', { requests: { 'nvidia.com/gpu': '3' } }, 3],
    [
      'the limit over the request',
      { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '4' } },
      1,
    ],
    ['zero GPUs', gpus('0'), 0],
    ['a whole number written with a suffix', gpus('2000m'), 2],
  ])('reads %s', (_label, resources, want) => {
    expect(containerGpuCount(container(resources), FIELD)).toBe(want);
  });

  it.each<[string, ResourceRequirements, string, RegExp]>([
    ['half a GPU', gpus('500m'), `${FIELD}/resources/limits/nvidia.com~1gpu`, /whole number of GPUs/],
    ['a negative count', gpus('-1'), `${FIELD}/resources/limits/nvidia.com~1gpu`, /whole number of GPUs/],
    [
      'a request that is not a quantity',
      { requests: { 'nvidia.com/gpu': 'two' } },
      `${FIELD}/resources/requests/nvidia.com~1gpu`,
      /not a valid Kubernetes quantity/,
    ],
  ])('refuses %s with a 422 naming the field', (_label, resources, field, problem) => {
    let err: unknown;
    try {
      containerGpuCount(container(resources), FIELD);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).kind).toBe('invalid');
    expect((err as PluginError).details?.[0]?.field).toBe(field);
    expect((err as PluginError).details?.[0]?.problem).toMatch(problem);
  });
});

const pod = (init: number[], main: number[]): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: {
    initContainers: init.map((n, i) => container(gpus(n), `init${i}`)),
    containers: main.map((n, i) => container(gpus(n), `main${i}`)),
  },
});

describe('podGpuRequest', () => {
  // [behaviour, init counts, main counts, need]
  it.each<[string, number[], number[], number]>([
    ['asks nothing of a pod without GPUs', [], [0, 0], 0],
    ['adds up the main containers', [], [1, 2], 3],
    ['needs the largest init container when it is larger', [4, 1], [1, 1], 4],
    ['lets init containers reuse the main containers’ devices', [1, 2], [1, 1, 1], 3],
  ])('%s', (_label, init, main, need) => {
    expect(podGpuRequest(pod(init, main)).need).toBe(need);
  });

  it('names an init container’s bad field', () => {
    const p = pod([], [1]);
    p.spec?.initContainers?.push(container(gpus('0.5'), 'setup'));
    expect(() => podGpuRequest(p)).toThrow('/pod/spec/initContainers/0/resources/limits/nvidia.com~1gpu');
  });
});

describe('gpuSlices', () => {
  it('gives main containers disjoint devices in order, and init containers the first ones', () => {
    const request = podGpuRequest(pod([2, 1], [1, 0, 2]));
    const devices = ['a', 'b', 'c'];
    const split = [...gpuSlices(request)].map(([k, s]) => [k, devices.slice(s.from, s.from + s.count)]);
    expect(Object.fromEntries(split)).toEqual({
      'init/init0': ['a', 'b'],
      'init/init1': ['a'],
      'main/main0': ['a'],
      'main/main1': [],
      'main/main2': ['b', 'c'],
    });
  });
});
