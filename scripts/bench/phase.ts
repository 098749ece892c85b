/**
 * A phase of the benchmark: one thing measured against its CLI / Engine API baseline, in its own
 * module under scripts/bench/phases/, listed once in phases/index.ts. To add one: write a module
 * that exports a `Phase`, add it to the list, done (results, summary, targets and charts follow).
 */
import type { Ctx } from './measure.ts';
import type { BenchOptions } from './options.ts';
import type { BenchResults, StepResult, Target } from './results.ts';

export interface StepInfo {
  pods: number;
  /** Pods the sidecar created in this step (the set grows from step to step). */
  created: number;
  /** The first step (a cold JIT: warm up longer). */
  first: boolean;
}

export interface Phase {
  /** Where its results live: `step.phases[id]` and `results.phases[id]`; also the --phases name. */
  id: string;
  /** Once per step, after the step's pods run; what it returns is kept at `step.phases[id]`. */
  step?(ctx: Ctx, opts: BenchOptions, info: StepInfo): Promise<unknown>;
  /**
   * Once after every step, in list order, while the pods still exist (a delete phase deletes them
   * here, so it comes last); what it returns is kept at `results.phases[id]`.
   */
  end?(ctx: Ctx, opts: BenchOptions, results: BenchResults): Promise<unknown>;
  /** Its section of the summary (a title line and a table), or '' when it has nothing to say. */
  render?(r: BenchResults, opts: BenchOptions): string;
  /** Its targets, each judged PASS or MISS from what was measured. */
  targets?(r: BenchResults, opts: BenchOptions): Target[];
  /** Files to write next to latest.json (an SVG chart: name -> content). */
  files?(r: BenchResults, opts: BenchOptions): Record<string, string>;
}

/** A phase's result at one step, typed by the phase that made it. */
export function stepData<T>(step: StepResult, id: string): T | undefined {
  return step.phases[id] as T | undefined;
}

/** A phase's end-of-run result, typed by the phase that made it. */
export function runData<T>(r: BenchResults, id: string): T | undefined {
  return r.phases[id] as T | undefined;
}
