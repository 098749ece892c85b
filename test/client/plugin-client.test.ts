import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPluginClient, type PluginClient, type PluginTarget } from '../../src/client/plugin-client.ts';
import type { LogStruct, Pod } from '../../src/contract/api-types.ts';
import { UNSET_LOG_OPTS } from '../../src/contract/interlink-wire.ts';

/** What the fake plugin saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const pod: Pod = {
  metadata: { name: 'hello', namespace: 'default', uid: '33fe1e0e-3b8b-4758-82e5-4e10a0bfca36' },
  spec: { containers: [{ name: 'greeter', image: 'busybox:1.36', command: ['echo', 'héllo'] }] },
};

const logRequest: LogStruct = {
  Namespace: 'default',
  PodUID: '33fe1e0e-3b8b-4758-82e5-4e10a0bfca36',
  PodName: 'hello',
  ContainerName: 'greeter',
  Opts: { ...UNSET_LOG_OPTS },
};

/**
 * A stand-in plugin: records every request and answers like the real one would. A followed log writes
 * one line, then waits for `releaseFollow()` before the rest, so a test can see the first chunk alone.
 */
function fakePlugin() {
  const seen: Seen[] = [];
  let releaseFollow: () => void = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = `${req.method} ${req.url}`;
      if (route === 'GET /status') {
        const pods = JSON.parse(body.toString()) as Pod[];
        const answer =
          pods.length === 0
            ? { status: 'ok', resources: { cpu: '4', memory: '8Gi', pods: '110' } }
            : pods.map((p) => ({
                name: p.metadata.name,
                UID: p.metadata.uid,
                namespace: p.metadata.namespace,
                JID: 'c0ffee',
                containers: [],
                initContainers: [],
              }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      } else if (route === 'GET /getLogs') {
        const asked = JSON.parse(body.toString()) as LogStruct;
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        if (!asked.Opts?.Follow) {
          res.end('line 1\nline 2\n');
          return;
        }
        res.write('first\n');
        new Promise<void>((resolve) => {
          releaseFollow = resolve;
        }).then(() => res.end('second\nthird\n'));
      } else if (route === 'POST /delete') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('All containers for pod hello deleted');
      } else if (route === 'POST /create') {
        res
          .writeHead(422, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 422, error: 'invalid request: body is not JSON' }));
      } else {
        // Streamed (chunked, no Content-Length), as a JSON answer may well be.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":');
        res.end('"ok"}');
      }
    });
  });
  return { server, seen, releaseFollow: () => releaseFollow() };
}

async function listen(server: Server, where: number | string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(where, resolve));
}

