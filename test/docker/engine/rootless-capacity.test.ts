/** What a rootless engine's user may use on cgroup v2, read from a made-up cgroup tree. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cappedSize,
  parseCpuMax,
  parseMemoryMax,
  userCaps,
} from '../../../src/docker/engine/rootless-capacity.ts';

const GiB = 1024 ** 3;

/** A cgroup v2 tree with the given files, e.g. { 'user.slice/memory.max': 'max' }. */
async function cgroupTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cgroup-v2-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), `${text}\n`);
  }
  return root;
}

const SERVICE = 'user.slice/user-1001.slice/user@1001.service';
const SLICE = 'user.slice/user-1001.slice';

describe('cgroup v2 caps', () => {
  it.each([
    ['max', undefined],
    ['4294967296', 4 * GiB],
    ['', undefined],
  ])('reads memory.max %j as %s', (text, want) => {
    expect(parseMemoryMax(text)).toBe(want);
  });

  it.each([
    ['max 100000', undefined],
    ['200000 100000', 2],
    ['150000 100000', 1.5],
    ['', undefined],
    ['100000 0', undefined],
  ])('reads cpu.max %j as %s CPUs', (text, want) => {
    expect(parseCpuMax(text)).toBe(want);
  });
});

describe("a rootless engine's user's caps", () => {
  it.each([
    [
      'nothing capped (every file says max)',
      { [`${SERVICE}/memory.max`]: 'max', [`${SERVICE}/cpu.max`]: 'max 100000' },
      {},
    ],
    [
      "the user's service",
      { [`${SERVICE}/memory.max`]: String(2 * GiB), [`${SERVICE}/cpu.max`]: '150000 100000' },
      { memoryBytes: 2 * GiB, cpus: 1.5 },
    ],
    [
      'the lowest of the service and the slices above it',
      {
        [`${SERVICE}/memory.max`]: String(6 * GiB),
        [`${SLICE}/memory.max`]: String(3 * GiB),
        [`${SLICE}/cpu.max`]: 'max 100000',
        'user.slice/cpu.max': '400000 100000',
      },
      { memoryBytes: 3 * GiB, cpus: 4 },
    ],
    ['no such user in the tree', {}, {}],
  ])('are those of %s', async (_name, files, want) => {
    expect(await userCaps(1001, await cgroupTree(files))).toEqual(want);
  });

  it('lowers the host totals only where a cap is lower', () => {
    const host = { NCPU: 8, MemTotal: 16 * GiB };
    expect(cappedSize(host, { memoryBytes: 2 * GiB, cpus: 16 })).toEqual({ cpu: 8, memory: 2 * GiB });
    expect(cappedSize(host, {})).toEqual({ cpu: 8, memory: 16 * GiB });
  });
});
