/**
 * OOMKilled only when the kernel killed the container for memory. Every container here has a 32Mi
 * limit; every way of ending with 137 other than the OOM killer (the container's own `exit 137`,
 * `docker kill`, a liveness probe's kill, a plugin restart in between) reads Error, as the kubelet
 * says; a real OOM kill reads OOMKilled, in `state` and in `lastState`.
 */
import { expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';
import type { ContainerInput, PodOptions } from '../fixtures/pod-builder.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, podContainerIds } from './pod-session.ts';
import { pollStatus } from './poll.ts';

const LIMIT = { limits: { memory: '32Mi' }, requests: { memory: '32Mi' } };
/** dd holds its whole 64 MiB block in memory at once: the OOM killer ends it. */
const HOG = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'];

describeDocker('OOMKilled from the kernel, not from an exit code', () => {
  const plugin = usePlugin();

  const limited = (c: Omit<ContainerInput, 'name'>, opts: PodOptions = {}) =>
    buildPod({
      terminationGracePeriodSeconds: 1,
      restartPolicy: 'Never',
      ...opts,
      containers: [{ name: 'main', resources: LIMIT, ...c }],
    });
  const main = (s: PodStatus) => s.containers[0] as ContainerStatus;
  const terminated = (s: PodStatus) => main(s).state.terminated !== undefined;

  it('reads Error for a container that exits with 137 by itself', async () => {
    const pod = limited({ command: ['sh', '-c', 'exit 137'] });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, terminated);
    expect(main(status).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await deletePod(plugin, pod);
  });

  it('reads Error for a container that `docker kill` ended', async () => {
    const pod = limited({ command: ['sleep', '300'] });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, (s) => main(s).state.running !== undefined);
    const [id] = await podContainerIds(pod, 'main');
    await runDocker(['kill', id as string]);
    const status = await pollStatus(plugin, pod, jid, terminated);
    expect(main(status).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await deletePod(plugin, pod);
  });

  const failingLiveness = {
    command: ['sleep', '300'],
    livenessProbe: { exec: { command: ['test', '-e', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
  };

  it('reads Error for a container its liveness probe killed (restartPolicy Never)', async () => {
    const pod = limited(failingLiveness);
    const jid = await createPod(plugin, pod);
    // sleep ignores SIGTERM as PID 1: the probe's kill ends it with SIGKILL after the grace period.
    const status = await pollStatus(plugin, pod, jid, terminated, 30_000);
    expect(main(status).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await deletePod(plugin, pod);
  });

  it('reads Error in lastState for a run its liveness probe killed (restartPolicy Always)', async () => {
    const pod = limited(failingLiveness, { restartPolicy: 'Always' });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => main(s).restartCount >= 1 && main(s).lastState?.terminated !== undefined,
      30_000,
    );
    expect(main(status).lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await deletePod(plugin, pod);
  });

  it('reads OOMKilled for a real OOM kill, in state (restartPolicy Never)', async () => {
    const pod = limited({ command: HOG });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, terminated);
    expect(main(status).state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await deletePod(plugin, pod);
  });

  it('reads OOMKilled for a real OOM kill, in lastState (restartPolicy Always)', async () => {
    const pod = limited({ command: HOG }, { restartPolicy: 'Always' });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => main(s).restartCount >= 1 && main(s).lastState?.terminated !== undefined,
    );
    expect(main(status).lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await deletePod(plugin, pod);
  });

  it('still tells a 137 exit from a real OOM kill after a plugin restart', async () => {
    const exited = limited({ command: ['sh', '-c', 'exit 137'] });
    const oom = limited({ command: HOG });
    const jids = [await createPod(() => plugin, exited), await createPod(() => plugin, oom)];
    await pollStatus(plugin, exited, jids[0] as string, terminated);
    await pollStatus(plugin, oom, jids[1] as string, terminated);
    await plugin.stop();
    await plugin.startAgain();
    const after = await pollStatus(plugin, exited, jids[0] as string, terminated);
    expect(main(after).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    const afterOom = await pollStatus(plugin, oom, jids[1] as string, terminated);
    expect(main(afterOom).state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await deletePod(plugin, exited);
    await deletePod(plugin, oom);
  });

  it('tells them apart in lastState after a plugin restart, for runs the engine restarted before it', async () => {
    // The first run ends with 137, by itself or by the OOM killer; the engine starts it again, and that run lasts.
    const once = (end: string) =>
      limited(
        {
          command: ['sh', '-c', `if [ -e /work/ran ]; then exec sleep 300; fi; touch /work/ran; ${end}`],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
        { restartPolicy: 'Always', volumes: [{ name: 'work', emptyDir: {} }] },
      );
    const exited = once('exit 137');
    const oom = once(HOG.join(' '));
    const jids = [await createPod(() => plugin, exited), await createPod(() => plugin, oom)];
    const restarted = (s: PodStatus) => main(s).restartCount === 1 && main(s).state.running !== undefined;
    await pollStatus(plugin, exited, jids[0] as string, restarted);
    await pollStatus(plugin, oom, jids[1] as string, restarted);
    await plugin.stop();
    await plugin.startAgain();
    const after = await pollStatus(plugin, exited, jids[0] as string, () => true);
    expect(main(after).lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    const afterOom = await pollStatus(plugin, oom, jids[1] as string, () => true);
    expect(main(afterOom).lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await deletePod(plugin, exited);
    await deletePod(plugin, oom);
  });
});
