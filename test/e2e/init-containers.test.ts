/** Init containers as Kubernetes runs them: one at a time, in order, each to exit 0, before any container. */
import { expect, it } from 'vitest';
import type { PodStatus, Volume, VolumeMount } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, podContainerIds, runToEnd } from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

const workVolume: Volume[] = [{ name: 'work', emptyDir: {} }];
const workMount: VolumeMount[] = [{ name: 'work', mountPath: '/work' }];

/** A container that runs `script` with sh and the shared /work emptyDir mounted. */
const step = (name: string, script: string) => ({
  name,
  command: ['sh', '-c'],
  args: [script],
  volumeMounts: workMount,
});

const DOCKER_ZERO_TIME = '0001-01-01T00:00:00Z';

/** An init container that runs until the test opens its gate: its running phase lasts as long as a test needs. */
const gated = (name: string) => ({
  name,
  command: ['sh', '-c', 'while [ ! -e /tmp/gate ]; do sleep 1; done'],
});

/** Lets the gated init container `name` of `pod` end. */
async function openGate(pod: { metadata: { uid: string } }, name: string): Promise<void> {
  const [id] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.containerName}=${name}`]);
  await runDocker(['exec', id as string, 'touch', '/tmp/gate']);
}

describeDocker('init containers', () => {
  const plugin = usePlugin();

  it('runs init containers one at a time, in order, each to the end, before any container starts', async () => {
    const pod = buildPod({
      volumes: workVolume,
      initContainers: [
        step('init1', 'echo init1 start >> /work/log; sleep 1; echo init1 end >> /work/log'),
        step('init2', 'echo init2 start >> /work/log; sleep 1; echo init2 end >> /work/log'),
      ],
      containers: [step('main', 'echo main start >> /work/log; cat /work/log')],
    });
    const { status, logs } = await runToEnd(plugin, pod);
    expect(logs.main).toBe('init1 start\ninit1 end\ninit2 start\ninit2 end\nmain start\n');

    expect(status.initContainers.map((c) => c.name)).toEqual(['init1', 'init2']);
    for (const c of status.initContainers) {
      expect(c.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    }
    const [init1, init2] = status.initContainers.map((c) => c.state.terminated);
    const main = status.containers[0]?.state.terminated;
    expect(main).toMatchObject({ exitCode: 0, reason: 'Completed' });
    // RFC 3339 to the second compares as text.
    expect((init2?.startedAt ?? '') >= (init1?.finishedAt ?? 'z')).toBe(true);
    expect((main?.startedAt ?? '') >= (init2?.finishedAt ?? 'z')).toBe(true);
    await deletePod(plugin, pod);
  });

  it('answers /create before the init phase is over, and reports the pod initializing meanwhile', async () => {
    const pod = buildPod({
      initContainers: [gated('slow-init')],
      containers: [{ name: 'main', command: ['echo', 'main ran'] }],
      terminationGracePeriodSeconds: 0,
    });
    // The init container cannot end before the gate opens below: /create answering at all proves
    // it did not wait for the init phase.
    const jid = await createPod(plugin, pod);

    const running = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.initContainers[0]?.state.running !== undefined,
    );
    expect(running.initContainers[0]?.name).toBe('slow-init');
    expect(running.containers[0]?.state.waiting?.reason).toBe('PodInitializing');
    await openGate(pod, 'slow-init');

    const done = await pollStatus(plugin, pod, jid, allTerminated);
    expect(done.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await logsOf(plugin, pod, 'main')).toBe('main ran\n');
    await deletePod(plugin, pod, jid);
  });

  it('reports an init container not ready while it runs, and ready once it completed', async () => {
    // The kubelet's rule for init containers: ready = terminated with exit code 0.
    const pod = buildPod({
      initContainers: [gated('prep')],
      containers: [{ name: 'main', command: ['true'] }],
      terminationGracePeriodSeconds: 0,
    });
    const jid = await createPod(plugin, pod);
    const running = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.initContainers[0]?.state.running !== undefined,
    );
    expect(running.initContainers[0]?.ready).toBe(false);
    await openGate(pod, 'prep');
    const done = await pollStatus(plugin, pod, jid, allTerminated);
    expect(done.initContainers[0]).toMatchObject({ ready: true, state: { terminated: { exitCode: 0 } } });
    await deletePod(plugin, pod, jid);
  });

  it('fails the pod when an init container exits non-zero: no later container ever runs', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      initContainers: [
        { name: 'init-fails', command: ['sh', '-c', 'echo failing; exit 4'] },
        { name: 'init-after', command: ['echo', 'second init ran'] },
      ],
      containers: [
        { name: 'app', command: ['echo', 'app ran'] },
        { name: 'sidecar', command: ['echo', 'sidecar ran'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    const failed = (s: PodStatus) =>
      s.initContainers[0]?.state.terminated !== undefined &&
      s.containers.every((c) => c.state.terminated !== undefined);
    const status = await pollStatus(plugin, pod, jid, failed);

    expect(status.initContainers[0]?.state.terminated).toMatchObject({ exitCode: 4, reason: 'Error' });
    // The next init container never started: never running, never Completed.
    expect(status.initContainers[1]?.state.running).toBeUndefined();
    expect(status.initContainers[1]?.state.terminated?.exitCode).not.toBe(0);
    expect(status.initContainers[1]?.started).toBe(false);
    for (const c of status.containers) {
      expect(c.state.terminated?.exitCode, c.name).not.toBe(0);
      expect(c.started).toBe(false);
    }
    expect(await logsOf(plugin, pod, 'init-fails')).toBe('failing\n');
    for (const name of ['init-after', 'app', 'sidecar']) expect(await logsOf(plugin, pod, name)).toBe('');

    // Docker agrees: the main containers and the second init container were never started.
    const neverRan = [
      ...(await podContainerIds(pod, 'main')),
      ...(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.containerName}=init-after`])),
    ];
    expect(neverRan).toHaveLength(3);
    const { stdout } = await runDocker(['inspect', '--format', '{{.State.StartedAt}}', ...neverRan]);
    expect(stdout.trim().split('\n')).toEqual([DOCKER_ZERO_TIME, DOCKER_ZERO_TIME, DOCKER_ZERO_TIME]);

    // It stays that way: nothing is retried under restartPolicy Never.
    await new Promise((r) => setTimeout(r, 1000));
    const later = await pollStatus(plugin, pod, jid, failed);
    expect(later.initContainers[0]?.restartCount).toBe(0);
    expect(later.containers.map((c) => c.state.terminated?.exitCode)).toEqual(
      status.containers.map((c) => c.state.terminated?.exitCode),
    );
    await deletePod(plugin, pod, jid);
  });

  it('retries a failed init container under restartPolicy OnFailure, then runs the containers', async () => {
    const pod = buildPod({
      restartPolicy: 'OnFailure',
      volumes: workVolume,
      initContainers: [
        step('flaky', 'echo try >> /work/tries; [ "$(wc -l < /work/tries)" -ge 2 ] || exit 3'),
      ],
      containers: [step('main', 'echo "tries: $(wc -l < /work/tries)"')],
    });
    const { status, logs } = await runToEnd(plugin, pod);
    expect(status.initContainers[0]).toMatchObject({
      restartCount: 1,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(logs.main).toBe('tries: 2\n');
    await deletePod(plugin, pod);
  });

  // Last: it replaces the plugin of this file with a new one.
  it('carries on with the sequence when the plugin is restarted in the middle of it', async () => {
    const pod = buildPod({
      volumes: workVolume,
      initContainers: [
        step('init1', 'while [ ! -e /tmp/gate ]; do sleep 1; done; echo init1 >> /work/log'),
        step('init2', 'echo init2 >> /work/log'),
      ],
      containers: [step('main', 'echo main >> /work/log; cat /work/log')],
    });
    const jid = await createPod(() => plugin, pod);
    await pollStatus(plugin, pod, jid, (s) => s.initContainers[0]?.state.running !== undefined);

    expect(await plugin.stop('SIGTERM')).toBe(0);
    // init1 ends while no plugin runs; nobody may start init2 meanwhile.
    await openGate(pod, 'init1');
    const [init1] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.containerName}=init1`]);
    expect((await runDocker(['wait', init1 as string])).stdout.trim()).toBe('0');
    const initIds = await podContainerIds(pod, 'init');
    const { stdout } = await runDocker([
      'inspect',
      '--format',
      `{{index .Config.Labels "${LABEL.containerName}"}} {{.State.Status}}`,
      ...initIds,
    ]);
    expect(stdout).toContain('init2 created');

    await plugin.startAgain();
    const status = await pollStatus(plugin, pod, jid, allTerminated);
    for (const c of [...status.initContainers, ...status.containers]) {
      expect(c.state.terminated, c.name).toMatchObject({ exitCode: 0, reason: 'Completed' });
    }
    expect(await logsOf(plugin, pod, 'main')).toBe('init1\ninit2\nmain\n');
    await deletePod(plugin, pod, jid);
  });
});
