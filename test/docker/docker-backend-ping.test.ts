/** The ping as the Docker backend answers it, with a stand-in docker CLI (no engine needed). */
import { chmod, chown, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { DockerBackend } from '../../src/docker/docker-backend.ts';
import { DockerCli } from '../../src/docker/engine/docker-cli.ts';
import { DOCKER_DOWN_MESSAGE } from '../../src/docker/engine/docker-outage.ts';
import { log } from '../../src/log.ts';

/** A `docker` that answers `docker info` with the given JSON, or fails like an absent daemon. */
async function fakeDocker(info: object | undefined): Promise<DockerCli> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-docker-'));
  const bin = join(dir, 'docker');
  const body =
    info === undefined
      ? 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit 1'
      : `printf '%s\\n' '${JSON.stringify(info)}'`;
  await writeFile(bin, `#!/bin/sh\n${body}\n`);
  await chmod(bin, 0o755);
  return new DockerCli(bin);
}

function backend(docker: DockerCli, argv: string[] = [], cgroupRoot?: string): DockerBackend {
  return new DockerBackend({
    config: loadConfig(argv, {}),
    docker,
    log,
    ...(cgroupRoot ? { cgroupRoot } : {}),
  });
}

describe('DockerBackend.ping', () => {
  it('leaves out what is zero or not known yet, and sends the configured taints', async () => {
    const docker = await fakeDocker({ NCPU: 0, MemTotal: 8 * 1024 ** 3, ServerVersion: '28.2.2' });
    const ping = await backend(docker, ['--taints', 'site=lab:NoSchedule']).ping();
    expect(ping).toEqual({
      status: 'ok',
      // Not started, so the pod networks' room is not known yet: pods is left out too, not sent as 0.
      resources: { memory: '8388608Ki' },
      taints: [{ key: 'site', value: 'lab', effect: 'NoSchedule' }],
    });
  });

  it.each([
    ['the host total by default', [], { cpu: '3', memory: '8388608Ki' }],
    [
      'a share of the host',
      ['--node-cpu', '50%', '--node-memory', '25%'],
      { cpu: '1.5', memory: '2097152Ki' },
    ],
    [
      'fixed values, never more than the host has',
      ['--node-cpu', '16', '--node-memory', '64Gi'],
      { cpu: '3', memory: '8388608Ki' },
    ],
    [
      'fixed values below the host',
      ['--node-cpu', '500m', '--node-memory', '1Gi'],
      { cpu: '0.5', memory: '1048576Ki' },
    ],
    ['a tiny share, never 0', ['--node-cpu', '0.01%'], { cpu: '0.001', memory: '8388608Ki' }],
  ] as const)('offers cpu and memory as %s', async (_name, argv, want) => {
    const docker = await fakeDocker({ NCPU: 3, MemTotal: 8 * 1024 ** 3, ServerVersion: '28.2.2' });
    const ping = await backend(docker, [...argv]).ping();
    expect(ping.resources).toMatchObject(want);
  });

  it("offers a rootless engine's user's caps on cgroup v2 where they are lower than the host's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rootless-ping-'));
    // A rootless engine serves its socket as its user.
    const socket = join(dir, 'podman.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    await chown(socket, 1001, 1001);
    const info = { NCPU: 8, MemTotal: 16 * 1024 ** 3, ServerVersion: '4.9.3', CgroupVersion: '2' };
    const bin = join(dir, 'docker');
    await writeFile(
      bin,
      `#!/bin/sh\nif [ "$1" = context ]; then echo unix://${socket}; else printf '%s\\n' '${JSON.stringify(info)}'; fi\n`,
    );
    await chmod(bin, 0o755);
    const service = join(dir, 'cgroup', 'user.slice/user-1001.slice/user@1001.service');
    await mkdir(service, { recursive: true });
    await writeFile(join(service, 'memory.max'), `${2 * 1024 ** 3}\n`);
    await writeFile(join(service, 'cpu.max'), '150000 100000\n');
    try {
      const ping = await backend(new DockerCli(bin), [], join(dir, 'cgroup')).ping();
      expect(ping.resources).toMatchObject({ cpu: '1.5', memory: '2097152Ki' });
    } finally {
      server.close();
    }
  });

  it('answers 503 when Docker does not answer, so the node goes NotReady', async () => {
    const ping = backend(await fakeDocker(undefined)).ping();
    await expect(ping).rejects.toMatchObject({
      kind: 'unavailable',
      message: DOCKER_DOWN_MESSAGE,
    });
  });
});
