import { describe, expect, it } from 'vitest';
import type { Container, ResourceRequirements } from '../../../src/contract/api-types.ts';
import { resourceArgs as spell } from '../../../src/docker/translate/resource-args.ts';
import { PluginError } from '../../../src/errors.ts';
import { containerResources } from '../../../src/pod/container-resources.ts';

const FIELD = '/pod/spec/containers/1';
const container = (resources: ResourceRequirements): Container => ({
  name: 'app',
  image: 'busybox:1.36',
  resources,
});

/** The decided resources as Docker gets them. */
const resourceArgs = (c: Container, field: string) => spell(containerResources(c, field), field);

describe('resourceArgs', () => {
  // [behaviour, resources, args]
  const rows: Array<[string, ResourceRequirements, string[]]> = [
    ['adds nothing without resources', {}, []],
    ['adds nothing for null resources', null, []],
    [
      'limits CPU with the kubelet CFS quota',
      { limits: { cpu: '500m' }, requests: { cpu: '500m' } },
      ['--cpu-period', '100000', '--cpu-quota', '50000', '--cpu-shares', '512'],
    ],
    [
      'allows a CPU limit above the host core count',
      { limits: { cpu: 64 }, requests: { cpu: '1' } },
      ['--cpu-period', '100000', '--cpu-quota', '6400000', '--cpu-shares', '1024'],
    ],
    [
      'gives a tiny limit the 1 ms minimum quota',
      { limits: { cpu: '1m' } },
      ['--cpu-period', '100000', '--cpu-quota', '1000', '--cpu-shares', '2'],
    ],
    ['weights by the CPU request alone', { requests: { cpu: '250m' } }, ['--cpu-shares', '256']],
    ['takes a 0.1 CPU request as 100m', { requests: { cpu: '0.1' } }, ['--cpu-shares', '102']],
    ['caps shares at 262144', { requests: { cpu: '1000' } }, ['--cpu-shares', '262144']],
    ['gives a zero CPU request the minimum weight', { requests: { cpu: '0' } }, ['--cpu-shares', '2']],
    [
      'limits memory without swap',
      { limits: { memory: '128Mi' } },
      ['--memory', '134217728', '--memory-swap', '134217728'],
    ],
    [
      'rounds fractional bytes up',
      { limits: { memory: '129e6' } },
      ['--memory', '129000000', '--memory-swap', '129000000'],
    ],
    // GPUs are exclusive devices given at admission (gpu-args.ts), not a count.
    ['leaves GPUs to admission', { limits: { 'nvidia.com/gpu': '2' } }, []],
    [
      'ignores ephemeral-storage and hugepages',
      { limits: { 'ephemeral-storage': '1Gi', 'hugepages-2Mi': '64Mi' } },
      [],
    ],
    ['ignores a memory request', { requests: { memory: '64Mi' } }, []],
    [
      'combines everything in a stable order',
      { limits: { cpu: '2', memory: '1Gi', 'nvidia.com/gpu': 1 }, requests: { cpu: '1', memory: '512Mi' } },
      [
        '--cpu-period',
        '100000',
        '--cpu-quota',
        '200000',
        '--cpu-shares',
        '1024',
        '--memory',
        '1073741824',
        '--memory-swap',
        '1073741824',
      ],
    ],
  ];
  it.each(rows)('%s', (_name, resources, want) => {
    expect(resourceArgs(container(resources), FIELD)).toEqual(want);
  });

  // [behaviour, resources, field, problem]
  const refused: Array<[string, ResourceRequirements, string, RegExp]> = [
    [
      'a CPU limit that is no quantity',
      { limits: { cpu: '1.2.3' } },
      `${FIELD}/resources/limits/cpu`,
      /not a valid Kubernetes quantity/,
    ],
    [
      'a CPU request with a bad suffix',
      { requests: { cpu: '1Kb' } },
      `${FIELD}/resources/requests/cpu`,
      /unknown suffix "Kb"/,
    ],
    [
      'a memory limit with a space',
      { limits: { memory: '10 Mi' } },
      `${FIELD}/resources/limits/memory`,
      /not a valid/,
    ],
    [
      'a negative memory limit',
      { limits: { memory: '-1Gi' } },
      `${FIELD}/resources/limits/memory`,
      /negative/,
    ],
    [
      'a memory limit Docker cannot take',
      { limits: { memory: '4Mi' } },
      `${FIELD}/resources/limits/memory`,
      /below 6Mi/,
    ],
    [
      'a garbage quantity of a resource that is not enforced',
      { requests: { 'ephemeral-storage': 'lots' } },
      `${FIELD}/resources/requests/ephemeral-storage`,
      /not a valid/,
    ],
  ];
  it.each(refused)('refuses %s with a 422 naming the field', (_name, resources, field, problem) => {
    let caught: unknown;
    try {
      resourceArgs(container(resources), FIELD);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PluginError);
    expect((caught as PluginError).kind).toBe('invalid');
    expect((caught as PluginError).details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });
});
