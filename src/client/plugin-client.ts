/**
 * A typed client for the plugin API, speaking as interLink does (and asking for JSON errors with
 * `Accept: application/json`, which interLink does not send): JSON bodies on GET /status and
 * GET /getLogs, `Content-Type: application/json` and an `InterLink-Http-Session` header on every call,
 * over TCP or a unix socket. Used by tests, the conformance run and any TypeScript caller of a plugin.
 */
import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { Agent, request } from 'undici';
import type { paths } from '../../generated/plugin-api.ts';
import type { LogStruct } from '../contract/api-types.ts';
import { BodyCarryingRequest, createBodyFetch, type WireBody, wireHeaders } from './body-fetch.ts';

export type { paths } from '../../generated/plugin-api.ts';

/** Where the plugin listens: `http://HOST:PORT`, or a unix socket as interLink's `unix:///PATH`. */
export type PluginTarget = { baseUrl: string } | { socketPath: string };

export interface PluginClientOptions {
  /** Sent on every request, over the defaults (`Content-Type`, `InterLink-Http-Session`). */
  headers?: Record<string, string>;
  /** Makes the `InterLink-Http-Session` value of each request; default `Request-<uuid>`, as interLink. */
  session?: () => string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface LogStream {
  status: number;
  body: AsyncIterable<Uint8Array>;
}

export interface PluginClient {
  /** The openapi-fetch client on the contract: `api.GET('/status', { body: [pod] })`. */
  api: Client<paths>;
  /** Ends open log streams and closes the connections. */
  close(): Promise<void>;
  /** Sends any bytes to any path, for deliberately invalid requests; the answer is read as text. */
  raw(method: string, path: string, body?: WireBody, headers?: Record<string, string>): Promise<RawResponse>;
  /** GET /getLogs with the answer as a stream of chunks, for `Opts.Follow`; abort with `signal`. */
  logsStream(body: LogStruct, signal?: AbortSignal): Promise<LogStream>;
}

/** Host used in URLs sent over a unix socket; the socket, not the name, decides where they go. */
const SOCKET_ORIGIN = 'http://localhost';

/** `"GET /getLogs"`-style names of the operations whose 200 answer the contract types as text/plain. */
type TextAnswerOperation = {
  [P in keyof paths]: {
    [M in keyof paths[P] & string]: [NonNullable<paths[P][M]>] extends [never]
      ? never
      : NonNullable<paths[P][M]> extends { responses: { 200: { content: { 'text/plain': unknown } } } }
        ? `${Uppercase<M>} ${P}`
        : never;
  }[keyof paths[P] & string];
}[keyof paths];

// Record over the computed union: tsc fails here when the contract gains or loses a text answer.
const TEXT_ANSWERS: Record<TextAnswerOperation, true> = {
  'GET /getLogs': true,
  'POST /getLogs': true,
  'POST /delete': true,
};

function isTextAnswer(method: string, path: string): boolean {
  return Object.hasOwn(TEXT_ANSWERS, `${method.toUpperCase()} ${path}`);
}

/**
 * openapi-fetch parses every answer as JSON unless told `parseAs`; the generated types already say
 * `string` for text/plain answers, so default `parseAs: 'text'` for those operations to make that true.
 */
function withTextAnswers(client: Client<paths>): Client<paths> {
  type Init = Record<string, unknown> | undefined;
  const init = (method: string, path: string, given: Init): Init =>
    isTextAnswer(method, path) && given?.parseAs === undefined ? { ...given, parseAs: 'text' } : given;
  const call = (method: string, path: string, given: Init) =>
    client.request(method as 'get', path as '/healthz', init(method, path, given) as never);
  return {
    ...client,
    request: ((method: string, path: string, given: Init) =>
      call(method, path, given)) as Client<paths>['request'],
    GET: ((path: string, given: Init) => call('get', path, given)) as Client<paths>['GET'],
    POST: ((path: string, given: Init) => call('post', path, given)) as Client<paths>['POST'],
  };
}

/**
 * A client for a plugin at `target`. Call `close()` when done: it holds a connection pool.
 * @example
 * const plugin = createPluginClient({ socketPath: '/run/plugin.sock' });
 * const { data } = await plugin.api.GET('/status', { body: [] });
 */
export function createPluginClient(target: PluginTarget, options: PluginClientOptions = {}): PluginClient {
  const session = options.session ?? (() => `Request-${randomUUID()}`);
  const socket = 'socketPath' in target;
  const agent = socket ? new Agent({ connect: { socketPath: target.socketPath } }) : new Agent();
  const baseUrl = (socket ? SOCKET_ORIGIN : target.baseUrl).replace(/\/+$/, '');
  const openStreams = new Set<AbortController>();

  const api = withTextAnswers(
    createClient<paths>({
      baseUrl,
      headers: options.headers,
      Request: BodyCarryingRequest,
      fetch: createBodyFetch(agent, session),
    }),
  );

  return {
    api,

    async close() {
      for (const stream of openStreams) stream.abort(new Error('plugin client closed'));
      await agent.close();
    },

    async raw(method, path, body, headers) {
      const answer = await request(`${baseUrl}${path}`, {
        dispatcher: agent,
        method,
        headers: wireHeaders(session, options.headers, headers),
        body,
      });
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: answer.statusCode, headers: flat, text: await answer.body.text() };
    },

    async logsStream(body, signal) {
      const stream = new AbortController();
      openStreams.add(stream);
      const answer = await request(`${baseUrl}/getLogs`, {
        dispatcher: agent,
        method: 'GET',
        headers: wireHeaders(session, options.headers),
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, stream.signal]) : stream.signal,
        // A followed log may stay quiet for long; undici would otherwise give up after 300 s of silence.
        bodyTimeout: 0,
      }).catch((error: unknown) => {
        openStreams.delete(stream);
        throw error;
      });
      answer.body.once('close', () => openStreams.delete(stream));
      return { status: answer.statusCode, body: answer.body };
    },
  };
}
