import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../src/contract/api-types.ts';
import { ContainerConfigError } from '../../src/pod/container-config-error.ts';
import { containerResourceValue, downwardValue, formatMap } from '../../src/pod/downward-api.ts';

describe('containerResourceValue', () => {
  const c: Container = { name: 'c', image: 'i', resources: { limits: { cpu: '1500m', memory: '1Gi' } } };
  it.each([
    ['limits.cpu', undefined, '2'],
    ['limits.cpu', '1m', '1500'],
    ['limits.cpu', '0', '2'],
    ['limits.memory', '1Mi', '1024'],
    ['limits.memory', '1G', '2'],
    ['requests.cpu', '1m', '1500'],
  ] as const)('gives %s with divisor %j as %s', (resource, divisor, want) => {
    expect(containerResourceValue(c, resource, divisor)).toBe(want);
  });
});

describe('formatMap', () => {
  it('renders labels sorted, Go-quoted, one per line', () => {
    expect(formatMap({ b: 'two "2"', a: 'one\nline', c: 'ünï' })).toBe(
      'a="one\\nline"\nb="two \\"2\\""\nc="ünï"',
    );
  });
});

describe('downwardValue, shared by env and downwardAPI volume items', () => {
  const unlimited: Container = { name: 'app', image: 'busybox:1.36' };
  const pod: Pod = {
    metadata: { name: 'web-0', namespace: 'shop', uid: 'u-1', labels: { app: 'web' } },
    spec: { containers: [unlimited] },
  };
  const nodeAllocatable = { cpu: 4, memory: 8 * 1024 ** 3 };

  it.each([
    ['limits.cpu', undefined, '4'],
    ['limits.cpu', '1m', '4000'],
    ['limits.memory', '1Mi', '8192'],
    ['requests.cpu', undefined, '0'],
  ] as const)(
    'gives %s (divisor %j) of a container without limits as the node allocatable: %s',
    (resource, divisor, want) => {
      // env names no container (its own); a volume item must name one.
      const asEnv = downwardValue(
        { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } },
        { pod, container: unlimited, nodeAllocatable },
      );
      const asVolumeItem = downwardValue(
        { resourceFieldRef: { containerName: 'app', resource, ...(divisor ? { divisor } : {}) } },
        { pod, nodeAllocatable },
      );
      expect([asEnv, asVolumeItem]).toEqual([want, want]);
    },
  );

  it('renders a pod field, and says so when the reference has neither kind', () => {
    expect(downwardValue({ fieldRef: { fieldPath: 'metadata.labels' } }, { pod })).toBe('app="web"');
    expect(downwardValue({}, { pod })).toBeUndefined();
  });

  it('refuses an unset limit when the node allocatable is not known, and a container not in the pod', () => {
    expect(() =>
      downwardValue({ resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } }, { pod }),
    ).toThrow(new ContainerConfigError("limits.cpu is not set and the node's allocatable cpu is not known"));
    expect(() =>
      downwardValue({ resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } }, { pod }),
    ).toThrow(new ContainerConfigError('container nope not found'));
  });
});
