/**
 * The Hono app: reads bodies from the Node request (GET bodies included), enforces the size
 * limit and the optional token, logs each request with its InterLink-Http-Session, and maps
 * errors to the spec's Error body.
 */
import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Backend } from '../backend/backend.ts';
import { BodyValidator } from '../contract/validate-body.ts';
import { PluginError } from '../errors.ts';
import { type Logger, lazyChild, log as rootLog } from '../log.ts';
import { acceptsGzip } from './accept-encoding.ts';
import { bearerMatches } from './bearer-token.ts';
import { causeFields } from './cause-fields.ts';
import { errorAnswer } from './error-answer.ts';
import { statusOf } from './error-status.ts';
import { OpsLimit } from './ops-limit.ts';
import { parseJson, readBody } from './read-body.ts';
import { routeContext } from './route-context.ts';
import { pluginRoutes } from './routes.ts';

export interface AppOptions {
  backend: Backend;
  bodyLimitBytes: number;
  /** What is read and dropped after a 413 before the connection is closed (default 64 MiB). */
  drainMaxBytes?: number;
  authToken?: string | undefined;
  /** Paths served without the token (default /healthz: a probe learns nothing from it). */
  openPaths?: readonly string[];
  /** The setting a 401 names (default PLUGIN_AUTH_TOKEN). */
  tokenSetting?: string;
  /** Aborted on shutdown: ends log streams that would otherwise hold the server open. */
  shutdownSignal?: AbortSignal;
  validator?: BodyValidator;
  /** Where request lines go; each request logs through a child carrying its session. */
  log?: Logger;
  /** Run first on every request, around everything else (request metrics, trace spans). */
  observers?: MiddlewareHandler<AppEnv>[];
  /** Serve only these plugin routes (e.g. the probes); default: all. */
  routes?: readonly string[];
  /** Serves GET /metrics (Prometheus text) when given. */
  metrics?: MetricsSource;
  /** Creates and deletes under way at once at most (more wait, then 503); default: no cap. */
  maxConcurrentOps?: number;
}

/**
 * The exposition of a scrape as chunks of bytes, gzipped (one gzip member per chunk) when asked
 * and `gzipped` says so.
 */
export type MetricsSource = (
  gzip: boolean,
) => Promise<{ contentType: string; chunks: Uint8Array[]; gzipped: boolean }>;

/** The headers of a scrape's answer: the app's and the fast path's. */
export function metricsHeaders(contentType: string, gzipped: boolean): Record<string, string> {
  return gzipped
    ? { 'Content-Type': contentType, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }
    : { 'Content-Type': contentType, Vary: 'Accept-Encoding' };
}

/**
 * What a request carries through the app: its logger, and for observers the route it matched
 * and the body it sent (parsed, not yet validated).
 */
export type AppEnv = {
  Bindings: HttpBindings;
  Variables: { log: Logger; session: string; route?: string; body?: unknown };
};
type Env = AppEnv;

const SESSION_HEADER = 'InterLink-Http-Session';
const QUIET_PATHS = new Set(['/status', '/healthz', '/readyz', '/metrics']);

export function createApp(options: AppOptions): Hono<Env> {
  const app = new Hono<Env>();
  const validator = options.validator ?? new BodyValidator();
  const appLog = options.log ?? rootLog;

  /**
   * PluginError → the status of its kind and an error answer (error-answer.ts); anything else → 500. A 500's
   * message may carry the docker command line, its stderr or host paths, which the pod's
   * status.message would show to whoever can `kubectl describe` it: it goes to the log line of
   * the request's session, and the answer names that session instead.
   */
  const errorResponse = (err: unknown, c: Context<Env>): Response => {
    const reqLog = c.get('log') ?? appLog;
    const session = c.get('session');
    const internal = `internal error: the plugin's log has the details (session ${session})`;
    if (err instanceof PluginError) {
      const status = statusOf(err.kind);
      // A 503 with Retry-After is a known, passing condition its source logs once (a Docker outage).
      const level = err.retryAfterSeconds !== undefined ? 'debug' : status >= 500 ? 'error' : 'warn';
      reqLog[level](err.message, { status, ...causeFields(err.cause) });
      const headers: Record<string, string> =
        err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : {};
      // Every other kind's message is written for the user; an internal one is the plugin's own account.
      const message = err.kind === 'internal' ? internal : err.message;
      return errorAnswer(c, status, message, err.details, headers);
    }
    reqLog.error('unexpected error', { error: err instanceof Error ? err.stack : String(err) });
    return errorAnswer(c, 500, internal);
  };
  for (const observer of options.observers ?? []) app.use(observer);

  app.use(async (c, next) => {
    const session = c.req.header(SESSION_HEADER) || `local-${randomUUID()}`;
    // Made on first use: a /status answered well logs nothing above debug.
    const reqLog = lazyChild(appLog, () => ({ session, method: c.req.method, path: c.req.path }));
    c.set('log', reqLog);
    c.set('session', session);
    const started = performance.now();
    try {
      await next();
    } catch (err) {
      // Hono hands only Error instances to onError; a thrown string would end as an empty 500.
      c.res = errorResponse(err, c);
    }
    const fields = { status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 };
    // The VK polls /status for every pod every few seconds: those lines are for debugging.
    // A 503 there is Docker not answering (or a shutdown): logged once by its source, not per poll.
    if (QUIET_PATHS.has(c.req.path) && (c.res.status < 400 || c.res.status === 503))
      reqLog.debug('request', fields);
    else reqLog.info('request', fields);
  });

  if (options.authToken) {
    const token = options.authToken;
    const open = new Set(options.openPaths ?? ['/healthz']);
    app.use(async (c, next) => {
      if (!open.has(c.req.path) && !bearerMatches(c.req.header('authorization'), token)) {
        throw new PluginError(
          'unauthorized',
          `missing or wrong bearer token (${options.tokenSetting ?? 'PLUGIN_AUTH_TOKEN'} is set on this plugin)`,
        );
      }
      await next();
    });
  }

  if (options.metrics) {
    const metrics = options.metrics;
    app.get('/metrics', async (c) => {
      c.set('route', '/metrics');
      const { contentType, chunks, gzipped } = await metrics(acceptsGzip(c.req.header('accept-encoding')));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });
      return c.body(body, 200, metricsHeaders(contentType, gzipped));
    });
  }

  const ops = options.maxConcurrentOps ? new OpsLimit(options.maxConcurrentOps) : undefined;
  const served = pluginRoutes(options.backend, validator, ops).filter(
    (r) => !options.routes || options.routes.includes(r.path),
  );
  for (const r of served) {
    app.on(r.method.toUpperCase(), r.path, async (c) => {
      c.set('route', r.path);
      const hasBody = r.path !== '/healthz' && r.path !== '/readyz';
      let body: unknown;
      if (hasBody) {
        const read = await readBody(c.env.incoming, options.bodyLimitBytes, options.drainMaxBytes);
        try {
          body = parseJson(read.body);
        } finally {
          // The raw bytes and their text are garbage now: the next large body may be read.
          read.done();
        }
      }
      c.set('body', body);
      const reply = await r.handle(body, routeContext(c.env.outgoing, options.shutdownSignal));
      const status = reply.status as ContentfulStatusCode;
      if ('json' in reply) return c.json(reply.json as object, status);
      return c.body(reply.text, status, { 'Content-Type': 'text/plain; charset=utf-8' });
    });
  }

  app.notFound((c) => errorAnswer(c, 404, `no route for ${c.req.method} ${c.req.path}`));

  app.onError(errorResponse);

  return app;
}
