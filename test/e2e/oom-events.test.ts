/**
 * A container chooses how often the kernel OOM-kills a process of its own: a shell that starts,
 * again and again, a child asking for more than the container's memory limit stays up while Docker
 * reports an `oom` event per kill. Such a kill changes nothing a read of the container would show
 * until the container itself exits (its `die` event is read), so the plugin reads nothing on it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, podContainerIds, sh } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

const KILLS = 30;

async function inspectsSoFar(plugin: RunningPlugin): Promise<number> {
  const text = (await plugin.request('GET', '/metrics')).text;
  let n = 0;
  for (const m of text.matchAll(
    /^interlink_docker_plugin_docker_command_duration_seconds_count\{([^}]*)\} (\d+)/gm,
  ))
    if ((m[1] as string).includes('inspect')) n += Number(m[2]);
  return n;
}

describeDocker('a container whose processes are OOM-killed without end', () => {
  const plugin = usePlugin();

  it(`makes the plugin read nothing on ${KILLS} OOM kills its main process survives`, async () => {
    // The child volunteers as the OOM killer's victim (raising oom_score_adj needs no privilege).
    const child = 'echo 1000 > /proc/self/oom_score_adj; a=$(head -c 64000000 /dev/zero | tr "\\0" a)';
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        sh('app', `while true; do sh -c '${child}'; done`, {
          resources: { limits: { memory: '32Mi' }, requests: { memory: '32Mi' } },
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    const [id] = await podContainerIds(pod, 'main');
    const events = spawn('docker', [
      'events',
      '--filter',
      `container=${id}`,
      '--filter',
      'event=oom',
      '--format',
      '{{.Action}}',
    ]);
    try {
      const before = await inspectsSoFar(plugin);
      const t0 = Date.now();
      let kills = 0;
      for await (const _ of createInterface({ input: events.stdout })) if (++kills >= KILLS) break;
      const reads = (await inspectsSoFar(plugin)) - before;
      expect(reads, `${reads} docker inspect for ${KILLS} OOM kills in ${Date.now() - t0} ms`).toBeLessThan(
        3,
      );
      const [status] = (await plugin.request('GET', '/status', [pod])).json();
      expect(status.containers[0].state.running).toBeDefined();
    } finally {
      events.kill();
    }
  }, 120_000);
});
