/**
 * The real app over a fake backend, on a real listener: how the errors a backend throws reach
 * interLink, as JSON for a client that asks for it and as one sentence for one that does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.ts';
import { buildCreateRequest, buildPod, logsRequest, statusRequest } from '../fixtures/pod-builder.ts';
import { httpRequest, JSON_ERRORS } from '../helpers/plugin-process.ts';
import { closeAll, serveFake } from './serve-fake.ts';

afterEach(closeAll);

describe('errors the backend throws', () => {
  it.each([
    ['malformed', 400, 'Opts.Tail and Opts.Bytes cannot be used together'],
    ['forbidden', 403, 'violates PodSecurity "baseline:latest": privileged'],
    ['not-found', 404, 'pod default/x is not known to this plugin'],
    ['conflict', 409, 'pod default/x is being deleted'],
    ['unavailable', 503, 'the Docker engine does not answer'],
  ] as const)(
    'maps a PluginError of kind %s to %i and the spec’s Error body',
    async (kind, status, message) => {
      const { backend, target } = await serveFake();
      backend.failWith('logs', new PluginError(kind, message));
      const res = await httpRequest(target, 'GET', '/getLogs', logsRequest(buildPod(), 'c'), JSON_ERRORS);
      expect(res.status).toBe(status);
      expect(res.json()).toEqual({ status, error: message });
    },
  );

  it('sends Retry-After with a passing 503 and logs each poll only at debug', async () => {
    const { backend, lines, target } = await serveFake();
    backend.failWith(
      'status',
      new PluginError('unavailable', 'Docker is not answering; the plugin retries', { retryAfterSeconds: 5 }),
    );
    for (let i = 0; i < 3; i++) {
      const res = await httpRequest(target, 'GET', '/status', statusRequest(buildPod(), 'x'), JSON_ERRORS);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ status: 503, error: 'Docker is not answering; the plugin retries' });
    }
    // As interLink asks (no Accept): the same status and Retry-After, with one sentence.
    const plain = await httpRequest(target, 'GET', '/status', statusRequest(buildPod(), 'x'));
    expect([plain.status, plain.headers['retry-after']]).toEqual([503, '5']);
    expect(plain.text).toMatch(/^The status request failed: Docker is not answering; the plugin retries\. /);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('keeps the details of a PluginError', async () => {
    const { backend, target } = await serveFake();
    backend.failWith(
      'create',
      new PluginError('invalid', 'invalid request: x', { details: [{ field: '/x', problem: 'is bad' }] }),
    );
    const res = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), JSON_ERRORS);
    expect(res.status).toBe(422);
    expect(res.json().details).toEqual([{ field: '/x', problem: 'is bad' }]);
  });

  it.each([
    ['an Error', new Error('spawn /usr/bin/docker EACCES at /var/lib/plugin/state/abc')],
    ['a thrown string', '/var/lib/plugin/state/abc is gone'],
  ])('answers 500 for %s without showing its message, which stays in the log', async (_name, thrown) => {
    const { backend, lines, target } = await serveFake();
    backend.failWith('create', thrown);
    const res = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      ...JSON_ERRORS,
      'InterLink-Http-Session': 'Request-500',
    });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ status: 500, error: expect.stringContaining('Request-500') });
    expect(res.text).not.toMatch(/var\/lib|docker|EACCES/);
    expect(lines.find((l) => l.msg === 'unexpected error')?.error).toMatch(/\/var\/lib\/plugin\/state\/abc/);
  });

  it('answers /readyz with 503 when the backend is unavailable', async () => {
    const { backend, target } = await serveFake();
    backend.healthAnswer = { status: 'unavailable', checks: { engine: 'not answering' } };
    const res = await httpRequest(target, 'GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual(backend.healthAnswer);
  });

  it('answers 404 with the spec’s Error body for an unknown path', async () => {
    const { target } = await serveFake();
    const res = await httpRequest(target, 'GET', '/statuses', [], JSON_ERRORS);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ status: 404, error: 'no route for GET /statuses' });
  });
});

describe('errors for people: a client that does not ask for JSON, as interLink', () => {
  it.each([
    ['no Accept header (interLink)', {}],
    ['Accept: */*', { Accept: '*/*' }],
  ])('answers a refused create with %s as one plain sentence naming the field', async (_name, headers) => {
    const { backend, target } = await serveFake();
    const body = buildCreateRequest(buildPod());
    delete (body.pod.metadata as { uid?: string }).uid;
    const res = await httpRequest(target, 'POST', '/create', body, headers);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(
      'The pod was not created: metadata.uid is required. Correct that field of the pod and create it again.',
    );
    expect(backend.calls).toEqual([]);
  });

  it('answers a backend failure in one line without its message, which stays in the log', async () => {
    const { backend, target } = await serveFake();
    backend.failWith('create', new Error('spawn /usr/bin/docker EACCES'));
    const res = await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      'InterLink-Http-Session': 'Request-7',
    });
    expect(res.status).toBe(500);
    expect(res.text).toMatch(
      /^The pod was not created: internal error: the plugin’s log has the details \(session Request-7\)\. Try again/,
    );
    expect(res.text).not.toMatch(/docker|EACCES|\n/);
  });

  it('answers an unknown path with a sentence too', async () => {
    const { target } = await serveFake();
    const res = await httpRequest(target, 'GET', '/statuses', []);
    expect(res.status).toBe(404);
    expect(res.text).toMatch(/no route for GET \/statuses\. Check/);
  });
});
