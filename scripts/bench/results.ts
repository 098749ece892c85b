/** The shape of bench-results/latest.json: every number the run measured, plus where. */
import type { LeakReport } from './leak-check.ts';
import type { MachineInfo } from './machine.ts';
import type { SidecarLoad } from './measure.ts';
import type { DockerChild, Memory } from './proc.ts';

export interface StepResult {
  pods: number;
  /** Pods created by the sidecar in this step (the set grows from step to step). */
  created: number;
  create?: SidecarLoad;
  toRunning: { ms: number; running: number; total: number };
  /** The sidecar's node process. */
  memoryAfterCreate?: Memory;
  memoryAfterMeasure?: Memory;
  /** The whole process tree the sidecar was started as (npm, sh, node, docker children). */
  treeAfterMeasure?: Memory;
  /** The sidecar's docker processes while idle: only `events` should be there. */
  dockerChildrenIdle: DockerChild[];
  /** What each phase measured at this step, by phase id (see scripts/bench/phases/). */
  phases: Record<string, unknown>;
}

export interface BenchResults {
  machine: MachineInfo;
  options: Record<string, unknown>;
  instance: string;
  sidecar: {
    startupMs: number;
    pid: number;
    /** `npm start` or `node dist/src/main.mjs`. */
    startedAs: string;
    memoryAtStart?: Memory;
    treeAtStart?: Memory;
    logLines: Record<string, number>;
    /** Distinct warn/error messages in the sidecar's log, most frequent first. */
    logProblems: { level: string; msg: string; count: number }[];
  };
  steps: StepResult[];
  /**
   * When each phase ran, in CLOCK_MONOTONIC microseconds (the clock of a V8 .cpuprofile), so a
   * profile of the sidecar can be cut to one phase (scripts/bench/profile-summary.ts).
   */
  phaseWindows: { phase: string; pods: number; fromUs: number; toUs: number }[];
  /** What each phase measured once after every step, by phase id. */
  phases: Record<string, unknown>;
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
