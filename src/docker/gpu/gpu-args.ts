/**
 * How a container's GPUs reach it, by PLUGIN_GPU_MODE, and the label that records them:
 * - toolkit: `--gpus "device=ID,ID"` (the NVIDIA container toolkit's Docker integration);
 * - runtime: `--runtime nvidia` and `NVIDIA_VISIBLE_DEVICES=ID,ID`;
 * - env: only `NVIDIA_VISIBLE_DEVICES=ID,ID`, for hosts whose default runtime is nvidia already.
 * In runtime and env modes a container without GPUs gets `NVIDIA_VISIBLE_DEVICES=void`: CUDA
 * images set it to `all`, which the nvidia runtime would honour. The variable comes after the
 * pod's own env, so the last `--env` (Docker keeps the last) is the plugin's.
 */
import type { GpuMode } from '../../config/load-config.ts';
import { LABEL } from '../labels.ts';

/** `docker create` args giving a container exactly these devices (none for an empty list). */
export function gpuArgs(mode: GpuMode, devices: readonly string[]): string[] {
  if (devices.length === 0) return mode === 'toolkit' ? [] : ['--env', 'NVIDIA_VISIBLE_DEVICES=void'];
  const ids = devices.join(',');
  const label = gpuLabelArgs(devices);
  // The CLI reads --gpus as CSV: the quotes keep "device=0,1" one field.
  if (mode === 'toolkit') return [...label, '--gpus', `"device=${ids}"`];
  if (mode === 'runtime') return [...label, '--runtime', 'nvidia', '--env', `NVIDIA_VISIBLE_DEVICES=${ids}`];
  return [...label, '--env', `NVIDIA_VISIBLE_DEVICES=${ids}`];
}

/** The label that records devices on a container (the sandbox carries the whole pod's). */
export function gpuLabelArgs(devices: readonly string[]): string[] {
  return devices.length > 0 ? ['--label', `${LABEL.gpus}=${devices.join(',')}`] : [];
}
