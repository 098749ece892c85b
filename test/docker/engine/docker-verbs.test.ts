import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import {
  containerEvents,
  containerExitCode,
  containerIdByName,
  containerProcess,
  engineInfo,
  imageExists,
  imageUsers,
  inspectContainers,
  listContainers,
  removeContainers,
  startContainers,
  stopContainers,
} from '../../../src/docker/engine/docker-verbs.ts';
import { describeDocker, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

describeDocker('the docker verbs the plugin relies on', () => {
  const docker = new DockerCli();
  const label = `io.interlink.test.docker-verbs=${randomUUID()}`;
  const name = `docker-verbs-${randomUUID().slice(0, 8)}`;
  let id = '';

  beforeAll(async () => {
    const made = await runDocker([
      'create',
      '--name',
      name,
      '--label',
      label,
      '--stop-signal',
      'SIGUSR1',
      'busybox:1.36',
      'sh',
      '-c',
      'trap "exit 3" USR1; while true; do sleep 1; done',
    ]);
    id = made.stdout.trim();
  });
  afterAll(async () => {
    await dockerRmByLabel(label);
  });

  it('lists the labelled containers with their state, and finds one by name', async () => {
    expect(await listContainers(docker, label)).toEqual(new Map([[id, 'created']]));
    expect(await containerIdByName(docker, name)).toBe(id);
    expect(await containerIdByName(docker, `${name}-none`)).toBeUndefined();
  });

  it('inspects what is still there when some containers are gone', async () => {
    const found = await inspectContainers(docker, [id, 'no-such-container-docker-verbs']);
    expect(found.map((c) => c.Id)).toEqual([id]);
    await expect(inspectContainers(docker, ['no-such-container-docker-verbs'])).resolves.toEqual([]);
  });

  it('starts a container, reads its process, stops it with its stop signal and reads its exit code', async () => {
    const events = containerEvents(docker, label, String(Math.floor(Date.now() / 1000) - 1));
    const seen: string[] = [];
    const died = new Promise<void>((resolve) => {
      events.stdout.on('data', (b: Buffer) => {
        seen.push(b.toString());
        if (seen.join('').includes('"die"')) resolve();
      });
    });
    try {
      await startContainers(docker, [id]);
      const proc = await containerProcess(docker, id);
      expect(proc.pid).toBeGreaterThan(0);
      expect(proc.stopSignal).toBe('SIGUSR1');
      expect(Date.parse(proc.startedAt)).not.toBeNaN();
      await stopContainers(docker, [id], 30);
      expect(await containerExitCode(docker, id)).toBe(3);
      await died;
      expect(seen.join('')).toContain(id);
    } finally {
      events.kill();
    }
  }, 60_000);

  it('reads the engine and its images', async () => {
    const info = await engineInfo(docker);
    expect(info.NCPU).toBeGreaterThan(0);
    expect(info.MemTotal).toBeGreaterThan(0);
    expect(info.ServerVersion).toMatch(/\d/);
    expect(await imageExists(docker, 'busybox:1.36')).toBe(true);
    expect(await imageExists(docker, 'registry.invalid/none:1')).toBe(false);
    const users = await imageUsers(docker, ['busybox:1.36', 'registry.invalid/none:1']);
    expect(users.get('busybox:1.36')).toBe('');
    expect(users.has('registry.invalid/none:1')).toBe(false);
  });

  it('removes containers', async () => {
    await removeContainers(docker, [id]);
    expect(await listContainers(docker, label)).toEqual(new Map());
  });
});
