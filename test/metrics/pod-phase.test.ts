import { describe, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { dockerProcessKind, dockerVerb } from '../../src/metrics/docker-verb.ts';
import { type ContainerLike, podPhase } from '../../src/metrics/pod-phase.ts';

const c = (role: string, Status: string, ExitCode = 0): ContainerLike => ({
  State: { Status, ExitCode },
  Config: { Labels: { [LABEL.role]: role } },
});

describe('podPhase', () => {
  it.each([
    ['only a sandbox yet', [c('sandbox', 'running')], 'Pending'],
    [
      'an init container running',
      [c('sandbox', 'running'), c('init', 'running'), c('main', 'created')],
      'Pending',
    ],
    ['an init container failed', [c('init', 'exited', 1), c('main', 'created')], 'Failed'],
    ['a main container running', [c('main', 'running'), c('main', 'exited', 0)], 'Running'],
    ['a main container restarting', [c('main', 'restarting', 1)], 'Running'],
    ['all main containers exited 0', [c('init', 'exited', 0), c('main', 'exited', 0)], 'Succeeded'],
    ['a main container exited 3', [c('main', 'exited', 3), c('main', 'exited', 0)], 'Failed'],
    ['a main container not started yet', [c('main', 'exited', 0), c('main', 'created')], 'Pending'],
  ] as const)('%s: %s', (_name, containers, want) => {
    expect(podPhase(containers)).toBe(want);
  });
});

describe('dockerVerb', () => {
  it.each([
    [['run', '-d', '--name', 'x', 'busybox'], 'run'],
    [['image', 'inspect', 'busybox'], 'image inspect'],
    [['container', 'inspect', 'a', 'b'], 'container inspect'],
    [['rm', '-f', 'x'], 'rm'],
  ])('%j is %s', (args, want) => {
    expect(dockerVerb(args)).toBe(want);
  });

  it('tells long-lived processes from calls', () => {
    expect(dockerProcessKind(['events', '--format', '{{json .}}']).kind).toBe('events');
    expect(dockerProcessKind(['logs', '--follow', 'x']).kind).toBe('stream');
    expect(dockerProcessKind(['logs', 'x'])).toEqual({ kind: 'call', verb: 'logs' });
  });
});
