/** Polls /status the way the Virtual Kubelet does until the answer satisfies `done`. */
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { statusRequest } from '../fixtures/pod-builder.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';

export async function pollStatus(
  plugin: RunningPlugin,
  pod: Pod,
  jid: string,
  done: (s: PodStatus) => boolean,
  timeoutMs = 30_000,
): Promise<PodStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await plugin.request('GET', '/status', statusRequest(pod, jid));
    last = res.text;
    if (res.status === 200) {
      const [status] = res.json() as PodStatus[];
      if (status && done(status)) return status;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status did not reach the expected state in ${timeoutMs} ms; last answer: ${String(last)}`);
}

export const allTerminated = (s: PodStatus) =>
  [...s.initContainers, ...s.containers].every((c) => c.state.terminated !== undefined);

export const allRunning = (s: PodStatus) => s.containers.every((c) => c.state.running !== undefined);
