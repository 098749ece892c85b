/**
 * Property: whatever body arrives at any endpoint, the HTTP layer answers without a 5xx, a refusal
 * names the field, and a refused create never reaches the backend. The real app and validator over
 * the in-memory backend; the "nothing in Docker" half is test/e2e/hostile-bodies.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblem, ENDPOINTS, hostileBody, wireBody } from '../fixtures/hostile-bodies.ts';
import { httpRequest } from '../helpers/plugin-process.ts';
import { closeAll, type Served, sendChunked, serveFake } from './serve-fake.ts';

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

describe('a body of many values', () => {
  it('is refused with its first problem when it holds more wrong values than are worth listing', async () => {
    const { target } = await serveFake({ bodyLimitBytes: 4 * 1024 * 1024 });
    // Listing every one of these cost Ajv minutes.
    const body = `[${Array(150_000).fill('1').join(',')}]`;
    const res = await httpRequest(target, 'GET', '/status', body, { Accept: 'application/json' });
    expect(res.status).toBe(422);
    expect(res.json().details).toEqual([{ field: '/0', problem: 'must be object' }]);
  });

  it('is refused before it is parsed when it holds more than 200000 JSON values', async () => {
    const { backend, target } = await serveFake({ bodyLimitBytes: 4 * 1024 * 1024 });
    const body = `[${Array(1_000_000).fill('1').join(',')}]`;
    const res = await httpRequest(target, 'GET', '/status', body, { Accept: 'application/json' });
    expect(res.status).toBe(422);
    expect(res.json().details).toEqual([{ field: '', problem: 'holds more than 200000 JSON values' }]);
    // Commas inside strings are text, not values.
    const text = JSON.stringify([{ metadata: { name: ','.repeat(300_000), uid: 'u' } }]);
    expect((await httpRequest(target, 'GET', '/status', text)).status).toBe(200);
    expect(backend.calls.filter((c) => c.method === 'status')).toHaveLength(1);
  });

  it('lists at most 50 problems of a smaller body', async () => {
    const { target } = await serveFake();
    const res = await httpRequest(target, 'GET', '/status', `[${Array(1000).fill('1').join(',')}]`, {
      Accept: 'application/json',
    });
    expect(res.status).toBe(422);
    expect(res.json().details).toHaveLength(50);
  });
});

describe('large bodies sent at once', () => {
  it('are all answered, declared or chunked, though they are read one at a time', async () => {
    const { target } = await serveFake({ bodyLimitBytes: 4 * 1024 * 1024 });
    const big = `[${' '.repeat(1.5 * 1024 * 1024)}1]`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2
          ? sendChunked(undefined, target.baseUrl, 'GET', '/status', big)
          : httpRequest(target, 'GET', '/status', big).then((r) => r.status),
      ),
    );
    expect(answers).toEqual([422, 422, 422, 422, 422, 422]);
  });
});
