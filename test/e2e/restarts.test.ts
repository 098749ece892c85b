/** restartPolicy as a Kubernetes user sees it: restart counts, last states, and containers that cannot run. */
import { expect, it } from 'vitest';
import type { ContainerStatus } from '../../src/contract/api-types.ts';
import { buildPod, type ContainerInput } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf } from './pod-session.ts';
import { pollStatus } from './poll.ts';

type Policy = 'Always' | 'OnFailure' | 'Never';

describeDocker('restartPolicy', () => {
  const plugin = usePlugin();

  const first = (s: { containers: ContainerStatus[] }) => s.containers[0] as ContainerStatus;

  it('restarts a failing container under OnFailure until it succeeds, then reports it Completed', async () => {
    const pod = buildPod({
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'work', emptyDir: {} }],
      containers: [
        {
          name: 'flaky',
          command: [
            'sh',
            '-c',
            'echo x >> /work/attempts; n=$(wc -l < /work/attempts); echo "attempt $n"; [ "$n" -ge 3 ]',
          ],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, (s) => first(s).state.terminated?.exitCode === 0);
    expect(first(status)).toMatchObject({
      restartCount: 2,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(await logsOf(plugin, pod, 'flaky')).toContain('attempt 3\n');
    await deletePod(plugin, pod, jid);
  });

  it.each<[string, number, string]>([
    ['a container that fails', 1, 'Error'],
    ['a container that succeeds', 0, 'Completed'],
  ])('keeps restarting %s under Always, with the previous run in lastState', async (_label, code, reason) => {
    const pod = buildPod({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'looper', command: ['sh', '-c', `echo run; sleep 1; exit ${code}`] }],
    });
    const jid = await createPod(plugin, pod);
    const twice = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => first(s).restartCount >= 2 && first(s).lastState?.terminated !== undefined,
    );
    expect(first(twice).lastState?.terminated).toMatchObject({ exitCode: code, reason });
    expect(first(twice).lastState?.terminated?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const later = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => first(s).restartCount > first(twice).restartCount,
    );
    expect(first(later).restartCount).toBeGreaterThan(first(twice).restartCount);
    await deletePod(plugin, pod, jid);
  });

  it('still shows the exit before an engine restart as lastState once the plugin restarted', async () => {
    // The first run exits 3; the engine starts it again, and that run lasts.
    const pod = buildPod({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'work', emptyDir: {} }],
      containers: [
        {
          name: 'once-failed',
          command: ['sh', '-c', 'if [ -e /work/ran ]; then exec sleep 300; fi; touch /work/ran; exit 3'],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(
      plugin,
      pod,
      jid,
      (s) => first(s).restartCount === 1 && first(s).state.running !== undefined,
    );
    await plugin.stop();
    await plugin.startAgain();
    // The engine cleared the exit code when it restarted the container; the plugin's first answer has it.
    const after = await pollStatus(plugin, pod, jid, () => true);
    expect(first(after)).toMatchObject({
      restartCount: 1,
      state: { running: {} },
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
    });
    expect(first(after).lastState?.terminated?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await deletePod(plugin, pod, jid);
  });

  it.each<[string, Policy, number, string]>([
    ['a failed container under Never', 'Never', 2, 'Error'],
    ['a succeeded container under Never', 'Never', 0, 'Completed'],
    ['a succeeded container under OnFailure', 'OnFailure', 0, 'Completed'],
  ])('leaves %s terminated, never restarted', async (_label, restartPolicy, code, reason) => {
    const pod = buildPod({
      restartPolicy,
      containers: [{ name: 'once', command: ['sh', '-c', `echo ran; exit ${code}`] }],
    });
    const jid = await createPod(plugin, pod);
    const done = await pollStatus(plugin, pod, jid, (s) => first(s).state.terminated !== undefined);
    expect(first(done).state.terminated).toMatchObject({ exitCode: code, reason });
    await new Promise((r) => setTimeout(r, 1500));
    const later = await pollStatus(plugin, pod, jid, () => true);
    expect(first(later)).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: code, reason } },
    });
    expect(await logsOf(plugin, pod, 'once')).toBe('ran\n');
    await deletePod(plugin, pod, jid);
  });

  it.each<[string, ContainerInput[]]>([
    ['in a one-container pod', []],
    ['after an init container', [{ name: 'prep', command: ['true'] }]],
  ])(
    'reports a command that does not exist as ContainerCannotRun with Docker’s message, %s',
    async (_label, initContainers) => {
      const pod = buildPod({
        restartPolicy: 'Never',
        initContainers,
        containers: [{ name: 'broken', command: ['/no/such/binary', '--flag'] }],
      });
      const jid = await createPod(plugin, pod);
      const status = await pollStatus(plugin, pod, jid, (s) => first(s).state.terminated !== undefined);
      const terminated = first(status).state.terminated;
      expect(terminated?.reason).toBe('ContainerCannotRun');
      expect(terminated?.exitCode).not.toBe(0);
      expect(terminated?.message).toMatch(/\/no\/such\/binary.*no such file or directory/);
      expect(first(status).started).toBe(false);
      await deletePod(plugin, pod, jid);
    },
  );
});
