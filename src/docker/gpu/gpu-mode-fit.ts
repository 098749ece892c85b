/**
 * Whether the GPU mode can give a container its GPUs on this engine. Podman 4.3's compat API
 * drops the device requests `--gpus` makes (the container is made, with no GPU and no error), so
 * toolkit mode there would hand out GPUs no container gets: the plugin refuses to start instead.
 */
import type { GpuMode } from '../../config/load-config.ts';
import type { EngineTraits } from '../engine/engine-kind.ts';

/** Throws, saying what to set instead, when GPUs would be handed out in a mode the engine ignores. Pure. */
export function checkGpuModeFits(mode: GpuMode, gpus: number, traits: EngineTraits): void {
  if (gpus === 0 || mode !== 'toolkit' || traits.takesGpuRequests) return;
  throw new Error(
    `this host has ${gpus} GPUs to hand out, but Podman ignores --gpus (PLUGIN_GPU_MODE=toolkit, the default): ` +
      "set PLUGIN_GPU_MODE=runtime (a runtime named nvidia in Podman's containers.conf) or env (NVIDIA's OCI hook); see docs/podman.md",
  );
}
