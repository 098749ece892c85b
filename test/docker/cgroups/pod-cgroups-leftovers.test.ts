/**
 * A pod cgroup that its delete could not remove (something still in it) is removed once it can
 * be, without waiting for a plugin restart; never one whose pod exists again. Runs on a cgroup
 * tree of plain directories: a file left inside makes rmdir fail as a process in a cgroup does.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PodCgroups } from '../../../src/docker/cgroups/pod-cgroups.ts';
import { createLogger } from '../../../src/log.ts';

const roots: string[] = [];
const closers: PodCgroups[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function cgroups(uids: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'cgroups-'));
  roots.push(root);
  const lines: string[] = [];
  const c = new PodCgroups(
    'inst',
    createLogger({}, (l) => lines.push(l)),
    root,
  );
  closers.push(c);
  for (const h of ['memory', 'cpu']) mkdirSync(join(root, h));
  await c.detect({ CgroupDriver: 'cgroupfs', CgroupVersion: '1', KernelVersion: release() });
  const dir = (h: string, uid: string) => join(root, h, 'interlink-inst', `pod${uid}`);
  for (const uid of uids) for (const h of ['memory', 'cpu']) mkdirSync(dir(h, uid), { recursive: true });
  return { c, dir, lines };
}

describe('pod cgroups a delete could not remove', () => {
  it('are removed once they can be, and the rest of the pod’s cgroups at once', async () => {
    const { c, dir, lines } = await cgroups(['a']);
    const busy = join(dir('memory', 'a'), 'tasks');
    writeFileSync(busy, '1');
    let locked = 0;
    c.retryLeftovers({
      exclusive: async (_uid, fn) => {
        locked++;
        await fn();
      },
      exists: () => false,
      existing: () => [],
    });
    await c.remove('a');
    expect(existsSync(dir('cpu', 'a'))).toBe(false);
    expect(existsSync(dir('memory', 'a'))).toBe(true);
    expect(lines.join('\n')).toContain('could not remove a pod cgroup; trying again later');
    rmSync(busy);
    await expect.poll(() => existsSync(dir('memory', 'a')), { timeout: 15_000, interval: 200 }).toBe(false);
    expect(locked).toBeGreaterThan(0);
  });

  it('are left alone once the pod exists again (its own delete removes them)', async () => {
    const { c, dir } = await cgroups(['b']);
    const busy = join(dir('memory', 'b'), 'tasks');
    writeFileSync(busy, '1');
    let asked = 0;
    c.retryLeftovers({
      exclusive: (_uid, fn) => fn(),
      // The pod is back, and its cgroup could be removed now: it must not be.
      exists: () => {
        rmSync(busy, { force: true });
        asked++;
        return true;
      },
      existing: () => [],
    });
    await c.remove('b');
    await expect.poll(() => asked, { timeout: 15_000, interval: 200 }).toBeGreaterThan(0);
    expect(existsSync(dir('memory', 'b'))).toBe(true);
  });

  it('includes what the start-up sweep could not remove', async () => {
    const { c, dir } = await cgroups(['kept', 'stray']);
    writeFileSync(join(dir('memory', 'stray'), 'tasks'), '1');
    await c.sweep(['kept']);
    expect(existsSync(dir('memory', 'stray'))).toBe(true);
    expect(existsSync(dir('cpu', 'stray'))).toBe(false);
    c.retryLeftovers({ exclusive: (_uid, fn) => fn(), exists: () => false, existing: () => ['kept'] });
    rmSync(join(dir('memory', 'stray'), 'tasks'));
    await expect
      .poll(() => existsSync(dir('memory', 'stray')), { timeout: 15_000, interval: 200 })
      .toBe(false);
    expect(existsSync(dir('memory', 'kept'))).toBe(true);
  });
});
