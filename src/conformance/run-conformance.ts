/**
 * The kit as a function: pick the scenarios, drive the plugin at `target` through each, return every
 * result. `scripts/conformance.ts` is only a command line around this; tests call it directly.
 */
import { createPluginClient, type PluginTarget } from '../client/plugin-client.ts';
import type { Taint } from '../pod/taints.ts';
import { PluginWire } from './plugin-wire.ts';
import { ResponseValidator } from './response-validator.ts';
import { runScenarios, type ScenarioResult } from './runner.ts';
import type { Scenario } from './scenario.ts';
import { ScenarioContext } from './scenario-context.ts';
import { ALL_SCENARIOS } from './scenarios/index.ts';

export interface ConformanceOptions {
  target: PluginTarget;
  /** Scenario ids to run (default: all). */
  only?: readonly string[];
  /** Scenario ids to leave out, each with why (reported as not run). */
  skip?: readonly string[] | Readonly<Record<string, string>>;
  /** Per scenario (default 60). */
  timeoutSeconds?: number;
  /** Scenarios at once (default 1); the ping always runs first, alone. */
  parallel?: number;
  /** Between two GET /status of a pod (default 1, as the VK). */
  pollIntervalSeconds?: number;
  /** Image rewrites, `from` → `to`, on the exact reference (default image: busybox:1.36). */
  imageMap?: Readonly<Record<string, string>>;
  /** Namespace of the kit's pods (default "conformance"). */
  namespace?: string;
  /** Extra headers on every request, e.g. Authorization for a plugin that requires a token. */
  headers?: Readonly<Record<string, string>>;
  /** The taints the plugin is configured to send in the ping; without, its ping must carry none. */
  taints?: readonly Taint[];
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
  /** The scenarios to choose from (default: the kit's own). */
  scenarios?: readonly Scenario[];
}

export interface ConformanceReport {
  target: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** True only when at least one scenario ran and every one that ran passed. */
  passed: boolean;
  results: ScenarioResult[];
  /** Scenarios left out by --only/--skip, with why: listed, never dropped silently. */
  notSelected: Array<{ id: string; why: string }>;
}

export class SelectionError extends Error {
  override name = 'SelectionError';
}

/** The scenarios `only`/`skip` select, and the ones they leave out with why. Unknown ids are an error. */
export function selectScenarios(
  all: readonly Scenario[],
  only: readonly string[] | undefined,
  skip: ConformanceOptions['skip'],
): { selected: Scenario[]; notSelected: Array<{ id: string; why: string }> } {
  const skips: Record<string, string> = Array.isArray(skip)
    ? Object.fromEntries((skip as string[]).map((id) => [id, 'left out by --skip']))
    : { ...((skip as Record<string, string> | undefined) ?? {}) };
  const known = new Set(all.map((s) => s.id));
  const unknown = [...(only ?? []), ...Object.keys(skips)].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new SelectionError(`unknown scenario id(s): ${unknown.join(', ')} (see --list)`);
  }
  const selected: Scenario[] = [];
  const notSelected: Array<{ id: string; why: string }> = [];
  for (const s of all) {
    if (only && only.length > 0 && !only.includes(s.id)) notSelected.push({ id: s.id, why: 'not in --only' });
    else if (skips[s.id] !== undefined) notSelected.push({ id: s.id, why: skips[s.id] as string });
    else selected.push(s);
  }
  if (selected.length === 0) throw new SelectionError('no scenario selected');
  return { selected, notSelected };
}

function describeTarget(target: PluginTarget): string {
  return 'baseUrl' in target ? target.baseUrl : `unix://${target.socketPath}`;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const { selected, notSelected } = selectScenarios(
    options.scenarios ?? ALL_SCENARIOS,
    options.only,
    options.skip,
  );
  const imageMap = options.imageMap ?? {};
  const client = createPluginClient(
    options.target,
    options.headers ? { headers: { ...options.headers } } : {},
  );
  const wire = new PluginWire(client, new ResponseValidator());
  const settings = {
    image: (ref: string) => imageMap[ref] ?? ref,
    namespace: options.namespace ?? 'conformance',
    pollIntervalMs: (options.pollIntervalSeconds ?? 1) * 1000,
    ...(options.taints ? { taints: options.taints } : {}),
  };
  const startedAt = new Date();
  try {
    const results = await runScenarios(selected, (signal) => new ScenarioContext(wire, settings, signal), {
      parallel: options.parallel ?? 1,
      timeoutMs: (options.timeoutSeconds ?? 60) * 1000,
      ...(options.onResult ? { onResult: options.onResult } : {}),
    });
    const finishedAt = new Date();
    return {
      target: describeTarget(options.target),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
      passed: results.length > 0 && results.every((r) => r.outcome === 'passed'),
      results,
      notSelected,
    };
  } finally {
    await client.close();
  }
}
