import { describe, expect, it } from 'vitest';
import { type PodPhase, vkPhase } from '../../src/conformance/vk-phase.ts';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';

const waiting = (name: string): ContainerStatus => ({
  name,
  state: { waiting: { reason: 'ContainerCreating' } },
  ready: false,
  restartCount: 0,
  image: 'busybox:1.36',
  imageID: '',
});
const running = (name: string): ContainerStatus => ({ ...waiting(name), state: { running: {} } });
const exited = (name: string, exitCode: number): ContainerStatus => ({
  ...waiting(name),
  state: { terminated: { exitCode } },
});
const stateless = (name: string): ContainerStatus => ({ ...waiting(name), state: {} });

const pod = (
  containers: ContainerStatus[],
  initContainers: ContainerStatus[] = [],
  name = 'p',
): PodStatus => ({
  name,
  UID: 'u',
  namespace: 'default',
  JID: 'j',
  containers,
  initContainers,
});

// [behaviour, answer, previous phase, want phase, want reason, want news]
const cases: Array<[string, PodStatus | undefined, PodPhase, PodPhase, string, boolean]> = [
  ['an empty answer is no news', undefined, 'Pending', 'Pending', '', false],
  ['an empty answer before anything is known stays Unknown', undefined, 'Unknown', 'Unknown', '', false],
  ['an entry without a name is skipped', pod([exited('a', 0)], [], ''), 'Pending', 'Pending', '', false],
  ['a terminal pod is not updated again', pod([running('a')]), 'Succeeded', 'Succeeded', '', false],
  ['a failed pod stays failed', pod([exited('a', 0)]), 'Failed', 'Failed', '', false],
  [
    'all containers waiting keeps the phase',
    pod([waiting('a'), waiting('b')]),
    'Pending',
    'Pending',
    '',
    true,
  ],
  [
    'a running container makes the pod Running',
    pod([running('a'), waiting('b')]),
    'Pending',
    'Running',
    'Running',
    true,
  ],
  [
    'a running pod stays Running while one container ends',
    pod([exited('a', 0), running('b')]),
    'Running',
    'Running',
    '',
    true,
  ],
  [
    'one exited, one waiting keeps the phase',
    pod([exited('a', 0), waiting('b')]),
    'Running',
    'Running',
    '',
    true,
  ],
  [
    'all exited 0 is Succeeded',
    pod([exited('a', 0), exited('b', 0)]),
    'Running',
    'Succeeded',
    'Completed',
    true,
  ],
  [
    'any non-zero exit among all terminated is Failed',
    pod([exited('a', 0), exited('b', 3)]),
    'Running',
    'Failed',
    'Error: 3',
    true,
  ],
  [
    'the last non-zero exit names the reason',
    pod([exited('a', 2), exited('b', 3)]),
    'Pending',
    'Failed',
    'Error: 3',
    true,
  ],
  [
    'a non-zero exit beside a running container is still Running',
    pod([exited('a', 3), running('b')]),
    'Pending',
    'Running',
    'Running',
    true,
  ],
  [
    'listing no container at all is Succeeded at once (VK quirk)',
    pod([]),
    'Pending',
    'Succeeded',
    'Completed',
    true,
  ],
  ['a container in no state counts as not terminated', pod([stateless('a')]), 'Pending', 'Pending', '', true],
  [
    'an init container waiting keeps the pod Pending',
    pod([exited('a', 0)], [waiting('i')]),
    'Pending',
    'Pending',
    'Waiting for init containers',
    true,
  ],
  [
    'an init container running is Pending with reason Init',
    pod([running('a')], [running('i')]),
    'Pending',
    'Pending',
    'Init',
    true,
  ],
  [
    'inits done, containers running is Running',
    pod([running('a')], [exited('i', 0)]),
    'Pending',
    'Running',
    'Running',
    true,
  ],
  [
    'inits done, containers done is Succeeded',
    pod([exited('a', 0)], [exited('i', 0), exited('j', 0)]),
    'Pending',
    'Succeeded',
    'Completed',
    true,
  ],
  [
    'a failed init with main terminated is Failed with the init reason',
    pod([exited('a', 0)], [exited('i', 7)]),
    'Pending',
    'Failed',
    'Error: 7',
    true,
  ],
  [
    'a main exit code wins the reason over a failed init',
    pod([exited('a', 2)], [exited('i', 7)]),
    'Pending',
    'Failed',
    'Error: 2',
    true,
  ],
  [
    'a failed init beside a waiting init keeps the pod Pending for ever',
    pod([exited('a', 1)], [exited('i', 7), waiting('j')]),
    'Pending',
    'Pending',
    'Waiting for init containers',
    true,
  ],
  [
    'a failed init with main still waiting keeps the phase',
    pod([waiting('a')], [exited('i', 7)]),
    'Pending',
    'Pending',
    '',
    true,
  ],
  [
    'while inits run, main containers do not count (none listed: Succeeded, VK quirk)',
    pod([], [running('i')]),
    'Pending',
    'Succeeded',
    'Completed',
    true,
  ],
];

describe('vkPhase', () => {
  it.each(cases)('%s', (_name, answer, previous, phase, reason, news) => {
    expect(vkPhase(answer, previous)).toEqual({ phase, reason, news });
  });
});
