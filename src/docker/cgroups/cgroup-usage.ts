/**
 * What a cgroup has used, read from its files as cAdvisor does: CPU seconds, the memory working
 * set (usage less inactive file pages: what the kubelet evicts on and `kubectl top` shows) and RSS.
 * Three small file reads per cgroup, no `docker stats`. Read synchronously into one buffer: a
 * promise read costs ten times the CPU of the read itself (measured: docs/status-truth.md); the
 * caller yields between cgroups.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type CgroupLayout, cgroupDir } from './cgroup-layout.ts';

export interface CgroupUsage {
  cpuSeconds: number;
  workingSetBytes: number;
  rssBytes: number;
}

/** The usage of one cgroup (path relative to a hierarchy's root); undefined once it is gone. */
export function readCgroupUsage(layout: CgroupLayout, relative: string): CgroupUsage | undefined {
  const file = (controller: string, name: string) =>
    readSmall(`${cgroupDir(layout, controller, relative)}/${name}`);
  try {
    if (layout.version === 2) {
      const [cpu, current, stat] = [
        file('', 'cpu.stat'),
        file('', 'memory.current'),
        file('', 'memory.stat'),
      ];
      const m = statFields(stat);
      return {
        cpuSeconds: (statFields(cpu).get('usage_usec') ?? 0) / 1e6,
        workingSetBytes: workingSet(Number(current), m.get('inactive_file')),
        rssBytes: m.get('anon') ?? 0,
      };
    }
    const [cpu, usage, stat] = [
      file('cpuacct', 'cpuacct.usage'),
      file('memory', 'memory.usage_in_bytes'),
      file('memory', 'memory.stat'),
    ];
    const m = statFields(stat);
    return {
      cpuSeconds: Number(cpu) / 1e9,
      workingSetBytes: workingSet(Number(usage), m.get('total_inactive_file')),
      rssBytes: m.get('total_rss') ?? 0,
    };
  } catch {
    return undefined;
  }
}

const buffer = Buffer.alloc(16 * 1024);

/** A cgroup file (all of them are well under 16 KiB). */
function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

function workingSet(usage: number, inactiveFile: number | undefined): number {
  return Math.max(0, usage - (inactiveFile ?? 0));
}

/** `key value` lines (memory.stat, cpu.stat). */
export function statFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) fields.set(k, Number(v));
  }
  return fields;
}
