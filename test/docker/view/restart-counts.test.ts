/** restartCount across Docker's resets (a daemon restart, a start by the plugin), and across a plugin restart. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LABEL } from '../../../src/docker/labels.ts';
import { RestartCounts } from '../../../src/docker/view/restart-counts.ts';
import { containerInspect } from '../../fixtures/container-inspect.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'restarts-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const ZERO = '0001-01-01T00:00:00Z';

/** What inspect says of container `id` of pod `uid`: Docker's own count and the run's start. */
function seen(counts: RestartCounts, uid: string, restartCount: number, startedAt: string): number {
  const c = containerInspect({
    id: 'c1',
    status: 'running',
    restartCount,
    startedAt,
    labels: { [LABEL.podUid]: uid },
  });
  counts.adjust(c);
  return c.RestartCount;
}

it('keeps counting when Docker starts again from 0, and not for a first start', () => {
  const counts = new RestartCounts(stateDir);
  expect(seen(counts, 'p1', 0, ZERO)).toBe(0);
  expect(seen(counts, 'p1', 0, '2026-11-28T10:00:00Z')).toBe(0);
  expect(seen(counts, 'p1', 2, '2026-11-28T10:01:00Z')).toBe(2);
  // The daemon restarted: a new run, Docker's count back to 0.
  expect(seen(counts, 'p1', 0, '2026-11-28T10:05:00Z')).toBe(3);
  expect(seen(counts, 'p1', 1, '2026-11-28T10:06:00Z')).toBe(4);
  // The same run read again changes nothing.
  expect(seen(counts, 'p1', 1, '2026-11-28T10:06:00Z')).toBe(4);
});

it('remembers the counts across a plugin restart, and sees a reset that happened meanwhile', async () => {
  mkdirSync(join(stateDir, 'pods', 'p2'), { recursive: true });
  const before = new RestartCounts(stateDir);
  seen(before, 'p2', 0, '2026-11-28T10:00:00Z');
  expect(seen(before, 'p2', 1, '2026-11-28T10:01:00Z')).toBe(1);
  await before.saved();
  const after = new RestartCounts(stateDir);
  await after.load();
  expect(seen(after, 'p2', 0, '2026-11-28T10:09:00Z')).toBe(2);
  // That read records a new run: its write must be done before afterAll removes the directory.
  await after.saved();
});
