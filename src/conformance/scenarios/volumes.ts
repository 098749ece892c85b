/** Volumes the plugin makes itself (emptyDir) and the ones interLink sends (configMap, secret, projected). */
import { randomBytes } from 'node:crypto';
import { buildConfigMap, buildSecret, SERVICE_ACCOUNT_MOUNT_PATH } from '../../interlink-payloads/index.ts';
import { fail } from '../checks.ts';
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

const tag = () => randomBytes(4).toString('hex');

export const volumeScenarios: Scenario[] = [
  {
    id: 'empty-dir-shared',
    group: 'volumes',
    checks:
      'One emptyDir mounted in two containers running side by side: it starts empty, the writer puts a file ' +
      'in it, the reader waits for the file and prints it.',
    async run(ctx) {
      const mount = { name: 'shared', mountPath: '/shared' };
      await runToEnd(
        ctx,
        {
          name: 'empty-dir-shared',
          volumes: [{ name: 'shared', emptyDir: {} }],
          containers: [
            {
              name: 'writer',
              command: sh('echo "before=[$(ls -A /shared)]"; echo shared-data > /shared/msg && echo wrote'),
              volumeMounts: [mount],
            },
            {
              name: 'reader',
              command: sh(
                'i=0; while [ ! -s /shared/msg ]; do i=$((i+1)); ' +
                  'if [ $i -gt 60 ]; then echo gave-up-waiting; exit 1; fi; sleep 0.5; done; cat /shared/msg',
              ),
              volumeMounts: [mount],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { writer: { exitCode: 0 }, reader: { exitCode: 0 } },
          logs: { writer: 'before=[]\nwrote\n', reader: 'shared-data\n' },
        },
      );
    },
  },
  {
    id: 'read-only-mount',
    group: 'volumes',
    checks:
      'The same emptyDir mounted twice in one container, at /rw and with readOnly: true at /ro: a file written ' +
      'through /rw is visible through /ro, and writing through /ro fails.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'read-only-mount',
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [
            {
              name: 'main',
              command: sh(
                'echo data > /rw/file && echo rw-ok; cat /ro/file; ' +
                  'if touch /ro/new 2>/dev/null; then echo RO-MOUNT-WRITABLE; else echo ro-refused; fi',
              ),
              volumeMounts: [
                { name: 'data', mountPath: '/rw' },
                { name: 'data', mountPath: '/ro', readOnly: true },
              ],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          logs: { main: 'rw-ok\ndata\nro-refused\n' },
        },
      );
    },
  },
  {
    id: 'configmap-volume',
    group: 'volumes',
    checks:
      'A configMap volume with items (key to path, a per-item mode 0755, defaultMode 0440) projects only the ' +
      'listed keys at their paths with those modes, and the script key runs; a second volume of the same ' +
      'configMap without items projects every key with defaultMode 0644; configMap volumes are read-only.',
    async run(ctx) {
      const cm = buildConfigMap(
        `conf-cfg-${tag()}`,
        {
          'app.conf': 'mode=test\nlevel=3\n',
          'run.sh': '#!/bin/sh\necho script-ran-from-configmap\n',
          'unused.txt': 'must not be projected when items are listed\n',
        },
        ctx.settings.namespace,
      );
      const name = cm.metadata?.name as string;
      const script = [
        'echo "app.conf: $(head -n 1 /etc/conf-items/conf/app.conf)"',
        'echo "mode-app=$(stat -L -c %a /etc/conf-items/conf/app.conf)"',
        'echo "mode-run=$(stat -L -c %a /etc/conf-items/bin/run.sh)"',
        '/etc/conf-items/bin/run.sh',
        'if [ -e /etc/conf-items/unused.txt ] || [ -e /etc/conf-items/app.conf ]; then echo LEAKED-UNLISTED-KEY; else echo only-listed-keys; fi',
        "echo \"all-keys=$(ls /etc/conf-all | tr '\\n' ' ')\"",
        'echo "mode-all=$(stat -L -c %a /etc/conf-all/unused.txt)"',
        "printf 'content=['; cat /etc/conf-all/app.conf; echo ']'",
        'if touch /etc/conf-all/new-file 2>/dev/null; then echo CONFIGMAP-WRITABLE; else echo configmap-read-only; fi',
      ].join('\n');
      await runToEnd(
        ctx,
        {
          name: 'configmap-volume',
          configMaps: [cm],
          volumes: [
            {
              name: 'cfg',
              configMap: {
                name,
                items: [
                  { key: 'app.conf', path: 'conf/app.conf' },
                  { key: 'run.sh', path: 'bin/run.sh', mode: 0o755 },
                ],
                defaultMode: 0o440,
              },
            },
            { name: 'cfg-all', configMap: { name, defaultMode: 0o644 } },
          ],
          containers: [
            {
              name: 'main',
              command: sh(script),
              volumeMounts: [
                { name: 'cfg', mountPath: '/etc/conf-items' },
                { name: 'cfg-all', mountPath: '/etc/conf-all' },
              ],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          logs: {
            main: [
              'app.conf: mode=test',
              'mode-app=440',
              'mode-run=755',
              'script-ran-from-configmap',
              'only-listed-keys',
              'all-keys=app.conf run.sh unused.txt ',
              'mode-all=644',
              'content=[mode=test',
              'level=3',
              ']',
              'configmap-read-only',
              '',
            ].join('\n'),
          },
        },
      );
    },
  },
  {
    id: 'secret-volume',
    group: 'volumes',
    checks:
      'A secret volume (data sent base64, as Go does) is written decoded: an items mapping with defaultMode ' +
      '0400 projects only the listed key, a second volume projects every key, values keep their exact bytes ' +
      '(trailing newline or none).',
    async run(ctx) {
      const password = `s3cr3t-${tag()}`;
      const sec = buildSecret(
        `conf-sec-${tag()}`,
        {
          password,
          blob: 'hello-binary\n',
          note: 'no-newline',
        },
        ctx.settings.namespace,
      );
      const name = sec.metadata?.name as string;
      const script = [
        'echo "pw=$(cat /run/sec-items/creds/pw)"',
        'echo "mode-pw=$(stat -L -c %a /run/sec-items/creds/pw)"',
        "printf 'blob=['; cat /run/sec-all/blob; echo ']'",
        "printf 'note=['; cat /run/sec-all/note; echo ']'",
        "echo \"keys=$(ls /run/sec-all | tr '\\n' ' ')\"",
        'if [ -e /run/sec-items/blob ] || [ -e /run/sec-items/password ]; then echo LEAKED-UNLISTED-KEY; else echo only-listed-keys; fi',
      ].join('\n');
      await runToEnd(
        ctx,
        {
          name: 'secret-volume',
          secrets: [sec],
          volumes: [
            {
              name: 'sec',
              secret: {
                secretName: name,
                items: [{ key: 'password', path: 'creds/pw' }],
                defaultMode: 0o400,
              },
            },
            { name: 'sec-all', secret: { secretName: name, defaultMode: 0o644 } },
          ],
          containers: [
            {
              name: 'main',
              command: sh(script),
              volumeMounts: [
                { name: 'sec', mountPath: '/run/sec-items' },
                { name: 'sec-all', mountPath: '/run/sec-all' },
              ],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          logs: {
            main: `pw=${password}\nmode-pw=400\nblob=[hello-binary\n]\nnote=[no-newline]\nkeys=blob note password \nonly-listed-keys\n`,
          },
        },
      );
    },
  },
  {
    id: 'projected-service-account',
    group: 'volumes',
    checks:
      'The kube-api-access projected volume every pod carries is written from `projectedvolumemaps` and ' +
      `mounted read-only at ${SERVICE_ACCOUNT_MOUNT_PATH}: token, ca.crt and namespace hold what interLink sent, mode 0644.`,
    async run(ctx) {
      const script = [
        `cd ${SERVICE_ACCOUNT_MOUNT_PATH} || exit 1`,
        "echo \"files=$(ls | tr '\\n' ' ')\"",
        'echo "namespace=$(cat namespace)"',
        "printf 'token=['; cat token; echo ']'",
        'head -n 1 ca.crt',
        'echo "mode-token=$(stat -L -c %a token)"',
        'if touch probe 2>/dev/null; then echo SA-VOLUME-WRITABLE; else echo sa-read-only; fi',
      ].join('\n');
      await runToEnd(
        ctx,
        { name: 'projected-service-account', containers: [{ name: 'main', command: sh(script) }] },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          also: async (pod) => {
            const files = pod.createBody.container?.[0]?.projectedvolumemaps?.[0]?.data;
            if (!files) fail('kit error: the create payload has no projected service-account volume');
            const want =
              `files=ca.crt namespace token \nnamespace=${files.namespace}\ntoken=[${files.token}]\n` +
              '-----BEGIN CERTIFICATE-----\nmode-token=644\nsa-read-only\n';
            await pod.expectLogs('main', want);
          },
        },
      );
    },
  },
];
