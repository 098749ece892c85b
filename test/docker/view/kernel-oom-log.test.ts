import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelOomLog, parseOomRecord } from '../../../src/docker/view/kernel-oom-log.ts';
import { OomAttribution } from '../../../src/docker/view/oom-attribution.ts';
import { createLogger } from '../../../src/log.ts';

const ID = 'ab'.repeat(32);
const kill = (usec: number, memcg: string) =>
  `3,812,${usec},-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,mems_allowed=0,` +
  `oom_memcg=${memcg},task_memcg=${memcg},task=dd,pid=9856,uid=0`;

describe('the kernel log as a record of OOM kills', () => {
  it.each([
    ['a cgroupfs container', `/docker/${ID}`, ID],
    ['a container under a pod cgroup', `/interlink/default/pod-1/${ID}`, ID],
    ['a systemd scope', `/interlink.slice/interlink-pod1.slice/docker-${ID}.scope`, ID],
    ['a process outside any container', '/user.slice/user-0.slice/session-1.scope', undefined],
  ])('names the victim container of %s', (_, memcg, want) => {
    expect(parseOomRecord(kill(2_000_000, memcg), 1_000)?.containerId).toBe(want);
  });

  it('times a kill by the kernel clock, from its zero', () => {
    expect(parseOomRecord(kill(2_500_000, `/docker/${ID}`), 1_000)?.atMs).toBe(3_500);
  });

  it('ignores every other record, the memory report before a kill included', () => {
    expect(
      parseOomRecord(`4,811,1999,-;dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)`, 0),
    ).toBeUndefined();
    expect(parseOomRecord(`6,1,1,-;task_memcg=/docker/${ID} said by someone else`, 0)).toBeUndefined();
  });

  it('is not fooled by a process named oom-kill: that crashes in a file named after a container', () => {
    // What the kernel logs for such a process (comm `oom-kill:`, 9 of its 15 bytes), as a pod could make it.
    const segfault =
      `6,900,5000,-;oom-kill:[4242]: segfault at 0 ip 0000000000401000 sp 00007ffd error 4 ` +
      `in x task_memcg=/docker/${ID} y[401000+1000]`;
    expect(parseOomRecord(segfault, 0)).toBeUndefined();
  });

  it('reads only the records written since the last read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kmsg-')), 'kmsg');
    writeFileSync(file, `${kill(1, `/docker/${ID}`)}\n`);
    const log = KernelOomLog.open(file);
    expect(log.drain()).toHaveLength(1);
    expect(log.drain()).toHaveLength(0);
    log.close();
  });
});

describe('OOM attribution to a run', () => {
  const started = '2026-12-07T01:00:00.000Z';
  const finished = '2026-12-07T01:00:10.000Z';
  const at = (iso: string, plusMs: number) => Date.parse(iso) + plusMs;

  it('counts Docker’s oom event from the run’s start on, even after the exit', () => {
    const oom = new OomAttribution({ log: createLogger({}), kernelLog: false });
    oom.reported(ID, at(finished, 2_000));
    expect(oom.killedInRun(ID, started, finished)).toBe(true);
    expect(oom.killedInRun(ID, '2026-12-07T01:00:20.000Z')).toBe(false);
  });

  it('counts no kill for a container nobody reported', () => {
    const oom = new OomAttribution({ log: createLogger({}), kernelLog: false });
    oom.reported('other', at(started, 1));
    expect(oom.killedInRun(ID, started, finished)).toBe(false);
  });
});

describe('whether the engine runs on the kernel whose log is read', () => {
  const kmsg = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kmsg-')), 'kmsg');
    writeFileSync(file, '');
    return file;
  };

  it('a run already over when looked at says nothing: the next running container decides', () => {
    const answers: Array<boolean | undefined> = [undefined, true];
    const oom = new OomAttribution({
      log: createLogger({}, () => {}),
      kernelLog: kmsg(),
      onThisKernel: () => answers.shift(),
    });
    oom.sawRunning('gone', 101);
    oom.sawRunning(ID, 102);
    expect(oom.readsKernel).toBe(true);
    expect(answers).toEqual([]);
    oom.close();
  });

  it('a process of the container not on this kernel stops the reading of its log', () => {
    const oom = new OomAttribution({
      log: createLogger({}, () => {}),
      kernelLog: kmsg(),
      onThisKernel: () => false,
    });
    oom.sawRunning(ID, 102);
    expect(oom.readsKernel).toBe(false);
  });

  it('no running container ever found on this kernel stops it after a few', () => {
    const oom = new OomAttribution({
      log: createLogger({}, () => {}),
      kernelLog: kmsg(),
      onThisKernel: () => undefined,
    });
    oom.sawRunning('a', 1);
    oom.sawRunning('b', 2);
    expect(oom.readsKernel).toBe(true);
    oom.sawRunning('c', 3);
    expect(oom.readsKernel).toBe(false);
  });
});
