/**
 * The /metrics fast path answers as the app alone does: the same requests (a scrape, a wrong or
 * missing token, other methods and paths, an exposition that fails) sent to a listener with the
 * fast path and to one without give the same status, content type and bytes, the same request
 * metrics and the same debug lines; and the fast path, not the app, serves the scrapes.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyValidator } from '../../src/contract/validate-body.ts';
import { createApp } from '../../src/http/app.ts';
import { type Listening, listen } from '../../src/http/listen.ts';
import { metricsFastPath } from '../../src/http/metrics-fast-path.ts';
import { statusFastPath } from '../../src/http/status-fast-path.ts';
import { createLogger, setLogLevel } from '../../src/log.ts';
import { PluginMetrics } from '../../src/metrics/plugin-metrics.ts';
import { FakeBackend } from '../backend/fake-backend.ts';

const TOKEN = 'metrics-token';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const open = new Set<Listening>();

afterEach(async () => {
  setLogLevel('info');
  await Promise.all([...open].map((s) => s.close(1000)));
  open.clear();
});

/** An exposition of fixed bytes in several chunks, as the usage text comes: both sides serve the same. */
const CHUNKS = [
  '# HELP up_total One\n# TYPE up_total counter\nup_total 1\n',
  '# HELP container_cpu_usage_seconds_total Cumulative CPU time consumed, in seconds\n',
  `${'container_cpu_usage_seconds_total{namespace="default",pod="p",container="c"} 1.5\n'.repeat(2000)}naïve_ünïcode 1\n`,
];

interface Side {
  url: URL;
  /** The request histogram the app's observer and the fast path feed. */
  requests: PluginMetrics;
  // biome-ignore lint/suspicious/noExplicitAny: log lines are arbitrary JSON
  lines: any[];
  /** Scrapes the fast path answered itself. */
  fastServed: number;
  fail: boolean;
}

async function serve(fast: boolean, authToken?: string): Promise<Side> {
  const requests = new PluginMetrics({
    view: {
      podUids: () => [],
      containersOfPod: () => [],
      health: () => ({ eventsConnected: true, lastSyncAt: undefined, lastError: undefined }),
    },
  });
  const side: Side = { url: new URL('http://127.0.0.1'), requests, lines: [], fastServed: 0, fail: false };
  const metrics = async (gzip: boolean) => {
    if (side.fail) throw new Error('the exposition failed');
    const chunks = CHUNKS.map((c) => (gzip ? gzipSync(c) : Buffer.from(c)));
    return { contentType: CONTENT_TYPE, chunks, gzipped: gzip };
  };
  const log = createLogger({}, (line) => side.lines.push(JSON.parse(line)));
  const backend = new FakeBackend();
  const app = createApp({
    backend,
    bodyLimitBytes: 64 * 1024,
    log,
    authToken,
    observers: [requests.httpObserver],
    metrics,
  });
  const front = fast
    ? [
        // As main.ts puts them: the /status fast path first, which hands /metrics on.
        statusFastPath({
          backend,
          validator: new BodyValidator(),
          bodyLimitBytes: 64 * 1024,
          authToken,
          log,
        }),
        metricsFastPath({
          metrics,
          authToken,
          log,
          observe: (...args) => {
            side.fastServed++;
            requests.observeRequest(...args);
          },
        }),
      ]
    : undefined;
  const server = await listen(app, { kind: 'tcp', host: '127.0.0.1', port: 0 }, 0o600, front);
  open.add(server);
  side.url = new URL(server.address);
  return side;
}

