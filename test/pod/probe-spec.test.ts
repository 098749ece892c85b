import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../src/contract/api-types.ts';
import {
  type ContainerProbeSpec,
  consequence,
  containerProbeSpec,
  graceAfterPreStop,
  initialCounter,
  killGraceSeconds,
  type ProbeCounter,
  type ProbeKind,
  parseContainerProbeSpec,
  probeGate,
  probeTiming,
  recordOutcome,
  resolvePort,
} from '../../src/pod/probe-spec.ts';

const exec = { exec: { command: ['true'] } };

describe('probe timing defaults, as the API server fills them in', () => {
  it.each<[string, ProbeKind, Parameters<typeof probeTiming>[1], ReturnType<typeof probeTiming>]>([
    [
      'an empty probe gets 0 s delay, 10 s period, 1 s timeout, thresholds 1 and 3',
      'readiness',
      exec,
      {
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
    ],
    [
      'given values are kept',
      'readiness',
      {
        ...exec,
        initialDelaySeconds: 5,
        periodSeconds: 2,
        timeoutSeconds: 4,
        successThreshold: 2,
        failureThreshold: 7,
      },
      {
        initialDelaySeconds: 5,
        periodSeconds: 2,
        timeoutSeconds: 4,
        successThreshold: 2,
        failureThreshold: 7,
      },
    ],
    [
      'zeros count as unset, as in Go',
      'liveness',
      { ...exec, periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0 },
      {
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
    ],
    [
      'liveness probes need one success whatever they say',
      'liveness',
      { ...exec, successThreshold: 4 },
      {
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
    ],
    [
      'startup probes need one success whatever they say',
      'startup',
      { ...exec, successThreshold: 3, failureThreshold: 30, periodSeconds: 1 },
      {
        initialDelaySeconds: 0,
        periodSeconds: 1,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 30,
      },
    ],
  ])('%s', (_name, kind, probe, want) => {
    expect(probeTiming(kind, probe)).toEqual(want);
  });
});

describe('results before the first verdict', () => {
  it.each<[ProbeKind, ProbeCounter['result']]>([
    ['readiness', 'failure'],
    ['liveness', 'success'],
    ['startup', 'unknown'],
  ])('a %s probe starts as %s', (kind, result) => {
    expect(initialCounter(kind).result).toBe(result);
  });
});

describe('consecutive outcomes and thresholds', () => {
  const timing = probeTiming('readiness', { ...exec, successThreshold: 2, failureThreshold: 3 });
  const play = (kind: ProbeKind, outcomes: boolean[]) => {
    let counter = initialCounter(kind);
    const flips: string[] = [];
    for (const ok of outcomes) {
      const step = recordOutcome(counter, ok, kind === 'readiness' ? timing : probeTiming(kind, exec));
      counter = step.counter;
      if (step.flipped) flips.push(counter.result);
    }
    return { result: counter.result, flips };
  };
  it.each<[string, ProbeKind, boolean[], { result: string; flips: string[] }]>([
    ['one success is not enough when two are needed', 'readiness', [true], { result: 'failure', flips: [] }],
    [
      'two successes in a row make it ready',
      'readiness',
      [true, true],
      { result: 'success', flips: ['success'] },
    ],
    [
      'a failure between successes starts the count again',
      'readiness',
      [true, false, true, true],
      { result: 'success', flips: ['success'] },
    ],
    [
      'three failures in a row make it unready again',
      'readiness',
      [true, true, false, false, false],
      { result: 'failure', flips: ['success', 'failure'] },
    ],
    [
      'two failures are below the threshold',
      'readiness',
      [true, true, false, false, true],
      { result: 'success', flips: ['success'] },
    ],
    [
      'a healthy container stays alive without a flip',
      'liveness',
      [true, true],
      { result: 'success', flips: [] },
    ],
    [
      'liveness fails after failureThreshold failures',
      'liveness',
      [false, false, false],
      { result: 'failure', flips: ['failure'] },
    ],
    [
      'startup succeeds at the first success',
      'startup',
      [false, true],
      { result: 'success', flips: ['success'] },
    ],
  ])('%s', (_name, kind, outcomes, want) => {
    expect(play(kind, outcomes)).toEqual(want);
  });
});

describe('when a probe runs', () => {
  const timing = probeTiming('liveness', { ...exec, initialDelaySeconds: 5 });
  it.each<[string, ProbeKind, { secondsSinceStart: number; started: boolean }, string]>([
    ['not during the initial delay', 'liveness', { secondsSinceStart: 4.9, started: true }, 'wait'],
    ['from the end of the initial delay', 'liveness', { secondsSinceStart: 5, started: true }, 'run'],
    ['readiness waits for the startup probe', 'readiness', { secondsSinceStart: 60, started: false }, 'wait'],
    ['liveness waits for the startup probe', 'liveness', { secondsSinceStart: 60, started: false }, 'wait'],
    ['the startup probe runs until it succeeds', 'startup', { secondsSinceStart: 60, started: false }, 'run'],
    ['the startup probe stops once it has', 'startup', { secondsSinceStart: 60, started: true }, 'done'],
  ])('%s', (_name, kind, state, want) => {
    expect(probeGate(kind, timing, state)).toBe(want);
  });
});

describe('what a flipped result does', () => {
  it.each<[ProbeKind, ProbeCounter['result'], ReturnType<typeof consequence>]>([
    ['liveness', 'failure', 'kill'],
    ['startup', 'failure', 'kill'],
    ['startup', 'success', 'started'],
    ['liveness', 'success', undefined],
    ['readiness', 'success', 'ready'],
    ['readiness', 'failure', 'unready'],
  ])('%s %s → %s', (kind, result, want) => {
    expect(consequence(kind, result)).toBe(want);
  });
});

describe('grace periods', () => {
  const spec: ContainerProbeSpec = {
    livenessProbe: { ...exec, terminationGracePeriodSeconds: 4 },
    startupProbe: exec,
    terminationGracePeriodSeconds: 12,
  };
  it.each<[string, ContainerProbeSpec, ProbeKind | 'postStart', number]>([
    ['a liveness kill uses the probe’s own grace period', spec, 'liveness', 4],
    ['a startup kill without its own falls back to the pod’s', spec, 'startup', 12],
    ['a failed postStart uses the pod’s', spec, 'postStart', 12],
    ['without any, the Kubernetes default of 30 s', { livenessProbe: exec }, 'liveness', 30],
  ])('%s', (_name, s, kind, want) => {
    expect(killGraceSeconds(s, kind)).toBe(want);
  });

  it.each<[string, number, number, boolean, number]>([
    ['what the hook used is taken off', 30, 10.2, true, 20],
    ['never less than the kubelet’s 2 s minimum', 5, 5, true, 2],
    ['no hook leaves the grace period as it was', 1, 0, false, 1],
    ['a zero grace period stays zero (force delete)', 0, 0, true, 0],
  ])('%s', (_name, grace, elapsed, hookRan, want) => {
    expect(graceAfterPreStop(grace, elapsed, hookRan)).toBe(want);
  });
});

describe('ports by number or by name', () => {
  const named = { http: 8080, metrics: 9090 };
  it.each<[string, number | string | undefined, number | undefined]>([
    ['a number', 80, 80],
    ['a container port name', 'http', 8080],
    ['a numeric string', '8081', 8081],
    ['an unknown name', 'grpc', undefined],
    ['a port out of range', 70000, undefined],
    ['nothing', undefined, undefined],
  ])('%s', (_name, port, want) => {
    expect(resolvePort(port, named)).toBe(want);
  });
});

describe('what a container records for its probes', () => {
  const pod = (c: Partial<Container>, grace?: number): [Pod, Container] => {
    const container: Container = { name: 'app', image: 'busybox:1.36', ...c };
    return [
      {
        metadata: { name: 'p', namespace: 'default', uid: 'u' },
        spec: {
          containers: [container],
          ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
        },
      },
      container,
    ];
  };
  it.each<[string, Partial<Container>, number | undefined, ContainerProbeSpec | undefined]>([
    [
      'nothing for a container without probes or hooks',
      { ports: [{ name: 'http', containerPort: 80 }] },
      30,
      undefined,
    ],
    ['nothing for an empty lifecycle', { lifecycle: {} }, undefined, undefined],
    [
      'the probes, named ports and the pod grace period',
      {
        readinessProbe: { httpGet: { port: 'http' } },
        ports: [{ name: 'http', containerPort: 80 }, { containerPort: 81 }],
      },
      5,
      {
        readinessProbe: { httpGet: { port: 'http' } },
        ports: { http: 80 },
        terminationGracePeriodSeconds: 5,
      },
    ],
    [
      'a lifecycle hook alone',
      { lifecycle: { preStop: { sleep: { seconds: 1 } } } },
      undefined,
      { lifecycle: { preStop: { sleep: { seconds: 1 } } } },
    ],
  ])('%s', (_name, c, grace, want) => {
    const [p, container] = pod(c, grace);
    const spec = containerProbeSpec(p, container);
    expect(spec).toEqual(want);
    if (spec) expect(parseContainerProbeSpec(JSON.stringify(spec))).toEqual(spec);
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['empty', ''],
    ['null', 'null'],
  ])('ignores a label that is %s', (_name, label) => {
    expect(parseContainerProbeSpec(label)).toBeUndefined();
  });
});
