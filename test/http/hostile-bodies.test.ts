/**
 * Property: whatever body arrives at any endpoint, the HTTP layer answers without a 5xx, a refusal
 * names the field, and a refused create never reaches the backend. The real app and validator over
 * the in-memory backend; the "nothing in Docker" half is test/e2e/hostile-bodies.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblem, ENDPOINTS, hostileBody, wireBody } from '../fixtures/hostile-bodies.ts';
import { httpRequest } from '../helpers/plugin-process.ts';
import { closeAll, type Served, serveFake } from './serve-fake.ts';

let served: Served;
beforeAll(async () => {
  served = await serveFake();
});
afterAll(closeAll);

describe.each(ENDPOINTS)('hostile bodies for $name', (endpoint) => {
  it('never get a 5xx; a refusal names the field and reaches no backend', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(endpoint), async (body) => {
        const before = served.backend.calls.length;
        const res = await httpRequest(served.target, endpoint.method, endpoint.path, wireBody(body), {
          Accept: 'application/json',
        });
        expect(answerProblem(res.status, res.headers['content-type'], res.text)).toBeUndefined();
        if (res.status >= 400) {
          // Validation comes first: a refused body is handed to nothing that could act on it.
          const acted = served.backend.calls.slice(before).filter((c) => c.method !== 'health');
          expect(acted).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
