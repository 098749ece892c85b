/**
 * The /status fast path answers as the app alone does: the same requests (valid lists, the ping,
 * bad and hostile bodies, a wrong token, too large, chunked, the POST alias) sent to a listener with
 * the fast path and to one without give the same status, headers and bytes, the same request
 * metrics and the same debug lines; and the fast path, not the app, serves the valid lists.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { BodyValidator } from '../../src/contract/validate-body.ts';
import { createApp } from '../../src/http/app.ts';
import { type Listening, listen } from '../../src/http/listen.ts';
import { statusFastPath } from '../../src/http/status-fast-path.ts';
import { createLogger, setLogLevel } from '../../src/log.ts';
import { PluginMetrics } from '../../src/metrics/plugin-metrics.ts';
import { FakeBackend } from '../backend/fake-backend.ts';
import { ENDPOINTS, hostileBody, wireBody } from '../fixtures/hostile-bodies.ts';
import { buildCreateRequest, buildPod, statusRequest } from '../fixtures/pod-builder.ts';

const LIMIT = 64 * 1024;
const TOKEN = 's3cret-token';
const validator = new BodyValidator();
const open = new Set<Listening>();

afterEach(async () => {
  setLogLevel('info');
  await Promise.all([...open].map((s) => s.close(1000)));
  open.clear();
});

interface Side {
  url: URL;
  backend: FakeBackend;
  metrics: PluginMetrics;
  // biome-ignore lint/suspicious/noExplicitAny: log lines are arbitrary JSON
  lines: any[];
  /** Requests the fast path answered itself. */
  fastServed: number;
}

/** The app over a fake backend knowing `pods`, with or without the fast path in front. */
async function serve(pods: Pod[], fast: boolean, authToken?: string): Promise<Side> {
  const backend = new FakeBackend();
  for (const pod of pods) await backend.create(buildCreateRequest(pod));
  // The part of a pod the fake's status reads: what the fast path keeps of a body it has seen.
  const part = (pod: Pod): Pod => ({ metadata: { name: pod.metadata.name, uid: pod.metadata.uid } });
  if (fast) Object.assign(backend, { statusPart: part });
  const metrics = new PluginMetrics({
    view: {
      podUids: () => [],
      containersOfPod: () => [],
      health: () => ({ eventsConnected: true, lastSyncAt: undefined, lastError: undefined }),
    },
  });
  const side: Side = { url: new URL('http://127.0.0.1'), backend, metrics, lines: [], fastServed: 0 };
  const log = createLogger({}, (line) => side.lines.push(JSON.parse(line)));
  const app = createApp({
    backend,
    bodyLimitBytes: LIMIT,
    validator,
    log,
    authToken,
    observers: [metrics.httpObserver],
  });
  const front = fast
    ? statusFastPath({
        backend,
        validator,
        bodyLimitBytes: LIMIT,
        authToken,
        log,
        observe: (...args) => {
          side.fastServed++;
          metrics.observeRequest(...args);
        },
      })
    : undefined;
  const server = await listen(app, { kind: 'tcp', host: '127.0.0.1', port: 0 }, 0o600, front);
  open.add(server);
  side.url = new URL(server.address);
  return side;
}

interface Sent {
  method: 'GET' | 'POST';
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  chunked?: boolean;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(url: URL, s: Sent): Promise<Answer> {
  const headers: Record<string, string> = { 'InterLink-Http-Session': 'session-1', ...s.headers };
  if (s.body !== undefined && !s.chunked) headers['Content-Length'] = String(Buffer.byteLength(s.body));
  if (s.chunked) headers['Transfer-Encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: s.path ?? '/status', method: s.method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(s.body);
  });
}

/** What must not differ between the two: every header but the date. */
function comparable(a: Answer): Answer {
  const { date: _date, ...headers } = a.headers;
  return { ...a, headers };
}

/** The request histogram's counts, by labels. */
async function requestCounts(m: PluginMetrics): Promise<string[]> {
  const { chunks } = await m.exposition();
  return Buffer.concat(chunks)
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('interlink_docker_plugin_http_request_duration_seconds_count'));
}

/** Log lines without what differs from run to run (the time, the milliseconds). */
// biome-ignore lint/suspicious/noExplicitAny: log lines are arbitrary JSON
const steadyLines = (lines: any[]) => lines.map(({ time: _t, ms: _ms, ...rest }) => rest);

/** Sends each request to both sides, one after the other, and expects the same answers. */
async function expectSameAnswers(fast: Side, app: Side, sent: Sent[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const s of sent) {
    const [a, b] = [await send(fast.url, s), await send(app.url, s)];
    expect(comparable(a), `${s.method} ${s.path ?? '/status'} ${s.body?.slice(0, 120)}`).toEqual(
      comparable(b),
    );
    answers.push(a);
  }
  return answers;
}

const json = (v: unknown) => JSON.stringify(v);

