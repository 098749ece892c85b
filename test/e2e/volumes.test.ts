/** A pod's emptyDir, hostPath and subPath volumes as its containers see them, and what is left on the host afterwards. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Pod, Volume } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import {
  buildConfigMap,
  buildCreateRequest,
  buildPod,
  buildSecret,
  type CreateObjects,
} from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { deletePod, expectRefusal, JSON_ERRORS, podContainerIds, runToEnd, sh } from './pod-session.ts';

describeDocker('volumes', () => {
  const allowedDir = mkdtempSync(join(tmpdir(), 'allowed-host-path-'));
  afterAll(() => rmSync(allowedDir, { recursive: true, force: true }));
  const plugin = usePlugin({ args: ['--allowed-host-paths', allowedDir] });

  const podDir = (pod: Pod) => join(plugin.stateDir, 'pods', pod.metadata.uid);

  it('shares an emptyDir between the containers of a pod', async () => {
    const pod = buildPod({
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        sh('writer', 'echo "written by the writer" > /data/msg.tmp && mv /data/msg.tmp /data/msg', {
          volumeMounts: [{ name: 'shared', mountPath: '/data' }],
        }),
        sh('reader', 'while [ ! -f /in/msg ]; do sleep 0.1; done; cat /in/msg', {
          volumeMounts: [{ name: 'shared', mountPath: '/in' }],
        }),
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.reader).toBe('written by the writer\n');
    await deletePod(plugin, pod);
  });

  it('removes an emptyDir in which its container nested 2500 directories (a path past PATH_MAX)', async () => {
    // Removal by path failed with ENAMETOOLONG: the delete answered 500 and the files stayed for ever.
    // Each step is a short path: 500 levels made at once, the tree so far moved to their bottom.
    const nest =
      'cd /scratch && p=d; i=1; while [ $i -lt 500 ]; do p=$p/d; i=$((i+1)); done; mkdir -p t/$p && ' +
      'for k in 1 2 3 4; do mkdir -p n/$p && mv t n/$p/t && mv n t || exit 1; done';
    const pod = buildPod({
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [sh('nester', nest, { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] })],
    });
    const { status } = await runToEnd(plugin, pod);
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(0);
    await deletePod(plugin, pod);
    expect(existsSync(podDir(pod))).toBe(false);
  });

  it.each<[string, Volume['emptyDir'], RegExp]>([
    [
      'a tmpfs for medium Memory, sized by sizeLimit',
      { medium: 'Memory', sizeLimit: '8Mi' },
      /^tmpfs .*size=8192k/,
    ],
    ['on disk by default', {}, /^(?!tmpfs)\S+ /],
  ])('makes an emptyDir %s', async (_label, emptyDir, fsType) => {
    const pod = buildPod({
      volumes: [{ name: 'cache', emptyDir }],
      containers: [
        sh(
          'probe',
          'echo hello > /cache/f && grep " /cache " /proc/mounts | cut -d" " -f3,4 && cat /cache/f',
          {
            volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
          },
        ),
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    const [mount, content] = (logs.probe ?? '').split('\n');
    expect(mount).toMatch(fsType);
    expect(content).toBe('hello');
    await deletePod(plugin, pod);
  });

  it('mounts a single configMap file with subPath, leaving the rest of the directory in place', async () => {
    const cm = buildConfigMap('one-file', { 'app.conf': 'key=value\n', other: 'other\n' });
    const pod = buildPod({
      volumes: [{ name: 'cfg', configMap: { name: 'one-file' } }],
      containers: [
        sh(
          'reader',
          'cat /etc/app.conf && ls /etc/passwd && ls /etc/other 2>&1 >/dev/null | grep -c "No such"',
          {
            volumeMounts: [{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }],
          },
        ),
      ],
    });
    const { logs } = await runToEnd(plugin, pod, { configMaps: [cm] });
    expect(logs.reader).toBe('key=value\n/etc/passwd\n1\n');
    await deletePod(plugin, pod);
  });

  it('mounts a directory of an emptyDir with subPath, created on demand and seen by the others', async () => {
    const pod = buildPod({
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        sh('writer', 'echo in-subdir > /var/log/app/out.log', {
          volumeMounts: [{ name: 'shared', mountPath: '/var/log/app', subPath: 'logs/app' }],
        }),
        sh('reader', 'while [ ! -s /all/logs/app/out.log ]; do sleep 0.1; done; cat /all/logs/app/out.log', {
          volumeMounts: [{ name: 'shared', mountPath: '/all' }],
        }),
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.reader).toBe('in-subdir\n');
    await deletePod(plugin, pod);
  });

  it('refuses writes to a readOnly mount and to configMap volumes, while a read-write mount works', async () => {
    const cm = buildConfigMap('ro-config', { a: 'a\n' });
    const tryWrite = (dir: string) =>
      `(echo x > ${dir}/new) 2>/dev/null && echo "${dir} written" || echo "${dir} refused"`;
    const pod = buildPod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'ro-config' } },
      ],
      containers: [
        sh('app', [tryWrite('/ro'), tryWrite('/rw'), tryWrite('/cfg')].join('; '), {
          volumeMounts: [
            { name: 'data', mountPath: '/ro', readOnly: true },
            { name: 'data', mountPath: '/rw' },
            { name: 'cfg', mountPath: '/cfg' },
          ],
        }),
      ],
    });
    const { logs } = await runToEnd(plugin, pod, { configMaps: [cm] });
    expect(logs.app).toBe('/ro refused\n/rw written\n/cfg refused\n');
    await deletePod(plugin, pod);
  });

  type Row = [string, () => { pod: Pod; objects?: CreateObjects }, string];
  const withConfigMapVolume = (
    volume: Partial<NonNullable<Volume['configMap']>>,
    data: Record<string, string> = { a: 'a' },
  ) => ({
    pod: buildPod({
      volumes: [{ name: 'cfg', configMap: { name: 'cm', ...volume } }],
      containers: [{ name: 'app', command: ['true'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
    }),
    objects: { configMaps: [buildConfigMap('cm', data)] },
  });
  const withSubPath = (subPath: string) => ({
    pod: buildPod({
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        { name: 'app', command: ['true'], volumeMounts: [{ name: 'scratch', mountPath: '/s', subPath }] },
      ],
    }),
  });
  it.each<Row>([
    [
      'a configMap item path with ..',
      () => withConfigMapVolume({ items: [{ key: 'a', path: '../escape' }] }),
      '/pod/spec/volumes/0/configMap/items/0/path',
    ],
    [
      'an absolute configMap item path',
      () => withConfigMapVolume({ items: [{ key: 'a', path: '/etc/escape' }] }),
      '/pod/spec/volumes/0/configMap/items/0/path',
    ],
    [
      'a configMap key starting with .. used as a file name',
      () => withConfigMapVolume({}, { '..data': 'x' }),
      '/container/0/configMaps/0/data/..data',
    ],
    [
      'a secret item path going up through a directory',
      () => ({
        pod: buildPod({
          volumes: [{ name: 'sec', secret: { secretName: 's', items: [{ key: 'k', path: 'a/../../b' }] } }],
          containers: [
            { name: 'app', command: ['true'], volumeMounts: [{ name: 'sec', mountPath: '/sec' }] },
          ],
        }),
        objects: { secrets: [buildSecret('s', { k: 'v' })] },
      }),
      '/pod/spec/volumes/0/secret/items/0/path',
    ],
    ['a subPath with ..', () => withSubPath('../../etc'), '/pod/spec/containers/0/volumeMounts/0/subPath'],
    ['an absolute subPath', () => withSubPath('/etc'), '/pod/spec/containers/0/volumeMounts/0/subPath'],
    [
      'a pre-rendered projected path with ..',
      () => {
        const pod = buildPod({
          volumes: [
            {
              name: 'info',
              downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] },
            },
          ],
          containers: [
            { name: 'app', command: ['true'], volumeMounts: [{ name: 'info', mountPath: '/info' }] },
          ],
        });
        const evil = { metadata: { name: 'info' }, data: { '../../evil': 'x' } };
        return { pod, objects: { perContainer: { app: { projectedvolumemaps: [evil] } } } };
      },
      '/container/0/projectedvolumemaps/0/data/..~1..~1evil',
    ],
  ])('refuses %s with a 422 naming the field, and creates nothing', async (_label, make, field) => {
    const { pod, objects } = make();
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod, objects), JSON_ERRORS);
    const body = expectRefusal(res, 422);
    expect(body.details?.map((d) => d.field)).toContain(field);
    expect(body.error).toContain(field);
    expect(await podContainerIds(pod)).toEqual([]);
    expect(existsSync(podDir(pod))).toBe(false);
  });

  it.each<[string, (allowed: string) => string]>([
    ['a host directory outside the allowed ones', () => '/etc'],
    ['a path that leaves an allowed directory with ..', (allowed) => `${allowed}/../../etc`],
  ])('refuses a hostPath volume on %s, naming PLUGIN_ALLOWED_HOST_PATHS', async (_label, path) => {
    const pod = buildPod({
      volumes: [{ name: 'host', hostPath: { path: path(allowedDir) } }],
      containers: [{ name: 'app', command: ['true'], volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
    });
    const body = expectRefusal(
      await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS),
      422,
    );
    expect(body.error).toContain('PLUGIN_ALLOWED_HOST_PATHS');
    expect(body.details?.[0]?.field).toBe('/pod/spec/volumes/0/hostPath/path');
    expect(await podContainerIds(pod)).toEqual([]);
  });

  it('mounts a hostPath under an allowed directory, read and write, and keeps its data after delete', async () => {
    const dir = mkdtempSync(join(allowedDir, 'pod-'));
    writeFileSync(join(dir, 'in.txt'), 'from the host\n');
    const pod = buildPod({
      volumes: [{ name: 'host', hostPath: { path: dir, type: 'Directory' } }],
      containers: [
        sh('app', 'cat /host/in.txt && echo "from the pod" > /host/out.txt', {
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
        }),
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('from the host\n');
    await deletePod(plugin, pod);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('from the pod\n');
  });

  it('leaves nothing of the pod’s volumes on the host after delete', async () => {
    const pod = buildPod({
      volumes: [
        { name: 'cfg', configMap: { name: 'leftover' } },
        { name: 'sec', secret: { secretName: 'leftover' } },
        { name: 'disk', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory' } },
      ],
      containers: [
        sh('app', 'echo data > /disk/file && echo data > /mem/file', {
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' },
            { name: 'sec', mountPath: '/sec' },
            { name: 'disk', mountPath: '/disk' },
            { name: 'mem', mountPath: '/mem' },
          ],
        }),
      ],
    });
    const { status } = await runToEnd(plugin, pod, {
      configMaps: [buildConfigMap('leftover', { a: 'a' })],
      secrets: [buildSecret('leftover', { b: 'b' })],
    });
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(0);
    expect(existsSync(podDir(pod))).toBe(true);
    await deletePod(plugin, pod);
    expect.soft(existsSync(podDir(pod)), `${podDir(pod)} is still there`).toBe(false);
    const { stdout } = await runDocker([
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=${LABEL.podUid}=${pod.metadata.uid}`,
    ]);
    expect.soft(stdout.trim(), 'Docker volumes of the pod left').toBe('');
  });
});
