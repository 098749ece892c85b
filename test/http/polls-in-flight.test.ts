/**
 * interLink polls every pod every few seconds: many /status requests may be in flight at once
 * (a slow answer, a burst after a restart). None of them may leak listeners or warn in the log.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { buildCreateRequest, buildPod, statusRequest } from '../fixtures/pod-builder.ts';
import { httpRequest } from '../helpers/plugin-process.ts';
import { closeAll, serveFake } from './serve-fake.ts';

afterEach(closeAll);

it('answers 20 /status polls in flight at once with no listener-leak warning on the shutdown signal', async () => {
  const shutdown = new AbortController();
  const { backend, target } = await serveFake({ shutdownSignal: shutdown.signal });
  const pod = buildPod();
  await httpRequest(target, 'POST', '/create', buildCreateRequest(pod));
  let release!: () => void;
  backend.holdStatus = new Promise((r) => {
    release = r;
  });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const body = statusRequest(pod, `fake-${pod.metadata.uid}`);
    const polls = Array.from({ length: 20 }, () => httpRequest(target, 'GET', '/status', body));
    await vi.waitFor(() => expect(backend.calls.filter((c) => c.method === 'status')).toHaveLength(20), {
      timeout: 30_000,
      interval: 20,
    });
    release();
    const answers = await Promise.all(polls);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers[0]?.json()).toEqual([expect.objectContaining({ UID: pod.metadata.uid })]);
    // Node emits the warning on a later tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  } finally {
    process.off('warning', onWarning);
  }
});
