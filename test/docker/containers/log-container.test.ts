import { describe, expect, it } from 'vitest';
import type { LogStruct } from '../../../src/contract/api-types.ts';
import { UNSET_LOG_OPTS } from '../../../src/contract/interlink-wire.ts';
import { logContainer } from '../../../src/docker/containers/log-container.ts';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { groupContainers } from '../../../src/docker/view/pod-containers.ts';

function c(role: string, name: string, labels: Record<string, string> = {}): ContainerInspect {
  return {
    Id: `${role}-${name}`,
    Name: `/${name}`,
    Created: '2026-11-22T10:00:00Z',
    Image: 'sha256:x',
    RestartCount: 0,
    State: {
      Status: 'exited',
      Running: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-11-22T10:00:00Z',
      FinishedAt: '2026-11-22T10:00:01Z',
    },
    Config: { Image: 'busybox:1.36', Labels: { [LABEL.role]: role, [LABEL.containerName]: name, ...labels } },
  };
}

const ask = (ContainerName: string): LogStruct => ({
  Namespace: 'team-a',
  PodUID: '0123abcd-0000-4000-8000-000000000000',
  PodName: 'web',
  ContainerName,
  Opts: { ...UNSET_LOG_OPTS },
});

const cluster = { [LABEL.clusterContainers]: JSON.stringify({ main: ['proxy'], init: ['fetch'] }) };

describe('logContainer', () => {
  it('takes the pod’s only container for an empty name, init containers aside', () => {
    const pod = groupContainers([c('init', 'setup', {}), c('main', 'app', cluster)]);
    expect(logContainer(ask(''), pod).name).toBe('app');
  });

  it('refuses an empty name with 400 listing the choices when the pod runs several', () => {
    const pod = groupContainers([
      c('sandbox', '', cluster),
      c('init', 'setup'),
      c('main', 'a'),
      c('main', 'b'),
    ]);
    expect(() => logContainer(ask(''), pod)).toThrow(
      expect.objectContaining({
        kind: 'malformed',
        message: expect.stringMatching(/name one of a, b \(init containers: setup\)/),
      }),
    );
  });

  it.each([
    ['proxy', /container proxy of pod team-a\/web runs in the cluster.*disable-offload-containers/],
    ['fetch', /container fetch of pod team-a\/web runs in the cluster.*disable-offload-init-containers/],
    ['other', /container other is not in pod team-a\/web \(containers: app\)/],
  ])('answers 404 for %s, saying where it is', (name, message) => {
    const pod = groupContainers([c('main', 'app', cluster)]);
    expect(() => logContainer(ask(name), pod)).toThrow(
      expect.objectContaining({ kind: 'not-found', message: expect.stringMatching(message) }),
    );
  });
});
