/** Where the numbers were measured: they mean little without the machine and versions. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { docker } from './docker.ts';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryMb: number;
  kernel: string;
  node: string;
  dockerEngine: string;
  dockerClient: string;
  /** Load average when the run began: other work on the host skews every number. */
  loadAverageAtStart: number[];
  /**
   * Of the machine's CPU time during the run, the share the hypervisor gave to other guests
   * (/proc/stat steal): on a shared VM it slows both sides of a comparison by different amounts.
   */
  stealPercent?: number;
  gitCommit?: string;
  gitDirty?: boolean;
}

/** The machine's CPU ticks so far: stolen by the hypervisor, and all of them. */
export function cpuTicks(): { steal: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice: guest time is in user already.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { steal: fields[7] ?? 0, total };
}

/** The share of CPU ticks stolen since `from` (cpuTicks()), in percent. */
export function stealPercentSince(from: { steal: number; total: number }): number {
  const now = cpuTicks();
  const total = now.total - from.total;
  return total > 0 ? Math.round(((now.steal - from.steal) / total) * 1000) / 10 : 0;
}

export async function machineInfo(repoDir: string): Promise<MachineInfo> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const versions = await docker(['version', '--format', '{{.Server.Version}} {{.Client.Version}}']).catch(
    () => 'unknown unknown',
  );
  const [dockerEngine = 'unknown', dockerClient = 'unknown'] = versions.trim().split(' ');
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, {
        cwd: repoDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return undefined;
    }
  };
  const commit = git(['rev-parse', 'HEAD'])?.trim();
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    cpuModel,
    cores: cpus().length,
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    kernel: release(),
    node: process.version,
    dockerEngine,
    dockerClient,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    ...(commit ? { gitCommit: commit, gitDirty: (status ?? '').trim() !== '' } : {}),
  };
}
