/**
 * What a running scenario works with: the wire to the plugin, the kit's settings, its abort signal
 * (the per-scenario timeout), where it is (for timeout reasons), and the pods it made (for cleanup).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { show } from './checks.ts';
import type { PluginWire } from './plugin-wire.ts';
import type { KitSettings, PodScenario, ScenarioPodInput } from './pod-scenario.ts';
import { PodUnderTest } from './pod-under-test.ts';

/** How long cleanup may take for one pod after a failed or timed-out scenario. */
const CLEANUP_TIMEOUT_MS = 20_000;

export class ScenarioContext implements PodScenario {
  /** What the scenario is doing now; a timeout reason names it. */
  step = 'starting';
  /** The last thing seen of the plugin (e.g. the last status), for timeout reasons. */
  lastSeen = '';
  readonly notes: string[] = [];
  private readonly pods: PodUnderTest[] = [];

  constructor(
    readonly wire: PluginWire,
    readonly settings: KitSettings,
    readonly signal: AbortSignal,
  ) {}

  setStep(step: string): void {
    this.signal.throwIfAborted();
    this.step = step;
  }

  observe(seen: string): void {
    this.lastSeen = seen;
  }

  /** Something worth reporting that is not a failure, e.g. which after-delete answer the plugin gave. */
  note(text: string): void {
    this.notes.push(text);
  }

  /** A new pod for this scenario, in interLink's shapes; nothing is sent yet. */
  pod(input: ScenarioPodInput): PodUnderTest {
    const pod = new PodUnderTest(this, input);
    this.pods.push(pod);
    return pod;
  }

  /** The kit's most common pod: one container `main` that runs a shell script. */
  shellPod(
    name: string,
    script: string,
    extra: Omit<ScenarioPodInput, 'name' | 'containers'> = {},
  ): PodUnderTest {
    return this.pod({ name, containers: [{ name: 'main', command: ['sh', '-c', script] }], ...extra });
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.signal });
  }

  /**
   * Deletes every pod this scenario may have created and not deleted (after a failure or a timeout),
   * so a failing plugin is not left running the kit's pods. Returns what went wrong, if anything.
   */
  async cleanup(): Promise<string | undefined> {
    const problems: string[] = [];
    for (const pod of this.pods) {
      if (!pod.createAttempted || pod.deleted) continue;
      const body = JSON.stringify(pod.deleteBody());
      const timeout = new Promise<string>((resolve) =>
        setTimeout(resolve, CLEANUP_TIMEOUT_MS, `no answer within ${CLEANUP_TIMEOUT_MS / 1000} s`).unref(),
      );
      const answer = await Promise.race([
        this.wire.client.raw('POST', '/delete', body).then(
          (a) => (a.status === 200 ? undefined : `answered ${a.status}: ${show(a.text)}`),
          (e: unknown) => `got no answer: ${e instanceof Error ? e.message : String(e)}`,
        ),
        timeout,
      ]);
      if (answer) problems.push(`cleanup POST /delete of pod ${pod.name} ${answer}`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  }
}
