/**
 * The event-fed pod view, in process against the real engine: /status answers from memory
 * (no docker spawn), sees changes made behind the plugin's back from Docker's events, and falls
 * back to batched lookups while the events stream is down.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Pod } from '../../../src/contract/api-types.ts';
import { DockerBackend } from '../../../src/docker/docker-backend.ts';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { createLogger } from '../../../src/log.ts';
import { buildCreateRequest, buildPod, statusRequest } from '../../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error(`not reached within ${timeoutMs} ms`);
}

describeDocker('the pod view', () => {
  const instance = `view-${process.pid}-${Date.now()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'view-'));
  // The real docker, except that `docker events` fails at once while the hold file exists: the
  // stream stays down for as long as a test needs, however slow the machine.
  const hold = join(stateDir, 'events-held');
  const wrapper = join(stateDir, 'docker');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ "$1" = events ] && [ -e '${hold}' ]; then echo 'held down by the test' >&2; exit 1; fi\nexec docker "$@"\n`,
    { mode: 0o755 },
  );
  const docker = new DockerCli(wrapper);
  let backend: DockerBackend;
  const pods: Pod[] = [];

  beforeAll(async () => {
    const config = loadConfig(
      ['--instance', instance, '--state-dir', stateDir, '--resync-seconds', '3600'],
      {},
    );
    backend = new DockerBackend({ config, docker, log: createLogger({ test: 'pod-view' }) });
    await backend.start();
    for (let i = 0; i < 3; i++) {
      const pod = buildPod({
        containers: [{ name: 'app', command: ['sleep', '300'] }],
        terminationGracePeriodSeconds: 0,
      });
      const { PodJID } = await backend.create(buildCreateRequest(pod));
      pods.push(statusRequest(pod, PodJID)[0] as Pod);
    }
    await until(
      async () =>
        (await backend.status(pods)).every((s) => s.containers[0]?.state.running) ? true : undefined,
      20_000,
    );
  });

  afterAll(async () => {
    await backend.close();
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers /status without starting a single docker process', async () => {
    const before = docker.spawnCount;
    for (let i = 0; i < 200; i++) await backend.status([pods[i % pods.length] as Pod]);
    expect(docker.spawnCount).toBe(before);
  });

  it('shows a container killed behind its back as terminated, without being asked to look', async () => {
    const pod = pods[0] as Pod;
    const [id] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.role}=main`]);
    await runDocker(['kill', id as string]);
    // 30 s only guards against waiting forever; the event arrives well within a second unloaded.
    const terminated = await until(async () => {
      const [s] = await backend.status([pod]);
      return s?.containers[0]?.state.terminated;
    }, 30_000);
    expect(terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });

  it('falls back to batched lookups while the events stream is down, says so, and reconnects', async () => {
    const events = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((l) => l.includes('events') && l.includes(instance))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(events).toHaveLength(1);
    // Held down, or the plugin reconnects after a second and a loaded machine never sees the gap.
    writeFileSync(hold, '');
    process.kill(events[0] as number, 'SIGKILL');
    // The bounds below only guard against waiting forever.
    const health = await until(async () => {
      const h = await backend.health();
      return h.status === 'degraded' ? h : undefined;
    }, 30_000);
    expect(health.checks?.events).toMatch(/disconnected/);

    // A change while the stream is down is still seen, through a batched lookup.
    const pod = pods[1] as Pod;
    const [id] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.role}=main`]);
    await runDocker(['kill', id as string]);
    const [s] = await backend.status([pod]);
    expect(s?.containers[0]?.state.terminated).toMatchObject({ exitCode: 137 });
    expect((await backend.health()).status).toBe('degraded');

    rmSync(hold);
    await until(async () => ((await backend.health()).status === 'ok' ? true : undefined), 30_000);
  });

  it('rebuilds itself from labels alone when a new plugin starts', async () => {
    const config = loadConfig(['--instance', instance, '--state-dir', stateDir], {});
    const fresh = new DockerBackend({
      config,
      docker: new DockerCli(),
      log: createLogger({ test: 'pod-view-2' }),
    });
    await fresh.start();
    try {
      const statuses = await fresh.status(pods);
      expect(statuses.map((s) => s.UID)).toEqual(pods.map((p) => p.metadata.uid));
      expect(statuses[2]?.containers[0]?.state.running).toBeDefined();
    } finally {
      await fresh.close();
    }
  });
});
