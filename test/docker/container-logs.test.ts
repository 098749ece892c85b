import { describe, expect, it } from 'vitest';
import { dockerLogsArgs } from '../../src/docker/container-logs.ts';
import { UNSET_LOG_OPTS } from '../../src/interlink-wire.ts';

const zero = UNSET_LOG_OPTS;

describe('interLink log options → docker logs', () => {
  it.each([
    ['every option unset (as interLink sends it)', {}, ['logs', 'cid']],
    ['Tail', { Tail: 5 }, ['logs', '--tail', '5', 'cid']],
    ['Timestamps', { Timestamps: true }, ['logs', '--timestamps', 'cid']],
    ['SinceSeconds', { SinceSeconds: 30 }, ['logs', '--since', '2026-11-22T09:59:30.000Z', 'cid']],
    ['SinceTime', { SinceTime: '2026-11-22T10:00:00Z' }, ['logs', '--since', '2026-11-22T10:00:00Z', 'cid']],
    ['Follow', { Follow: true }, ['logs', '--follow', 'cid']],
    ['Bytes is applied to the stream, not by docker', { Bytes: 10 }, ['logs', 'cid']],
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
    ).toEqual(['logs', '--until', '2026-11-22T10:00:00.5Z', 'cid']);
  });

  it('shows only the current run of a restarted container, as kubectl does', () => {
    const args = dockerLogsArgs({
      opts: { ...zero, SinceTime: '2026-11-22T09:00:00Z' },
      containerId: 'cid',
      currentRunSince: '2026-11-22T10:00:00.5Z',
    });
    expect(args).toEqual(['logs', '--since', '2026-11-22T10:00:00.5Z', 'cid']);
    const later = dockerLogsArgs({
      opts: { ...zero, SinceTime: '2026-11-22T11:00:00Z' },
      containerId: 'cid',
      currentRunSince: '2026-11-22T10:00:00.5Z',
    });
    expect(later).toEqual(['logs', '--since', '2026-11-22T11:00:00Z', 'cid']);
  });
});
