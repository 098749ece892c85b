/**
 * Removals of pods deleted together share `docker rm` calls, and each caller still gets its own
 * outcome. Played on a recording `rm` (the real one: test/docker/lifecycle/pod-remove.test.ts).
 */
import { expect, it, vi } from 'vitest';
import { DockerCliError, type RunResult } from '../../../src/docker/engine/docker-cli.ts';
import { RemovalBatches } from '../../../src/docker/engine/removal-batches.ts';

/** An `rm` that records its calls and answers when the test says (or at once, with `answer`). */
function recordingRm(answer?: (ids: readonly string[]) => RunResult | Error) {
  const calls: string[][] = [];
  const ends: Array<() => void> = [];
  const rm = (ids: readonly string[]) => {
    calls.push([...ids]);
    return new Promise<RunResult>((resolve, reject) => {
      const end = () => {
        const out = answer?.(ids) ?? { stdout: ids.map((id) => `${id}\n`).join(''), stderr: '' };
        if (out instanceof Error) reject(out);
        else resolve(out);
      };
      if (answer) end();
      else ends.push(end);
    });
  };
  const endAll = () => {
    for (const end of ends.splice(0)) end();
  };
  return { rm, calls, endAll };
}

it('starts a removal at once, and removals asked while two run share the next docker rm', async () => {
  const { rm, calls, endAll } = recordingRm();
  const batches = new RemovalBatches(rm, 2);
  const done = [['a1', 'a2'], ['b1'], ['c1'], ['d1', 'd2'], ['e1']].map((ids) => batches.remove(ids));
  expect(calls).toEqual([['a1', 'a2'], ['b1']]);
  endAll();
  await Promise.all(done.slice(0, 2));
  expect(calls).toEqual([['a1', 'a2'], ['b1'], ['c1', 'd1', 'd2', 'e1']]);
  endAll();
  await Promise.all(done);
  expect(calls).toHaveLength(3);
});

it('fails only the removal whose container Docker could not remove; the others succeed', async () => {
  // Docker removes what it can and prints it; `stuck` it cannot remove, alone or not.
  const { rm, calls } = recordingRm((ids) => {
    const removed = ids.filter((id) => id !== 'stuck');
    const stdout = removed.map((id) => `${id}\n`).join('');
    if (removed.length === ids.length) return { stdout, stderr: '' };
    return new DockerCliError(
      `docker rm --force --volumes ${ids.join(' ')}`,
      1,
      'Error response from daemon: cannot remove container "/stuck": device or resource busy\n',
      stdout,
    );
  });
  const batches = new RemovalBatches(rm, 1);
  const first = batches.remove(['x']);
  const together = [batches.remove(['a1', 'a2']), batches.remove(['b1', 'stuck']), batches.remove(['c1'])];
  await first;
  const outcomes = await Promise.allSettled(together);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DockerCliError);
  expect((outcomes[1] as PromiseRejectedResult).reason.stderr).toMatch(/stuck.*busy/);
  // The shared call, then the failed pod's own call again for its own answer.
  expect(calls).toEqual([['x'], ['a1', 'a2', 'b1', 'stuck', 'c1'], ['b1', 'stuck']]);
});

it('gives a removal alone the error of its own call, without calling again', async () => {
  const { rm, calls } = recordingRm(
    () => new DockerCliError('docker rm', 1, 'Cannot connect to the Docker daemon'),
  );
  const failed = await new RemovalBatches(rm).remove(['a1']).catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(DockerCliError);
  expect(calls).toEqual([['a1']]);
});

it('answers a removal as soon as the shared docker rm has printed its containers, before the call ends', async () => {
  let print: (id: string) => void = () => {};
  let end: () => void = () => {};
  const calls: string[][] = [];
  const rm = (ids: readonly string[], removed: (id: string) => void) => {
    calls.push([...ids]);
    print = removed;
    return new Promise<RunResult>((resolve) => {
      end = () => resolve({ stdout: ids.map((id) => `${id}\n`).join(''), stderr: '' });
    });
  };
  const batches = new RemovalBatches(rm, 1);
  const first = batches.remove(['x']);
  const a = batches.remove(['a1', 'a2']);
  const b = batches.remove(['b1']);
  print('x');
  await first;
  end();
  await vi.waitFor(() => expect(calls).toEqual([['x'], ['a1', 'a2', 'b1']]));
  const state = { a: false, b: false };
  void a.then(() => {
    state.a = true;
  });
  void b.then(() => {
    state.b = true;
  });
  print('a1');
  await Promise.resolve();
  expect(state).toEqual({ a: false, b: false });
  print('a2');
  await a;
  expect(state.b).toBe(false);
  print('b1');
  await b;
});

it('gives eight removals asked at once a docker rm each, and lets the ones after share the next', async () => {
  const { rm, calls, endAll } = recordingRm();
  const batches = new RemovalBatches(rm);
  const done = Array.from({ length: 10 }, (_, i) => batches.remove([`p${i}`]));
  expect(calls).toEqual(Array.from({ length: 8 }, (_, i) => [`p${i}`]));
  endAll();
  await Promise.all(done.slice(0, 8));
  await vi.waitFor(() => expect(calls.at(-1)).toEqual(['p8', 'p9']));
  endAll();
  await Promise.all(done);
  expect(calls).toHaveLength(9);
});
