/**
 * Exits recalled at start-up from the engine's past die and oom events, for containers the engine
 * restarted before the plugin started: the last one is the container's lastState, OOMKilled only
 * when an OOM kill was reported in the run that exit ended.
 */
import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { LastExits } from '../../../src/docker/view/last-exits.ts';
import { OomAttribution } from '../../../src/docker/view/oom-attribution.ts';
import { createLogger } from '../../../src/log.ts';
import { containerInspect } from '../../fixtures/container-inspect.ts';

const ID = 'c1';
const SINCE = '2026-12-07T10:00:00.000Z';
const at = (s: number) => Date.parse(SINCE) + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();
const die = (s: number, exitCode: number) => ({ id: ID, action: 'die', atMs: at(s), exitCode });
const oom = (s: number) => ({ id: ID, action: 'oom', atMs: at(s), exitCode: 0 });

/** The container as kept: restarted by the engine, its current run started at second `s`. */
const runningSince = (s: number): ContainerInspect =>
  containerInspect({ id: ID, status: 'running', restartCount: 1, startedAt: iso(s) });

function recall(events: ReturnType<typeof die>[], current = runningSince(60)): LastExits {
  const exits = new LastExits(
    new OomAttribution({ log: createLogger({ test: 'last-exits' }), kernelLog: false }),
  );
  exits.recall(events, SINCE, () => current);
  return exits;
}

describe('exits recalled from the engine’s past events', () => {
  it.each<[string, ReturnType<typeof die>[], object]>([
    ['an exit before the current run', [die(30, 3)], { ExitCode: 3, OOMKilled: false, At: iso(30) }],
    ['the last of several exits', [die(10, 1), die(30, 3)], { ExitCode: 3, OOMKilled: false, At: iso(30) }],
    ['an OOM kill reported before its exit', [oom(29.99), die(30, 137)], { ExitCode: 137, OOMKilled: true }],
    [
      'an OOM kill reported after its exit, before the next run',
      [die(30, 137), oom(30.5)],
      { OOMKilled: true },
    ],
    [
      'an OOM kill of an earlier run',
      [oom(9.99), die(10, 137), die(30, 137)],
      { ExitCode: 137, OOMKilled: false },
    ],
    ['an OOM kill before the replay began', [oom(-5), die(30, 137)], { ExitCode: 137, OOMKilled: false }],
    ['an OOM kill reported once the current run began', [die(30, 137), oom(61)], { OOMKilled: false }],
  ])('%s', (_name, events, want) => {
    expect(recall(events).get(ID)).toMatchObject(want);
  });

  it('leave an exit the live events told alone: it is the later one', () => {
    const exits = new LastExits(
      new OomAttribution({ log: createLogger({ test: 'last-exits' }), kernelLog: false }),
    );
    exits.died(ID, at(50), 2, iso(40));
    expect(exits.recall([die(30, 3)], SINCE, () => runningSince(60))).toEqual([]);
    expect(exits.get(ID)).toMatchObject({ ExitCode: 2, At: iso(50) });
  });
});
