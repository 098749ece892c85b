/**
 * OpenTelemetry traces with interLink's conventions, so the plugin's spans land in the same Tempo
 * as interLink's: OTLP over gRPC to TELEMETRY_ENDPOINT, service name `Plugin-<TELEMETRY_UNIQUE_ID>`,
 * TLS from the TELEMETRY_* certificate files. One SERVER span per request, carrying the pod and
 * interLink's session (interLink propagates no trace context); a child span per docker command,
 * image pulls included (a pull outlives its /create request, and its span says so).
 * main.ts imports this module only when tracing is on: the SDK costs start-up time and memory.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MiddlewareHandler } from 'hono';
import type { TracingConfig } from '../config/load-config.ts';
import type { DockerCallObserver } from '../docker/engine/docker-cli.ts';
import type { AppEnv } from '../http/app.ts';
import { dockerProcessKind } from '../metrics/docker-verb.ts';
import { podAttributes } from './pod-attributes.ts';

export interface Tracing {
  readonly serviceName: string;
  readonly httpObserver: MiddlewareHandler<AppEnv>;
  readonly dockerObserver: DockerCallObserver;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const SESSION_HEADER = 'InterLink-Http-Session';

/** The channel credentials interLink's Go client would use for the same settings. */
function channelCredentials(config: TracingConfig) {
  const read = (path: string | undefined) => (path ? readFileSync(path) : null);
  if (!config.caCrtFile && !config.insecureSkipVerify) return credentials.createInsecure();
  return credentials.createSsl(
    read(config.caCrtFile),
    read(config.clientKeyFile),
    read(config.clientCrtFile),
    config.insecureSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}

export function startTracing(config: TracingConfig): Tracing {
  const serviceName = `Plugin-${config.uniqueId || randomUUID()}`;
  const secure = Boolean(config.caCrtFile) || config.insecureSkipVerify;
  const exporter = new OTLPTraceExporter({
    url: `${secure ? 'https' : 'http'}://${config.endpoint}`,
    credentials: channelCredentials(config),
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  // Spans of docker commands find their request's span through async context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracer = provider.getTracer('interlink-docker-plugin');

  const httpObserver: MiddlewareHandler<AppEnv> = async (c, next) => {
    const session = c.req.header(SESSION_HEADER);
    const span = tracer.startSpan(`${c.req.method} ${c.req.path}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': c.req.method,
        'url.path': c.req.path,
        ...(session ? { 'interlink.http.session_id': session } : {}),
      },
    });
    try {
      await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      const route = c.get('route');
      if (route) span.updateName(`${c.req.method} ${route}`);
      span.setAttributes({
        ...podAttributes(c.get('body')),
        ...(route ? { 'http.route': route } : {}),
        'http.response.status_code': c.res.status,
        // interLink's plugins put the HTTP status they answer in exit.code.
        'exit.code': c.res.status,
      });
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };

  const dockerObserver: DockerCallObserver = {
    started(args) {
      const kind = dockerProcessKind(args);
      // The events stream lives as long as the plugin: not a span.
      if (kind.kind === 'events') return () => {};
      // The active context is the request's span (a child span), or none outside requests
      // (resync, a background pull retry): then the command is a trace of its own.
      const span: Span = tracer.startSpan(kind.verb === 'pull' ? 'image pull' : `docker ${kind.verb}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'docker.verb': kind.verb,
          ...(kind.verb === 'pull' ? { 'container.image.name': args[args.length - 1] ?? '' } : {}),
        },
      });
      return (exitCode) => {
        span.setAttribute('exit.code', exitCode ?? -1);
        if (exitCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
    },
  };

  return {
    serviceName,
    httpObserver,
    dockerObserver,
    shutdown: () => provider.shutdown(),
  };
}
