/** Creates and deletes past the cap: as many again wait their turn, and any more get 503 with Retry-After. */
import { afterEach, expect, it } from 'vitest';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { httpRequest } from '../helpers/plugin-process.ts';
import { closeAll, serveFake } from './serve-fake.ts';

afterEach(closeAll);

it('answers 503 with Retry-After to a create or delete past the running and waiting places, and serves the others', async () => {
  const { backend, target } = await serveFake({ maxConcurrentOps: 1 });
  let release = () => {};
  backend.hold = new Promise<void>((r) => {
    release = r;
  });
  const running = httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()));
  const waiting = httpRequest(target, 'POST', '/delete', deleteRequest(buildPod()));
  // The first has reached the backend; the second waits its turn without reaching it.
  while (backend.calls.length < 1) await new Promise((r) => setTimeout(r, 5));
  const refusedCreate = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()));
  const refusedDelete = await httpRequest(target, 'POST', '/delete', deleteRequest(buildPod()));
  for (const refused of [refusedCreate, refusedDelete]) {
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.text).toMatch(
      /busy: 1 creates and deletes are running and 1 waiting \(PLUGIN_MAX_CONCURRENT_OPS=1\)/,
    );
  }
  release();
  expect((await running).status).toBe(200);
  expect((await waiting).status).toBe(200);
  expect(backend.calls.map((c) => c.method)).toEqual(['create', 'delete']);
  // Places free again: the next create is served.
  expect((await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()))).status).toBe(200);
});
