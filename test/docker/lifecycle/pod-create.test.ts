/**
 * Creating a pod, in process against the real engine: a create that fails half-way leaves
 * nothing behind (no container, no files), and a retried create changes nothing.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { DockerBackend } from '../../../src/docker/docker-backend.ts';
import { DockerCli, type RunOptions, type RunResult } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { PluginError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { podStateDir } from '../../../src/pod/volume-plan.ts';
import { buildCreateRequest, buildPod } from '../../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

/** The engine as it is, except that making a container named `failing` fails as a lost connection would. */
class EngineFailingOn extends DockerCli {
  /** While set, `docker rm` fails too, as when the daemon went away mid-create. */
  removalsFail = false;
  /** While set, making the `failing` container fails. */
  failing = true;
  /** When set, making a container named `hangs` runs this CLI instead: one that never answers. */
  hungCli: DockerCli | undefined;

  override run(args: readonly string[], options?: RunOptions): Promise<RunResult> {
    const name = args[args.indexOf('--name') + 1] ?? '';
    if (this.failing && args[0] === 'run' && name.endsWith('_failing'))
      return Promise.reject(new Error('connection reset'));
    if (this.removalsFail && args[0] === 'rm') return Promise.reject(new Error('connection reset'));
    if (this.hungCli && args[0] === 'run' && name.endsWith('_hangs')) return this.hungCli.run(args, options);
    return super.run(args, options);
  }
}

describeDocker('creating a pod', () => {
  const instance = `create-${process.pid}-${Date.now()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'create-'));
  let backend: DockerBackend;
  let engine: EngineFailingOn;

  beforeAll(async () => {
    engine = new EngineFailingOn();
    const config = loadConfig(['--instance', instance, '--state-dir', stateDir], {});
    backend = new DockerBackend({
      config,
      docker: engine,
      log: createLogger({ test: 'pod-create' }),
    });
    await backend.start();
  });
  afterAll(async () => {
    await backend?.close();
    await dockerRmByLabel(`${LABEL.owner}=${instance}`);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('removes what it made when a container cannot be made, and says so with a 500', async () => {
    const pod = buildPod({
      containers: [
        { name: 'first', command: ['sleep', '300'] },
        { name: 'failing', command: ['sleep', '300'] },
      ],
    });
    const failed = await backend.create(buildCreateRequest(pod)).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(PluginError);
    expect(failed).toMatchObject({ kind: 'internal' });
    expect((failed as Error).message).toMatch(/could not create pod .*connection reset/);
    expect(await dockerPs({ [LABEL.owner]: instance, [LABEL.podUid]: pod.metadata.uid })).toEqual([]);
    expect(existsSync(podStateDir(stateDir, pod.metadata.uid))).toBe(false);
    expect(await backend.status([pod])).toEqual([]);
  }, 60_000);

  it('answers a retried create with the same job ID and makes nothing more', async () => {
    const pod = buildPod({ containers: [{ name: 'app', command: ['sleep', '300'] }] });
    const first = await backend.create(buildCreateRequest(pod));
    const again = await backend.create(buildCreateRequest(pod));
    expect(again).toEqual(first);
    expect(await dockerPs({ [LABEL.owner]: instance, [LABEL.podUid]: pod.metadata.uid })).toHaveLength(1);
    await backend.delete({ ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } });
    expect(await dockerPs({ [LABEL.owner]: instance, [LABEL.podUid]: pod.metadata.uid })).toEqual([]);
  }, 60_000);

  it('makes whole, when retried, a pod whose failed create could not be undone either', async () => {
    const pod = buildPod({
      containers: [
        { name: 'first', command: ['sleep', '300'] },
        { name: 'failing', command: ['sleep', '300'] },
      ],
    });
    const ours = { [LABEL.owner]: instance, [LABEL.podUid]: pod.metadata.uid };
    engine.removalsFail = true;
    await expect(backend.create(buildCreateRequest(pod))).rejects.toMatchObject({ kind: 'internal' });
    // Half a pod is left, and its record says so.
    expect(await dockerPs(ours)).toHaveLength(2);
    const record = JSON.parse(
      readFileSync(join(podStateDir(stateDir, pod.metadata.uid), 'pod.json'), 'utf8'),
    );
    expect(record).toEqual({ instance, phase: 'creating' });
    engine.removalsFail = false;
    engine.failing = false;
    await backend.create(buildCreateRequest(pod));
    const roles = await runDocker([
      'ps',
      '-a',
      '--format',
      `{{.Label "${LABEL.role}"}}/{{.Label "${LABEL.containerName}"}}`,
      '--filter',
      `label=${LABEL.podUid}=${pod.metadata.uid}`,
    ]);
    expect(roles.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'main/failing',
      'main/first',
      'sandbox/',
    ]);
    engine.failing = true;
    await backend.delete({ ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } });
    expect(await dockerPs(ours)).toEqual([]);
  }, 60_000);

  it('answers a create whose docker run hangs: that container is killed at its timeout and waits with the reason', async () => {
    const bin = join(stateDir, 'hung-docker');
    writeFileSync(bin, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(bin, 0o755);
    engine.hungCli = new DockerCli(bin, { callMs: 500, pullMs: 500 });
    const pod = buildPod({
      containers: [
        { name: 'app', command: ['sleep', '300'] },
        { name: 'hangs', command: ['sleep', '300'] },
      ],
    });
    await backend.create(buildCreateRequest(pod));
    engine.hungCli = undefined;
    const [status] = await backend.status([pod]);
    expect(status?.containers.find((c) => c.name === 'hangs')?.state.waiting).toEqual({
      reason: 'CreateContainerError',
      message: expect.stringMatching(/no answer within 0.5 s: the docker command was killed/),
    });
    await backend.delete({ ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } });
  }, 60_000);
});
