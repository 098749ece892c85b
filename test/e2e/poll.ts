/** Polls /status the way the Virtual Kubelet does until the answer satisfies `done`. */
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { statusRequest } from '../fixtures/pod-builder.ts';
import { runDocker } from '../helpers/docker.ts';
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
  // What the engine says and the plugin's last lines tell a stale view from a slow engine.
  const engine = await runDocker([
    'ps',
    '-a',
    '--filter',
    `label=io.interlink.pod.uid=${pod.metadata.uid}`,
    '--format',
    '{{.ID}} {{.Status}}',
  ]).then(
    (r) => r.stdout.trim(),
    (err: Error) => err.message,
  );
  const log = plugin.logs().split('\n').slice(-15).join('\n');
  throw new Error(
    `status did not reach the expected state in ${timeoutMs} ms; last answer: ${String(last)}\n` +
      `the engine's containers of the pod:\n${engine}\nthe plugin's last log lines:\n${log}`,
  );
}

export const allTerminated = (s: PodStatus) =>
  [...s.initContainers, ...s.containers].every((c) => c.state.terminated !== undefined);

export const allRunning = (s: PodStatus) => s.containers.every((c) => c.state.running !== undefined);