describe('the /status fast path', () => {
  const pods = [buildPod(), buildPod({ name: 'second' })];
  const [one, two] = pods as [Pod, Pod];
  const valid: Sent[] = [
    { method: 'GET', body: json(statusRequest(one, 'jid-1')) },
    { method: 'GET', body: json([...statusRequest(one), ...statusRequest(two)]) },
    { method: 'GET', body: json(statusRequest(buildPod({ name: 'unknown' }))) },
    { method: 'POST', body: json(statusRequest(two)) },
  ];

  it('answers a valid list of pods itself, with the bytes, metrics and debug line of the app', async () => {
    setLogLevel('debug');
    const fast = await serve(pods, true);
    const app = await serve(pods, false);
    // Twice: the second time, each body is known by its digest.
    const answers = await expectSameAnswers(fast, app, [...valid, ...valid]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(answers[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answers[1]?.body ?? '').map((s: { UID: string }) => s.UID)).toEqual([
      one.metadata.uid,
      two.metadata.uid,
    ]);
    expect(JSON.parse(answers[2]?.body ?? '')).toEqual([]);
    expect(fast.fastServed).toBe(2 * valid.length);
    expect(await requestCounts(fast.metrics)).toEqual(await requestCounts(app.metrics));
    expect(await requestCounts(fast.metrics)).toEqual([
      'interlink_docker_plugin_http_request_duration_seconds_count{route="/status",method="GET",code="200"} 6',
      'interlink_docker_plugin_http_request_duration_seconds_count{route="/status",method="POST",code="200"} 2',
    ]);
    expect(steadyLines(fast.lines)).toEqual(steadyLines(app.lines));
    expect(steadyLines(fast.lines)[0]).toEqual({
      level: 'debug',
      msg: 'request',
      session: 'session-1',
      method: 'GET',
      path: '/status',
      status: 200,
    });
  });

  it('hands the ping, bad bodies, large and chunked ones to the app, which answers as alone', async () => {
    setLogLevel('debug');
    const fast = await serve(pods, true);
    const app = await serve(pods, false);
    const asJson = { Accept: 'application/json' };
    const large = json(statusRequest(buildPod({ name: 'x'.repeat(200) })).concat(Array(300).fill(one)));
    expect(Buffer.byteLength(large)).toBeGreaterThan(LIMIT);
    const handedOn: Sent[] = [
      { method: 'GET', body: '[]' },
      { method: 'GET', body: 'null' },
      { method: 'GET' },
      { method: 'POST', body: '[]' },
      { method: 'GET', body: '{"pod": ' },
      { method: 'GET', body: '{"pod": ', headers: asJson },
      { method: 'GET', body: '{}', headers: asJson },
      { method: 'GET', body: '[1]', headers: asJson },
      { method: 'POST', body: json([{ metadata: { name: 'no-uid' } }]), headers: asJson },
      { method: 'GET', body: json([{ metadata: { name: 'no-uid' } }]) },
      { method: 'GET', body: large },
      { method: 'GET', body: large, headers: asJson },
      { method: 'GET', body: json(statusRequest(one)), chunked: true },
      { method: 'GET', path: '/status?x=1', body: json(statusRequest(one)) },
      { method: 'GET', path: '/status/', body: json(statusRequest(one)) },
    ];
    const answers = await expectSameAnswers(fast, app, handedOn);
    expect(answers.map((a) => a.status)).toEqual([
      200, 200, 200, 200, 422, 422, 422, 422, 422, 422, 413, 413, 200, 200, 404,
    ]);
    expect(fast.fastServed).toBe(0);
    expect(await requestCounts(fast.metrics)).toEqual(await requestCounts(app.metrics));
    expect(steadyLines(fast.lines)).toEqual(steadyLines(app.lines));
  });

  it('answers a wrong or missing token with the app’s 401 and a right one itself', async () => {
    const fast = await serve(pods, true, TOKEN);
    const app = await serve(pods, false, TOKEN);
    const body = json(statusRequest(one));
    const answers = await expectSameAnswers(fast, app, [
      { method: 'GET', body },
      { method: 'GET', body, headers: { Authorization: 'Bearer wrong' } },
      { method: 'POST', body, headers: { Authorization: 'Bearer wrong', Accept: 'application/json' } },
      { method: 'GET', body, headers: { Authorization: `bearer ${TOKEN}` } },
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 200]);
    expect(fast.fastServed).toBe(1);
  });

  it('hands a backend error to the app, which answers it', async () => {
    const fast = await serve(pods, true);
    const app = await serve(pods, false);
    for (const side of [fast, app]) side.backend.failWith('status', new Error('docker said no'));
    const [answer] = await expectSameAnswers(fast, app, [{ method: 'GET', body: json(statusRequest(one)) }]);
    expect(answer?.status).toBe(500);
    expect(fast.fastServed).toBe(0);
  });

  it('answers every hostile status body as the app alone does', async () => {
    const fast = await serve(pods, true);
    const app = await serve(pods, false);
    const endpoint = ENDPOINTS.find((e) => e.path === '/status');
    if (!endpoint) throw new Error('no /status endpoint among the hostile bodies');
    const bodies = fc.sample(hostileBody(endpoint), { seed: 2020, numRuns: 200 });
    const sent: Sent[] = bodies.flatMap((b, i) => [
      { method: i % 2 === 0 ? 'GET' : 'POST', body: wireBody(b), headers: { Accept: 'application/json' } },
      { method: 'GET', body: wireBody(b) },
    ]);
    // Twice: a body the spec accepted once is known by its digest the second time; one it refused is not.
    const answers = await expectSameAnswers(fast, app, [...sent, ...sent]);
    // Both kinds are among them: bodies the fast path answered and bodies it handed on.
    expect(fast.fastServed).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status >= 400).length).toBeGreaterThan(0);
    expect(await requestCounts(fast.metrics)).toEqual(await requestCounts(app.metrics));
  });
});
