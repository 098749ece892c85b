/**
 * A Docker daemon restart (a second dockerd of this test's own; the main engine is never touched):
 * pods whose restartPolicy says so come back whole, the sandbox first, with restartCount counting
 * the restart. The second restart forces Docker's worst order: the sandbox is left down, so every
 * container of the pod fails with "cannot join network of a non running container" and only the
 * plugin can bring the pod back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { buildCreateRequest, buildPod, statusRequest, TEST_IMAGE } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { loadImage, type SecondDockerd, startSecondDockerd } from '../helpers/second-dockerd.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

describeDocker('a Docker daemon restart', () => {
  let dockerd: SecondDockerd;
  beforeAll(async () => {
    dockerd = await startSecondDockerd();
    await loadImage(dockerd, TEST_IMAGE);
  }, 120_000);
  afterAll(async () => {
    await dockerd?.stop();
  });
  const plugin = usePlugin(() => ({ env: { DOCKER_HOST: dockerd.host } }));

  /** Polls /status until `done`; the last answer is in the error. */
  async function statusUntil(pod: Pod, jid: string, done: (s: PodStatus) => boolean): Promise<PodStatus> {
    const deadline = Date.now() + 90_000;
    let last = '';
    while (Date.now() < deadline) {
      const res = await plugin.request('GET', '/status', statusRequest(pod, jid)).catch(() => undefined);
      if (res?.status === 200) {
        last = res.text;
        const [status] = res.json() as PodStatus[];
        if (status && done(status)) return status;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`status never reached the expected state; last: ${last}`);
  }

  const runningWith = (restarts: number) => (s: PodStatus) =>
    s.containers.every((c) => c.state.running !== undefined && c.restartCount === restarts) &&
    s.initContainers.every((c) => c.state.terminated?.exitCode === 0);

  /** The pod's containers in the engine itself, optionally of one role. */
  async function idsInEngine(pod: Pod, role?: string): Promise<string[]> {
    const filters = [
      `label=${LABEL.podUid}=${pod.metadata.uid}`,
      ...(role ? [`label=${LABEL.role}=${role}`] : []),
    ];
    const out = await dockerd.docker(['ps', '-aq', '--no-trunc', ...filters.flatMap((f) => ['--filter', f])]);
    return out.split('\n').filter(Boolean);
  }

  /** Container states in the engine itself: role/name → status, and each joined container's network. */
  async function engineState(pod: Pod): Promise<{ states: Record<string, string>; joined: boolean }> {
    const ids = (
      await dockerd.docker([
        'ps',
        '-aq',
        '--no-trunc',
        '--filter',
        `label=${LABEL.podUid}=${pod.metadata.uid}`,
      ])
    )
      .split('\n')
      .filter(Boolean);
    const inspected = JSON.parse(await dockerd.docker(['container', 'inspect', ...ids])) as Array<{
      Id: string;
      State: { Status: string };
      HostConfig: { NetworkMode: string };
      Config: { Labels: Record<string, string> };
    }>;
    const sandbox = inspected.find((c) => c.Config.Labels[LABEL.role] === 'sandbox');
    const states: Record<string, string> = {};
    for (const c of inspected)
      states[`${c.Config.Labels[LABEL.role]}/${c.Config.Labels[LABEL.containerName] ?? ''}`] = c.State.Status;
    const joined = inspected
      .filter((c) => c !== sandbox)
      .every((c) => c.HostConfig.NetworkMode === `container:${sandbox?.Id}`);
    return { states, joined };
  }

  async function create(pod: Pod): Promise<string> {
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    return created.json().PodJID as string;
  }

  /** Makes Docker leave the sandbox down at its next start, as a restore that reached it last and failed would. */
  function leaveSandboxDown(sandboxId: string): void {
    const dataRoot = join(dirname(dockerd.host.replace(/^unix:\/\//, '')), 'data');
    const file = join(dataRoot, 'containers', sandboxId, 'hostconfig.json');
    const hostConfig = JSON.parse(readFileSync(file, 'utf8'));
    hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
    writeFileSync(file, JSON.stringify(hostConfig));
  }

  it('brings Always and failed OnFailure pods back whole, sandbox first, counting each restart, and leaves Never pods', async () => {
    const pod = buildPod({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        {
          name: 'prep',
          command: ['sh', '-c', 'echo ready > /work/flag'],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
      ],
      containers: [
        {
          name: 'app',
          command: ['sh', '-c', 'cat /work/flag; exec sleep 600'],
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
        { name: 'side', command: ['sleep', '600'] },
      ],
    });
    const jid = await create(pod);
    await statusUntil(pod, jid, runningWith(0));
    // Killed by the daemon's stop, so failed: OnFailure runs it again, Never leaves it terminated.
    const [onFailure, never] = (['OnFailure', 'Never'] as const).map((restartPolicy) =>
      buildPod({
        restartPolicy,
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'app', command: ['sleep', '600'] },
          { name: 'side', command: ['sleep', '600'] },
        ],
      }),
    ) as [Pod, Pod];
    const onFailureJid = await create(onFailure);
    const neverJid = await create(never);
    await statusUntil(onFailure, onFailureJid, runningWith(0));
    await statusUntil(never, neverJid, runningWith(0));

    // A plain restart: whatever order Docker restores in, the pod ends running, one restart counted.
    await dockerd.halt();
    await dockerd.start();
    await statusUntil(pod, jid, runningWith(1));
    await statusUntil(onFailure, onFailureJid, runningWith(1));
    const stopped = await statusUntil(never, neverJid, (s) =>
      s.containers.every((c) => c.state.terminated !== undefined),
    );
    expect(stopped.containers.map((c) => c.restartCount)).toEqual([0, 0]);
    expect(await engineState(pod)).toEqual({
      states: { 'sandbox/': 'running', 'init/prep': 'exited', 'main/app': 'running', 'main/side': 'running' },
      joined: true,
    });

    // The worst order: the sandbox stays down, so every container fails to join its network.
    const [sandboxId = ''] = await idsInEngine(pod, 'sandbox');
    await dockerd.halt();
    leaveSandboxDown(sandboxId);
    await dockerd.start();
    const back = await statusUntil(pod, jid, runningWith(2));
    expect(back.initContainers[0]?.restartCount).toBe(0);
    expect(await engineState(pod)).toEqual({
      states: { 'sandbox/': 'running', 'init/prep': 'exited', 'main/app': 'running', 'main/side': 'running' },
      joined: true,
    });

    // The daemon restarts while the plugin is down: the plugin, started again, brings the pod
    // back and still counts the restarts from before.
    await plugin.stop('SIGTERM');
    await dockerd.halt();
    leaveSandboxDown(sandboxId);
    await dockerd.start();
    await plugin.startAgain();
    await statusUntil(pod, jid, runningWith(3));
    expect((await engineState(pod)).joined).toBe(true);
  }, 300_000);
});
