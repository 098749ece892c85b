/**
 * The real app over a fake backend, on a real listener: what interLink sees of the HTTP layer
 * (GET bodies, /create in both shapes, 401, 422 details, session logging, followed logs).
 */
import { type ClientRequest, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.ts';
import { FAKE_PING } from '../backend/fake-backend.ts';
import { BAD_CREATE_BODIES } from '../fixtures/bad-create-bodies.ts';
import {
  buildCreateRequest,
  buildPod,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../fixtures/pod-builder.ts';
import { httpRequest, JSON_ERRORS } from '../helpers/plugin-process.ts';
import { closeAll, serveFake } from './serve-fake.ts';

afterEach(closeAll);

describe('GET bodies', () => {
  it('answers GET /status with a pod list with the status of those pods', async () => {
    const { backend, target } = await serveFake();
    const pod = buildPod();
    await httpRequest(target, 'POST', '/create', buildCreateRequest(pod));
    const res = await httpRequest(target, 'GET', '/status', statusRequest(pod, `fake-${pod.metadata.uid}`));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        UID: pod.metadata.uid,
        name: pod.metadata.name,
        JID: `fake-${pod.metadata.uid}`,
      }),
    ]);
    expect(backend.calls.at(-1)).toEqual({
      method: 'status',
      arg: statusRequest(pod, `fake-${pod.metadata.uid}`),
    });
  });

  it.each([
    ['[]', []],
    ['null', null],
    ['no body', undefined],
  ])('answers GET /status with %s as interLink’s ping: the node’s capacity', async (_name, body) => {
    const { backend, target } = await serveFake();
    const res = await httpRequest(target, 'GET', '/status', body);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(FAKE_PING);
    expect(backend.calls.map((c) => c.method)).toEqual(['ping']);
  });

  it('answers GET /getLogs with the log text of the container its body names', async () => {
    const { backend, target } = await serveFake();
    backend.logText = 'line one\nline two\n';
    const request = logsRequest(buildPod(), 'greeter', { Tail: 5 });
    const res = await httpRequest(target, 'GET', '/getLogs', request);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('line one\nline two\n');
    expect(backend.calls).toEqual([{ method: 'logs', arg: request }]);
  });

  it('refuses GET /getLogs asking for Tail and Bytes together with 400, as interLink does', async () => {
    const { backend, target } = await serveFake();
    const res = await httpRequest(
      target,
      'GET',
      '/getLogs',
      logsRequest(buildPod(), 'c', { Tail: 1, Bytes: 9 }),
      JSON_ERRORS,
    );
    expect(res.status).toBe(400);
    expect(res.json().error).toMatch(/Tail and Opts.Bytes cannot be used together/);
    expect(backend.calls).toEqual([]);
  });
});

describe('POST /create', () => {
  it('answers one CreateStruct for one RetrievedPodData (today’s interLink)', async () => {
    const { backend, target } = await serveFake();
    const pod = buildPod();
    const res = await httpRequest(target, 'POST', '/create', buildCreateRequest(pod));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ PodUID: pod.metadata.uid, PodJID: `fake-${pod.metadata.uid}` });
    expect(backend.pods.has(pod.metadata.uid as string)).toBe(true);
  });

  it('answers a list of CreateStructs, in order, for a list (older clients)', async () => {
    const { backend, target } = await serveFake();
    const pods = [buildPod(), buildPod()];
    const res = await httpRequest(
      target,
      'POST',
      '/create',
      pods.map((p) => buildCreateRequest(p)),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(
      pods.map((p) => ({ PodUID: p.metadata.uid, PodJID: `fake-${p.metadata.uid}` })),
    );
    expect(backend.calls.map((c) => c.method)).toEqual(['create', 'create']);
  });

  it('refuses an empty list with 422', async () => {
    const { backend, target } = await serveFake();
    const res = await httpRequest(target, 'POST', '/create', [], JSON_ERRORS);
    expect(res.status).toBe(422);
    expect(res.json().error).toMatch(/list of pods is empty/);
    expect(backend.calls).toEqual([]);
  });

  it('answers POST /delete with a text naming the pod', async () => {
    const { backend, target } = await serveFake();
    const pod = buildPod({ name: 'doomed', namespace: 'ns1' });
    const res = await httpRequest(target, 'POST', '/delete', deleteRequest(pod));
    expect(res.status).toBe(200);
    expect(res.text).toBe('pod ns1/doomed deleted');
    expect(backend.calls.map((c) => c.method)).toEqual(['delete']);
  });
});

describe('422: what is wrong, by JSON pointer, and nothing reaches the backend', () => {
  it.each(BAD_CREATE_BODIES)('refuses %s', async (_name, spoil, field, problem) => {
    const { backend, target } = await serveFake();
    const body = buildCreateRequest(buildPod());
    spoil(body);
    const res = await httpRequest(target, 'POST', '/create', body, JSON_ERRORS);
    expect(res.status).toBe(422);
    const error = res.json();
    expect(error.status).toBe(422);
    expect(error.error).toContain(field);
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, problem: expect.stringContaining(problem) })]),
    );
    expect(backend.calls).toEqual([]);
  });

  it('names the bad item of a /create list by its index', async () => {
    const { target } = await serveFake();
    const second = buildCreateRequest(buildPod());
    delete (second.pod.metadata as { uid?: string }).uid;
    const res = await httpRequest(
      target,
      'POST',
      '/create',
      [buildCreateRequest(buildPod()), second],
      JSON_ERRORS,
    );
    expect(res.status).toBe(422);
    expect(res.json().details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: '/1/pod/metadata/uid' })]),
    );
  });

  it('refuses a body that is not JSON', async () => {
    const { target } = await serveFake();
    const res = await httpRequest(target, 'POST', '/create', '{"pod": ', JSON_ERRORS);
    expect(res.status).toBe(422);
    expect(res.json()).toEqual({
      status: 422,
      error: expect.stringMatching(/not valid JSON/),
      details: [{ field: '', problem: 'is not valid JSON' }],
    });
  });
});

