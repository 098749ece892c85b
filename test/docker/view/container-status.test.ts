import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import {
  kubeTime,
  statusFromInspect,
  statusWithoutContainer,
} from '../../../src/docker/view/container-status.ts';
import { containerInspect, ZERO_TIME } from '../../fixtures/container-inspect.ts';

const ZERO = ZERO_TIME;

/** Docker's zero times unless given: the rows below say when a run started and ended. */
function inspect(state: Partial<ContainerInspect['State']>, restartCount = 0): ContainerInspect {
  return containerInspect({
    id: 'abc123def4567890',
    restartCount,
    state: { StartedAt: ZERO, FinishedAt: ZERO, ...state },
  });
}

const spec = { name: 'app', image: 'busybox:1.36' };
const T1 = '2026-11-22T10:00:01.123456789Z';
const T2 = '2026-11-22T10:00:05.5Z';

describe('statusFromInspect', () => {
  const rows: Array<[string, ContainerInspect, object]> = [
    [
      'a created container is waiting in ContainerCreating',
      inspect({}),
      { waiting: { reason: 'ContainerCreating' } },
    ],
    [
      'a running container reports when it started, to the second',
      inspect({ Status: 'running', Running: true, StartedAt: T1 }),
      { running: { startedAt: '2026-11-22T10:00:01Z' } },
    ],
    [
      'exit 0 is Completed',
      inspect({ Status: 'exited', ExitCode: 0, StartedAt: T1, FinishedAt: T2 }),
      {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: '2026-11-22T10:00:01Z',
          finishedAt: '2026-11-22T10:00:05Z',
          containerID: 'docker://abc123def4567890',
        },
      },
    ],
    [
      'a non-zero exit is Error with its code',
      inspect({ Status: 'exited', ExitCode: 3, StartedAt: T1, FinishedAt: T2 }),
      {
        terminated: {
          exitCode: 3,
          reason: 'Error',
          startedAt: '2026-11-22T10:00:01Z',
          finishedAt: '2026-11-22T10:00:05Z',
          containerID: 'docker://abc123def4567890',
        },
      },
    ],
    [
      'a memory kill is OOMKilled',
      inspect({ Status: 'exited', ExitCode: 137, OOMKilled: true, StartedAt: T1, FinishedAt: T2 }),
      {
        terminated: {
          exitCode: 137,
          reason: 'OOMKilled',
          startedAt: '2026-11-22T10:00:01Z',
          finishedAt: '2026-11-22T10:00:05Z',
          containerID: 'docker://abc123def4567890',
        },
      },
    ],
    [
      'a command that cannot run keeps Docker’s reason and no start time of its own',
      inspect({
        Status: 'exited',
        ExitCode: 127,
        Error: 'exec: "nope": executable file not found in $PATH',
        FinishedAt: T2,
      }),
      {
        terminated: {
          exitCode: 127,
          reason: 'ContainerCannotRun',
          message: 'exec: "nope": executable file not found in $PATH',
          startedAt: '2026-11-22T10:00:05Z',
          finishedAt: '2026-11-22T10:00:05Z',
          containerID: 'docker://abc123def4567890',
        },
      },
    ],
    [
      'a container Docker could not start stays "created" in Docker but is terminated for Kubernetes',
      inspect({ Status: 'created', ExitCode: 127, Error: 'exec: "-c": executable file not found in $PATH' }),
      {
        terminated: {
          exitCode: 127,
          reason: 'ContainerCannotRun',
          message: 'exec: "-c": executable file not found in $PATH',
          containerID: 'docker://abc123def4567890',
        },
      },
    ],
    [
      'a container Docker is restarting is in CrashLoopBackOff',
      inspect({ Status: 'restarting', Restarting: true, ExitCode: 1, StartedAt: T1, FinishedAt: T2 }, 2),
      { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container app' } },
    ],
  ];
  it.each(rows)('%s', (_name, c, state) => {
    const s = statusFromInspect(spec, c);
    expect(s.state).toEqual(state);
    expect(Object.keys(s.state)).toHaveLength(1);
    expect(s.containerID).toBe('docker://abc123def4567890');
    expect(s.imageID).toBe('sha256:x');
    expect(s.image).toBe('busybox:1.36');
  });

  it('is ready and started only while running', () => {
    expect(statusFromInspect(spec, inspect({ Status: 'running', StartedAt: T1 }))).toMatchObject({
      ready: true,
      started: true,
    });
    expect(
      statusFromInspect(spec, inspect({ Status: 'exited', StartedAt: T1, FinishedAt: T2 })),
    ).toMatchObject({ ready: false, started: false });
  });

  it('reports the restart count and the previous run as lastState', () => {
    const s = statusFromInspect(
      spec,
      inspect({ Status: 'running', StartedAt: T2, ExitCode: 1, FinishedAt: T1 }, 3),
    );
    expect(s.restartCount).toBe(3);
    expect(s.lastState).toEqual({
      terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-22T10:00:01Z' },
    });
  });

  it('reports no previous run before its exit is known, rather than the 0 the engine cleared it to', () => {
    const c = inspect({ Status: 'running', StartedAt: T2, ExitCode: 0, FinishedAt: T1 }, 1);
    const s = statusFromInspect(spec, c);
    expect(s.restartCount).toBe(1);
    expect(s.lastState).toEqual({});
  });

  it('takes the previous exit from the events once Docker has cleared it on restart', () => {
    const c = inspect({ Status: 'running', StartedAt: T2, ExitCode: 0, FinishedAt: T1 }, 1);
    c.LastExit = { ExitCode: 137, OOMKilled: true, At: '2026-11-22T10:00:04.9Z' };
    expect(statusFromInspect(spec, c).lastState).toEqual({
      terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-22T10:00:04Z' },
    });
  });

  it.each<[string, string, string | undefined, number | undefined, string | undefined]>([
    ["the container's message alone", '', 'disk full', undefined, 'disk full'],
    [
      "Docker's error first, then the container's, as the kubelet joins them",
      'mount failed',
      'bye',
      undefined,
      'mount failed: bye',
    ],
    ["cut to the pod's share", '', 'abcdef', 3, 'abc'],
    ['no message when neither has one', '', undefined, undefined, undefined],
  ])('gives an exited container %s', (_name, error, own, share, want) => {
    const c = inspect({ Status: 'exited', ExitCode: 1, Error: error, StartedAt: T1, FinishedAt: T2 });
    if (own !== undefined) c.TerminationMessage = Buffer.from(own);
    const s = statusFromInspect(spec, c, share === undefined ? {} : { messageShare: share });
    expect(s.state.terminated?.message).toBe(want);
  });

  it("puts the previous run's message in lastState", () => {
    const c = inspect({ Status: 'running', StartedAt: T2, ExitCode: 0, FinishedAt: T1 }, 1);
    c.LastExit = { ExitCode: 2, OOMKilled: false, At: '2026-11-22T10:00:04.9Z' };
    c.TerminationMessage = Buffer.from([0x6f, 0x6b, 0xff]);
    expect(statusFromInspect(spec, c).lastState).toEqual({
      terminated: { exitCode: 2, reason: 'Error', message: 'ok\uFFFD', finishedAt: '2026-11-22T10:00:04Z' },
    });
  });

  it('says PodInitializing for a main container held back by init containers', () => {
    expect(statusFromInspect(spec, inspect({}), { waitingForInit: true }).state).toEqual({
      waiting: { reason: 'PodInitializing' },
    });
  });
});

