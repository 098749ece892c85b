/**
 * A pod's limits on cgroup v2, on a tree of plain directories: the kernel shows a controller's
 * files (memory.max, ...) in a cgroup only when its parent enables the controller in
 * cgroup.subtree_control, and a cgroup the plugin made enables none, so the plugin enables each
 * controller in the root and its own cgroup before it writes a pod's limit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PodCgroups } from '../../../src/docker/cgroups/pod-cgroups.ts';
import { createLogger } from '../../../src/log.ts';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function v2Cgroups() {
  const root = mkdtempSync(join(tmpdir(), 'cgroup2-'));
  roots.push(root);
  const lines: string[] = [];
  const c = new PodCgroups(
    'inst',
    createLogger({}, (l) => lines.push(l)),
    root,
  );
  await c.detect({ CgroupDriver: 'cgroupfs', CgroupVersion: '2', KernelVersion: release() });
  const read = (...parts: string[]) => readFileSync(join(root, ...parts), 'utf8');
  return { c, read, lines };
}

describe('pod limits on cgroup v2', () => {
  it.each([
    ['memory', { memoryBytes: 48 * 1024 * 1024, cpu: undefined }, 'memory.max', String(48 * 1024 * 1024)],
    [
      'cpu',
      { memoryBytes: undefined, cpu: { periodUs: 100_000, quotaUs: 25_000 } },
      'cpu.max',
      '25000 100000',
    ],
    ['pids', { memoryBytes: undefined, cpu: undefined, pids: 64 }, 'pids.max', '64'],
  ])(
    'enables %s in the root and the plugin’s cgroup, then writes the pod’s limit',
    async (controller, limits, file, value) => {
      const { c, read, lines } = await v2Cgroups();
      await c.limitPod('u1', limits);
      expect(read('cgroup.subtree_control')).toBe(`+${controller}`);
      expect(read('interlink-inst', 'cgroup.subtree_control')).toBe(`+${controller}`);
      expect(read('interlink-inst', 'podu1', file)).toBe(value);
      expect(lines.join('')).not.toContain('could not set a pod limit');
    },
  );
});
