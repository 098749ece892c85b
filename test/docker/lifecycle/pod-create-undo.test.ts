/**
 * Creating a pod on the fake engine (test/helpers/fake-engine.ts): a create that fails half-way
 * leaves nothing behind, a retried one changes nothing or finishes what was cut off, and a
 * container that cannot be made is reported without failing the rest. No Docker needed.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Pod } from '../../../src/contract/api-types.ts';
import { DockerCliError } from '../../../src/docker/engine/docker-cli.ts';
import { GpuAllocator } from '../../../src/docker/gpu/gpu-allocator.ts';
import { PodCreation } from '../../../src/docker/lifecycle/pod-create.ts';
import { PodRecords } from '../../../src/docker/lifecycle/pod-record.ts';
import { preparePod } from '../../../src/docker/lifecycle/prepare-pod.ts';
import { PluginError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { decidePod } from '../../../src/pod/pod-decision.ts';
import { buildCreateRequest, buildPod } from '../../fixtures/pod-builder.ts';
import { FakeEngine } from '../../helpers/fake-engine.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'create-undo-'));
const config = loadConfig(['--instance', 'undo-test', '--state-dir', stateDir], {});
const host = {
  nodeAllocatable: { cpu: 4, memory: 8 * 1024 ** 3 },
  imageUsers: new Map<string, string>(),
  subPathPins: false,
};
const podDir = (pod: Pod) => join(stateDir, 'pods', pod.metadata.uid);

function setUp(engine = new FakeEngine(), gpuIds: string[] = []) {
  const records = new PodRecords(stateDir, config.instance);
  const gpus = new GpuAllocator({ held: () => [] });
  gpus.stock(gpuIds);
  const creation = new PodCreation({
    config,
    engine,
    view: engine.view,
    log: createLogger({ test: 'pod-create-undo' }, () => {}),
    pending: { add: async () => {} },
    sequencer: { advance: async () => {} },
    records,
    gpus,
    pauseImage: 'pause:fake',
    networks: { place: () => ({ name: 'bridge', args: [] }), placed: () => {}, capacity: () => 100 },
    cgroups: { parentArgs: () => [], limitPod: async () => {} },
  });
  const create = (pod: Pod) =>
    creation.create(preparePod(decidePod(buildCreateRequest(pod), config, host), config));
  return { engine, creation, records, gpus, create };
}

/** Three containers and a Memory emptyDir (a Docker volume the sandbox makes). */
const threeContainers = () =>
  buildPod({
    containers: [
      { name: 'one', command: ['sleep', '60'] },
      { name: 'two', command: ['sleep', '60'] },
      { name: 'three', command: ['sleep', '60'] },
    ],
    volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
  });

const made = (engine: FakeEngine) => engine.calls.filter((c) => c.verb === 'makeContainer').length;

describe('creating a pod on the fake engine', () => {
  it('a create whose third container fails leaves no container, no volume and no file behind', async () => {
    const { engine, create } = setUp();
    engine.failWith = (verb, name) =>
      verb === 'makeContainer' && name.endsWith('_three') ? new Error('connection reset') : undefined;
    const pod = threeContainers();
    const err = await create(pod).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).kind).toBe('internal');
    expect((err as PluginError).message).toMatch(/connection reset/);
    // The sandbox and two containers were made before the third failed.
    expect(made(engine)).toBe(4);
    expect(engine.containers.size).toBe(0);
    expect(engine.volumes.size).toBe(0);
    expect(existsSync(podDir(pod))).toBe(false);
  });

  it('gives back the GPUs of a create that failed', async () => {
    const { engine, gpus, create } = setUp(new FakeEngine(), ['GPU-0', 'GPU-1']);
    engine.failWith = (verb) => (verb === 'makeContainer' ? new Error('engine gone') : undefined);
    const pod = buildPod({
      containers: [{ name: 'train', resources: { limits: { 'nvidia.com/gpu': '2' } } }],
    });
    await expect(create(pod)).rejects.toThrow(/engine gone/);
    expect(gpus.free()).toEqual(['GPU-0', 'GPU-1']);
  });

  it('a retried create of a pod that exists whole makes nothing', async () => {
    const { engine, create } = setUp();
    const pod = threeContainers();
    await create(pod);
    expect(engine.containers.size).toBe(4);
    const before = engine.calls.length;
    await create(pod);
    expect(engine.calls.slice(before)).toEqual([]);
    expect(engine.containers.size).toBe(4);
  });

  it('keeps saying "creating" when the undo fails too, and a retried create makes the pod whole', async () => {
    const { engine, records, create } = setUp();
    engine.failWith = (verb, name) =>
      (verb === 'makeContainer' && name.endsWith('_three')) || verb === 'removeContainers'
        ? new Error('daemon went away')
        : undefined;
    const pod = threeContainers();
    await expect(create(pod)).rejects.toThrow(/daemon went away/);
    expect(engine.containers.size).toBe(3);
    expect(await records.read(pod.metadata.uid)).toBe('creating');

    engine.failWith = () => undefined;
    await create(pod);
    const names = [...engine.containers.values()].map((c) => c.name.replace(/^.*_/, '')).sort();
    expect(names).toEqual(['one', 'sandbox', 'three', 'two']);
    expect(await records.read(pod.metadata.uid)).toBe('created');
  });

  it('reports a container whose image is absent under pull policy Never, and makes the rest', async () => {
    const { engine, creation, create } = setUp();
    engine.failWith = (verb, name) =>
      verb === 'makeContainer' && name.endsWith('_local')
        ? new DockerCliError('docker run', 125, 'Unable to find image "local:1" locally')
        : undefined;
    const pod = buildPod({
      containers: [
        { name: 'local', image: 'local:1', imagePullPolicy: 'Never' },
        { name: 'fine', command: ['true'] },
      ],
    });
    await create(pod);
    expect(creation.failure(pod.metadata.uid, 'local')).toEqual({
      reason: 'ErrImageNeverPull',
      message: 'Container image "local:1" is not present with pull policy of Never',
    });
    const names = [...engine.containers.values()].map((c) => c.name.replace(/^.*_/, '')).sort();
    expect(names).toEqual(['fine', 'sandbox']);
  });
});
