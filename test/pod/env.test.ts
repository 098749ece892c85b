import { describe, expect, it } from 'vitest';
import type { ConfigMap, Container, EnvVar, Pod, Secret } from '../../src/contract/api-types.ts';
import { type EnvInput, resolveContainerEnv } from '../../src/pod/env.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function pod(container: Partial<Container> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: '2f1c9a4e-0000-4000-8000-000000000001',
      labels: { app: 'web', tier: 'front' },
      annotations: { 'example.com/owner': 'team "blue"' },
    },
    spec: {
      nodeName: 'vk-node',
      serviceAccountName: 'web-sa',
      containers: [{ name: 'main', image: 'busybox:1.36', ...container }],
      initContainers: [
        { name: 'setup', image: 'busybox:1.36', resources: { limits: { cpu: '250m', memory: '64Mi' } } },
      ],
    },
    status: { phase: 'Pending', podIP: '10.0.0.7', hostIP: '192.168.1.5' },
    ...extra,
  };
}

const configMaps: ConfigMap[] = [
  { metadata: { name: 'cfg' }, data: { MODE: 'prod', LEVEL: '3', 'bad=name': 'x', 'dotted.name': 'ok' } },
];
const secrets: Secret[] = [
  { metadata: { name: 'creds' }, data: { password: b64('s3cr3t ☃\n'), user: b64('admin') } },
];

function resolve(env: EnvVar[], over: Partial<Container> = {}, input: Partial<EnvInput> = {}) {
  const p = pod({ env, ...over });
  return resolveContainerEnv({
    pod: p,
    container: p.spec?.containers[0] as Container,
    configMaps,
    secrets,
    ...input,
  });
}

