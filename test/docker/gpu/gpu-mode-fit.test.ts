import { describe, expect, it } from 'vitest';
import { ENGINE_TRAITS } from '../../../src/docker/engine/engine-kind.ts';
import { checkGpuModeFits } from '../../../src/docker/gpu/gpu-mode-fit.ts';

describe('the GPU mode on this engine', () => {
  it.each([
    ['toolkit on Docker', 'toolkit', 2, 'docker', true],
    ['toolkit on Podman, which drops --gpus', 'toolkit', 2, 'podman', false],
    ['toolkit on Podman with no GPU to hand out', 'toolkit', 0, 'podman', true],
    ['runtime on Podman', 'runtime', 2, 'podman', true],
    ['env on Podman', 'env', 2, 'podman', true],
  ] as const)('%s: starts %s', (_name, mode, gpus, flavour, starts) => {
    const check = () => checkGpuModeFits(mode, gpus, ENGINE_TRAITS[flavour]);
    if (starts) expect(check).not.toThrow();
    else expect(check).toThrow(/Podman ignores --gpus .*set PLUGIN_GPU_MODE=runtime .* or env/);
  });
});
