import { describe, expect, it } from 'vitest';
import { UNSET_LOG_OPTS } from '../../../src/contract/interlink-wire.ts';
import { currentRunSince, dockerLogsArgs } from '../../../src/docker/containers/container-logs.ts';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';

const zero = UNSET_LOG_OPTS;

describe('interLink log options → docker logs', () => {
  it.each([
    ['every option unset (as interLink sends it)', {}, ['cid']],
    ['Tail', { Tail: 5 }, ['--tail', '5', 'cid']],
    ['Timestamps', { Timestamps: true }, ['--timestamps', 'cid']],
    ['SinceSeconds', { SinceSeconds: 30 }, ['--since', '2026-11-22T09:59:30.000Z', 'cid']],
    ['SinceSeconds reaching back before 1970: the whole log', { SinceSeconds: 8640000000000 }, ['cid']],
    ['SinceTime', { SinceTime: '2026-11-22T10:00:00Z' }, ['--since', '2026-11-22T10:00:00Z', 'cid']],
    ['Follow', { Follow: true }, ['--follow', 'cid']],
    ['Bytes is applied to the stream, not by docker', { Bytes: 10 }, ['cid']],
  ])('%s', (_name, opts, want) => {
    expect(
      dockerLogsArgs({
        opts: { ...zero, ...opts },
        containerId: 'cid',
        now: new Date('2026-11-22T10:00:00Z'),
      }),
    ).toEqual(want);
  });

  it('returns only output from before the current run for Previous, and never follows', () => {
    expect(
      dockerLogsArgs({
        opts: { ...zero, Previous: true, Follow: true },
        containerId: 'cid',
        currentRunSince: '2026-11-22T10:00:00.5Z',
      }),
    ).toEqual(['--until', '2026-11-22T10:00:00.5Z', 'cid']);
  });

  it('shows only the current run of a restarted container, as kubectl does', () => {
    const args = dockerLogsArgs({
      opts: { ...zero, SinceTime: '2026-11-22T09:00:00Z' },
      containerId: 'cid',
      currentRunSince: '2026-11-22T10:00:00.5Z',
    });
    expect(args).toEqual(['--since', '2026-11-22T10:00:00.5Z', 'cid']);
    const later = dockerLogsArgs({
      opts: { ...zero, SinceTime: '2026-11-22T11:00:00Z' },
      containerId: 'cid',
      currentRunSince: '2026-11-22T10:00:00.5Z',
    });
    expect(later).toEqual(['--since', '2026-11-22T11:00:00Z', 'cid']);
  });
});

describe('where the current run of a restarted container begins', () => {
  const exited = (lastExit?: ContainerInspect['LastExit']): ContainerInspect => ({
    Id: 'c',
    Name: '/c',
    Created: '',
    Image: '',
    RestartCount: 2,
    State: {
      Status: 'exited',
      Running: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-11-22T10:00:02.200Z',
      FinishedAt: '2026-11-22T10:00:02.300Z',
    },
    Config: { Image: 'i', Labels: {} },
    ...(lastExit ? { LastExit: lastExit } : {}),
  });

  it.each([
    [
      'after the exit before the last, once the events brought the last one',
      {
        ExitCode: 0,
        OOMKilled: false,
        At: '2026-11-22T10:00:02.301Z',
        PreviousAt: '2026-11-22T10:00:02.000Z',
      },
      '2026-11-22T10:00:02.000Z',
    ],
    [
      'after the last exit the events brought, while the final one is still on its way',
      { ExitCode: 1, OOMKilled: false, At: '2026-11-22T10:00:02.000Z' },
      '2026-11-22T10:00:02.000Z',
    ],
    [
      'a little before Docker’s StartedAt without events (after a plugin restart)',
      undefined,
      '2026-11-22T10:00:02.150Z',
    ],
  ] as const)('%s', (_name, lastExit, want) => {
    expect(currentRunSince(exited(lastExit))).toBe(want);
  });

  it('is the end of the run before while the container runs again', () => {
    const c = exited();
    c.State.Status = 'running';
    expect(currentRunSince(c)).toBe('2026-11-22T10:00:02.300Z');
  });
});
