import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { clusterContainers, offloadedPart } from '../../src/pod/partial-offload.ts';

const pod = (annotations: Record<string, string> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u', annotations },
  spec: {
    initContainers: [
      { name: 'fetch', image: 'i' },
      { name: 'prepare', image: 'i' },
    ],
    containers: [
      { name: 'work', image: 'i' },
      { name: 'proxy', image: 'i' },
    ],
  },
});

const names = (p: Pod) => ({
  init: (p.spec?.initContainers ?? []).map((c) => c.name),
  main: (p.spec?.containers ?? []).map((c) => c.name),
});

describe('clusterContainers', () => {
  it.each([
    ['no annotations', {}, { main: [], init: [] }],
    [
      'names with spaces and empty entries',
      { 'interlink.eu/disable-offload-containers': ' proxy , ,work' },
      { main: ['proxy', 'work'], init: [] },
    ],
    [
      'init containers apart',
      { 'interlink.eu/disable-offload-init-containers': 'fetch' },
      { main: [], init: ['fetch'] },
    ],
    ['blank values', { 'interlink.eu/disable-offload-containers': '  ' }, { main: [], init: [] }],
  ])('reads %s as the Virtual Kubelet does', (_name, annotations, want) => {
    expect(clusterContainers(pod(annotations))).toEqual(want);
  });
});

describe('offloadedPart', () => {
  it('leaves the containers the cluster runs out, main and init', () => {
    const full = pod({
      'interlink.eu/disable-offload-containers': 'proxy',
      'interlink.eu/disable-offload-init-containers': 'fetch',
    });
    expect(names(offloadedPart(full))).toEqual({ init: ['prepare'], main: ['work'] });
  });

  it('keeps a cluster container the plugin holds anyway, so it reports exactly what it runs', () => {
    const full = pod({ 'interlink.eu/disable-offload-containers': 'proxy' });
    expect(names(offloadedPart(full, (kind, name) => kind === 'main' && name === 'proxy')).main).toEqual([
      'work',
      'proxy',
    ]);
  });

  it('returns a pod without the annotations unchanged', () => {
    const full = pod();
    expect(offloadedPart(full)).toBe(full);
  });
});
