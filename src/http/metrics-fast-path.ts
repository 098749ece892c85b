/**
 * GET /metrics in front of the Hono app. A scrape's text is mostly prepared bytes (the usage
 * series, usage-metrics.ts), and what it cost besides them was the framework around it: a Request
 * and a Response object, the middleware chain, a web ReadableStream piped into Node's response.
 * This writes the exposition's chunks on Node's own response, with the status, content type, bytes,
 * request metric and debug line the app gives it. A wrong token, another method or path, and an
 * exposition that fails go to the app unchanged, so every answer but a scrape served 200 is the
 * app's own.
 */
import { randomUUID } from 'node:crypto';
import { type Logger, logs, log as rootLog } from '../log.ts';
import { acceptsGzip } from './accept-encoding.ts';
import { type MetricsSource, metricsHeaders } from './app.ts';
import { bearerMatches } from './bearer-token.ts';
import type { FrontHandler, RequestObserver } from './status-fast-path.ts';

export interface MetricsFastPathOptions {
  /** The exposition the app's /metrics route serves. */
  metrics: MetricsSource;
  /** The app's token for /metrics (PLUGIN_AUTH_TOKEN, or PLUGIN_METRICS_TOKEN on the metrics listener). */
  authToken?: string | undefined;
  /** The app's logger: the request's debug line is the one the app would write. */
  log?: Logger;
  observe?: RequestObserver;
}

const SESSION_HEADER = 'interlink-http-session';

/** The fast path for GET /metrics; give it to `listen` only when tracing is off (spans are the app's). */
export function metricsFastPath(options: MetricsFastPathOptions): FrontHandler {
  const { metrics, authToken, observe } = options;
  const appLog = options.log ?? rootLog;
  return (req, res, next) => {
    if (req.url !== '/metrics' || req.method !== 'GET') return next();
    if (authToken && !bearerMatches(req.headers.authorization, authToken)) return next();
    const started = performance.now();
    metrics(acceptsGzip(req.headers['accept-encoding'])).then(
      ({ contentType, chunks, gzipped }) => {
        let length = 0;
        for (const chunk of chunks) length += chunk.byteLength;
        res.writeHead(200, { ...metricsHeaders(contentType, gzipped), 'Content-Length': length });
        // One write of the head and every chunk, not one per chunk.
        res.cork();
        for (const chunk of chunks) res.write(chunk);
        res.uncork();
        res.end();
        const ms = performance.now() - started;
        observe?.('GET', '/metrics', 200, ms / 1000);
        if (logs('debug')) {
          const session = headerText(req.headers[SESSION_HEADER]) || `local-${randomUUID()}`;
          appLog
            .child({ session, method: 'GET', path: '/metrics' })
            .debug('request', { status: 200, ms: Math.round(ms * 10) / 10 });
        }
      },
      // The app asks again and answers the error as it answers any.
      () => next(),
    );
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
