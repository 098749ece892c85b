import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RetrievedPodData, Volume } from '../../src/contract/api-types.ts';
import { checkSubPaths, removePodVolumes, writePodVolumes } from '../../src/docker/volume-files.ts';
import { mountArgsFor, sandboxMountArgs } from '../../src/docker/volume-mounts.ts';
import { planPodVolumes, podDockerVolumes, type VolumePlan } from '../../src/docker/volume-plan.ts';
import { PluginError } from '../../src/errors.ts';

const EXAMPLE: RetrievedPodData = JSON.parse(
  readFileSync('/work/shared/reference/examples/volumes-create.json', 'utf8'),
);
const UID = EXAMPLE.pod.metadata.uid;

function example(): RetrievedPodData {
  return structuredClone(EXAMPLE);
}

/** The example with extra volumes and mounts for the inspector container. */
function withVolumes(volumes: Volume[], mounts: Array<Record<string, unknown>>): RetrievedPodData {
  const data = example();
  data.pod.spec?.volumes?.push(...volumes);
  data.pod.spec?.containers[0]?.volumeMounts?.push(...(mounts as never[]));
  return data;
}

let stateDir: string;
beforeEach(async () => {
  stateDir = await fs.mkdtemp(join(tmpdir(), 'pod-volumes-'));
});
afterEach(async () => {
  await fs.rm(stateDir, { recursive: true, force: true });
});

const plan = (data: RetrievedPodData, allowedHostPaths: string[] = []) =>
  planPodVolumes(data, { stateDir, allowedHostPaths, instance: 'test' });

const volumeDir = (name: string) => join(stateDir, 'pods', UID, 'volumes', name);

async function fileAt(path: string): Promise<{ content: string; mode: number }> {
  const st = await fs.lstat(path);
  return { content: await fs.readFile(path, 'utf8'), mode: st.mode & 0o7777 };
}

