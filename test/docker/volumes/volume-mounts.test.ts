import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../../../src/contract/api-types.ts';
import { podDockerVolumes } from '../../../src/docker/volumes/memory-volumes.ts';
import {
  mountArgsFor,
  sandboxMountArgs,
  terminationMountArgs,
} from '../../../src/docker/volumes/volume-mounts.ts';
import { example, UID, volumeState, withVolumes } from '../../fixtures/volumes-example.ts';

const state = volumeState();
const { plan } = state;

describe('mountArgsFor with the interLink volumes example', () => {
  it('mounts every volume read-only in volumeMounts order', () => {
    const dir = join(state.dir, 'pods', UID, 'volumes');
    expect(mountArgsFor(plan(example()), 'inspector')).toEqual([
      '--mount',
      `type=bind,source=${dir}/cfg,target=/etc/vkr,readonly`,
      '--mount',
      `type=bind,source=${dir}/cfg-all,target=/etc/example-all,readonly`,
      '--mount',
      `type=bind,source=${dir}/sec,target=/run/example-secret,readonly`,
      '--mount',
      `type=bind,source=${dir}/sec-all,target=/run/example-secret-all,readonly`,
      '--mount',
      `type=bind,source=${dir}/kube-api-access-dlj2v,target=/var/run/secrets/kubernetes.io/serviceaccount,readonly`,
    ]);
  });

  it('gives a container without mounts no mount args', () => {
    expect(mountArgsFor(plan(example()), 'not-there')).toEqual([]);
  });
});

describe('mountArgsFor', () => {
  const dir = () => join(state.dir, 'pods', UID, 'volumes');
  // [behaviour, volumes, mounts, args made for the mounts beyond the example's five]
  const rows: Array<[string, Volume[], Array<Record<string, unknown>>, (d: string) => string[]]> = [
    [
      'binds a subPath file of a configMap, read-only even when not asked',
      [],
      [{ name: 'cfg', mountPath: '/app/app.conf', subPath: 'conf/app.conf', readOnly: false }],
      (d) => ['--mount', `type=bind,source=${d}/cfg/conf/app.conf,target=/app/app.conf,readonly`],
    ],
    [
      'binds an emptyDir read-write, or read-only when asked; a subPath of it from its pin',
      [{ name: 'scratch', emptyDir: {} }],
      [
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'scratch', mountPath: '/scratch-ro', readOnly: true, subPath: 'logs/' },
      ],
      (d) => [
        '--mount',
        `type=bind,source=${d}/scratch,target=/scratch`,
        '--mount',
        `type=bind,source=${join(d, '..', 'pins', 'inspector', '6')},target=/scratch-ro,readonly`,
      ],
    ],
    [
      'binds a hostPath under an allowed prefix with its propagation',
      [{ name: 'host', hostPath: { path: '/data/shared/', type: 'DirectoryOrCreate' } }],
      [{ name: 'host', mountPath: '/shared', mountPropagation: 'HostToContainer' }],
      () => ['--mount', 'type=bind,source=/data/shared,target=/shared,bind-propagation=rslave'],
    ],
    [
      'quotes a target holding a comma, as Docker reads --mount as CSV',
      [{ name: 'scratch', emptyDir: {} }],
      [{ name: 'scratch', mountPath: '/odd,path "x"' }],
      (d) => ['--mount', `type=bind,source=${d}/scratch,"target=/odd,path ""x"""`],
    ],
    [
      'mounts a Memory emptyDir as a tmpfs Docker volume sized by sizeLimit',
      [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
      [{ name: 'mem', mountPath: '/dev/shm' }],
      () => [
        '--mount',
        `type=volume,source=k8s-emptydir_${UID}_mem,target=/dev/shm,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=67108864,mode=0777",volume-label=io.interlink.pod.uid=${UID},volume-label=io.interlink.docker-plugin.instance=test`,
      ],
    ],
  ];
  it.each(rows)('%s', (_name, volumes, mounts, want) => {
    const args = mountArgsFor(plan(withVolumes(volumes, mounts), ['/data']), 'inspector');
    expect(args.slice(10)).toEqual(want(dir()));
  });

  it('sizes a Memory emptyDir without sizeLimit by the pod memory limit, and lets the sandbox hold it', () => {
    const data = withVolumes(
      [{ name: 'mem', emptyDir: { medium: 'Memory' } }],
      [{ name: 'mem', mountPath: '/m' }],
    );
    const c = data.pod.spec?.containers[0] as { resources: unknown };
    c.resources = { limits: { memory: '256Mi' } };
    data.pod.spec = {
      ...data.pod.spec,
      containers: data.pod.spec?.containers ?? [],
      securityContext: { fsGroup: 2000 },
    };
    const p = plan(data);
    expect(sandboxMountArgs(p)).toEqual([
      '--mount',
      `type=volume,source=k8s-emptydir_${UID}_mem,target=/.interlink/volumes/mem,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=268435456,gid=2000,mode=2777",volume-label=io.interlink.pod.uid=${UID},volume-label=io.interlink.docker-plugin.instance=test`,
    ]);
    expect(podDockerVolumes(data.pod)).toEqual([`k8s-emptydir_${UID}_mem`]);
  });

  it('gives the sandbox nothing when the pod has no Memory emptyDir', () => {
    expect(sandboxMountArgs(plan(example()))).toEqual([]);
  });
});

describe('terminationMountArgs', () => {
  it.each<[string, string, string[]]>([
    [
      'the default path',
      '/dev/termination-log',
      ['--mount', 'type=bind,source=/s/f,target=/dev/termination-log'],
    ],
    // Docker reads a --mount as CSV: a comma or quote in the pod's path stays in one field.
    ['a path with a comma', '/tmp/a,readonly', ['--mount', 'type=bind,source=/s/f,"target=/tmp/a,readonly"']],
    ['a path with a quote', '/tmp/a"b', ['--mount', 'type=bind,source=/s/f,"target=/tmp/a""b"']],
    ['no path: no mount, as the kubelet skips it', '', []],
    ['a path a volume is mounted at: no second mount there', '/etc/vkr', []],
  ])('binds the file for %s', (_name, target, want) => {
    expect(terminationMountArgs(plan(example()), 'inspector', '/s/f', target)).toEqual(want);
  });
});
