/**
 * Env `valueFrom` sent unresolved, as with interLink's SkipDownwardAPIResolution: the plugin resolves it
 * from the pod (fieldRef) and from the objects interLink sent with the container (configMap/secret key refs).
 */
import { randomBytes } from 'node:crypto';
import { buildConfigMap, buildSecret, NODE_NAME } from '../../interlink-payloads/index.ts';
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

const fieldRef = (name: string, fieldPath: string) => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

export const envRefScenarios: Scenario[] = [
  {
    id: 'env-field-ref',
    group: 'env-refs',
    checks:
      'Env fieldRefs sent unresolved resolve like the kubelet does: metadata.name, metadata.namespace, ' +
      "metadata.uid, spec.nodeName, spec.serviceAccountName, metadata.labels['app'], metadata.annotations['note'].",
    async run(ctx) {
      const names = ['POD_NAME', 'POD_NAMESPACE', 'POD_UID', 'NODE', 'SA', 'APP_LABEL', 'NOTE'];
      const pod = ctx.pod({
        name: 'env-field-ref',
        labels: { app: 'conformance-kit' },
        annotations: { note: 'from "the" annotation' },
        containers: [
          {
            name: 'main',
            env: [
              fieldRef('POD_NAME', 'metadata.name'),
              fieldRef('POD_NAMESPACE', 'metadata.namespace'),
              fieldRef('POD_UID', 'metadata.uid'),
              fieldRef('NODE', 'spec.nodeName'),
              fieldRef('SA', 'spec.serviceAccountName'),
              fieldRef('APP_LABEL', "metadata.labels['app']"),
              fieldRef('NOTE', "metadata.annotations['note']"),
            ],
            command: sh(names.map((n) => `printf '${n}=[%s]\\n' "$${n}"`).join('; ')),
          },
        ],
      });
      const values = [
        pod.name,
        ctx.settings.namespace,
        pod.uid,
        NODE_NAME,
        'default',
        'conformance-kit',
        'from "the" annotation',
      ];
      await pod.create();
      await pod.waitFor();
      pod.expect({ phase: 'Succeeded', containers: { main: { exitCode: 0 } } });
      await pod.expectLogs('main', names.map((n, i) => `${n}=[${values[i]}]\n`).join(''));
      await pod.teardown();
    },
  },
  {
    id: 'env-key-ref',
    group: 'env-refs',
    checks:
      'Env configMapKeyRef and secretKeyRef sent unresolved take their values from the configMap and secret ' +
      'interLink sent with the container (it mounts both, so they ride along); secret values are decoded; an ' +
      'optional ref to a missing key leaves the variable unset.',
    async run(ctx) {
      const token = `tok-${randomBytes(4).toString('hex')}`;
      const cm = buildConfigMap(
        `conf-env-${randomBytes(3).toString('hex')}`,
        { greeting: 'hello from the configmap' },
        ctx.settings.namespace,
      );
      const sec = buildSecret(
        `conf-env-${randomBytes(3).toString('hex')}`,
        { token },
        ctx.settings.namespace,
      );
      const cmName = cm.metadata?.name as string;
      const secName = sec.metadata?.name as string;
      await runToEnd(
        ctx,
        {
          name: 'env-key-ref',
          configMaps: [cm],
          secrets: [sec],
          volumes: [
            { name: 'cm', configMap: { name: cmName } },
            { name: 'sec', secret: { secretName: secName } },
          ],
          containers: [
            {
              name: 'main',
              env: [
                { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: cmName, key: 'greeting' } } },
                { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: secName, key: 'token' } } },
                {
                  name: 'OPTIONAL_MISSING',
                  valueFrom: { configMapKeyRef: { name: cmName, key: 'absent', optional: true } },
                },
              ],
              command: sh(
                'printf "cm=[%s]\\n" "$FROM_CM"; printf "secret=[%s]\\n" "$FROM_SECRET"; ' +
                  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
                  'if [ "${OPTIONAL_MISSING+set}" = set ]; then echo OPTIONAL-MISSING-IS-SET; else echo optional-unset; fi',
              ),
              volumeMounts: [
                { name: 'cm', mountPath: '/etc/env-cm' },
                { name: 'sec', mountPath: '/etc/env-sec' },
              ],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          logs: { main: `cm=[hello from the configmap]\nsecret=[${token}]\noptional-unset\n` },
        },
      );
    },
  },
];
