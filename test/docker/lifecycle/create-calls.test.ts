/**
 * What making a pod costs in docker processes, in process against the real engine: a
 * one-container pod is one `docker run` and one read of it, however its events fall; a pod of
 * init containers reads its containers once per step, not once per event of the making.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Pod, PodStatus } from '../../../src/contract/api-types.ts';
import { DockerBackend } from '../../../src/docker/docker-backend.ts';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { createLogger } from '../../../src/log.ts';
import { buildCreateRequest, buildPod, statusRequest } from '../../fixtures/pod-builder.ts';
import { describeDocker, dockerRmByLabel } from '../../helpers/docker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker('the docker calls of a create', () => {
  const instance = `calls-${process.pid}-${Date.now()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'calls-'));
  const docker = new DockerCli();
  const verbs: string[] = [];
  docker.observers.push({
    started(args) {
      verbs.push(args[0] === 'container' ? `${args[0]} ${args[1]}` : (args[0] ?? ''));
      return () => {};
    },
  });
  let backend: DockerBackend;

  beforeAll(async () => {
    const config = loadConfig(
      ['--instance', instance, '--state-dir', stateDir, '--resync-seconds', '3600'],
      {},
    );
    backend = new DockerBackend({ config, docker, log: createLogger({ test: 'create-calls' }) });
    await backend.start();
  });
  afterAll(async () => {
    await backend?.close();
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Creates the pod and waits until it runs whole; the container verbs it cost, a second later. */
  async function makeAndCount(pod: Pod, runs: (s: PodStatus) => boolean): Promise<Record<string, number>> {
    const from = verbs.length;
    const { PodJID } = await backend.create(buildCreateRequest(pod));
    const polled = statusRequest(pod, PodJID)[0] as Pod;
    // The bound only guards against waiting forever on a loaded machine.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [s] = await backend.status([polled]);
      if (s && runs(s)) break;
      if (Date.now() > deadline) throw new Error(`pod not running: ${JSON.stringify(s)}`);
      await sleep(50);
    }
    // Events still on their way would read then: a late one makes a count higher, never lower.
    await sleep(1000);
    const counts: Record<string, number> = {};
    for (const v of verbs.slice(from))
      if (['run', 'create', 'start', 'container inspect'].includes(v)) counts[v] = (counts[v] ?? 0) + 1;
    return counts;
  }

  it('makes a one-container pod with one docker run and reads it once', async () => {
    const pod = buildPod({ containers: [{ name: 'app', command: ['sleep', '300'] }] });
    const counts = await makeAndCount(pod, (s) => s.containers[0]?.state.running !== undefined);
    expect(counts).toEqual({ run: 1, 'container inspect': 1 });
  });

  it('reads a pod of 2 init containers and 4 containers once per step of its making', async () => {
    const pod = buildPod({
      initContainers: [
        { name: 'init1', command: ['true'] },
        { name: 'init2', command: ['true'] },
      ],
      containers: ['a', 'b', 'c', 'd'].map((name) => ({ name, command: ['sleep', '300'] })),
    });
    const counts = await makeAndCount(
      pod,
      (s) => s.containers.length === 4 && s.containers.every((c) => c.state.running !== undefined),
    );
    // The sandbox, 6 creates, 6 starts (each init container, then each of the 4 containers, at
    // once: one `docker start` of 4 starts them one after the other).
    expect({ run: counts.run, create: counts.create, start: counts.start }).toEqual({
      run: 1,
      create: 6,
      start: 6,
    });
    // One read after the making and one after each start, plus one per init container's end
    // when it comes after that start's read (before: 16, one per event).
    expect(counts['container inspect']).toBeLessThanOrEqual(6);
  });
});
