import { describe, expect, it } from 'vitest';
import { GpuAllocator } from '../../../src/docker/gpu/gpu-allocator.ts';
import { PluginError } from '../../../src/errors.ts';

/** An allocator over these devices, with `held` the devices running containers hold. */
function allocator(devices: string[], held: string[] = []) {
  const state = { held };
  const gpus = new GpuAllocator({ held: () => state.held });
  gpus.stock(devices);
  return { gpus, state };
}

describe('GpuAllocator', () => {
  it('offers every device it may hand out, free or not', () => {
    expect(allocator(['0', '1', '2'], ['1']).gpus.total).toBe(3);
  });

  it('gives each pod devices no one else holds, in the order configured', () => {
    const { gpus } = allocator(['0', '1', '2', '3'], ['0']);
    expect(gpus.admit('a', 1, 'ns/a')).toEqual(['1']);
    // 'a' is still being created: its device is not free although no container holds it yet.
    expect(gpus.admit('b', 2, 'ns/b')).toEqual(['2', '3']);
    expect(gpus.free()).toEqual([]);
  });

  it('gives nothing to a pod that asks for none, even when none is free', () => {
    const { gpus } = allocator(['0'], ['0']);
    expect(gpus.admit('a', 0, 'ns/a')).toEqual([]);
  });

  it('refuses a pod when too few devices are free, with kubelet’s reason and the numbers', () => {
    const { gpus } = allocator(['0', '1', '2'], ['0', '2']);
    let err: unknown;
    try {
      gpus.admit('a', 2, 'team/train');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).kind).toBe('conflict');
    expect((err as PluginError).message).toMatch(
      /^UnexpectedAdmissionError: Allocate failed due to requested number of devices unavailable for nvidia\.com\/gpu\. Requested: 2, Available: 1, which is unexpected\. Pod team\/train was not created/,
    );
    // A refused pod takes nothing.
    expect(gpus.free()).toEqual(['1']);
  });

  it('frees a pod’s devices once its create is over and no container holds them', () => {
    const { gpus, state } = allocator(['0', '1']);
    expect(gpus.admit('a', 2, 'ns/a')).toEqual(['0', '1']);
    // The containers exist now and carry the labels.
    state.held = ['0', '1'];
    gpus.settle('a');
    expect(gpus.free()).toEqual([]);
    // The pod ended.
    state.held = [];
    expect(gpus.admit('b', 1, 'ns/b')).toEqual(['0']);
  });

  it('frees the devices of a create that failed', () => {
    const { gpus } = allocator(['0']);
    gpus.admit('a', 1, 'ns/a');
    gpus.settle('a');
    expect(gpus.admit('b', 1, 'ns/b')).toEqual(['0']);
  });

  it('never gives one device to two pods admitted at the same time', () => {
    const { gpus } = allocator(['0', '1', '2']);
    const given = ['a', 'b', 'c'].flatMap((uid) => gpus.admit(uid, 1, `ns/${uid}`));
    expect(new Set(given).size).toBe(3);
    expect(() => gpus.admit('d', 1, 'ns/d')).toThrow(/Requested: 1, Available: 0/);
  });
});
