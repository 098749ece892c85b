/**
 * The order a pod's containers are removed in, on the fake engine (test/helpers/fake-engine.ts)
 * playing Podman, which refuses to remove a container others joined before them: a delete, the
 * undo of a failed create and a retried create all remove the pod's containers, then its sandbox.
 * On Docker it stays one call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Pod } from '../../../src/contract/api-types.ts';
import { ENGINE_TRAITS } from '../../../src/docker/engine/engine-kind.ts';
import { GpuAllocator } from '../../../src/docker/gpu/gpu-allocator.ts';
import { PodCreation } from '../../../src/docker/lifecycle/pod-create.ts';
import { PodRecords } from '../../../src/docker/lifecycle/pod-record.ts';
import { PodRemoval } from '../../../src/docker/lifecycle/pod-remove.ts';
import { preparePod } from '../../../src/docker/lifecycle/prepare-pod.ts';
import type { PodView } from '../../../src/docker/view/pod-view.ts';
import { createLogger } from '../../../src/log.ts';
import { decidePod } from '../../../src/pod/pod-decision.ts';
import { buildCreateRequest, buildPod } from '../../fixtures/pod-builder.ts';
import { FakeEngine } from '../../helpers/fake-engine.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'remove-order-'));
const config = loadConfig(['--instance', 'order-test', '--state-dir', stateDir], {});
const host = {
  nodeAllocatable: { cpu: 4, memory: 8 * 1024 ** 3 },
  imageUsers: new Map<string, string>(),
  subPathPins: false,
};

function setUp(flavour: 'docker' | 'podman') {
  const engine = new FakeEngine();
  engine.traits = ENGINE_TRAITS[flavour];
  const records = new PodRecords(stateDir, config.instance);
  const view = engine.view as unknown as PodView;
  const creation = new PodCreation({
    config,
    engine,
    view,
    log: createLogger({ test: 'pod-remove-order' }, () => {}),
    pending: { add: async () => {} },
    sequencer: { advance: async () => {} },
    records,
    gpus: new GpuAllocator({ held: () => [] }),
    pauseImage: 'pause:fake',
    networks: { place: () => ({ name: 'bridge', args: [] }), placed: () => {}, capacity: () => 100 },
    cgroups: { parentArgs: () => [], limitPod: async () => {} },
  });
  const removal = new PodRemoval({
    engine,
    view,
    stateDir,
    pending: { cancel: () => {} } as never,
    probes: { beforeStop: async (_: unknown, grace: number) => grace } as never,
    records,
    created: { arrival: () => undefined, forget: () => {} },
    cgroups: { remove: async () => {} },
  });
  const create = (pod: Pod) =>
    creation.create(preparePod(decidePod(buildCreateRequest(pod), config, host), config));
  /** Each `rm` call as the short names of the containers it named. */
  const removals = () =>
    engine.calls
      .filter((c) => c.verb === 'removeContainers')
      .map((c) =>
        c.subject
          .split(' ')
          .map((id) => engine.names.get(id)?.replace(/^.*_/, ''))
          .sort(),
      );
  return { engine, create, removal, removals, records };
}

const twoContainers = () =>
  buildPod({
    containers: [
      { name: 'one', command: ['sleep', '60'] },
      { name: 'two', command: ['sleep', '60'] },
    ],
  });

describe('the order a pod is removed in', () => {
  it('on Podman, a delete removes the containers first, then the sandbox they joined', async () => {
    const { engine, create, removal, removals } = setUp('podman');
    const pod = twoContainers();
    await create(pod);
    expect(engine.containers.size).toBe(3);
    await removal.remove(pod);
    expect(engine.containers.size).toBe(0);
    expect(removals()).toEqual([['one', 'two'], ['sandbox']]);
  });

  it('on Docker, a delete removes them all in one call', async () => {
    const { engine, create, removal, removals } = setUp('docker');
    const pod = twoContainers();
    await create(pod);
    await removal.remove(pod);
    expect(engine.containers.size).toBe(0);
    expect(removals()).toEqual([['one', 'sandbox', 'two']]);
  });

  it('on Podman, a create that fails half-way leaves nothing behind', async () => {
    const { engine, create, removals, records } = setUp('podman');
    engine.failWith = (verb, name) =>
      verb === 'makeContainer' && name.endsWith('_two') ? new Error('connection reset') : undefined;
    const pod = twoContainers();
    await expect(create(pod)).rejects.toThrow(/connection reset/);
    expect(engine.containers.size).toBe(0);
    expect(removals()).toEqual([['one'], ['sandbox']]);
    expect(await records.read(pod.metadata.uid)).toBeUndefined();
  });

  it('on Podman, a retried create clears what a cut-off create left, sandbox last, and makes the pod', async () => {
    const { engine, create, removals, records } = setUp('podman');
    engine.failWith = (verb, name) =>
      (verb === 'makeContainer' && name.endsWith('_two')) || verb === 'removeContainers'
        ? new Error('daemon went away')
        : undefined;
    const pod = twoContainers();
    await expect(create(pod)).rejects.toThrow(/daemon went away/);
    expect(await records.read(pod.metadata.uid)).toBe('creating');
    engine.failWith = () => undefined;
    engine.calls.length = 0;
    await create(pod);
    expect(removals()).toEqual([['one'], ['sandbox']]);
    expect(engine.containers.size).toBe(3);
  });
});
