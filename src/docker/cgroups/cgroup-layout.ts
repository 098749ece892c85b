/**
 * Where a pod's cgroup lives, as the kubelet lays them out: one plugin-wide parent, one cgroup per
 * pod under it, and the engine's cgroup per container under that (Docker's `--cgroup-parent`).
 * Pure path logic for both cgroup drivers and both cgroup versions:
 *
 * | driver   | `--cgroup-parent`                   | the pod's cgroup, under each hierarchy's root      |
 * | -------- | ----------------------------------- | -------------------------------------------------- |
 * | cgroupfs | `/interlink-<instance>/pod<uid>`    | `interlink-<instance>/pod<uid>`                     |
 * | systemd  | `interlink-<instance>-pod<uid>.slice` | `interlink.slice/interlink-<instance>.slice/interlink-<instance>-pod<uid>.slice` |
 *
 * Under cgroup v1 each controller has its own hierarchy (`<root>/memory/...`, `<root>/cpu/...`);
 * under v2 there is one (`<root>/...`). A container's cgroup under its pod's is its id (cgroupfs)
 * or `docker-<id>.scope` (systemd).
 */
import { join } from 'node:path';

export type CgroupDriver = 'cgroupfs' | 'systemd';
export type CgroupVersion = 1 | 2;

export interface CgroupLayout {
  driver: CgroupDriver;
  version: CgroupVersion;
  /** Where the cgroup file system is mounted, /sys/fs/cgroup. */
  root: string;
  instance: string;
}

/** A name part of a cgroup: systemd reads "-" as nesting, and a path part must not be "." or "..". */
function part(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The plugin-wide parent, relative to a hierarchy's root. */
export function pluginCgroupPath(layout: Pick<CgroupLayout, 'driver' | 'instance'>): string {
  const inst = part(layout.instance);
  return layout.driver === 'systemd' ? `interlink.slice/interlink-${inst}.slice` : `interlink-${inst}`;
}

/** The pod's cgroup, relative to a hierarchy's root. */
export function podCgroupPath(layout: Pick<CgroupLayout, 'driver' | 'instance'>, uid: string): string {
  return join(pluginCgroupPath(layout), podCgroupLeaf(layout, uid));
}

/** The last part of a pod's cgroup path: `pod<uid>`, or `interlink-<instance>-pod<uid>.slice`. */
export function podCgroupLeaf(layout: Pick<CgroupLayout, 'driver' | 'instance'>, uid: string): string {
  return layout.driver === 'systemd'
    ? `interlink-${part(layout.instance)}-pod${part(uid)}.slice`
    : `pod${part(uid)}`;
}

/** What Docker is told: `--cgroup-parent <value>`. */
export function podCgroupParent(layout: Pick<CgroupLayout, 'driver' | 'instance'>, uid: string): string {
  return layout.driver === 'systemd' ? podCgroupLeaf(layout, uid) : `/${podCgroupPath(layout, uid)}`;
}

/** A container's cgroup, relative to its pod's. */
export function containerCgroupLeaf(driver: CgroupDriver, containerId: string): string {
  return driver === 'systemd' ? `docker-${containerId}.scope` : containerId;
}

/**
 * The directory of a relative cgroup path in one controller's hierarchy (v1), or in the one
 * hierarchy (v2, where `controller` is ignored).
 */
export function cgroupDir(layout: CgroupLayout, controller: string, relative: string): string {
  return layout.version === 2 ? join(layout.root, relative) : join(layout.root, controller, relative);
}
