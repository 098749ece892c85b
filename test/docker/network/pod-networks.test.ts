import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import {
  BRIDGE_POD_LIMIT,
  leastFilled,
  networkCapacity,
  POD_NETWORK_LABEL,
  podsPerNetwork,
} from '../../../src/docker/network/pod-networks.ts';

const owner = (network?: string) =>
  ({ Config: { Image: 'x', Labels: network ? { [POD_NETWORK_LABEL]: network } : {} } }) as ContainerInspect;

describe('networkCapacity', () => {
  it.each<[string, Parameters<typeof networkCapacity>[0], number]>([
    [
      'a bridge with a /16 holds what its ports hold',
      { Name: 'a', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } },
      BRIDGE_POD_LIMIT,
    ],
    [
      'a bridge with a /24 holds its 253 addresses',
      { Name: 'a', Driver: 'bridge', IPAM: { Config: [{ Subnet: '10.1.2.0/24' }] } },
      253,
    ],
    [
      'a macvlan with a /22 holds its addresses',
      { Name: 'a', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.1.0.0/22' }] } },
      1021,
    ],
    [
      'an IPv6-only bridge holds what its ports hold',
      { Name: 'a', Driver: 'bridge', IPAM: { Config: [{ Subnet: 'fd00::/64' }] } },
      BRIDGE_POD_LIMIT,
    ],
    [
      'a network without subnets counts as a bridge',
      { Name: 'a', Driver: 'overlay', IPAM: { Config: [] } },
      BRIDGE_POD_LIMIT,
    ],
  ])('%s', (_name, inspect, want) => {
    expect(networkCapacity(inspect)).toBe(want);
  });
});

describe('leastFilled', () => {
  const rooms = [
    { name: 'a', capacity: 10 },
    { name: 'b', capacity: 10 },
  ];
  it.each<[string, Record<string, number>, string | undefined]>([
    ['the first when both are empty', {}, 'a'],
    ['the one with more room', { a: 3, b: 1 }, 'b'],
    ['the other when one is full', { a: 10, b: 9 }, 'b'],
    ['none when every network is full', { a: 10, b: 10 }, undefined],
  ])('picks %s', (_name, used, want) => {
    expect(leastFilled(rooms, new Map(Object.entries(used)))).toBe(want);
  });
});

describe('podsPerNetwork', () => {
  it('counts only the containers that own a pod network', () => {
    expect(podsPerNetwork([owner('a'), owner('a'), owner('b'), owner()])).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });
});
