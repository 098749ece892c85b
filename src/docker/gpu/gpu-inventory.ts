/**
 * The host's GPUs, learnt once at start-up: from the operator's list (PLUGIN_GPU_DEVICES), or
 * from `nvidia-smi`. A device is handed out by its UUID when known: indexes can change order
 * across reboots and driver updates, UUIDs do not.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../../log.ts';

export interface GpuDevice {
  /** What the plugin hands out and records in labels: the UUID when known, else the operator's entry. */
  id: string;
  index?: string;
  uuid?: string;
}

/** What `nvidia-smi` answered: its lines, or why there are none. */
export type SmiAnswer =
  | { kind: 'ok'; stdout: string }
  | { kind: 'absent' }
  | { kind: 'failed'; reason: string };

export type SmiRunner = (args: readonly string[]) => Promise<SmiAnswer>;

export const SMI_QUERY = ['--query-gpu=index,uuid', '--format=csv,noheader'] as const;

/** Runs `nvidia-smi` with an argument vector; a missing binary is "absent", not an error. */
export const runNvidiaSmi: SmiRunner = (args) =>
  new Promise((resolve) => {
    // nvidia-smi can hang on a wedged GPU: start-up must not.
    execFile('nvidia-smi', [...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (!err) resolve({ kind: 'ok', stdout });
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ kind: 'absent' });
      else resolve({ kind: 'failed', reason: (stderr || stdout || err.message).trim().slice(0, 500) });
    });
  });

/** `0, GPU-8f6…` lines → devices; lines that are not index + UUID are left out. */
export function parseNvidiaSmi(stdout: string): GpuDevice[] {
  const out: GpuDevice[] = [];
  for (const line of stdout.split('\n')) {
    const [index, uuid] = line.split(',').map((s) => s.trim());
    if (index && /^\d+$/.test(index) && uuid) out.push({ id: uuid, index, uuid });
  }
  return out;
}

export class GpuInventoryError extends Error {
  override name = 'GpuInventoryError';
}

/**
 * The devices the plugin may hand out. With a configured list, each entry is checked against
 * `nvidia-smi` when it answers (a typo would hand out a device that does not exist); without
 * `nvidia-smi`, the list is taken as it is (hosts without the tool, and tests).
 */
export async function discoverGpus(opts: {
  configured: readonly string[];
  runSmi?: SmiRunner;
  log: Logger;
}): Promise<GpuDevice[]> {
  const { configured, log } = opts;
  const smi = await (opts.runSmi ?? runNvidiaSmi)(SMI_QUERY);
  const found = smi.kind === 'ok' ? parseNvidiaSmi(smi.stdout) : [];
  let devices: GpuDevice[];
  if (configured.length === 0) {
    devices = found;
    if (smi.kind === 'failed')
      log.warn('nvidia-smi failed: no GPUs will be handed out', { error: smi.reason });
  } else if (smi.kind !== 'ok') {
    devices = configured.map((id) => (/^\d+$/.test(id) ? { id, index: id } : { id, uuid: id }));
    if (smi.kind === 'failed')
      log.warn('nvidia-smi failed: using PLUGIN_GPU_DEVICES unchecked', { error: smi.reason });
  } else {
    devices = configured.map((entry) => {
      const d = found.find((g) => g.index === entry || g.uuid === entry);
      if (!d) {
        const known = found.map((g) => `${g.index} (${g.uuid})`).join(', ') || 'none';
        throw new GpuInventoryError(
          `PLUGIN_GPU_DEVICES (--gpu-devices): "${entry}" is not a GPU of this host; nvidia-smi lists: ${known}`,
        );
      }
      return d;
    });
  }
  log.info(devices.length > 0 ? 'GPUs to hand out' : 'no GPUs to hand out', {
    source: configured.length > 0 ? 'PLUGIN_GPU_DEVICES' : 'nvidia-smi',
    nvidiaSmi: smi.kind,
    gpus: devices.map((d) => [d.index, d.uuid].filter(Boolean).join(' ')),
  });
  return devices;
}
