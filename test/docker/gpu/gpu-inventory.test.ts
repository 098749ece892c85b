import { describe, expect, it } from 'vitest';
import {
  discoverGpus,
  GpuInventoryError,
  parseNvidiaSmi,
  SMI_QUERY,
  type SmiAnswer,
} from '../../../src/docker/gpu/gpu-inventory.ts';
import type { Logger } from '../../../src/log.ts';

const UUID0 = 'GPU-8f6c2a1e-1b2c-4d5e-8f90-0123456789ab';
const UUID1 = 'GPU-1a2b3c4d-5e6f-4a7b-8c9d-abcdefabcdef';
const SMI_OUT = `0, ${UUID0}\n1, ${UUID1}\n`;

/** A logger that keeps its lines, to check what the operator is told. */
function recordingLog() {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = {
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    child: () => log,
  };
  return { log, lines };
}

const smi = (answer: SmiAnswer) => {
  const calls: string[][] = [];
  return {
    calls,
    run: async (args: readonly string[]) => {
      calls.push([...args]);
      return answer;
    },
  };
};

describe('parseNvidiaSmi', () => {
  it('reads index and UUID per line, leaving out what is neither', () => {
    expect(parseNvidiaSmi(`${SMI_OUT}\nNo devices were found\n`)).toEqual([
      { id: UUID0, index: '0', uuid: UUID0 },
      { id: UUID1, index: '1', uuid: UUID1 },
    ]);
  });
});

describe('discoverGpus', () => {
  it('hands out every GPU nvidia-smi lists, by UUID, and logs them', async () => {
    const { log, lines } = recordingLog();
    const run = smi({ kind: 'ok', stdout: SMI_OUT });
    const devices = await discoverGpus({ configured: [], runSmi: run.run, log });
    expect(run.calls).toEqual([[...SMI_QUERY]]);
    expect(devices.map((d) => d.id)).toEqual([UUID0, UUID1]);
    expect(lines).toContainEqual({
      level: 'info',
      msg: 'GPUs to hand out',
      fields: { source: 'nvidia-smi', nvidiaSmi: 'ok', gpus: [`0 ${UUID0}`, `1 ${UUID1}`] },
    });
  });

  it('hands out only the configured GPUs, by UUID, whether named by index or UUID', async () => {
    const { log } = recordingLog();
    const devices = await discoverGpus({
      configured: [UUID1, '0'],
      runSmi: smi({ kind: 'ok', stdout: SMI_OUT }).run,
      log,
    });
    expect(devices.map((d) => d.id)).toEqual([UUID1, UUID0]);
  });

  it('refuses to start with a configured GPU nvidia-smi does not list', async () => {
    const { log } = recordingLog();
    await expect(
      discoverGpus({ configured: ['0', '7'], runSmi: smi({ kind: 'ok', stdout: SMI_OUT }).run, log }),
    ).rejects.toThrow(GpuInventoryError);
    await expect(
      discoverGpus({ configured: ['7'], runSmi: smi({ kind: 'ok', stdout: SMI_OUT }).run, log }),
    ).rejects.toThrow(
      /PLUGIN_GPU_DEVICES \(--gpu-devices\): "7" is not a GPU of this host; nvidia-smi lists: 0/,
    );
  });

  it('takes the configured list as it is on a host without nvidia-smi', async () => {
    const { log, lines } = recordingLog();
    const devices = await discoverGpus({
      configured: ['0', UUID1],
      runSmi: smi({ kind: 'absent' }).run,
      log,
    });
    expect(devices).toEqual([
      { id: '0', index: '0' },
      { id: UUID1, uuid: UUID1 },
    ]);
    expect(lines.at(-1)).toMatchObject({ msg: 'GPUs to hand out', fields: { source: 'PLUGIN_GPU_DEVICES' } });
  });

  it('has no GPUs without nvidia-smi or a list, and says so', async () => {
    const { log, lines } = recordingLog();
    expect(await discoverGpus({ configured: [], runSmi: smi({ kind: 'absent' }).run, log })).toEqual([]);
    expect(lines).toEqual([
      {
        level: 'info',
        msg: 'no GPUs to hand out',
        fields: { source: 'nvidia-smi', nvidiaSmi: 'absent', gpus: [] },
      },
    ]);
  });

  it('warns when nvidia-smi fails, and hands out nothing it cannot check unless configured', async () => {
    const failed = smi({
      kind: 'failed',
      reason: 'NVIDIA-SMI has failed because it couldn’t communicate with the NVIDIA driver',
    });
    const a = recordingLog();
    expect(await discoverGpus({ configured: [], runSmi: failed.run, log: a.log })).toEqual([]);
    expect(a.lines[0]).toMatchObject({
      level: 'warn',
      fields: { error: expect.stringMatching(/NVIDIA driver/) },
    });
    const b = recordingLog();
    expect(
      (await discoverGpus({ configured: ['1'], runSmi: failed.run, log: b.log })).map((d) => d.id),
    ).toEqual(['1']);
    expect(b.lines[0]).toMatchObject({
      level: 'warn',
      msg: 'nvidia-smi failed: using PLUGIN_GPU_DEVICES unchecked',
    });
  });
});
