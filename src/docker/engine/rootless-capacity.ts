/**
 * What a rootless engine's user may really use, for the node's size (the ping, the downward API).
 * `docker info` gives the host's totals. On cgroup v2 systemd delegates the user's service
 * (`user@UID.service`) to the user, and its containers live under it: the `memory.max` and
 * `cpu.max` set there, or on the slices above it (`user-UID.slice`, `user.slice`), bound them all.
 * On cgroup v1 nothing is delegated to a user (and its pods' limits are refused, ../engine-limits.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineInfo } from './docker-verbs.ts';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The lowest caps above a user's containers; a field is absent where nothing caps it. */
export interface UserCaps {
  memoryBytes?: number;
  cpus?: number;
}

/** The CPUs and memory the node offers at most. */
export interface NodeSize {
  cpu: number;
  memory: number;
}

/** The user's service and the slices above it, innermost first (systemd's layout). */
function userCgroups(uid: number): string[] {
  const slice = `user.slice/user-${uid}.slice`;
  return [`${slice}/user@${uid}.service`, slice, 'user.slice'];
}

/** `memory.max`: bytes, or "max" (no cap). Pure. */
export function parseMemoryMax(text: string): number | undefined {
  const v = text.trim();
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** `cpu.max`: "QUOTA PERIOD" in µs, or "max PERIOD" (no cap), as CPUs. Pure. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || !period || !/^\d+$/.test(quota) || !/^\d+$/.test(period) || Number(period) === 0)
    return undefined;
  return Number(quota) / Number(period);
}

const lower = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** Reads the caps above the user's containers from a cgroup v2 tree; missing files cap nothing. */
export async function userCaps(uid: number, root = CGROUP_ROOT): Promise<UserCaps> {
  const read = (dir: string, file: string) => readFile(join(root, dir, file), 'utf8').catch(() => '');
  let caps: UserCaps = {};
  for (const dir of userCgroups(uid)) {
    const memoryBytes = lower(caps.memoryBytes, parseMemoryMax(await read(dir, 'memory.max')));
    const cpus = lower(caps.cpus, parseCpuMax(await read(dir, 'cpu.max')));
    caps = {
      ...(memoryBytes !== undefined ? { memoryBytes } : {}),
      ...(cpus !== undefined ? { cpus } : {}),
    };
  }
  return caps;
}

/** The host's totals, lowered to the user's caps where they are lower. Pure. */
export function cappedSize(info: Pick<EngineInfo, 'NCPU' | 'MemTotal'>, caps: UserCaps): NodeSize {
  return {
    cpu: lower(info.NCPU, caps.cpus) ?? info.NCPU,
    memory: lower(info.MemTotal, caps.memoryBytes) ?? info.MemTotal,
  };
}
