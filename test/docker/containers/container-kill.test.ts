/** The kubelet-style kill, against the real engine: the container's own stop signal, then Docker's restart. */
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { killContainer } from '../../../src/docker/containers/container-kill.ts';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { cliEngine } from '../../../src/docker/engine/engine.ts';
import { PodView } from '../../../src/docker/view/pod-view.ts';
import { createLogger } from '../../../src/log.ts';
import { describeDocker, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker('killing a container as the kubelet does', () => {
  const docker = new DockerCli();
  const log = createLogger({ test: 'container-kill' });
  const view = new PodView({ docker, instance: `kill-${randomUUID()}`, resyncMs: 3_600_000, log });
  const label = `io.interlink.test.container-kill=${randomUUID()}`;
  afterAll(() => dockerRmByLabel(label));

  const inspect = async (id: string) => {
    const { stdout } = await runDocker([
      'container',
      'inspect',
      '--format',
      '{{.State.Running}} {{.State.StartedAt}} {{.RestartCount}}',
      id,
    ]);
    const [running, startedAt, restarts] = stdout.trim().split(' ');
    return { running: running === 'true', startedAt: startedAt ?? '', restarts: Number(restarts) };
  };
  /** A container that exits 7 on SIGUSR1, its stop signal, and that Docker restarts. */
  const start = async () => {
    const { stdout } = await runDocker([
      'run',
      '-d',
      '--label',
      label,
      '--restart',
      'always',
      '--stop-signal',
      'SIGUSR1',
      'busybox:1.36',
      'sh',
      '-c',
      'trap "exit 7" USR1; while true; do sleep 0.1; done',
    ]);
    const id = stdout.trim();
    return { id, ...(await inspect(id)) };
  };
  const request = (id: string, startedAt: string) => ({
    id,
    podUid: 'p1',
    startedAt,
    spec: { terminationGracePeriodSeconds: 10 },
    cause: 'liveness' as const,
    signal: new AbortController().signal,
    target: { engine: cliEngine(docker), containerId: id, podIp: '127.0.0.1' },
    letGo: () => false,
  });

  it('ends the run with its stop signal; Docker restarts the container and counts the restart', async () => {
    const c = await start();
    await killContainer({ engine: cliEngine(docker), view, log }, request(c.id, c.startedAt));
    let after = await inspect(c.id);
    for (let i = 0; i < 200 && !(after.running && after.startedAt !== c.startedAt); i++) {
      await sleep(50);
      after = await inspect(c.id);
    }
    expect(after.running).toBe(true);
    expect(after.startedAt).not.toBe(c.startedAt);
    // Signalled, not stopped through Docker: Docker restarted it as after a crash and counted it.
    expect(after.restarts).toBe(c.restarts + 1);
  }, 60_000);

  it('leaves alone a container whose run has already ended', async () => {
    const c = await start();
    await killContainer({ engine: cliEngine(docker), view, log }, request(c.id, '2001-01-01T00:00:00Z'));
    const { id, ...before } = c;
    expect(await inspect(id)).toEqual(before);
  }, 60_000);
});
