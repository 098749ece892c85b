/** The volumes whose content the Virtual Kubelet sends (configMap, secret, service account, downwardAPI), as a container reads them. */
import { expect, it } from 'vitest';
import {
  buildConfigMap,
  buildCreateRequest,
  buildPod,
  buildSecret,
  SERVICE_ACCOUNT_MOUNT_PATH,
} from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { deletePod, runToEnd, sh } from './pod-session.ts';

/** Prints `<name> <base64 of the file>` per file: byte-exact through the log, whatever the content. */
const printBase64 = (dir: string, files: string[]) =>
  files.map((f) => `echo "${f} $(base64 ${dir}/${f} | tr -d '\\n')"`).join('; ');

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');

describeDocker('volumes filled from the create body', () => {
  const plugin = usePlugin();

  it('mounts the listed configMap keys only, at their paths, with their modes', async () => {
    const cm = buildConfigMap('app-config', {
      'app.conf': 'port=8080\nmode="fast"\n',
      'extra.txt': 'extra\n',
      unlisted: 'must not appear\n',
    });
    const pod = buildPod({
      volumes: [
        {
          name: 'listed',
          configMap: {
            name: 'app-config',
            defaultMode: 0o640,
            items: [
              { key: 'app.conf', path: 'conf/app.conf', mode: 0o600 },
              { key: 'extra.txt', path: 'extra.txt' },
            ],
          },
        },
        { name: 'all-keys', configMap: { name: 'app-config' } },
      ],
      containers: [
        sh(
          'reader',
          'cd /listed && find . -type f | sort && stat -c "%a %n" conf/app.conf extra.txt && cat conf/app.conf extra.txt; ' +
            'cd /all && ls && stat -c "%a %n" unlisted',
          {
            volumeMounts: [
              { name: 'listed', mountPath: '/listed' },
              { name: 'all-keys', mountPath: '/all' },
            ],
          },
        ),
      ],
    });
    const { status, logs } = await runToEnd(plugin, pod, { configMaps: [cm] });
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(0);
    expect(logs.reader).toBe(
      [
        './conf/app.conf',
        './extra.txt',
        '600 conf/app.conf',
        '640 extra.txt',
        'port=8080',
        'mode="fast"',
        'extra',
        'app.conf',
        'extra.txt',
        'unlisted',
        '644 unlisted',
        '',
      ].join('\n'),
    );
    await deletePod(plugin, pod);
  });

  it('mounts secret values base64-decoded, byte for byte, with the secret’s modes', async () => {
    const binary = Uint8Array.from([0, 1, 2, 10, 13, 127, 128, 254, 255]);
    const values = { password: 'p@ss w0rd\n$HOME `id` "quoted"\n', token: 'no-newline', binary };
    const secret = buildSecret('creds', values);
    const pod = buildPod({
      volumes: [
        { name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } },
        {
          name: 'one-key',
          secret: { secretName: 'creds', items: [{ key: 'token', path: 'api/token', mode: 0o440 }] },
        },
      ],
      containers: [
        sh(
          'reader',
          `cd /creds && stat -c "%a %n" * && ${printBase64('/creds', ['binary', 'password', 'token'])}; ` +
            'stat -c "%a %n" /one/api/token; ls /one',
          {
            volumeMounts: [
              { name: 'creds', mountPath: '/creds' },
              { name: 'one-key', mountPath: '/one' },
            ],
          },
        ),
      ],
    });
    const { logs } = await runToEnd(plugin, pod, { secrets: [secret] });
    expect(logs.reader).toBe(
      [
        '400 binary',
        '400 password',
        '400 token',
        `binary ${b64(binary)}`,
        `password ${b64(values.password)}`,
        `token ${b64(values.token)}`,
        '440 /one/api/token',
        'api',
        '',
      ].join('\n'),
    );
    await deletePod(plugin, pod);
  });

  it('mounts the service-account volume (token, ca.crt, namespace) read-only, byte for byte', async () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${b64('{"sub":"system:serviceaccount:default:default"}')}.c2ln`;
    const caCrt =
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2h=\nbGluZSB0d28=\n-----END CERTIFICATE-----\n';
    const pod = buildPod({
      containers: [
        sh(
          'reader',
          `cd ${SERVICE_ACCOUNT_MOUNT_PATH} && ls && stat -c "%a %n" ca.crt namespace token && ` +
            `${printBase64('.', ['ca.crt', 'namespace', 'token'])}; ` +
            'touch new-file 2>/dev/null && echo writable || echo read-only',
        ),
      ],
    });
    const { logs } = await runToEnd(plugin, pod, { serviceAccount: { token, caCrt } });
    expect(logs.reader).toBe(
      [
        'ca.crt',
        'namespace',
        'token',
        '644 ca.crt',
        '644 namespace',
        '644 token',
        `ca.crt ${b64(caCrt)}`,
        `namespace ${b64('default')}`,
        `token ${b64(token)}`,
        'read-only',
        '',
      ].join('\n'),
    );
    await deletePod(plugin, pod);
  });

  it('mounts a downwardAPI volume with the content interLink rendered and the items’ modes', async () => {
    const pod = buildPod({
      labels: { app: 'demo', tier: 'backend' },
      volumes: [
        {
          name: 'podinfo',
          downwardAPI: {
            items: [
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'meta/namespace', fieldRef: { fieldPath: 'metadata.namespace' }, mode: 0o400 },
            ],
          },
        },
      ],
      containers: [
        sh(
          'reader',
          `stat -c "%a %n" /info/name /info/meta/namespace; ${printBase64('/info', ['labels', 'meta/namespace', 'name'])}`,
          { volumeMounts: [{ name: 'podinfo', mountPath: '/info' }] },
        ),
      ],
    });
    // What the Virtual Kubelet rendered is what the files must hold.
    const rendered = (buildCreateRequest(pod).container ?? [])[0]?.projectedvolumemaps?.find(
      (m) => m.metadata?.name === 'podinfo',
    )?.data as Record<string, string>;
    expect(rendered.name).toBe(pod.metadata.name);
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.reader).toBe(
      [
        '644 /info/name',
        '400 /info/meta/namespace',
        `labels ${b64(rendered.labels as string)}`,
        `meta/namespace ${b64('default')}`,
        `name ${b64(pod.metadata.name)}`,
        '',
      ].join('\n'),
    );
    expect(logs.reader).toContain(b64('app="demo"\ntier="backend"\n'));
    await deletePod(plugin, pod);
  });

  it('gives a downwardAPI item for limits.cpu of a container without a limit the node CPUs, as env does', async () => {
    const ncpu = Number((await runDocker(['info', '--format', '{{.NCPU}}'])).stdout.trim());
    // The Virtual Kubelet renders no resourceFieldRef item: the plugin does, with env's downward API.
    const ref = { containerName: 'reader', resource: 'limits.cpu', divisor: '1m' };
    const pod = buildPod({
      volumes: [{ name: 'podinfo', downwardAPI: { items: [{ path: 'cpu', resourceFieldRef: ref }] } }],
      containers: [
        sh('reader', 'echo "file $(cat /info/cpu) env $CPU"', {
          volumeMounts: [{ name: 'podinfo', mountPath: '/info' }],
          env: [{ name: 'CPU', valueFrom: { resourceFieldRef: ref } }],
        }),
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.reader).toBe(`file ${ncpu * 1000} env ${ncpu * 1000}\n`);
    await deletePod(plugin, pod);
  });
});
