import { describe, expect, it } from 'vitest';
import { podAttributes } from '../../src/telemetry/pod-attributes.ts';

const meta = { name: 'web', namespace: 'team', uid: 'u-1' };
const want = { 'pod.name': 'web', 'pod.namespace': 'team', 'pod.uid': 'u-1' };

describe('podAttributes', () => {
  it.each([
    ['a create body', { pod: { metadata: meta } }, want],
    ['an older create body (a list)', [{ pod: { metadata: meta } }], want],
    ['a delete body', { metadata: meta }, want],
    [
      'a status body of two pods',
      [{ metadata: meta }, { metadata: { name: 'db', namespace: 'team', uid: 'u-2' } }],
      {
        'pod.name': 'web,db',
        'pod.namespace': 'team,team',
        'pod.uid': 'u-1,u-2',
      },
    ],
    ['a logs body', { PodName: 'web', Namespace: 'team', PodUID: 'u-1', ContainerName: 'c' }, want],
    ['the ping', [], {}],
    ['no body', undefined, {}],
    ['a body that is not a pod', { metadata: 'x' }, {}],
  ])('%s', (_name, body, expected) => {
    expect(podAttributes(body)).toEqual(expected);
  });
});
