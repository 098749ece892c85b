/** What the plugin starts after a daemon restart, by restartPolicy and state: the sandbox first. */
import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { revivalSteps } from '../../../src/docker/lifecycle/pod-revival.ts';
import { HELPER_KIND_LABEL, HELPER_ROLE } from '../../../src/docker/network/network-helper.ts';
import { groupContainers, podShapeFromLabels } from '../../../src/docker/view/pod-containers.ts';
import { containerInspect } from '../../fixtures/container-inspect.ts';

type Run = 'running' | 'created' | 'restarting' | ['exited', number] | ['cannot-join', number];

function c(id: string, role: string, name: string, run: Run, policy = 'Always'): ContainerInspect {
  const [status, exitCode] = Array.isArray(run) ? run : [run, 0];
  return containerInspect({
    id,
    role,
    name,
    status: status === 'cannot-join' ? 'exited' : (status as ContainerInspect['State']['Status']),
    exitCode,
    error: status === 'cannot-join' ? 'cannot join network of a non running container: x' : '',
    labels: {
      [LABEL.restartPolicy]: policy,
      [LABEL.podContainers]: JSON.stringify({ init: ['prep'], main: ['app'] }),
    },
  });
}

const steps = (policy: string, sandbox: Run, init: Run, app: Run) => {
  const containers = groupContainers([
    c('sb', 'sandbox', '', sandbox, policy),
    c('i', 'init', 'prep', init, policy),
    c('m', 'main', 'app', app, policy),
  ]);
  return revivalSteps(podShapeFromLabels('u', containers), containers);
};

describe('bringing a pod back', () => {
  it.each<[string, string, Run, Run, Run, string[][]]>([
    [
      'the sandbox, then a main container that could not join it',
      'Always',
      ['exited', 0],
      ['exited', 0],
      ['cannot-join', 128],
      [['sb'], ['m']],
    ],
    [
      'a main container Docker left down, the sandbox running',
      'Always',
      'running',
      ['exited', 0],
      ['exited', 137],
      [['m']],
    ],
    [
      'a main container that had succeeded, under Always',
      'Always',
      'running',
      ['exited', 0],
      ['exited', 0],
      [['m']],
    ],
    [
      'a failed main container under OnFailure',
      'OnFailure',
      'running',
      ['exited', 0],
      ['exited', 143],
      [['m']],
    ],
    [
      'a failed init container, the main one waiting for it',
      'OnFailure',
      ['exited', 0],
      ['exited', 137],
      'created',
      [['sb'], ['i']],
    ],
  ])('starts %s', (_name, policy, sandbox, init, app, want) => {
    expect(steps(policy, sandbox, init, app)).toEqual(want);
  });

  it.each<[string, string, Run, Run, Run]>([
    ['anything under Never', 'Never', ['exited', 0], ['exited', 0], ['exited', 137]],
    [
      'a main container that succeeded under OnFailure',
      'OnFailure',
      ['exited', 0],
      ['exited', 0],
      ['exited', 0],
    ],
    ['a running pod', 'Always', 'running', ['exited', 0], 'running'],
    ['a container in Docker’s restart back-off', 'Always', 'running', ['exited', 0], 'restarting'],
    ['a main container never started (the sequencer’s)', 'Always', 'running', ['exited', 0], 'created'],
  ])('leaves %s alone', (_name, policy, sandbox, init, app) => {
    expect(steps(policy, sandbox, init, app)).toEqual([]);
  });

  it('starts a network helper Docker left down after the sandbox and before the containers', () => {
    const containers = groupContainers([
      c('sb', 'sandbox', '', ['exited', 0]),
      c('i', 'init', 'prep', ['exited', 0]),
      c('m', 'main', 'app', ['cannot-join', 128]),
    ]);
    const helper = containerInspect({
      id: 'h',
      role: HELPER_ROLE,
      name: '',
      status: 'exited',
      exitCode: 128,
      error: 'cannot join network of a non running container: sb',
      labels: { [HELPER_KIND_LABEL]: 'wstunnel' },
    });
    expect(revivalSteps(podShapeFromLabels('u', containers), containers, [helper])).toEqual([
      ['sb'],
      ['h'],
      ['m'],
    ]);
  });
});
