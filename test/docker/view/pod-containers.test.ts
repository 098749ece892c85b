import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/contract/api-types.ts';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { groupContainers, nextStep, podShapeFromLabels } from '../../../src/docker/view/pod-containers.ts';
import { containerInspect, SOME_TIME } from '../../fixtures/container-inspect.ts';

type Run = 'created' | 'running' | ['exited', number];

function c(id: string, role: string, name: string, index: number, run: Run): ContainerInspect {
  return containerInspect({
    id,
    role,
    name,
    index,
    status: Array.isArray(run) ? run[0] : run,
    exitCode: Array.isArray(run) ? run[1] : 0,
    labels: { [LABEL.restartPolicy]: 'Never' },
  });
}

const pod = (restartPolicy: 'Never' | 'OnFailure' = 'Never'): Pod => ({
  metadata: { name: 'p', uid: 'u' },
  spec: {
    restartPolicy,
    initContainers: [
      { name: 'first', image: 'i' },
      { name: 'second', image: 'i' },
    ],
    containers: [
      { name: 'app', image: 'i' },
      { name: 'side', image: 'i' },
    ],
  },
});

const sandbox = c('sb', 'sandbox', '', 0, 'running');

describe('nextStep runs init containers one at a time, in order, then every main container', () => {
  const rows: Array<[string, ContainerInspect[], ReturnType<typeof nextStep>]> = [
    [
      'starts the first init container first',
      [
        sandbox,
        c('i1', 'init', 'first', 0, 'created'),
        c('i2', 'init', 'second', 1, 'created'),
        c('m1', 'main', 'app', 0, 'created'),
        c('m2', 'main', 'side', 1, 'created'),
      ],
      { kind: 'start', ids: ['i1'] },
    ],
    [
      'waits while an init container runs',
      [
        sandbox,
        c('i1', 'init', 'first', 0, 'running'),
        c('i2', 'init', 'second', 1, 'created'),
        c('m1', 'main', 'app', 0, 'created'),
        c('m2', 'main', 'side', 1, 'created'),
      ],
      { kind: 'wait' },
    ],
    [
      'starts the second once the first exited 0',
      [
        sandbox,
        c('i1', 'init', 'first', 0, ['exited', 0]),
        c('i2', 'init', 'second', 1, 'created'),
        c('m1', 'main', 'app', 0, 'created'),
        c('m2', 'main', 'side', 1, 'created'),
      ],
      { kind: 'start', ids: ['i2'] },
    ],
    [
      'starts every main container together after the last init container',
      [
        sandbox,
        c('i1', 'init', 'first', 0, ['exited', 0]),
        c('i2', 'init', 'second', 1, ['exited', 0]),
        c('m1', 'main', 'app', 0, 'created'),
        c('m2', 'main', 'side', 1, 'created'),
      ],
      { kind: 'start', ids: ['m1', 'm2'] },
    ],
    [
      'fails the pod when an init container fails and the policy is Never',
      [
        sandbox,
        c('i1', 'init', 'first', 0, ['exited', 4]),
        c('i2', 'init', 'second', 1, 'created'),
        c('m1', 'main', 'app', 0, 'created'),
        c('m2', 'main', 'side', 1, 'created'),
      ],
      { kind: 'failed', failure: { name: 'first', exitCode: 4, finishedAt: SOME_TIME } },
    ],
    [
      'is done once everything has started',
      [
        sandbox,
        c('i1', 'init', 'first', 0, ['exited', 0]),
        c('i2', 'init', 'second', 1, ['exited', 0]),
        c('m1', 'main', 'app', 0, 'running'),
        c('m2', 'main', 'side', 1, ['exited', 3]),
      ],
      { kind: 'done' },
    ],
  ];
  it.each(rows)('%s', (_name, containers, want) => {
    expect(nextStep(pod(), groupContainers(containers))).toEqual(want);
  });

  it('fails the pod when an init container cannot even start', () => {
    const broken = c('i1', 'init', 'first', 0, 'created');
    broken.State.ExitCode = 127;
    broken.State.Error = 'exec: "nope": executable file not found in $PATH';
    expect(
      nextStep(pod(), groupContainers([sandbox, broken, c('m1', 'main', 'app', 0, 'created')])),
    ).toMatchObject({
      kind: 'failed',
      failure: { name: 'first', exitCode: 127 },
    });
  });

  it('leaves a failed init container to Docker to restart under OnFailure', () => {
    const containers = [
      sandbox,
      c('i1', 'init', 'first', 0, ['exited', 4]),
      c('m1', 'main', 'app', 0, 'created'),
    ];
    expect(nextStep(pod('OnFailure'), groupContainers(containers))).toEqual({ kind: 'wait' });
  });

  it('rebuilds the order from labels alone, so sequencing resumes after a plugin restart', () => {
    const containers = groupContainers([
      sandbox,
      c('m1', 'main', 'app', 0, 'created'),
      c('i2', 'init', 'second', 1, 'created'),
      c('i1', 'init', 'first', 0, ['exited', 0]),
    ]);
    const shape = podShapeFromLabels('u', containers);
    expect(shape.spec?.initContainers?.map((x) => x.name)).toEqual(['first', 'second']);
    expect(shape.spec?.restartPolicy).toBe('Never');
    expect(nextStep(shape, containers)).toEqual({ kind: 'start', ids: ['i2'] });
  });

  it('waits for an init container its labels list but Docker lacks, instead of starting the main ones', () => {
    const set = JSON.stringify({ init: ['first', 'second'], main: ['app'] });
    const labelled = (x: ContainerInspect) => ({
      ...x,
      Config: { ...x.Config, Labels: { ...x.Config.Labels, [LABEL.podContainers]: set } },
    });
    // A create cut off after the first init container: the second was never made.
    const containers = groupContainers(
      [sandbox, c('i1', 'init', 'first', 0, ['exited', 0]), c('m1', 'main', 'app', 0, 'created')].map(
        labelled,
      ),
    );
    const shape = podShapeFromLabels('u', containers);
    expect(shape.spec?.initContainers?.map((x) => x.name)).toEqual(['first', 'second']);
    expect(nextStep(shape, containers)).toEqual({ kind: 'wait' });
  });
});

describe('groupContainers', () => {
  it('lists a pod’s containers in the spec’s order, whatever order Docker lists them in', () => {
    // Made at once, the containers reach Docker (and its listings) in any order.
    const g = groupContainers([
      c('m2', 'main', 'side', 1, 'running'),
      sandbox,
      c('i2', 'init', 'second', 1, ['exited', 0]),
      c('m1', 'main', 'app', 0, 'running'),
      c('i1', 'init', 'first', 0, ['exited', 0]),
    ]);
    expect([...g.init.keys()]).toEqual(['first', 'second']);
    expect([...g.main.keys()]).toEqual(['app', 'side']);
    expect(g.sandbox?.Id).toBe('sb');
  });
});