describe('the bearer token (PLUGIN_AUTH_TOKEN)', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer guessed' }],
    ['the token without "Bearer"', { Authorization: 's3cret' }],
  ])('refuses %s with 401, before the backend is asked', async (_name, headers) => {
    const { backend, target } = await serveFake({ authToken: 's3cret' });
    const res = await httpRequest(target, 'GET', '/status', [], { ...JSON_ERRORS, ...headers });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      status: 401,
      error: expect.stringMatching(/bearer token.*PLUGIN_AUTH_TOKEN/),
    });
    expect(backend.calls).toEqual([]);
  });

  it('serves a request with the right token, and /healthz without one', async () => {
    const { target } = await serveFake({ authToken: 's3cret' });
    expect((await httpRequest(target, 'GET', '/status', [], { Authorization: 'Bearer s3cret' })).status).toBe(
      200,
    );
    expect((await httpRequest(target, 'GET', '/healthz')).status).toBe(200);
    expect((await httpRequest(target, 'GET', '/readyz')).status).toBe(401);
  });
});

describe('POST aliases of the GETs, for proxies that drop GET bodies', () => {
  it('answers POST /status and POST /getLogs as the GETs', async () => {
    const { backend, target } = await serveFake();
    const pod = buildPod();
    await httpRequest(target, 'POST', '/create', buildCreateRequest(pod));
    const status = await httpRequest(
      target,
      'POST',
      '/status',
      statusRequest(pod, `fake-${pod.metadata.uid}`),
    );
    expect(status.status).toBe(200);
    expect(status.json()[0].UID).toBe(pod.metadata.uid);
    const logs = await httpRequest(target, 'POST', '/getLogs', logsRequest(pod, 'c'));
    expect(logs.status).toBe(200);
    expect(backend.calls.map((c) => c.method)).toEqual(['create', 'status', 'logs']);
    expect((await httpRequest(target, 'POST', '/status', [])).json()).toEqual(FAKE_PING);
  });
});

describe('session logging', () => {
  it('puts the InterLink-Http-Session on every log line of a request', async () => {
    const { backend, lines, target } = await serveFake();
    backend.failWith('create', new PluginError('conflict', 'pod is being deleted'));
    const bad = buildCreateRequest(buildPod());
    delete (bad.pod.metadata as { uid?: string }).uid;
    await httpRequest(target, 'POST', '/create', bad, { 'InterLink-Http-Session': 'Request-1' });
    await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      'InterLink-Http-Session': 'Request-2',
    });
    expect(lines.map((l) => [l.session, l.msg])).toEqual([
      ['Request-1', expect.stringContaining('/pod/metadata/uid')],
      ['Request-1', 'request'],
      ['Request-2', 'pod is being deleted'],
      ['Request-2', 'request'],
    ]);
    expect(lines.at(-1)).toMatchObject({ method: 'POST', path: '/create', status: 409 });
  });

  it('gives a request without the header a session of its own', async () => {
    const { lines, target } = await serveFake();
    await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      'InterLink-Http-Session': '',
    });
    await httpRequest(target, 'POST', '/create', buildCreateRequest(buildPod()), {
      'InterLink-Http-Session': '',
    });
    const sessions = lines.map((l) => l.session);
    expect(sessions).toEqual([expect.stringMatching(/^local-/), expect.stringMatching(/^local-/)]);
    expect(sessions[0]).not.toBe(sessions[1]);
  });
});

describe('followed logs', () => {
  /** Starts GET /getLogs and resolves with the request once the first bytes of the log arrive. */
  function followLogs(baseUrl: string): Promise<{ req: ClientRequest; ended: Promise<string> }> {
    const url = new URL('/getLogs', baseUrl);
    const body = JSON.stringify(logsRequest(buildPod(), 'c', { Follow: true }));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'GET',
          // Node sends a GET body without framing unless told its length.
          headers: { 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          const ended = new Promise<string>((done) => res.on('end', () => done(text)));
          res.once('data', () => resolve({ req, ended }));
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('stops the backend’s stream when the client goes away', async () => {
    const { backend, target } = await serveFake();
    backend.followLogs = true;
    const { req } = await followLogs(target.baseUrl);
    const signal = backend.lastLogSignal as AbortSignal;
    expect(signal.aborted).toBe(false);
    req.destroy();
    await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    expect(signal.aborted).toBe(true);
  });

  it('ends a followed log on shutdown, so the server can close', async () => {
    const shutdown = new AbortController();
    const { backend, target } = await serveFake({ shutdownSignal: shutdown.signal });
    backend.followLogs = true;
    const { ended } = await followLogs(target.baseUrl);
    shutdown.abort();
    expect(await ended).toBe(backend.logText);
  });
});
