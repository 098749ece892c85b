/**
 * What /status says right after /create answered, before the pod view has read the new container:
 * a `docker run -d` that returned is running, and the status says so from the container's `start`
 * event; one that ends meanwhile is not shown running. In process against the real engine, with
 * every `docker container inspect` held back by the test until it lets them go.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Pod, PodStatus } from '../../../src/contract/api-types.ts';
import { DockerBackend } from '../../../src/docker/docker-backend.ts';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { podIdentity, podJobId } from '../../../src/docker/naming.ts';
import { createLogger } from '../../../src/log.ts';
import { buildCreateRequest, buildPod, statusRequest } from '../../fixtures/pod-builder.ts';
import { describeDocker, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker('the status right after a create', () => {
  const instance = `answer-${process.pid}-${Date.now()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'answer-'));
  // The real docker, except that `container inspect` waits while the hold file exists.
  const hold = join(stateDir, 'inspect-held');
  const wrapper = join(stateDir, 'docker');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ "$1" = container ] && [ "$2" = inspect ]; then while [ -e '${hold}' ]; do sleep 0.05; done; fi\nexec docker "$@"\n`,
    { mode: 0o755 },
  );
  const docker = new DockerCli(wrapper);
  let inspectsDone = 0;
  docker.observers.push({
    started: (args) => (args[1] === 'inspect' ? () => inspectsDone++ : () => {}),
  });
  let backend: DockerBackend;

  beforeAll(async () => {
    const config = loadConfig(
      ['--instance', instance, '--state-dir', stateDir, '--resync-seconds', '3600'],
      {},
    );
    backend = new DockerBackend({ config, docker, log: createLogger({ test: 'create-answer' }) });
    await backend.start();
  });
  afterAll(async () => {
    rmSync(hold, { force: true });
    await backend?.close();
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Polls the pod's status until `ok` says so; the bound only guards against waiting forever. */
  async function statusUntil(pod: Pod, ok: (s: PodStatus) => boolean): Promise<PodStatus> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      // The text interLink's polls are served, kept per pod and made again when the pod changed.
      const [s] = JSON.parse(await backend.statusText([pod])) as PodStatus[];
      if (s && ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`status not reached: ${JSON.stringify(s)}`);
      await sleep(20);
    }
  }

  it('says a one-container pod runs as soon as its docker run returned, before any read of it', async () => {
    writeFileSync(hold, '');
    const before = inspectsDone;
    const pod = buildPod({ containers: [{ name: 'app', command: ['sleep', '300'] }] });
    const polled = statusRequest(pod, podJobId(podIdentity(pod)))[0] as Pod;
    // Polled while it is being made, as interLink may: the answer kept then must not stay.
    let answered = false;
    const creating = backend.create(buildCreateRequest(pod)).finally(() => {
      answered = true;
    });
    while (!answered) {
      await backend.statusText([polled]);
      await sleep(5);
    }
    await creating;
    const early = await statusUntil(polled, (s) => s.containers[0]?.state.running !== undefined);
    expect(inspectsDone).toBe(before);
    const id = (
      await runDocker(['ps', '-q', '--no-trunc', '--filter', `label=${LABEL.podUid}=${pod.metadata.uid}`])
    ).stdout.trim();
    expect(early.containers[0]).toMatchObject({
      containerID: `docker://${id}`,
      restartCount: 0,
      ready: true,
    });
    const startedAt = early.containers[0]?.state.running?.startedAt;
    expect(startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Once read, the same run, now with what only a read tells (the image's ID).
    rmSync(hold);
    const read = await statusUntil(polled, (s) => (s.containers[0]?.imageID ?? '') !== '');
    expect(read.containers[0]?.containerID).toBe(`docker://${id}`);
    const docker = (await runDocker(['inspect', '--format', '{{.State.StartedAt}}', id])).stdout.trim();
    expect(Math.abs(Date.parse(startedAt ?? '') - Date.parse(docker))).toBeLessThan(1500);
  });

  it('does not keep saying a container runs once it ended, while its read is still held back', async () => {
    writeFileSync(hold, '');
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [{ name: 'app', command: ['sh', '-c', 'sleep 2'] }],
    });
    const { PodJID } = await backend.create(buildCreateRequest(pod));
    const polled = statusRequest(pod, PodJID)[0] as Pod;
    await statusUntil(polled, (s) => s.containers[0]?.state.running !== undefined);
    // Its end comes as an event; the status stops saying running without a read.
    const ended = await statusUntil(polled, (s) => s.containers[0]?.state.running === undefined);
    expect(existsSync(hold)).toBe(true);
    expect(ended.containers[0]?.state.terminated).toBeUndefined();
    rmSync(hold);
    const read = await statusUntil(polled, (s) => s.containers[0]?.state.terminated !== undefined);
    expect(read.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });
});