describe('resolveContainerEnv', () => {
  const quoting = `'single' "double" $HOME \`tick\` \n newline, ünïcødé ☃`;
  // [behaviour, env, want]
  const rows: Array<[string, EnvVar[], Array<[string, string]>]> = [
    ['keeps a plain value byte for byte', [{ name: 'Q', value: quoting }], [['Q', quoting]]],
    ['gives an entry with no value the empty string', [{ name: 'EMPTY' }], [['EMPTY', '']]],
    [
      'expands $(A) from an earlier entry',
      [
        { name: 'A', value: 'x' },
        { name: 'B', value: '$(A)-y' },
      ],
      [
        ['A', 'x'],
        ['B', 'x-y'],
      ],
    ],
    [
      'leaves a reference to a later entry as written',
      [
        { name: 'B', value: '$(A)-y' },
        { name: 'A', value: 'x' },
      ],
      [
        ['B', '$(A)-y'],
        ['A', 'x'],
      ],
    ],
    [
      'leaves an undefined reference as written',
      [{ name: 'U', value: '$(UNDEFINED)' }],
      [['U', '$(UNDEFINED)']],
    ],
    [
      'turns an escaped $$(A) into the literal $(A)',
      [
        { name: 'A', value: 'x' },
        { name: 'E', value: '$$(A)' },
      ],
      [
        ['A', 'x'],
        ['E', '$(A)'],
      ],
    ],
    [
      'does not expand values that come from a source',
      [
        { name: 'A', value: 'x' },
        { name: 'S', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
      ],
      [
        ['A', 'x'],
        ['S', 'admin'],
      ],
    ],
    [
      'decodes secret data to UTF-8',
      [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
      [['PW', 's3cr3t ☃\n']],
    ],
    [
      'reads a configMap key',
      [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } }],
      [['M', 'prod']],
    ],
    [
      'skips an optional missing key',
      [
        { name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'NOPE', optional: true } } },
        { name: 'S', valueFrom: { secretKeyRef: { name: 'creds', key: 'NOPE', optional: true } } },
      ],
      [],
    ],
    [
      'skips an optional missing object',
      [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'gone', key: 'MODE', optional: true } } }],
      [],
    ],
    [
      'reads metadata.name',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      [['F', 'web-0']],
    ],
    [
      'reads metadata.namespace',
      [{ name: 'F', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }],
      [['F', 'shop']],
    ],
    [
      'reads metadata.uid',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }],
      [['F', '2f1c9a4e-0000-4000-8000-000000000001']],
    ],
    [
      "reads metadata.labels['app']",
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }],
      [['F', 'web']],
    ],
    [
      'reads a missing label as empty',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: "metadata.labels['nope']" } } }],
      [['F', '']],
    ],
    [
      "reads metadata.annotations['k']",
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['example.com/owner']" } } }],
      [['F', 'team "blue"']],
    ],
    [
      'reads spec.nodeName',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      [['F', 'vk-node']],
    ],
    [
      'reads spec.serviceAccountName',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } }],
      [['F', 'web-sa']],
    ],
    [
      'reads status.podIP',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      [['F', '10.0.0.7']],
    ],
    [
      'reads status.podIPs',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }],
      [['F', '10.0.0.7']],
    ],
    [
      'reads status.hostIP',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
      [['F', '192.168.1.5']],
    ],
    [
      'reads status.hostIPs',
      [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } }],
      [['F', '192.168.1.5']],
    ],
    [
      'reads limits.cpu in millicores with divisor 1m',
      [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } }],
      [['R', '500']],
    ],
    [
      'rounds limits.cpu up to whole cores with the default divisor',
      [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
      [['R', '1']],
    ],
    [
      'reads limits.memory in Mi with divisor 1Mi',
      [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }],
      [['R', '128']],
    ],
    [
      'reads requests.memory in bytes',
      [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } }],
      [['R', '100000000']],
    ],
    [
      'reads requests.cpu as the limit when no request is set',
      [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } }],
      [['R', '500']],
    ],
    [
      "reads another container's limit by containerName",
      [
        {
          name: 'R',
          valueFrom: {
            resourceFieldRef: { containerName: 'setup', resource: 'limits.memory', divisor: '1Mi' },
          },
        },
      ],
      [['R', '64']],
    ],
    [
      'reports node allocatable for an unset limit',
      [
        {
          name: 'R',
          valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } },
        },
      ],
      [['R', '10']],
    ],
  ];
  it.each(rows)('%s', (_name, env, want) => {
    const result = resolve(
      env,
      { resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { memory: '100M' } } },
      {
        nodeAllocatable: { cpu: 2, memory: 8 * 2 ** 30, ephemeralStorage: 10 * 2 ** 30 },
      },
    );
    expect(result).toEqual({ env: want });
  });

  it('applies envFrom before env, with prefixes, skipping invalid names, and lets env override', () => {
    const result = resolve([{ name: 'CFG_MODE', value: 'dev-$(CFG_LEVEL)' }], {
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
    });
    expect(result).toEqual({
      env: [
        ['CFG_MODE', 'dev-3'],
        ['CFG_LEVEL', '3'],
        ['CFG_dotted.name', 'ok'],
        ['password', 's3cr3t ☃\n'],
        ['user', 'admin'],
      ],
    });
  });

  it('skips an optional envFrom source that was not sent', () => {
    expect(resolve([], { envFrom: [{ secretRef: { name: 'gone', optional: true } }] })).toEqual({ env: [] });
  });

  it('prefers the pod IP the plugin assigned over the one in pod.status', () => {
    const env = [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
    expect(resolve(env, {}, { podIP: '172.17.0.9' })).toEqual({ env: [['IP', '172.17.0.9']] });
  });

  it('reads dual-stack podIPs from pod.status', () => {
    const env = [{ name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }];
    const p = pod({ env });
    (p.status as Record<string, unknown>).podIPs = [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }];
    const result = resolveContainerEnv({
      pod: p,
      container: p.spec?.containers[0] as Container,
      configMaps,
      secrets,
    });
    expect(result).toEqual({ env: [['IPS', '10.0.0.7,fd00::7']] });
  });

  it('leaves values alone when told the Virtual Kubelet already expanded them', () => {
    expect(
      resolve(
        [
          { name: 'E', value: '$(HOME)' },
          { name: 'HOME', value: '/' },
        ],
        {},
        { expand: false },
      ),
    ).toEqual({
      env: [
        ['E', '$(HOME)'],
        ['HOME', '/'],
      ],
    });
  });

  // [behaviour, env or envFrom, kubelet's message]
  const errors: Array<[string, Partial<Container>, string]> = [
    [
      'a missing required secret key',
      { env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'pass' } } }] },
      "couldn't find key pass in Secret shop/creds",
    ],
    [
      'a missing required configMap key',
      { env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] },
      "couldn't find key nope in ConfigMap shop/cfg",
    ],
    [
      'a missing required configMap',
      { env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] },
      'configmap "x" not found',
    ],
    [
      'a missing required envFrom secret',
      { envFrom: [{ secretRef: { name: 'gone' } }] },
      'secret "gone" not found',
    ],
    [
      'an unsupported fieldPath',
      { env: [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] },
      'field label not supported: spec.hostname',
    ],
    [
      'an unsupported resource',
      { env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.nvidia.com/gpu' } } }] },
      'unsupported container resource : limits.nvidia.com/gpu',
    ],
    [
      'an unset limit without node allocatable',
      { env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] },
      "limits.cpu is not set and the node's allocatable cpu is not known",
    ],
    [
      'an unknown containerName',
      {
        env: [
          { name: 'R', valueFrom: { resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } } },
        ],
      },
      'container nope not found',
    ],
  ];
  it.each(errors)('refuses %s with CreateContainerConfigError', (_name, over, message) => {
    expect(resolve([], over)).toEqual({ error: { reason: 'CreateContainerConfigError', message } });
  });
});
