/**
 * Runs scenarios: the `first` ones alone, then the rest N at a time, each under its own timeout. A
 * scenario that times out fails with where it was and what it last saw; whatever it created is deleted
 * afterwards, and a failed cleanup is added to the reason. Nothing is skipped here.
 */
import { ConformanceFailure } from './checks.ts';
import type { Scenario } from './scenario.ts';
import type { ScenarioContext } from './scenario-context.ts';

export interface ScenarioResult {
  id: string;
  group: string;
  checks: string;
  outcome: 'passed' | 'failed';
  seconds: number;
  /** Why it failed: what was expected and what came back. */
  reason?: string;
  /** What else was seen, e.g. which after-delete answer the plugin gave. */
  notes: string[];
}

export interface RunnerOptions {
  parallel: number;
  timeoutMs: number;
  /** Called as each scenario finishes, in finishing order. */
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
}

class ScenarioTimeout extends Error {
  override name = 'ScenarioTimeout';
}

function reasonOf(error: unknown, ctx: ScenarioContext, timeoutMs: number): string {
  if (error instanceof ScenarioTimeout) {
    const seen = ctx.lastSeen ? `; last seen: ${ctx.lastSeen}` : '';
    return `timed out after ${timeoutMs / 1000} s while ${ctx.step}${seen}`;
  }
  if (error instanceof ConformanceFailure) return error.message;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `unexpected error while ${ctx.step}: ${message}`;
}

async function runOne(
  scenario: Scenario,
  newContext: (signal: AbortSignal) => ScenarioContext,
  timeoutMs: number,
): Promise<ScenarioResult> {
  const controller = new AbortController();
  const ctx = newContext(controller.signal);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ScenarioTimeout(`timed out after ${timeoutMs / 1000} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let reason: string | undefined;
  try {
    await Promise.race([scenario.run(ctx), timedOut]);
  } catch (error) {
    reason = reasonOf(error, ctx, timeoutMs);
  } finally {
    clearTimeout(timer);
    // Ends whatever the scenario still has going (polls, streams) after a failure.
    if (!controller.signal.aborted) controller.abort(new Error('scenario finished'));
  }
  const cleanup = await ctx.cleanup();
  if (cleanup) reason = reason ? `${reason}; ${cleanup}` : cleanup;
  return {
    id: scenario.id,
    group: scenario.group,
    checks: scenario.checks,
    outcome: reason === undefined ? 'passed' : 'failed',
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...(reason !== undefined ? { reason } : {}),
    notes: ctx.notes,
  };
}

/** Results in the order of `scenarios`, whatever order they finished in. */
export async function runScenarios(
  scenarios: readonly Scenario[],
  newContext: (signal: AbortSignal) => ScenarioContext,
  options: RunnerOptions,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(scenarios.length);
  const total = scenarios.length;
  let done = 0;
  const runAt = async (i: number) => {
    const result = await runOne(scenarios[i] as Scenario, newContext, options.timeoutMs);
    results[i] = result;
    options.onResult?.(result, ++done, total);
  };
  const indexes = scenarios.map((_, i) => i);
  const first = indexes.filter((i) => scenarios[i]?.first);
  const rest = indexes.filter((i) => !scenarios[i]?.first);
  for (const i of first) await runAt(i);
  let next = 0;
  const worker = async () => {
    while (next < rest.length) await runAt(rest[next++] as number);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, rest.length)) }, worker));
  return results;
}
