/**
 * A test plugin's cgroups: its instance parent and any pod cgroup under it. The plugin removes a
 * pod's cgroup when it deletes the pod and sweeps what a crash left when it starts again; a test
 * instance is never started again and its containers go by `docker rm -f`, so without this every
 * test file would leave empty directories under /sys/fs/cgroup on the CI machine.
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { pluginCgroupPath } from '../../src/docker/cgroups/cgroup-layout.ts';
import { CGROUP_ROOT } from '../../src/docker/cgroups/pod-cgroups.ts';

/** Removes the instance's cgroup directories, deepest first; one a process is still in stays. */
export function removeInstanceCgroups(instance: string, root = CGROUP_ROOT): void {
  const parent = pluginCgroupPath({ driver: 'cgroupfs', instance });
  // cgroup v2 is one tree at the root; v1 has one per controller directory under it.
  for (const tree of [root, ...subdirs(root).map((d) => join(root, d))]) removeTree(join(tree, parent));
}

function removeTree(dir: string): void {
  for (const child of subdirs(dir)) removeTree(join(dir, child));
  try {
    rmdirSync(dir);
  } catch {
    // ENOENT: not in this hierarchy. EBUSY: a process is still in it.
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}
