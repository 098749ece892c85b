/**
 * The transport under the plugin client: a `Request` that can hold a body on GET and a `fetch` that sends
 * it with undici's `request()`. interLink sends GET /status and GET /getLogs with a JSON body, and both
 * WHATWG `fetch` and `new Request()` refuse a body on GET, so openapi-fetch cannot be used as it comes.
 */
import { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';

/** What the client puts on the wire as a body. */
export type WireBody = string | Uint8Array;

// The DOM lib is off (Node types only), so name the WHATWG parameter types through their constructors.
type RequestInput = ConstructorParameters<typeof Request>[0];
type HeadersInput = ConstructorParameters<typeof Headers>[0];

/**
 * A `Request` that keeps the body aside instead of handing it to the WHATWG constructor, which throws on
 * GET with a body. openapi-fetch builds every request through this class (its `Request` option), and
 * {@link createBodyFetch} reads the body back from it.
 */
export class BodyCarryingRequest extends Request {
  readonly carriedBody: RequestInit['body'];

  constructor(input: RequestInput, init: RequestInit = {}) {
    const { body, ...rest } = init;
    super(input, rest);
    this.carriedBody = body ?? (input instanceof BodyCarryingRequest ? input.carriedBody : undefined);
  }
}

/**
 * Headers for one call: interLink's defaults first (JSON content type, a fresh session id), then the
 * given layers in order; later layers win, names compare case-insensitively, and an empty value
 * removes the header. `Accept: application/json` (which interLink does not send) asks the plugin for
 * the contract's JSON Error body rather than the plain sentence it writes for people.
 */
export function wireHeaders(session: () => string, ...layers: HeadersInput[]): Record<string, string> {
  const merged = new Headers({
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'InterLink-Http-Session': session(),
  });
  for (const layer of layers) {
    if (!layer) continue;
    for (const [name, value] of new Headers(layer)) {
      if (value === '') merged.delete(name);
      else merged.set(name, value);
    }
  }
  return Object.fromEntries(merged);
}

/** Answer statuses that must not carry a body in a WHATWG `Response`. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Wraps undici's answer in a WHATWG `Response` without buffering it, so `parseAs: 'stream'` still streams. */
export function toResponse(answer: Dispatcher.ResponseData): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const init = { status: answer.statusCode, statusText: answer.statusText, headers };
  if (NULL_BODY_STATUSES.has(answer.statusCode)) {
    answer.body.dump().catch(() => {});
    return new Response(null, init);
  }
  return new Response(Readable.toWeb(answer.body) as ReadableStream<Uint8Array>, init);
}

async function bodyOf(input: Request): Promise<WireBody | undefined> {
  const carried = input instanceof BodyCarryingRequest ? input.carriedBody : undefined;
  if (carried === undefined || carried === null) {
    // A plain Request (e.g. one a middleware built) keeps its body the standard way.
    return input.body ? new Uint8Array(await input.arrayBuffer()) : undefined;
  }
  if (typeof carried === 'string' || carried instanceof Uint8Array) return carried;
  return new Uint8Array(await new Response(carried).arrayBuffer());
}

/**
 * A `fetch` for openapi-fetch that sends each request, body included whatever the method, through the
 * given undici dispatcher, adding interLink's default headers where the request has none.
 */
export function createBodyFetch(
  dispatcher: Dispatcher,
  session: () => string,
): (input: Request) => Promise<Response> {
  return async (input) => {
    const answer = await request(input.url, {
      dispatcher,
      method: input.method,
      headers: wireHeaders(session, input.headers),
      body: await bodyOf(input),
      signal: input.signal,
    });
    return toResponse(answer);
  };
}
