import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/contract/api-types.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import {
  containerCreateArgs,
  containerFileLabels,
  dockerRestartPolicy,
  podNetworkArgs,
  sandboxRunArgs,
} from '../../../src/docker/translate/pod-to-docker-args.ts';
import type { ContainerDecision } from '../../../src/pod/pod-decision.ts';
import { podNetworkSettings } from '../../../src/pod/pod-network.ts';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'team-a', uid: '0123abcd-0000-4000-8000-000000000000' },
  spec: {
    restartPolicy: 'OnFailure',
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        ports: [{ containerPort: 8080, hostPort: 18080 }, { containerPort: 9090 }],
      },
      {
        name: 'udp',
        image: 'busybox:1.36',
        ports: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' }],
      },
    ],
    hostAliases: [{ ip: '10.0.0.1', hostnames: ['db', 'db.local'] }],
  },
};

const podNetwork = podNetworkArgs(podNetworkSettings(pod));
const cluster = undefined;

function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] as string] : []));
}

describe('sandboxRunArgs', () => {
  const args = sandboxRunArgs({ pod, instance: 'inst', image: 'pause:1', podNetwork, cluster });
  it('publishes only ports that ask for a host port, with their protocol', () => {
    expect(valuesOf(args, '--publish')).toEqual(['18080:8080/tcp', '127.0.0.1:5353:53/udp']);
  });
  it('names the pod as its hostname and adds host aliases', () => {
    expect(valuesOf(args, '--hostname')).toEqual(['web']);
    expect(valuesOf(args, '--add-host')).toEqual(['db:10.0.0.1', 'db.local:10.0.0.1']);
  });
  it('labels the sandbox with the pod and its restart policy', () => {
    expect(valuesOf(args, '--label')).toEqual(
      expect.arrayContaining([
        'io.interlink.docker-plugin.instance=inst',
        'io.interlink.pod.uid=0123abcd-0000-4000-8000-000000000000',
        'io.interlink.container.role=sandbox',
        'io.interlink.pod.restart-policy=OnFailure',
      ]),
    );
    expect(args.at(-1)).toBe('pause:1');
  });
});

describe('containerCreateArgs', () => {
  const container: ContainerDecision = {
    spec: { name: 'app', image: '-not-a-flag:1' },
    name: 'app',
    image: '-not-a-flag:1',
    role: 'main',
    index: 0,
    field: '/pod/spec/containers/0',
    pullPolicy: 'IfNotPresent',
    resources: {},
    gpus: { from: 0, count: 0 },
    termination: { path: '/dev/termination-log', policy: 'File' },
    security: {
      groups: [],
      privileged: false,
      capAdd: [],
      capDrop: [],
      noNewPrivileges: false,
      readOnlyRootFilesystem: false,
      seccompUnconfined: false,
      sysctls: [],
    },
    env: [['A', 'x=y'] as const, ['MULTI', 'line1\nline2 $(B) `c`'] as const, ['EMPTY', ''] as const],
    command: ['sh', '-c'],
    args: ['echo "$A"'],
    entrypoint: { entrypoint: 'sh', cmd: ['-c', 'echo "$A"'] },
  };
  const base = {
    pod,
    container,
    instance: 'inst',
    network: { kind: 'sandbox' as const, sandbox: 'sb123' },
    envArgs: ['--env-file', '/state/pods/u/env/main-app.env', '--env', 'MULTI'],
    podNetwork,
    cluster,
    labelFile: '/state/pods/u/env/main-app.labels',
    extraArgs: ['--read-only'],
  };
  const args = containerCreateArgs(base);

  it('joins the sandbox network', () => {
    expect(valuesOf(args, '--network')).toEqual(['container:sb123']);
  });
  it('hands the env over as env-delivery.ts planned, before the image', () => {
    expect(valuesOf(args, '--env-file')).toEqual(['/state/pods/u/env/main-app.env']);
    expect(valuesOf(args, '--env')).toEqual(['MULTI']);
    expect(args.indexOf('--env')).toBeLessThan(args.indexOf('--'));
  });
  it('replaces the entrypoint and puts the image after "--" so it can never be read as a flag', () => {
    expect(valuesOf(args, '--entrypoint')).toEqual(['sh']);
    expect(args.slice(args.indexOf('--'))).toEqual(['--', '-not-a-flag:1', '-c', 'echo "$A"']);
  });
  it('keeps extra args from the volume, resource and security modules', () => {
    expect(args).toContain('--read-only');
  });
  it('gives a one-container pod the pod’s own network settings instead of a sandbox', () => {
    const own = containerCreateArgs({ ...base, network: { kind: 'own' } });
    expect(valuesOf(own, '--network')).toEqual([]);
    expect(valuesOf(own, '--hostname')).toEqual(['web']);
    expect(valuesOf(own, '--publish')).toEqual(['18080:8080/tcp', '127.0.0.1:5353:53/udp']);
    expect(valuesOf(own, '--label')).toContain('io.interlink.pod.restart-policy=OnFailure');
  });

  it('puts probes and hooks (their HTTP headers) in the label file, never a --label, nor a blank that would win over it', () => {
    const probes = {
      readinessProbe: {
        httpGet: { port: 80, httpHeaders: [{ name: 'Authorization', value: 'Bearer t0k' }] },
      },
    };
    const probed = containerCreateArgs({ ...base, container: { ...container, probes } });
    expect(valuesOf(probed, '--label-file')).toEqual(['/state/pods/u/env/main-app.labels']);
    expect(probed.filter((a) => a.includes('t0k'))).toEqual([]);
    expect(valuesOf(probed, '--label').filter((l) => l.startsWith(`${LABEL.probes}=`))).toEqual([]);
    expect(containerFileLabels({ ...container, probes })).toEqual([[LABEL.probes, JSON.stringify(probes)]]);
    // Without probes there is no file, and the blank still overrides an image's label of ours.
    expect(valuesOf(args, '--label-file')).toEqual([]);
    expect(valuesOf(args, '--label')).toContain(`${LABEL.probes}=`);
    expect(containerFileLabels(container)).toEqual([]);
  });

  it('maps the restart policy per role', () => {
    expect(valuesOf(args, '--restart')).toEqual(['on-failure']);
  });
});

describe('dockerRestartPolicy', () => {
  it.each([
    ['Always', 'main', 'always'],
    ['Always', 'init', 'on-failure'],
    ['OnFailure', 'main', 'on-failure'],
    ['Never', 'main', 'no'],
    [undefined, 'main', 'no'],
  ] as const)('%s for a %s container → %s', (policy, role, want) => {
    expect(dockerRestartPolicy(policy, role)).toBe(want);
  });
});