interface Sent {
  method: 'GET' | 'POST' | 'HEAD';
  path?: string;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(url: URL, s: Sent): Promise<Answer> {
  const headers = { 'InterLink-Http-Session': 'session-1', ...s.headers };
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: s.path ?? '/metrics', method: s.method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * What must not differ: the status, the content type and the bytes. The framing may (the app
 * streams its body chunked, the fast path says its length), and so may the date.
 */
function comparable(a: Answer) {
  return {
    status: a.status,
    contentType: a.headers['content-type'],
    encoding: a.headers['content-encoding'],
    vary: a.headers.vary,
    body: a.body.toString('base64'),
  };
}

async function requestCounts(m: PluginMetrics): Promise<string[]> {
  const { chunks } = await m.exposition();
  return Buffer.concat(chunks)
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('interlink_docker_plugin_http_request_duration_seconds_count'));
}

// biome-ignore lint/suspicious/noExplicitAny: log lines are arbitrary JSON
const steadyLines = (lines: any[]) => lines.map(({ time: _t, ms: _ms, ...rest }) => rest);

async function expectSameAnswers(fast: Side, app: Side, sent: Sent[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const s of sent) {
    const [a, b] = [await send(fast.url, s), await send(app.url, s)];
    expect(comparable(a), `${s.method} ${s.path ?? '/metrics'}`).toEqual(comparable(b));
    answers.push(a);
  }
  return answers;
}

describe('the /metrics fast path', () => {
  it('serves a scrape itself, with the bytes, request metrics and debug line of the app', async () => {
    setLogLevel('debug');
    const fast = await serve(true);
    const app = await serve(false);
    const scrape: Sent = { method: 'GET' };
    const answers = await expectSameAnswers(fast, app, [scrape, scrape, scrape]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[0]?.headers['content-type']).toBe(CONTENT_TYPE);
    expect(answers[0]?.body.toString()).toBe(CHUNKS.join(''));
    expect(answers[0]?.headers['content-length']).toBe(String(Buffer.byteLength(CHUNKS.join(''))));
    expect(fast.fastServed).toBe(3);
    expect(await requestCounts(fast.requests)).toEqual(await requestCounts(app.requests));
    expect(await requestCounts(fast.requests)).toEqual([
      'interlink_docker_plugin_http_request_duration_seconds_count{route="/metrics",method="GET",code="200"} 3',
    ]);
    expect(steadyLines(fast.lines)).toEqual(steadyLines(app.lines));
    expect(steadyLines(fast.lines)[0]).toEqual({
      level: 'debug',
      msg: 'request',
      session: 'session-1',
      method: 'GET',
      path: '/metrics',
      status: 200,
    });
  });

  it('serves a scrape that takes gzip gzipped, one member per chunk, as the app does', async () => {
    const fast = await serve(true);
    const app = await serve(false);
    const answers = await expectSameAnswers(fast, app, [
      { method: 'GET', headers: { 'Accept-Encoding': 'gzip' } },
      { method: 'GET', headers: { 'Accept-Encoding': 'deflate, GZIP;q=0.5' } },
      { method: 'GET', headers: { 'Accept-Encoding': '*' } },
      { method: 'GET', headers: { 'Accept-Encoding': 'gzip;q=0' } },
      { method: 'GET', headers: { 'Accept-Encoding': 'br' } },
    ]);
    expect(answers.map((a) => a.headers['content-encoding'])).toEqual([
      'gzip',
      'gzip',
      'gzip',
      undefined,
      undefined,
    ]);
    // Prometheus reads the members as one stream (Go's gzip.Reader is multistream), as Node does.
    for (const a of answers.slice(0, 3)) expect(gunzipSync(a.body).toString()).toBe(CHUNKS.join(''));
    for (const a of answers.slice(3)) expect(a.body.toString()).toBe(CHUNKS.join(''));
    expect(answers[0]?.headers['content-length']).toBe(String(answers[0]?.body.length));
    expect(answers.every((a) => a.headers.vary === 'Accept-Encoding')).toBe(true);
    expect(fast.fastServed).toBe(5);
  });

  it('hands other methods and paths to the app, which answers as alone', async () => {
    setLogLevel('debug');
    const fast = await serve(true);
    const app = await serve(false);
    const answers = await expectSameAnswers(fast, app, [
      { method: 'POST' },
      { method: 'HEAD' },
      { method: 'GET', path: '/metrics?name=up_total' },
      { method: 'GET', path: '/metrics/' },
      { method: 'GET', path: '/Metrics' },
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 200, 200, 404, 404]);
    expect(fast.fastServed).toBe(0);
    expect(await requestCounts(fast.requests)).toEqual(await requestCounts(app.requests));
    expect(steadyLines(fast.lines)).toEqual(steadyLines(app.lines));
  });

  it('answers a wrong or missing token with the app’s 401 and serves a right one itself', async () => {
    const fast = await serve(true, TOKEN);
    const app = await serve(false, TOKEN);
    const answers = await expectSameAnswers(fast, app, [
      { method: 'GET' },
      { method: 'GET', headers: { Authorization: 'Bearer wrong' } },
      { method: 'GET', headers: { Authorization: `Basic ${TOKEN}` } },
      { method: 'GET', headers: { Authorization: `bearer ${TOKEN}` } },
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 200]);
    expect(answers[3]?.body.toString()).toBe(CHUNKS.join(''));
    expect(fast.fastServed).toBe(1);
  });

  it('hands an exposition that fails to the app, which answers it', async () => {
    const fast = await serve(true);
    const app = await serve(false);
    fast.fail = true;
    app.fail = true;
    const [answer] = await expectSameAnswers(fast, app, [{ method: 'GET' }]);
    expect(answer?.status).toBe(500);
    expect(fast.fastServed).toBe(0);
  });
});
