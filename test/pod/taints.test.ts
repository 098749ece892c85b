import { describe, expect, it } from 'vitest';
import { parseTaints } from '../../src/pod/taints.ts';

describe('parseTaints', () => {
  it.each([
    ['', []],
    ['gpu=true:NoSchedule', [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]],
    ['dedicated:NoExecute', [{ key: 'dedicated', effect: 'NoExecute' }]],
    [
      'example.com/site=lab-1:PreferNoSchedule, gpu=true:NoSchedule',
      [
        { key: 'example.com/site', value: 'lab-1', effect: 'PreferNoSchedule' },
        { key: 'gpu', value: 'true', effect: 'NoSchedule' },
      ],
    ],
  ])('%j', (text, want) => {
    expect(parseTaints(text)).toEqual(want);
  });

  it.each([
    ['gpu=true', /has no effect: write key=value:Effect/],
    ['gpu=true:Sometimes', /effect Sometimes: use NoSchedule, PreferNoSchedule or NoExecute/],
    ['=x:NoSchedule', /key \(empty\) is not valid/],
    ['Bad Key=x:NoSchedule', /key Bad Key is not valid/],
    ['UPPER.example/x=y:NoSchedule', /prefix UPPER.example is not a DNS subdomain/],
    ['gpu=has space:NoSchedule', /value has space must be/],
    ['virtual-node.interlink/no-schedule=true:NoSchedule', /the Virtual Kubelet.s own taint/],
    ['a=1:NoSchedule,a=2:NoSchedule', /a with effect NoSchedule is given twice/],
  ])('refuses %s, saying why', (text, message) => {
    expect(() => parseTaints(text)).toThrow(message);
  });
});
