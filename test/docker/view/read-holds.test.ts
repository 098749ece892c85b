/**
 * Which container events the pod view reads Docker for: a pod being made or started reads its
 * containers once, after, and events that read answers read nothing; every other change still
 * gets its read (a die, a restart by Docker, a start the plugin did not make).
 */
import { describe, expect, it } from 'vitest';
import { ReadHolds } from '../../../src/docker/view/read-holds.ts';

/** Holds whose reads are recorded: each read's ids. */
function recorded(): { holds: ReadHolds; reads: string[][] } {
  const reads: string[][] = [];
  return { holds: new ReadHolds(async (ids) => void reads.push([...ids])), reads };
}

describe('read holds', () => {
  it('names the events of a pod on hold for the read that ends the hold, not a read each', async () => {
    const { holds, reads } = recorded();
    holds.hold('pod-a');
    expect(holds.needsRead('c1', 'pod-a', 'create', false)).toBe(false);
    expect(holds.needsRead('c1', 'pod-a', 'start', false)).toBe(false);
    expect(holds.needsRead('other', 'pod-b', 'start', false)).toBe(true);
    await holds.release('pod-a', ['c1'], ['c1']);
    expect(reads).toEqual([['c1', 'c1']]);
    // Held no more: a die is read as it comes.
    expect(holds.needsRead('c1', 'pod-a', 'die', true)).toBe(true);
  });

  it('reads nothing for a create a read already knows of', async () => {
    const { holds } = recorded();
    expect(holds.needsRead('c1', 'pod-a', 'create', true)).toBe(false);
    expect(holds.needsRead('c1', 'pod-a', 'create', false)).toBe(true);
  });

  it('answers the start event of a run its starter read, and only that one', async () => {
    const { holds } = recorded();
    holds.hold('pod-a');
    await holds.release('pod-a', ['c1'], ['c1']);
    expect(holds.needsRead('c1', 'pod-a', 'start', true)).toBe(false);
    // The next run (Docker's restart policy) is read.
    expect(holds.needsRead('c1', 'pod-a', 'die', true)).toBe(true);
    expect(holds.needsRead('c1', 'pod-a', 'start', true)).toBe(true);
  });

  it('does not wait for a start event that came during the hold', async () => {
    const { holds } = recorded();
    holds.hold('pod-a');
    holds.needsRead('c1', 'pod-a', 'start', false);
    await holds.release('pod-a', ['c1'], ['c1']);
    expect(holds.needsRead('c1', 'pod-a', 'start', true)).toBe(true);
  });

  it('reads a later start after a start that made no event (the container was running): its die comes first', async () => {
    const { holds } = recorded();
    await holds.release('pod-a', [], ['c1']);
    expect(holds.needsRead('c1', 'pod-a', 'die', true)).toBe(true);
    expect(holds.needsRead('c1', 'pod-a', 'start', true)).toBe(true);
  });

  it('keeps a pod on hold until its last holder releases it', async () => {
    const { holds, reads } = recorded();
    holds.hold('pod-a');
    holds.hold('pod-a');
    holds.needsRead('c1', 'pod-a', 'die', true);
    await holds.release('pod-a', []);
    expect(holds.needsRead('c2', 'pod-a', 'die', true)).toBe(false);
    await holds.release('pod-a', ['c3']);
    expect(reads).toEqual([['c1'], ['c3', 'c2']]);
    expect(holds.needsRead('c3', 'pod-a', 'die', true)).toBe(true);
  });

  it('lets a starter wait for the end of a container it started, then reads its start and end once', async () => {
    const { holds, reads } = recorded();
    holds.hold('pod-a');
    holds.needsRead('init-1', 'pod-a', 'start', false);
    const ended = holds.untilDie('pod-a', 'init-1', 60_000);
    expect(holds.needsRead('init-1', 'pod-a', 'die', true)).toBe(false);
    expect(await ended).toBe(true);
    await holds.release('pod-a', ['init-1'], ['init-1']);
    expect(reads).toEqual([['init-1', 'init-1']]);
    // Its end came before the wait began: no wait at all.
    holds.hold('pod-a');
    holds.needsRead('init-2', 'pod-a', 'die', true);
    expect(await holds.untilDie('pod-a', 'init-2', 60_000)).toBe(true);
  });

  it('stops waiting for an end that does not come in time, and for a pod not on hold', async () => {
    const { holds } = recorded();
    holds.hold('pod-a');
    expect(await holds.untilDie('pod-a', 'app-1', 20)).toBe(false);
    expect(await holds.untilDie('pod-b', 'app-2', 60_000)).toBe(false);
  });
});
