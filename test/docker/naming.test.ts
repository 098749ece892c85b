import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import {
  containerName,
  type PodIdentity,
  podIdentity,
  podJobId,
  type Role,
} from '../../src/docker/naming.ts';

const pod: PodIdentity = { uid: '0123abcd-4567-89ef-0123-456789abcdef', name: 'web', namespace: 'team-a' };

describe('container names', () => {
  const cases: Array<[string, PodIdentity, Role, string | undefined, string]> = [
    ['the sandbox', pod, 'sandbox', undefined, 'k8s_team-a_web_0123abcd_sandbox'],
    ['a main container', pod, 'main', 'app', 'k8s_team-a_web_0123abcd_app'],
    [
      'an init container, apart from a main one of the same name',
      pod,
      'init',
      'app',
      'k8s_team-a_web_0123abcd_init_app',
    ],
    [
      'characters Docker refuses in a name, replaced',
      { ...pod, name: 'web:1' },
      'main',
      'a/b c',
      'k8s_team-a_web-1_0123abcd_a-b-c',
    ],
  ];
  it.each(cases)('names %s', (_name, identity, role, container, want) => {
    expect(containerName(identity, role, container)).toBe(want);
  });

  it('gives the job ID as the prefix of every container name of the pod', () => {
    const jid = podJobId(pod);
    expect(jid).toBe('k8s_team-a_web_0123abcd');
    for (const role of ['sandbox', 'init', 'main'] as const)
      expect(containerName(pod, role, 'x')).toMatch(`${jid}_`);
  });

  it('puts a pod without a namespace in "default"', () => {
    const bare: Pod = { metadata: { uid: pod.uid, name: 'web' } };
    const identity = podIdentity(bare);
    expect(identity).toEqual({ uid: pod.uid, name: 'web', namespace: 'default' });
    expect(podJobId(identity)).toBe('k8s_default_web_0123abcd');
  });
});
