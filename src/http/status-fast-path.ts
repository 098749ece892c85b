/**
 * GET and POST /status in front of the Hono app. interLink polls every pod every few seconds, and
 * what such a poll cost besides its answer was mostly the framework around it: a Request and a
 * Response object, the middleware chain, the answer serialised anew. This serves only the common
 * case, a valid list of pods answered 200, on Node's own request and response, with the bytes,
 * the log line and the request metric the app gives it. Everything else (the ping, a chunked, large,
 * bad or unparsable body, a wrong token, a backend error) goes to the app unchanged, with the body
 * already read handed over, so every answer but the common one is the app's own.
 */
import { hash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backend/backend.ts';
import type { Pod } from '../contract/api-types.ts';
import type { BodyValidator } from '../contract/validate-body.ts';
import { type Logger, logs, log as rootLog } from '../log.ts';
import { bearerMatches } from './bearer-token.ts';
import { handOver, LARGE_BODY_BYTES, parseJson } from './read-body.ts';

/** Serves a request itself or calls `next` to hand it to the app; never both. */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Told of each request the fast path answered, with the labels the app's request observer gives. */
export type RequestObserver = (method: string, route: string, code: number, seconds: number) => void;

export interface StatusFastPathOptions {
  backend: Backend;
  validator: BodyValidator;
  /** The app's body limit: a longer declared body goes to the app, which answers 413. */
  bodyLimitBytes: number;
  authToken?: string | undefined;
  /** The app's logger: the request's debug line is the one the app would write. */
  log?: Logger;
  observe?: RequestObserver;
}

const SESSION_HEADER = 'interlink-http-session';
const JSON_TYPE = 'application/json';
const DIGITS = /^\d+$/;

/** Bodies kept by digest: at 1000 pods one each, renewed as the pods change. */
const KNOWN_BODIES_MAX = 5000;

/** The fast path for /status; give it to `listen` only when tracing is off (spans are the app's). */
export function statusFastPath(options: StatusFastPathOptions): FrontHandler {
  const { backend, validator, authToken, observe } = options;
  const appLog = options.log ?? rootLog;
  // Bodies that would take turns (read-body.ts) are the app's; interLink's are a few KiB.
  const maxBytes = Math.min(options.bodyLimitBytes, LARGE_BODY_BYTES);
  const answer = backend.statusText
    ? (pods: Pod[]) => (backend.statusText as NonNullable<Backend['statusText']>)(pods)
    : async (pods: Pod[]) => JSON.stringify(await backend.status(pods));
  // interLink sends each pod's same bytes on every poll. A body the spec accepted is known again
  // by its SHA-256 (no body can pass for another), with the part of its pods the answer reads:
  // neither parsed nor validated again. Kept only where the backend says what that part is.
  const part = backend.statusPart?.bind(backend);
  const known = new Map<string, Pod[]>();
  const remember = (digest: string, pods: Pod[]) => {
    if (known.size >= KNOWN_BODIES_MAX) known.delete(known.keys().next().value as string);
    known.set(digest, pods);
  };

  return (req, res, next) => {
    const method = req.method;
    if (req.url !== '/status' || (method !== 'GET' && method !== 'POST')) return next();
    // No body is the ping; a chunked one is read by the app with its limit.
    const length = req.headers['content-length'];
    if (length === undefined || !DIGITS.test(length)) return next();
    const declared = Number(length);
    if (declared === 0 || declared > maxBytes) return next();
    if (authToken && !bearerMatches(req.headers.authorization, authToken)) return next();
    const started = performance.now();
    readDeclared(req, declared, (body) => {
      const toApp = () => {
        handOver(req, body);
        next();
      };
      const digest = part ? hash('sha256', body, 'base64') : '';
      let pods = part ? known.get(digest) : undefined;
      if (!pods) {
        let parsed: unknown;
        try {
          parsed = parseJson(body);
        } catch {
          return toApp();
        }
        // `[]` and null are interLink's ping; anything the spec refuses gets the app's 422.
        if (!Array.isArray(parsed) || parsed.length === 0 || !validator.valid('StatusRequest', parsed))
          return toApp();
        pods = parsed as Pod[];
        if (part) {
          pods = pods.map(part);
          remember(digest, pods);
        }
      }
      answer(pods).then(
        (text) => {
          res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
          const ms = performance.now() - started;
          observe?.(method, '/status', 200, ms / 1000);
          if (logs('debug')) {
            const session = headerText(req.headers[SESSION_HEADER]) || `local-${randomUUID()}`;
            appLog
              .child({ session, method, path: '/status' })
              .debug('request', { status: 200, ms: Math.round(ms * 10) / 10 });
          }
        },
        // An outage's 503, an internal error: the app answers them (asking the backend again).
        toApp,
      );
    });
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Reads a body of a declared length (Node's parser holds the client to it). */
function readDeclared(req: IncomingMessage, size: number, done: (body: Buffer) => void): void {
  let first: Buffer | undefined;
  let buf: Buffer | undefined;
  let at = 0;
  req.on('data', (chunk: Buffer) => {
    if (!first && !buf) {
      first = chunk;
      at = chunk.length;
      return;
    }
    if (!buf) {
      buf = Buffer.allocUnsafe(size);
      (first as Buffer).copy(buf, 0);
      first = undefined;
    }
    chunk.copy(buf, at);
    at += chunk.length;
  });
  // A client gone mid-body has no one to answer; the request's objects go with its socket.
  req.on('end', () => done(buf ? buf.subarray(0, at) : (first ?? Buffer.alloc(0))));
}
