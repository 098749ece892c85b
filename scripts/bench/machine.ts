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
  gitCommit?: string;
  gitDirty?: boolean;
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
