/** What planPodVolumes makes of the example pod and of downward API items in volumes. */
import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/contract/api-types.ts';
import { resolveContainerEnv } from '../../src/pod/env.ts';
import { example, volumeState, withVolumes } from '../fixtures/volumes-example.ts';

const { plan } = volumeState();

describe('the example as planned', () => {
  it('finds an object in any container entry, not only the mounting one', () => {
    const data = example();
    const [first] = data.container ?? [];
    data.container = [
      { name: 'other', secrets: first?.secrets ?? null },
      { ...first, secrets: null } as never,
    ];
    const p = plan(data);
    expect(p.volumes.map((v) => v.name)).toEqual([
      'cfg',
      'cfg-all',
      'sec',
      'sec-all',
      'kube-api-access-dlj2v',
    ]);
  });
});

describe('downward API items in volumes', () => {
  it('give limits.cpu of a container without a limit as the node allocatable, as env does', () => {
    const ref = { containerName: 'inspector', resource: 'limits.cpu', divisor: '1m' };
    const data = withVolumes(
      [
        { name: 'podinfo', downwardAPI: { items: [{ path: 'cpu', resourceFieldRef: ref }] } },
        {
          name: 'proj',
          projected: { sources: [{ downwardAPI: { items: [{ path: 'cpu', resourceFieldRef: ref }] } }] },
        },
      ],
      [
        { name: 'podinfo', mountPath: '/podinfo' },
        { name: 'proj', mountPath: '/proj' },
      ],
    );
    const nodeAllocatable = { cpu: 3, memory: 2 ** 33 };
    const planned = plan(data, [], { nodeAllocatable }).volumes;
    const cpuFile = (name: string) => {
      const v = planned.find((p) => p.name === name);
      return v?.kind === 'files' ? v.files.find((f) => f.path === 'cpu')?.content.toString() : undefined;
    };
    const inspector = data.pod.spec?.containers[0] as Container;
    const env = resolveContainerEnv({
      pod: data.pod,
      container: { ...inspector, env: [{ name: 'CPU', valueFrom: { resourceFieldRef: ref } }] },
      configMaps: [],
      secrets: [],
      nodeAllocatable,
    });
    expect({ volume: cpuFile('podinfo'), projected: cpuFile('proj'), env }).toEqual({
      volume: '3000',
      projected: '3000',
      env: { env: [['CPU', '3000']] },
    });
  });
});
