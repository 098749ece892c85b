/**
 * The plugin killed with SIGKILL in the middle of a create, an init sequence or a delete, started
 * again, the call retried: every pod ends whole or wholly gone, judged from Docker and the disk.
 * A few seeded cases here; `npm run crash-sweep` runs every crash point of every shape.
 */
import { afterEach, expect, it } from 'vitest';
import { type CrashCase, runCrashCase } from '../helpers/crash-scenarios.ts';
import { describeDocker } from '../helpers/docker.ts';
import { stopAll } from '../helpers/plugin-process.ts';

const CASES: CrashCase[] = [
  { shape: 'pair', op: 'create', point: 'create:sandbox' },
  { shape: 'init', op: 'create', point: 'create:container#3' },
  { shape: 'memory', op: 'create', point: 'create:made' },
  { shape: 'init', op: 'create', point: 'sequence:started#2' },
  { shape: 'pair', op: 'delete', point: 'delete:stopped' },
  { shape: 'memory', op: 'delete', point: 'delete:removed' },
];

describeDocker('a plugin killed half-way', () => {
  afterEach(stopAll);

  it.each(CASES.map((c) => [`${c.op} of a ${c.shape} pod at ${c.point}`, c] as const))(
    'leaves the pod whole or gone after a %s, and the retried call finishes it',
    async (_name, crashCase) => {
      const result = await runCrashCase(crashCase);
      expect(result.afterRestart.kind, JSON.stringify(result.afterRestart)).not.toBe('broken');
      expect(result.afterRetry, JSON.stringify(result.afterRetry)).toEqual({
        kind: crashCase.op === 'create' ? 'whole' : 'gone',
      });
    },
    180_000,
  );
});
