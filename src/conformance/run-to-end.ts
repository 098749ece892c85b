/**
 * The common scenario shape: create a pod, poll until the VK phase is terminal, check phase, exit
 * codes and reasons, check each container's logs byte for byte, then delete, check it is gone and
 * delete again.
 */

import type { ScenarioPodInput } from './pod-scenario.ts';
import type { PodUnderTest, PodWant } from './pod-under-test.ts';
import type { ScenarioContext } from './scenario-context.ts';

export interface EndWant extends PodWant {
  /** Exact log text per container name (init containers included). */
  logs?: Record<string, string>;
  /** Further checks on the terminal pod, before it is deleted. */
  also?: (pod: PodUnderTest) => Promise<void> | void;
}

export async function runToEnd(
  ctx: ScenarioContext,
  input: ScenarioPodInput,
  want: EndWant,
): Promise<PodUnderTest> {
  const pod = ctx.pod(input);
  await pod.create();
  await pod.waitFor();
  pod.expect(want);
  for (const [container, text] of Object.entries(want.logs ?? {})) await pod.expectLogs(container, text);
  await want.also?.(pod);
  await pod.teardown();
  return pod;
}

/** `sh -c SCRIPT` as a container command. */
export function sh(script: string): string[] {
  return ['sh', '-c', script];
}
