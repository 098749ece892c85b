import { describe, expect, it } from 'vitest';
import type { GpuMode } from '../../../src/config/load-config.ts';
import { gpuArgs } from '../../../src/docker/gpu/gpu-args.ts';

describe('gpuArgs', () => {
  // [mode, devices, args]
  it.each<[GpuMode, string[], string[]]>([
    ['toolkit', [], []],
    ['toolkit', ['0'], ['--label', 'io.interlink.gpus=0', '--gpus', '"device=0"']],
    [
      'toolkit',
      ['GPU-aa', 'GPU-bb'],
      ['--label', 'io.interlink.gpus=GPU-aa,GPU-bb', '--gpus', '"device=GPU-aa,GPU-bb"'],
    ],
    ['runtime', [], ['--env', 'NVIDIA_VISIBLE_DEVICES=void']],
    [
      'runtime',
      ['1', '2'],
      ['--label', 'io.interlink.gpus=1,2', '--runtime', 'nvidia', '--env', 'NVIDIA_VISIBLE_DEVICES=1,2'],
    ],
    ['env', [], ['--env', 'NVIDIA_VISIBLE_DEVICES=void']],
    ['env', ['3'], ['--label', 'io.interlink.gpus=3', '--env', 'NVIDIA_VISIBLE_DEVICES=3']],
  ])('%s mode with devices %j', (mode, devices, want) => {
    expect(gpuArgs(mode, devices)).toEqual(want);
  });
});
