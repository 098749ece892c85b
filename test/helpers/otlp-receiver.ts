/**
 * A real OTLP/gRPC trace receiver for tests: a @grpc/grpc-js server answering
 * opentelemetry.proto.collector.trace.v1.TraceService/Export, decoding requests with the
 * protobuf decoders OpenTelemetry's own otlp-transformer generated from the OTLP protos.
 */
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import otlp from 'otlp-trace-decoders/build/src/generated/root.js';

export interface ReceivedSpan {
  serviceName: string;
  name: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  attributes: Record<string, string | number | boolean>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** Resolves with the first span that matches, polling what has arrived. */
  waitForSpan(match: (s: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: protobufjs' generated static module is untyped here
const v1 = (otlp as any).opentelemetry.proto.collector.trace.v1;

type AnyValue = { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
const hex = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('hex');

function attributesOf(list: { key: string; value: AnyValue }[] | undefined): ReceivedSpan['attributes'] {
  const out: ReceivedSpan['attributes'] = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue ??
      '';
  }
  return out;
}

export async function startOtlpReceiver(
  options: { credentials?: ServerCredentials } = {},
): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = new Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestDeserialize: (b: Buffer) =>
          v1.ExportTraceServiceRequest.toObject(v1.ExportTraceServiceRequest.decode(b), {
            longs: String,
            bytes: String,
            defaults: false,
          }),
        requestSerialize: () => Buffer.alloc(0),
        responseSerialize: (r: object) => Buffer.from(v1.ExportTraceServiceResponse.encode(r).finish()),
        responseDeserialize: (b: Buffer) => v1.ExportTraceServiceResponse.decode(b),
      },
    },
    {
      // biome-ignore lint/suspicious/noExplicitAny: the decoded request, shaped as OTLP's protos say
      Export: (call: ServerUnaryCall<any, object>, callback: sendUnaryData<object>) => {
        for (const rs of call.request.resourceSpans ?? []) {
          const serviceName = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                serviceName,
                name: s.name,
                traceId: hex(s.traceId),
                spanId: hex(s.spanId),
                parentSpanId: hex(s.parentSpanId),
                attributes: attributesOf(s.attributes),
                statusCode: s.status?.code ?? 0,
              });
            }
          }
        }
        callback(null, {});
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', options.credentials ?? ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    spans,
    async waitForSpan(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = spans.find(match);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `no matching span in ${timeoutMs} ms; received: ${spans.map((s) => s.name).join(', ')}`,
      );
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
