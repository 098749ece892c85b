import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { removePodVolumes, writePodVolumes } from '../../../src/docker/volumes/volume-files.ts';
import type { VolumePlan } from '../../../src/pod/volume-types.ts';
import { EXAMPLE, example, UID, volumeState, withVolumes } from '../../fixtures/volumes-example.ts';

const state = volumeState();
const { plan, volumeDir } = state;

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
    expect(await fileAt(join(state.dir, 'pods', UID, 'volumes', path))).toEqual({ content, mode });
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
    expect((await fs.stat(join(state.dir, 'pods', UID))).mode & 0o777).toBe(0o700);
  });

  it('is idempotent', async () => {
    const p = plan(example());
    await writePodVolumes(p);
    await writePodVolumes(p);
    expect(await fileAt(join(volumeDir('cfg'), 'bin/run.sh'))).toMatchObject({ mode: 0o755 });
    expect((await fs.readdir(join(volumeDir('cfg'), 'bin'))).sort()).toEqual(['run.sh']);
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
    await expect(writePodVolumes(p)).rejects.toMatchObject({
      kind: 'invalid',
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

  /** Host directories apart from the state dir, which no hostPath may hold. */
  const host = { dir: '' };
  beforeEach(async () => {
    host.dir = await fs.mkdtemp(join(tmpdir(), 'host-paths-'));
  });
  afterEach(async () => {
    await removePodVolumes(state.dir, UID);
    await fs.rm(host.dir, { recursive: true, force: true });
  });

  describe('hostPath', () => {
    const hostVolume = (path: string, type: string) =>
      withVolumes([{ name: 'host', hostPath: { path, type } }], [{ name: 'host', mountPath: '/h' }]);

    it('creates a DirectoryOrCreate path', async () => {
      const allowed = join(host.dir, 'allowed');
      await fs.mkdir(allowed);
      await writePodVolumes(plan(hostVolume(join(allowed, 'made'), 'DirectoryOrCreate'), [allowed]));
      expect((await fs.stat(join(allowed, 'made'))).isDirectory()).toBe(true);
    });

    it.each(['DirectoryOrCreate', 'FileOrCreate'])(
      'makes a missing %s path nowhere but under the allowed directory, never through a symlink in it',
      async (type) => {
        const allowed = join(host.dir, 'allowed');
        const outside = join(host.dir, 'outside');
        await fs.mkdir(allowed);
        await fs.mkdir(outside);
        await fs.symlink(outside, join(allowed, 'link'));
        await expect(
          writePodVolumes(plan(hostVolume(join(allowed, 'link', 'made'), type), [allowed])),
        ).rejects.toMatchObject({
          kind: 'invalid',
          details: [{ field: '/pod/spec/volumes/5/hostPath/path' }],
        });
        expect(await fs.readdir(outside)).toEqual([]);
      },
    );

    it('makes a missing FileOrCreate file', async () => {
      const allowed = join(host.dir, 'allowed');
      await fs.mkdir(allowed);
      await writePodVolumes(plan(hostVolume(join(allowed, 'made.txt'), 'FileOrCreate'), [allowed]));
      expect((await fs.stat(join(allowed, 'made.txt'))).isFile()).toBe(true);
    });

    it('never opens what another pod put in a FileOrCreate path after the plugin found it missing', async () => {
      const allowed = join(host.dir, 'allowed');
      await fs.mkdir(allowed);
      const path = join(allowed, 'made.txt');
      // Another pod with the allowed directory writable makes a FIFO there right after the stat:
      // opening it for writing would wait for a reader for ever, holding one of libuv's threads.
      const stat = vi.spyOn(fs, 'stat').mockImplementationOnce(async () => {
        execFileSync('mkfifo', [path]);
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      });
      try {
        await expect(
          writePodVolumes(plan(hostVolume(path, 'FileOrCreate'), [allowed])),
        ).rejects.toMatchObject({
          kind: 'invalid',
          message: expect.stringMatching(/is not a file/),
        });
      } finally {
        stat.mockRestore();
      }
    }, 10_000);

    it('refuses a missing Directory with a 422 naming the field', async () => {
      const allowed = join(host.dir, 'allowed');
      await fs.mkdir(allowed);
      await expect(
        writePodVolumes(plan(hostVolume(join(allowed, 'nope'), 'Directory'), [allowed])),
      ).rejects.toMatchObject({
        kind: 'invalid',
        details: [{ field: '/pod/spec/volumes/5/hostPath/path' }],
      });
    });

    it('refuses a symlink under an allowed directory that leads out of it', async () => {
      const allowed = join(host.dir, 'allowed');
      await fs.mkdir(allowed);
      await fs.symlink('/etc', join(allowed, 'etc'));
      await expect(
        writePodVolumes(plan(hostVolume(join(allowed, 'etc'), ''), [allowed])),
      ).rejects.toMatchObject({
        kind: 'invalid',
        message: expect.stringMatching(/resolves to \/etc/),
      });
    });
  });

  it('removePodVolumes detaches the pins first, leaving the hostPath files they bound', async () => {
    const allowed = join(host.dir, 'allowed');
    await fs.mkdir(join(allowed, 'x'), { recursive: true });
    await fs.writeFile(join(allowed, 'x', 'precious'), 'host data');
    const data = withVolumes(
      [{ name: 'host', hostPath: { path: allowed, type: 'Directory' } }],
      [{ name: 'host', mountPath: '/h', subPath: 'x' }],
    );
    await writePodVolumes(plan(data, [allowed]));
    const pin = join(state.dir, 'pods', UID, 'pins', 'inspector', '5');
    expect(await fs.readFile(join(pin, 'precious'), 'utf8')).toBe('host data');
    await removePodVolumes(state.dir, UID);
    expect(await fs.readFile(join(allowed, 'x', 'precious'), 'utf8')).toBe('host data');
    expect(await fs.readdir(join(state.dir, 'pods'))).toEqual([]);
  });

  it('removePodVolumes leaves nothing, and is fine when there is nothing', async () => {
    const data = withVolumes([{ name: 'scratch', emptyDir: {} }], [{ name: 'scratch', mountPath: '/s' }]);
    await writePodVolumes(plan(data));
    await fs.mkdir(join(volumeDir('scratch'), 'locked'), { mode: 0o500 });
    await removePodVolumes(state.dir, UID);
    expect(await fs.readdir(join(state.dir, 'pods'))).toEqual([]);
    await removePodVolumes(state.dir, UID);
  });

  it('refuses to remove anything for a UID that is not a safe directory name', async () => {
    await expect(removePodVolumes(state.dir, '..')).rejects.toMatchObject({ kind: 'invalid' });
  });
});
