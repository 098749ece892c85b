/** The shape of bench-results/latest.json: every number the run measured, plus where. */
import type { LeakReport } from './leak-check.ts';
import type { LoadResult } from './load.ts';
import type { MachineInfo } from './machine.ts';
import type { SidecarLoad } from './measure.ts';
import type { DockerChild, Memory } from './proc.ts';

export interface StepResult {
  pods: number;
  /** Pods created by the sidecar in this step (the set grows from step to step). */
  created: number;
  create?: SidecarLoad;
  toRunning: { ms: number; running: number; total: number };
  /** `docker run -d` of the same image and command, one container per call. */
  rawRun?: LoadResult;
  rawRm?: LoadResult;
  /** Sandbox + container by hand, two `docker run -d` per pod: the same pod shape as the plugin's. */
  rawPodRun?: LoadResult;
  rawPodRm?: LoadResult;
  memoryAfterCreate?: Memory;
  memoryAfterMeasure?: Memory;
  /** The sidecar's docker processes while idle: only `events` should be there. */
  dockerChildrenIdle: DockerChild[];
  status: SidecarLoad[];
  inspect: LoadResult[];
  getLogs: SidecarLoad[];
  dockerLogs: LoadResult[];
}

export interface BenchResults {
  machine: MachineInfo;
  options: Record<string, unknown>;
  instance: string;
  sidecar: {
    startupMs: number;
    pid: number;
    logLines: Record<string, number>;
    /** Distinct warn/error messages in the sidecar's log, most frequent first. */
    logProblems: { level: string; msg: string; count: number }[];
  };
  steps: StepResult[];
  delete?: { sidecar: SidecarLoad; leftoverContainers: number };
  leak?: LeakReport;
  final?: { memory?: Memory; dockerChildren: DockerChild[] };
  targets: Target[];
  durationSeconds: number;
  error?: string;
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface Target {
  id: string;
  what: string;
  target: string;
  measured: string;
  verdict: Verdict;
}