describe('writePodVolumes with the interLink volumes example', () => {
  // [path under volumes/, content, mode]
  const files: Array<[string, string, number]> = [
    ['cfg/conf/app.conf', 'mode=test\nlevel=3\n', 0o440],
    ['cfg/bin/run.sh', '#!/bin/sh\necho script-ran-from-configmap\n', 0o755],
    ['cfg-all/app.conf', 'mode=test\nlevel=3\n', 0o644],
    ['cfg-all/run.sh', '#!/bin/sh\necho script-ran-from-configmap\n', 0o644],
    ['cfg-all/unused.txt', 'must not be projected when items are listed\n', 0o644],
    ['sec/creds/pw', 's3cr3t-ae5aa508-75c2-46fa-9197-b986a582962c', 0o400],
    ['sec-all/blob', 'hello-binary\n', 0o644],
    ['sec-all/password', 's3cr3t-ae5aa508-75c2-46fa-9197-b986a582962c', 0o644],
    ['kube-api-access-dlj2v/namespace', 'default', 0o644],
  ];
  it.each(files)('writes %s with its content and mode', async (path, content, mode) => {
    await writePodVolumes(plan(example()));
    expect(await fileAt(join(stateDir, 'pods', UID, 'volumes', path))).toEqual({ content, mode });
  });

  it('writes the pre-rendered projected files byte for byte', async () => {
    await writePodVolumes(plan(example()));
    const rendered = EXAMPLE.container?.[0]?.projectedvolumemaps?.[0]?.data ?? {};
    for (const name of ['ca.crt', 'token']) {
      expect(await fileAt(join(volumeDir('kube-api-access-dlj2v'), name))).toEqual({
        content: rendered[name],
        mode: 0o644,
      });
    }
  });

  it('projects only the listed keys when items are given', async () => {
    await writePodVolumes(plan(example()));
    expect((await fs.readdir(volumeDir('cfg'))).sort()).toEqual(['bin', 'conf']);
    expect((await fs.readdir(volumeDir('sec'))).sort()).toEqual(['creds']);
  });

  it('keeps the pod directory private to the host user that runs the plugin', async () => {
    await writePodVolumes(plan(example()));
    expect((await fs.stat(join(stateDir, 'pods', UID))).mode & 0o777).toBe(0o700);
  });

  it('is idempotent', async () => {
    const p = plan(example());
    await writePodVolumes(p);
    await writePodVolumes(p);
    expect(await fileAt(join(volumeDir('cfg'), 'bin/run.sh'))).toMatchObject({ mode: 0o755 });
    expect((await fs.readdir(join(volumeDir('cfg'), 'bin'))).sort()).toEqual(['run.sh']);
  });

  it('mounts every volume read-only in volumeMounts order', () => {
    const dir = join(stateDir, 'pods', UID, 'volumes');
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

describe('planPodVolumes refuses what would escape or cannot be honoured', () => {
  type Mutation = (d: RetrievedPodData) => void;
  const vol = (d: RetrievedPodData, i: number) => d.pod.spec?.volumes?.[i] as Volume;
  const mount = (d: RetrievedPodData, k: number) =>
    d.pod.spec?.containers[0]?.volumeMounts?.[k] as Record<string, unknown>;
  const addVolume =
    (volume: Volume, mountExtra: Record<string, unknown> = {}) =>
    (d: RetrievedPodData) => {
      d.pod.spec?.volumes?.push(volume);
      d.pod.spec?.containers[0]?.volumeMounts?.push({ name: volume.name, mountPath: '/x', ...mountExtra });
    };
  const setItemPath = (path: string) => (d: RetrievedPodData) => {
    (vol(d, 0).configMap?.items?.[0] as { path: string }).path = path;
  };
  // [behaviour, mutation, field, problem, allowed host paths]
  const rows: Array<[string, Mutation, string, RegExp, string[]?]> = [
    [
      'an item path with ..',
      setItemPath('../escape'),
      '/pod/spec/volumes/0/configMap/items/0/path',
      /'\.\.'/,
    ],
    [
      'an item path with a deeper ..',
      setItemPath('a/../../x'),
      '/pod/spec/volumes/0/configMap/items/0/path',
      /'\.\.'/,
    ],
    [
      'an absolute item path',
      setItemPath('/etc/passwd'),
      '/pod/spec/volumes/0/configMap/items/0/path',
      /relative/,
    ],
    ['an empty item path', setItemPath(''), '/pod/spec/volumes/0/configMap/items/0/path', /empty/],
    [
      'an item path starting with ..',
      setItemPath('..data'),
      '/pod/spec/volumes/0/configMap/items/0/path',
      /start with/,
    ],
    [
      'an item path naming the volume itself',
      setItemPath('a/..x/./'),
      '/pod/spec/volumes/0/configMap/items/0/path',
      /name a file/,
    ],
    [
      'a secret item path with ..',
      (d) => {
        (vol(d, 2).secret?.items?.[0] as { path: string }).path = '../../x';
      },
      '/pod/spec/volumes/2/secret/items/0/path',
      /'\.\.'/,
    ],
    [
      'a configMap key that escapes when all keys are projected',
      (d) => {
        const data = d.container?.[0]?.configMaps?.[0]?.data as Record<string, string>;
        data['../evil'] = 'x';
      },
      '/container/0/configMaps/0/data/..~1evil',
      /'\.\.'/,
    ],
    [
      'a pre-rendered projected path that escapes',
      (d) => {
        const data = d.container?.[0]?.projectedvolumemaps?.[0]?.data as Record<string, string>;
        data['/etc/shadow'] = 'x';
      },
      '/container/0/projectedvolumemaps/0/data/~1etc~1shadow',
      /relative/,
    ],
    [
      'an item key the configMap lacks',
      (d) => {
        (vol(d, 0).configMap?.items?.[1] as { key: string }).key = 'nope';
      },
      '/pod/spec/volumes/0/configMap/items/1/key',
      /names key "nope", which ConfigMap ".*" does not have/,
    ],
    [
      'a required configMap that was not sent',
      (d) => {
        for (const c of d.container ?? []) c.configMaps = null;
      },
      '/pod/spec/volumes/0/configMap/name',
      /names ConfigMap ".*", which was not sent with the pod/,
    ],
    [
      'a required secret that was not sent',
      (d) => {
        for (const c of d.container ?? []) c.secrets = [];
      },
      '/pod/spec/volumes/2/secret/secretName',
      /names Secret ".*", which was not sent/,
    ],
    [
      'a volumeMount naming an undefined volume',
      (d) => {
        mount(d, 0).name = 'ghost';
      },
      '/pod/spec/containers/0/volumeMounts/0/name',
      /names volume "ghost", which is not in \/pod\/spec\/volumes/,
    ],
    [
      'a subPath with ..',
      (d) => {
        mount(d, 0).subPath = 'conf/../../..';
      },
      '/pod/spec/containers/0/volumeMounts/0/subPath',
      /'\.\.'/,
    ],
    [
      'an absolute subPath',
      (d) => {
        mount(d, 1).subPath = '/etc';
      },
      '/pod/spec/containers/0/volumeMounts/1/subPath',
      /relative/,
    ],
    [
      'a subPathExpr',
      (d) => {
        mount(d, 1).subPathExpr = '$(POD_NAME)';
      },
      '/pod/spec/containers/0/volumeMounts/1/subPathExpr',
      /not supported/,
    ],
    [
      'a relative mountPath',
      (d) => {
        mount(d, 0).mountPath = 'etc/vkr';
      },
      '/pod/spec/containers/0/volumeMounts/0/mountPath',
      /absolute/,
    ],
    [
      'a hostPath when none is allowed',
      addVolume({ name: 'host', hostPath: { path: '/etc' } }),
      '/pod/spec/volumes/5/hostPath/path',
      /PLUGIN_ALLOWED_HOST_PATHS.*allowed now: none/,
      [],
    ],
    [
      'a hostPath that climbs out of an allowed prefix',
      addVolume({ name: 'host', hostPath: { path: '/data/../etc' } }),
      '/pod/spec/volumes/5/hostPath/path',
      /\/etc is not under an allowed host path/,
    ],
    [
      'a hostPath that only shares a name prefix',
      addVolume({ name: 'host', hostPath: { path: '/database' } }),
      '/pod/spec/volumes/5/hostPath/path',
      /not under an allowed host path.*allowed now: \/data/,
    ],
    [
      'a relative hostPath',
      addVolume({ name: 'host', hostPath: { path: 'data' } }),
      '/pod/spec/volumes/5/hostPath/path',
      /absolute/,
    ],
    [
      'a persistentVolumeClaim',
      addVolume({ name: 'claim', persistentVolumeClaim: { claimName: 'c' } }),
      '/pod/spec/volumes/5/persistentVolumeClaim',
      /volume kind persistentVolumeClaim is not supported by the Docker plugin/,
    ],
    [
      'an unknown volume kind',
      addVolume({ name: 'n', nfs: { server: 's', path: '/' } } as Volume),
      '/pod/spec/volumes/5/nfs',
      /volume kind nfs is not supported by the Docker plugin/,
    ],
    [
      'an unsupported volume kind even when nothing mounts it',
      (d) => {
        d.pod.spec?.volumes?.push({ name: 'claim', persistentVolumeClaim: { claimName: 'c' } });
      },
      '/pod/spec/volumes/5/persistentVolumeClaim',
      /not supported/,
    ],
    [
      'a mode beyond 0777',
      (d) => {
        (vol(d, 0).configMap as { defaultMode: number }).defaultMode = 0o4755;
      },
      '/pod/spec/volumes/0/configMap/defaultMode',
      /between 0 and 0777/,
    ],
    [
      'two items at one path',
      (d) => {
        (vol(d, 0).configMap?.items?.[1] as { path: string }).path = 'conf/app.conf';
      },
      '/pod/spec/volumes/0/configMap/items/1/path',
      /puts two things at conf\/app.conf/,
    ],
    [
      'a file where a directory is needed',
      (d) => {
        (vol(d, 0).configMap?.items?.[1] as { path: string }).path = 'conf/app.conf/run.sh';
      },
      '/pod/spec/volumes/0/configMap/items/1/path',
      /needs conf\/app.conf to be a directory/,
    ],
    [
      'an emptyDir medium Docker cannot give',
      addVolume({ name: 'huge', emptyDir: { medium: 'HugePages' } }),
      '/pod/spec/volumes/5/emptyDir/medium',
      /not supported/,
    ],
    [
      'a bad emptyDir sizeLimit',
      addVolume({ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '10 Mi' } }),
      '/pod/spec/volumes/5/emptyDir/sizeLimit',
      /not a valid Kubernetes quantity/,
    ],
    [
      'a subPath into a Memory emptyDir',
      addVolume({ name: 'mem', emptyDir: { medium: 'Memory' } }, { subPath: 'a' }),
      '/pod/spec/containers/0/volumeMounts/5/subPath',
      /Memory emptyDir is not supported/,
    ],
    [
      'a volume name that is no DNS label',
      (d) => {
        vol(d, 0).name = '../cfg';
        mount(d, 0).name = '../cfg';
      },
      '/pod/spec/volumes/0/name',
      /DNS label/,
    ],
    [
      'a pod UID that is no safe directory name',
      (d) => {
        d.pod.metadata.uid = '../../etc';
      },
      '/pod/metadata/uid',
      /letters, digits/,
    ],
  ];
  it.each(rows)('refuses %s, naming the field', (_name, mutate, field, problem, allowed = ['/data']) => {
    const data = example();
    mutate(data);
    let caught: unknown;
    try {
      plan(data, allowed);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PluginError);
    const error = caught as PluginError;
    expect(error.status).toBe(422);
    expect(error.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });

  // [behaviour, mutation, volume, files it ends with]
  const accepted: Array<[string, Mutation, string, string[]]> = [
    [
      'an optional configMap that was not sent becomes an empty volume',
      (d) => {
        for (const c of d.container ?? []) c.configMaps = null;
        for (const i of [0, 1]) (vol(d, i).configMap as { optional: boolean }).optional = true;
      },
      'cfg',
      [],
    ],
    [
      'an optional configMap skips an item key it lacks',
      (d) => {
        (vol(d, 0).configMap?.items?.[1] as { key: string }).key = 'nope';
        (vol(d, 0).configMap as { optional: boolean }).optional = true;
      },
      'cfg',
      ['conf/app.conf'],
    ],
    [
      'a configMap volume nothing mounts needs no object',
      (d) => {
        d.pod.spec?.volumes?.push({ name: 'spare', configMap: { name: 'never-sent' } });
      },
      'cfg',
      ['conf/app.conf', 'bin/run.sh'],
    ],
  ];
  it.each(accepted)('accepts %s', (_name, mutate, volume, want) => {
    const data = example();
    mutate(data);
    const planned = plan(data).volumes.find((v) => v.name === volume);
    expect(planned?.kind === 'files' ? planned.files.map((f) => f.path) : undefined).toEqual(want);
  });
});

describe('mountArgsFor', () => {
  const dir = () => join(stateDir, 'pods', UID, 'volumes');
  // [behaviour, volumes, mounts, args made for the mounts beyond the example's five]
  const rows: Array<[string, Volume[], Array<Record<string, unknown>>, (d: string) => string[]]> = [
    [
      'binds a subPath file of a configMap, read-only even when not asked',
      [],
      [{ name: 'cfg', mountPath: '/app/app.conf', subPath: 'conf/app.conf', readOnly: false }],
      (d) => ['--mount', `type=bind,source=${d}/cfg/conf/app.conf,target=/app/app.conf,readonly`],
    ],
    [
      'binds an emptyDir read-write, or read-only when asked',
      [{ name: 'scratch', emptyDir: {} }],
      [
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'scratch', mountPath: '/scratch-ro', readOnly: true, subPath: 'logs/' },
      ],
      (d) => [
        '--mount',
        `type=bind,source=${d}/scratch,target=/scratch`,
        '--mount',
        `type=bind,source=${d}/scratch/logs,target=/scratch-ro,readonly`,
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

describe('writing and removing', () => {
  it('makes an emptyDir shared, world-writable, and keeps its files on a second write', async () => {
    const data = withVolumes([{ name: 'scratch', emptyDir: {} }], [{ name: 'scratch', mountPath: '/s' }]);
    const p = plan(data);
    await writePodVolumes(p);
    expect((await fs.stat(volumeDir('scratch'))).mode & 0o7777).toBe(0o777);
    await fs.writeFile(join(volumeDir('scratch'), 'kept'), 'x');
    await writePodVolumes(p);
    expect(await fs.readFile(join(volumeDir('scratch'), 'kept'), 'utf8')).toBe('x');
  });

  it('creates a missing subPath inside an emptyDir', async () => {
    const data = withVolumes(
      [{ name: 'scratch', emptyDir: {} }],
      [{ name: 'scratch', mountPath: '/s', subPath: 'a/b' }],
    );
    await writePodVolumes(plan(data));
    expect((await fs.stat(join(volumeDir('scratch'), 'a/b'))).isDirectory()).toBe(true);
  });

  it('refuses a subPath that a container turned into a symlink', async () => {
    const data = withVolumes(
      [{ name: 'scratch', emptyDir: {} }],
      [{ name: 'scratch', mountPath: '/s', subPath: 'link/x' }],
    );
    const p: VolumePlan = plan(data);
    await writePodVolumes(p);
    await fs.rm(join(volumeDir('scratch'), 'link'), { recursive: true });
    await fs.symlink('/etc', join(volumeDir('scratch'), 'link'));
    await expect(checkSubPaths(p, 'inspector')).rejects.toMatchObject({
      status: 422,
      details: [
        { field: '/pod/spec/containers/0/volumeMounts/5/subPath', problem: expect.stringMatching(/symlink/) },
      ],
    });
  });

  it('gives volume files the fsGroup and group read, as the kubelet does', async () => {
    const data = example();
    data.pod.spec = {
      ...data.pod.spec,
      containers: data.pod.spec?.containers ?? [],
      securityContext: { fsGroup: 2345 },
    };
    await writePodVolumes(plan(data));
    const st = await fs.stat(join(volumeDir('sec'), 'creds/pw'));
    expect({ gid: st.gid, mode: st.mode & 0o7777 }).toEqual({ gid: 2345, mode: 0o440 });
    const dirSt = await fs.stat(volumeDir('sec'));
    expect({ gid: dirSt.gid, setgid: (dirSt.mode & 0o2000) !== 0 }).toEqual({ gid: 2345, setgid: true });
  });

  it('renders downward API items interLink left out, with their modes', async () => {
    const data = withVolumes(
      [
        {
          name: 'podinfo',
          downwardAPI: {
            defaultMode: 0o600,
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o444 },
              {
                path: 'mem',
                resourceFieldRef: { containerName: 'inspector', resource: 'limits.memory', divisor: '1Mi' },
              },
            ],
          },
        },
      ],
      [{ name: 'podinfo', mountPath: '/podinfo' }],
    );
    data.pod.metadata.labels = { app: 'web', tier: 'a"b' };
    (data.pod.spec?.containers[0] as { resources: unknown }).resources = { limits: { memory: '96Mi' } };
    await writePodVolumes(plan(data));
    expect(await fileAt(join(volumeDir('podinfo'), 'labels'))).toEqual({
      content: 'app="web"\ntier="a\\"b"',
      mode: 0o600,
    });
    expect(await fileAt(join(volumeDir('podinfo'), 'name'))).toEqual({
      content: data.pod.metadata.name,
      mode: 0o444,
    });
    expect(await fileAt(join(volumeDir('podinfo'), 'mem'))).toEqual({ content: '96', mode: 0o600 });
  });

  describe('hostPath', () => {
    const hostVolume = (path: string, type: string) =>
      withVolumes([{ name: 'host', hostPath: { path, type } }], [{ name: 'host', mountPath: '/h' }]);

    it('creates a DirectoryOrCreate path', async () => {
      const allowed = join(stateDir, 'allowed');
      await fs.mkdir(allowed);
      await writePodVolumes(plan(hostVolume(join(allowed, 'made'), 'DirectoryOrCreate'), [allowed]));
      expect((await fs.stat(join(allowed, 'made'))).isDirectory()).toBe(true);
    });

    it('refuses a missing Directory with a 422 naming the field', async () => {
      const allowed = join(stateDir, 'allowed');
      await fs.mkdir(allowed);
      await expect(
        writePodVolumes(plan(hostVolume(join(allowed, 'nope'), 'Directory'), [allowed])),
      ).rejects.toMatchObject({
        status: 422,
        details: [{ field: '/pod/spec/volumes/5/hostPath/path' }],
      });
    });

    it('refuses a symlink under an allowed directory that leads out of it', async () => {
      const allowed = join(stateDir, 'allowed');
      await fs.mkdir(allowed);
      await fs.symlink('/etc', join(allowed, 'etc'));
      await expect(
        writePodVolumes(plan(hostVolume(join(allowed, 'etc'), ''), [allowed])),
      ).rejects.toMatchObject({
        status: 422,
        message: expect.stringMatching(/resolves to \/etc/),
      });
    });
  });

  it('removePodVolumes leaves nothing, and is fine when there is nothing', async () => {
    const data = withVolumes([{ name: 'scratch', emptyDir: {} }], [{ name: 'scratch', mountPath: '/s' }]);
    await writePodVolumes(plan(data));
    await fs.mkdir(join(volumeDir('scratch'), 'locked'), { mode: 0o500 });
    await removePodVolumes(stateDir, UID);
    expect(await fs.readdir(join(stateDir, 'pods'))).toEqual([]);
    await removePodVolumes(stateDir, UID);
  });

  it('refuses to remove anything for a UID that is not a safe directory name', async () => {
    await expect(removePodVolumes(stateDir, '..')).rejects.toMatchObject({ status: 422 });
  });
});

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
