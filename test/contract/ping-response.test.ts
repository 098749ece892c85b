import { describe, expect, it } from 'vitest';
import { pingResponse } from '../../src/contract/ping-response.ts';

describe('pingResponse', () => {
  it('sizes the node from positive facts, memory in whole KiB', () => {
    expect(pingResponse({ cpus: 2, memoryBytes: 25_000_000_000, pods: 110 })).toEqual({
      status: 'ok',
      resources: { cpu: '2', memory: '24414062Ki', pods: '110' },
    });
  });

  it.each([
    ['zero CPUs', { cpus: 0, memoryBytes: 4096, pods: 5 }, { memory: '4Ki', pods: '5' }],
    ['unknown memory', { cpus: 4, memoryBytes: Number.NaN, pods: 5 }, { cpu: '4', pods: '5' }],
    ['memory under one KiB', { cpus: 4, memoryBytes: 1000 }, { cpu: '4' }],
  ])('leaves out %s rather than drain the node with a zero', (_name, facts, resources) => {
    expect(pingResponse(facts).resources).toEqual(resources);
  });

  it('declares accelerators only when there are some', () => {
    // As JSON: the contract's type of `available` is Go's string.
    const accelerators = JSON.parse('[{"resourceType": "nvidia.com/gpu", "available": "0"}]');
    const none = pingResponse({ cpus: 1, accelerators });
    expect(none.resources).toEqual({ cpu: '1' });
  });

  it('sends no resources at all when nothing is known, and taints only when configured', () => {
    expect(pingResponse({})).toEqual({ status: 'ok' });
    const taints = [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }];
    expect(pingResponse({ cpus: 1, taints }).taints).toEqual(taints);
    expect('taints' in pingResponse({ cpus: 1 })).toBe(false);
  });
});
