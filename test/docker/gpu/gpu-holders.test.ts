import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { gpusHeld, podHasEnded } from '../../../src/docker/gpu/gpu-holders.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { groupContainers } from '../../../src/docker/view/pod-containers.ts';

const ZERO = '0001-01-01T00:00:00Z';
const T = '2026-11-28T10:00:00Z';

type Run = 'created' | 'running' | 'restarting' | 'cannot-run' | ['exited', number];

function container(
  role: 'sandbox' | 'init' | 'main',
  name: string,
  run: Run,
  labels: Record<string, string> = {},
): ContainerInspect {
  const exited = Array.isArray(run);
  return {
    Id: `${role}-${name}`,
    Name: `/${role}-${name}`,
    Created: T,
    Image: 'sha256:x',
    RestartCount: 0,
    State: {
      Status: exited ? 'exited' : run === 'cannot-run' ? 'created' : run,
      Running: run === 'running',
      Restarting: run === 'restarting',
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: exited ? run[1] : run === 'cannot-run' ? 127 : 0,
      Error: run === 'cannot-run' ? 'exec: "nope": executable file not found in $PATH' : '',
      StartedAt: run === 'created' || run === 'cannot-run' ? ZERO : T,
      FinishedAt: exited ? T : ZERO,
    },
    Config: {
      Image: 'busybox:1.36',
      Labels: { [LABEL.role]: role, [LABEL.containerName]: name, [LABEL.index]: '0', ...labels },
    },
  };
}

/** A pod with a sandbox carrying its restart policy, and the given containers. */
const pod = (policy: string, ...containers: ContainerInspect[]) => [
  container('sandbox', '', 'running', { [LABEL.restartPolicy]: policy }),
  ...containers,
];

describe('podHasEnded', () => {
  // [behaviour, containers, ended]
  it.each<[string, ContainerInspect[], boolean]>([
    ['a running pod has not', pod('Never', container('main', 'a', 'running')), false],
    ['a completed pod under Never has', pod('Never', container('main', 'a', ['exited', 0])), true],
    ['a failed pod under Never has', pod('Never', container('main', 'a', ['exited', 3])), true],
    [
      'a pod with one container still running has not',
      pod('Never', container('main', 'a', ['exited', 0]), container('main', 'b', 'running')),
      false,
    ],
    ['a completed pod under OnFailure has', pod('OnFailure', container('main', 'a', ['exited', 0])), true],
    [
      'a failed pod under OnFailure has not: Docker restarts it',
      pod('OnFailure', container('main', 'a', ['exited', 1])),
      false,
    ],
    ['a pod under Always never has', pod('Always', container('main', 'a', ['exited', 0])), false],
    ['a restarting container has not', pod('OnFailure', container('main', 'a', 'restarting')), false],
    ['a container Docker could not start has', pod('Always', container('main', 'a', 'cannot-run')), true],
    [
      'a pod whose init container failed under Never has',
      pod('Never', container('init', 'setup', ['exited', 1]), container('main', 'a', 'created')),
      true,
    ],
    [
      'a pod still in its init containers has not',
      pod('Never', container('init', 'setup', 'running'), container('main', 'a', 'created')),
      false,
    ],
    ['a pod with no main container yet has not', pod('Never'), false],
    [
      'a pod whose recorded set names a main container Docker lacks has not',
      [
        container('sandbox', '', 'running', {
          [LABEL.restartPolicy]: 'Never',
          [LABEL.podContainers]: JSON.stringify({ init: [], main: ['a', 'b'] }),
        }),
        container('main', 'a', ['exited', 0]),
      ],
      false,
    ],
    [
      'a one-container pod without sandbox, completed, has',
      [container('main', 'a', ['exited', 0], { [LABEL.restartPolicy]: 'Never' })],
      true,
    ],
  ])('%s', (_label, containers, ended) => {
    expect(podHasEnded('u', groupContainers(containers))).toBe(ended);
  });
});

describe('gpusHeld', () => {
  const gpus = (ids: string) => ({ [LABEL.gpus]: ids });
  it('counts the devices of pods that have not ended, from every labelled container', () => {
    const held = gpusHeld(
      [
        ['running', [container('main', 'a', 'running', { [LABEL.restartPolicy]: 'Never', ...gpus('0') })]],
        [
          'multi',
          [
            container('sandbox', '', 'running', { [LABEL.restartPolicy]: 'Never', ...gpus('1,2') }),
            container('main', 'b', 'running', gpus('1')),
            container('main', 'c', 'running', gpus('2')),
          ],
        ],
        ['done', [container('main', 'd', ['exited', 0], { [LABEL.restartPolicy]: 'Never', ...gpus('3') })]],
        ['none', [container('main', 'e', 'running', { [LABEL.restartPolicy]: 'Never' })]],
      ],
      () => false,
    );
    expect([...held].sort()).toEqual(['0', '1', '2']);
  });

  it('keeps holding for a pod whose other containers Docker does not have yet', () => {
    const done = pod('Never', container('main', 'a', ['exited', 0], gpus('4')));
    expect([...gpusHeld([['p', done]], () => false)]).toEqual([]);
    expect([...gpusHeld([['p', done]], (uid) => uid === 'p')]).toEqual(['4']);
  });
});