describe('statusWithoutContainer', () => {
  it('reports a vanished container the way kubelet does', () => {
    expect(statusWithoutContainer(spec, { kind: 'vanished' }).state).toEqual({
      terminated: {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was terminated',
      },
    });
  });
  it('gives a terminal state to a container an init failure kept from starting', () => {
    const s = statusWithoutContainer(spec, {
      kind: 'blocked-by-init',
      initName: 'setup',
      exitCode: 2,
      finishedAt: T2,
    });
    expect(s.state.terminated).toMatchObject({
      exitCode: 2,
      reason: 'InitContainerFailed',
      finishedAt: '2026-11-22T10:00:05Z',
    });
  });
  it('passes on why a container is still waiting', () => {
    const s = statusWithoutContainer(spec, {
      kind: 'creating',
      reason: 'ErrImagePull',
      message: 'pull access denied',
    });
    expect(s.state).toEqual({ waiting: { reason: 'ErrImagePull', message: 'pull access denied' } });
  });
});

describe('kubeTime', () => {
  it.each([
    [ZERO, undefined],
    ['', undefined],
    ['garbage', undefined],
    ['2026-11-22T10:00:01.999999999Z', '2026-11-22T10:00:01Z'],
  ])('%j → %j', (given, want) => {
    expect(kubeTime(given)).toBe(want);
  });
});
