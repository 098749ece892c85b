/**
 * The container image as an operator runs it: the Docker socket and the state dir mounted at the
 * same path inside and outside, the plugin serving a unix socket on a shared volume, as a
 * non-root user in the socket's group. A conformance subset runs against it over that socket.
 */
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ConformanceReport, runConformance } from '../../src/conformance/index.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { describeDocker, dockerRmByLabel, runDocker } from '../helpers/docker.ts';
import { buildPluginImage } from '../helpers/plugin-image.ts';
import { httpRequest } from '../helpers/plugin-process.ts';

const DOCKER_SOCKET = '/var/run/docker.sock';
/** Scenarios that cover the image's own risks: socket, state-dir volumes, logs, exit codes. */
const SUBSET = [
  'ping',
  'exit-code',
  'two-containers',
  'configmap-volume',
  'empty-dir-shared',
  'logs-options',
  'delete-running',
];

describeDocker('the container image', () => {
  const instance = `image-${randomUUID().slice(0, 8)}`;
  const name = `plugin-${instance}`;
  const dir = mkdtempSync(join(tmpdir(), 'plugin-image-'));
  const stateDir = join(dir, 'state');
  const socketDir = join(dir, 'run');
  let image: string;

  beforeAll(async () => {
    image = await buildPluginImage();
    mkdirSync(stateDir);
    mkdirSync(socketDir);
    // The image runs as uid 10001: it owns the state dir and the socket's directory.
    chownSync(stateDir, 10001, 10001);
    chownSync(socketDir, 10001, 10001);
  }, 600_000);
  afterAll(async () => {
    await runDocker(['rm', '-f', name]).catch(() => {});
    await runDocker(['rm', '-f', `${name}-refused`]).catch(() => {});
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs pods through a unix socket on a shared volume, as a non-root user, and passes a conformance subset', async () => {
    const socketGroup = String(statSync(DOCKER_SOCKET).gid);
    await runDocker([
      'run',
      '-d',
      '--name',
      name,
      '--group-add',
      socketGroup,
      '-v',
      `${DOCKER_SOCKET}:${DOCKER_SOCKET}`,
      '-v',
      `${stateDir}:${stateDir}`,
      '-v',
      `${socketDir}:/run/interlink`,
      image,
      '--listen',
      'unix:/run/interlink/plugin.sock',
      '--instance',
      instance,
      '--state-dir',
      stateDir,
    ]);
    const socketPath = join(socketDir, 'plugin.sock');
    const deadline = Date.now() + 30_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      healthy = await httpRequest({ socketPath }, 'GET', '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    expect(healthy, (await runDocker(['logs', name]).catch((e) => ({ stderr: String(e) }))).stderr).toBe(
      true,
    );
    expect((await runDocker(['exec', name, 'id', '-u'])).stdout.trim()).toBe('10001');

    const report: ConformanceReport = await runConformance({
      target: { socketPath },
      only: SUBSET,
      parallel: 2,
      timeoutSeconds: 90,
    });
    const failed = report.results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`);
    expect(failed).toEqual([]);
    expect(report.results.map((r) => r.id).sort()).toEqual([...SUBSET].sort());
  }, 600_000);

  it('refuses to start when its state dir is not at the same path for the daemon', async () => {
    const result = await runDocker([
      'run',
      '--name',
      `${name}-refused`,
      '--user',
      '0',
      '-v',
      `${DOCKER_SOCKET}:${DOCKER_SOCKET}`,
      '-v',
      `${stateDir}:/elsewhere/state`,
      image,
      '--instance',
      `${instance}-refused`,
      '--state-dir',
      '/elsewhere/state',
    ]).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(result).toMatch(/the Docker daemon cannot see the state dir \/elsewhere\/state at the same path/);
    expect(result).toMatch(/failed \(1\)/);
  }, 120_000);
});