const SESSION = /^Request-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const dir = await mkdtemp(join(tmpdir(), 'plugin-client-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const transports: [string, (server: Server) => Promise<PluginTarget>][] = [
  [
    'TCP',
    async (server) => {
      await listen(server, 0);
      return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
    },
  ],
  [
    'a unix socket',
    async (server) => {
      const socketPath = join(dir, `plugin-${Math.random().toString(36).slice(2)}.sock`);
      await listen(server, socketPath);
      return { socketPath };
    },
  ],
];

describe.each(transports)('plugin client over %s', (_name, start) => {
  const plugin = fakePlugin();
  let target: PluginTarget;
  let client: PluginClient;

  beforeAll(async () => {
    target = await start(plugin.server);
    client = createPluginClient(target);
  });
  afterEach(() => {
    plugin.seen.length = 0;
  });
  afterAll(async () => {
    await client.close();
    plugin.server.closeAllConnections();
    await new Promise((resolve) => plugin.server.close(resolve));
  });

  it('sends the GET /status body byte for byte and parses the JSON answer', async () => {
    const { data, error, response } = await client.api.GET('/status', { body: [pod] });

    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(plugin.seen).toHaveLength(1);
    expect(plugin.seen[0]?.method).toBe('GET');
    expect(plugin.seen[0]?.body.toString('utf8')).toBe(JSON.stringify([pod]));
    expect(Array.isArray(data)).toBe(true);
    const statuses = Array.isArray(data) ? data : [];
    expect(statuses[0]?.UID).toBe(pod.metadata.uid);
    expect(statuses[0]?.JID).toBe('c0ffee');
  });

  it("sends interLink's ping (GET /status with []) and reads the PingResponse object", async () => {
    const { data } = await client.api.GET('/status', { body: [] });

    expect(plugin.seen[0]?.body.toString()).toBe('[]');
    expect(data).toEqual({ status: 'ok', resources: { cpu: '4', memory: '8Gi', pods: '110' } });
  });

  it('sends the GET /getLogs body byte for byte and returns the text/plain answer as a string', async () => {
    const { data, response } = await client.api.GET('/getLogs', { body: logRequest });

    expect(response.status).toBe(200);
    expect(plugin.seen[0]?.method).toBe('GET');
    expect(plugin.seen[0]?.body.toString()).toBe(JSON.stringify(logRequest));
    expect(data).toBe('line 1\nline 2\n');
  });

  it('streams the GET /getLogs answer through the typed client when asked for parseAs: stream', async () => {
    const { data } = await client.api.GET('/getLogs', { body: logRequest, parseAs: 'stream' });

    expect(data).toBeInstanceOf(ReadableStream);
    expect(await new Response(data).text()).toBe('line 1\nline 2\n');
  });

  it('returns the text/plain answer of POST /delete as a string', async () => {
    const { data } = await client.api.POST('/delete', { body: pod });

    expect(plugin.seen[0]?.body.toString()).toBe(JSON.stringify(pod));
    expect(data).toBe('All containers for pod hello deleted');
  });

  it('returns an error answer as the parsed Error body', async () => {
    const { data, error, response } = await client.api.POST('/create', { body: { pod } });

    expect(data).toBeUndefined();
    expect(response.status).toBe(422);
    expect(error).toEqual({ status: 422, error: 'invalid request: body is not JSON' });
  });

  it('parses a chunked JSON answer that has no Content-Length', async () => {
    const { data } = await client.api.GET('/healthz');

    expect(data).toEqual({ status: 'ok' });
  });

  it('sets Content-Type and Accept: application/json and a fresh InterLink-Http-Session on every call, GET included', async () => {
    await client.api.GET('/healthz');
    await client.api.GET('/status', { body: [] });
    await client.raw('POST', '/create', '{}');

    expect(plugin.seen).toHaveLength(3);
    for (const { headers } of plugin.seen) {
      expect(headers['content-type']).toBe('application/json');
      // interLink sends no Accept; the client asks for JSON so that errors come as the contract's Error body.
      expect(headers.accept).toBe('application/json');
      expect(headers['interlink-http-session']).toMatch(SESSION);
    }
    const sessions = new Set(plugin.seen.map((s) => s.headers['interlink-http-session']));
    expect(sessions.size).toBe(3);
  });

  it('uses the session and extra headers it is given, and per-call headers over them', async () => {
    let n = 0;
    const custom = createPluginClient(target, {
      session: () => `GetStatus#${++n}`,
      headers: { Authorization: 'Bearer s3cret' },
    });
    try {
      await custom.api.GET('/status', { body: [] });
      await custom.api.GET('/status', { body: [], headers: { 'InterLink-Http-Session': 'mine' } });
    } finally {
      await custom.close();
    }

    expect(plugin.seen.map((s) => s.headers['interlink-http-session'])).toEqual(['GetStatus#1', 'mine']);
    expect(plugin.seen.map((s) => s.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret']);
  });

  it('raw sends a body that is not JSON, exactly, and returns the answer as text', async () => {
    const answer = await client.raw('POST', '/create', '{"pod": {', { 'X-Probe': 'yes' });

    expect(plugin.seen[0]?.body.toString()).toBe('{"pod": {');
    expect(plugin.seen[0]?.headers['x-probe']).toBe('yes');
    expect(plugin.seen[0]?.headers['content-type']).toBe('application/json');
    expect(answer.status).toBe(422);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.text)).toMatchObject({ status: 422 });
  });

  it('leaves out a default header given as empty, as interLink sends no Accept', async () => {
    await client.raw('GET', '/status', '[]', { Accept: '' });

    expect(plugin.seen[0]?.headers.accept).toBeUndefined();
    expect(plugin.seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('raw sends bytes that are not UTF-8 untouched, with the content type it is given', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x7b]);
    await client.raw('PUT', '/upload', bytes, { 'Content-Type': 'application/octet-stream' });

    expect([...(plugin.seen[0]?.body ?? [])]).toEqual([0xff, 0xfe, 0x00, 0x7b]);
    expect(plugin.seen[0]?.headers['content-type']).toBe('application/octet-stream');
  });

  it('logsStream hands over a followed log chunk by chunk, before the answer ends', async () => {
    const follow = { ...logRequest, Opts: { ...logRequest.Opts, Follow: true } };
    const { status, body } = await client.logsStream(follow);
    const chunks = body[Symbol.asyncIterator]();

    expect(status).toBe(200);
    // The server holds back the rest until released: this chunk can only have arrived on its own.
    const first = await chunks.next();
    expect(Buffer.from(first.value ?? []).toString()).toBe('first\n');
    expect(plugin.seen[0]?.body.toString()).toBe(JSON.stringify(follow));

    plugin.releaseFollow();
    let rest = '';
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      rest += Buffer.from(next.value).toString();
    }
    expect(rest).toBe('second\nthird\n');
  });

  it('logsStream stops when its signal is aborted', async () => {
    const follow = { ...logRequest, Opts: { ...logRequest.Opts, Follow: true } };
    const abort = new AbortController();
    const { body } = await client.logsStream(follow, abort.signal);
    const chunks = body[Symbol.asyncIterator]();
    await chunks.next();

    abort.abort();
    await expect(chunks.next()).rejects.toThrow();
    plugin.releaseFollow();
  });

  it('close() ends a followed log that is still open instead of waiting for it', async () => {
    const own = createPluginClient(target);
    const follow = { ...logRequest, Opts: { ...logRequest.Opts, Follow: true } };
    const { body } = await own.logsStream(follow);
    const chunks = body[Symbol.asyncIterator]();
    await chunks.next();

    await own.close();
    await expect(chunks.next()).rejects.toThrow();
    plugin.releaseFollow();
  });

  it('rejects a body that does not match the contract at compile time', () => {
    const misuse = () =>
      // @ts-expect-error PodUID is a string in the contract, as Go's LogStruct has it
      client.api.GET('/getLogs', { body: { ...logRequest, PodUID: 1 } });
    expect(typeof misuse).toBe('function');
  });
});
