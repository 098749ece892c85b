import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RetrievedPodData, Volume } from '../../src/contract/api-types.ts';
import { PluginError } from '../../src/errors.ts';
import { example, volumeState } from '../fixtures/volumes-example.ts';

const { plan } = volumeState();

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
    [
      'Bidirectional mount propagation in a container that is not privileged',
      addVolume({ name: 'scratch', emptyDir: {} }, { mountPropagation: 'Bidirectional' }),
      '/pod/spec/containers/0/volumeMounts/5/mountPropagation',
      /only to privileged containers/,
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
    expect(error.kind).toBe('invalid');
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

describe('planPodVolumes and subPath pins', () => {
  const withMount = (volume: Volume, mount: Record<string, unknown>) => {
    const d = example();
    d.pod.spec?.volumes?.push(volume);
    d.pod.spec?.containers[0]?.volumeMounts?.push({ name: volume.name, mountPath: '/x', ...mount });
    return d;
  };
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as PluginError).details;
    }
    return undefined;
  };

  it.each([
    ['an emptyDir', { name: 'scratch', emptyDir: {} }],
    ['a hostPath', { name: 'host', hostPath: { path: '/data/x' } }],
  ] as Array<[string, Volume]>)(
    'refuses a subPath into %s where the plugin cannot pin, naming the container, the volume and the way out',
    (_kind, volume) => {
      const details = refusal(() =>
        plan(withMount(volume, { subPath: 'a/b' }), ['/data'], { subPathPins: false }),
      );
      expect(details).toEqual([
        {
          field: '/pod/spec/containers/0/volumeMounts/5/subPath',
          problem: expect.stringMatching(
            new RegExp(
              `container "inspector" mounts volume "${volume.name}" with subPath a/b.*run it as root with CAP_SYS_ADMIN`,
            ),
          ),
        },
      ]);
    },
  );

  it('pins a subPath into a writable volume, and only that, where the plugin can', () => {
    const d = withMount({ name: 'scratch', emptyDir: {} }, { subPath: 'a' });
    d.pod.spec?.containers[0]?.volumeMounts?.push({ name: 'scratch', mountPath: '/whole' });
    const mounts = plan(d, [], { subPathPins: true }).mounts.get('inspector') ?? [];
    expect(mounts.map((m) => m.pin)).toEqual([false, false, false, false, false, true, false]);
  });

  it('keeps a whole writable volume, and a subPath of a read-only one, where the plugin cannot pin', () => {
    const d = withMount({ name: 'scratch', emptyDir: {} }, {});
    d.pod.spec?.containers[0]?.volumeMounts?.push({
      name: 'cfg',
      mountPath: '/one',
      subPath: 'conf/app.conf',
    });
    expect(refusal(() => plan(d, [], { subPathPins: false }))).toBeUndefined();
  });

  it("refuses a hostPath that holds the plugin's state directory, even under an allowed path", () => {
    const details = refusal(() => {
      const d = example();
      const stateDir = plan(example()).podDir.replace(/\/pods\/.*$/, '');
      d.pod.spec?.volumes?.push({ name: 'host', hostPath: { path: dirname(stateDir) } });
      d.pod.spec?.containers[0]?.volumeMounts?.push({ name: 'host', mountPath: '/x' });
      return plan(d, ['/']);
    });
    expect(details).toEqual([
      { field: '/pod/spec/volumes/5/hostPath/path', problem: expect.stringMatching(/state directory/) },
    ]);
  });
});
